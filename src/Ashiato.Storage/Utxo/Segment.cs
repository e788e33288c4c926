using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

/// <summary>A committed, immutable segment: a contiguous range of blocks, one memory-mapped file per column.</summary>
public sealed class Segment : IDisposable
{
    private readonly Dictionary<string, MappedFile> _files = [];

    public Segment(string directory, SegmentInfo info)
    {
        Directory = directory;
        Info = info;
        foreach (var (name, length) in info.Files)
        {
            _files[name] = new MappedFile(System.IO.Path.Combine(directory, name), length);
        }
    }

    public string Directory { get; }

    public SegmentInfo Info { get; }

    public MappedFile this[string column] => _files[column];

    public bool Has(string column) => _files.ContainsKey(column) && _files[column].Length > 0;

    public long SizeOnDisk => _files.Values.Sum(f => f.Length);

    public long ColumnBytes(string column) => _files.TryGetValue(column, out var f) ? f.Length : 0;

    public Hash256 BlockHash(int localBlock) => new(_files[Columns.BlockHash].Span(localBlock * 32L, 32));

    public ReadOnlySpan<byte> BlockHeaderBytes(int localBlock) => _files[Columns.BlockHeader].Span(localBlock * 80L, 80);

    public BlockMeta BlockMeta(int localBlock) => _files[Columns.BlockMeta].Read<BlockMeta>(localBlock);

    public Hash256 TxId(long localTx) => new(_files[Columns.TxId].Span(localTx * 32, 32));

    public TxMeta TxMeta(long localTx) => _files[Columns.TxMeta].Read<TxMeta>(localTx);

    public long InPrev(long localInput) => _files[Columns.InPrev].Read<long>(localInput);

    public uint InSequence(long localInput) => _files[Columns.InSequence].Read<uint>(localInput);

    public long OutValue(long localOutput) => _files[Columns.OutValue].Read<long>(localOutput);

    public uint OutAddress(long localOutput) => _files[Columns.OutAddress].Read<uint>(localOutput);

    public ScriptType OutType(long localOutput) => (ScriptType)_files[Columns.OutType].Read<byte>(localOutput);

    public ReadOnlySpan<byte> Blob(string offsets, string data, long index)
    {
        var off = _files[offsets];
        if (off.Length == 0)
        {
            return [];
        }

        var start = off.Read<uint>(index);
        var end = off.Read<uint>(index + 1);
        return _files[data].Span(start, (int)(end - start));
    }

    public ReadOnlySpan<byte> InputScript(long localInput) => Blob(Columns.InScriptOffsets, Columns.InScriptData, localInput);

    public ReadOnlySpan<byte> InputWitness(long localInput) => Blob(Columns.InWitnessOffsets, Columns.InWitnessData, localInput);

    public ReadOnlySpan<byte> AddressKey(long localAddress) => Blob(Columns.AddressOffsets, Columns.AddressKeys, localAddress);

    /// <summary>The stored script of an output whose script is not rebuildable from its address, or empty.</summary>
    public ReadOnlySpan<byte> OutputScript(long localOutput)
    {
        var ids = _files[Columns.OutScriptIds];
        long lo = 0, hi = ids.Count<uint>() - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = ids.Read<uint>(mid);
            if (v == localOutput)
            {
                return Blob(Columns.OutScriptOffsets, Columns.OutScriptData, mid);
            }

            if (v < localOutput)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return [];
    }

    public ExternalPrevout? External(long localInput)
    {
        var ext = _files[Columns.InExternal];
        long lo = 0, hi = ext.Count<ExternalPrevout>() - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var row = ext.Read<ExternalPrevout>(mid);
            if (row.InputLocal == localInput)
            {
                return row;
            }

            if (row.InputLocal < localInput)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return null;
    }

    /// <summary>Posting entries of an address in this segment (bit 31 set = input, else output; low bits local id).</summary>
    public (long Start, long Count) Postings(uint addressId)
    {
        var keys = _files[Columns.PostingKeys];
        long lo = 0, hi = keys.Count<uint>() - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var v = keys.Read<uint>(mid);
            if (v == addressId)
            {
                var offs = _files[Columns.PostingOffsets];
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

    public uint PostingEntry(long index) => _files[Columns.PostingEntries].Read<uint>(index);

    /// <summary>Local tx index containing a local input or output: the last transaction whose first input/output is at or before it.</summary>
    public long TxOfLocal(long local, bool input)
    {
        var meta = _files[Columns.TxMeta];
        long lo = 0, hi = Info.TxCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            var m = meta.Read<TxMeta>(mid);
            var start = input ? m.InputLocal : m.OutputLocal;
            if (start <= local)
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
