using Ashiato.Analysis.Tests.Tracing.Evm;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.CrossChain;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using static Ashiato.Analysis.Tests.Tracing.Evm.EvmTraceTestChain;

namespace Ashiato.Analysis.Tests.Tracing.CrossChain;

/// <summary>
/// A handwritten stand-in for a UTXO chain tracer: for each seed it returns the edges registered for the seed's value,
/// with the taint scaled to the seed's amount, and records the seeds it was given.
/// </summary>
internal sealed class FakeChainTracer(string chain) : IChainTracer
{
    private readonly Dictionary<string, List<(TraceEdge Edge, TraceNode To)>> _edges = [];

    public string Chain { get; } = chain;

    public List<TraceSeed> Calls { get; } = [];

    public void On(string seedValue, TraceEdge edge, TraceNode to)
    {
        if (!_edges.TryGetValue(seedValue, out var list))
        {
            _edges[seedValue] = list = [];
        }

        list.Add((edge, to));
    }

    public TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken cancellationToken = default)
    {
        Calls.AddRange(seeds);
        var edges = new List<TraceEdge>();
        var nodes = new SortedDictionary<string, TraceNode>(StringComparer.Ordinal);
        var summary = new TraceSummaryBuilder();
        foreach (var s in seeds)
        {
            foreach (var (e, to) in _edges.GetValueOrDefault(s.Value) ?? [])
            {
                edges.Add(e with { Seq = edges.Count + 1, Hop = e.Hop + s.Hop });
                nodes.TryAdd(e.From, new TraceNode(e.From, Chain, e.From[(Chain.Length + 1)..], null, null));
                nodes[to.Id] = to;
                summary.AddSeeded(Chain, e.Asset, e.Tainted);
            }
        }

        var list = nodes.Values.ToList();
        return new TraceResult(seeds, options, list, edges, summary.Build(list, edges), false, null, [], edges.Count);
    }
}

public sealed class CrossChainTracerTests
{
    private const string Btc = "sim-btc";
    private const string Custody = "bcrt1qcustody";
    private static readonly string DepositTx = new('d', 64);
    private static readonly string OtherTx = new('e', 64);

    private static TraceEdge BtcEdge(string tx, ulong amount, long time, string rule = TraceRules.StopService) =>
        new(0, Btc, tx, $"{tx}:0", 1, $"{Btc}:bcrt1qthief", $"{Btc}:{Custody}", "BTC", amount, amount, 1m,
            DateTimeOffset.FromUnixTimeSeconds(time), rule, "bridge custody", []);

    private static readonly TraceNode CustodyNode = new($"{Btc}:{Custody}", Btc, Custody, null,
        new TraceLabel("shoreline-bridge", "Shoreline Bridge custody", "bridge", "ZZ", null, "tagpack"));

    /// <summary>
    /// The UTXO side (a fake) reaches the bridge custody address twice; the EVM chain has one sBTC mint 1 day later for the
    /// first deposit (amount − 0.1 %), which the hacker then moves on.
    /// </summary>
    [Fact]
    public void Forward_DepositToBridgeCustody_ContinuesFromTheMintOnTheEvmChain()
    {
        using var c = new EvmTraceTestChain();
        c.EndBlock(); // block 1
        c.Tx(Of(EvmTransferKind.Erc20, "sbtc", null, "h", 99_900)); // block 2: the mint, 1 day after the deposit
        c.EndBlock();
        c.Tx(Token("sbtc", "h", "x", 50_000));
        c.Commit();
        var btc = new FakeChainTracer(Btc);
        btc.On("theft", BtcEdge(DepositTx, 100_000, Start + 86_400), CustodyNode);
        btc.On("theft", BtcEdge(OtherTx, 7_000, Start + 86_400), CustodyNode);
        var bridge = new MintingBridge("shoreline-bridge", Btc, new HashSet<string> { Custody }, Name, A("sbtc").ToString());
        var evm = new EvmTracer(c.Store, new EvmTraceSettings { BridgeTokens = new Dictionary<EvmAddress, string> { [A("sbtc")] = "shoreline-bridge" } });
        var tracer = new CrossChainTracer([btc, evm], [new MintingBridgePairer(bridge, c.Store)]);

        var r = tracer.Run([new TraceSeed(Btc, TraceSeedKind.Output, "theft")], new TraceOptions { Model = TaintModel.Fifo, Fiats = [] });

        var paired = r.Edges.Single(e => e.Tx == DepositTx);
        Assert.Equal(TraceRules.BridgeFollow, paired.Rule);
        Assert.Contains("amount-time", paired.Detail, StringComparison.Ordinal);
        Assert.Contains("confidence 0.8", paired.Detail, StringComparison.Ordinal);
        var unpaired = r.Edges.Single(e => e.Tx == OtherTx);
        Assert.Equal(TraceRules.BridgeUnpaired, unpaired.Rule);
        Assert.Contains("no shoreline-bridge mint", unpaired.Detail, StringComparison.Ordinal);

        var continuation = Assert.Single(r.Seeds, s => s.Chain == Name);
        Assert.Equal(2, continuation.Hop);
        Assert.Equal((UInt256)99_900, continuation.Amount);
        var evmLines = TraceAssert.Lines(new TraceResult(r.Seeds, r.Options, r.Nodes, r.Edges.Where(e => e.Chain == Name).ToList(), r.Summary, false, null, [], 0), a => a == A("h").ToString() ? "h" : a == A("x").ToString() ? "x" : a);
        Assert.Equal(["2 (minted)>h 99900/99900 follow", "3 h>x 50000/50000 follow", "2 h>h 49900/49900 end:unspent", "3 x>x 50000/50000 end:unspent"], evmLines);
        Assert.Equal(Enumerable.Range(1, r.Edges.Count).Select(i => (long)i), r.Edges.Select(e => e.Seq));
        Assert.Equal([Btc, Btc, Name, Name, Name, Name], r.Edges.Select(e => e.Chain));
        Assert.Contains(r.Summary.Seeded, s => s.Chain == Name && s.Tainted == 99_900);
        Assert.Equal(TraceRules.BridgeFollow, r.Summary.ByRule.Single(t => t.Chain == Btc && t.Key == TraceRules.BridgeFollow).Key);
        Assert.Single(btc.Calls);
    }

