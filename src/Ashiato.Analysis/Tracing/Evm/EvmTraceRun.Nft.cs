using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// Forward through NFTs (ERC-721 and ERC-1155): tainted value that buys an NFT moves into the NFT, follows the token from
/// holder to holder, and comes out again in what the holder is paid when the token is sold. A token id is no fungible
/// amount, so an NFT carries its taint in the units of the asset that bought it: its edges' asset is
/// <c>contract#tokenId</c>, their amount the price paid for it, their tainted part the tainted share of that price (the
/// detail names the asset the amounts are in; fiat values are that asset's).
/// <list type="bullet">
/// <item><b>Purchase</b> (<c>swap:follow</c>): in one transaction P pays tainted value (any fungible asset, to anyone — a
/// marketplace contract, the seller, the NFT contract for a paid mint) and receives NFTs (from anyone but itself), and
/// nothing fungible comes back that makes it a swap. The price is everything P paid in that asset in the transaction;
/// several NFTs share it (and the taint) in equal parts, the remainders to the first.</item>
/// <item><b>Move</b> (<c>follow</c>, or a stop rule of the recipient): the token leaves P in a transaction in which P is
/// paid nothing; the recipient holds it, one hop further. ERC-1155: moving k of the n tokens of one id carries
/// k/n of price and taint (floor; the rest stays).</item>
/// <item><b>Sale</b> (<c>swap:follow</c> of the NFT): the token leaves P in a transaction in which P is paid (any fungible
/// asset, by anyone but P). Each payment to P (split equally over the NFTs P gives up in that transaction) is a
/// <c>follow</c> edge "swap leg of …" carrying <c>floor(payment × tainted / price)</c>, and P's balance in that asset is
/// tainted from it, as for a swap. The buyer's NFT is clean, as a pool is after a swap.</item>
/// <item>A token still held at the end is <c>end:unspent</c> (or the limit's rule when the walk was cut short).</item>
/// </list>
/// Per NFT asset: tainted in by purchases = endpoints + sold, exactly (the conservation the tests check).
/// Backward traces do not pass through NFTs (a sale's proceeds lead to the buyer's payment, as today).
/// </summary>
internal sealed partial class EvmTraceRun
{
    private readonly Dictionary<(long Holder, long Contract, UInt256 TokenId, long PriceAsset), NftPosition> _nfts = [];
    private readonly Dictionary<long, List<NftPosition>> _nftWaiting = [];

    /// <summary>A tainted NFT held by one address: what it cost (in <see cref="PriceAsset"/>) and how much of that was tainted.</summary>
    private sealed class NftPosition(long holder, long contract, UInt256 tokenId, long priceAsset)
    {
        public long Holder { get; } = holder;

        public long Contract { get; } = contract;

        public UInt256 TokenId { get; } = tokenId;

        public long PriceAsset { get; } = priceAsset;

        /// <summary>Tokens of this id held (1 for ERC-721).</summary>
        public UInt256 Count { get; set; }

        public UInt256 Price { get; set; }

        public UInt256 Tainted { get; set; }

        public int Hop { get; set; }

        /// <summary>The transfer that next moves the token out of the holder, or -1.</summary>
        public long Next { get; set; } = -1;

        public long LastHeight { get; set; }

        /// <summary>The transaction of the last purchase that added to this position (its price is counted once).</summary>
        public long PurchaseTx { get; set; } = -1;
    }

    private string NftName(long contract, UInt256 tokenId) => $"{_store.Address(contract)}#{tokenId}";

    /// <summary>NFT transfers to P = the payer of <paramref name="t"/> in its transaction (from anyone but P, mints included).</summary>
    private List<StoredTransfer> NftsBought(in StoredTransfer t)
    {
        var bought = new List<StoredTransfer>();
        var payer = t.FromId;
        if (t.IsBlockLevel || IsFee(t.Kind) || IsNft(t.Kind) || payer < 0)
        {
            return bought;
        }

        foreach (var n in TxLegs(t))
        {
            if (IsNft(n.Kind) && n.ToId == payer && n.FromId != payer && !n.Amount.IsZero)
            {
                bought.Add(n);
            }
        }

        return bought;
    }

