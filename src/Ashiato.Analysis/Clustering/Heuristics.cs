using Ashiato.Analysis.CoinJoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Clustering;

/// <summary>Heuristic ids as stored in the merge log: do not renumber.</summary>
public enum HeuristicId : byte
{
    MultiInput = 1,
    ChangeAddressType = 2,
    ChangeFreshAddress = 3,
    ChangeRoundAmount = 4,
    ChangeOptimal = 5,
    ChangePeelingChain = 6,
    ChangeFingerprint = 7,
}

/// <summary>What a heuristic may look at besides the transaction: which address ids were seen before it, (for the peeling
/// chain) whether a spent output was the larger output of an earlier 1-input, 2-output transaction, and (for the fingerprint
/// heuristic) the chain before the transaction through <see cref="History"/>. All look only backwards. Without a history the
/// heuristics that need it find nothing.</summary>
public readonly record struct HeuristicContext(uint FirstUnseenAddress, Func<long, bool>? IsPeelOutput = null, ChainHistory? History = null)
{
    /// <summary>Address ids are assigned in order of first appearance, so an id at or above the watermark is new in this transaction.</summary>
    public bool IsFresh(uint address) => address >= FirstUnseenAddress;
}

/// <summary>A named clustering heuristic. Change heuristics return the index of the change output (or -1).</summary>
public abstract class Heuristic
{
    public abstract HeuristicId Id { get; }

    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract bool DefaultOn { get; }

    public abstract double Confidence { get; }

    public virtual bool IsChange => true;

    public abstract int FindChange(TxFacts tx, HeuristicContext ctx);

    /// <summary>True for heuristics that judge an <em>earlier</em> transaction's change when <paramref name="tx"/> spends one of
    /// its outputs (see <see cref="FindEarlierChange"/>); their <see cref="FindChange"/> finds nothing.</summary>
    public virtual bool JudgesEarlier => false;

    /// <summary>Change outputs of earlier transactions that the spends in <paramref name="tx"/> reveal, added to
    /// <paramref name="found"/>. Reads only <paramref name="tx"/> and the chain before it.</summary>
    public virtual void FindEarlierChange(TxFacts tx, HeuristicContext ctx, List<EarlierChange> found)
    {
    }

