using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Storage.Files;

namespace Ashiato.Storage.Evm;

/// <summary>A committed, immutable EVM segment: a contiguous range of blocks, one memory-mapped file per column.</summary>
public sealed class EvmSegment : IDisposable
{
    private readonly Dictionary<string, MappedFile> _files = [];
    private readonly MappedFile _blockHash;
    private readonly MappedFile _blockFirstTx;
    private readonly MappedFile _blockFirstTransfer;
    private readonly MappedFile _txHash;
    private readonly MappedFile _addressKeys;

    public EvmSegment(string directory, EvmSegmentInfo info)
    {
        Directory = directory;
        Info = info;
        try
        {
            foreach (var column in EvmColumns.All)
            {
                if (!info.Files.TryGetValue(column, out var length))
                {
                    throw new InvalidDataException($"{directory}: the manifest lists no column '{column}'");
                }

                _files[column] = new MappedFile(Path.Combine(directory, column), length);
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _blockHash = _files[EvmColumns.BlockHash];
        _blockFirstTx = _files[EvmColumns.BlockFirstTx];
        _blockFirstTransfer = _files[EvmColumns.BlockFirstTransfer];
        _txHash = _files[EvmColumns.TxHash];
        _addressKeys = _files[EvmColumns.AddressKeys];
    }

    public string Directory { get; }

    public EvmSegmentInfo Info { get; }

    public long SizeOnDisk => _files.Values.Sum(f => f.Length);

    public long BundleBytes => ColumnBytes(EvmColumns.BundleData);

    internal MappedFile this[string column] => _files[column];

    internal long ColumnBytes(string column) => _files.TryGetValue(column, out var f) ? f.Length : 0;

    /// <summary>The whole committed content of a column (columns are below 2 GB: they are built in memory).</summary>
    internal ReadOnlySpan<byte> ColumnSpan(string column)
    {
        var f = _files[column];
        return f.Length == 0 ? [] : f.Span(0, checked((int)f.Length));
    }

    public EvmHash BlockHash(int localBlock) => new(_blockHash.Span(localBlock * 32L, 32));

    public EvmHash ParentHash(int localBlock) => new(_files[EvmColumns.BlockParent].Span(localBlock * 32L, 32));

    public long Timestamp(int localBlock) => _files[EvmColumns.BlockTime].Read<long>(localBlock);

    public EvmBlockFlags Flags(int localBlock) => (EvmBlockFlags)_files[EvmColumns.BlockFlags].Read<byte>(localBlock);

    public long BlockFirstTx(int localBlock) =>
        localBlock == Info.BlockCount ? Info.TxBase + Info.TxCount : _blockFirstTx.Read<long>(localBlock);

    public long BlockFirstTransfer(int localBlock) =>
        localBlock == Info.BlockCount ? Info.TransferBase + Info.TransferCount : _blockFirstTransfer.Read<long>(localBlock);

    public long BlockFirstAddress(int localBlock) =>
        localBlock == Info.BlockCount ? Info.AddressBase + Info.AddressCount : _files[EvmColumns.BlockFirstAddress].Read<long>(localBlock);

    public ReadOnlySpan<byte> Bundle(int localBlock)
    {
        var off = _files[EvmColumns.BundleOffsets];
        var start = off.Read<uint>(localBlock);
        var end = off.Read<uint>(localBlock + 1);
        return end == start ? [] : _files[EvmColumns.BundleData].Span(start, checked((int)(end - start)));
    }

    public EvmHash TxHash(long localTx) => new(_txHash.Span(localTx * 32, 32));

    public EvmAddress AddressKey(long localAddress) => new(_addressKeys.Span(localAddress * EvmAddress.Size, EvmAddress.Size));

    internal ReadOnlySpan<byte> AddressKeyBytes(long localAddress) => _addressKeys.Span(localAddress * EvmAddress.Size, EvmAddress.Size);

    /// <summary>Segment-local block holding a global transaction id: the last block whose first transaction is at or before it.</summary>
    public int BlockOfTx(long txId) => LastBlockAtOrBefore(_blockFirstTx, txId);

    /// <summary>A transfer row, with global ids (-1 for the native coin, none as sender or recipient).</summary>
    public StoredTransfer Transfer(long localTransfer)
    {
        var block = (int)_files[EvmColumns.TransferBlock].Read<uint>(localTransfer);
        var txIndex = _files[EvmColumns.TransferTx].Read<int>(localTransfer);
        return new StoredTransfer(
            Info.TransferBase + localTransfer,
            Info.FirstHeight + block,
            txIndex < 0 ? -1 : BlockFirstTx(block) + txIndex,
            txIndex,
            _files[EvmColumns.TransferPosition].Read<int>(localTransfer),
            (Chains.Evm.Model.EvmTransferKind)_files[EvmColumns.TransferKind].Read<byte>(localTransfer),
            Id(_files[EvmColumns.TransferAsset].Read<uint>(localTransfer)),
            Id(_files[EvmColumns.TransferFrom].Read<uint>(localTransfer)),
            Id(_files[EvmColumns.TransferTo].Read<uint>(localTransfer)),
            UInt256.FromLittleEndian(_files[EvmColumns.TransferAmount].Span(localTransfer * 32, 32)),
            TokenId(localTransfer));
    }

    private static long Id(uint stored) => stored == EvmChainStore.NoAddress ? -1 : stored;

    /// <summary>The token id of a transfer (zero unless the transfer has one).</summary>
    public UInt256 TokenId(long localTransfer)
    {
        var rows = _files[EvmColumns.TokenIdRows];
        long lo = 0, hi = rows.Count<uint>() - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = rows.Read<uint>(mid);
            if (v == localTransfer)
            {
                return UInt256.FromLittleEndian(_files[EvmColumns.TokenIdValues].Span(mid * 32, 32));
            }

            if (v < localTransfer)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return UInt256.Zero;
    }

    /// <summary>Posting entries of an address in this segment (bit 31 set = outgoing; low bits = local transfer).</summary>
    public (long Start, long Count) Postings(uint addressId)
    {
        var keys = _files[EvmColumns.PostingKeys];
        long lo = 0, hi = keys.Count<uint>() - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = keys.Read<uint>(mid);
            if (v == addressId)
            {
                var offs = _files[EvmColumns.PostingOffsets];
                var s = offs.Read<uint>(mid);
                var e = offs.Read<uint>(mid + 1);
                return (s, e - s);
            }

            if (v < addressId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return (0, 0);
    }

    public uint PostingEntry(long index) => _files[EvmColumns.PostingEntries].Read<uint>(index);

    public long AssetFirstCount => _files[EvmColumns.AssetFirsts].Count<EvmAssetFirst>();

    public EvmAssetFirst AssetFirst(long row) => _files[EvmColumns.AssetFirsts].Read<EvmAssetFirst>(row);

    private int LastBlockAtOrBefore(MappedFile firsts, long id)
    {
        int lo = 0, hi = Info.BlockCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (firsts.Read<long>(mid) <= id)
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

    public void Dispose()
    {
        foreach (var f in _files.Values)
        {
            f.Dispose();
        }
    }
}
