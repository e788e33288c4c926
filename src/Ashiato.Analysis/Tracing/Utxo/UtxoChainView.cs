using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>
/// The columns of a <see cref="UtxoChainStore"/> the tracer's inner loop reads, resolved once per trace: for every segment
/// its memory-mapped <c>tx.meta</c>, <c>in.prev</c>, <c>out.value</c>, <c>out.addr</c>, <c>blk.meta</c> and <c>tx.id</c>
/// files and its id bases. The store's own accessors look a column up by name in a dictionary and find the segment through
/// delegates on every call; here a read is a segment search over a small array and one unaligned load. It reads exactly
/// the same bytes as the store's accessors (same columns, same ids), so the trace sees the same chain. A view is only valid
/// while the chain's segment list is unchanged (<see cref="IsCurrent"/>): the tracer keeps one across runs and makes a new one
/// when the chain changed.
/// </summary>
internal sealed class UtxoChainView
{
    private readonly Seg[] _segs;
    private readonly Segment[] _sources;

    public UtxoChainView(UtxoChainStore chain)
    {
        Chain = chain;
        var list = chain.Segments;
        _segs = new Seg[list.Count];
        _sources = [.. list];
        for (var i = 0; i < list.Count; i++)
        {
            var s = list[i];
            _segs[i] = new Seg(s.Info, s[Columns.TxMeta], s[Columns.InPrev], s[Columns.OutValue], s[Columns.OutAddress], s[Columns.OutType],
                s[Columns.BlockMeta], s[Columns.TxId], s[Columns.BlockHeader]);
        }
    }

    public UtxoChainStore Chain { get; }