    /// <summary>Change heuristics only judge simple payments: two outputs with addresses, inputs with addresses, no output paying
    /// back to an input address (then the change is known and nothing needs guessing).</summary>
    protected static bool IsSimplePayment(TxFacts tx)
    {
        if (tx.IsCoinbase || tx.Outputs.Count != 2 || tx.Inputs.Count == 0 || !tx.Outputs.TrueForAll(o => o.HasAddress)
            || !tx.Inputs.TrueForAll(i => i.HasAddress) || tx.Outputs[0].Address == tx.Outputs[1].Address)
        {
            return false;
        }

        foreach (var o in tx.Outputs)
        {
            if (tx.Inputs.Exists(i => i.Address == o.Address))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Common-input ownership: all inputs of a transaction belong to one wallet (CoinJoins excluded).</summary>
public sealed class MultiInputHeuristic : Heuristic
{
    public override HeuristicId Id => HeuristicId.MultiInput;

    public override string Name => "multi-input";

    public override string Description => "All input addresses of a transaction are one owner's (coinbase, CoinJoin mixes and inputs without address skipped)";

    public override bool DefaultOn => true;

    public override double Confidence => 0.95;

    public override bool IsChange => false;

    public override int FindChange(TxFacts tx, HeuristicContext ctx) => -1;
}

/// <summary>The change output has the script type every input has; the payment output another type.</summary>
public sealed class AddressTypeChange : Heuristic
{
    public override HeuristicId Id => HeuristicId.ChangeAddressType;

    public override string Name => "change-address-type";

    public override string Description => "2-output payment: the one output whose script type matches all inputs' type is change";

    public override bool DefaultOn => false;

    public override double Confidence => 0.6;

    public override int FindChange(TxFacts tx, HeuristicContext ctx)
    {
        if (!IsSimplePayment(tx))
        {
            return -1;
        }

        var t = tx.Inputs[0].Type;
        if (!tx.Inputs.TrueForAll(i => i.Type == t))
        {
            return -1;
        }

        var a = tx.Outputs[0].Type == t;
        var b = tx.Outputs[1].Type == t;
        return a == b ? -1 : a ? 0 : 1;
    }
}

/// <summary>The change output pays an address first seen in this transaction; the payment output an address seen before.</summary>
public sealed class FreshAddressChange : Heuristic
{
    public override HeuristicId Id => HeuristicId.ChangeFreshAddress;

    public override string Name => "change-fresh-address";

    public override string Description => "2-output payment: the one output to an address first seen in this transaction is change (the other was seen before)";

    public override bool DefaultOn => false;

    public override double Confidence => 0.5;

    public override int FindChange(TxFacts tx, HeuristicContext ctx)
    {
        if (!IsSimplePayment(tx))
        {
            return -1;
        }

        var a = ctx.IsFresh(tx.Outputs[0].Address);
        var b = ctx.IsFresh(tx.Outputs[1].Address);
        return a == b ? -1 : a ? 0 : 1;
    }
}

/// <summary>Payments are round (a multiple of 0.001 BTC); change is what is left.</summary>
public sealed class RoundAmountChange : Heuristic
{
    public const long Round = 100_000;

    public override HeuristicId Id => HeuristicId.ChangeRoundAmount;

    public override string Name => "change-round-amount";

    public override string Description => "2-output payment: when exactly one output is a round amount (multiple of 0.001 BTC), the other is change";

    public override bool DefaultOn => false;

    public override double Confidence => 0.5;

    public override int FindChange(TxFacts tx, HeuristicContext ctx)
    {
        if (!IsSimplePayment(tx))
        {
            return -1;
        }

        var a = tx.Outputs[0].Value % Round == 0;
        var b = tx.Outputs[1].Value % Round == 0;
        return a == b ? -1 : a ? 1 : 0;
    }
}

/// <summary>Optimal change: a wallet does not add an unnecessary input, so the output smaller than every input is change.</summary>
public sealed class OptimalChange : Heuristic
{
    public override HeuristicId Id => HeuristicId.ChangeOptimal;

    public override string Name => "change-optimal";

    public override string Description => "2-output payment with ≥ 2 inputs: the one output smaller than the smallest input is change";

    public override bool DefaultOn => false;

    public override double Confidence => 0.4;

    public override int FindChange(TxFacts tx, HeuristicContext ctx)
    {
        if (!IsSimplePayment(tx) || tx.Inputs.Count < 2 || !tx.InputValuesKnown)
        {
            return -1;
        }

        var min = tx.Inputs.Min(i => i.Value);
        var a = tx.Outputs[0].Value < min;
        var b = tx.Outputs[1].Value < min;
        return a == b ? -1 : a ? 0 : 1;
    }
}

/// <summary>Peeling chain: a 1-input, 2-output transaction spending the larger output of an earlier 1-input, 2-output
/// transaction is a step of a peel chain; its larger output (the remainder that goes on) is change.</summary>
public sealed class PeelingChainChange : Heuristic
{
    public override HeuristicId Id => HeuristicId.ChangePeelingChain;

    public override string Name => "change-peeling-chain";

    public override string Description => "1-input 2-output payment spending the larger output of a 1-input 2-output tx: its larger output is change";

    public override bool DefaultOn => false;

    public override double Confidence => 0.5;

    public override int FindChange(TxFacts tx, HeuristicContext ctx)
    {
        if (ctx.IsPeelOutput is null || tx.Inputs.Count != 1 || !IsSimplePayment(tx) || tx.Inputs[0].SpentOutput < 0
            || tx.Outputs[0].Value == tx.Outputs[1].Value || !ctx.IsPeelOutput(tx.Inputs[0].SpentOutput))
        {
            return -1;
        }

        return tx.Outputs[0].Value > tx.Outputs[1].Value ? 0 : 1;
    }
}

/// <summary>
/// Wallet fingerprint, judged at the spend: when a transaction T2 spends output o of an earlier simple payment T1 and T2 has
/// T1's fingerprint (<see cref="TxFingerprint"/>: nVersion, nLockTime use, nSequence use, input script types), o was T1's
/// change (the same wallet software spends it again), so o's address joins T1's first input address. Skipped when T2 also
/// spends T1's other output, when T1's other output was already spent before T2 by a transaction with the same fingerprint
/// (the first matching spend decides), when either transaction is flagged by a CoinJoin detector, and without a
/// <see cref="HeuristicContext.History"/>. It reads only T2 and transactions before it, so it never changes a past decision.
/// </summary>
public sealed class FingerprintChange : Heuristic
{
    public override HeuristicId Id => HeuristicId.ChangeFingerprint;

    public override string Name => "change-fingerprint";

    public override string Description =>
        "2-output payment T1: the output spent first by a tx with T1's nVersion, nLockTime use, nSequence use and input script types is change " +
        "(judged at that spend, merged under the spending tx)";

    public override bool DefaultOn => false;

    public override double Confidence => 0.4;

    public override bool JudgesEarlier => true;

    /// <summary>Never judges the transaction's own outputs (their spends are in the future): see <see cref="FindEarlierChange"/>.</summary>
    public override int FindChange(TxFacts tx, HeuristicContext ctx) => -1;

    public override void FindEarlierChange(TxFacts tx, HeuristicContext ctx, List<EarlierChange> found)
    {
        var history = ctx.History;
        if (history is null || tx.IsCoinbase || CoinJoinDetectors.Detect(tx) is not null)
        {
            return;
        }

        var creators = new List<(long TxId, int Index)>(tx.Inputs.Count);
        foreach (var input in tx.Inputs)
        {
            if (input.SpentOutput >= 0 && history.CreatorOf(input.SpentOutput) is { } creator)
            {
                creators.Add(creator);
            }
        }

        TxFingerprint? own = null;
        foreach (var (t1, index) in creators)
        {
            if (creators.Count(c => c.TxId == t1) != 1)
            {
                continue; // both outputs of T1 spent here: nothing tells them apart
            }

            var earlier = history.Read(t1);
            if (!IsSimplePayment(earlier) || CoinJoinDetectors.Detect(earlier) is not null)
            {
                continue;
            }

            var print = history.FingerprintOf(earlier);
            own ??= history.FingerprintOf(tx);
            if (print != own)
            {
                continue;
            }

            var otherSpender = history.SpenderBefore(history.OutputId(t1, 1 - index), tx.TxId);
            if (otherSpender >= 0 && history.FingerprintOf(history.Read(otherSpender)) == print)
            {
                continue; // the other output was spent first by the same software: that spend already decided
            }

            found.Add(new EarlierChange(t1, index, earlier.Inputs[0].Address, earlier.Outputs[index].Address, tx.TxId, Id));
        }
    }
}

/// <summary>The registry of heuristics and a chosen on/off setting for each.</summary>
public sealed class HeuristicSet
{
    public static readonly IReadOnlyList<Heuristic> All =
        [new MultiInputHeuristic(), new AddressTypeChange(), new FreshAddressChange(), new RoundAmountChange(), new OptimalChange(),
            new PeelingChainChange(), new FingerprintChange()];

    private readonly bool[] _on;

    public HeuristicSet(IReadOnlyDictionary<string, bool>? overrides = null)
    {
        _on = All.Select(h => h.DefaultOn).ToArray();
        foreach (var (name, on) in overrides ?? new Dictionary<string, bool>())
        {
            var i = IndexOf(name);
            if (i < 0)
            {
                throw new ArgumentException($"unknown heuristic '{name}'; known: {string.Join(", ", All.Select(h => h.Name))}");
            }

            _on[i] = on;
        }
    }

    public static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    public static Heuristic ById(HeuristicId id) => All.First(h => h.Id == id);

    public bool IsOn(Heuristic h) => _on[IndexOf(h.Name)];

    public bool MultiInput => _on[0];

    public IEnumerable<Heuristic> EnabledChange => All.Where((h, i) => _on[i] && h.IsChange);

    /// <summary>An enabled heuristic judges earlier transactions by their spends (needs <see cref="HeuristicContext.History"/>).</summary>
    public bool JudgesEarlier => EnabledChange.Any(h => h.JudgesEarlier);

    /// <summary>The setting as stored with the clusters: name → on.</summary>
    public SortedDictionary<string, bool> Settings()
    {
        var d = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < All.Count; i++)
        {
            d[All[i].Name] = _on[i];
        }

        return d;
    }

    /// <summary>The change output the enabled change heuristics agree on (-1 if none fires or they disagree), and the first that fired.</summary>
    public (int Output, Heuristic? By) FindChange(TxFacts tx, HeuristicContext ctx)
    {
        var found = -1;
        Heuristic? by = null;
        foreach (var h in EnabledChange)
        {
            var c = h.FindChange(tx, ctx);
            if (c < 0)
            {
                continue;
            }

            if (found >= 0 && c != found)
            {
                return (-1, null);
            }

            if (found < 0)
            {
                (found, by) = (c, h);
            }
        }

        return (found, by);
    }

    /// <summary>
    /// Change outputs of earlier transactions revealed by the spends in <paramref name="tx"/> (heuristics with
    /// <see cref="Heuristic.JudgesEarlier"/>), each kept only when no other enabled change heuristic, run again on that earlier
    /// transaction with its own context (<see cref="ChainHistory.ContextAt"/>), picks the other output: the same agreement rule
    /// as <see cref="FindChange"/>. Needs <see cref="HeuristicContext.History"/>; without it nothing is found.
    /// </summary>
    public void FindEarlierChanges(TxFacts tx, HeuristicContext ctx, List<EarlierChange> found)
    {
        if (ctx.History is null)
        {
            return;
        }

        var candidates = new List<EarlierChange>();
        foreach (var h in EnabledChange)
        {
            if (h.JudgesEarlier)
            {
                h.FindEarlierChange(tx, ctx, candidates);
            }
        }

        foreach (var c in candidates)
        {
            if (found.Exists(f => f.TxId == c.TxId))
            {
                continue;
            }

            var earlier = ctx.History.Read(c.TxId);
            var earlierCtx = ctx.History.ContextAt(c.TxId);
            var agrees = true;
            foreach (var h in EnabledChange)
            {
                if (!h.JudgesEarlier)
                {
                    var other = h.FindChange(earlier, earlierCtx);
                    agrees &= other < 0 || other == c.Output;
                }
            }

            if (agrees)
            {
                found.Add(c);
            }
        }
    }
}

/// <summary>Output <see cref="Output"/> of earlier transaction <see cref="TxId"/> is its change, as the spend in
/// <see cref="EvidenceTx"/> shows: the merge is <see cref="Owner"/> (that transaction's first input address) with
/// <see cref="Change"/> (the change output's address), by heuristic <see cref="By"/>.</summary>
public readonly record struct EarlierChange(long TxId, int Output, uint Owner, uint Change, long EvidenceTx, HeuristicId By);

/// <summary>How a transaction uses nLockTime.</summary>
public enum LockTimeUse : byte
{
    /// <summary>0.</summary>
    None = 0,

    /// <summary>A height at most <see cref="TxFingerprint.RecentHeightWindow"/> blocks below the transaction's own height: anti-fee-sniping
    /// (Bitcoin/Litecoin Core, Electrum and others set it to the tip height).</summary>
    RecentHeight = 1,

    /// <summary>Any other height.</summary>
    OtherHeight = 2,

    /// <summary>A Unix time (≥ 500 000 000).</summary>
    Time = 3,
}

/// <summary>How a transaction's inputs use nSequence.</summary>
public enum SequenceUse : byte
{
    /// <summary>Every input 0xFFFFFFFF: final, nLockTime not enforced, no RBF.</summary>
    Final = 0,

    /// <summary>Every input 0xFFFFFFFE: nLockTime enforced, no RBF signalled.</summary>
    LockTimeNoRbf = 1,

    /// <summary>Every input 0xFFFFFFFD: opt-in RBF as Bitcoin/Litecoin Core signal it.</summary>
    Rbf = 2,

    /// <summary>Every input the same other value (e.g. 0, or a relative lock time).</summary>
    Other = 3,

    /// <summary>Inputs with different values.</summary>
    Mixed = 4,
}

/// <summary>
/// What the wallet software that built a transaction leaves in it regardless of who pays whom: nVersion, the nLockTime use, the
/// nSequence use and the set of input script types (a bit per <see cref="ScriptType"/>).
/// </summary>
public readonly record struct TxFingerprint(int Version, LockTimeUse LockTime, SequenceUse Sequence, ushort InputTypes)
{
    /// <summary>An nLockTime height this many blocks or fewer below the transaction's height counts as anti-fee-sniping.</summary>
    public const int RecentHeightWindow = 1_000;

    public const uint LockTimeThreshold = 500_000_000;

    /// <summary>The fingerprint of <paramref name="tx"/> (its <see cref="TxFacts.Height"/> must be set) whose inputs have
    /// <paramref name="sequences"/>.</summary>
    public static TxFingerprint Of(TxFacts tx, IReadOnlyList<uint> sequences)
    {
        var lockTime = tx.LockTime switch
        {
            0 => LockTimeUse.None,
            >= LockTimeThreshold => LockTimeUse.Time,
            var h when h <= (uint)Math.Max(tx.Height, 0) && tx.Height - (long)h <= RecentHeightWindow => LockTimeUse.RecentHeight,
            _ => LockTimeUse.OtherHeight,
        };
        var sequence = SequenceUse.Final;
        for (var i = 0; i < sequences.Count; i++)
        {
            if (sequences[i] != sequences[0])
            {
                sequence = SequenceUse.Mixed;
                break;
            }

            sequence = sequences[i] switch
            {
                0xFFFF_FFFF => SequenceUse.Final,
                0xFFFF_FFFE => SequenceUse.LockTimeNoRbf,
                0xFFFF_FFFD => SequenceUse.Rbf,
                _ => SequenceUse.Other,
            };
        }

        ushort types = 0;
        foreach (var input in tx.Inputs)
        {
            types |= (ushort)(1 << ((int)input.Type & 15));
        }

        return new TxFingerprint(tx.Version, lockTime, sequence, types);
    }

    public override string ToString()
    {
        var types = InputTypes;
        return $"v{Version} locktime {LockTime} sequence {Sequence} inputs {string.Join('+', Enum.GetValues<ScriptType>().Where(t => (types & (1 << (int)t)) != 0))}";
    }
}

/// <summary>
/// The chain before the transaction being processed, for heuristics that look at earlier transactions. Every member reads
/// only stored history; callers pass transactions that come before the one being processed.
/// </summary>
public abstract class ChainHistory
{
    /// <summary>The transaction that created output <paramref name="outputId"/> and the output's index in it (null: not stored).</summary>
    public abstract (long TxId, int Index)? CreatorOf(long outputId);

    /// <summary>A stored transaction's facts (with its height).</summary>
    public abstract TxFacts Read(long txId);

    /// <summary>The nSequence of each input of a stored transaction, in input order.</summary>
    public abstract IReadOnlyList<uint> Sequences(long txId);

    /// <summary>The output id of output <paramref name="index"/> of transaction <paramref name="txId"/>.</summary>
    public abstract long OutputId(long txId, int index);

    /// <summary>The transaction before <paramref name="beforeTx"/> (in chain order) that spends <paramref name="outputId"/>, or -1.</summary>
    public abstract long SpenderBefore(long outputId, long beforeTx);

    /// <summary>The context the change heuristics had when <paramref name="txId"/> was processed (its address watermark).</summary>
    public abstract HeuristicContext ContextAt(long txId);

    public TxFingerprint FingerprintOf(TxFacts tx) => TxFingerprint.Of(tx, Sequences(tx.TxId));
}

/// <summary>A <see cref="ChainHistory"/> read from a UTXO chain store.</summary>
/// <param name="store">The chain.</param>
/// <param name="spentBy">The spent-by index (output → spending input), when there is one: finds a spender in O(1); without it
/// the spender is searched in the output address's postings, which is quadratic on busy addresses (exchange hot wallets).</param>
public sealed class StoreChainHistory(UtxoChainStore store, Tracing.Utxo.SpentByIndex? spentBy = null) : ChainHistory
{
    public override (long TxId, int Index)? CreatorOf(long outputId)
    {
        if (outputId < 0 || outputId >= store.OutputCount)
        {
            return null;
        }

        var tx = store.TxOfOutput(outputId);
        return (tx, (int)(outputId - store.GetTx(tx).FirstOutput));
    }

    public override TxFacts Read(long txId)
    {
        var facts = new TxFacts();
        TxFacts.Read(store, txId, store.HeightOfTx(txId), facts);
        return facts;
    }

    public override IReadOnlyList<uint> Sequences(long txId)
    {
        var row = store.GetTx(txId);
        var sequences = new uint[row.InputCount];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = store.GetInput(row.FirstInput + i).Sequence;
        }

        return sequences;
    }

    public override long OutputId(long txId, int index) => store.GetTx(txId).FirstOutput + index;

    public override long SpenderBefore(long outputId, long beforeTx)
    {
        if (spentBy is not null && outputId >= 0 && outputId < spentBy.OutputCount)
        {
            var input = spentBy.SpendingInput(outputId);
            if (input < 0)
            {
                return -1;
            }

            var spender = store.TxOfInput(input);
            return spender < beforeTx ? spender : -1;
        }

        var address = store.GetOutput(outputId).AddressId;
        if (address == ExternalPrevout.NoAddress)
        {
            return -1;
        }

        foreach (var p in store.GetPostings(address))
        {
            if (p.IsInput && store.GetInput(p.Id).Prev == outputId)
            {
                var spender = store.TxOfInput(p.Id);
                return spender < beforeTx ? spender : -1;
            }
        }

        return -1;
    }

    public override HeuristicContext ContextAt(long txId)
    {
        var height = store.HeightOfTx(txId);
        var block = store.GetBlockMeta(height);
        var watermark = block.FirstAddress;
        var facts = new TxFacts();
        for (var t = block.FirstTx; t < txId; t++)
        {
            TxFacts.Read(store, t, height, facts);
            foreach (var i in facts.Inputs)
            {
                watermark = i.HasAddress ? Math.Max(watermark, i.Address + 1L) : watermark;
            }

            foreach (var o in facts.Outputs)
            {
                watermark = o.HasAddress ? Math.Max(watermark, o.Address + 1L) : watermark;
            }
        }

        return new HeuristicContext((uint)watermark, IsPeelOutput, this);
    }

    /// <summary>The output is the strictly larger output of a transaction with one input and two outputs (the peeling chain's test).</summary>
    public bool IsPeelOutput(long outputId)
    {
        var parent = store.GetTx(store.TxOfOutput(outputId));
        if (parent.InputCount != 1 || parent.OutputCount != 2 || parent.IsCoinbase)
        {
            return false;
        }

        var other = parent.FirstOutput + (outputId == parent.FirstOutput ? 1 : 0);
        return store.GetOutput(outputId).Value > store.GetOutput(other).Value;
    }
}

