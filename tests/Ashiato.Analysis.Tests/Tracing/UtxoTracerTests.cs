using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Output;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Core;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>
/// Hand-checked graph (values in sat):
/// <code>
/// cbV: coinbase → V 1000          cbW: coinbase → W 600
/// T1 (theft): cbV:0 → H1 600, H2 390          fee 10
/// T2: T1:0 (H1 600), cbW:0 (W 600) → X 500, Y 690   fee 10
/// T3: T1:1 (H2 390) → E 380                    fee 10   (E: exchange)
/// </code>
/// Forward from T1, 990 sat seeded. Haircut at T2: 600/1200 tainted → X 250, Y 345, fee 5. FIFO at T2: H1 fills X [0,500)
/// and Y's first 100 → X 500, Y 100, fee 0. Poison: X 500, Y 690, fee 10.
/// </summary>
public sealed class UtxoTracerTests : IDisposable
{
    private readonly TinyChain _c = new();

    public UtxoTracerTests()
    {
        _c.Coinbase("cbV", ("V", 1000))
            .Coinbase("cbW", ("W", 600))
            .Tx("T1", ["cbV:0"], [("H1", 600), ("H2", 390)])
            .Tx("T2", ["T1:0", "cbW:0"], [("X", 500), ("Y", 690)])
            .Tx("T3", ["T1:1"], [("E", 380)])
            .Commit();
    }

    public void Dispose() => _c.Dispose();

    private FakeLabels Labels() => new FakeLabels(_c).Add("E", "big-exchange", "exchange", "JP").Add("V", "victim-exchange", "exchange", "SG");

    private TraceResult Forward(TaintModel model, ITraceLabels? labels = null, TraceOptions? options = null, IValuer? valuer = null) =>
        new UtxoTracer(_c.Chain, labels ?? Labels(), valuer).Run([_c.TxSeed("T1")], (options ?? new TraceOptions()) with { Model = model });

    private static long Tainted(TraceResult r, string to, string rule) =>
        r.Edges.Where(e => e.To.EndsWith(":" + to, StringComparison.Ordinal) && e.Rule == rule).Sum(e => (long)(ulong)e.Tainted);

    private static long Fees(TraceResult r) => r.Edges.Where(e => e.Rule == TraceRules.Fee).Sum(e => (long)(ulong)e.Tainted);

    private static void AssertConserved(TraceResult r, long seeded)
    {
        Assert.Equal((ulong)seeded, (ulong)r.Summary.Seeded.Single().Tainted);
        var endpoints = r.Edges.Where(e => TraceSummaryBuilder.IsEndpoint(e.Rule)).Sum(e => (long)(ulong)e.Tainted);
        Assert.Equal(seeded, endpoints);
        Assert.Equal((ulong)seeded, (ulong)r.Summary.ByRule.Aggregate(UInt256.Zero, (s, t) => s + t.Tainted));
    }

    [Fact]
    public void Haircut_splits_in_proportion_and_conserves_exactly()
    {
        var r = Forward(TaintModel.Haircut);
        Assert.Equal(250, Tainted(r, TinyChain.Address("X"), TraceRules.Unspent));
        Assert.Equal(345, Tainted(r, TinyChain.Address("Y"), TraceRules.Unspent));
        Assert.Equal(380, Tainted(r, TinyChain.Address("E"), TraceRules.StopService));
        Assert.Equal(5 + 10, Fees(r));
        AssertConserved(r, 990);
        Assert.False(r.Partial);
        var exchange = r.Summary.ByEntity.Single(t => t.Key == "big-exchange");
        Assert.Equal(380UL, (ulong)exchange.Tainted);
        Assert.Equal(decimal.Round(380m / 990m, 8), exchange.ShareOfSeed);
        Assert.Equal("JP", r.Summary.ByCountry[0].Key == TraceSummaryBuilder.UnknownCountry ? r.Summary.ByCountry[1].Key : r.Summary.ByCountry[0].Key);
    }

