using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

public sealed partial class EvmChainStore
{
    /// <summary>Segments smaller than this count as small for compaction.</summary>
    public const long SmallSegmentBytes = 16L * 1024 * 1024;

    /// <summary>How many small segments at the tail trigger a merge.</summary>
    public const int CompactAfter = 16;

    /// <summary>
    /// Merges the small segments at the tail of the chain into one when there are at least <see cref="CompactAfter"/>
    /// of them (following a node commits one small segment per poll). Ids do not change; the manifest is written before
    /// the old directories are deleted. Returns the number of segments merged (0 if none).
    /// </summary>
    public int CompactTail()
    {
        EnsureWriter();
        var first = _segments.Count;
        while (first > 0 && _segments[first - 1].SizeOnDisk < SmallSegmentBytes)
        {
            first--;
        }

        var count = _segments.Count - first;
        if (count < CompactAfter)
        {
            return 0;
        }

        Merge(first, count);
        return count;
    }

    /// <summary>
    /// Rewrites <paramref name="count"/> adjacent segments starting at <paramref name="first"/> as one. Pending blocks are
    /// not affected (ids do not change).
    /// </summary>
    public void Merge(int first, int count)
    {
        EnsureWriter();
        if (count < 2)
        {
            return;
        }

        var parts = _segments.GetRange(first, count);
        var next = _manifest.Clone();
        var name = $"seg-{next.Generation + 1:D8}";
        var dir = Path.Combine(Directory, name);
        var info = WriteMerged(parts, dir, name);
        next.Segments.RemoveRange(first, count);
        next.Segments.Insert(first, info);
        next.Save(Directory);
        _manifest = next;
        _segments.RemoveRange(first, count);
        _segments.Insert(first, new EvmSegment(dir, info));
        foreach (var s in parts)
        {
            s.Dispose();
            System.IO.Directory.Delete(s.Directory, recursive: true);
        }
    }

    private static EvmSegmentInfo WriteMerged(List<EvmSegment> parts, string dir, string name)
    {
        var head = parts[0].Info;
        var blocks = parts.Sum(p => (long)p.Info.BlockCount);
        var transfers = parts.Sum(p => p.Info.TransferCount);
        if (transfers >= int.MaxValue || blocks >= int.MaxValue || parts.Sum(p => p.SizeOnDisk) >= Array.MaxLength)
        {
            throw new InvalidOperationException("merged segment would exceed 2^31 transfers or 2 GB per column");
        }

        var w = EvmSegmentWriter.Create(dir, new EvmSegmentInfo
        {
            Name = name,
            FirstHeight = head.FirstHeight,
            BlockCount = (int)blocks,
            TxBase = head.TxBase,
            TxCount = parts.Sum(p => p.Info.TxCount),
            TransferBase = head.TransferBase,
            TransferCount = transfers,
            AddressBase = head.AddressBase,
            AddressCount = parts.Sum(p => p.Info.AddressCount),
        });

        // columns holding global ids or plain values: concatenated as they are
        foreach (var column in new[]
        {
            EvmColumns.BlockHash, EvmColumns.BlockParent, EvmColumns.BlockTime, EvmColumns.BlockFlags, EvmColumns.BlockFirstTx,
            EvmColumns.BlockFirstTransfer, EvmColumns.BlockFirstAddress, EvmColumns.BundleData, EvmColumns.TxHash,
            EvmColumns.TransferKind, EvmColumns.TransferTx, EvmColumns.TransferPosition, EvmColumns.TransferAsset,
            EvmColumns.TransferFrom, EvmColumns.TransferTo, EvmColumns.TransferAmount, EvmColumns.TokenIdValues,
            EvmColumns.AddressKeys,
        })
        {
            var buffer = new GrowBuffer();
            foreach (var p in parts)
            {
                buffer.Add(p.ColumnSpan(column));
            }

            w.Put(column, buffer.Span);
        }

        // columns with segment-local block, transfer or byte numbers: shifted by what the earlier parts hold
        var bundleOffsets = new GrowBuffer();
        var transferBlocks = new GrowBuffer();
        var tokenRows = new GrowBuffer();
        var assetFirsts = new GrowBuffer();
        var pairs = new GrowBuffer();
        uint blockShift = 0, transferShift = 0, bundleShift = 0;
        foreach (var p in parts)
        {
            var offsets = p[EvmColumns.BundleOffsets];
            for (long i = bundleOffsets.Length == 0 ? 0 : 1; i <= p.Info.BlockCount; i++)
            {
                bundleOffsets.Add(offsets.Read<uint>(i) + bundleShift);
            }

            var localBlocks = p[EvmColumns.TransferBlock];
            for (long i = 0; i < p.Info.TransferCount; i++)
            {
                transferBlocks.Add(localBlocks.Read<uint>(i) + blockShift);
            }

            var rows = p[EvmColumns.TokenIdRows];
            for (long i = 0; i < rows.Count<uint>(); i++)
            {
                tokenRows.Add(rows.Read<uint>(i) + transferShift);
            }

            for (long i = 0; i < p.AssetFirstCount; i++)
            {
                var row = p.AssetFirst(i);
                row.TransferLocal += transferShift;
                assetFirsts.Add(row);
            }

            var keys = p[EvmColumns.PostingKeys];
            for (long k = 0; k < keys.Count<uint>(); k++)
            {
                var address = keys.Read<uint>(k);
                var (start, n) = p.Postings(address);
                for (var i = 0L; i < n; i++)
                {
                    pairs.Add(((ulong)address << 32) | (p.PostingEntry(start + i) + transferShift));
                }
            }

            blockShift += (uint)p.Info.BlockCount;
            transferShift += (uint)p.Info.TransferCount;
            bundleShift += (uint)p.BundleBytes;
        }

        w.Put(EvmColumns.BundleOffsets, bundleOffsets.Span);
        w.Put(EvmColumns.TransferBlock, transferBlocks.Span);
        w.Put(EvmColumns.TokenIdRows, tokenRows.Span);
        w.Put(EvmColumns.AssetFirsts, assetFirsts.Span);

        // postings: parts in chain order, so a stable sort by address keeps each address's entries in chain order
        w.PutPostings(pairs.As<ulong>());
        return w.Finish();
    }
}
