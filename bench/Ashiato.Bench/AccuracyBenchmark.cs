using System.Globalization;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Tracing;
using Ashiato.Chains.Bitcoin;
using Ashiato.Cli.Commands;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Intel;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;

namespace Ashiato.Bench;

/// <summary>
/// Tracing accuracy over several simulated worlds: one figure from one world is an anecdote. For each seed: simulate
/// (<c>Simulation.Run</c>), ingest the blk files, import the world's TagPacks, cluster (default heuristics), then trace every
/// theft forward from its theft transaction with each option set and score the endpoints by value against the truth
/// (<see cref="TraceCommand.ScoreThefts"/>, as <c>ashiato evaluate</c> does). The tracer never reads the truth.
/// </summary>
internal static class AccuracyBenchmark
{
    private static readonly (string Name, TraceOptions Options)[] OptionSets =
    [
        ("haircut, CoinJoin stop (default)", new TraceOptions()),
        ("FIFO, CoinJoin stop", new TraceOptions { Model = TaintModel.Fifo }),
        ("haircut, CoinJoin haircut", new TraceOptions { CoinJoin = CoinJoinPolicy.Haircut }),
    ];

    private sealed record WorldScore(ulong Seed, long Transactions, int Thefts, Dictionary<string, (decimal Recall, decimal Precision, decimal Tagged, decimal UntaggedShare)> ByOptions);

    public static List<string> Run(IReadOnlyList<ulong> seeds, long tx, string work, Action<string> log)
    {
        var scores = new List<WorldScore>();
        foreach (var seed in seeds)
        {
            var root = Path.Combine(work, $"ashiato-bench-accuracy-{Environment.ProcessId}-{seed}");
            try
            {
                var world = Path.Combine(root, "world");
                Simulation.Simulation.Run(seed, tx, world);
                using var store = StoreDirectory.Open(Path.Combine(root, "store"), create: true);
                new BlockFileIngestor(store, new IngestOptions())
                    .RunAsync(Path.Combine(world, "bitcoin", "blocks"), "sim", Network.BitcoinRegtest, null, CancellationToken.None).GetAwaiter().GetResult();
                new IntelImporter(new TagStore(store.Meta)).Import([Path.Combine(world, "tags")]);
                using var chain = store.OpenUtxoChain("sim", null, create: false);
                ClusterBuilder.Run(chain, new HeuristicSet());
                var truth = Path.Combine(world, "truth", "ground-truth.json");
                var byOptions = new Dictionary<string, (decimal, decimal, decimal, decimal)>(StringComparer.Ordinal);
                var thefts = 0;
                foreach (var (name, options) in OptionSets)
                {
                    var results = TraceCommand.ScoreThefts(truth, chain, store, options).Select(r => r.Score).ToList();
                    thefts = results.Count;
                    var (recall, precision) = TraceScoring.Total(results);
                    var atServices = results.Sum(s => s.TruthAtServicesSat);
                    var untagged = atServices == 0 ? 0m : Math.Round((decimal)results.Sum(s => s.TruthAtServicesSat - s.TruthAtTaggedSat) / atServices, 4);
                    byOptions[name] = (recall, precision, TraceScoring.TotalRecallTagged(results), untagged);
                }

                scores.Add(new WorldScore(seed, chain.TxCount, thefts, byOptions));
                var d = byOptions[OptionSets[0].Name];
                log($"seed {seed}: {chain.TxCount:N0} tx, {thefts} thefts; default recall {d.Item1}, precision {d.Item2}, recall at tagged services {d.Item3}");
            }
            finally
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        return Render(scores, tx);
    }

    private static List<string> Render(List<WorldScore> scores, long tx)
    {
        static string F(decimal d) => d.ToString("0.0000", CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            $"Worlds: `Simulation.Run(seed, {tx.ToString(CultureInfo.InvariantCulture)})` for seeds {string.Join(", ", scores.Select(s => s.Seed))}; " +
            "each ingested, tagged with its own TagPacks and clustered (default heuristics); every theft traced forward from its theft " +
            "transaction (≤ 20 hops, stop at exchanges, OTC brokers and mixers) and scored against segment 0 of its truth. *Tagged* = recall over the " +
            "true endpoints at entities with a tagged address (the OTC desk has none); *untagged* = share of the value at services that " +
            "went to such untagged services.",
            string.Empty,
            "| seed | tx | thefts | " + string.Join(" | ", OptionSets.Select(o => $"{o.Name}: recall / precision / tagged")) + " | untagged |",
            "|--:|--:|--:|" + string.Concat(OptionSets.Select(_ => "---|")) + "--:|",
        };
        foreach (var s in scores)
        {
            lines.Add($"| {s.Seed} | {s.Transactions:N0} | {s.Thefts} | " +
                string.Join(" | ", OptionSets.Select(o => s.ByOptions[o.Name]).Select(v => $"{F(v.Recall)} / {F(v.Precision)} / {F(v.Tagged)}")) +
                $" | {s.ByOptions[OptionSets[0].Name].UntaggedShare:P1} |");
        }

        lines.Add(string.Empty);
        lines.Add("| options | recall mean (min–max) | precision mean (min–max) | tagged recall mean (min–max) |");
        lines.Add("|---|---|---|---|");
        foreach (var (name, _) in OptionSets)
        {
            var v = scores.Select(s => s.ByOptions[name]).ToList();
            string Stat(Func<(decimal Recall, decimal Precision, decimal Tagged, decimal UntaggedShare), decimal> f) =>
                $"{F(Math.Round(v.Average(f), 4))} ({F(v.Min(f))}–{F(v.Max(f))})";
            lines.Add($"| {name} | {Stat(x => x.Recall)} | {Stat(x => x.Precision)} | {Stat(x => x.Tagged)} |");
        }

        return lines;
    }
}
