using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using static Ashiato.Analysis.Tests.Tracing.Evm.EvmTraceTestChain;

namespace Ashiato.Analysis.Tests.Tracing.Evm;

public sealed class EvmTracerTests
{
    private static readonly string[] Names = ["z", "s", "a", "b", "c", "d", "p", "pool", "usdt", "weth", "m", "x", "y", "ex", "hub", "(burnt)", "(unknown)", "(minted)"];

    private static string N(string address) => Names.FirstOrDefault(n => A(n).ToString() == address) ?? address;

    private static TraceOptions Opts(TaintModel model, TraceDirection direction = TraceDirection.Forward) =>
        new() { Model = model, Direction = direction, Fiats = [] };

    /// <summary>a holds 150 clean (from z), then receives 50 tainted (from s); pays 160 to b, then 40 to c.</summary>
    private static (EvmTraceTestChain Chain, EvmHash Seed, EvmHash ToB) Basic()
    {
        var c = new EvmTraceTestChain();
        c.Tx(Eth("z", "a", 150));
        c.EndBlock();
        var seed = c.Tx(Eth("s", "a", 50));
        c.EndBlock();
        var toB = c.Tx(Eth("a", "b", 160));
        c.EndBlock();
        c.Tx(Eth("a", "c", 40));
        c.Commit();
        return (c, seed, toB);
    }

    [Theory]
    [InlineData(TaintModel.Haircut, "1 a>b 40/160 follow", "1 a>c 10/40 follow", 40, 10)]
    [InlineData(TaintModel.Fifo, "1 a>b 10/160 follow", "1 a>c 40/40 follow", 10, 40)]
    [InlineData(TaintModel.Poison, "1 a>b 50/160 follow", null, 50, 0)]
    public void Forward_BalanceModels_HandChecked(TaintModel model, string toB, string? toC, ulong heldB, ulong heldC)
    {
        var (chain, seed, _) = Basic();
        using var _ = chain;
        var r = new EvmTracer(chain.Store).Run([Transfer(seed, 0)], Opts(model));
        var lines = TraceAssert.Lines(r, N);
        Assert.Equal("0 s>a 50/50 follow", lines[0]);
        Assert.Contains(toB, lines);
        if (toC is not null)
        {
            Assert.Contains(toC, lines);
        }

        var held = r.Edges.Where(e => e.Rule == TraceRules.Unspent).ToDictionary(e => N(e.To[(EvmTraceTestChain.Name.Length + 1)..]), e => e.Tainted);
        Assert.Equal((UInt256)heldB, held.GetValueOrDefault("b"));
        Assert.Equal((UInt256)heldC, held.GetValueOrDefault("c"));
        Assert.False(held.ContainsKey("a")); // a paid out everything it had
        TraceAssert.Conserved(r);
        Assert.False(r.Partial);
    }

