using System.Numerics;
using Ashiato.Core;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// The balance of one address in one asset, and how much of it is tainted, replayed from its postings in chain order.
/// <list type="bullet">
/// <item><c>Poison</c> (tainted first): every outflow of an address that holds taint is tainted, by
/// min(outflow, tainted balance) — taint leaves before clean value, so amounts are conserved.</item>
/// <item><c>Haircut</c>: an outflow of <c>a</c> carries floor(a × tainted / balance); the remainder of the division stays
/// tainted in the balance (so an outflow of the whole balance carries all of it).</item>
/// <item><c>Fifo</c>: lots in order of arrival (a tainted inflow is one tainted lot then one clean lot for the rest of
/// the same transfer); an outflow consumes the oldest lots first and carries their tainted parts.</item>
/// </list>
/// An outflow larger than the replayed balance means value the store does not show (a genesis allocation, history
/// before the base height): the missing part is added as a clean opening balance, older than every lot
/// (<see cref="Opening"/>). Every operation is exact integer arithmetic; tainted in = tainted out + tainted held.
/// </summary>
internal sealed class TaintLedger(TaintModel model)
{
    private readonly LinkedList<(UInt256 Amount, bool Tainted)> _lots = new();

    public UInt256 Balance { get; private set; }

    public UInt256 Tainted { get; private set; }

    /// <summary>Clean value added because an outflow exceeded the replayed balance.</summary>
    public UInt256 Opening { get; private set; }

    public void Inflow(UInt256 amount, UInt256 tainted)
    {
        if (tainted > amount)
        {
            throw new InvalidOperationException($"tainted inflow {tainted} exceeds its transfer amount {amount}");
        }

        Balance += amount;
        Tainted += tainted;
        if (model == TaintModel.Fifo)
        {
            if (!tainted.IsZero)
            {
                _lots.AddLast((tainted, true));
            }

            if (amount > tainted)
            {
                if (tainted.IsZero && _lots.Last is { Value.Tainted: false } last)
                {
                    last.Value = (last.Value.Amount + amount, false); // adjacent clean lots merge: history stays small
                }
                else
                {
                    _lots.AddLast((amount - tainted, false));
                }
            }
        }
    }

    /// <summary>Marks up to <paramref name="amount"/> of clean balance as tainted (a swap credit that arrives after its transfer was replayed). Returns what was marked.</summary>
    public UInt256 Retaint(UInt256 amount)
    {
        var clean = Balance - Tainted;
        var marked = amount < clean ? amount : clean;
        if (marked.IsZero)
        {
            return marked;
        }

        Tainted += marked;
        if (model == TaintModel.Fifo)
        {
            // the newest clean lots are the ones the credit belongs to
            var left = marked;
            for (var node = _lots.Last; node is not null && !left.IsZero; node = node.Previous)
            {
                if (node.Value.Tainted)
                {
                    continue;
                }

                if (node.Value.Amount <= left)
                {
                    left -= node.Value.Amount;
                    node.Value = (node.Value.Amount, true);
                }
                else
                {
                    var keep = node.Value.Amount - left;
                    node.Value = (keep, false);
                    _lots.AddAfter(node, (left, true));
                    left = UInt256.Zero;
                }
            }
        }

        return marked;
    }

    /// <summary>Takes <paramref name="amount"/> out of the balance and returns its tainted part.</summary>
    public UInt256 Outflow(UInt256 amount)
    {
        if (amount > Balance)
        {
            var missing = amount - Balance;
            Opening += missing;
            Balance += missing;
            _lots.AddFirst((missing, false));
        }

        UInt256 tainted;
        switch (model)
        {
            case TaintModel.Poison:
                tainted = amount < Tainted ? amount : Tainted;
                break;
            case TaintModel.Haircut:
                tainted = Balance.IsZero ? UInt256.Zero : UInt256.FromBigInteger(amount.ToBigInteger() * Tainted.ToBigInteger() / Balance.ToBigInteger());
                break;
            default:
                tainted = ConsumeLots(amount);
                break;
        }

        Balance -= amount;
        Tainted -= tainted;
        return tainted;
    }

    private UInt256 ConsumeLots(UInt256 amount)
    {
        var left = amount;
        var tainted = UInt256.Zero;
        while (!left.IsZero)
        {
            var first = _lots.First ?? throw new InvalidOperationException("FIFO lots ran out before the balance did");
            var (lot, isTainted) = first.Value;
            var take = lot < left ? lot : left;
            if (isTainted)
            {
                tainted += take;
            }

            left -= take;
            if (take == lot)
            {
                _lots.RemoveFirst();
            }
            else
            {
                first.Value = (lot - take, isTainted);
            }
        }

        return tainted;
    }

    /// <summary>floor(value × numerator / denominator), exact (256-bit products go through <see cref="BigInteger"/>).</summary>
    public static UInt256 Scale(UInt256 value, UInt256 numerator, UInt256 denominator) =>
        denominator.IsZero ? UInt256.Zero : UInt256.FromBigInteger(value.ToBigInteger() * numerator.ToBigInteger() / denominator.ToBigInteger());
}
