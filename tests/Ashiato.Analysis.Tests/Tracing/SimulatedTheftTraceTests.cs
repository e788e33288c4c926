using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Chains.Bitcoin;
using Ashiato.Cli.Commands;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Intel;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>
/// End to end on the demo's world (seed 1, small = 10 000 tx): simulate, ingest, import the world's TagPacks, cluster,
/// then trace every theft forward from its theft transaction and score the endpoints by value against the ground truth
/// (the tracer never reads the truth; only the scoring here does).
/// </summary>
public sealed class SimulatedTheftTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Thefts_traced_forward_reach_their_true_cash_out_points_with_exact_conservation()
    {
        var root = Path.Combine(Path.GetTempPath(), "ashiato-trace-world-" + Guid.NewGuid().ToString("N"));
        try
        {
            var world = Path.Combine(root, "world");
            Simulation.Simulation.Run(1, 10_000, world);
            using var store = StoreDirectory.Open(Path.Combine(root, "store"), create: true);
            await new BlockFileIngestor(store, new IngestOptions())
                .RunAsync(Path.Combine(world, "bitcoin", "blocks"), "sim", Network.BitcoinRegtest, null, CancellationToken.None);
            new IntelImporter(new TagStore(store.Meta)).Import([Path.Combine(world, "tags")]);
            using var chain = store.OpenUtxoChain("sim", null, create: false);
            ClusterBuilder.Run(chain, new HeuristicSet());

            var truth = Path.Combine(world, "truth", "ground-truth.json");
            var figures = new Dictionary<string, (decimal Recall, decimal Precision)>();
            var tagged = new Dictionary<string, decimal>();
            foreach (var (name, options) in new (string, TraceOptions)[]
            {
                ("haircut, coinjoin stop", new TraceOptions()),
                ("fifo, coinjoin stop", new TraceOptions { Model = TaintModel.Fifo }),
                ("haircut, coinjoin haircut", new TraceOptions { CoinJoin = CoinJoinPolicy.Haircut }),
            })
            {
                var results = TraceCommand.ScoreThefts(truth, chain, store, options);
                Assert.Equal(5, results.Count);
                foreach (var (score, trace) in results)
                {
                    // conservation: the stolen outputs are seeded, and every seeded satoshi ends at exactly one endpoint edge
                    Assert.Equal((ulong)score.StolenSat, (ulong)trace.Summary.Seeded.Single().Tainted);
                    var endpoints = trace.Edges.Where(e => TraceSummaryBuilder.IsEndpoint(e.Rule)).Aggregate(UInt256.Zero, (s, e) => s + e.Tainted);
                    Assert.Equal((ulong)score.StolenSat, (ulong)endpoints);

                    // the tracer's summary (endpoints added as the result is made, labels from its nodes) is the one the
                    // builder makes from the result's nodes and edges by node id
                    var reference = new TraceSummaryBuilder();
                    foreach (var seed in trace.Summary.Seeded)
                    {
                        reference.AddSeeded(seed.Chain, seed.Asset, seed.Tainted, seed.Values);
                    }

                    Assert.Equal(Describe(reference.Build(trace.Nodes, trace.Edges, options.Direction)), Describe(trace.Summary));
                    Assert.False(trace.Partial);
                    Assert.All(trace.Edges, e => Assert.False(string.IsNullOrEmpty(e.Rule)));
                    output.WriteLine($"{name}: {score.Id}: stolen {score.StolenSat}, truth at services {score.TruthAtServicesSat}, traced at attributed endpoints " +
                        $"{score.TracedAtServicesSat}, matched {score.MatchedSat}, unattributed {score.TracedUnattributedSat}: recall {score.Recall}, precision {score.Precision}, " +
                        $"recall at tagged services {score.RecallTagged} (truth there {score.TruthAtTaggedSat})");
                }

                figures[name] = TraceScoring.Total(results.Select(r => r.Score).ToList());
                tagged[name] = TraceScoring.TotalRecallTagged(results.Select(r => r.Score).ToList());
                output.WriteLine($"{name}: recall by value {figures[name].Recall}, precision by value {figures[name].Precision}, " +
                    $"recall at tagged services {tagged[name]}");
            }

            // Measured (seed 1, small, world of 2026-12-05): haircut/stop recall 0.6657, precision 0.9964, recall at tagged
            // services 0.7449; haircut through CoinJoins: recall at tagged services 0.9385. The misses are the OTC desk (no
            // address of it is tagged in the world's TagPacks, so its cash-outs stay unattributed: the "tagged" recall
            // leaves it out) and value stopped at CoinJoins (the default policy). The bounds guard against regressions on
            // this world with a margin; they are not a claim about other worlds.
            Assert.InRange(figures["haircut, coinjoin stop"].Recall, 0.55m, 1m);
            Assert.InRange(figures["haircut, coinjoin stop"].Precision, 0.95m, 1m);
            Assert.InRange(figures["fifo, coinjoin stop"].Precision, 0.95m, 1m);
            Assert.InRange(tagged["haircut, coinjoin haircut"], 0.85m, 1m);
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

    private static string Describe(TraceSummary s) => string.Join("\n",
        new[] { ("entity", s.ByEntity), ("category", s.ByCategory), ("country", s.ByCountry), ("rule", s.ByRule), ("seeded", s.Seeded) }
            .SelectMany(g => g.Item2.Select(t => $"{g.Item1} {t.Key} {t.Chain} {t.Asset} {t.Tainted} {t.ShareOfSeed} " +
                string.Join(",", t.Values.Select(v => $"{v.Fiat}={v.Amount}@{v.UnitPrice}/{v.PriceDate}/{v.Source}")))));
}
