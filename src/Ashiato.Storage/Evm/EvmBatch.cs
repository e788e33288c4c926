using System.Runtime.InteropServices;
using Ashiato.Chains.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

/// <summary>
/// Blocks appended to an <see cref="EvmChainStore"/> and not yet committed: the columns of the next segment, built in
/// memory (same layout as on disk). One instance per store, reset after each commit (its buffers are reused).
/// </summary>
internal sealed class EvmBatch
{
    internal readonly GrowBuffer BlockHashes = new();
    internal readonly GrowBuffer ParentHashes = new();
    internal readonly GrowBuffer Timestamps = new();
    internal readonly GrowBuffer Flags = new();
    internal readonly GrowBuffer FirstTx = new();
    internal readonly GrowBuffer FirstTransfer = new();
    internal readonly GrowBuffer FirstAddress = new();
    internal readonly BlobColumn Bundles = new();
    internal readonly GrowBuffer TxHashes = new(1 << 16);
    internal readonly GrowBuffer Kinds = new(1 << 14);
    internal readonly GrowBuffer Blocks = new(1 << 16);
    internal readonly GrowBuffer TxIndexes = new(1 << 16);
    internal readonly GrowBuffer Positions = new(1 << 16);
    internal readonly GrowBuffer Assets = new(1 << 16);
    internal readonly GrowBuffer Froms = new(1 << 16);
    internal readonly GrowBuffer Tos = new(1 << 16);
    internal readonly GrowBuffer Amounts = new(1 << 18);
    internal readonly GrowBuffer TokenRows = new();
    internal readonly GrowBuffer TokenIds = new();
    internal readonly GrowBuffer AddressKeys = new(1 << 16);

    /// <summary>(address id &lt;&lt; 32 | entry) in order of appearance; sorted stably into CSR at commit.</summary>
    internal readonly GrowBuffer PostingPairs = new(1 << 16);

    internal readonly GrowBuffer AssetFirsts = new();

    /// <summary>Asset ids first used in this batch (<see cref="AssetFirsts"/> as a set).</summary>
    internal readonly HashSet<uint> NewAssets = [];

    /// <summary>Per block, the number of posting pairs before it (to cut the batch back to a block; not written).</summary>
    private readonly List<int> _blockFirstPosting = [];

    public long FirstHeight { get; private set; }

    public long TxBase { get; private set; }

    public long TransferBase { get; private set; }

    public long AddressBase { get; private set; }

    public int BlockCount { get; private set; }

    public long TxCount { get; private set; }

    public long TransferCount { get; private set; }

    public long AddressCount { get; private set; }

    /// <summary>Bytes of bundles appended so far (for the commit threshold).</summary>
    public long BundleBytes => Bundles.Data.Length;

    public void Reset(long firstHeight, long txBase, long transferBase, long addressBase)
    {
        foreach (var b in new[]
        {
            BlockHashes, ParentHashes, Timestamps, Flags, FirstTx, FirstTransfer, FirstAddress, TxHashes, Kinds, Blocks,
            TxIndexes, Positions, Assets, Froms, Tos, Amounts, TokenRows, TokenIds, AddressKeys, PostingPairs, AssetFirsts,
        })
        {
            b.Clear();
        }

        Bundles.Cleared();
        NewAssets.Clear();
        _blockFirstPosting.Clear();
        FirstHeight = firstHeight;
        TxBase = txBase;
        TransferBase = transferBase;
        AddressBase = addressBase;
        BlockCount = 0;
        TxCount = 0;
        TransferCount = 0;
        AddressCount = 0;
    }

    public void BeginBlock(EvmStoredBlock block)
    {
        Span<byte> hash = stackalloc byte[32];
        block.Hash.WriteTo(hash);
        BlockHashes.Add(hash);
        block.ParentHash.WriteTo(hash);
        ParentHashes.Add(hash);
        Timestamps.Add(block.Timestamp);
        Flags.Add((byte)(block.TracesMissing ? EvmBlockFlags.TracesMissing : EvmBlockFlags.None));
        FirstTx.Add(TxBase + TxCount);
        FirstTransfer.Add(TransferBase + TransferCount);
        FirstAddress.Add(AddressBase + AddressCount);
        Bundles.Add(block.Bundle);
        _blockFirstPosting.Add(PostingPairs.Length / 8);
        BlockCount++;
    }

    public void AddTx(EvmHash hash)
    {
        Span<byte> bytes = stackalloc byte[32];
        hash.WriteTo(bytes);
        TxHashes.Add(bytes);
        TxCount++;
    }

    public uint AddAddress(EvmAddress address)
    {
        Span<byte> key = stackalloc byte[EvmAddress.Size];
        address.WriteTo(key);
        AddressKeys.Add(key);
        return (uint)(AddressBase + AddressCount++);
    }

