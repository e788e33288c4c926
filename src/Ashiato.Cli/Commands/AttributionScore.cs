using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ashiato.Analysis.Entities;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Intel;
using Ashiato.Intel.Prices;
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
            var trueCountry = Known(countryOf.GetValueOrDefault(theft.Victim));
            foreach (var id in incidents.IncidentsOfTransaction(theft.TxId))
            {
                if (incidents.Get(id) is { } incident && incident.AttributedActor == theft.Actor && Known(incident.VictimCountry) == trueCountry)
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

                if (Known(victim.Country) == trueCountry)
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
            $"shares of {GroundTruthFile.Btc(r.Stolen)} BTC stolen in {r.Thefts} Bitcoin-family thefts");
    }

    /// <summary>
    /// The EVM thefts of the truth (truth/evm-ground-truth.json), scored like the Bitcoin ones but weighted by USD at the
    /// theft's date (the store's prices): the victim is the label of the sender of the transfer that delivered each stolen
    /// lot to the thief, the actor the label of the lot's first holder; a lot without a USD price is counted apart.
    /// </summary>
    public static string EvmCell(GroundTruthFile truth, StoreDirectory store)
    {
        var file = Path.Combine(Path.GetDirectoryName(truth.Path)!, "evm-ground-truth.json");
        if (!File.Exists(file))
        {
            return "n/a: the world has no EVM chain";
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        var chainName = root.GetProperty("chain").GetString()!;
        if (!store.Chains().Contains(chainName) || store.ChainFamily(chainName) != "evm")
        {
            return $"**missing**: the store holds no EVM chain `{chainName}`";
        }

        using var chain = store.OpenEvmChain(chainName, null, writer: false);
        var tags = new TagStore(store.Meta);
        var labels = new EvmTraceLabels(chain, tags);
        var tokens = new EvmTokenInfo(chain);
        var prices = PriceBook.Load(store.Meta);
        var incidents = new IncidentStore(store.Meta);
        var countryOf = root.GetProperty("entities").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!,
            e => e.TryGetProperty("country", out var c) ? c.GetString() : null, StringComparer.Ordinal);
        foreach (var e in truth.Entities)
        {
            countryOf.TryAdd(e.Id, e.Country);
        }

        var lots = root.GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetInt32());
        decimal total = 0, victimRight = 0, countryRight = 0, actorRight = 0, reportedRight = 0;
        int thefts = 0, unvalued = 0, undelivered = 0;
        foreach (var theft in root.GetProperty("thefts").EnumerateArray())
        {
            thefts++;
            var actor = theft.GetProperty("actor").GetString();
            var victim = theft.GetProperty("victim").GetString()!;
            var trueCountry = Known(countryOf.GetValueOrDefault(victim));
            var date = DateOnly.ParseExact(theft.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var reported = theft.GetProperty("transactions").EnumerateArray().Any(tx => incidents.IncidentsOfTransaction(tx.GetString()!)
                .Any(id => incidents.Get(id) is { } i && i.AttributedActor == actor && Known(i.VictimCountry) == trueCountry));
            foreach (var lotId in theft.GetProperty("stolen_lots").EnumerateArray())
            {
                var lot = lots[lotId.GetInt32()];
                var delivery = Delivery(chain, tokens, lot);
                if (delivery is not { } d)
                {
                    undelivered++;
                    continue;
                }

                var usd = prices.Value(d.Symbol.ToUpperInvariant(), d.Transfer.Amount.ToBigInteger(), d.Decimals,
                    new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "USD");
                if (usd is null)
                {
                    unvalued++;
                    continue;
                }

                total += usd.Amount;
                var from = d.Transfer.FromId >= 0 ? labels.Lookup(d.Transfer.FromId) : null;
                if (from is not null && (from.Entity == victim || from.Actor == victim))
                {
                    victimRight += usd.Amount;
                }

                if (from is not null && Known(from.Country) == trueCountry)
                {
                    countryRight += usd.Amount;
                }

                if (labels.Lookup(d.Transfer.ToId)?.Actor is { } a && a == actor)
                {
                    actorRight += usd.Amount;
                }

                if (reported)
                {
                    reportedRight += usd.Amount;
                }
            }
        }

        string S(decimal part) => total == 0 ? "n/a" : (part / total).ToString("0.0000", CultureInfo.InvariantCulture);
        var leftOut = unvalued + undelivered > 0 ? $" ({unvalued} lot(s) without a USD price and {undelivered} not found in the store left out)" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"on chain (tags and deposit-address labels): victim {S(victimRight)}, victim country {S(countryRight)} (label of the sender of each stolen lot), actor {S(actorRight)} (label of the lot's first holder); reported (imported incidents naming a theft transaction): actor and victim country {S(reportedRight)}; shares of USD {total:N0} stolen in {thefts} EVM thefts, valued at the theft date with the store's prices{leftOut}");
    }

    /// <summary>The transfer that delivered a stolen lot to its first holder (in the lot's transaction, same asset), with the asset's symbol and decimals.</summary>
    private static (Storage.Evm.StoredTransfer Transfer, string Symbol, int Decimals)? Delivery(Storage.Evm.EvmChainStore chain, EvmTokenInfo tokens, JsonElement lot)
    {
        if (!EvmHash.TryParse(lot.GetProperty("tx").GetString()!, out var hash) || chain.FindTransaction(hash) is var txId && txId < 0
            || !EvmAddress.TryParse(lot.GetProperty("holder").GetString()!, out var holder) || chain.FindAddress(holder) is var holderId && holderId < 0)
        {
            return null;
        }

        var asset = lot.GetProperty("asset").GetString()!;
        var amount = BigInteger.Parse(lot.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
        var (height, _) = chain.TransactionLocation(txId);
        var (first, count) = chain.BlockTransfers(height);
        for (var i = 0; i < count; i++)
        {
            var t = chain.Transfer(first + i);
            if (t.TxId != txId || t.ToId != holderId || t.Amount.ToBigInteger() != amount)
            {
                continue;
            }

            if (t.IsNative && asset == "ETH")
            {
                return (t, "ETH", 18);
            }

            if (!t.IsNative && tokens.Get(t.AssetId) is { Symbol: { } symbol, Decimals: { } decimals } && symbol == asset)
            {
                return (t, symbol, decimals);
            }
        }

        return null;
    }

    /// <summary>A country code, or null for none and for ZZ (ISO 3166's "unknown"): a victim of unknown country is rightly left without one.</summary>
    private static string? Known(string? country) => country is null or "ZZ" ? null : country;

    private static string Share(long part, long whole) => whole == 0 ? "n/a" : ((double)part / whole).ToString("0.0000", CultureInfo.InvariantCulture);
}
