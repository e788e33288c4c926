using Ashiato.Analysis.CoinJoin;
using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Analysis.Tests;

public sealed class CoinJoinDetectorTests
{
    private const ScriptType Wpkh = ScriptType.WitnessV0KeyHash;
    private uint _next = 1;

    private InputFact In(long value, ScriptType type = Wpkh) => new(_next++, value, type);

    private OutputFact Out(long value, ScriptType type = Wpkh) => new(_next++, value, type);

    private TxFacts Tx(IEnumerable<InputFact> inputs, IEnumerable<OutputFact> outputs) => TxFacts.Build(inputs, outputs);

    private static CoinJoinKind Kind(TxFacts tx) => CoinJoinDetectors.Detect(tx)?.Kind ?? CoinJoinKind.None;

    [Fact]
    public void Whirlpool_mix_five_premix_or_postmix_inputs_into_five_pool_outputs()
    {
        foreach (var pool in CoinJoinDetectors.WhirlpoolPools)
        {
            var tx = Tx([In(pool + 1_200), In(pool + 1_200), In(pool), In(pool), In(pool + 900)], Enumerable.Range(0, 5).Select(_ => Out(pool)));
            var m = CoinJoinDetectors.Detect(tx)!;
            Assert.Equal(CoinJoinKind.WhirlpoolMix, m.Kind);
            Assert.True(m.IsMix);
            Assert.True(m.Confidence > 0.95);
        }
    }

    [Fact]
    public void A_batched_withdrawal_with_equal_round_amounts_is_not_whirlpool_nor_a_coinjoin()
    {
        // one hot-wallet input, five customers withdrawing 0.01 BTC, change back
        var batch = Tx([In(120_000_000)], [.. Enumerable.Range(0, 5).Select(_ => Out(1_000_000)), Out(114_990_000)]);
        Assert.Equal(CoinJoinKind.None, Kind(batch));

        // five inputs of an exchange consolidating and paying five equal outputs, but the inputs are not near the pool value
        var consolidation = Tx([In(30_000_000), In(2_000_000), In(7_000_000), In(1_500_000), In(9_000_000)], Enumerable.Range(0, 5).Select(_ => Out(1_000_000)));
        Assert.NotEqual(CoinJoinKind.WhirlpoolMix, Kind(consolidation));

        // two equal outputs are a payment and its lookalike, not a CoinJoin
        Assert.Equal(CoinJoinKind.None, Kind(Tx([In(5_000_000), In(3_000_000)], [Out(2_000_000), Out(2_000_000), Out(3_990_000)])));
    }

    [Fact]
    public void Whirlpool_tx0_premix_outputs_and_pool_fee()
    {
        var pool = 5_000_000L;
        var tx = Tx([In(20_000_000)], [Out(pool + 1_500), Out(pool + 1_500), Out(pool + 1_500), Out(pool * 5 / 100), Out(0, ScriptType.NullData), Out(4_745_000)]);
        var m = CoinJoinDetectors.Detect(tx)!;
        Assert.Equal(CoinJoinKind.WhirlpoolTx0, m.Kind);
        Assert.False(m.IsMix);

        // premix-like outputs without the fee output or OP_RETURN: an ordinary payment
        Assert.Equal(CoinJoinKind.None, Kind(Tx([In(20_000_000)], [Out(pool + 1_500), Out(14_990_000)])));
    }

    [Fact]
    public void Wasabi1_many_equal_outputs_near_a_tenth_of_a_bitcoin_with_coordinator_fee_and_change()
    {
        var denom = 10_013_000L;
        var inputs = Enumerable.Range(0, 40).Select(i => In(12_000_000 + (i * 7_919))).ToList();
        var outputs = Enumerable.Range(0, 35).Select(_ => Out(denom)).Concat([Out(denom * 2), Out(denom * 2)])
            .Concat(Enumerable.Range(0, 30).Select(i => Out(1_500_000 + (i * 1_013)))).Append(Out(1_050_000)).ToList();
        var m = CoinJoinDetectors.Detect(Tx(inputs, outputs))!;
        Assert.Equal(CoinJoinKind.Wasabi1, m.Kind);
        Assert.True(m.IsMix);

        // 10 equal outputs of 0.1 BTC from a single input is an exchange paying ten customers
        Assert.Equal(CoinJoinKind.None, Kind(Tx([In(200_000_000)], [.. Enumerable.Range(0, 10).Select(_ => Out(10_000_000)), Out(99_000_000)])));
    }

