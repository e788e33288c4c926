using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

/// <summary>
/// One EVM chain in the embedded store: immutable columnar segments with dense global ids (blocks by height,
/// transactions, transfers and addresses in chain order), each block's content as an opaque bundle, per-segment address
/// postings in CSR form, on-disk hash indexes (tx hash → tx id, address → address id) and a manifest written last with
/// an atomic rename. One writer at a time (LOCK); readers map committed segments.
/// </summary>
/// <remarks>
/// Appended blocks are pending until <see cref="Commit"/>. Block-level reads (hash, parent, timestamp, flags, bundle,
/// transaction and transfer ranges), transaction and address look-ups and <see cref="IsKnownAsset(EvmAddress)"/> also see
/// pending blocks (ingest checks a new block against the last one it appended); transfers, postings and trace gaps are
/// read from committed segments only. Counts (<see cref="BlockCount"/>, <see cref="TxCount"/>, …) are committed counts.
/// </remarks>
public sealed partial class EvmChainStore : IDisposable
{
    /// <summary>Default commit threshold: pending bundle bytes.</summary>
    public const long DefaultCommitBytes = 64L * 1024 * 1024;

    /// <summary>Stored address id meaning "none": the native coin as asset, no sender (created) or no recipient (destroyed).</summary>
    internal const uint NoAddress = uint.MaxValue;

    private readonly List<EvmSegment> _segments = [];
    private readonly EvmBatch _batch = new();
    private readonly byte[] _keyBuffer = new byte[EvmAddress.Size];
    private EvmManifest _manifest;
    private HashIndex _txIndex = null!;
    private HashIndex _addressIndex = null!;
    private HashSet<uint>? _assets;
    private FileStream? _lock;
    private bool _disposed;

    private EvmChainStore(string directory, EvmManifest manifest, bool writer)
    {
        Directory = directory;
        _manifest = manifest;
        IsWriter = writer;
    }

    public string Directory { get; }

    /// <summary>True when opened for writing (holding the chain's lock).</summary>
    public bool IsWriter { get; }

    public string ChainName => _manifest.Chain;

    public long ChainId => _manifest.ChainId;

    public long BaseHeight => _manifest.BaseHeight;

    /// <summary>Committed blocks.</summary>
    public long BlockCount => _manifest.BlockCount;

    /// <summary>Height of the last committed block, or null when nothing is committed.</summary>
    public long? TipHeight => BlockCount == 0 ? null : BaseHeight + BlockCount - 1;

    public long TxCount => _manifest.TxCount;

    public long TransferCount => _manifest.TransferCount;

    public long AddressCount => _manifest.AddressCount;

    /// <summary>Blocks appended and not yet committed.</summary>
    public int PendingBlockCount => _batch.BlockCount;

    /// <summary>Bundle bytes appended and not yet committed.</summary>
    public long PendingBundleBytes => _batch.BundleBytes;

    /// <summary>The height <see cref="Append"/> expects next (after committed and pending blocks).</summary>
    public long NextHeight => BaseHeight + BlockCount + _batch.BlockCount;

    /// <summary>Height of the last appended block, committed or pending, or null when there is none.</summary>
    public long? PendingTipHeight => NextHeight == BaseHeight ? null : NextHeight - 1;

    /// <summary>Pending bundle bytes at which <see cref="ShouldCommit"/> turns true.</summary>
    public long CommitThreshold { get; set; } = DefaultCommitBytes;

    /// <summary>True when the pending blocks' bundles reach <see cref="CommitThreshold"/>.</summary>
    public bool ShouldCommit => _batch.BlockCount > 0 && _batch.BundleBytes >= CommitThreshold;

    public IReadOnlyList<EvmSegment> Segments => _segments;

    public long SizeOnDisk => _segments.Sum(s => s.SizeOnDisk) + new FileInfo(_txIndex.Path).Length + new FileInfo(_addressIndex.Path).Length;

