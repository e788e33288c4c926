using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// Forward: every tainted (address, asset) is an account whose postings are replayed in chain order. All accounts advance
/// together through one queue ordered by transfer id, so a transfer between two tainted accounts is applied once, with
/// the sender's state at that moment. A tainted outflow is an edge; its rule decides whether the recipient becomes a
/// tainted account. At the end, taint still held is an <c>end:unspent</c> edge (or, when a limit cut the walk short, an
/// edge with the limit's rule), so that per asset: tainted in = Σ endpoint edges.
/// </summary>
internal sealed partial class EvmTraceRun
{
    private readonly Dictionary<(long Address, long Asset), Account> _accounts = [];
    private readonly PriorityQueue<long, long> _queue = new();
    private readonly HashSet<long> _queued = [];
    private long _current = -1;

    private sealed class Account(long address, long asset, TaintModel model)
    {
        public long Address { get; } = address;

        public long Asset { get; } = asset;

        public TaintLedger Ledger { get; } = new(model);

        public IEnumerator<(long TransferId, bool Outgoing)>? Cursor { get; set; }

        /// <summary>The next posting to apply (a transfer id), or -1 when the history is exhausted.</summary>
        public long Next { get; set; } = -1;

        public int Hop { get; set; }

        /// <summary>Tainted value arriving with a transfer not yet applied (transfer id → amount).</summary>
        public Dictionary<long, UInt256> Credits { get; } = [];

        /// <summary>Address seeds: inflows from <see cref="SeedFrom"/> on are tainted until this much is.</summary>
        public UInt256 SeedQuota { get; set; }

        public long SeedFrom { get; set; } = long.MaxValue;

        /// <summary>Cluster seeds: inflows from these addresses (the other members) are not seeded.</summary>
        public IReadOnlySet<long>? SeedCluster { get; set; }

        public long LastHeight { get; set; }
    }

    private void Forward(List<ResolvedSeed> seeds)
    {
        foreach (var s in seeds)
        {
            if (s.AddressId >= 0)
            {
                SeedAddressForward(s);
                continue;
            }

            var quota = s.Seed.Amount;
            foreach (var t in s.Transfers)
            {
                var tainted = t.Amount;
                if (quota is { } q)
                {
                    tainted = q < tainted ? q : tainted;
                    quota = q - tainted;
                }

                if (tainted.IsZero)
                {
                    continue;
                }

                Seeded(t.AssetId, tainted, t.Height);
                if (s.Seed.NotBefore is { } nb && Time(t.Height) < nb)
                {
                    Warn($"seed {s.Number}: transfer {TxRef(t).Ref} is before its not-before time");
                }

                ForwardEdge(t, tainted, s.Seed.Hop, swapAllowed: true);
            }
        }

        while (_queue.TryDequeue(out var id, out _))
        {
            _queued.Remove(id);
            if (OutOfBudget())
            {
                break;
            }

            _current = id;
            Process(_store.Transfer(id));
            _current = -1;
        }

        Finish();
    }

    private void SeedAddressForward(ResolvedSeed s)
    {
        var first = 0L;
        if (s.Seed.NotBefore is { } nb)
        {
            first = FirstTransferAtOrAfter(nb);
        }

        foreach (var asset in s.Assets)
        {
            var quota = s.Seed.Amount ?? UInt256.MaxValue;
            var account = Activate(s.AddressId, asset, first, s.Seed.Hop, firstInflowOnly: false);
            if (account is null)
            {
                Warn($"seed {s.Number}: no {AssetName(asset)} posting of the address from the seed's time on");
                continue;
            }

            account.SeedQuota = quota;
            account.SeedFrom = first;
            account.SeedCluster = s.Cluster;
        }
    }

    /// <summary>The first transfer id of the first block at or after a time (binary search on block times).</summary>
    private long FirstTransferAtOrAfter(DateTimeOffset time)
    {
        long lo = _store.BaseHeight, hi = _store.TipHeight ?? _store.BaseHeight - 1;
        if (hi < lo)
        {
            return 0;
        }

        var target = time.ToUnixTimeSeconds();
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_store.Timestamp(mid) < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return _store.Timestamp(lo) < target ? _store.TransferCount : _store.BlockTransfers(lo).FirstTransferId;
    }

