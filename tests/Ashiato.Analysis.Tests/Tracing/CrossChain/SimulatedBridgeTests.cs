using Ashiato.Analysis.Tests.Tracing.Evm;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.CrossChain;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Tracing.CrossChain;

/// <summary>
/// Bitcoin → bridge → sBTC on the simulated world, with the real chain tracers on both sides: the hackers' deposits to
/// the Shoreline bridge's custody address (the Bitcoin ground truth's bridge endpoints, as an incident would name them)
/// are traced forward by <see cref="UtxoTracer"/>, paired by <see cref="MintingBridgePairer"/> with the sBTC mints, and
/// continued by <see cref="EvmTracer"/>; the EVM endpoints are compared with the simulator's lots of the minted sBTC.
/// </summary>
public sealed class SimulatedBridgeTests(SimulatedEvmTraceWorld world, ITestOutputHelper output) : IClassFixture<SimulatedEvmTraceWorld>
{
    /// <summary>The bridge custody address as the public TagPack names it (<c>tags/services.yaml</c>, category bridge).</summary>
    private string Custody()
    {
        string? last = null;
        foreach (var line in File.ReadLines(Path.Combine(world.Out, "tags", "services.yaml")))
        {
            if (line.StartsWith("- address: ", StringComparison.Ordinal))
            {
                last = line["- address: ".Length..].Trim();
            }
            else if (line.Trim() == "category: defi_bridge" && last is not null)
            {
                return last;
            }
        }

        throw new InvalidOperationException("no bridge custody address in tags/services.yaml");
    }

    private sealed class OneLabel(UtxoChainStore chain, string address, TraceLabel label) : ITraceLabels
    {
        private readonly long _id = AddressCodec.TryParse(chain.Network, address, out var kind, out var payload) ? chain.FindAddress(kind, payload) : -1;

        public TraceLabel? Lookup(long addressId) => addressId == _id ? label : null;

        public long? ClusterOf(long addressId) => null;
    }

    /// <summary>The outpoints (<c>txid:n</c>) the transaction of <paramref name="outpoint"/> spends.</summary>
    private static IEnumerable<string> SpentBy(UtxoChainStore chain, string outpoint)
    {
        var tx = chain.GetTx(chain.FindTx(Core.Hash256.Parse(outpoint[..outpoint.IndexOf(':', StringComparison.Ordinal)])));
        for (var i = 0; i < tx.InputCount; i++)
        {
            var prev = chain.GetInput(tx.FirstInput + i).Prev;
            var funding = chain.GetTx(chain.TxOfOutput(prev));
            yield return $"{funding.TxId}:{prev - funding.FirstOutput}";
        }
    }

