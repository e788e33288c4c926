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
}

/// <summary>What a heuristic may look at besides the transaction: which address ids were seen before it, and (for the peeling
/// chain) whether a spent output was the larger output of an earlier 1-input, 2-output transaction. Both look only backwards.</summary>
public readonly record struct HeuristicContext(uint FirstUnseenAddress, Func<long, bool>? IsPeelOutput = null)
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

/// <summary>The registry of heuristics and a chosen on/off setting for each.</summary>
public sealed class HeuristicSet
{
    public static readonly IReadOnlyList<Heuristic> All =
        [new MultiInputHeuristic(), new AddressTypeChange(), new FreshAddressChange(), new RoundAmountChange(), new OptimalChange(),
            new PeelingChainChange()];

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
}
