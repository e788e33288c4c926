using System.Numerics;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Evm;

/// <summary>A known exchange hot wallet: its address id and the exchange (index into the exchange list) its tag names.</summary>
public readonly record struct HotWallet(long AddressId, int Exchange);

/// <summary>One transfer from a candidate address to a hot wallet, judged.</summary>
/// <param name="TransferId">The forwarding transfer.</param>
/// <param name="TxId">Its transaction.</param>
/// <param name="Height">Its block.</param>
/// <param name="HotWallet">The hot wallet it paid (address id).</param>
/// <param name="SharePpm">(forwarded + the forward's fee, native only) ÷ received in the window, in ppm; −1 when nothing was received in the window.</param>
/// <param name="Qualifies">True when the share is within [min, max].</param>
public readonly record struct ForwardEvidence(long TransferId, long TxId, long Height, long HotWallet, long SharePpm, bool Qualifies);

/// <summary>A detected deposit address: its exchange, the qualifying forwards (chain order) and how many forwards to hot wallets did not qualify.</summary>
public sealed record DepositFinding(long AddressId, int Exchange, IReadOnlyList<ForwardEvidence> Forwards, int Rejected)
{
    public ForwardEvidence First => Forwards[0];
}

/// <summary>A sender of a deposit address: the first transfer by which it paid in.</summary>
public readonly record struct DepositSender(long AddressId, long TransferId, long TxId);

/// <summary>What the detector found.</summary>
public sealed record DepositDetection(
    IReadOnlyList<DepositFinding> Deposits,
    IReadOnlyDictionary<long, IReadOnlyList<DepositSender>> Senders,
    int Candidates,
    int Conflicts,
    int TooFewForwards);

/// <summary>
/// The deposit-address heuristic (Victor 2020, "Address clustering heuristics for Ethereum"): an exchange gives each customer
/// an address and sweeps what arrives there to its hot wallet. An address is a <b>deposit address</b> of exchange X when it
/// made at least <see cref="EvmClusterSettings.MinForwards"/> qualifying forwards to hot wallets tagged as X's and none to
/// another exchange's. A forward is a transfer of a considered asset (native: Native/Internal; tokens: Erc20) from the
/// address to a hot wallet; it qualifies when what it forwards — plus, for the native coin, the fee the address paid for
/// that transaction — is between the min and max share of what the address received of that asset since its previous
/// outgoing transfer of the asset and within the window (blocks and/or seconds before the forward). Receipts from hot
/// wallets (an exchange topping up gas) are not counted as received.
/// </summary>
/// <remarks>Two passes over the transfers in chain order: the first finds the candidates (addresses that ever paid a hot
/// wallet), the second follows only their receipts, so memory is bounded by the candidates' pending receipts.</remarks>
public static class DepositAddressDetector
{
    private readonly record struct Receipt(long Height, long Time, UInt256 Amount);

    public static DepositDetection Detect(
        Func<IEnumerable<StoredTransfer>> transfers,
        IReadOnlyDictionary<long, int> hotWallets,
        EvmClusterSettings settings,
        Func<long, long>? timestampOf = null)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        ArgumentNullException.ThrowIfNull(hotWallets);
        settings.Validate();
        if (settings.WindowSeconds is not null && timestampOf is null)
        {
            throw new ArgumentException("a time window needs block timestamps", nameof(timestampOf));
        }

        // pass 1: candidates = addresses (not hot wallets) that paid a hot wallet in a considered asset
        var candidates = new HashSet<long>();
        foreach (var t in transfers())
        {
            if (t.ToId >= 0 && t.FromId >= 0 && hotWallets.ContainsKey(t.ToId) && !hotWallets.ContainsKey(t.FromId) && IsOutgoing(t, settings))
            {
                candidates.Add(t.FromId);
            }
        }

        // pass 2: their receipts, fees and forwards, transaction by transaction (fees of a transaction may follow its value transfers)
        var pending = new Dictionary<(long Address, long Asset), List<Receipt>>();
        var forwards = new Dictionary<long, List<ForwardEvidence>>();
        var senders = new Dictionary<long, Dictionary<long, DepositSender>>();
        var group = new List<StoredTransfer>();
        var fees = new Dictionary<long, UInt256>();
        long currentTx = long.MinValue;
        var time = 0L;
        var timeHeight = long.MinValue;