    [Fact]
    public void An_otc_broker_is_a_cash_out_point_by_default_and_only_exchanges_when_asked()
    {
        // X (T2's first output) is an OTC broker's address: by default the taint reaching it stops there as at a service
        var labels = Labels().Add("X", "jade-otc", "otc", "HK");
        var r = Forward(TaintModel.Haircut, labels: labels);
        Assert.Equal(250, Tainted(r, TinyChain.Address("X"), TraceRules.StopService));
        Assert.Equal(0, Tainted(r, TinyChain.Address("X"), TraceRules.Unspent));
        Assert.Equal(250UL, (ulong)r.Summary.ByCategory.Single(t => t.Key == "otc").Tainted);
        Assert.Equal(250UL, (ulong)r.Summary.ByCountry.Single(t => t.Key == "HK").Tainted);
        AssertConserved(r, 990);

        // stop categories given explicitly replace the default: exchanges only, the broker's coin is followed (here: unspent)
        var exchangesOnly = Forward(TaintModel.Haircut, labels: labels,
            options: new TraceOptions { StopCategories = new SortedSet<string>(StringComparer.Ordinal) { "exchange" } });
        Assert.Equal(250, Tainted(exchangesOnly, TinyChain.Address("X"), TraceRules.Unspent));
        Assert.Equal(0, Tainted(exchangesOnly, TinyChain.Address("X"), TraceRules.StopService));
        Assert.Equal(["exchange", "otc"], new TraceOptions().StopCategories);
    }

    [Fact]
    public void Fifo_fills_outputs_in_order_and_conserves_exactly()
    {
        var r = Forward(TaintModel.Fifo);
        Assert.Equal(500, Tainted(r, TinyChain.Address("X"), TraceRules.Unspent));
        Assert.Equal(100, Tainted(r, TinyChain.Address("Y"), TraceRules.Unspent));
        Assert.Equal(380, Tainted(r, TinyChain.Address("E"), TraceRules.StopService));
        Assert.Equal(10, Fees(r)); // T2's fee is the tail of its inputs (W's coin): untainted; T3's 10 are tainted
        AssertConserved(r, 990);
    }

    [Fact]
    public void Poison_taints_every_output_wholly()
    {
        var r = Forward(TaintModel.Poison);
        Assert.Equal(500, Tainted(r, TinyChain.Address("X"), TraceRules.Unspent));
        Assert.Equal(690, Tainted(r, TinyChain.Address("Y"), TraceRules.Unspent));
        Assert.Equal(380, Tainted(r, TinyChain.Address("E"), TraceRules.StopService));
        Assert.Equal(20, Fees(r));
        Assert.Equal(990UL, (ulong)r.Summary.Seeded.Single().Tainted);
    }

    [Fact]
    public void Backward_from_the_exchange_deposit_reaches_the_victim()
    {
        foreach (var model in new[] { TaintModel.Haircut, TaintModel.Fifo, TaintModel.Poison })
        {
            var r = new UtxoTracer(_c.Chain, Labels()).Run([_c.Seed(TraceSeedKind.Output, _c.TxId("T3") + ":0")],
                new TraceOptions { Direction = TraceDirection.Backward, Model = model });
            var stop = r.Edges.Single(e => TraceSummaryBuilder.IsEndpoint(e.Rule));
            Assert.Equal(TraceRules.StopService, stop.Rule);
            Assert.EndsWith(TinyChain.Address("V"), stop.From, StringComparison.Ordinal);
            Assert.Equal(model == TaintModel.Poison ? 1000UL : 380UL, (ulong)stop.Tainted);
            Assert.Equal("victim-exchange", r.Summary.ByEntity.Single().Key);
        }
    }

    [Fact]
    public void Backward_haircut_splits_over_inputs_and_ends_at_coinbases()
    {
        var r = new UtxoTracer(_c.Chain, null).Run([_c.Seed(TraceSeedKind.Output, _c.TxId("T2") + ":1")],
            new TraceOptions { Direction = TraceDirection.Backward, Model = TaintModel.Haircut });

        // Y (690) from T2's inputs 600 + 600: 345 each; H1's 345 go back through T1 to V's coinbase
        var coinbase = r.Edges.Where(e => e.Rule == TraceRules.Coinbase).Select(e => (ulong)e.Tainted).Order().ToList();
        Assert.Equal([345UL, 345UL], coinbase);
        AssertConserved(r, 690);
    }

