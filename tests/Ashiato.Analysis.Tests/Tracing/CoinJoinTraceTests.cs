using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Utxo;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>
/// cb: coinbase → P1..P4 1000 each; CJ: P1..P4 → Q1..Q4 990 each (fee 40): four equal outputs from four addresses, which
/// the generic equal-output detector flags. Seed: cb:0 (P1's 1000 sat).
/// </summary>
public sealed class CoinJoinTraceTests : IDisposable
{
    private readonly TinyChain _c = new();

    public CoinJoinTraceTests()
    {
        _c.Coinbase("cb", ("P1", 1000), ("P2", 1000), ("P3", 1000), ("P4", 1000))
            .Tx("CJ", ["cb:0", "cb:1", "cb:2", "cb:3"], [("Q1", 990), ("Q2", 990), ("Q3", 990), ("Q4", 990)])
            .Commit();
    }

    public void Dispose() => _c.Dispose();

    private TraceResult Run(CoinJoinPolicy policy, TaintModel model = TaintModel.Fifo) =>
        new UtxoTracer(_c.Chain).Run([_c.Seed(TraceSeedKind.Output, _c.TxId("cb") + ":0")], new TraceOptions { CoinJoin = policy, Model = model });

    [Fact]
    public void Stop_policy_ends_the_trace_at_the_coinjoin_and_names_it()
    {
        var r = Run(CoinJoinPolicy.Stop);
        var edge = Assert.Single(r.Edges);
        Assert.Equal(TraceRules.CoinJoinStop, edge.Rule);
        Assert.Contains("generic-equal-output", edge.Detail, StringComparison.Ordinal);
        Assert.Contains(_c.TxId("CJ"), edge.Detail, StringComparison.Ordinal);
        Assert.Equal(1000UL, (ulong)edge.Tainted);
    }

    [Theory]
    [InlineData(TaintModel.Fifo)]
    [InlineData(TaintModel.Haircut)]
    [InlineData(TaintModel.Poison)]
    public void Haircut_policy_spreads_the_taint_over_the_mix_outputs_whatever_the_model(TaintModel model)
    {
        var r = Run(CoinJoinPolicy.Haircut, model);
        Assert.Equal(TraceRules.CoinJoinHaircut, r.Edges[0].Rule);

        // 1000 of 4000: 247.5 per output and 10 of the fee; the 2 sat left go to Q1 and Q2 (equal fractions, lower index first)
        var outs = r.Edges.Where(e => e.Rule == TraceRules.Unspent).Select(e => (ulong)e.Tainted).ToList();
        Assert.Equal([248UL, 248UL, 247UL, 247UL], outs);
        Assert.Equal(10UL, (ulong)r.Edges.Single(e => e.Rule == TraceRules.Fee).Tainted);
        Assert.All(r.Edges.Where(e => e.Rule == TraceRules.Unspent), e => Assert.Contains("by haircut", e.Detail, StringComparison.Ordinal));
    }
}
