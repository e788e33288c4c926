using Ashiato.Core;
using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

public sealed partial class UtxoChainStore
{
    /// <summary>
    /// Reorg support: removes every block above <paramref name="keepThroughHeight"/>. Segments wholly above are
    /// dropped; the segment that straddles the cut is rewritten as a shorter copy. The new manifest is
    /// written before anything is deleted, so a crash leaves either the old or the new state.
    /// </summary>
    public void Truncate(int keepThroughHeight)
    {
        if (_batch is not null)
        {
            throw new InvalidOperationException("cannot truncate with an open batch");
        }

        if (keepThroughHeight >= TipHeight)
        {
            return;
        }

        if (keepThroughHeight < BaseHeight - 1)
        {
            throw new UserErrorException($"cannot roll back below the store's first block {BaseHeight}");
        }

        var next = _manifest.Clone();
        next.Segments.Clear();
        var removed = new List<Segment>();
        Segment? straddle = null;
        foreach (var s in _segments)
        {
            var last = s.Info.FirstHeight + s.Info.BlockCount - 1;
            if (last <= keepThroughHeight)
            {
                next.Segments.Add(s.Info);
            }
            else
            {
                removed.Add(s);
                if (s.Info.FirstHeight <= keepThroughHeight)
                {
                    straddle = s;
                }
            }
        }

        if (straddle is not null)
        {
            var name = $"seg-{next.Generation + 1:D8}";
            var keep = keepThroughHeight - straddle.Info.FirstHeight + 1;
            next.Segments.Add(WritePrefix(straddle, keep, Path.Combine(Directory, name), name));
        }

        next.Save(Directory);
        _manifest = next;
        foreach (var s in removed)
        {
            _segments.Remove(s);
            s.Dispose();
            System.IO.Directory.Delete(s.Directory, recursive: true);
        }

        if (straddle is not null)
        {
            var info = _manifest.Segments[^1];
            _segments.Add(new Segment(Path.Combine(Directory, info.Name), info));
        }

        _heightByHash = null;
    }

    private static SegmentInfo WritePrefix(Segment s, int blocks, string dir, string name)
    {
        System.IO.Directory.CreateDirectory(dir);
        var src = s.Info;
        var cut = s.BlockMeta(blocks);
        var txs = cut.FirstTx - src.TxBase;
        var inputs = cut.FirstInput - src.InputBase;
        var outputs = cut.FirstOutput - src.OutputBase;
        var addresses = cut.FirstAddress - src.AddressBase;
        var info = new SegmentInfo
        {
            Name = name,
            FirstHeight = src.FirstHeight,
            BlockCount = blocks,
            TxBase = src.TxBase,
            TxCount = txs,
            InputBase = src.InputBase,
            InputCount = inputs,
            OutputBase = src.OutputBase,
            OutputCount = outputs,
            AddressBase = src.AddressBase,
            AddressCount = addresses,
        };

        void Copy(string column, long length)
        {
            var data = length == 0 ? [] : s[column].Span(0, checked((int)length));
            DurableFile.WriteFlushed(Path.Combine(dir, column), data);
            info.Files[column] = length;
        }

        void CopyBlob(string offsets, string data, long count)
        {
            if (!s.Has(offsets) || count == 0)
            {
                Copy(offsets, 0);
                Copy(data, 0);
                return;
            }

            Copy(offsets, (count + 1) * 4);
            Copy(data, s[offsets].Read<uint>(count));
        }

        Copy(Columns.BlockHash, blocks * 32L);
        Copy(Columns.BlockHeader, blocks * 80L);
        Copy(Columns.BlockMeta, blocks * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<BlockMeta>());
        Copy(Columns.TxId, txs * 32);
        Copy(Columns.TxMeta, txs * System.Runtime.CompilerServices.Unsafe.SizeOf<TxMeta>());
        Copy(Columns.InPrev, inputs * 8);
        Copy(Columns.InSequence, inputs * 4);
        if (src.Files.ContainsKey(Columns.InScriptOffsets))
        {
            CopyBlob(Columns.InScriptOffsets, Columns.InScriptData, inputs);
            CopyBlob(Columns.InWitnessOffsets, Columns.InWitnessData, inputs);
        }

        var extSize = System.Runtime.CompilerServices.Unsafe.SizeOf<ExternalPrevout>();
        var ext = s[Columns.InExternal];
        long extRows = 0;
        while (extRows < ext.Count<ExternalPrevout>() && ext.Read<ExternalPrevout>(extRows).InputLocal < inputs)
        {
            extRows++;
        }

        Copy(Columns.InExternal, extRows * extSize);
        Copy(Columns.OutValue, outputs * 8);
        Copy(Columns.OutAddress, outputs * 4);
        Copy(Columns.OutType, outputs);
        var ids = s[Columns.OutScriptIds];
        long scripts = 0;
        while (scripts < ids.Count<uint>() && ids.Read<uint>(scripts) < outputs)
        {
            scripts++;
        }

        Copy(Columns.OutScriptIds, scripts * 4);
        CopyBlob(Columns.OutScriptOffsets, Columns.OutScriptData, scripts);
        CopyBlob(Columns.AddressOffsets, Columns.AddressKeys, addresses);

        // Postings: keep entries of the kept inputs/outputs, in their original order.
        var pairs = new List<ulong>();
        var keys = s[Columns.PostingKeys];
        for (long k = 0; k < keys.Count<uint>(); k++)
        {
            var address = keys.Read<uint>(k);
            var (start, count) = s.Postings(address);
            for (var i = 0L; i < count; i++)
            {
                var e = s.PostingEntry(start + i);
                var local = e & 0x7FFF_FFFFu;
                var keepEntry = (e & 0x8000_0000u) != 0 ? local < inputs : local < outputs;
                if (keepEntry)
                {
                    pairs.Add(((ulong)address << 32) | e);
                }
            }
        }

        // pairs are grouped by address already; BuildPostings re-sorts stably, which keeps that order
        var (pk, po, pe) = SegmentWriter.BuildPostings(pairs.ToArray());
        foreach (var (column, data) in new[] { (Columns.PostingKeys, pk), (Columns.PostingOffsets, po), (Columns.PostingEntries, pe) })
        {
            DurableFile.WriteFlushed(Path.Combine(dir, column), data);
            info.Files[column] = data.Length;
        }

        DurableFile.SyncDirectory(dir);
        return info;
    }
}
