using System.Buffers.Binary;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

/// <summary>
/// One Bitcoin-family chain in the embedded store: immutable columnar segments with dense global ids
/// (blocks by height, transactions, inputs, outputs, addresses), per-segment address postings in CSR form,
/// on-disk hash indexes (txid → tx, address → id), and a manifest written last with an atomic rename.
/// One writer at a time; readers map committed segments.
/// </summary>
public sealed partial class UtxoChainStore : IDisposable
{
    private readonly List<Segment> _segments = [];
    private Manifest _manifest;
    private HashIndex _txIndex = null!;
    private HashIndex _addressIndex = null!;
    private Dictionary<Hash256, int>? _heightByHash;
    private WriteBatch? _batch;
    private readonly byte[] _keyBuffer = new byte[2 + 64];
    private WriteBatch? _spare;
    private FileStream? _lock;
    private bool _disposed;

    private UtxoChainStore(string directory, Manifest manifest, Network network)
    {
        Directory = directory;
        _manifest = manifest;
        Network = network;
    }

    public string Directory { get; }

    public Network Network { get; }

    public string ChainName => _manifest.Chain;

    public bool KeepInputScripts => _manifest.InputScripts;

    public int BaseHeight => _manifest.BaseHeight;

    public int BlockCount => _manifest.BlockCount;

    /// <summary>Height of the last committed block, or BaseHeight - 1 when empty.</summary>
    public int TipHeight => _manifest.BaseHeight + _manifest.BlockCount - 1;

    public Hash256 TipHash => BlockCount == 0 ? Hash256.Zero : GetBlockHash(TipHeight);

    public long TxCount => _manifest.TxCount;

    public long InputCount => _manifest.InputCount;

    public long OutputCount => _manifest.OutputCount;

    public long AddressCount => _manifest.AddressCount;

    public IReadOnlyList<Segment> Segments => _segments;

    public long SizeOnDisk => _segments.Sum(s => s.SizeOnDisk) + new FileInfo(_txIndex.Path).Length + new FileInfo(_addressIndex.Path).Length;

