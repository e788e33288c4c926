using System.Globalization;
using System.Text;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tests.Integration;

/// <summary>One heuristic's score over the judged transactions. Precision = correct / guesses; recall = correct / transactions
/// with a change output.</summary>
internal sealed record ChangeScore(string Heuristic, int Judged, int WithChange, int Guesses, int Correct)
{
    public double? Precision => Guesses == 0 ? null : (double)Correct / Guesses;

    public double? Recall => WithChange == 0 ? null : (double)Correct / WithChange;
}

/// <summary>
/// Runs every change heuristic over a store in chain order, exactly as the cluster builder feeds them (the address
/// watermark, the peel-output test, CoinJoin-flagged transactions skipped), plus the store-backed history the fingerprint
/// heuristic reads, and compares each guess on the judged transactions with the truth.
/// </summary>
internal static class ChangeMeasurement
{
    public const string Combined = "all (agreement rule)";

    /// <summary>Guesses per heuristic name: store tx id → change output index; <see cref="Combined"/> holds what the whole
    /// set decides with every change heuristic on.</summary>
    public static Dictionary<string, Dictionary<long, int>> Guess(UtxoChainStore store, IReadOnlySet<long> judged)
    {
        var history = new StoreChainHistory(store);
        var change = HeuristicSet.All.Where(h => h.IsChange).ToList();
        var all = new HeuristicSet(change.ToDictionary(h => h.Name, _ => true));
        var guesses = change.Select(h => h.Name).Append(Combined).ToDictionary(n => n, _ => new Dictionary<long, int>());
        var facts = new TxFacts();
        var earlier = new List<EarlierChange>();
        for (var h = store.BaseHeight; h <= store.TipHeight; h++)
        {
            var block = store.GetBlockMeta(h);
            var watermark = block.FirstAddress;
            for (var t = block.FirstTx; t < block.FirstTx + block.TxCount; t++)
            {
                TxFacts.Read(store, t, h, facts);
                var ctx = new HeuristicContext((uint)watermark, history.IsPeelOutput, history);
                if (!facts.IsCoinbase && CoinJoinDetectors.Detect(facts) is null)
                {
                    foreach (var heuristic in change)
                    {
                        if (heuristic.JudgesEarlier)
                        {
                            earlier.Clear();
                            heuristic.FindEarlierChange(facts, ctx, earlier);
                            Record(guesses[heuristic.Name], judged, earlier);
                        }
                        else if (judged.Contains(t) && heuristic.FindChange(facts, ctx) is >= 0 and var c)
                        {
                            guesses[heuristic.Name][t] = c;
                        }
                    }

                    if (judged.Contains(t) && all.FindChange(facts, ctx).Output is >= 0 and var own)
                    {
                        guesses[Combined][t] = own;
                    }

                    earlier.Clear();
                    all.FindEarlierChanges(facts, ctx, earlier);
                    Record(guesses[Combined], judged, earlier);
                }

                foreach (var i in facts.Inputs)
                {
                    watermark = i.HasAddress ? Math.Max(watermark, i.Address + 1L) : watermark;
                }

                foreach (var o in facts.Outputs)
                {
                    watermark = o.HasAddress ? Math.Max(watermark, o.Address + 1L) : watermark;
                }
            }
        }

        return guesses;
    }

    /// <summary>Scores each heuristic's guesses against <paramref name="truth"/> (store tx id → change output, -1: none).</summary>
    public static List<ChangeScore> Score(Dictionary<string, Dictionary<long, int>> guesses, IReadOnlyDictionary<long, int> truth)
    {
        var withChange = truth.Values.Count(c => c >= 0);
        return guesses.Select(g => new ChangeScore(g.Key, truth.Count, withChange, g.Value.Count,
            g.Value.Count(kv => truth[kv.Key] == kv.Value))).ToList();
    }

    public static string Table(IEnumerable<ChangeScore> scores)
    {
        var text = new StringBuilder()
            .AppendLine("| heuristic | judged | with change | guesses | correct | precision | recall |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in scores)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| `{s.Heuristic}` | {s.Judged} | {s.WithChange} | {s.Guesses} | {s.Correct} | {Ratio(s.Precision)} | {Ratio(s.Recall)} |");
        }

        return text.ToString();
    }

    private static string Ratio(double? r) => r is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>The first decision about an earlier transaction stands (a later one is not a revision).</summary>
    private static void Record(Dictionary<long, int> guesses, IReadOnlySet<long> judged, List<EarlierChange> found)
    {
        foreach (var e in found)
        {
            if (judged.Contains(e.TxId))
            {
                guesses.TryAdd(e.TxId, e.Output);
            }
        }
    }
}