    /// <summary>
    /// Opens the EVM chain in <paramref name="chainDir"/>. A chain that does not exist yet is created from
    /// <paramref name="create"/> (writers only); for one that exists, <paramref name="create"/> (if given) must name the
    /// same chain and chain id, and its base height is adopted only while the chain holds no block. A writer takes the
    /// chain's lock (a second writer gets a clear error); whatever a crash left that the manifest does not list is removed
    /// when no writer holds the lock, and indexes that do not match the manifest are rebuilt.
    /// </summary>
    public static EvmChainStore Open(string chainDir, EvmChainCreate? create, bool writer)
    {
        var name = create?.Chain ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(chainDir)));
        var manifest = EvmManifest.Load(chainDir);
        if (manifest is null)
        {
            if (create is null || !writer)
            {
                throw new UserErrorException($"chain '{name}' is not in the store ({chainDir})");
            }

            if (create.BaseHeight < 0)
            {
                throw new UserErrorException($"chain '{name}': base height {create.BaseHeight} is negative");
            }

            System.IO.Directory.CreateDirectory(chainDir);
            manifest = new EvmManifest { Chain = create.Chain, ChainId = create.ChainId, BaseHeight = create.BaseHeight };
        }
        else
        {
            if (manifest.Format != EvmManifest.CurrentFormat)
            {
                throw new UserErrorException(
                    $"{Path.Combine(chainDir, EvmManifest.FileName)}: store format {manifest.Format}, this build reads format {EvmManifest.CurrentFormat}");
            }

            if (create is not null && create.ChainId != manifest.ChainId)
            {
                throw new UserErrorException(
                    $"chain '{manifest.Chain}' in the store has chain id {manifest.ChainId}, not {create.ChainId} ({chainDir})");
            }

            if (create is not null && create.Chain != manifest.Chain)
            {
                throw new UserErrorException($"{chainDir} holds chain '{manifest.Chain}', not '{create.Chain}'");
            }
        }

        var store = new EvmChainStore(chainDir, manifest, writer);
        try
        {
            // Writers hold the chain's lock for their lifetime; a reader takes it only to tidy up after a crash.
            store._lock = TryLock(chainDir);
            if (writer && store._lock is null)
            {
                throw new UserErrorException($"chain '{manifest.Chain}' is being written by another ashiato process ({chainDir}); wait for it to finish");
            }

            store.Recover(tidy: store._lock is not null);
            if (writer && create is not null && store.BlockCount == 0 && create.BaseHeight != store.BaseHeight)
            {
                if (create.BaseHeight < 0)
                {
                    throw new UserErrorException($"chain '{name}': base height {create.BaseHeight} is negative");
                }

                store._manifest.BaseHeight = create.BaseHeight; // an empty chain starts where this ingest starts
                store._manifest.Save(chainDir);
            }

            if (!writer)
            {
                store._lock?.Dispose();
                store._lock = null;
            }

            store.ResetBatch();
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
        CheckContiguous();
        foreach (var info in _manifest.Segments)
        {
            _segments.Add(new EvmSegment(Path.Combine(Directory, info.Name), info));
        }

        if (!tidy)
        {
            // another process is writing: what the manifest does not list may be its segment in progress
            _txIndex = ChainDirectory.OpenForReader(Directory, _manifest.TxIndex.File, _manifest.TxIndex.Capacity, "transaction");
            _addressIndex = ChainDirectory.OpenForReader(Directory, _manifest.AddressIndex.File, _manifest.AddressIndex.Capacity, "address");
            return;
        }

        ChainDirectory.DeleteUncommitted(Directory, _manifest.Segments.Select(s => s.Name));

        _txIndex = OpenIndex(_manifest.TxIndex, "tx", TxCount, RebuildTxIndex);
        _addressIndex = OpenIndex(_manifest.AddressIndex, "addr", AddressCount, RebuildAddressIndex);
        DeleteUnreferencedIndexes();
    }

    /// <summary>Segments must follow each other without gaps, from the base height and id 0 of every kind.</summary>
    private void CheckContiguous()
    {
        long height = BaseHeight, tx = 0, transfer = 0, address = 0;
        foreach (var s in _manifest.Segments)
        {
            if (s.FirstHeight != height || s.TxBase != tx || s.TransferBase != transfer || s.AddressBase != address || s.BlockCount <= 0)
            {
                throw new InvalidDataException($"{Path.Combine(Directory, EvmManifest.FileName)}: segment {s.Name} does not follow the one before it");
            }

            height += s.BlockCount;
            tx += s.TxCount;
            transfer += s.TransferCount;
            address += s.AddressCount;
        }
    }

    private HashIndex OpenIndex(IndexInfo info, string prefix, long count, Action<HashIndex, long> rebuild) =>
        ChainDirectory.OpenOrRebuildIndex(Directory, info, prefix, count, _manifest.Generation, rebuild, () => _manifest.Save(Directory));

    private void DeleteUnreferencedIndexes()
    {
        ChainDirectory.DeleteUnreferencedIndexes(Directory, _manifest.TxIndex.File, _manifest.AddressIndex.File,
            Path.GetFileName(_txIndex.Path), Path.GetFileName(_addressIndex.Path));
    }

    private void ResetBatch() => _batch.Reset(BaseHeight + BlockCount, TxCount, TransferCount, AddressCount);

    // ---------------------------------------------------------------- reading: blocks

    /// <summary>The segment (null = the pending batch) and local block number of a committed or pending height.</summary>
    private (EvmSegment? Segment, int Local) LocateBlock(long height)
    {
        if (height < BaseHeight || height >= NextHeight)
        {
            throw new UserErrorException(NextHeight == BaseHeight
                ? $"block {height} is not in chain '{ChainName}' (no blocks yet)"
                : $"block {height} is not in chain '{ChainName}' (heights {BaseHeight}..{NextHeight - 1})");
        }

        var committedEnd = BaseHeight + BlockCount;
        if (height >= committedEnd)
        {
            return (null, (int)(height - committedEnd));
        }

        var s = SegmentOf(height, static i => i.FirstHeight, static i => i.BlockCount);
        return (s, (int)(height - s.Info.FirstHeight));
    }

    public EvmHash BlockHash(long height)
    {
        var (s, local) = LocateBlock(height);
        return s is null ? _batch.BlockHash(local) : s.BlockHash(local);
    }

    public EvmHash ParentHash(long height)
    {
        var (s, local) = LocateBlock(height);
        return s is null ? _batch.ParentHash(local) : s.ParentHash(local);
    }

    public long Timestamp(long height)
    {
        var (s, local) = LocateBlock(height);
        return s is null ? _batch.Timestamp(local) : s.Timestamp(local);
    }

    public bool TracesMissing(long height)
    {
        var (s, local) = LocateBlock(height);
        var flags = s is null ? _batch.BlockFlags(local) : s.Flags(local);
        return (flags & EvmBlockFlags.TracesMissing) != 0;
    }

    /// <summary>
    /// The block's bundle, as stored. Committed bundles are read from the memory-mapped segment (valid until the store
    /// is disposed, truncated or compacted); a pending one until the next <see cref="Append"/>. Copy it to keep it.
    /// </summary>
    public ReadOnlySpan<byte> Bundle(long height)
    {
        var (s, local) = LocateBlock(height);
        return s is null ? _batch.Bundle(local) : s.Bundle(local);
    }

    /// <summary>The block's transactions: the first tx id and how many.</summary>
    public (long FirstTxId, int Count) BlockTransactions(long height)
    {
        var (s, local) = LocateBlock(height);
        var (first, end) = s is null
            ? (_batch.BlockFirstTx(local), _batch.BlockFirstTx(local + 1))
            : (s.BlockFirstTx(local), s.BlockFirstTx(local + 1));
        return (first, (int)(end - first));
    }

    /// <summary>The block's transfers: the first transfer id and how many.</summary>
    public (long FirstTransferId, int Count) BlockTransfers(long height)
    {
        var (s, local) = LocateBlock(height);
        var (first, end) = s is null
            ? (_batch.BlockFirstTransfer(local), _batch.BlockFirstTransfer(local + 1))
            : (s.BlockFirstTransfer(local), s.BlockFirstTransfer(local + 1));
        return (first, (int)(end - first));
    }

    /// <summary>Committed height ranges (inclusive) whose blocks were stored without traces, in order.</summary>
    public IReadOnlyList<(long From, long To)> TraceGaps()
    {
        var gaps = new List<(long From, long To)>();
        foreach (var s in _segments)
        {
            var flags = s.ColumnSpan(EvmColumns.BlockFlags);
            for (var i = 0; i < flags.Length; i++)
            {
                if ((flags[i] & (byte)EvmBlockFlags.TracesMissing) == 0)
                {
                    continue;
                }

                var h = s.Info.FirstHeight + i;
                if (gaps.Count > 0 && gaps[^1].To == h - 1)
                {
                    gaps[^1] = (gaps[^1].From, h);
                }
                else
                {
                    gaps.Add((h, h));
                }
            }
        }

        return gaps;
    }

    private EvmSegment SegmentOf(long id, Func<EvmSegmentInfo, long> baseOf, Func<EvmSegmentInfo, long> countOf)
    {
        int lo = 0, hi = _segments.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var info = _segments[mid].Info;
            if (id < baseOf(info))
            {
                hi = mid - 1;
            }
            else if (id >= baseOf(info) + countOf(info))
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

    private EvmSegment SegmentOfTx(long txId) => SegmentOf(txId, static i => i.TxBase, static i => i.TxCount);

    private EvmSegment SegmentOfTransfer(long transferId) => SegmentOf(transferId, static i => i.TransferBase, static i => i.TransferCount);

    private EvmSegment SegmentOfAddress(long addressId) => SegmentOf(addressId, static i => i.AddressBase, static i => i.AddressCount);

    // ---------------------------------------------------------------- reading: transactions

    /// <summary>The id of a committed or pending transaction, or -1.</summary>
    public long FindTransaction(EvmHash hash)
    {
        var matcher = new TxMatcher(this, hash);
        return _txIndex.Find(TxKey(hash), TxCount + _batch.TxCount, ref matcher);
    }

    public EvmHash TransactionHash(long txId)
    {
        if (txId >= 0 && txId < TxCount)
        {
            var s = SegmentOfTx(txId);
            return s.TxHash(txId - s.Info.TxBase);
        }

        CheckPending(txId, TxCount, _batch.TxCount, "transaction");
        return _batch.TxHash(txId - TxCount);
    }

    /// <summary>Height of the block holding a transaction and its index in the block.</summary>
    public (long Height, int Index) TransactionLocation(long txId)
    {
        if (txId >= 0 && txId < TxCount)
        {
            var s = SegmentOfTx(txId);
            var block = s.BlockOfTx(txId);
            return (s.Info.FirstHeight + block, (int)(txId - s.BlockFirstTx(block)));
        }

        CheckPending(txId, TxCount, _batch.TxCount, "transaction");
        var local = _batch.BlockOfTx(txId);
        return (_batch.FirstHeight + local, (int)(txId - _batch.BlockFirstTx(local)));
    }

    private static void CheckPending(long id, long committed, long pending, string what)
    {
        if (id < 0 || id >= committed + pending)
        {
            throw new ArgumentOutOfRangeException(nameof(id), $"{what} id {id} is not in the store ({committed + pending} known)");
        }
    }

    private static ulong TxKey(EvmHash hash) => HashIndex.Mix(hash.Low64);

    // ---------------------------------------------------------------- reading: addresses

    /// <summary>The id of a committed or pending address, or -1.</summary>
    public long FindAddress(EvmAddress address)
    {
        // one writer or reader thread per store: a reused key buffer keeps look-ups allocation-free
        address.WriteTo(_keyBuffer);
        var matcher = new AddressMatcher(this, _keyBuffer);
        return _addressIndex.Find(UtxoChainStore.AddressHash(_keyBuffer), AddressCount + _batch.AddressCount, ref matcher);
    }

    public EvmAddress Address(long addressId) => new(AddressKeyBytes(addressId));

    private ReadOnlySpan<byte> AddressKeyBytes(long id)
    {
        if (id >= 0 && id < AddressCount)
        {
            var s = SegmentOfAddress(id);
            return s.AddressKeyBytes(id - s.Info.AddressBase);
        }

        CheckPending(id, AddressCount, _batch.AddressCount, "address");
        return _batch.AddressKey(id - AddressCount);
    }

    /// <summary>True when the address has been the asset of a token transfer (committed or pending).</summary>
    public bool IsKnownAsset(EvmAddress address)
    {
        var id = FindAddress(address);
        return id >= 0 && IsAssetId((uint)id);
    }

    /// <summary>True when the address id has been the asset of a token transfer (committed or pending).</summary>
    public bool IsKnownAsset(long addressId) =>
        addressId >= 0 && addressId < AddressCount + _batch.AddressCount && IsAssetId((uint)addressId);

    private bool IsAssetId(uint id) => _batch.NewAssets.Contains(id) || (id < AddressCount && CommittedAssets().Contains(id));

    /// <summary>Address ids used as a token asset in committed segments (loaded on first use, kept up to date).</summary>
    private HashSet<uint> CommittedAssets()
    {
        if (_assets is null)
        {
            var set = new HashSet<uint>();
            foreach (var s in _segments)
            {
                for (long i = 0; i < s.AssetFirstCount; i++)
                {
                    set.Add(s.AssetFirst(i).AddressId);
                }
            }

            _assets = set;
        }

        return _assets;
    }

    /// <summary>Every committed posting of an address, in chain order: the transfers it sent (outgoing) and received.</summary>
    public IEnumerable<(long TransferId, bool Outgoing)> Postings(long addressId)
    {
        CheckPending(addressId, AddressCount, _batch.AddressCount, "address");
        return Iterate(addressId);

        IEnumerable<(long, bool)> Iterate(long id)
        {
            foreach (var s in _segments)
            {
                if (id >= s.Info.AddressBase + s.Info.AddressCount)
                {
                    continue; // the address appears later
                }

                var (start, count) = s.Postings((uint)id);
                for (var i = 0L; i < count; i++)
                {
                    var e = s.PostingEntry(start + i);
                    yield return (s.Info.TransferBase + (e & 0x7FFF_FFFFu), (e & 0x8000_0000u) != 0);
                }
            }
        }
    }

    // ---------------------------------------------------------------- reading: transfers

    /// <summary>A committed transfer.</summary>
    public StoredTransfer Transfer(long transferId)
    {
        if (transferId < 0 || transferId >= TransferCount)
        {
            throw new ArgumentOutOfRangeException(nameof(transferId), $"transfer id {transferId} is not committed ({TransferCount} transfers)");
        }

        var s = SegmentOfTransfer(transferId);
        return s.Transfer(transferId - s.Info.TransferBase);
    }

    /// <summary>The committed transfers of the blocks from <paramref name="fromHeight"/> to <paramref name="toHeight"/> (inclusive), in chain order.</summary>
    public IEnumerable<StoredTransfer> Transfers(long fromHeight, long toHeight)
    {
        var from = Math.Max(fromHeight, BaseHeight);
        var to = Math.Min(toHeight, BaseHeight + BlockCount - 1);
        if (from > to)
        {
            return [];
        }

        var (a, _) = BlockTransfers(from);
        var (b, n) = BlockTransfers(to);
        return Range(a, b + n);

        IEnumerable<StoredTransfer> Range(long first, long end)
        {
            var id = first;
            while (id < end)
            {
                var s = SegmentOfTransfer(id);
                var stop = Math.Min(end, s.Info.TransferBase + s.Info.TransferCount);
                for (; id < stop; id++)
                {
                    yield return s.Transfer(id - s.Info.TransferBase);
                }
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>
    /// Appends the next block (height <see cref="NextHeight"/>, extending the last appended block) to the pending batch.
    /// Address ids are given in order of first appearance (within a transfer: asset, sender, recipient).
    /// </summary>
    public void Append(EvmStoredBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        EnsureWriter();
        var next = NextHeight;
        if (block.Number != next)
        {
            throw new InvalidOperationException(block.Number < next
                ? $"chain '{ChainName}': cannot append block {block.Number}, the next height is {next} (roll back with Truncate first)"
                : $"chain '{ChainName}': cannot append block {block.Number}, the next height is {next} (blocks are appended in order, without gaps)");
        }

        if (next > BaseHeight && block.ParentHash != BlockHash(next - 1))
        {
            throw new InvalidOperationException(
                $"chain '{ChainName}': block {block.Number} ({block.Hash}) has parent {block.ParentHash}, but block {next - 1} is {BlockHash(next - 1)} (a reorg: Truncate first)");
        }

        if (block.Bundle is null || block.TransactionHashes is null || block.Transfers is null)
        {
            throw new ArgumentException($"block {block.Number}: bundle, transaction hashes and transfers must be set", nameof(block));
        }

        var txs = block.TransactionHashes.Count;
        for (var i = 0; i < block.Transfers.Count; i++)
        {
            var t = block.Transfers[i];
            if (t.TransactionIndex < -1 || t.TransactionIndex >= txs)
            {
                throw new ArgumentException(
                    $"block {block.Number}: transfer {i} has transaction index {t.TransactionIndex}, the block has {txs} transactions", nameof(block));
            }
        }

        // limits checked before anything is added, so a refused block leaves the batch as it was
        if (_batch.TransferCount + block.Transfers.Count >= int.MaxValue || _batch.TxCount + txs >= int.MaxValue / 32)
        {
            throw new InvalidOperationException($"chain '{ChainName}': the pending batch is too large; commit more often");
        }

        if (_batch.BundleBytes + block.Bundle.Length > Array.MaxLength - 1)
        {
            throw new InvalidOperationException($"chain '{ChainName}': pending bundles would exceed 2 GB; commit more often");
        }

        if (AddressCount + _batch.AddressCount + (3L * block.Transfers.Count) >= NoAddress)
        {
            throw new InvalidOperationException("address id space (32 bits) exhausted");
        }

        _batch.BeginBlock(block);
        foreach (var hash in block.TransactionHashes)
        {
            IndexPendingTx(hash, TxCount + _batch.TxCount);
            _batch.AddTx(hash);
        }

        foreach (var t in block.Transfers)
        {
            var asset = t.Asset is { } a ? GetOrAddAddress(a) : NoAddress;
            var from = t.From is { } f ? GetOrAddAddress(f) : NoAddress;
            var to = t.To is { } r ? GetOrAddAddress(r) : NoAddress;
            var local = _batch.AddTransfer((byte)t.Kind, t.TransactionIndex, t.Position, asset, from, to, t.Amount, t.TokenId);
            if (asset != NoAddress && !IsAssetId(asset))
            {
                _batch.AddAssetFirst(asset, local);
            }
        }
    }

    private uint GetOrAddAddress(EvmAddress address)
    {
        var id = FindAddress(address);
        if (id >= 0)
        {
            return (uint)id;
        }

        var newId = _batch.AddAddress(address);
        IndexPendingAddress(_keyBuffer, newId); // FindAddress left the key in the buffer
        return newId;
    }

    /// <summary>
    /// Writes the pending blocks as a new segment (every file flushed), flushes the indexes, then atomically replaces the
    /// manifest. Nothing is visible to other processes before the rename. No-op when nothing is pending.
    /// </summary>
    public void Commit()
    {
        EnsureWriter();
        if (_batch.BlockCount == 0)
        {
            return;
        }

        var next = _manifest.Clone();
        var name = $"seg-{next.Generation + 1:D8}";
        var dir = Path.Combine(Directory, name);
        var info = EvmSegmentWriter.Write(dir, name, _batch);
        next.Segments.Add(info);
        SetIndexes(next);
        next.Save(Directory);
        _manifest = next;
        _segments.Add(new EvmSegment(dir, info));
        _assets?.UnionWith(_batch.NewAssets);
        ResetBatch();
        DeleteUnreferencedIndexes();
        CompactTail();
    }

    /// <summary>Drops the pending blocks (their index entries become stale and are ignored).</summary>
    public void DiscardPending()
    {
        EnsureWriter();
        ResetBatch();
    }

    /// <summary>Flushes the indexes and names them in <paramref name="next"/>.</summary>
    private void SetIndexes(EvmManifest next)
    {
        _txIndex.Flush();
        _addressIndex.Flush();
        next.TxIndex = new IndexInfo { File = Path.GetFileName(_txIndex.Path), Capacity = _txIndex.Capacity };
        next.AddressIndex = new IndexInfo { File = Path.GetFileName(_addressIndex.Path), Capacity = _addressIndex.Capacity };
    }

    private void EnsureWriter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsWriter)
        {
            throw new InvalidOperationException($"chain '{ChainName}' was opened for reading");
        }
    }

    // ---------------------------------------------------------------- index plumbing

    private void IndexPendingTx(EvmHash hash, long id)
    {
        if ((id + 1) * 2 >= _txIndex.Capacity)
        {
            _txIndex = Grow(_txIndex, "tx", id, RebuildTxIndex);
        }

        _txIndex.Insert(TxKey(hash), id, id);
    }

    private void IndexPendingAddress(ReadOnlySpan<byte> key, long id)
    {
        if ((id + 1) * 2 >= _addressIndex.Capacity)
        {
            _addressIndex = Grow(_addressIndex, "addr", id, RebuildAddressIndex);
        }

        _addressIndex.Insert(UtxoChainStore.AddressHash(key), id, id);
    }

    private HashIndex Grow(HashIndex old, string prefix, long count, Action<HashIndex, long> rebuild)
    {
        var capacity = old.Capacity * 2;
        var file = $"{prefix}.{_manifest.Generation + 1}.{capacity}.idx";
        var index = HashIndex.Create(Path.Combine(Directory, file), capacity);
        rebuild(index, count);
        old.Dispose();
        return index; // the manifest names it at the next commit; until then the old file stays valid for committed ids
    }

    /// <summary>Inserts the first <paramref name="count"/> transaction ids (committed, then pending).</summary>
    private void RebuildTxIndex(HashIndex index, long count)
    {
        long id = 0;
        foreach (var s in _segments)
        {
            for (long i = 0; i < s.Info.TxCount && id < count; i++, id++)
            {
                index.Insert(TxKey(s.TxHash(i)), id, id);
            }
        }

        for (long i = 0; id < count; i++, id++)
        {
            index.Insert(TxKey(_batch.TxHash(i)), id, id);
        }
    }

    /// <summary>Inserts the first <paramref name="count"/> address ids (committed, then pending).</summary>
    private void RebuildAddressIndex(HashIndex index, long count)
    {
        long id = 0;
        foreach (var s in _segments)
        {
            for (long i = 0; i < s.Info.AddressCount && id < count; i++, id++)
            {
                index.Insert(UtxoChainStore.AddressHash(s.AddressKeyBytes(i)), id, id);
            }
        }

        for (long i = 0; id < count; i++, id++)
        {
            index.Insert(UtxoChainStore.AddressHash(_batch.AddressKey(i)), id, id);
        }
    }

    private readonly struct TxMatcher(EvmChainStore store, EvmHash hash) : IKeyMatcher
    {
        public bool Matches(long id) => store.TransactionHash(id) == hash;
    }

    private readonly struct AddressMatcher(EvmChainStore store, byte[] key) : IKeyMatcher
    {
        public bool Matches(long id) => store.AddressKeyBytes(id).SequenceEqual(key);
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