    [Fact]
    public void Forward_TaintedShareOfTheDepositIsCarriedAcross()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Of(EvmTransferKind.Erc20, "sbtc", null, "h", 9_990));
        c.Commit();
        var btc = new FakeChainTracer(Btc);
        btc.On("theft", BtcEdge(DepositTx, 10_000, Start) with { Tainted = 2_500, TaintShare = 0.25m }, CustodyNode);
        var bridge = new MintingBridge("shoreline-bridge", Btc, new HashSet<string> { Custody }, Name, A("sbtc").ToString());
        var r = new CrossChainTracer([btc, new EvmTracer(c.Store)], [new MintingBridgePairer(bridge, c.Store)])
            .Run([new TraceSeed(Btc, TraceSeedKind.Output, "theft")], new TraceOptions { Fiats = [] });
        Assert.Equal((UInt256)2_497, r.Seeds.Single(s => s.Chain == Name).Amount); // floor(9990 × 2500 / 10000)
        TraceAssert.Conserved(new TraceResult(r.Seeds, r.Options, r.Nodes, r.Edges.Where(e => e.Chain == Name).ToList(),
            new TraceSummaryBuilder().AddSeeded(Name, A("sbtc").ToString(), 2_497).Build(r.Nodes, r.Edges), false, null, [], 0));
    }

    [Fact]
    public void BridgeEdgesWithoutAPairer_AreMarkedUnpaired_AndSeedsOfUnknownChainsAreRefused()
    {
        var btc = new FakeChainTracer(Btc);
        btc.On("theft", BtcEdge(DepositTx, 10_000, Start, TraceRules.BridgeFollow), CustodyNode);
        var tracer = new CrossChainTracer([btc]);
        var r = tracer.Run([new TraceSeed(Btc, TraceSeedKind.Output, "theft")], new TraceOptions { Fiats = [] });
        Assert.Equal(TraceRules.BridgeUnpaired, r.Edges.Single().Rule);
        var e = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed("nowhere", TraceSeedKind.Address, "x")], new TraceOptions()));
        Assert.Contains("seed 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("no tracer", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CrossChainTracer([btc, new FakeChainTracer(Btc)]));
    }

    [Fact]
    public void Forward_FollowedIntoCustodyByTheChainTracer_IsNotPairedTwice()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Of(EvmTransferKind.Erc20, "sbtc", null, "h", 9_990));
        c.Commit();
        var btc = new FakeChainTracer(Btc);
        btc.On("theft", BtcEdge(DepositTx, 10_000, Start, TraceRules.Follow), CustodyNode);
        var bridge = new MintingBridge("shoreline-bridge", Btc, new HashSet<string> { Custody }, Name, A("sbtc").ToString());
        var r = new CrossChainTracer([btc, new EvmTracer(c.Store)], [new MintingBridgePairer(bridge, c.Store)])
            .Run([new TraceSeed(Btc, TraceSeedKind.Output, "theft")], new TraceOptions { Fiats = [] });
        Assert.Equal(TraceRules.Follow, r.Edges.Single().Rule);
        Assert.Contains(r.Warnings, w => w.Contains("not paired", StringComparison.Ordinal));
    }
}
