using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Simulation.Evaluation;
using Ashiato.Simulation.Evm;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Tracing.Evm;

/// <summary>
/// A small simulated world whose EVM chain is served by <see cref="SimulatedEvmNode"/> and ingested once. Labels come
/// from what an analyst would have: the contract registry the simulator publishes (<c>evm/chain.json</c>: tokens, pools,
/// the mixer, the bridge's token) and the exchanges' and the OTC desk's EVM hot wallets. The simulator writes no EVM
/// TagPack yet, so those wallets are read from <c>truth/evm-addresses.csv</c> (roles <c>hot</c> and <c>otc</c> only) —
/// the one use of the ground truth outside the evaluation.
/// </summary>
public sealed class SimulatedEvmTraceWorld : IDisposable
{
    public const string Chain = "sim-evm";

    /// <summary>The simulated EVM chain's id (docs/simulation.md).</summary>
    public const long ChainId = 31338;

    /// <summary>The world's Bitcoin-family chain, ingested from its blk files.</summary>
    public const string BtcChain = "sim";

    public SimulatedEvmTraceWorld()
    {
        Simulation.Simulation.Run(7, 3000, Out);
        var node = SimulatedEvmNode.Load(Out);
        node.Start();
        try
        {
#pragma warning disable RS0030 // one client for the whole ingest
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030
            using var store = StoreDirectory.Open(StorePath, create: true);
            var ingestor = new EvmIngestor(store, new EvmNodeSource(new EvmRpcClient(http, node.Url!)), new IngestOptions { CommitInterval = TimeSpan.Zero });
            ingestor.RunAsync(new EvmIngestRequest(Chain, ChainId, 0, null, false, true, TimeSpan.FromMilliseconds(100), 20), null, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        finally
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        using (var store = StoreDirectory.Open(StorePath, create: false))
        {
            new BlockFileIngestor(store, new IngestOptions())
                .RunAsync(Path.Combine(Out, "bitcoin", "blocks"), BtcChain, Chains.Bitcoin.Network.BitcoinRegtest, null, CancellationToken.None).GetAwaiter().GetResult();
        }

        using var info = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Out, "evm", "chain.json")));
        foreach (var c in info.RootElement.GetProperty("contracts").EnumerateArray())
        {
            var address = EvmAddress.Parse(c.GetProperty("address").GetString()!);
            Contracts.Add((address, c.GetProperty("entity").GetString()!, c.GetProperty("kind").GetString()!,
                c.TryGetProperty("symbol", out var s) ? s.GetString() : null));
        }

        foreach (var line in File.ReadLines(Path.Combine(Out, "truth", "evm-addresses.csv")).Skip(1))
        {
            var p = line.Split(',');
            if (p[2] is "hot" or "otc")
            {
                Wallets.Add((EvmAddress.Parse(p[0]), p[1], p[2] == "hot" ? "exchange" : "otc"));
            }
        }