    [Fact]
    public void Remainder_goes_to_the_largest_fractions_then_the_lower_index()
    {
        Assert.Equal([2L, 2, 2, 1], TaintMath.Proportional(7, [3, 3, 3, 1]));
        Assert.Equal([1L, 1, 0], TaintMath.Proportional(2, [1, 1, 1]));
        Assert.Equal([0L, 0], TaintMath.Proportional(5, [0, 0]));
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 9)).Select(_ => (long)random.Next(0, 1_000_000)).ToArray();
            var total = weights.Sum();
            var amount = total == 0 ? 0 : random.NextInt64(0, total + 1);
            var shares = TaintMath.Proportional(amount, weights);
            Assert.Equal(total == 0 ? 0 : amount, shares.Sum());
            Assert.All(shares.Zip(weights), p => Assert.InRange(p.First, 0, p.Second));
        }
    }

    [Fact]
    public void Max_hops_stops_and_says_so()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { MaxHops = 0 });
        Assert.Equal([TraceRules.StopMaxHops, TraceRules.StopMaxHops], r.Edges.Select(e => e.Rule));
        AssertConserved(r, 990);
    }

    [Fact]
    public void Minimum_value_stops_small_flows()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { MinAmount = 391 });
        Assert.Equal(390, Tainted(r, TinyChain.Address("H2"), TraceRules.StopMinValue));
        AssertConserved(r, 990);

        // in fiat: 10 000 USD per coin → 390 sat = 0.039 USD
        var fiat = Forward(TaintModel.Haircut, options: new TraceOptions { MinFiat = 0.04m }, valuer: new FixedPrices());
        Assert.Equal(390, Tainted(fiat, TinyChain.Address("H2"), TraceRules.StopMinValue));
        Assert.Contains(fiat.Edges, e => e.Rule == TraceRules.StopMinValue && e.Detail!.Contains("USD", StringComparison.Ordinal));
    }

    [Fact]
    public void Time_window_stops_at_the_first_transaction_outside_it()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { To = _c.TimeOfBlock(2) });
        Assert.All(r.Edges, e => Assert.Equal(TraceRules.StopTimeWindow, e.Rule));
        Assert.Equal(2, r.Edges.Count);
        AssertConserved(r, 990);
    }

    [Fact]
    public void Max_edges_makes_a_partial_result_and_relabels_what_was_left()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { MaxEdges = 2 });
        Assert.True(r.Partial);
        Assert.Contains("2 edges", r.PartialReason, StringComparison.Ordinal);
        Assert.Equal([TraceRules.StopMaxEdges, TraceRules.StopMaxEdges], r.Edges.Select(e => e.Rule));
        AssertConserved(r, 990);
    }

    [Fact]
    public void Time_budget_gives_a_partial_result_not_a_hang()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { TimeBudget = TimeSpan.Zero });
        Assert.True(r.Partial);
        Assert.All(r.Edges, e => Assert.Equal(TraceRules.StopBudget, e.Rule));
        AssertConserved(r, 990);
    }

    [Fact]
    public void Mixers_stop_and_bridges_are_handed_to_the_cross_chain_step()
    {
        var labels = Labels().Add("Y", "tumbler", "mixer").Add("X", "shore-bridge", "bridge");
        var r = Forward(TaintModel.Haircut, labels);
        Assert.Equal(345, Tainted(r, TinyChain.Address("Y"), TraceRules.MixerStop));
        Assert.Equal(250, Tainted(r, TinyChain.Address("X"), TraceRules.BridgeFollow));
        var off = Forward(TaintModel.Haircut, labels, new TraceOptions { FollowBridges = false, StopAtMixers = false });
        Assert.Equal(250, Tainted(off, TinyChain.Address("X"), TraceRules.BridgeUnpaired));
        Assert.Equal(345, Tainted(off, TinyChain.Address("Y"), TraceRules.Unspent));
    }

    [Fact]
    public void Every_edge_is_valued_in_each_fiat_at_its_block_date()
    {
        var r = Forward(TaintModel.Haircut, options: new TraceOptions { Fiats = ["USD", "JPY"] }, valuer: new FixedPrices());
        var e = r.Edges.First(x => x.To.EndsWith(TinyChain.Address("E"), StringComparison.Ordinal));
        Assert.Equal(["USD", "JPY"], e.Values.Select(v => v.Fiat));
        Assert.Equal(0.038m, e.Values[0].Amount);
        Assert.Equal("2020-01-01", e.Values[0].PriceDate);
        Assert.Equal("test", e.Values[0].Source);
        var seeded = r.Summary.Seeded.Single().Values.Single(v => v.Fiat == "USD");
        Assert.Equal(0.099m, seeded.Amount);
    }

    [Fact]
    public void Seeds_by_address_output_and_amount()
    {
        var tracer = new UtxoTracer(_c.Chain, Labels());
        var byOutput = tracer.Run([_c.Seed(TraceSeedKind.Output, _c.TxId("T1") + ":1")], new TraceOptions());
        AssertConserved(byOutput, 390);
        Assert.Equal(380, Tainted(byOutput, TinyChain.Address("E"), TraceRules.StopService));

        var byAddress = tracer.Run([_c.Seed(TraceSeedKind.Address, TinyChain.Address("H1"))], new TraceOptions());
        AssertConserved(byAddress, 600);

        var limited = tracer.Run([_c.TxSeed("T1") with { Amount = 700 }], new TraceOptions { Model = TaintModel.Fifo });
        AssertConserved(limited, 700);
        Assert.Equal(100, Tainted(limited, TinyChain.Address("H2"), TraceRules.Follow));
    }

    [Fact]
    public void A_tracer_reused_for_other_traces_gives_the_bytes_of_a_fresh_one()
    {
        // a tracer keeps its column view and its run's collections between traces: whatever ran before (another model, the
        // other direction, a trace cut short by max edges) must not show in the next result
        var options = new TraceOptions { Fiats = ["USD", "JPY"] };
        var tracer = new UtxoTracer(_c.Chain, Labels(), new FixedPrices());
        var first = tracer.Run([_c.TxSeed("T1")], options);
        tracer.Run([_c.Seed(TraceSeedKind.Output, _c.TxId("T1") + ":1")], new TraceOptions { Model = TaintModel.Fifo, MaxHops = 1 });
        Assert.True(tracer.Run([_c.TxSeed("T1")], options with { MaxEdges = 1 }).Partial);
        tracer.Run([_c.TxSeed("T1")], options with { Direction = TraceDirection.Backward });
        var again = tracer.Run([_c.TxSeed("T1")], options);
        var fresh = new UtxoTracer(_c.Chain, Labels(), new FixedPrices()).Run([_c.TxSeed("T1")], options);
        Assert.False(first.Partial);
        foreach (var format in TraceOutput.Formats)
        {
            var expected = TraceOutput.Render(fresh, format, "t.out");
            foreach (var other in new[] { first, again })
            {
                var actual = TraceOutput.Render(other, format, "t.out");
                Assert.Equal(expected.Count, actual.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.True(expected[i].Bytes.AsSpan().SequenceEqual(actual[i].Bytes), $"{format} differs");
                }
            }
        }
    }

    [Fact]
    public void Same_input_gives_the_same_bytes_in_every_format()
    {
        foreach (var model in new[] { TaintModel.Haircut, TaintModel.Fifo, TaintModel.Poison })
        {
            var a = Forward(model, options: new TraceOptions { Fiats = ["USD", "JPY"] }, valuer: new FixedPrices());
            var b = Forward(model, options: new TraceOptions { Fiats = ["USD", "JPY"] }, valuer: new FixedPrices());
            foreach (var format in TraceOutput.Formats)
            {
                var fa = TraceOutput.Render(a, format, "t.out");
                var fb = TraceOutput.Render(b, format, "t.out");
                Assert.Equal(fa.Count, fb.Count);
                for (var i = 0; i < fa.Count; i++)
                {
                    Assert.True(fa[i].Bytes.AsSpan().SequenceEqual(fb[i].Bytes), $"{model} {format} differs");
                    Assert.True(fa[i].Bytes.Length > 100);
                }
            }
        }
    }

    [Theory]
    [InlineData(TraceSeedKind.Address, "bcrt1qnotanaddress", "is not a valid bitcoin-regtest address")]
    [InlineData(TraceSeedKind.Address, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "is a bitcoin address; chain 'tiny' is bitcoin-regtest")]
    [InlineData(TraceSeedKind.Address, "0x52908400098527886E0F7030069857D2E4169EE7", "is an EVM address; chain 'tiny' is a Bitcoin-family chain (bitcoin-regtest)")]
    [InlineData(TraceSeedKind.Transaction, "abcd", "is not a transaction id")]
    [InlineData(TraceSeedKind.Transaction, "0000000000000000000000000000000000000000000000000000000000000001", "is not on chain 'tiny'")]
    [InlineData(TraceSeedKind.Output, "nonsense", "is not an output reference")]
    [InlineData(TraceSeedKind.Cluster, "0", "has no clusters")]
    public void Bad_seeds_give_clear_errors_naming_the_value(TraceSeedKind kind, string value, string message)
    {
        var e = Assert.Throws<UserErrorException>(() => new UtxoTracer(_c.Chain, Labels()).Run([_c.Seed(kind, value)], new TraceOptions()));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_address_and_output_index_out_of_range_are_errors()
    {
        var tracer = new UtxoTracer(_c.Chain, Labels());
        var unseen = TinyChain.Address("never-paid");
        Assert.Contains("does not occur", Assert.Throws<UserErrorException>(() => tracer.Run([_c.Seed(TraceSeedKind.Address, unseen)], new TraceOptions())).Message,
            StringComparison.Ordinal);
        var e = Assert.Throws<UserErrorException>(() => tracer.Run([_c.Seed(TraceSeedKind.Output, _c.TxId("T1") + ":7")], new TraceOptions()));
        Assert.Contains("has 2 output(s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("is for chain 'other'", Assert.Throws<UserErrorException>(
            () => tracer.Run([new TraceSeed("other", TraceSeedKind.Transaction, _c.TxId("T1"))], new TraceOptions())).Message, StringComparison.Ordinal);
    }
}