    /// <summary>
    /// Whether the chain's segment list is still the one this view resolved (the same segment objects in the same order: a
    /// segment's files do not change once written; appending, compacting or truncating replaces segments).
    /// </summary>
    public bool IsCurrent()
    {
        var list = Chain.Segments;
        if (list.Count != _sources.Length)
        {
            return false;
        }

        for (var i = 0; i < _sources.Length; i++)
        {
            if (!ReferenceEquals(list[i], _sources[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Transaction <paramref name="txId"/>: its global input and output ranges, height and coinbase flag (no txid: see <see cref="TxId"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TxLite GetTx(long txId)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        var local = txId - s.TxBase;
        var meta = s.TxMeta.Read<TxMeta>(local);
        long inEnd, outEnd;
        if (local + 1 < s.TxCount)
        {
            var next = s.TxMeta.Read<TxMeta>(local + 1);
            (inEnd, outEnd) = (next.InputLocal, next.OutputLocal);
        }
        else
        {
            (inEnd, outEnd) = (s.InputCount, s.OutputCount);
        }

        return new TxLite(txId, s.InputBase + meta.InputLocal, (int)(inEnd - meta.InputLocal), s.OutputBase + meta.OutputLocal,
            (int)(outEnd - meta.OutputLocal), HeightIn(s, txId), (meta.Flags & TxFlags.Coinbase) != 0);
    }

    /// <summary>Transaction <paramref name="txId"/>'s input and output ranges and coinbase flag, without its height (<see cref="GetTx"/> with <see cref="TxLite.Height"/> = −1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TxLite GetRow(long txId)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        var local = txId - s.TxBase;
        var meta = s.TxMeta.Read<TxMeta>(local);
        long inEnd, outEnd;
        if (local + 1 < s.TxCount)
        {
            var next = s.TxMeta.Read<TxMeta>(local + 1);
            (inEnd, outEnd) = (next.InputLocal, next.OutputLocal);
        }
        else
        {
            (inEnd, outEnd) = (s.InputCount, s.OutputCount);
        }

        return new TxLite(txId, s.InputBase + meta.InputLocal, (int)(inEnd - meta.InputLocal), s.OutputBase + meta.OutputLocal,
            (int)(outEnd - meta.OutputLocal), -1, (meta.Flags & TxFlags.Coinbase) != 0);
    }

    /// <summary>Hints the CPU to fetch transaction <paramref name="txId"/>'s <c>tx.meta</c> record (read by <see cref="GetRow"/> later).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchRow(long txId)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        s.TxMeta.Prefetch((txId - s.TxBase) * sizeof(TxMeta));
    }

    /// <summary>Hints the CPU to fetch the first spent-output reference <see cref="InPrev"/> will read from <paramref name="firstInput"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchInputs(long firstInput)
    {
        var s = _segs[SegOf(firstInput, SegKind.Input)];
        s.InPrev.Prefetch((firstInput - s.InputBase) * sizeof(long));
    }

    /// <summary>Hints the CPU to fetch the first value and address <see cref="ReadOutputs"/> will read from <paramref name="firstOutput"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchOutputs(long firstOutput)
    {
        var s = _segs[SegOf(firstOutput, SegKind.Output)];
        var local = firstOutput - s.OutputBase;
        s.OutValue.Prefetch(local * sizeof(long));
        s.OutAddress.Prefetch(local * sizeof(uint));
    }

    /// <summary>
    /// Values and addresses of the outputs <paramref name="firstOutput"/> … + <paramref name="values"/>.Length − 1 (one
    /// transaction's outputs: one segment), as <see cref="Output"/> reads them one by one; returns their sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long ReadOutputs(long firstOutput, Span<long> values, Span<uint> addresses)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var s = _segs[SegOf(firstOutput, SegKind.Output)];
        var local = firstOutput - s.OutputBase;
        if (local + values.Length > s.OutputCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstOutput), $"outputs {firstOutput}..{firstOutput + values.Length - 1} cross a segment");
        }

        s.OutValue.Span(local * sizeof(long), values.Length * sizeof(long)).CopyTo(MemoryMarshal.AsBytes(values));
        s.OutAddress.Span(local * sizeof(uint), addresses.Length * sizeof(uint)).CopyTo(MemoryMarshal.AsBytes(addresses));
        long sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>Hints the CPU to fetch transaction <paramref name="txId"/>'s txid (read by <see cref="TxId"/> later).</summary>
    public void PrefetchTxId(long txId)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        s.TxIds.Prefetch((txId - s.TxBase) * 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Hash256 TxId(long txId)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        return new Hash256(s.TxIds.Span((txId - s.TxBase) * 32, 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int HeightOfTx(long txId) => HeightIn(_segs[SegOf(txId, SegKind.Tx)], txId);

    /// <summary>The time field of block <paramref name="height"/>'s header (bytes 68–71 of the 80; what <c>GetBlockHeader(height).Time</c> gives).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public uint BlockTime(int height)
    {
        int lo = 0, hi = _segs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var s = _segs[mid];
            if (height < s.FirstHeight)
            {
                hi = mid - 1;
            }
            else if (height >= s.FirstHeight + s.BlockCount)
            {
                lo = mid + 1;
            }
            else
            {
                return BinaryPrimitives.ReadUInt32LittleEndian(s.Headers.Span(((height - s.FirstHeight) * 80L) + 68, 4));
            }
        }

        throw new ArgumentOutOfRangeException(nameof(height), $"block {height} is not committed");
    }

    /// <summary><c>in.prev</c>: the spent output's id, or <see cref="PrevRef.Coinbase"/> / <see cref="PrevRef.External"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long InPrev(long inputId)
    {
        var s = _segs[SegOf(inputId, SegKind.Input)];
        return s.InPrev.Read<long>(inputId - s.InputBase);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long OutValue(long outputId)
    {
        var s = _segs[SegOf(outputId, SegKind.Output)];
        return s.OutValue.Read<long>(outputId - s.OutputBase);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (long Value, uint Address) Output(long outputId)
    {
        var s = _segs[SegOf(outputId, SegKind.Output)];
        var local = outputId - s.OutputBase;
        return (s.OutValue.Read<long>(local), s.OutAddress.Read<uint>(local));
    }

    /// <summary>
    /// Reads transaction <paramref name="txId"/> into <paramref name="facts"/> exactly as <see cref="TxFacts.Read"/> does (same
    /// fields, same order, external inputs through the store), with the view's direct column reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReadFacts(long txId, int height, TxFacts facts)
    {
        var s = _segs[SegOf(txId, SegKind.Tx)];
        var local = txId - s.TxBase;
        var meta = s.TxMeta.Read<TxMeta>(local);
        long inEnd, outEnd;
        if (local + 1 < s.TxCount)
        {
            var next = s.TxMeta.Read<TxMeta>(local + 1);
            (inEnd, outEnd) = (next.InputLocal, next.OutputLocal);
        }
        else
        {
            (inEnd, outEnd) = (s.InputCount, s.OutputCount);
        }

        facts.TxId = txId;
        facts.Height = height;
        facts.Version = meta.Version;
        facts.LockTime = meta.LockTime;
        facts.IsCoinbase = (meta.Flags & TxFlags.Coinbase) != 0;
        facts.Inputs.Clear();
        facts.Outputs.Clear();
        for (long li = meta.InputLocal; li < inEnd; li++)
        {
            var prev = s.InPrev.Read<long>(li);
            if (prev >= 0)
            {
                var o = _segs[SegOf(prev, SegKind.Output)];
                var lo = prev - o.OutputBase;
                facts.Inputs.Add(new InputFact(o.OutAddress.Read<uint>(lo), o.OutValue.Read<long>(lo), (ScriptType)o.OutType.Read<byte>(lo), prev));
            }
            else if (prev == PrevRef.External)
            {
                var ext = Chain.GetInput(s.InputBase + li).External!.Value;
                facts.Inputs.Add(ext.Resolved != 0
                    ? new InputFact(ext.AddressId, ext.Value, ext.Type)
                    : new InputFact(ExternalPrevout.NoAddress, -1, ScriptType.Nonstandard));
            }
        }

        for (long lo = meta.OutputLocal; lo < outEnd; lo++)
        {
            facts.Outputs.Add(new OutputFact(s.OutAddress.Read<uint>(lo), s.OutValue.Read<long>(lo), (ScriptType)s.OutType.Read<byte>(lo)));
        }
    }

    /// <summary>The transaction holding input <paramref name="inputId"/> (binary search over the segment's <c>tx.meta</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long TxOfInput(long inputId)
    {
        var s = _segs[SegOf(inputId, SegKind.Input)];
        return s.TxBase + TxOfLocal(s, inputId - s.InputBase, input: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long TxOfOutput(long outputId)
    {
        var s = _segs[SegOf(outputId, SegKind.Output)];
        return s.TxBase + TxOfLocal(s, outputId - s.OutputBase, input: false);
    }

    // The last transaction whose first input (output) is at or before the local id: the answer of Segment.TxOfLocal (a binary
    // search over all of tx.meta), found in two steps that touch less memory: the block first (the last block of the segment
    // whose first input (output) is at or before the id), then the transactions of that block only. Equal because block and
    // transaction starts are both non-decreasing, a block's first input (output) is its first transaction's, and the next
    // block starts after the id. The block is searched only between the blocks of the id's bucket and of the next bucket in
    // the segment's bucket table (Seg.Buckets: per 256 ids, the block holding the bucket's first id) — usually one to three
    // blocks (at most 256 when blocks hold a single id each), where a binary search over all of a segment's thousands of
    // blocks read a dozen rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long TxOfLocal(Seg s, long local, bool input)
    {
        var global = local + (input ? s.InputBase : s.OutputBase);

        // the answer lies between the block of the id's bucket and the block of the next bucket (an id out of range: any block)
        var buckets = s.Buckets(input);
        var k = local >> Seg.BucketShift;
        int blo = 0, bhi = s.BlockCount - 1;
        if ((ulong)k < (ulong)buckets.Length)
        {
            blo = buckets[k];
            bhi = k + 1 < buckets.Length ? Math.Max(blo, buckets[k + 1]) : bhi;
        }

        while (blo < bhi)
        {
            var mid = (blo + bhi + 1) >>> 1;
            var m = s.BlockMeta.Read<BlockMeta>(mid);
            if ((input ? m.FirstInput : m.FirstOutput) <= global)
            {
                blo = mid;
            }
            else
            {
                bhi = mid - 1;
            }
        }

        long lo = 0, hi = s.TxCount - 1;
        if (s.BlockCount > 0)
        {
            var first = s.BlockMeta.Read<BlockMeta>(blo).FirstTx - s.TxBase;
            var end = blo + 1 < s.BlockCount ? s.BlockMeta.Read<BlockMeta>(blo + 1).FirstTx - s.TxBase : s.TxCount;
            if (first >= 0 && first < end && end <= s.TxCount)
            {
                (lo, hi) = (first, end - 1);
            }
        }

        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            var m = s.TxMeta.Read<TxMeta>(mid);
            if ((input ? m.InputLocal : m.OutputLocal) <= local)
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

    // as UtxoChainStore.HeightOfTx: the last block of the segment whose first tx is at or before txId
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int HeightIn(Seg s, long txId)
    {
        int lo = 0, hi = s.BlockCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (s.BlockMeta.Read<BlockMeta>(mid).FirstTx <= txId)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return s.FirstHeight + lo;
    }

    private enum SegKind
    {
        Tx,
        Input,
        Output,
    }

    // Per kind, a directory from id / 2^DirShift to the segment holding that block's first id: a look-up starts there and
    // steps forward at most over the segments that begin inside the block (a segment holds far more than 2^DirShift ids,
    // except a small last one), instead of a binary search over all segments. 4 bytes per 65 536 ids.
    private const int DirShift = 16;
    private int[]? _txDir;
    private int[]? _inDir;
    private int[]? _outDir;

    private int[] Directory(SegKind kind)
    {
        long end = 0;
        foreach (var s in _segs)
        {
            end = Math.Max(end, Range(s, kind).Base + Range(s, kind).Count);
        }

        var dir = new int[(end >> DirShift) + 1];
        var i = 0;
        for (var k = 0; k < dir.Length; k++)
        {
            var id = (long)k << DirShift;
            while (i + 1 < _segs.Length && Range(_segs[i], kind).Base + Range(_segs[i], kind).Count <= id)
            {
                i++;
            }

            dir[k] = i;
        }

        return dir;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (long Base, long Count) Range(Seg s, SegKind kind) => kind switch
    {
        SegKind.Tx => (s.TxBase, s.TxCount),
        SegKind.Input => (s.InputBase, s.InputCount),
        _ => (s.OutputBase, s.OutputCount),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int SegOf(long id, SegKind kind)
    {
        var dir = kind switch
        {
            SegKind.Tx => _txDir ??= Directory(SegKind.Tx),
            SegKind.Input => _inDir ??= Directory(SegKind.Input),
            _ => _outDir ??= Directory(SegKind.Output),
        };
        var k = (ulong)id >> DirShift;
        if (id >= 0 && k < (ulong)dir.Length)
        {
            for (var i = dir[k]; i < _segs.Length; i++)
            {
                var (b, n) = Range(_segs[i], kind);
                if (id < b)
                {
                    break;
                }

                if (id < b + n)
                {
                    return i;
                }
            }
        }

        throw new ArgumentOutOfRangeException(nameof(id), $"{kind} id {id} is not committed");
    }

    private sealed class Seg(SegmentInfo info, MappedFile txMeta, MappedFile inPrev, MappedFile outValue, MappedFile outAddress, MappedFile outType,
        MappedFile blockMeta, MappedFile txIds, MappedFile headers)
    {
        public readonly MappedFile Headers = headers;
        public readonly long TxBase = info.TxBase;
        public readonly long TxCount = info.TxCount;
        public readonly long InputBase = info.InputBase;
        public readonly long InputCount = info.InputCount;
        public readonly long OutputBase = info.OutputBase;
        public readonly long OutputCount = info.OutputCount;
        public readonly int FirstHeight = info.FirstHeight;
        public readonly int BlockCount = info.BlockCount;
        public readonly MappedFile TxMeta = txMeta;
        public readonly MappedFile InPrev = inPrev;
        public readonly MappedFile OutValue = outValue;
        public readonly MappedFile OutAddress = outAddress;
        public readonly MappedFile OutType = outType;
        public readonly MappedFile BlockMeta = blockMeta;
        public readonly MappedFile TxIds = txIds;

        /// <summary>Inputs (outputs) per bucket of <see cref="Buckets"/>: 2⁸ (as fast as 2⁶ on the 10 M-tx world, a quarter of the memory).</summary>
        public const int BucketShift = 8;

        private int[]? _inBuckets;
        private int[]? _outBuckets;

        /// <summary>
        /// For each 256 local input (output) ids, the last block of the segment whose first input (output) is at or before the
        /// bucket's first id (the block holding it); made on first use (one pass over the segment's block rows; 4 bytes per
        /// 256 ids: ≈ 80 MB if every segment of today's Bitcoin mainnet were touched) and kept with the view. Several threads may make it at once: they make the same table.
        /// </summary>
        public int[] Buckets(bool input) => (input ? Volatile.Read(ref _inBuckets) : Volatile.Read(ref _outBuckets)) ?? MakeBuckets(input);

        private int[] MakeBuckets(bool input)
        {
            var count = input ? InputCount : OutputCount;
            var table = new int[(int)((count + (1L << BucketShift) - 1) >> BucketShift)];
            var b = 0;
            var baseId = input ? InputBase : OutputBase;
            for (var k = 0; k < table.Length; k++)
            {
                var first = baseId + ((long)k << BucketShift);
                while (b + 1 < BlockCount)
                {
                    var next = BlockMeta.Read<BlockMeta>(b + 1);
                    if ((input ? next.FirstInput : next.FirstOutput) > first)
                    {
                        break;
                    }

                    b++;
                }

                table[k] = b;
            }

            if (input)
            {
                Volatile.Write(ref _inBuckets, table);
            }
            else
            {
                Volatile.Write(ref _outBuckets, table);
            }

            return table;
        }
    }
}

/// <summary>What the tracer needs of a transaction row (global ids).</summary>
internal readonly record struct TxLite(long Id, long FirstInput, int InputCount, long FirstOutput, int OutputCount, int Height, bool IsCoinbase);