    /// <summary>
    /// Makes (address, asset) a tainted account: replays its postings before transfer <paramref name="at"/> as clean history,
    /// and queues its first posting at or after it. Null when it has none (nothing to follow).
    /// </summary>
    private Account? Activate(long address, long asset, long at, int hop, bool firstInflowOnly = true)
    {
        var account = new Account(address, asset, _options.Model) { Hop = hop };
        var cursor = _store.Postings(address).GetEnumerator();
        account.Cursor = cursor;
        while (cursor.MoveNext())
        {
            var (id, outgoing) = cursor.Current;
            var t = _store.Transfer(id);
            _visited++;
            if (t.AssetId != asset || IsNft(t.Kind))
            {
                continue;
            }

            if (id >= at)
            {
                account.Next = id;
                break;
            }

            if (t.FromId == t.ToId)
            {
                continue; // to itself: no change (its two postings are skipped)
            }

            if (outgoing)
            {
                account.Ledger.Outflow(t.Amount);
            }
            else
            {
                account.Ledger.Inflow(t.Amount, UInt256.Zero);
            }
        }

        if (account.Next < 0)
        {
            cursor.Dispose();
            return firstInflowOnly ? throw new InvalidOperationException($"address {address} has no posting of transfer {at}") : null;
        }

        _accounts[(address, asset)] = account;
        Enqueue(account.Next);
        return account;
    }

    private void Enqueue(long id)
    {
        if (id != _current && _queued.Add(id))
        {
            _queue.Enqueue(id, id);
        }
    }

    /// <summary>Moves an account past transfer <paramref name="id"/> to its next posting in the same asset.</summary>
    private void Advance(Account account, long id)
    {
        var cursor = account.Cursor!;
        account.Next = -1;
        while (cursor.MoveNext())
        {
            var (next, _) = cursor.Current;
            if (next <= id)
            {
                continue; // the second posting of a transfer to itself
            }

            var t = _store.Transfer(next);
            _visited++;
            if (t.AssetId == account.Asset && !IsNft(t.Kind))
            {
                account.Next = next;
                Enqueue(next);
                return;
            }
        }

        cursor.Dispose();
    }

    private Account? AccountAt(long address, long asset, long id) =>
        address >= 0 && _accounts.TryGetValue((address, asset), out var a) && a.Next == id ? a : null;

    private void Process(in StoredTransfer t)
    {
        _visited++;
        if (IsNft(t.Kind))
        {
            ProcessNft(t);
            return;
        }

        var sender = AccountAt(t.FromId, t.AssetId, t.Id);
        var recipient = AccountAt(t.ToId, t.AssetId, t.Id);
        if (sender is not null && sender == recipient)
        {
            sender.LastHeight = t.Height;
            Advance(sender, t.Id);
            return;
        }

        if (sender is not null)
        {
            var tainted = sender.Ledger.Outflow(t.Amount);
            sender.LastHeight = t.Height;
            Advance(sender, t.Id);

            // a swap leg the swap already tainted carries at most the rest of its amount; the sender keeps the excess
            var already = AccountAt(t.ToId, t.AssetId, t.Id)?.Credits.GetValueOrDefault(t.Id) ?? UInt256.Zero;
            var room = already < t.Amount ? t.Amount - already : UInt256.Zero;
            if (tainted > room)
            {
                var excess = tainted - room;
                tainted = room;
                var kept = sender.Ledger.Retaint(excess);
                if (kept < excess)
                {
                    EmitHeld(sender.Address, sender.Asset, sender.Hop, excess, excess - kept, t.Height, TraceRules.Unspent,
                        "taint of a swap leg the swap had already tainted, more than the payer's clean balance could take back");
                }
            }

            if (!tainted.IsZero)
            {
                ForwardEdge(t, tainted, sender.Hop + 1, swapAllowed: true);
            }

            recipient = AccountAt(t.ToId, t.AssetId, t.Id); // ForwardEdge may have activated it
        }

        if (recipient is not null)
        {
            var credit = recipient.Credits.Remove(t.Id, out var c) ? c : UInt256.Zero;
            if (t.Id >= recipient.SeedFrom && !recipient.SeedQuota.IsZero && credit < t.Amount
                && (recipient.SeedCluster is null || !recipient.SeedCluster.Contains(t.FromId)))
            {
                var room = t.Amount - credit;
                var seeded = recipient.SeedQuota < room ? recipient.SeedQuota : room;
                recipient.SeedQuota -= seeded;
                credit += seeded;
                Seeded(t.AssetId, seeded, t.Height);
            }

            if (credit > t.Amount)
            {
                // two swap payments credited the same leg: the leg carries its amount, the rest stays held by the recipient
                EmitHeld(recipient.Address, recipient.Asset, recipient.Hop, credit - t.Amount, credit - t.Amount, t.Height, TraceRules.Unspent,
                    "swap credits of one transaction beyond the amount of its leg");
                credit = t.Amount;
            }

            recipient.Ledger.Inflow(t.Amount, credit);
            recipient.LastHeight = t.Height;
            Advance(recipient, t.Id);
        }
    }

