using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Analysis.Tests.Unit;

/// <summary>The wallet-fingerprint change heuristic on hand-built transactions and a handwritten history.</summary>
public sealed class FingerprintHeuristicTests
{
    private const ScriptType Wpkh = ScriptType.WitnessV0KeyHash;
    private const ScriptType Pkh = ScriptType.PubKeyHash;
    private const uint NoRbf = 0xFFFF_FFFE;
    private const uint Rbf = 0xFFFF_FFFD;
    private const uint Final = 0xFFFF_FFFF;

    private readonly FakeHistory _history = new();
    private readonly FingerprintChange _heuristic = new();

    /// <summary>T1 (id 10, height 100, v2, anti-fee-sniping lock time, nSequence 0xFFFFFFFE, one P2WPKH input of address 1) pays
    /// 300 000 to address 2 (P2PKH unless <paramref name="paymentType"/> says otherwise) and 690 000 to address 3 (P2WPKH).</summary>
    private TxFacts AddT1(long paymentValue = 300_000, long changeValue = 690_000, int outputs = 2, ScriptType paymentType = Pkh)
    {
        var outs = new List<OutputFact> { new(2, paymentValue, paymentType), new(3, changeValue, Wpkh) };
        if (outputs == 3)
        {
            outs.Add(new OutputFact(9, 5_000, Wpkh));
        }

        return _history.Add(10, 100, 2, 99, [NoRbf], [new InputFact(1, 1_000_000, Wpkh)], outs);
    }

    /// <summary>A later transaction spending <paramref name="spent"/> (output ids: tx id × 10 + index) at height 105.</summary>
    private TxFacts AddSpend(long id, long[] spent, int version = 2, uint lockTime = 104, uint sequence = NoRbf, ScriptType[]? types = null,
        uint firstAddress = 20)
    {
        var inputs = spent.Select((o, k) => new InputFact(firstAddress + (uint)k, 100_000, types?[k] ?? Wpkh, o)).ToList();
        return _history.Add(id, 105, version, lockTime, inputs.Select(_ => sequence).ToArray(), inputs,
            [new OutputFact(firstAddress + 10, 50_000, Wpkh), new OutputFact(firstAddress + 11, 40_000, Wpkh)]);
    }

    private List<EarlierChange> Find(TxFacts tx, HeuristicContext? ctx = null)
    {
        var found = new List<EarlierChange>();
        _heuristic.FindEarlierChange(tx, ctx ?? new HeuristicContext(0, null, _history), found);
        return found;
    }

    [Fact]
    public void Spend_with_the_payments_fingerprint_marks_the_spent_output_as_its_change()
    {
        AddT1();
        var t2 = AddSpend(20, [101]);

        var found = Assert.Single(Find(t2));

        Assert.Equal(new EarlierChange(TxId: 10, Output: 1, Owner: 1, Change: 3, EvidenceTx: 20, By: HeuristicId.ChangeFingerprint), found);
    }

    [Theory]
    [InlineData(1, 104u, NoRbf, "nVersion 1")]
    [InlineData(2, 0u, NoRbf, "no lock time")]
    [InlineData(2, 1_700_000_000u, NoRbf, "a time lock")]
    [InlineData(2, 104u, Rbf, "RBF signalled")]
    [InlineData(2, 104u, Final, "final sequences")]
    public void Spend_by_other_software_decides_nothing(int version, uint lockTime, uint sequence, string difference)
    {
        AddT1();
        var t2 = AddSpend(20, [101], version, lockTime, sequence);

        Assert.True(Find(t2).Count == 0, difference);
    }

    [Fact]
    public void Spend_with_other_input_script_types_decides_nothing()
    {
        AddT1();
        var t2 = AddSpend(20, [101, 555], types: [Wpkh, Pkh]);

        Assert.Empty(Find(t2));
    }

    [Fact]
    public void Spend_of_both_outputs_decides_nothing()
    {
        AddT1();
        var t2 = AddSpend(20, [100, 101], types: [Wpkh, Wpkh]);

        Assert.Empty(Find(t2));
    }

