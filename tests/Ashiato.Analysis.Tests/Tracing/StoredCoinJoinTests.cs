using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Analysis.Entities;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Output;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Intel;
using Ashiato.Storage.Utxo;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>
/// The tracer takes CoinJoin verdicts from the clustering run (clusters.coinjoin) for the blocks the clusters cover, and runs
/// the detectors itself above them. On the simulated world (seed 3, 5 000 tx, with Wasabi and Whirlpool rounds): the stored
/// verdicts equal the detectors' for every transaction, and traces into the CoinJoins give the same bytes either way.
/// </summary>
public sealed class StoredCoinJoinTests(SimulatedWorld world, ITestOutputHelper output) : IClassFixture<SimulatedWorld>
{
    /// <summary>The same labels, but not the clustering's type: the tracer detects every verdict itself.</summary>
    private sealed class PlainLabels(ITraceLabels inner) : ITraceLabels
    {
        public TraceLabel? Lookup(long addressId) => inner.Lookup(addressId);

        public long? ClusterOf(long addressId) => inner.ClusterOf(addressId);
    }

    private static ClusterTraceLabels Labels(UtxoChainStore chain) => new(chain, ClusterLabels.Open(chain, ChainTags.From(chain, [], [], [])));

    [Fact]
    public void Stored_verdicts_equal_the_detectors_for_every_transaction()
    {
        using var chain = world.OpenChain();
        ClusterBuilder.Run(chain, new HeuristicSet(), new ClusterOptions { Rebuild = true });
        var stored = Labels(chain).Labels.CoinJoins;
        Assert.NotNull(stored);
        Assert.Equal(chain.TipHeight, stored.Height);
        Assert.True(stored.Count > 0, "the world has CoinJoins");

        var facts = new TxFacts();
        var mixes = 0;
        for (var h = chain.BaseHeight; h <= chain.TipHeight; h++)
        {
            var bm = chain.GetBlockMeta(h);
            for (var t = bm.FirstTx; t < bm.FirstTx + bm.TxCount; t++)
            {
                TxFacts.Read(chain, t, h, facts);
                var detected = facts.IsCoinbase ? null : CoinJoinDetectors.Detect(facts);
                Assert.True(stored.TryGet(t, h, out var match));
                Assert.Equal(detected?.Kind, match?.Kind);
                // stored as float, given back rounded to 2 decimals (e.g. the generic detector's 0.4 + 0.05 × 9 = 0.85000000000000009)
                Assert.Equal(detected is null ? null : Math.Round(detected.Confidence, 2), match?.Confidence);
                mixes += match is { IsMix: true } ? 1 : 0;
            }
        }

        output.WriteLine($"{stored.Count} flagged transactions, {mixes} mixes");
        Assert.True(mixes > 0);
        Assert.False(stored.TryGet(long.MaxValue, chain.TipHeight + 1, out _));
    }

    [Theory]
    [InlineData(1.0)] // clusters cover the whole chain: every verdict is stored
    [InlineData(0.5)] // clusters cover half: the tracer detects above their height
    public void Traces_into_coinjoins_are_the_same_bytes_with_stored_and_detected_verdicts(double covered)
    {
        using var chain = world.OpenChain();
        var toHeight = chain.BaseHeight + (int)((chain.TipHeight - chain.BaseHeight) * covered);
        ClusterBuilder.Run(chain, new HeuristicSet(), new ClusterOptions { Rebuild = true, ToHeight = toHeight });
        var labels = Labels(chain);
        Assert.Equal(toHeight, labels.Labels.CoinJoins!.Height);

        // seeds: the coin spent by the first input of every mix (the trace meets the CoinJoin at its first hop)
        var mixes = ClusterView.Open(chain.Directory)!.CoinJoins.Where(c => c.Kind != CoinJoinKind.WhirlpoolTx0).Select(c => c.TxId).ToList();
        var facts = new TxFacts();
        var seeds = new List<TraceSeed>();
        for (var t = 0L; t < chain.TxCount && seeds.Count < 12; t += Math.Max(1, chain.TxCount / 400))
        {
            TxFacts.Read(chain, t, chain.HeightOfTx(t), facts);
            if (!facts.IsCoinbase && facts.Outputs.Count >= 3 && facts.Outputs.Count(o => o.Value == facts.Outputs[0].Value) >= 3)
            {
                seeds.Add(new TraceSeed(chain.ChainName, TraceSeedKind.Transaction, chain.GetTx(t).TxId.ToString()));
            }
        }

        foreach (var mix in mixes.Take(12))
        {
            seeds.Add(new TraceSeed(chain.ChainName, TraceSeedKind.Transaction, chain.GetTx(mix).TxId.ToString()));
        }

        Assert.NotEmpty(seeds);
        var withStored = new UtxoTracer(chain, labels);
        var detecting = new UtxoTracer(chain, new PlainLabels(labels));
        var coinJoinEdges = 0;
        foreach (var policy in new[] { CoinJoinPolicy.Stop, CoinJoinPolicy.Haircut })
        foreach (var direction in new[] { TraceDirection.Forward, TraceDirection.Backward })
        foreach (var seed in seeds)
        {
            var options = new TraceOptions { CoinJoin = policy, Direction = direction, MaxHops = 8 };
            var a = withStored.Run([seed], options);
            var b = detecting.Run([seed], options);
            Assert.Equal(TraceJsonWriter.Serialize(b), TraceJsonWriter.Serialize(a));
            coinJoinEdges += a.Edges.Count(e => e.Rule is TraceRules.CoinJoinStop or TraceRules.CoinJoinHaircut);
        }

        output.WriteLine($"{seeds.Count} seeds, {coinJoinEdges} CoinJoin edges compared");
        Assert.True(coinJoinEdges > 0, "the traces meet CoinJoins");
    }
}