    /// <summary>A tainted amount moving by transfer <paramref name="t"/>: decides its rule, records the edge and, when followed, taints the recipient.</summary>
    private void ForwardEdge(in StoredTransfer t, UInt256 tainted, int hop, bool swapAllowed)
    {
        if (IsFee(t.Kind))
        {
            Emit(t, t.FromId, t.ToId, hop, tainted, TraceRules.Fee, t.Kind == EvmTransferKind.FeeBurnt ? "base fee burnt" : "fee to the block's fee recipient");
            return;
        }

        var values = Values(t.AssetId, tainted, Time(t.Height));
        var target = EffectiveTo(t);
        var stop = StopRule(t, target, hop, tainted, values);
        if (stop is null && _options.FollowSwaps && swapAllowed && SwapLeg(t, forward: true) is { } leg)
        {
            SwapForward(t, leg, tainted, hop, values);
            return;
        }

        if (stop is null && _options.FollowSwaps && swapAllowed && NftsBought(t) is { Count: > 0 } bought)
        {
            NftPurchase(t, bought, tainted, hop, values);
            return;
        }

        if (stop is null && t.ToId < 0)
        {
            stop = t.AssetId >= 0 && Settings.BridgeTokens.TryGetValue(_store.Address(t.AssetId), out var bridge) && _options.FollowBridges
                ? (TraceRules.BridgeFollow, $"bridge {bridge}: burn of its token; the release is paired by the cross-chain tracer")
                : (TraceRules.EndBurnt, t.Kind == EvmTransferKind.Unwrap ? "unwrapped (no native payment back in the transaction)" : "burnt");
        }

        if (stop is { } s)
        {
            Emit(t, t.FromId, t.ToId, hop, tainted, s.Rule, s.Detail, values);
            return;
        }

        Emit(t, t.FromId, t.ToId, hop, tainted, TraceRules.Follow, null, values);
        Credit(t.ToId, t.AssetId, t.Id, tainted, hop);
    }

    /// <summary>Taints <paramref name="amount"/> of what transfer <paramref name="id"/> brings to (address, asset).</summary>
    private void Credit(long address, long asset, long id, UInt256 amount, int hop)
    {
        if (!_accounts.TryGetValue((address, asset), out var account))
        {
            account = Activate(address, asset, id, hop)!;
        }

        account.Hop = Math.Min(account.Hop, hop);
        if (account.Next >= 0 && account.Next <= id)
        {
            account.Credits[id] = account.Credits.TryGetValue(id, out var c) ? c + amount : amount;
            return;
        }

        // the transfer was already applied as clean value (a swap leg earlier in its transaction): mark it now
        var marked = account.Ledger.Retaint(amount);
        if (marked < amount)
        {
            Warn($"a swap credit of {amount} reached an account whose clean balance was only {marked}; the rest is held at the end");
            EmitHeld(address, asset, hop, amount, amount - marked, account.LastHeight, TraceRules.Unspent, "swap credit after the balance was spent");
        }
    }

    private void SwapForward(in StoredTransfer t, StoredTransfer leg, UInt256 tainted, int hop, IReadOnlyList<FiatValue> values)
    {
        var carried = TaintLedger.Scale(leg.Amount, tainted, t.Amount);
        var wrap = t.Kind == EvmTransferKind.Unwrap || leg.Kind == EvmTransferKind.Wrap;
        var (_, legRef) = TxRef(leg);
        Emit(t, t.FromId, EffectiveTo(t), hop, tainted, TraceRules.SwapFollow,
            $"{(wrap ? "wrap 1:1" : "swap")} {AssetName(t.AssetId)} → {AssetName(leg.AssetId)}: {t.Amount} in, {leg.Amount} back ({legRef}); tainted {tainted} → {carried}",
            values);
        if (carried.IsZero)
        {
            return;
        }

        Emit(leg, EffectiveFrom(leg), leg.ToId, hop, carried, TraceRules.Follow, $"swap leg of {TxRef(t).Ref}");
        Credit(leg.ToId, leg.AssetId, leg.Id, carried, hop);
    }

    /// <summary>Taint still held: <c>end:unspent</c>, or the limit's rule for accounts whose history was cut short.</summary>
    private void Finish()
    {
        var tip = _store.TipHeight ?? _store.BaseHeight;
        foreach (var ((address, asset), account) in _accounts.OrderBy(kv => kv.Key.Address).ThenBy(kv => kv.Key.Asset))
        {
            account.Cursor?.Dispose();
            var pendingCredit = account.Credits.Values.Aggregate(UInt256.Zero, (a, b) => a + b);
            var held = account.Ledger.Tainted + pendingCredit;
            if (held.IsZero)
            {
                continue;
            }

            var cut = _stopRule is not null && account.Next >= 0;
            EmitHeld(address, asset, account.Hop, account.Ledger.Balance + pendingCredit, held, cut ? account.LastHeight : tip,
                cut ? _stopRule! : TraceRules.Unspent,
                cut ? $"walk stopped: {_stopReason}" : $"held at the tip (block {tip})");
        }

        FinishNfts(tip);
    }
}