    [Fact]
    public void Forward_BitcoinBridgeDeposits_ContinueFromTheirSbtcMints()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, _) = Tracer(btc, evm, labelCustody: true, withSource: false);
        var hops = world.Truth.GetProperty("bridge_hops").EnumerateArray().ToList();
        Assert.NotEmpty(hops);
        // seeded one step before the bridge: the coins each deposit spends (a seed's own output is followed whatever its label)
        var seeds = hops.SelectMany(h => SpentBy(btc, h.GetProperty("btc_outpoint").GetString()!))
            .Distinct(StringComparer.Ordinal)
            .Select(o => new TraceSeed(SimulatedEvmTraceWorld.BtcChain, TraceSeedKind.Output, o)).ToList();
        var options = new TraceOptions
        {
            Model = TaintModel.Fifo,
            MaxHops = 40,
            Fiats = [],
            StopCategories = new SortedSet<string>(StringComparer.Ordinal) { "exchange", "otc" },
            TimeBudget = TimeSpan.FromMinutes(2),
        };

        var r = tracer.Run(seeds, options);

        Assert.False(r.Partial, r.PartialReason);
        foreach (var hop in hops)
        {
            var outpoint = hop.GetProperty("btc_outpoint").GetString()!;
            var txid = outpoint[..outpoint.IndexOf(':', StringComparison.Ordinal)];
            var evmTx = hop.GetProperty("evm_tx").GetString()!;
            var deposit = Assert.Single(r.Edges, e => e.Chain == SimulatedEvmTraceWorld.BtcChain && e.Tx == txid && e.Rule == TraceRules.BridgeFollow);
            Assert.Contains("event", deposit.Detail, StringComparison.Ordinal);
            Assert.Contains("confidence 1", deposit.Detail, StringComparison.Ordinal);
            var continuation = Assert.Single(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.Chain && s.Value.StartsWith(evmTx + ":", StringComparison.Ordinal));
            Assert.Equal(hop.GetProperty("minted").GetString(), continuation.Amount.ToString());
            Assert.Equal(deposit.Hop + 1, continuation.Hop);
            output.WriteLine($"{outpoint} ({hop.GetProperty("btc_amount_sat")} sat) → {continuation.Value} ({continuation.Amount} sBTC units)");
        }

        var truth = world.TruthEndpoints(l => l.GetProperty("origin").GetString() == "bridge_mint");
        var traced = world.TracedEndpoints(r);
        foreach (var key in truth.Keys.Union(traced.Keys).OrderBy(k => k.Asset, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key.Asset} {key.Key}: truth {truth.GetValueOrDefault(key)} traced {traced.GetValueOrDefault(key)}");
        }

        foreach (var asset in truth.Keys.Select(k => k.Asset).Distinct().Order(StringComparer.Ordinal))
        {
            var t = truth.Where(kv => kv.Key.Asset == asset).ToList();
            var o = traced.Where(kv => kv.Key.Asset == asset).ToList();
            var matched = t.Aggregate(System.Numerics.BigInteger.Zero, (s, kv) => s + System.Numerics.BigInteger.Min(kv.Value, traced.GetValueOrDefault(kv.Key)));
            var recall = (double)matched / (double)t.Aggregate(System.Numerics.BigInteger.Zero, (s, kv) => s + kv.Value);
            var precision = (double)matched / (double)o.Aggregate(System.Numerics.BigInteger.One, (s, kv) => s + kv.Value);
            output.WriteLine($"{asset}: recall by value {recall:F4}, precision by value {precision:F4} ({hops.Count} bridge hops)");
            Assert.True(recall >= 0.9 && precision >= 0.99, $"{asset}: recall {recall:F4}, precision {precision:F4}");
        }
    }

    [Fact]
    public void Backward_SbtcMint_ContinuesFromTheBitcoinDepositItsEventNames()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, _) = Tracer(btc, evm, labelCustody: false, withSource: false);
        var hop = world.Truth.GetProperty("bridge_hops").EnumerateArray().First();
        var evmTx = hop.GetProperty("evm_tx").GetString()!;
        var outpoint = hop.GetProperty("btc_outpoint").GetString()!;

        var r = tracer.Run([new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Transaction, evmTx)],
            new TraceOptions { Direction = TraceDirection.Backward, Model = TaintModel.Fifo, MaxHops = 3, Fiats = [], TimeBudget = TimeSpan.FromMinutes(1) });

        var mint = Assert.Single(r.Edges, e => e.Chain == SimulatedEvmTraceWorld.Chain && e.Tx == evmTx);
        Assert.Equal(TraceRules.BridgeFollow, mint.Rule);
        Assert.Contains("event", mint.Detail, StringComparison.Ordinal);
        var continuation = Assert.Single(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.BtcChain);
        Assert.Equal(outpoint[..outpoint.IndexOf(':', StringComparison.Ordinal)], continuation.Value);
        Assert.Equal(TraceSeedKind.Transaction, continuation.Kind);
        Assert.Equal(hop.GetProperty("minted").GetString(), continuation.Amount.ToString());
        Assert.Contains(r.Edges, e => e.Chain == SimulatedEvmTraceWorld.BtcChain);
    }

    /// <summary>The real tracers of both chains and the Shoreline pairer; <paramref name="withSource"/>: the pairer can read the Bitcoin store (the way back).</summary>
    private (CrossChainTracer Tracer, string Token) Tracer(UtxoChainStore btc, Storage.Evm.EvmChainStore evm, bool labelCustody, bool withSource, bool burnEvent = true)
    {
        var custody = Custody();
        var token = world.Contracts.Single(c => c.Entity == "shoreline-bridge" && c.Kind == "token").Address.ToString();
        var bridge = new MintingBridge("shoreline-bridge", SimulatedEvmTraceWorld.BtcChain, new HashSet<string> { custody }, SimulatedEvmTraceWorld.Chain, token)
        {
            BurnEvent = burnEvent ? "BridgeBurn(address,uint256,bytes)" : null,
        };
        ITraceLabels? labels = labelCustody
            ? new OneLabel(btc, custody, new TraceLabel("shoreline-bridge", "Shoreline Bridge custody", "bridge", null, null, "tags/services.yaml"))
            : null;
        var tracer = new CrossChainTracer(
            [new UtxoTracer(btc, labels), new EvmTracer(evm, world.Settings(), world.Labels(evm))],
            [new MintingBridgePairer(bridge, evm, withSource ? btc : null)]);
        return (tracer, token);
    }

    private List<System.Text.Json.JsonElement> Returns() =>
        world.Truth.GetProperty("bridge_returns").EnumerateArray().Where(r => r.GetProperty("btc_release_outpoint").ValueKind != System.Text.Json.JsonValueKind.Null).ToList();

    [Fact]
    public void Forward_SbtcBurns_ContinueFromTheBitcoinReleasesTheirEventsName()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, token) = Tracer(btc, evm, labelCustody: true, withSource: true);
        var returns = Returns();
        Assert.NotEmpty(returns);
        var lots = world.Truth.GetProperty("lots").EnumerateArray().ToList();

        // seeded at each burner's sBTC (what its address received of the token): the burn is its only way out
        var seeds = returns.Select(r => lots[r.GetProperty("evm_lot").GetInt32()].GetProperty("holder").GetString()!)
            .Distinct(StringComparer.Ordinal)
            .Select(a => new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Address, a) { Asset = token }).ToList();
        var r = tracer.Run(seeds, new TraceOptions { Model = TaintModel.Fifo, MaxHops = 40, Fiats = [], TimeBudget = TimeSpan.FromMinutes(2) });

        Assert.False(r.Partial, r.PartialReason);
        foreach (var ret in returns)
        {
            var burnTx = ret.GetProperty("evm_burn_tx").GetString()!;
            var outpoint = ret.GetProperty("btc_release_outpoint").GetString()!;
            // the burn is paired once; when value reaches the burner again by another path in a later round, that edge
            // says the release is already paired instead of following it twice
            var inTx = r.Edges.Where(e => e.Chain == SimulatedEvmTraceWorld.Chain && e.Tx == burnTx).ToList();
            var burn = Assert.Single(inTx, e => e.Rule == TraceRules.BridgeFollow);
            Assert.All(inTx.Where(e => e != burn), e => Assert.Contains("already paired", e.Detail, StringComparison.Ordinal));
            Assert.Contains("names destination " + ret.GetProperty("btc_destination").GetString(), burn.Detail, StringComparison.Ordinal);
            Assert.Contains("confidence 1", burn.Detail, StringComparison.Ordinal);
            var continuation = Assert.Single(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.BtcChain && s.Value == outpoint);
            Assert.Equal(TraceSeedKind.Output, continuation.Kind);
            Assert.Equal(burn.Hop + 1, continuation.Hop);

            // the burner's whole sBTC is tainted: the continuation carries the whole release
            Assert.Equal(burn.Amount, burn.Tainted);
            Assert.Equal(ret.GetProperty("btc_released_sat").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), continuation.Amount.ToString());
            output.WriteLine($"burn {burnTx} ({ret.GetProperty("burned")}) → release {outpoint} ({continuation.Amount} sat)");
        }

        // and the released coins are traced on from there on Bitcoin
        var released = returns.Select(x => x.GetProperty("btc_release_outpoint").GetString()!).ToHashSet(StringComparer.Ordinal);
        var spentOn = r.Edges.Where(e => e.Chain == SimulatedEvmTraceWorld.BtcChain && e.Ref is not null && released.Contains(e.Ref)).Select(e => e.Ref).Distinct().Count();
        output.WriteLine($"{spentOn} of {released.Count} releases traced on into Bitcoin transactions");
        Assert.True(spentOn > 0);
    }

    [Fact]
    public void Backward_BitcoinRelease_ContinuesFromTheBurnItPays()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, token) = Tracer(btc, evm, labelCustody: true, withSource: true);
        foreach (var ret in Returns().Take(5))
        {
            var outpoint = ret.GetProperty("btc_release_outpoint").GetString()!;
            var burnTx = ret.GetProperty("evm_burn_tx").GetString()!;
            var r = tracer.Run([new TraceSeed(SimulatedEvmTraceWorld.BtcChain, TraceSeedKind.Output, outpoint)],
                new TraceOptions { Direction = TraceDirection.Backward, Model = TaintModel.Haircut, MaxHops = 4, Fiats = [], TimeBudget = TimeSpan.FromMinutes(1) });

            var releaseTx = outpoint[..outpoint.IndexOf(':', StringComparison.Ordinal)];
            var custodyEdges = r.Edges.Where(e => e.Chain == SimulatedEvmTraceWorld.BtcChain && e.Tx == releaseTx).ToList();
            Assert.NotEmpty(custodyEdges);
            Assert.All(custodyEdges, e => Assert.Equal(TraceRules.BridgeFollow, e.Rule));
            var continuation = Assert.Single(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.Chain);
            Assert.StartsWith(burnTx + ":", continuation.Value, StringComparison.Ordinal);
            Assert.Equal(token, continuation.Asset);

            // every custody input's share joined the one continuation: together the whole released output
            Assert.Equal(ret.GetProperty("btc_released_sat").GetInt64(), custodyEdges.Aggregate(0L, (s, e) => s + (long)e.Tainted.Low64));
            Assert.Equal(ret.GetProperty("btc_released_sat").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), continuation.Amount.ToString());
            Assert.Contains("names destination " + ret.GetProperty("btc_destination").GetString(), custodyEdges[0].Detail, StringComparison.Ordinal);
            Assert.Contains(r.Edges, e => e.Chain == SimulatedEvmTraceWorld.Chain && e.Tx == burnTx);
            output.WriteLine($"release {outpoint} ← burn {continuation.Value} ({custodyEdges.Count} custody inputs, {r.Edges.Count(e => e.Chain == SimulatedEvmTraceWorld.Chain)} EVM edges)");
        }
    }

    [Fact]
    public void Forward_Burn_WithoutTheSourceStore_StaysUnpairedAndSaysWhy()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, token) = Tracer(btc, evm, labelCustody: false, withSource: false);
        var ret = Returns().First();
        var burnTx = ret.GetProperty("evm_burn_tx").GetString()!;

        var r = tracer.Run([new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Transaction, burnTx) { Asset = token }],
            new TraceOptions { Model = TaintModel.Fifo, MaxHops = 3, Fiats = [] });

        var burn = Assert.Single(r.Edges, e => e.Tx == burnTx);
        Assert.Equal(TraceRules.BridgeUnpaired, burn.Rule);
        Assert.Contains("is not open to find the release", burn.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.BtcChain);
    }

    [Fact]
    public void Forward_Burns_WithoutTheirEvent_ArePairedByAmountAndTime()
    {
        using var dir = StoreDirectory.Open(world.StorePath, create: false);
        using var btc = dir.OpenUtxoChain(SimulatedEvmTraceWorld.BtcChain, null, create: false);
        using var evm = dir.OpenEvmChain(SimulatedEvmTraceWorld.Chain, null, writer: false);
        var (tracer, token) = Tracer(btc, evm, labelCustody: false, withSource: true, burnEvent: false);
        int right = 0, all = 0;
        foreach (var ret in Returns())
        {
            var burnTx = ret.GetProperty("evm_burn_tx").GetString()!;
            var r = tracer.Run([new TraceSeed(SimulatedEvmTraceWorld.Chain, TraceSeedKind.Transaction, burnTx) { Asset = token }],
                new TraceOptions { Model = TaintModel.Fifo, MaxHops = 1, Fiats = [] });
            var burn = Assert.Single(r.Edges, e => e.Tx == burnTx);
            Assert.True(burn.Rule == TraceRules.BridgeFollow, burn.Detail);
            Assert.Contains("amount-time", burn.Detail, StringComparison.Ordinal);
            Assert.Contains("the burn names no destination", burn.Detail, StringComparison.Ordinal);
            var continuation = Assert.Single(r.Seeds, s => s.Chain == SimulatedEvmTraceWorld.BtcChain);
            all++;
            right += continuation.Value == ret.GetProperty("btc_release_outpoint").GetString() ? 1 : 0;
        }

        // the custody pays releases only, each 0.1 % below its burn; a wrong pick is a release of a similar amount nearer in time
        output.WriteLine($"{right} of {all} burns paired with their true release by amount and time alone");
        Assert.True(right * 10 >= all * 9, $"{right} of {all}");
    }
}