    /// <summary>
    /// Opens the chain in <paramref name="directory"/>, or creates it when <paramref name="create"/> is set. Whatever a crash left
    /// behind that the manifest does not list is removed; indexes that do not match the manifest are rebuilt.
    /// </summary>
    public static UtxoChainStore Open(string directory, string chain, Network? network, bool create, bool inputScripts = true)
    {
        var manifest = Manifest.Load(directory);
        if (manifest is null)
        {
            if (!create)
            {
                throw new UserErrorException($"chain '{chain}' is not in the store ({directory})");
            }

            if (network is null)
            {
                throw new UserErrorException($"chain '{chain}' is new: its network must be given");
            }

            System.IO.Directory.CreateDirectory(directory);
            manifest = new Manifest { Chain = chain, Network = network.Name, InputScripts = inputScripts };
        }
        else if (manifest.Format != Manifest.CurrentFormat)
        {
            throw new UserErrorException(
                $"{Path.Combine(directory, Manifest.FileName)}: store format {manifest.Format}, this build reads format {Manifest.CurrentFormat}");
        }

        var storedNetwork = Network.Parse(manifest.Network);
        if (network is not null && network != storedNetwork)
        {
            throw new UserErrorException($"chain '{chain}' in the store is {storedNetwork}, not {network}");
        }

        var store = new UtxoChainStore(directory, manifest, storedNetwork);
        try
        {
            // Writers hold the chain's lock for their lifetime; a reader takes it only to tidy up after a crash.
            store._lock = TryLock(directory);
            if (create && store._lock is null)
            {
                throw new UserErrorException($"chain '{chain}' is being written by another ashiato process ({directory}); wait for it to finish");
            }

            store.Recover(tidy: store._lock is not null);
            if (!create)
            {
                store._lock?.Dispose();
                store._lock = null;
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>An exclusive lock on the chain (flock on Unix; released by the OS if the process dies), or null if taken.</summary>
    private static FileStream? TryLock(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Recover(bool tidy)
    {
        foreach (var info in _manifest.Segments)
        {
            _segments.Add(new Segment(Path.Combine(Directory, info.Name), info));
        }

        if (!tidy)
        {
            // another process is writing: what the manifest does not list may be its segment in progress
            _txIndex = ChainDirectory.OpenForReader(Directory, _manifest.TxIndex.File, _manifest.TxIndex.Capacity, "txid");
            _addressIndex = ChainDirectory.OpenForReader(Directory, _manifest.AddressIndex.File, _manifest.AddressIndex.Capacity, "address");
            return;
        }

        ChainDirectory.DeleteUncommitted(Directory, _manifest.Segments.Select(s => s.Name));

        _txIndex = OpenIndex(_manifest.TxIndex, "tx", TxCount, RebuildTxIndex);
        _addressIndex = OpenIndex(_manifest.AddressIndex, "addr", AddressCount, RebuildAddressIndex);
        ChainDirectory.DeleteUnreferencedIndexes(Directory, _manifest.TxIndex.File, _manifest.AddressIndex.File);
    }

    private HashIndex OpenIndex(IndexInfo info, string prefix, long count, Action<HashIndex, long> rebuild) =>
        ChainDirectory.OpenOrRebuildIndex(Directory, info, prefix, count, _manifest.Generation, rebuild, () => _manifest.Save(Directory));

    // ---------------------------------------------------------------- reading

    public (Segment Segment, int Local) LocateBlock(int height)
    {
        if (height < BaseHeight || height > TipHeight)
        {
            throw new UserErrorException($"block {height} is not in the store (heights {BaseHeight}..{TipHeight})");
        }

        var segment = SegmentOf(height, IdKind.Block);
        return (segment, height - segment.Info.FirstHeight);
    }

    public Hash256 GetBlockHash(int height)
    {
        var (s, local) = LocateBlock(height);
        return s.BlockHash(local);
    }

    public BlockHeader GetBlockHeader(int height)
    {
        var (s, local) = LocateBlock(height);
        return BlockParser.ReadHeader(s.BlockHeaderBytes(local));
    }

    public BlockMeta GetBlockMeta(int height)
    {
        var (s, local) = LocateBlock(height);
        return s.BlockMeta(local);
    }

    public int? FindBlock(Hash256 hash)
    {
        if (_heightByHash is null)
        {
            var map = new Dictionary<Hash256, int>(BlockCount);
            foreach (var s in _segments)
            {
                for (var i = 0; i < s.Info.BlockCount; i++)
                {
                    map[s.BlockHash(i)] = s.Info.FirstHeight + i;
                }
            }

            _heightByHash = map;
        }

        return _heightByHash.TryGetValue(hash, out var h) ? h : null;
    }

    private enum IdKind
    {
        Tx,
        Input,
        Output,
        Address,
        Block,
    }

    // a binary search over the segments by the id range of one kind (a switch, not delegates: this is on every read path)
    private Segment SegmentOf(long id, IdKind kind)
    {
        int lo = 0, hi = _segments.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var info = _segments[mid].Info;
            var (b, n) = kind switch
            {
                IdKind.Tx => (info.TxBase, info.TxCount),
                IdKind.Input => (info.InputBase, info.InputCount),
                IdKind.Output => (info.OutputBase, info.OutputCount),
                IdKind.Address => (info.AddressBase, info.AddressCount),
                _ => ((long)info.FirstHeight, (long)info.BlockCount),
            };
            if (id < b)
            {
                hi = mid - 1;
            }
            else if (id >= b + n)
            {
                lo = mid + 1;
            }
            else
            {
                return _segments[mid];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is not committed");
    }

    public Segment SegmentOfTx(long txId) => SegmentOf(txId, IdKind.Tx);

    public Segment SegmentOfInput(long inputId) => SegmentOf(inputId, IdKind.Input);

    public Segment SegmentOfOutput(long outputId) => SegmentOf(outputId, IdKind.Output);

    public Segment SegmentOfAddress(long addressId) => SegmentOf(addressId, IdKind.Address);

    public Hash256 GetTxId(long txId)
    {
        var s = SegmentOfTx(txId);
        return s.TxId(txId - s.Info.TxBase);
    }

    /// <summary>Transaction row with global input/output ranges.</summary>
    public TxRow GetTx(long txId)
    {
        var s = SegmentOfTx(txId);
        var local = txId - s.Info.TxBase;
        var meta = s.TxMeta(local);
        var inEnd = local + 1 < s.Info.TxCount ? s.TxMeta(local + 1).InputLocal : s.Info.InputCount;
        var outEnd = local + 1 < s.Info.TxCount ? s.TxMeta(local + 1).OutputLocal : s.Info.OutputCount;
        return new TxRow(txId, s.TxId(local), meta, s.Info.InputBase + meta.InputLocal, (int)(inEnd - meta.InputLocal),
            s.Info.OutputBase + meta.OutputLocal, (int)(outEnd - meta.OutputLocal), HeightOfTx(txId));
    }

    public int HeightOfTx(long txId)
    {
        var s = SegmentOfTx(txId);
        int lo = 0, hi = s.Info.BlockCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (s.BlockMeta(mid).FirstTx <= txId)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return s.Info.FirstHeight + lo;
    }

    public long TxOfOutput(long outputId)
    {
        var s = SegmentOfOutput(outputId);
        return s.Info.TxBase + s.TxOfLocal(outputId - s.Info.OutputBase, input: false);
    }

    public long TxOfInput(long inputId)
    {
        var s = SegmentOfInput(inputId);
        return s.Info.TxBase + s.TxOfLocal(inputId - s.Info.InputBase, input: true);
    }

    public OutputRow GetOutput(long outputId)
    {
        var s = SegmentOfOutput(outputId);
        var local = outputId - s.Info.OutputBase;
        return new OutputRow(outputId, s.OutValue(local), s.OutAddress(local), s.OutType(local));
    }

    public ReadOnlySpan<byte> GetStoredOutputScript(long outputId)
    {
        var s = SegmentOfOutput(outputId);
        return s.OutputScript(outputId - s.Info.OutputBase);
    }

    public InputRow GetInput(long inputId)
    {
        var s = SegmentOfInput(inputId);
        var local = inputId - s.Info.InputBase;
        var prev = s.InPrev(local);
        return new InputRow(inputId, prev, s.InSequence(local), prev == PrevRef.External ? s.External(local) : null);
    }

    public ReadOnlySpan<byte> GetInputScript(long inputId)
    {
        var s = SegmentOfInput(inputId);
        return s.InputScript(inputId - s.Info.InputBase);
    }

    public ReadOnlySpan<byte> GetInputWitness(long inputId)
    {
        var s = SegmentOfInput(inputId);
        return s.InputWitness(inputId - s.Info.InputBase);
    }

    public (AddressKind Kind, byte[] Payload) GetAddress(uint addressId)
    {
        var s = SegmentOfAddress(addressId);
        var key = s.AddressKey(addressId - s.Info.AddressBase);
        return ((AddressKind)key[0], key[2..].ToArray());
    }

    /// <summary>
    /// Hints the CPU to fetch what <see cref="FormatAddress"/> reads for <paramref name="addressId"/>: with
    /// <paramref name="key"/> false its entry in the key offsets, with true (after the first for the same id) its key bytes.
    /// A caller about to format many addresses asks for all offsets, then all keys, so that the misses overlap.
    /// </summary>
    public void PrefetchAddress(uint addressId, bool key)
    {
        if (addressId >= AddressCount)
        {
            return;
        }

        var s = SegmentOfAddress(addressId);
        var local = addressId - s.Info.AddressBase;
        var offsets = s[Columns.AddressOffsets];
        if (!key)
        {
            offsets.Prefetch(local * sizeof(uint));
        }
        else if (offsets.Length > 0)
        {
            s[Columns.AddressKeys].Prefetch(offsets.Read<uint>(local));
        }
    }

    public string FormatAddress(uint addressId)
    {
        var s = SegmentOfAddress(addressId);
        var key = s.AddressKey(addressId - s.Info.AddressBase);
        return AddressCodec.Encode(Network, (AddressKind)key[0], key[2..]);
    }

    public long FindTx(Hash256 txid)
    {
        var matcher = new TxMatcher(this, txid, null);
        return _txIndex.Find(txid.Low64, TxCount, ref matcher);
    }

    public long FindAddress(AddressKind kind, ReadOnlySpan<byte> payload) => FindAddress(kind, payload, null);

    /// <summary>
    /// The postings of an address in transactions <paramref name="fromTx"/> ≤ id &lt; <paramref name="toTx"/>, in chain order:
    /// segments outside the range are skipped and, in each other, the first posting in range is found by binary search (a
    /// segment's postings of an address are in chain order), so a window of a busy address costs its length, not the
    /// address's whole history.
    /// </summary>
    public IEnumerable<Posting> GetPostings(uint addressId, long fromTx, long toTx)
    {
        foreach (var s in _segments)
        {
            if (addressId >= s.Info.AddressBase + s.Info.AddressCount || s.Info.TxBase >= toTx || s.Info.TxBase + s.Info.TxCount <= fromTx)
            {
                continue;
            }

            var (start, count) = s.Postings(addressId);
            long TxAt(long i)
            {
                var e = s.PostingEntry(start + i);
                return s.Info.TxBase + s.TxOfLocal(e & 0x7FFF_FFFFu, input: (e & 0x8000_0000u) != 0);
            }

            long lo = 0, hi = count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (TxAt(mid) < fromTx)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (var i = lo; i < count && TxAt(i) < toTx; i++)
            {
                yield return PostingOf(s, s.PostingEntry(start + i));
            }
        }
    }

    /// <summary>A segment's posting entry as a global input or output id (the top bit says input).</summary>
    private static Posting PostingOf(Segment s, uint entry)
    {
        var local = entry & 0x7FFF_FFFFu;
        return (entry & 0x8000_0000u) != 0 ? new Posting(true, s.Info.InputBase + local) : new Posting(false, s.Info.OutputBase + local);
    }

    /// <summary>Every posting of an address in chain order: outputs it received and inputs that spent from it.</summary>
    public IEnumerable<Posting> GetPostings(uint addressId)
    {
        foreach (var s in _segments)
        {
            if (addressId >= s.Info.AddressBase + s.Info.AddressCount)
            {
                continue;
            }

            var (start, count) = s.Postings(addressId);
            for (var i = 0L; i < count; i++)
            {
                yield return PostingOf(s, s.PostingEntry(start + i));
            }
        }
    }

    // ---------------------------------------------------------------- writing

    public WriteBatch BeginBatch()
    {
        if (_batch is not null)
        {
            throw new InvalidOperationException("a batch is already open");
        }

        _batch = new WriteBatch(this, _manifest, _spare);
        _spare = null;
        return _batch;
    }

    /// <summary>Sets the height of the first block of an empty chain (a range ingested without its history).</summary>
    public void SetBaseHeight(int height, WriteBatch batch)
    {
        if (BlockCount != 0 || batch.BlockCount != 0)
        {
            throw new InvalidOperationException("base height can only be set on an empty chain");
        }

        _manifest.BaseHeight = height;
        batch.FirstHeight = height;
    }

    /// <summary>Writes the batch as a new segment, then the manifest. Nothing is visible before the manifest rename.</summary>
    public void Commit(WriteBatch batch)
    {
        if (batch != _batch)
        {
            throw new InvalidOperationException("not the open batch");
        }

        if (batch.InBlock)
        {
            throw new InvalidOperationException("cannot commit a batch in the middle of a block");
        }

        _batch = null;
        if (batch.BlockCount == 0)
        {
            _spare = batch;
            return;
        }

        var next = _manifest.Clone();
        var name = $"seg-{next.Generation + 1:D8}";
        var dir = Path.Combine(Directory, name);
        var info = SegmentWriter.Write(dir, name, batch, KeepInputScripts);
        next.Segments.Add(info);
        if (next.Segments.Count == 1)
        {
            next.BaseHeight = batch.FirstHeight;
        }

        _txIndex.Flush();
        _addressIndex.Flush();
        next.TxIndex = new IndexInfo { File = Path.GetFileName(_txIndex.Path), Capacity = _txIndex.Capacity };
        next.AddressIndex = new IndexInfo { File = Path.GetFileName(_addressIndex.Path), Capacity = _addressIndex.Capacity };
        next.Save(Directory);
        _manifest = next;
        _segments.Add(new Segment(dir, info));
        if (_heightByHash is not null)
        {
            for (var i = 0; i < info.BlockCount; i++)
            {
                _heightByHash[_segments[^1].BlockHash(i)] = info.FirstHeight + i;
            }
        }

        DeleteUnreferencedIndexes();
        _spare = batch; // its files are written: the next batch reuses its buffers
        CompactTail();
    }

    /// <summary>Drops an uncommitted batch (its index entries become stale and are ignored).</summary>
    public void Abandon(WriteBatch batch)
    {
        if (batch == _batch)
        {
            _batch = null;
            _spare = batch;
        }
    }

    private void DeleteUnreferencedIndexes()
    {
        foreach (var idx in System.IO.Directory.EnumerateFiles(Directory, "*.idx"))
        {
            var n = Path.GetFileName(idx);
            if (n != _manifest.TxIndex.File && n != _manifest.AddressIndex.File)
            {
                File.Delete(idx);
            }
        }
    }

    // ---------------------------------------------------------------- index plumbing

    internal void IndexPendingTx(Hash256 txid, long id, WriteBatch batch)
    {
        if ((id + 1) * 2 >= _txIndex.Capacity)
        {
            GrowTxIndex(id, batch);
        }

        _txIndex.Insert(txid.Low64, id, id);
    }

    internal void IndexPendingAddress(ReadOnlySpan<byte> key, long id, WriteBatch batch)
    {
        if ((id + 1) * 2 >= _addressIndex.Capacity)
        {
            GrowAddressIndex(id, batch);
        }

        _addressIndex.Insert(AddressHash(key), id, id);
    }

    // separate methods: a lambda capturing the batch in the callers would allocate a closure on every call
    private void GrowTxIndex(long count, WriteBatch batch) =>
        _txIndex = Grow(_txIndex, "tx", count, (index, n) => RebuildTxIndex(index, n, batch));

    private void GrowAddressIndex(long count, WriteBatch batch) =>
        _addressIndex = Grow(_addressIndex, "addr", count, (index, n) => RebuildAddressIndex(index, n, batch));

    private HashIndex Grow(HashIndex old, string prefix, long count, Action<HashIndex, long> rebuild)
    {
        var capacity = old.Capacity * 2;
        var file = $"{prefix}.{_manifest.Generation + 1}.{capacity}.idx";
        var index = HashIndex.Create(Path.Combine(Directory, file), capacity);
        rebuild(index, count);
        old.Dispose();
        return index; // the manifest names it at the next commit; until then the old file stays valid for committed ids
    }

    private void RebuildTxIndex(HashIndex index, long count) => RebuildTxIndex(index, count, null);

    private void RebuildTxIndex(HashIndex index, long count, WriteBatch? batch)
    {
        for (long id = 0; id < count; id++)
        {
            var txid = id < TxCount ? GetTxId(id) : batch!.PendingTxId(id - TxCount);
            index.Insert(txid.Low64, id, id);
        }
    }

    private void RebuildAddressIndex(HashIndex index, long count) => RebuildAddressIndex(index, count, null);

    private void RebuildAddressIndex(HashIndex index, long count, WriteBatch? batch)
    {
        for (long id = 0; id < count; id++)
        {
            var key = AddressKeyBytes(id, batch);
            index.Insert(AddressHash(key), id, id);
        }
    }

    private ReadOnlySpan<byte> AddressKeyBytes(long id, WriteBatch? batch)
    {
        if (id < AddressCount)
        {
            var s = SegmentOfAddress(id);
            return s.AddressKey(id - s.Info.AddressBase);
        }

        return batch!.AddressKeys.Get(id - AddressCount);
    }

    internal static ulong AddressHash(ReadOnlySpan<byte> key)
    {
        // payloads are hashes already (except short witness programs); mix all bytes anyway
        ulong h = 0xcbf29ce484222325UL;
        var i = 0;
        for (; i + 8 <= key.Length; i += 8)
        {
            h = HashIndex.Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(key[i..]));
        }

        for (; i < key.Length; i++)
        {
            h = (h ^ key[i]) * 0x100000001b3UL;
        }

        return HashIndex.Mix(h);
    }

    internal long FindAddress(AddressKind kind, ReadOnlySpan<byte> payload, WriteBatch? batch)
    {
        // one writer or reader thread per store: a reused key buffer keeps look-ups allocation-free
        var key = _keyBuffer;
        var length = 2 + payload.Length;
        key[0] = (byte)kind;
        key[1] = (byte)payload.Length;
        payload.CopyTo(key.AsSpan(2));
        var matcher = new AddressMatcher(this, key, length, batch);
        var bound = AddressCount + (batch?.AddressCount ?? 0);
        return _addressIndex.Find(AddressHash(key.AsSpan(0, length)), bound, ref matcher);
    }

    internal bool TryResolve(Hash256 txid, uint vout, WriteBatch batch, out Prevout prevout)
    {
        prevout = default;
        var matcher = new TxMatcher(this, txid, batch);
        var id = _txIndex.Find(txid.Low64, TxCount + batch.TxCount, ref matcher);
        if (id < 0)
        {
            return false;
        }

        if (id < TxCount)
        {
            var seg = SegmentOfTx(id);
            var segTx = id - seg.Info.TxBase;
            var first = seg.TxMeta(segTx).OutputLocal;
            var stop = segTx + 1 < seg.Info.TxCount ? seg.TxMeta(segTx + 1).OutputLocal : seg.Info.OutputCount;
            if (first + vout >= stop)
            {
                return false;
            }

            var o = first + vout;
            prevout = new Prevout(seg.Info.OutputBase + o, seg.OutValue(o), seg.OutAddress(o), seg.OutType(o));
            return true;
        }

        var local = id - TxCount;
        var meta = batch.PendingTxMeta(local);
        var end = batch.PendingTxOutputEnd(local);
        if (meta.OutputLocal + vout >= end)
        {
            return false;
        }

        var outLocal = meta.OutputLocal + vout;
        prevout = new Prevout(
            batch.OutputBase + outLocal,
            batch.OutValues.Get<long>(outLocal),
            batch.OutAddresses.Get<uint>(outLocal),
            (ScriptType)batch.OutTypes.Get<byte>(outLocal));
        return true;
    }

    private readonly struct TxMatcher(UtxoChainStore store, Hash256 txid, WriteBatch? batch) : IKeyMatcher
    {
        public bool Matches(long id) =>
            (id < store.TxCount ? store.GetTxId(id) : batch!.PendingTxId(id - store.TxCount)) == txid;
    }

    private readonly struct AddressMatcher(UtxoChainStore store, byte[] key, int length, WriteBatch? batch) : IKeyMatcher
    {
        public bool Matches(long id) => store.AddressKeyBytes(id, batch).SequenceEqual(key.AsSpan(0, length));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var s in _segments)
        {
            s.Dispose();
        }

        _txIndex?.Dispose();
        _addressIndex?.Dispose();
        _lock?.Dispose();
    }
}

public readonly record struct TxRow(long Id, Hash256 TxId, TxMeta Meta, long FirstInput, int InputCount, long FirstOutput, int OutputCount, int Height)
{
    public bool IsCoinbase => (Meta.Flags & TxFlags.Coinbase) != 0;

    /// <summary>
    /// Stripped size × 3 + size. Litecoin weighs a HogEx without its MWEB bytes (0x08 flag and empty MWEB body): its
    /// serialization is then 3 bytes shorter, or 1 when it has a witness too (the flag byte stays, as 0x01).
    /// </summary>
    public int Weight => (Meta.StrippedSize * 3) + Meta.Size
        - ((Meta.Flags & TxFlags.HogEx) == 0 ? 0 : (Meta.Flags & TxFlags.Witness) != 0 ? 1 : 3);

    public int VirtualSize => (Weight + 3) / 4;
}

public readonly record struct OutputRow(long Id, long Value, uint AddressId, ScriptType Type)
{
    public bool HasAddress => AddressId != ExternalPrevout.NoAddress;
}

public readonly record struct InputRow(long Id, long Prev, uint Sequence, ExternalPrevout? External)
{
    public bool IsCoinbase => Prev == PrevRef.Coinbase;
}

public readonly record struct Posting(bool IsInput, long Id);