        void Flush()
        {
            if (group.Count == 0)
            {
                return;
            }

            fees.Clear();
            foreach (var t in group)
            {
                if (t.Kind is EvmTransferKind.FeeBurnt or EvmTransferKind.FeeTip && t.FromId >= 0 && candidates.Contains(t.FromId))
                {
                    fees[t.FromId] = fees.GetValueOrDefault(t.FromId) + t.Amount;
                }
            }

            foreach (var t in group)
            {
                if (t.Kind is EvmTransferKind.FeeBurnt or EvmTransferKind.FeeTip)
                {
                    continue;
                }

                if (t.FromId >= 0 && candidates.Contains(t.FromId) && IsOutgoing(t, settings))
                {
                    var key = (t.FromId, t.AssetId);
                    if (hotWallets.ContainsKey(t.ToId))
                    {
                        if (!forwards.TryGetValue(t.FromId, out var list))
                        {
                            forwards[t.FromId] = list = [];
                        }

                        list.Add(Judge(t, pending.GetValueOrDefault(key), t.IsNative ? fees.GetValueOrDefault(t.FromId) : UInt256.Zero, time, settings));
                    }

                    pending.Remove(key); // what follows is judged against what arrives after this outgoing transfer
                }

                if (t.ToId >= 0 && candidates.Contains(t.ToId) && IsIncoming(t, settings) && !(t.FromId >= 0 && hotWallets.ContainsKey(t.FromId)))
                {
                    var key = (t.ToId, t.AssetId);
                    if (!pending.TryGetValue(key, out var list))
                    {
                        pending[key] = list = [];
                    }

                    list.Add(new Receipt(t.Height, time, t.Amount));
                    Prune(list, t.Height, time, settings);
                    if (t.FromId >= 0 && t.Kind is EvmTransferKind.Native or EvmTransferKind.Erc20)
                    {
                        if (!senders.TryGetValue(t.ToId, out var s))
                        {
                            senders[t.ToId] = s = [];
                        }

                        s.TryAdd(t.FromId, new DepositSender(t.FromId, t.Id, t.TxId));
                    }
                }
            }

            group.Clear();
        }

        foreach (var t in transfers())
        {
            if (t.TxId != currentTx || t.IsBlockLevel)
            {
                Flush();
                currentTx = t.IsBlockLevel ? long.MinValue : t.TxId;
            }

            if (settings.WindowSeconds is not null && t.Height != timeHeight)
            {
                Flush();
                timeHeight = t.Height;
                time = timestampOf!(t.Height);
            }

            group.Add(t);
        }

        Flush();

        // decide: qualifying forwards to exactly one exchange, at least MinForwards of them
        var deposits = new List<DepositFinding>();
        int conflicts = 0, tooFew = 0;
        foreach (var address in forwards.Keys.Order())
        {
            var list = forwards[address];
            var good = list.Where(f => f.Qualifies).ToList();
            var exchanges = good.Select(f => hotWallets[f.HotWallet]).Distinct().ToList();
            if (exchanges.Count > 1)
            {
                conflicts++;
                continue;
            }

            if (good.Count < settings.MinForwards)
            {
                if (good.Count > 0)
                {
                    tooFew++;
                }

                continue;
            }

            deposits.Add(new DepositFinding(address, exchanges[0], good, list.Count - good.Count));
        }

        var found = deposits.ToDictionary(d => d.AddressId, d => (IReadOnlyList<DepositSender>)(senders.TryGetValue(d.AddressId, out var s)
            ? s.Values.OrderBy(x => x.TransferId).ToList()
            : []));
        return new DepositDetection(deposits, found, candidates.Count, conflicts, tooFew);
    }

    private static ForwardEvidence Judge(StoredTransfer t, List<Receipt>? receipts, UInt256 fee, long time, EvmClusterSettings settings)
    {
        var received = BigInteger.Zero;
        foreach (var r in receipts ?? [])
        {
            if (InWindow(r, t.Height, time, settings))
            {
                received += r.Amount.ToBigInteger();
            }
        }

        if (received.IsZero)
        {
            return new ForwardEvidence(t.Id, t.TxId, t.Height, t.ToId, -1, false);
        }

        var forwarded = t.Amount.ToBigInteger() + fee.ToBigInteger();
        var ppm = forwarded * EvmClusterSettings.Million / received;
        var share = ppm > long.MaxValue ? long.MaxValue : (long)ppm;
        return new ForwardEvidence(t.Id, t.TxId, t.Height, t.ToId, share,
            forwarded * EvmClusterSettings.Million >= received * settings.MinSharePpm && forwarded * EvmClusterSettings.Million <= received * settings.MaxSharePpm);
    }

    private static bool InWindow(Receipt r, long height, long time, EvmClusterSettings s) =>
        (s.WindowBlocks is not { } b || height - r.Height <= b) && (s.WindowSeconds is not { } sec || time - r.Time <= sec);

    /// <summary>Drops receipts that have left the window (they can never count again: later forwards are later still).</summary>
    private static void Prune(List<Receipt> list, long height, long time, EvmClusterSettings s)
    {
        var drop = 0;
        while (drop < list.Count && !InWindow(list[drop], height, time, s))
        {
            drop++;
        }

        if (drop > 0)
        {
            list.RemoveRange(0, drop);
        }
    }

    private static bool IsOutgoing(StoredTransfer t, EvmClusterSettings s) =>
        t.IsNative
            ? s.Native && t.Kind is EvmTransferKind.Native or EvmTransferKind.Internal or EvmTransferKind.Create or EvmTransferKind.SelfDestruct
            : s.Erc20 && t.Kind is EvmTransferKind.Erc20;

    private static bool IsIncoming(StoredTransfer t, EvmClusterSettings s) =>
        t.IsNative
            ? s.Native && t.Kind is EvmTransferKind.Native or EvmTransferKind.Internal or EvmTransferKind.Create or EvmTransferKind.SelfDestruct
                or EvmTransferKind.BlockReward or EvmTransferKind.UncleReward or EvmTransferKind.Withdrawal
            : s.Erc20 && t.Kind is EvmTransferKind.Erc20 or EvmTransferKind.Wrap;
}