    [Fact]
    public void WabiSabi_standard_denominations()
    {
        long[] denoms = [5_000, 6_561, 10_000, 13_122, 16_384, 20_000, 50_000, 59_049, 100_000, 131_072, 200_000, 1_000_000, 1_048_576, 2_000_000];
        var outputs = denoms.SelectMany(d => new[] { Out(d), Out(d), Out(d) }).Append(Out(123_457)).Append(Out(77_701)).ToList();
        var inputs = Enumerable.Range(0, 30).Select(i => In(400_000 + (i * 3_331))).ToList();
        Assert.Equal(CoinJoinKind.WabiSabi, Kind(Tx(inputs, outputs)));
        Assert.True(CoinJoinDetectors.IsStandardDenomination(1_048_576));
        Assert.True(CoinJoinDetectors.IsStandardDenomination(2 * 59_049));
        Assert.False(CoinJoinDetectors.IsStandardDenomination(4_096));
        Assert.False(CoinJoinDetectors.IsStandardDenomination(123_456));
    }

    [Fact]
    public void JoinMarket_n_equal_outputs_and_n_minus_one_to_n_changes()
    {
        var cj = 13_371_337L;
        var tx = Tx([In(20_000_000), In(15_000_000), In(30_000_000), In(14_000_000), In(16_000_000)],
            [Out(cj), Out(cj), Out(cj), Out(cj), Out(6_620_000), Out(1_625_000), Out(16_630_100), Out(2_629_900)]);
        Assert.Equal(CoinJoinKind.JoinMarket, Kind(tx));
    }

    [Fact]
    public void Generic_equal_outputs_from_several_inputs()
    {
        var tx = Tx([In(5_000_000), In(5_100_000), In(4_900_000), In(6_000_000)], [Out(4_000_000), Out(4_000_000), Out(4_000_000), Out(4_000_000), Out(1_000_000), Out(2_000_000)]);
        var m = CoinJoinDetectors.Detect(tx)!;
        Assert.Equal(CoinJoinKind.GenericEqualOutput, m.Kind);
        Assert.InRange(m.Confidence, 0.4, 0.85);

        // every input from one address: one owner splitting coins
        var one = TxFacts.Build(Enumerable.Range(0, 4).Select(_ => new InputFact(9, 5_000_000, Wpkh)), Enumerable.Range(0, 4).Select(_ => Out(4_990_000)));
        Assert.Equal(CoinJoinKind.None, Kind(one));
    }

    [Fact]
    public void Change_heuristics_find_the_change_of_a_simple_payment()
    {
        var ctx = new HeuristicContext(100);
        var tx = TxFacts.Build([new InputFact(3, 5_000_000, Wpkh)], [new OutputFact(40, 1_000_000, ScriptType.PubKeyHash), new OutputFact(150, 3_998_590, Wpkh)]);
        Assert.Equal(1, new AddressTypeChange().FindChange(tx, ctx));
        Assert.Equal(1, new FreshAddressChange().FindChange(tx, ctx));
        Assert.Equal(1, new RoundAmountChange().FindChange(tx, ctx));
        Assert.Equal(-1, new OptimalChange().FindChange(tx, ctx));
        var all = new HeuristicSet(HeuristicSet.All.ToDictionary(h => h.Name, _ => true));
        Assert.Equal(1, all.FindChange(tx, ctx).Output);

        // heuristics that disagree give no answer
        var split = TxFacts.Build([new InputFact(3, 5_000_000, Wpkh)], [new OutputFact(140, 1_000_000, Wpkh), new OutputFact(50, 3_998_590, ScriptType.PubKeyHash)]);
        Assert.Equal(-1, all.FindChange(split, ctx).Output);

        // paying back to an input address: the change is known, nothing guessed
        var self = TxFacts.Build([new InputFact(3, 5_000_000, Wpkh)], [new OutputFact(40, 1_000_000, ScriptType.PubKeyHash), new OutputFact(3, 3_998_590, Wpkh)]);
        Assert.Equal(-1, all.FindChange(self, ctx).Output);
        Assert.Throws<ArgumentException>(() => new HeuristicSet(new Dictionary<string, bool> { ["nope"] = true }));

        // peeling chain: one input that was the larger output of a 1-in-2-out parent; the larger output goes on
        var peel = TxFacts.Build([new InputFact(3, 5_000_000, Wpkh, SpentOutput: 77)], [new OutputFact(40, 300_000, Wpkh), new OutputFact(41, 4_698_000, Wpkh)]);
        var chainCtx = new HeuristicContext(100, o => o == 77);
        Assert.Equal(1, new PeelingChainChange().FindChange(peel, chainCtx));
        Assert.Equal(-1, new PeelingChainChange().FindChange(peel, new HeuristicContext(100, _ => false)));
        Assert.Equal(-1, new PeelingChainChange().FindChange(peel, ctx));
    }
}
