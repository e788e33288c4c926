using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// Backward: tainted transfers are expanded newest first (a max-queue on transfer id), so every share reaching a transfer
/// is merged into one edge before its sources are looked for. The sources of an outflow of address P at transfer t are
/// P's inflows before t in the same asset, replayed from P's postings:
/// <list type="bullet">
/// <item><c>Fifo</c>: the lots the outflow consumed (oldest first); its tainted part is the first part of them.</item>
/// <item><c>Haircut</c>: the inflows since P's balance was last zero, each in proportion to its amount (floor; the
/// remainder of the division goes to the newest source).</item>
/// <item><c>Poison</c>: the same inflows, each wholly (amounts are then an upper bound, not conserved).</item>
/// </list>
/// A part the replayed history cannot cover (opening balance) is an <c>end:opening-balance</c> edge.
/// </summary>
internal sealed partial class EvmTraceRun
{
    private readonly Dictionary<long, (UInt256 Tainted, int Hop)> _pending = [];
    private readonly PriorityQueue<long, long> _backQueue = new();
    private readonly HashSet<long> _swapPayments = [];

    private void Backward(List<ResolvedSeed> seeds)
    {
        foreach (var s in seeds)
        {
            var quota = s.Seed.Amount;
            IEnumerable<StoredTransfer> transfers = s.Transfers;
            if (s.AddressId >= 0)
            {
                var notBefore = s.Seed.NotBefore is { } nb ? FirstTransferAtOrAfter(nb) : 0;
                transfers = _store.Postings(s.AddressId)
                    .Where(p => !p.Outgoing && p.TransferId >= notBefore)
                    .Select(p => _store.Transfer(p.TransferId))
                    .Where(t => s.Assets.Contains(t.AssetId) && !IsNft(t.Kind) && t.FromId != t.ToId && s.SeedsFrom(t.FromId) && !OwnSwapProceeds(t, s.Assets))
                    .Reverse(); // an amount limit takes the newest inflows first
            }

            foreach (var t in transfers)
            {
                var tainted = t.Amount;
                if (quota is { } q)
                {
                    tainted = q < tainted ? q : tainted;
                    quota = q - tainted;
                }

                if (!tainted.IsZero)
                {
                    Seeded(t.AssetId, tainted, t.Height);
                    Push(t, tainted, s.Seed.Hop);
                }
            }
        }

        while (_backQueue.TryDequeue(out var id, out _))
        {
            if (!_pending.Remove(id, out var item))
            {
                continue;
            }

            if (OutOfBudget())
            {
                var t = _store.Transfer(id);
                Emit(t, t.FromId, t.ToId, item.Hop, item.Tainted, _stopRule!, $"walk stopped: {_stopReason}");
                continue; // every share still queued is recorded with the limit's rule
            }

            _visited++;
            BackwardEdge(_store.Transfer(id), item.Tainted, item.Hop);
        }
    }

    /// <summary>
    /// Whether <paramref name="t"/> is what the seeded address got back from its own swap paid in another seeded asset
    /// (USDT out of a pool for the ETH it paid in): that value came from the address's own inflows of the paid asset, which
    /// are seeds themselves, so seeding it too would count the same sources twice.
    /// </summary>
    private bool OwnSwapProceeds(in StoredTransfer t, List<long> seededAssets) =>
        seededAssets.Count > 1 && SwapLeg(t, forward: false) is { } paid && seededAssets.Contains(paid.AssetId);

    private void Push(in StoredTransfer t, UInt256 tainted, int hop)
    {
        if (_pending.TryGetValue(t.Id, out var item))
        {
            var sum = item.Tainted + tainted;
            _pending[t.Id] = (sum < t.Amount ? sum : t.Amount, Math.Min(hop, item.Hop));
            return;
        }

        _pending[t.Id] = (tainted < t.Amount ? tainted : t.Amount, hop);
        _backQueue.Enqueue(t.Id, -t.Id);
    }

    private void BackwardEdge(in StoredTransfer t, UInt256 tainted, int hop)
    {
        if (IsFee(t.Kind))
        {
            Emit(t, t.FromId, t.ToId, hop, tainted, TraceRules.Fee, "fee");
            return;
        }

        var values = Values(t.AssetId, tainted, Time(t.Height));
        var source = EffectiveFrom(t);
        var stop = StopRule(t, source, hop, tainted, values);
        if (stop is null && _options.FollowSwaps && !_swapPayments.Contains(t.Id) && SwapLeg(t, forward: false) is { } leg)
        {
            var carried = TaintLedger.Scale(leg.Amount, tainted, t.Amount);
            var wrap = t.Kind == EvmTransferKind.Wrap || leg.Kind == EvmTransferKind.Unwrap;
            Emit(t, EffectiveFrom(t), t.ToId, hop, tainted, TraceRules.SwapFollow,
                $"{(wrap ? "wrap 1:1" : "swap")} {AssetName(leg.AssetId)} → {AssetName(t.AssetId)}: paid by {TxRef(leg).Ref}; tainted {tainted} ← {carried}", values);
            if (!carried.IsZero)
            {
                _swapPayments.Add(leg.Id); // the payment's sources are its sender's inflows, not the swap again
                Push(leg, carried, hop);
            }

            return;
        }

        if (stop is null && t.FromId < 0)
        {
            stop = t.AssetId >= 0 && Settings.BridgeTokens.TryGetValue(_store.Address(t.AssetId), out var bridge) && _options.FollowBridges
                ? (TraceRules.BridgeFollow, $"bridge {bridge}: mint of its token; the deposit is paired by the cross-chain tracer")
                : (TraceRules.EndCreated, $"created ({t.Kind})");
        }

        if (stop is { } s)
        {
            Emit(t, t.FromId, t.ToId, hop, tainted, s.Rule, s.Detail, values);
            return;
        }

        Emit(t, t.FromId, t.ToId, hop, tainted, TraceRules.Follow, null, values);
        foreach (var (src, part) in Sources(t, tainted))
        {
            if (src is { } inflow)
            {
                Push(inflow, part, hop + 1);
            }
            else
            {
                EmitHeld(t.FromId, t.AssetId, hop + 1, part, part, t.Height, TraceRules.EndOpeningBalance,
                    "part of the balance the stored transfers do not explain (genesis allocation or history before the base height)", origin: true);
            }
        }
    }

