using System.Globalization;
using Ashiato.Analysis.Entities;
using Ashiato.Core;
using Ashiato.Intel.Incidents;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Cli.Commands;

/// <summary>
/// The attribution score of <c>ashiato evaluate</c>: the share of stolen value (satoshi of the truth's Bitcoin-family
/// thefts) that the store attributes to the right victim, victim country and actor. Two routes are scored apart:
/// <list type="bullet">
/// <item><b>on chain</b> — what clustering, tags and the entity registry conclude: the theft transaction's victim is the
/// label of the cluster holding its largest input, the victim country is that label's registry country, and each stolen
/// output's actor is the label of its address's cluster;</item>
/// <item><b>reported</b> — the imported incidents naming the theft transaction: their attributed actor and victim country.</item>
/// </list>
/// A theft whose transaction is not in the store counts as not attributed (never skipped).
/// </summary>
internal static class AttributionScore
{
    public sealed record Result(long Stolen, long VictimRight, long CountryRight, long ActorRight, long ActorWeight, long ReportedRight, int Thefts, int Labelled);

    public static Result Score(GroundTruthFile truth, UtxoChainStore utxo, StoreDirectory store)
    {
        var labels = ClusterLabels.Open(utxo, store.Meta);
        var incidents = new IncidentStore(store.Meta);
        var countryOf = truth.Entities.ToDictionary(e => e.Id, e => e.Country, StringComparer.Ordinal);
        long stolen = 0, victimRight = 0, countryRight = 0, actorRight = 0, actorWeight = 0, reportedRight = 0;
        var labelled = 0;
        foreach (var theft in truth.Thefts)
        {
            stolen += theft.StolenSat;
            var trueCountry = countryOf.GetValueOrDefault(theft.Victim);
            foreach (var id in incidents.IncidentsOfTransaction(theft.TxId))
            {
                if (incidents.Get(id) is { } incident && incident.AttributedActor == theft.Actor && incident.VictimCountry == trueCountry)
                {
                    reportedRight += theft.StolenSat;
                    break;
                }
            }

            if (!Hash256.TryParse(theft.TxId, out var txid) || utxo.FindTx(txid) is var txIndex && txIndex < 0)
            {
                actorWeight += theft.StolenSat;
                continue;
            }

            var tx = utxo.GetTx(txIndex);
            if (VictimLabel(utxo, labels, tx) is { } victim)
            {
                labelled++;
                if (victim.Entity == theft.Victim || victim.Actor == theft.Victim)
                {
                    victimRight += theft.StolenSat;
                }

                if (trueCountry is not null && victim.Country == trueCountry)
                {
                    countryRight += theft.StolenSat;
                }
            }

            foreach (var outpoint in theft.StolenOutputs)
            {
                var colon = outpoint.LastIndexOf(':');
                if (colon < 0 || !int.TryParse(outpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var vout) || vout >= tx.OutputCount)
                {
                    throw new UserErrorException($"{truth.Path}: theft {theft.Id}: stolen output '{outpoint}' is not an output of {theft.TxId}");
                }

                var output = utxo.GetOutput(tx.FirstOutput + vout);
                actorWeight += output.Value;
                if (output.HasAddress && labels.Lookup(output.AddressId)?.Label.Actor == theft.Actor)
                {
                    actorRight += output.Value;
                }
            }
        }

        return new Result(stolen, victimRight, countryRight, actorRight, actorWeight, reportedRight, truth.Thefts.Count, labelled);
    }

    /// <summary>The label of the cluster that holds the theft transaction's largest resolved input, or null when it has none.</summary>
    private static EntityLabel? VictimLabel(UtxoChainStore utxo, ClusterLabels labels, TxRow tx)
    {
        OutputRow? largest = null;
        for (var i = 0; i < tx.InputCount; i++)
        {
            var input = utxo.GetInput(tx.FirstInput + i);
            if (input.Prev >= 0 && utxo.GetOutput(input.Prev) is var spent && spent.HasAddress && (largest is null || spent.Value > largest.Value.Value))
            {
                largest = spent;
            }
        }

        return largest is { } o ? labels.Lookup(o.AddressId)?.Label : null;
    }

    /// <summary>The evaluate report's cell.</summary>
    public static string Cell(GroundTruthFile truth, UtxoChainStore utxo, StoreDirectory store)
    {
        if (truth.Thefts.Count == 0)
        {
            return "n/a: the world has no Bitcoin-family thefts";
        }

        var r = Score(truth, utxo, store);
        return string.Create(CultureInfo.InvariantCulture,
            $"on chain (cluster labels from tags, entity registry): victim {Share(r.VictimRight, r.Stolen)}, victim country {Share(r.CountryRight, r.Stolen)} " +
            $"(label of the cluster holding the theft's largest input; {r.Labelled} of {r.Thefts} theft transactions spend from a labelled cluster), " +
            $"actor {Share(r.ActorRight, r.ActorWeight)} (label of each stolen output's cluster); " +
            $"reported (imported incidents naming the theft transaction): actor and victim country {Share(r.ReportedRight, r.Stolen)}; " +
            $"shares of {GroundTruthFile.Btc(r.Stolen)} BTC stolen in {r.Thefts} Bitcoin-family thefts (EVM thefts not scored here)");
    }

    private static string Share(long part, long whole) => whole == 0 ? "n/a" : ((double)part / whole).ToString("0.0000", CultureInfo.InvariantCulture);
}