    /// <summary>The tainted payment <paramref name="t"/> bought <paramref name="bought"/>: its taint moves into the NFTs.</summary>
    private void NftPurchase(in StoredTransfer t, List<StoredTransfer> bought, UInt256 tainted, int hop, IReadOnlyList<FiatValue> values)
    {
        var payer = t.FromId;
        var price = UInt256.Zero;
        foreach (var p in TxLegs(t))
        {
            if (p.FromId == payer && p.AssetId == t.AssetId && !IsFee(p.Kind) && !IsNft(p.Kind) && p.ToId != payer)
            {
                price += p.Amount;
            }
        }

        var names = string.Join(", ", bought.Select(n => NftName(n.AssetId, n.TokenId)));
        var (_, payRef) = TxRef(t);
        Emit(t, t.FromId, EffectiveTo(t), hop, tainted, TraceRules.SwapFollow,
            $"NFT purchase: {AssetName(t.AssetId)} → {names}: {price} paid in the transaction, {tainted} of it tainted by this payment", values);

        var k = (ulong)bought.Count;
        for (var i = 0; i < bought.Count; i++)
        {
            var n = bought[i];
            var share = Split(price, k, i);
            var taintShare = Split(tainted, k, i);
            var key = (payer, n.AssetId, n.TokenId, t.AssetId);
            if (!_nfts.TryGetValue(key, out var position))
            {
                position = new NftPosition(payer, n.AssetId, n.TokenId, t.AssetId) { Hop = hop };
                _nfts[key] = position;
            }

            // several tainted payments of one purchase add taint; the price and the tokens are counted once per transaction
            if (position.PurchaseTx != t.TxId)
            {
                position.Price += share;
                position.Count += n.Amount;
                position.PurchaseTx = t.TxId;
            }

            position.Tainted += taintShare;
            position.Hop = Math.Min(position.Hop, hop);
            position.LastHeight = n.Height;
            EmitNft(n, EffectiveFrom(n), payer, hop, position.PriceAsset, share, taintShare, TraceRules.Follow,
                $"swap leg of {payRef}: NFT bought with {AssetName(t.AssetId)}; amounts in {AssetName(t.AssetId)} (price share {share}, tainted {taintShare})");
            WaitForNextMove(position, n.Id);
        }
    }

    /// <summary>Queues the next transfer that moves <paramref name="position"/>'s token out of its holder after transfer <paramref name="after"/>.</summary>
    private void WaitForNextMove(NftPosition position, long after)
    {
        if (position.Next >= 0)
        {
            return; // already waiting (a second purchase of the same ERC-1155 id)
        }

        foreach (var (id, outgoing) in _store.Postings(position.Holder))
        {
            if (id <= after || !outgoing)
            {
                continue;
            }

            var t = _store.Transfer(id);
            _visited++;
            if (IsNft(t.Kind) && t.AssetId == position.Contract && t.TokenId == position.TokenId && t.FromId == position.Holder && t.ToId != t.FromId)
            {
                position.Next = id;
                if (!_nftWaiting.TryGetValue(id, out var list))
                {
                    _nftWaiting[id] = list = [];
                }

                list.Add(position);
                Enqueue(id);
                return;
            }
        }
    }

    /// <summary>An NFT transfer the walk reached: moves or sells every tainted position waiting for it.</summary>
    private void ProcessNft(in StoredTransfer t)
    {
        if (!_nftWaiting.Remove(t.Id, out var waiting))
        {
            return;
        }

        foreach (var position in waiting)
        {
            position.Next = -1;
            position.LastHeight = t.Height;
            var moved = t.Amount < position.Count ? t.Amount : position.Count;
            var price = Proportion(position.Price, moved, position.Count);
            var tainted = Proportion(position.Tainted, moved, position.Count);
            position.Count -= moved;
            position.Price -= price;
            position.Tainted -= tainted;
            if (position.Count.IsZero || position.Tainted.IsZero)
            {
                // all of it left, or nothing tainted is left to follow: the holder's position ends here
                _nfts.Remove((position.Holder, position.Contract, position.TokenId, position.PriceAsset));
            }
            else
            {
                WaitForNextMove(position, t.Id);
            }

            if (!tainted.IsZero)
            {
                MoveNft(t, position, moved, price, tainted);
            }
        }
    }