    /// <summary>Appends a transfer row; returns its batch-local number.</summary>
    public uint AddTransfer(byte kind, int txIndex, int position, uint asset, uint from, uint to, Core.UInt256 amount, Core.UInt256 tokenId)
    {
        var local = (uint)TransferCount;
        Kinds.Add(kind);
        Blocks.Add((uint)(BlockCount - 1));
        TxIndexes.Add(txIndex);
        Positions.Add(position);
        Assets.Add(asset);
        Froms.Add(from);
        Tos.Add(to);
        Span<byte> word = stackalloc byte[32];
        amount.WriteLittleEndian(word);
        Amounts.Add(word);
        if (!tokenId.IsZero)
        {
            TokenRows.Add(local);
            tokenId.WriteLittleEndian(word);
            TokenIds.Add(word);
        }

        if (from != EvmChainStore.NoAddress)
        {
            PostingPairs.Add(((ulong)from << 32) | local | 0x8000_0000u);
        }

        if (to != EvmChainStore.NoAddress)
        {
            PostingPairs.Add(((ulong)to << 32) | local);
        }

        TransferCount++;
        return local;
    }

    public void AddAssetFirst(uint addressId, uint transferLocal)
    {
        AssetFirsts.Add(new EvmAssetFirst { AddressId = addressId, TransferLocal = transferLocal });
        NewAssets.Add(addressId);
    }

    // ------------------------------------------------------------ reads of pending rows

    public EvmHash BlockHash(int local) => new(BlockHashes.Slice(local * 32, 32));

    public EvmHash ParentHash(int local) => new(ParentHashes.Slice(local * 32, 32));

    public long Timestamp(int local) => Timestamps.Get<long>(local);

    public EvmBlockFlags BlockFlags(int local) => (EvmBlockFlags)Flags.Get<byte>(local);

    public long BlockFirstTx(int local) => local == BlockCount ? TxBase + TxCount : FirstTx.Get<long>(local);

    public long BlockFirstTransfer(int local) => local == BlockCount ? TransferBase + TransferCount : FirstTransfer.Get<long>(local);

    public ReadOnlySpan<byte> Bundle(int local) => Bundles.Get(local);

    public EvmHash TxHash(long local) => new(TxHashes.Slice((int)(local * 32), 32));

    public ReadOnlySpan<byte> AddressKey(long local) => AddressKeys.Slice((int)(local * EvmAddress.Size), EvmAddress.Size);

    /// <summary>Batch-local block holding a global transaction id.</summary>
    public int BlockOfTx(long txId)
    {
        int lo = 0, hi = BlockCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (FirstTx.Get<long>(mid) <= txId)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>Drops every block from batch-local block <paramref name="keep"/> on (a reorg inside the batch).</summary>
    public void Cut(int keep)
    {
        if (keep >= BlockCount)
        {
            return;
        }

        var txs = (int)(FirstTx.Get<long>(keep) - TxBase);
        var transfers = (int)(FirstTransfer.Get<long>(keep) - TransferBase);
        var addresses = (int)(FirstAddress.Get<long>(keep) - AddressBase);
        foreach (var (buffer, width) in new[]
        {
            (BlockHashes, 32), (ParentHashes, 32), (Timestamps, 8), (Flags, 1), (FirstTx, 8), (FirstTransfer, 8), (FirstAddress, 8),
        })
        {
            buffer.Shrink(keep * width);
        }

        var dataLength = keep == 0 ? 0 : (int)Bundles.Offsets.Get<uint>(keep);
        Bundles.Offsets.Shrink(keep == 0 ? 0 : (keep + 1) * 4);
        Bundles.Data.Shrink(dataLength);
        TxHashes.Shrink(txs * 32);
        foreach (var (buffer, width) in new[] { (Kinds, 1), (Blocks, 4), (TxIndexes, 4), (Positions, 4), (Assets, 4), (Froms, 4), (Tos, 4), (Amounts, 32) })
        {
            buffer.Shrink(transfers * width);
        }

        var tokenRows = CountBelow(TokenRows.As<uint>(), (uint)transfers);
        TokenRows.Shrink(tokenRows * 4);
        TokenIds.Shrink(tokenRows * 32);
        AddressKeys.Shrink(addresses * EvmAddress.Size);
        PostingPairs.Shrink(_blockFirstPosting[keep] * 8);
        _blockFirstPosting.RemoveRange(keep, _blockFirstPosting.Count - keep);
        var firsts = MemoryMarshal.Cast<byte, EvmAssetFirst>(AssetFirsts.Span);
        var assets = 0;
        while (assets < firsts.Length && firsts[assets].TransferLocal < transfers)
        {
            assets++;
        }

        for (var i = assets; i < firsts.Length; i++)
        {
            NewAssets.Remove(firsts[i].AddressId);
        }

        AssetFirsts.Shrink(assets * 8);
        BlockCount = keep;
        TxCount = txs;
        TransferCount = transfers;
        AddressCount = addresses;
    }

    private static int CountBelow(ReadOnlySpan<uint> ascending, uint bound)
    {
        var n = 0;
        while (n < ascending.Length && ascending[n] < bound)
        {
            n++;
        }

        return n;
    }
}