    /// <summary>Where the tainted part of sender P's outflow <paramref name="t"/> came from; a null source = the opening balance.</summary>
    private List<(StoredTransfer? Source, UInt256 Part)> Sources(in StoredTransfer t, UInt256 tainted)
    {
        var lots = new LinkedList<(StoredTransfer? Source, UInt256 Amount)>();
        var balance = UInt256.Zero;
        foreach (var (id, outgoing) in _store.Postings(t.FromId))
        {
            if (id >= t.Id)
            {
                break;
            }

            var p = _store.Transfer(id);
            _visited++;
            if (p.AssetId != t.AssetId || IsNft(p.Kind) || p.FromId == p.ToId)
            {
                continue;
            }

            if (!outgoing)
            {
                lots.AddLast((p, p.Amount));
                balance += p.Amount;
                continue;
            }

            if (_options.Model == TaintModel.Fifo)
            {
                Consume(lots, p.Amount, balance);
                balance = p.Amount > balance ? UInt256.Zero : balance - p.Amount;
            }
            else if (p.Amount >= balance)
            {
                lots.Clear(); // the balance was emptied: earlier inflows are no source of later outflows
                balance = UInt256.Zero;
            }
            else
            {
                // haircut: an outflow takes the same fraction of every lot, so the lots keep their shares of what remains
                // (the sum of the lots stays ≤ the balance; floors lose at most one unit per lot); poison lists lots whole
                if (_options.Model == TaintModel.Haircut)
                {
                    for (var node = lots.First; node is not null; node = node.Next)
                    {
                        node.Value = (node.Value.Source, TaintLedger.Scale(node.Value.Amount, balance - p.Amount, balance));
                    }
                }

                balance -= p.Amount;
            }
        }

        var result = new List<(StoredTransfer?, UInt256)>();
        if (_options.Model == TaintModel.Fifo)
        {
            // the outflow consumes the oldest lots; its tainted part is the first `tainted` of what it consumed
            var left = tainted;
            foreach (var (src, part) in Consume(lots, t.Amount, balance))
            {
                if (left.IsZero)
                {
                    break;
                }

                var take = part < left ? part : left;
                result.Add((src, take));
                left -= take;
            }

            return result;
        }

        var total = balance < t.Amount ? t.Amount : balance;
        if (_options.Model == TaintModel.Poison)
        {
            result.AddRange(lots.Select(l => ((StoredTransfer?)l.Source, l.Amount)));
            if (balance < t.Amount)
            {
                result.Add((null, t.Amount - balance));
            }

            return result;
        }

        var assigned = UInt256.Zero;
        foreach (var (src, amount) in lots)
        {
            var part = TaintLedger.Scale(tainted, amount, total);
            result.Add((src, part));
            assigned += part;
        }

        if (balance < t.Amount)
        {
            var part = TaintLedger.Scale(tainted, t.Amount - balance, total);
            result.Add((null, part));
            assigned += part;
        }

        // the remainder of the floor divisions goes to the newest source
        var remainder = tainted - assigned;
        if (!remainder.IsZero)
        {
            var (src, part) = result[^1];
            result[^1] = (src, part + remainder);
        }

        return result.Where(r => !r.Item2.IsZero).ToList();
    }

    /// <summary>Takes <paramref name="amount"/> from the oldest lots; a shortfall is the opening balance (null source), consumed first.</summary>
    private static List<(StoredTransfer? Source, UInt256 Part)> Consume(LinkedList<(StoredTransfer? Source, UInt256 Amount)> lots, UInt256 amount, UInt256 have)
    {
        var taken = new List<(StoredTransfer?, UInt256)>();
        var left = amount;
        if (amount > have)
        {
            taken.Add((null, amount - have));
            left = have;
        }

        while (!left.IsZero)
        {
            var first = lots.First!;
            var (src, lot) = first.Value;
            var take = lot < left ? lot : left;
            taken.Add((src, take));
            left -= take;
            if (take == lot)
            {
                lots.RemoveFirst();
            }
            else
            {
                first.Value = (src, lot - take);
            }
        }

        return taken;
    }
}