        using var truth = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Out, "truth", "evm-ground-truth.json")));
        Truth = truth.RootElement.Clone();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ashiato-evmtrace-sim-" + Guid.NewGuid().ToString("N"));

    public string Out => Path.Combine(Root, "out");

    public string StorePath => Path.Combine(Root, "store");

    public List<(EvmAddress Address, string Entity, string Kind, string? Symbol)> Contracts { get; } = [];

    public List<(EvmAddress Address, string Entity, string Category)> Wallets { get; } = [];

    public JsonElement Truth { get; }

    public (StoreDirectory Dir, EvmChainStore Chain) Open()
    {
        var dir = StoreDirectory.Open(StorePath, create: false);
        return (dir, dir.OpenEvmChain(Chain, null, writer: false));
    }

    /// <summary>Tracer settings from the published contract registry: the mixer, the bridge's token, the wrapper.</summary>
    public EvmTraceSettings Settings() => new()
    {
        NativeSymbol = "ETH",
        Mixers = Contracts.Where(c => c.Kind == "mixer").Select(c => c.Address).ToHashSet(),
        Wrappers = Contracts.Where(c => c.Kind == "wrapper").Select(c => c.Address).ToHashSet(),
        BridgeTokens = Contracts.Where(c => c.Entity == "shoreline-bridge" && c.Kind == "token").ToDictionary(c => c.Address, c => c.Entity),
    };

    public ITraceLabels Labels(EvmChainStore chain) => new RegistryLabels(chain, this);

    public string Symbol(string asset) =>
        asset == "ETH" ? "ETH" : Contracts.Single(c => c.Address.ToString() == asset).Symbol ?? asset;

    /// <summary>
    /// Where the simulator says each theft's value ended, per (asset symbol, endpoint): <c>exchange:ENTITY</c>,
    /// <c>otc</c>, <c>mixer</c> (a mixer deposit; what the mixer pays out later is a new trail), <c>bridge</c> (sBTC burnt)
    /// and <c>held</c> (still with the hacker), from the lots selected by <paramref name="root"/> down.
    /// </summary>
    public Dictionary<(string Asset, string Key), BigInteger> TruthEndpoints(Func<JsonElement, bool> root)
    {
        var lots = Truth.GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetInt32());
        return EvmTraceScoring.Endpoints(lots, Truth.GetProperty("lots").EnumerateArray().Where(root).Select(l => l.GetProperty("id").GetInt32()));
    }

    /// <summary>The same classification of a trace's endpoint edges on the EVM chain.</summary>
    public Dictionary<(string Asset, string Key), BigInteger> TracedEndpoints(TraceResult r)
    {
        var nodes = r.Nodes.ToDictionary(n => n.Id);
        var result = new Dictionary<(string, string), BigInteger>();
        foreach (var e in r.Edges.Where(e => e.Chain == Chain && TraceSummaryBuilder.IsEndpoint(e.Rule) && e.Rule != TraceRules.Fee && !e.Tainted.IsZero))
        {
            var label = nodes[e.To].Label;
            var k = (Symbol(e.Asset), EvmTraceScoring.Key(e.Rule, label?.Category, label?.Entity));
            result[k] = result.GetValueOrDefault(k) + e.Tainted.ToBigInteger();
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class RegistryLabels : ITraceLabels
    {
        private readonly Dictionary<long, TraceLabel> _labels = [];

        public RegistryLabels(EvmChainStore chain, SimulatedEvmTraceWorld world)
        {
            foreach (var (address, entity, kind, _) in world.Contracts)
            {
                var category = kind switch { "mixer" => "mixer", "pool" => "dex", "token" or "wrapper" => "token", "vault" => "defi", _ => null };
                Add(chain, address, new TraceLabel(entity, entity, category, null, null, "contract registry (evm/chain.json)"));
            }

            foreach (var (address, entity, category) in world.Wallets)
            {
                Add(chain, address, new TraceLabel(entity, entity, category, null, null, "exchange / OTC hot wallet"));
            }
        }

        private void Add(EvmChainStore chain, EvmAddress address, TraceLabel label)
        {
            var id = chain.FindAddress(address);
            if (id >= 0)
            {
                _labels[id] = label;
            }
        }

        public TraceLabel? Lookup(long addressId) => _labels.GetValueOrDefault(addressId);

        public long? ClusterOf(long addressId) => null;
    }
}

public sealed class SimulatedEvmTraceTests(SimulatedEvmTraceWorld world, ITestOutputHelper output) : IClassFixture<SimulatedEvmTraceWorld>
{
    private static readonly IReadOnlySet<string> Stops = new SortedSet<string>(StringComparer.Ordinal) { "exchange", "otc" };

    private Dictionary<(string Asset, string Key), BigInteger> TruthEndpoints(string theft) =>
        world.TruthEndpoints(l => l.GetProperty("theft").GetString() == theft && l.GetProperty("origin").GetString() == "theft");

    private Dictionary<(string Asset, string Key), BigInteger> TracedEndpoints(TraceResult r) => world.TracedEndpoints(r);

    private static TraceOptions Options(TaintModel model) => new()
    {
        Model = model,
        MaxHops = 40,
        Fiats = [],
        StopCategories = Stops,
        TimeBudget = TimeSpan.FromMinutes(2),
    };

    /// <summary>
    /// Every EVM theft of the world traced forward from its theft transactions; the endpoints (per asset and endpoint) are
    /// compared with the simulator's lots. Recall by value = Σ min(truth, traced) / Σ truth, precision = Σ min / Σ traced,
    /// over all (theft, asset, endpoint); gas top-ups are clean, so FIFO should follow the lots almost exactly.
    /// </summary>
    [Theory]
    [InlineData(TaintModel.Fifo, 0.99, 0.99)]
    [InlineData(TaintModel.Poison, 0.99, 0.99)]
    [InlineData(TaintModel.Haircut, 0.99, 0.99)]
    public void Forward_SimulatedThefts_EndpointsMatchGroundTruthByValue(TaintModel model, double minRecall, double minPrecision)
    {
        var (dir, chain) = world.Open();
        using var _ = dir;
        using var __ = chain;
        var tracer = new EvmTracer(chain, world.Settings(), world.Labels(chain));
        var totals = new SortedDictionary<string, (BigInteger Truth, BigInteger Traced, BigInteger Matched)>(StringComparer.Ordinal);
        var thefts = world.Truth.GetProperty("thefts").EnumerateArray().ToList();
        Assert.NotEmpty(thefts);
        foreach (var theft in thefts)
        {
            var id = theft.GetProperty("id").GetString()!;
            var seeds = world.Truth.GetProperty("lots").EnumerateArray()
                .Where(l => l.GetProperty("theft").GetString() == id && l.GetProperty("origin").GetString() == "theft")
                .Select(l => l.GetProperty("tx").GetString()!).Distinct(StringComparer.Ordinal)
                .Select(tx => new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Transaction, tx) { Why = id }).ToList();
            var r = tracer.Run(seeds, Options(model));
            Assert.False(r.Partial, $"{id}: {r.PartialReason}");
            TraceAssert.Conserved(r);
            var truth = TruthEndpoints(id);
            var traced = TracedEndpoints(r);
            foreach (var key in truth.Keys.Union(traced.Keys).OrderBy(k => k.Asset, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal))
            {
                var t = truth.GetValueOrDefault(key);
                var o = traced.GetValueOrDefault(key);
                var (tt, to, tm) = totals.GetValueOrDefault(key.Asset);
                totals[key.Asset] = (tt + t, to + o, tm + BigInteger.Min(t, o));
                output.WriteLine($"{model} {id} {key.Asset} {key.Key}: truth {t} traced {o}");
            }
        }

        // by value per asset (base units of different assets do not add up)
        Assert.Equal(["ETH", "USDT", "sBTC"], totals.Keys);
        foreach (var (asset, (truthTotal, tracedTotal, matched)) in totals)
        {
            var recall = (double)matched / (double)truthTotal;
            var precision = (double)matched / (double)tracedTotal;
            output.WriteLine($"{model} {asset}: recall by value {recall:F4}, precision by value {precision:F4} over {thefts.Count} thefts");
            Assert.True(recall >= minRecall, $"{model} {asset}: recall {recall:F4} < {minRecall}");
            Assert.True(precision >= minPrecision, $"{model} {asset}: precision {precision:F4} < {minPrecision}");
        }
    }

    [Fact]
    public void Forward_SimulatedTheft_SameResultTwice()
    {
        var (dir, chain) = world.Open();
        using var _ = dir;
        using var __ = chain;
        var theft = world.Truth.GetProperty("thefts").EnumerateArray().First();
        var tx = world.Truth.GetProperty("lots").EnumerateArray().First(l => l.GetProperty("theft").GetString() == theft.GetProperty("id").GetString()).GetProperty("tx").GetString()!;
        var seed = new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Transaction, tx);
        static string Text(TraceEdge e) => $"{e.Seq}|{e.Tx}|{e.Ref}|{e.Hop}|{e.From}|{e.To}|{e.Asset}|{e.Tainted}|{e.Rule}|{e.Detail}";
        var a = new EvmTracer(chain, world.Settings(), world.Labels(chain)).Run([seed], Options(TaintModel.Haircut));
        var b = new EvmTracer(chain, world.Settings(), world.Labels(chain)).Run([seed], Options(TaintModel.Haircut));
        Assert.NotEmpty(a.Edges);
        Assert.Equal(a.Edges.Select(Text), b.Edges.Select(Text));
    }
}