    [Fact]
    public void Earlier_transaction_that_is_not_a_simple_payment_is_not_judged()
    {
        AddT1(outputs: 3);
        Assert.Empty(Find(AddSpend(20, [101])));
    }

    [Fact]
    public void First_matching_spend_decides_and_later_ones_do_not_revise_it()
    {
        AddT1(paymentType: Wpkh); // both outputs alike: only the order of the spends tells them apart
        var first = AddSpend(20, [101]);
        var later = AddSpend(30, [100], firstAddress: 40); // T1's other output, spent later by the same software

        Assert.Single(Find(first));
        Assert.Empty(Find(later));
    }

    [Fact]
    public void Other_output_spent_first_by_other_software_does_not_block_the_decision()
    {
        AddT1(paymentType: Wpkh); // both outputs alike: only the order of the spends tells them apart
        AddSpend(20, [100], version: 1, firstAddress: 40);
        var t3 = AddSpend(30, [101]);

        Assert.Equal(1, Assert.Single(Find(t3)).Output);
    }

    [Fact]
    public void Decision_at_a_spend_reads_nothing_after_it()
    {
        AddT1(paymentType: Wpkh); // both outputs alike: only the order of the spends tells them apart
        var t2 = AddSpend(20, [101]);
        var before = Find(t2);
        AddSpend(30, [100], firstAddress: 40); // a later matching spend of the other output, added after the fact

        Assert.Equal(before, Find(t2));
    }

    [Fact]
    public void Without_history_it_finds_nothing_and_never_judges_its_own_outputs()
    {
        AddT1();
        var t2 = AddSpend(20, [101]);

        Assert.Empty(Find(t2, new HeuristicContext(0)));
        Assert.Equal(-1, _heuristic.FindChange(t2, new HeuristicContext(0, null, _history)));
        Assert.Equal(-1, _heuristic.FindChange(_history.Read(10), new HeuristicContext(0, null, _history)));
    }

    [Fact]
    public void Set_keeps_a_fingerprint_decision_only_when_no_other_enabled_heuristic_picks_the_other_output()
    {
        AddT1(paymentValue: 300_001, changeValue: 600_000); // round-amount calls the non-round 300 001 change: the wrong output
        var t2 = AddSpend(20, [101]);
        var ctx = new HeuristicContext(0, null, _history);

        var alone = new List<EarlierChange>();
        new HeuristicSet(new Dictionary<string, bool> { ["change-fingerprint"] = true }).FindEarlierChanges(t2, ctx, alone);
        var withRound = new List<EarlierChange>();
        new HeuristicSet(new Dictionary<string, bool> { ["change-fingerprint"] = true, ["change-round-amount"] = true })
            .FindEarlierChanges(t2, ctx, withRound);
        var withAddressType = new List<EarlierChange>(); // address-type agrees: output 1 is the P2WPKH one like the input
        new HeuristicSet(new Dictionary<string, bool> { ["change-fingerprint"] = true, ["change-address-type"] = true })
            .FindEarlierChanges(t2, ctx, withAddressType);
        var off = new List<EarlierChange>();
        new HeuristicSet().FindEarlierChanges(t2, ctx, off);

        Assert.Single(alone);
        Assert.Empty(withRound);
        Assert.Equal(alone, withAddressType);
        Assert.Empty(off);
    }