    [Fact]
    public void Forward_Haircut_FloorRemainderStaysTaintedInTheBalance()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("z", "a", 150));
        c.EndBlock();
        var seed = c.Tx(Eth("s", "a", 50));
        c.EndBlock();
        c.Tx(Eth("a", "b", 33)); // 33 × 50 / 200 = 8.25 → 8
        c.EndBlock();
        c.Tx(Eth("a", "c", 100)); // 100 × 42 / 167 = 25.1… → 25
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = TraceAssert.Lines(r, N);
        Assert.Contains("1 a>b 8/33 follow", lines);
        Assert.Contains("1 a>c 25/100 follow", lines);
        Assert.Contains("0 a>a 17/67 end:unspent", lines); // 50 − 8 − 25 held in a balance of 67
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_FeesTakeTaintLikeAnyOutflow()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "a", 100));
        c.EndBlock();
        c.Tx(Eth("a", "b", 60), Burnt("a", 4));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = TraceAssert.Lines(r, N);
        Assert.Contains("1 a>b 60/60 follow", lines);
        Assert.Contains("1 a>(burnt) 4/4 fee", lines);
        Assert.Contains("0 a>a 36/36 end:unspent", lines);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_OutflowBeyondTheStoredBalance_IsCleanOpeningBalance()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "a", 10)); // a also holds 90 from a genesis allocation the transfers do not show
        c.EndBlock();
        c.Tx(Eth("a", "b", 100));
        c.Commit();
        var fifo = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Fifo));
        Assert.Contains("1 a>b 10/100 follow", TraceAssert.Lines(fifo, N));
        var haircut = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        Assert.Contains("1 a>b 10/100 follow", TraceAssert.Lines(haircut, N));
        TraceAssert.Conserved(fifo);
        TraceAssert.Conserved(haircut);
    }

    [Fact]
    public void Forward_SwapEthForToken_FollowsTheAssetChange()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "pool", 10), Token("usdt", "pool", "p", 3000));
        c.EndBlock();
        c.Tx(Token("usdt", "p", "x", 1000));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var lines = TraceAssert.Lines(r, N);
        Assert.Contains("1 p>pool 10/10 swap:follow", lines);
        Assert.Contains("1 pool>p 3000/3000 follow", lines);
        Assert.Contains("2 p>x 1000/1000 follow", lines);
        Assert.Contains("1 p>p 2000/2000 end:unspent", lines);
        Assert.DoesNotContain(r.Edges, e => N(e.To[(EvmTraceTestChain.Name.Length + 1)..]) == "pool" && e.Rule == TraceRules.Unspent);
        var usdt = A("usdt").ToString();
        Assert.All(r.Edges.Where(e => e.Tainted == 3000 || e.Tainted == 1000), e => Assert.Equal(usdt, e.Asset));
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_SwapTokenForEth_PaidBackEarlierInTheTransaction_IsCarriedInProportion()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Token("usdt", "z", "p", 1000)); // clean USDT
        c.EndBlock();
        var seed = c.Tx(Token("usdt", "s", "p", 3000));
        c.EndBlock();
        // the pool's ETH (internal call) is listed before the token payment; 2000 of p's 4000 USDT are sold
        c.Tx(Internal("pool", "p", 8), Token("usdt", "p", "pool", 2000));
        c.EndBlock();
        c.Tx(Eth("p", "y", 8));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0, asset: A("usdt").ToString())], Opts(TaintModel.Haircut));
        var lines = TraceAssert.Lines(r, N);
        Assert.Contains("1 p>pool 1500/2000 swap:follow", lines); // 2000 × 3000 / 4000
        Assert.Contains("1 pool>p 6/8 follow", lines); // 8 × 1500 / 2000
        Assert.Contains("2 p>y 6/8 follow", lines);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_WrapIsASwapOneToOne()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 5));
        c.EndBlock();
        c.Tx(Eth("p", "weth", 5), Of(EvmTransferKind.Wrap, "weth", null, "p", 5));
        c.EndBlock();
        c.Tx(Token("weth", "p", "x", 5));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Fifo));
        var swap = Assert.Single(r.Edges, e => e.Rule == TraceRules.SwapFollow);
        Assert.StartsWith("wrap 1:1", swap.Detail, StringComparison.Ordinal);
        Assert.Contains("1 weth>p 5/5 follow", TraceAssert.Lines(r, N));
        Assert.Contains("2 p>x 5/5 follow", TraceAssert.Lines(r, N));
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_SwapsNotFollowed_TaintEntersThePool()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "pool", 10), Token("usdt", "pool", "p", 3000));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut) with { FollowSwaps = false });
        Assert.Contains("1 p>pool 10/10 follow", TraceAssert.Lines(r, N));
        Assert.DoesNotContain(r.Edges, e => e.Rule == TraceRules.SwapFollow);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_MixerAndServiceStop_AndAreFlagged()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "m", 4));
        c.Tx(Eth("p", "ex", 6));
        c.EndBlock();
        c.Tx(Internal("m", "y", 4)); // the mixer pays out: not followed
        c.Tx(Eth("ex", "x", 6)); // the exchange pays out: not followed
        c.Commit();
        var settings = new EvmTraceSettings { Mixers = new HashSet<EvmAddress> { A("m") } };
        var labels = new FakeLabels(c.Store, ("ex", "some-exchange", "exchange"));
        var r = new EvmTracer(c.Store, settings, labels).Run([Transfer(seed, 0)], Opts(TaintModel.Poison));
        var lines = TraceAssert.Lines(r, N);
        Assert.Contains("1 p>m 4/4 mixer:stop", lines);
        Assert.Contains("1 p>ex 6/6 stop:service", lines);
        Assert.DoesNotContain(r.Edges, e => e.To.EndsWith(A("y").ToString(), StringComparison.Ordinal) || e.To.EndsWith(A("x").ToString(), StringComparison.Ordinal));
        Assert.Equal("some-exchange", r.Nodes.Single(n => n.Address == A("ex").ToString()).Label?.Entity);
        Assert.Equal((UInt256)6, r.Summary.ByCategory.Single(t => t.Key == "exchange").Tainted);
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_MaxHops_MinValue_TimeWindow_Stop()
    {
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "a", 100));
        c.EndBlock();
        c.Tx(Eth("a", "b", 99), Eth("a", "x", 1));
        c.EndBlock();
        c.Tx(Eth("b", "c", 99));
        c.EndBlock();
        c.Tx(Eth("c", "d", 99));
        c.Commit();
        var hops = new EvmTracer(c.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Fifo) with { MaxHops = 2, MinAmount = 5 });
        var lines = TraceAssert.Lines(hops, N);
        Assert.Contains("1 a>b 99/99 follow", lines);
        Assert.Contains("1 a>x 1/1 stop:min-value", lines);
        Assert.Contains("2 b>c 99/99 follow", lines);
        Assert.Contains("3 c>d 99/99 stop:max-hops", lines);
        TraceAssert.Conserved(hops);

        var window = new EvmTracer(c.Store).Run([Transfer(seed, 0)],
            Opts(TaintModel.Fifo) with { To = DateTimeOffset.FromUnixTimeSeconds(Start + (3 * 86_400)) });
        Assert.Contains("3 c>d 99/99 stop:time-window", TraceAssert.Lines(window, N));
        TraceAssert.Conserved(window);
    }

    [Fact]
    public void Forward_HighDegreeAddress_IsNotEntered_AndEdgeLimitGivesAPartialConservedResult()
    {
        using var c = new EvmTraceTestChain();
        for (var i = 0; i < 30; i++)
        {
            c.Tx(Eth("z", "hub", 10));
            c.Tx(Eth("hub", "x" + i, 5));
        }

        c.EndBlock();
        var seed = c.Tx(Eth("s", "hub", 50), Eth("s", "a", 50));
        c.EndBlock();
        for (var i = 0; i < 20; i++)
        {
            c.Tx(Eth("hub", "y" + i, 2));
            c.Tx(Eth("a", "b" + i, 2));
        }

        c.Commit();
        var settings = new EvmTraceSettings { MaxPostingsPerAddress = 50 };
        var r = new EvmTracer(c.Store, settings).Run([new TraceSeed(Name, TraceSeedKind.Transaction, seed.ToString())], Opts(TaintModel.Poison));
        Assert.Contains("0 s>hub 50/50 stop:high-degree", TraceAssert.Lines(r, N));
        Assert.Equal(20, r.Edges.Count(e => e.From.EndsWith(A("a").ToString(), StringComparison.Ordinal) && e.Rule == TraceRules.Follow));
        TraceAssert.Conserved(r);

        var cut = new EvmTracer(c.Store, settings).Run([new TraceSeed(Name, TraceSeedKind.Transaction, seed.ToString())], Opts(TaintModel.Poison) with { MaxEdges = 6 });
        Assert.True(cut.Partial);
        Assert.Contains("max edges", cut.PartialReason, StringComparison.Ordinal);
        Assert.Contains(cut.Edges, e => e.Rule == TraceRules.StopMaxEdges && e.Tainted == 50 - 8);
        TraceAssert.Conserved(cut);

        var budget = new EvmTracer(c.Store).Run([new TraceSeed(Name, TraceSeedKind.Transaction, seed.ToString())], Opts(TaintModel.Poison) with { TimeBudget = TimeSpan.Zero });
        Assert.True(budget.Partial);
        Assert.Equal(TraceRules.StopBudget, budget.Edges[^1].Rule);
        TraceAssert.Conserved(budget);
    }

    [Fact]
    public void Forward_AddressSeed_TaintsItsInflowsUpToTheAmount()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("z", "a", 30));
        c.EndBlock();
        c.Tx(Eth("y", "a", 30));
        c.EndBlock();
        c.Tx(Eth("a", "b", 60));
        c.Commit();
        var seed = new TraceSeed(Name, TraceSeedKind.Address, A("a").ToString()) { Amount = 45 };
        var r = new EvmTracer(c.Store).Run([seed], Opts(TaintModel.Fifo));
        Assert.Equal(["1 a>b 45/60 follow", "1 b>b 45/60 end:unspent"], TraceAssert.Lines(r, N));
        Assert.Equal(45UL, r.Summary.Seeded.Single().Tainted.Low64);
        TraceAssert.Conserved(r);
    }

    /// <summary>A price of 2 USD per whole coin, dated by the day (handwritten fake).</summary>
    private sealed class TwoDollars : IValuer
    {
        public FiatValue? Value(string asset, System.Numerics.BigInteger baseUnits, int decimals, DateTimeOffset time, string fiat) =>
            asset == "ETH" && fiat == "USD"
                ? new FiatValue((decimal)baseUnits / 1_000_000_000_000_000_000m * 2m, fiat, asset, 2m, time.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "test")
                : null;
    }

    [Fact]
    public void Forward_EdgesAreValuedAtBlockTime_AndMinFiatStops()
    {
        const ulong Eth1 = 1_000_000_000_000_000_000;
        using var c = new EvmTraceTestChain();
        var seed = c.Tx(Eth("s", "a", 3 * Eth1));
        c.EndBlock();
        c.Tx(Eth("a", "b", 2 * Eth1));
        c.Tx(Eth("a", "x", Eth1 / 2));
        c.Commit();
        var opts = Opts(TaintModel.Fifo) with { Fiats = ["USD", "JPY"], MinFiat = 3m };
        var r = new EvmTracer(c.Store, valuer: new TwoDollars()).Run([Transfer(seed, 0)], opts);
        var toB = r.Edges.Single(e => e.To.EndsWith(A("b").ToString(), StringComparison.Ordinal) && e.Rule == TraceRules.Follow);
        var usd = Assert.Single(toB.Values); // no JPY price: absent, never zero
        Assert.Equal(4m, usd.Amount);
        Assert.Equal("test", usd.Source);
        Assert.Equal(toB.Time.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), usd.PriceDate);
        Assert.Contains("1 a>x 500000000000000000/500000000000000000 stop:min-value", TraceAssert.Lines(r, N));
        Assert.Equal(1m + 4m + 1m, r.Summary.ByRule.Sum(t => t.Values.Where(v => v.Fiat == "USD").Sum(v => v.Amount)));
        TraceAssert.Conserved(r);
    }

    [Fact]
    public void Forward_SameInput_SameOutput()
    {
        var (chain, seed, _) = Basic();
        using var _ = chain;
        var a = new EvmTracer(chain.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        var b = new EvmTracer(chain.Store).Run([Transfer(seed, 0)], Opts(TaintModel.Haircut));
        static string Text(TraceEdge e) =>
            $"{e.Seq}|{e.Tx}|{e.Ref}|{e.Hop}|{e.From}|{e.To}|{e.Asset}|{e.Amount}|{e.Tainted}|{e.TaintShare}|{e.Time:O}|{e.Rule}|{e.Detail}";
        Assert.Equal(a.Edges.Select(Text), b.Edges.Select(Text));
        Assert.Equal(a.Nodes, b.Nodes);
        Assert.Equal(5, a.Edges.Count);
        Assert.Equal(Enumerable.Range(1, a.Edges.Count).Select(i => (long)i), a.Edges.Select(e => e.Seq));
    }

    [Theory]
    [InlineData(TaintModel.Fifo, "1 z>a 150/150 follow", "1 s>a 10/50 follow")]
    [InlineData(TaintModel.Haircut, "1 z>a 120/150 follow", "1 s>a 40/50 follow")]
    [InlineData(TaintModel.Poison, "1 z>a 150/150 follow", "1 s>a 50/50 follow")]
    public void Backward_SourcesOfAnOutflow_HandChecked(TaintModel model, string fromZ, string fromS)
    {
        var (chain, _, toB) = Basic();
        using var _ = chain;
        var r = new EvmTracer(chain.Store).Run([Transfer(toB, 0)], Opts(model, TraceDirection.Backward));
        var lines = TraceAssert.Lines(r, N);
        Assert.Equal("0 a>b 160/160 follow", lines[0]);
        Assert.Contains(fromZ, lines);
        Assert.Contains(fromS, lines);
        Assert.Equal(3 + 2, lines.Count); // z and s have no inflows: their payments are from the opening balance
        Assert.Equal(2, r.Edges.Count(e => e.Rule == TraceRules.EndOpeningBalance));
    }

    /// <summary>
    /// a receives 100 from z, pays 50 to c (half of every lot leaves), receives 50 from s, then pays 100 to b: under haircut
    /// b's 100 is half z's remaining 50 and half s's 50 — not z's original 100 (which, with s's 50, would assign 150 of 100).
    /// </summary>
    [Theory]
    [InlineData(TaintModel.Haircut, "1 z>a 50/100 follow", "1 s>a 50/50 follow")]
    [InlineData(TaintModel.Fifo, "1 z>a 50/100 follow", "1 s>a 50/50 follow")]
    [InlineData(TaintModel.Poison, "1 z>a 100/100 follow", "1 s>a 50/50 follow")]
    public void Backward_AfterAPartialOutflow_LotsKeepTheirShareOfTheRemainingBalance(TaintModel model, string fromZ, string fromS)
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("z", "a", 100));
        c.EndBlock();
        c.Tx(Eth("a", "c", 50));
        c.EndBlock();
        c.Tx(Eth("s", "a", 50));
        c.EndBlock();
        var toB = c.Tx(Eth("a", "b", 100));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(toB, 0)], Opts(model, TraceDirection.Backward));
        var lines = TraceAssert.Lines(r, N);
        Assert.Equal("0 a>b 100/100 follow", lines[0]);
        Assert.Contains(fromZ, lines);
        Assert.Contains(fromS, lines);
        if (model != TaintModel.Poison)
        {
            // conservation: the sources of the traced outflow add up to it exactly
            Assert.Equal(100UL, r.Edges.Where(e => e.Hop == 1).Select(e => ulong.Parse(e.Tainted.ToString(), System.Globalization.CultureInfo.InvariantCulture)).Aggregate(0UL, (x, y) => x + y));
        }
    }

    [Fact]
    public void Backward_SwapLegIsFollowedToWhatWasPaid()
    {
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        var swap = c.Tx(Eth("p", "pool", 10), Token("usdt", "pool", "p", 3000));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([Transfer(swap, 1)], Opts(TaintModel.Fifo, TraceDirection.Backward));
        var lines = TraceAssert.Lines(r, N);
        Assert.Equal("0 pool>p 3000/3000 swap:follow", lines[0]);
        Assert.Contains("0 p>pool 10/10 follow", lines);
        Assert.Contains("1 s>p 10/10 follow", lines);
    }

    [Fact]
    public void Backward_AddressSeed_DoesNotSeedWhatItsOwnSwapPaidBack()
    {
        // s pays p 10 ETH; p swaps them for 3000 USDT at the pool. Seeded backward at p (every asset), the USDT came from p's
        // own ETH, which is seeded itself: s's 10 ETH are the only source, counted once.
        using var c = new EvmTraceTestChain();
        c.Tx(Eth("s", "p", 10));
        c.EndBlock();
        c.Tx(Eth("p", "pool", 10), Token("usdt", "pool", "p", 3000));
        c.Commit();
        var r = new EvmTracer(c.Store).Run([new TraceSeed(Name, TraceSeedKind.Address, A("p").ToString())], Opts(TaintModel.Fifo, TraceDirection.Backward));
        var lines = TraceAssert.Lines(r, N);
        Assert.Equal(["0 s>p 10/10 follow"], lines.Where(l => l.Contains("s>p", StringComparison.Ordinal)).ToList());
        Assert.DoesNotContain(lines, l => l.Contains("pool>p", StringComparison.Ordinal));
        Assert.Equal("10", Assert.Single(r.Summary.Seeded, x => !x.Tainted.IsZero).Tainted.ToString());

        // seeded in USDT alone, the swap proceeds are the seed and are followed back to the ETH paid
        var usdt = new EvmTracer(c.Store).Run([new TraceSeed(Name, TraceSeedKind.Address, A("p").ToString()) { Asset = A("usdt").ToString() }], Opts(TaintModel.Fifo, TraceDirection.Backward));
        Assert.Contains("0 pool>p 3000/3000 swap:follow", TraceAssert.Lines(usdt, N));
    }

    [Fact]
    public void BadSeeds_GiveLocatedErrors()
    {
        var (chain, seed, _) = Basic();
        using var _ = chain;
        var tracer = new EvmTracer(chain.Store);
        var other = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed("bitcoin", TraceSeedKind.Address, "x")], Opts(TaintModel.Fifo)));
        Assert.Contains("seed 1", other.Message, StringComparison.Ordinal);
        var badTx = Assert.Throws<UserErrorException>(() => tracer.Run([Transfer(seed, 0), new TraceSeed(Name, TraceSeedKind.Transaction, "0x12")], Opts(TaintModel.Fifo)));
        Assert.Contains("seed 2", badTx.Message, StringComparison.Ordinal);
        Assert.Contains("not a transaction hash", badTx.Message, StringComparison.Ordinal);
        var badPos = Assert.Throws<UserErrorException>(() => tracer.Run([Transfer(seed, 7)], Opts(TaintModel.Fifo)));
        Assert.Contains("no transfer at position 7", badPos.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed(Name, TraceSeedKind.Address, A("nobody").ToString())], Opts(TaintModel.Fifo)));
        Assert.Contains("is not on chain", unknown.Message, StringComparison.Ordinal);
        var notEvm = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed(Name, TraceSeedKind.Address, "0x12")], Opts(TaintModel.Fifo)));
        Assert.Contains("seed 1 (Address '0x12'): not an EVM address (0x + 40 hex digits)", notEvm.Message, StringComparison.Ordinal);
        var bitcoin = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed(Name, TraceSeedKind.Address, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")], Opts(TaintModel.Fifo)));
        Assert.Contains("a bitcoin address; chain '" + Name + "' is an EVM chain", bitcoin.Message, StringComparison.Ordinal);
        var noClusters = Assert.Throws<UserErrorException>(() => tracer.Run([new TraceSeed(Name, TraceSeedKind.Cluster, "1")], Opts(TaintModel.Fifo)));
        Assert.Contains("has no clusters: run 'ashiato cluster --chain", noClusters.Message, StringComparison.Ordinal);
    }
}