    private void MoveNft(in StoredTransfer t, NftPosition from, UInt256 count, UInt256 price, UInt256 tainted)
    {
        var holder = from.Holder;
        var priceName = AssetName(from.PriceAsset);
        var proceeds = new List<StoredTransfer>();
        var given = 0;
        foreach (var p in TxLegs(t))
        {
            if (p.ToId == holder && p.FromId != holder && !IsFee(p.Kind) && !IsNft(p.Kind) && !p.Amount.IsZero)
            {
                proceeds.Add(p);
            }
            else if (IsNft(p.Kind) && p.FromId == holder && p.ToId != holder)
            {
                given++;
            }
        }

        var hop = from.Hop;
        if (proceeds.Count > 0)
        {
            // a sale: the taint leaves the NFT for what the holder is paid
            var (_, saleRef) = TxRef(t);
            EmitNft(t, holder, t.ToId, hop, from.PriceAsset, price, tainted, TraceRules.SwapFollow,
                $"NFT sale: {NftName(t.AssetId, t.TokenId)} for {string.Join(" + ", proceeds.Select(p => $"{p.Amount} {AssetName(p.AssetId)}"))}"
                + (given > 1 ? $" (shared by the {given} NFTs it gave up)" : "") + $"; amounts in {priceName}, tainted {tainted} of {price}");
            foreach (var p in proceeds)
            {
                var paid = Split(p.Amount, (ulong)Math.Max(1, given), 0);
                var carried = TaintLedger.Scale(paid, tainted, price);
                if (carried > p.Amount)
                {
                    carried = p.Amount;
                }

                if (carried.IsZero)
                {
                    continue;
                }

                Emit(p, EffectiveFrom(p), holder, hop, carried, TraceRules.Follow, $"swap leg of {saleRef}: proceeds of the NFT sale");
                Credit(holder, p.AssetId, p.Id, carried, hop);
            }

            return;
        }

        var to = t.ToId;
        var values = Values(from.PriceAsset, tainted, Time(t.Height));
        if (to < 0)
        {
            EmitNft(t, holder, to, hop + 1, from.PriceAsset, price, tainted, TraceRules.EndBurnt, $"NFT burnt; amounts in {priceName}", values);
            return;
        }

        var stop = StopRule(t, to, hop + 1, tainted, values);
        if (stop is { Rule: TraceRules.BridgeFollow })
        {
            // bridges are paired by fungible amounts; an NFT is not followed across chains
            stop = (TraceRules.StopService, $"NFT into a bridge ({stop.Value.Detail}); NFTs are not followed across chains");
        }

        if (stop is { } s)
        {
            EmitNft(t, holder, to, hop + 1, from.PriceAsset, price, tainted, s.Rule, $"{s.Detail}; amounts in {priceName}", values);
            return;
        }

        EmitNft(t, holder, to, hop + 1, from.PriceAsset, price, tainted, TraceRules.Follow, $"NFT moved; amounts in {priceName}", values);
        var key = (to, t.AssetId, t.TokenId, from.PriceAsset);
        if (!_nfts.TryGetValue(key, out var position))
        {
            position = new NftPosition(to, t.AssetId, t.TokenId, from.PriceAsset) { Hop = hop + 1 };
            _nfts[key] = position;
        }

        position.Count += count;
        position.Price += price;
        position.Tainted += tainted;
        position.Hop = Math.Min(position.Hop, hop + 1);
        position.LastHeight = t.Height;
        WaitForNextMove(position, t.Id);
    }

    /// <summary>Tainted NFTs still held when the walk ends: <c>end:unspent</c>, or the limit's rule for those still waiting to move.</summary>
    private void FinishNfts(long tip)
    {
        foreach (var position in _nfts.Values
                     .OrderBy(p => p.Holder).ThenBy(p => p.Contract).ThenBy(p => p.TokenId).ThenBy(p => p.PriceAsset))
        {
            if (position.Tainted.IsZero)
            {
                continue;
            }

            var cut = _stopRule is not null && position.Next >= 0;
            EmitHeld(position.Holder, position.PriceAsset, position.Hop, position.Price, position.Tainted, cut ? position.LastHeight : tip,
                cut ? _stopRule! : TraceRules.Unspent,
                (cut ? $"walk stopped: {_stopReason}" : $"NFT held at the tip (block {tip})") + $"; amounts in {AssetName(position.PriceAsset)}",
                assetName: NftName(position.Contract, position.TokenId));
        }
    }

    /// <summary>An edge of an NFT transfer: asset <c>contract#id</c>, amounts in <paramref name="priceAsset"/>.</summary>
    private void EmitNft(in StoredTransfer n, long from, long to, int hop, long priceAsset, UInt256 amount, UInt256 tainted, string rule, string detail,
        IReadOnlyList<FiatValue>? values = null) =>
        Emit(n, from, to, hop, tainted, rule, detail, values, NftName(n.AssetId, n.TokenId), amount, priceAsset);

    /// <summary>Part <paramref name="index"/> of <paramref name="value"/> split in <paramref name="parts"/> equal parts (floor; the remainder to part 0).</summary>
    private static UInt256 Split(UInt256 value, ulong parts, int index)
    {
        if (parts <= 1)
        {
            return value;
        }

        var each = UInt256.FromBigInteger(value.ToBigInteger() / parts);
        return index == 0 ? value - (each * parts) + each : each;
    }

    /// <summary>floor(value × part / whole); all of it when part ≥ whole.</summary>
    private static UInt256 Proportion(UInt256 value, UInt256 part, UInt256 whole) => part >= whole ? value : TaintLedger.Scale(value, part, whole);
}