    [Fact]
    public void Fingerprint_classifies_lock_time_sequence_and_input_types()
    {
        static TxFacts Tx(uint lockTime, params ScriptType[] types)
        {
            var t = TxFacts.Build(types.Select((ty, k) => new InputFact((uint)k, 1, ty)), []);
            t.Height = 5_000;
            t.Version = 2;
            t.LockTime = lockTime;
            return t;
        }

        Assert.Equal(LockTimeUse.None, TxFingerprint.Of(Tx(0, Wpkh), [NoRbf]).LockTime);
        Assert.Equal(LockTimeUse.RecentHeight, TxFingerprint.Of(Tx(4_999, Wpkh), [NoRbf]).LockTime);
        Assert.Equal(LockTimeUse.RecentHeight, TxFingerprint.Of(Tx(4_000, Wpkh), [NoRbf]).LockTime);
        Assert.Equal(LockTimeUse.OtherHeight, TxFingerprint.Of(Tx(3_999, Wpkh), [NoRbf]).LockTime);
        Assert.Equal(LockTimeUse.OtherHeight, TxFingerprint.Of(Tx(5_001, Wpkh), [NoRbf]).LockTime);
        Assert.Equal(LockTimeUse.Time, TxFingerprint.Of(Tx(500_000_000, Wpkh), [NoRbf]).LockTime);

        Assert.Equal(SequenceUse.Final, TxFingerprint.Of(Tx(0, Wpkh, Wpkh), [Final, Final]).Sequence);
        Assert.Equal(SequenceUse.LockTimeNoRbf, TxFingerprint.Of(Tx(0, Wpkh, Wpkh), [NoRbf, NoRbf]).Sequence);
        Assert.Equal(SequenceUse.Rbf, TxFingerprint.Of(Tx(0, Wpkh), [Rbf]).Sequence);
        Assert.Equal(SequenceUse.Other, TxFingerprint.Of(Tx(0, Wpkh), [0]).Sequence);
        Assert.Equal(SequenceUse.Mixed, TxFingerprint.Of(Tx(0, Wpkh, Wpkh), [NoRbf, Rbf]).Sequence);

        var mixed = TxFingerprint.Of(Tx(0, Pkh, Wpkh, Wpkh), [NoRbf, NoRbf, NoRbf]);
        Assert.Equal((1 << (int)Pkh) | (1 << (int)Wpkh), mixed.InputTypes);
        Assert.NotEqual(mixed, TxFingerprint.Of(Tx(0, Wpkh), [NoRbf]));
        Assert.Equal(TxFingerprint.Of(Tx(0, Wpkh, Pkh), [NoRbf, NoRbf]), mixed);
    }

    [Fact]
    public void Registry_lists_it_as_id_7_off_by_default_and_keeps_the_stored_ids()
    {
        var h = HeuristicSet.ById(HeuristicId.ChangeFingerprint);

        Assert.Equal("change-fingerprint", h.Name);
        Assert.Equal(7, (int)h.Id);
        Assert.False(h.DefaultOn);
        Assert.True(h.IsChange);
        Assert.True(h.JudgesEarlier);
        Assert.InRange(h.Confidence, 0.01, 0.99);
        Assert.False(new HeuristicSet().IsOn(h));
        Assert.True(new HeuristicSet(new Dictionary<string, bool> { ["change-fingerprint"] = true }).IsOn(h));
        Assert.Equal(
            ["multi-input", "change-address-type", "change-fresh-address", "change-round-amount", "change-optimal", "change-peeling-chain", "change-fingerprint"],
            Enumerable.Range(1, 7).Select(i => HeuristicSet.ById((HeuristicId)i).Name));
    }

    /// <summary>A handwritten history: transactions by id; output ids are tx id × 10 + output index.</summary>
    private sealed class FakeHistory : ChainHistory
    {
        private readonly SortedDictionary<long, (TxFacts Facts, uint[] Sequences)> _txs = [];

        public TxFacts Add(long id, int height, int version, uint lockTime, uint[] sequences, IEnumerable<InputFact> inputs, IEnumerable<OutputFact> outputs)
        {
            var t = TxFacts.Build(inputs, outputs, id);
            t.Height = height;
            t.Version = version;
            t.LockTime = lockTime;
            _txs[id] = (t, sequences);
            return t;
        }

        public override (long TxId, int Index)? CreatorOf(long outputId) =>
            _txs.ContainsKey(outputId / 10) ? (outputId / 10, (int)(outputId % 10)) : null;

        public override TxFacts Read(long txId) => _txs[txId].Facts;

        public override IReadOnlyList<uint> Sequences(long txId) => _txs[txId].Sequences;

        public override long OutputId(long txId, int index) => (txId * 10) + index;

        public override long SpenderBefore(long outputId, long beforeTx) =>
            _txs.Where(t => t.Key < beforeTx && t.Value.Facts.Inputs.Exists(i => i.SpentOutput == outputId)).Select(t => t.Key).DefaultIfEmpty(-1).First();

        public override HeuristicContext ContextAt(long txId) => new(0, null, this);
    }
}
