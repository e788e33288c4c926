using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

public sealed partial class UtxoChainStore
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

    /// <summary>Rewrites <paramref name="count"/> adjacent segments starting at <paramref name="first"/> as one.</summary>
    public void Merge(int first, int count)
    {
        if (_batch is not null)
        {
            throw new InvalidOperationException("cannot merge segments with an open batch");
        }

        if (count < 2)
        {
            return;
        }

        var parts = _segments.GetRange(first, count);
        var next = _manifest.Clone();
        var name = $"seg-{next.Generation + 1:D8}";
        var dir = Path.Combine(Directory, name);
        var info = WriteMerged(parts, dir, name, KeepInputScripts);
        next.Segments.RemoveRange(first, count);
        next.Segments.Insert(first, info);
        next.Save(Directory);
        _manifest = next;
        _segments.RemoveRange(first, count);
        _segments.Insert(first, new Segment(dir, info));
        foreach (var s in parts)
        {
            s.Dispose();
            System.IO.Directory.Delete(s.Directory, recursive: true);
        }
    }

    private static SegmentInfo WriteMerged(List<Segment> parts, string dir, string name, bool inputScripts)
    {
        System.IO.Directory.CreateDirectory(dir);
        var head = parts[0].Info;
        var info = new SegmentInfo
        {
            Name = name,
            FirstHeight = head.FirstHeight,
            BlockCount = parts.Sum(p => p.Info.BlockCount),
            TxBase = head.TxBase,
            TxCount = parts.Sum(p => p.Info.TxCount),
            InputBase = head.InputBase,
            InputCount = parts.Sum(p => p.Info.InputCount),
            OutputBase = head.OutputBase,
            OutputCount = parts.Sum(p => p.Info.OutputCount),
            AddressBase = head.AddressBase,
            AddressCount = parts.Sum(p => p.Info.AddressCount),
        };
        if (info.InputCount >= int.MaxValue || info.OutputCount >= int.MaxValue)
        {
            throw new InvalidOperationException("merged segment would exceed 2^31 inputs or outputs");
        }

        void Put(string column, ReadOnlySpan<byte> data)
        {
            DurableFile.WriteFlushed(Path.Combine(dir, column), data);
            info.Files[column] = data.Length;
        }

        // fixed-width columns holding global ids or plain values: concatenated as they are
        foreach (var column in new[]
        {
            Columns.BlockHash, Columns.BlockHeader, Columns.BlockMeta, Columns.TxId, Columns.InPrev, Columns.InSequence,
            Columns.OutValue, Columns.OutAddress, Columns.OutType,
        })
        {
            var buffer = new GrowBuffer();
            foreach (var p in parts)
            {
                buffer.Add(p.ColumnBytes(column) == 0 ? [] : p[column].Span(0, checked((int)p.ColumnBytes(column))));
            }

            Put(column, buffer.Span);
        }

        // columns with segment-local input/output numbers: shifted by what the earlier parts hold
        var txMeta = new GrowBuffer();
        var ext = new GrowBuffer();
        var scriptIds = new GrowBuffer();
        int inShift = 0, outShift = 0;
        var pairs = new List<ulong>();
        foreach (var p in parts)
        {
            for (long t = 0; t < p.Info.TxCount; t++)
            {
                var m = p.TxMeta(t);
                m.InputLocal += inShift;
                m.OutputLocal += outShift;
                txMeta.Add(m);
            }

            var rows = p[Columns.InExternal];
            for (long r = 0; r < rows.Count<ExternalPrevout>(); r++)
            {
                var row = rows.Read<ExternalPrevout>(r);
                row.InputLocal += inShift;
                ext.Add(row);
            }

            var ids = p[Columns.OutScriptIds];
            for (long r = 0; r < ids.Count<uint>(); r++)
            {
                scriptIds.Add(ids.Read<uint>(r) + (uint)outShift);
            }

            var keys = p[Columns.PostingKeys];
            for (long k = 0; k < keys.Count<uint>(); k++)
            {
                var address = keys.Read<uint>(k);
                var (start, n) = p.Postings(address);
                for (var i = 0L; i < n; i++)
                {
                    var e = p.PostingEntry(start + i);
                    var shifted = (e & 0x8000_0000u) != 0 ? (e + (uint)inShift) : (e + (uint)outShift);
                    pairs.Add(((ulong)address << 32) | shifted);
                }
            }

            inShift += (int)p.Info.InputCount;
            outShift += (int)p.Info.OutputCount;
        }

        Put(Columns.TxMeta, txMeta.Span);
        Put(Columns.InExternal, ext.Span);
        Put(Columns.OutScriptIds, scriptIds.Span);

        if (inputScripts)
        {
            PutBlobs(parts, Columns.InScriptOffsets, Columns.InScriptData, Put);
            PutBlobs(parts, Columns.InWitnessOffsets, Columns.InWitnessData, Put);
        }

        PutBlobs(parts, Columns.OutScriptOffsets, Columns.OutScriptData, Put);
        PutBlobs(parts, Columns.AddressOffsets, Columns.AddressKeys, Put);

        // postings: parts in chain order, so a stable sort by address keeps each address's entries in chain order
        var (pk, po, pe) = SegmentWriter.BuildPostings(pairs.ToArray());
        Put(Columns.PostingKeys, pk);
        Put(Columns.PostingOffsets, po);
        Put(Columns.PostingEntries, pe);
        DurableFile.SyncDirectory(dir);
        return info;
    }

    /// <summary>Concatenates a variable-width column: data appended, offsets shifted (a part with no items has no offsets).</summary>
    private static void PutBlobs(List<Segment> parts, string offsets, string data, Action<string, ReadOnlySpan<byte>> put)
    {
        var off = new GrowBuffer();
        var dat = new GrowBuffer(64 * 1024);
        foreach (var p in parts)
        {
            if (p.ColumnBytes(offsets) == 0)
            {
                continue;
            }

            var o = p[offsets];
            var n = o.Count<uint>();
            var shift = (uint)dat.Length;
            for (long i = off.Length == 0 ? 0 : 1; i < n; i++)
            {
                off.Add(o.Read<uint>(i) + shift);
            }

            var len = (int)o.Read<uint>(n - 1);
            dat.Add(len == 0 ? [] : p[data].Span(0, len));
        }

        put(offsets, off.Span);
        put(data, dat.Span);
    }
}
