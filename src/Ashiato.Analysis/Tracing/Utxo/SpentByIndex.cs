using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>spentby.json: what spentby.idx and invalue.idx cover. Written last.</summary>
public sealed record SpentByMeta(int Format, string Chain, int Height, string TipHash, long Outputs, long Inputs, long Spent, long Bytes, string Sha256)
{
    /// <summary>The data file's last-write time (UTC ticks) when its digest was taken; 0 in files written before it was recorded.</summary>
    public long DataWriteTicks { get; init; }

    /// <summary>invalue.idx: its size, SHA-256 and last-write time when hashed (format 2).</summary>
    public long InValueBytes { get; init; }

    public string InValueSha256 { get; init; } = "";

    public long InValueWriteTicks { get; init; }
}

/// <summary>What <see cref="SpentByIndex.Ensure"/> did.</summary>
public sealed record SpentByResult(SpentByMeta Meta, string Action, string? Reason, TimeSpan Elapsed);

/// <summary>
/// The spent-by index of a UTXO chain (derived data under chains/&lt;chain&gt;/derived/), the tracer's forward look-ups.
/// <c>spentby.idx</c> holds one 16-byte record per output id (0 … output count − 1): the little-endian <c>i64</c> id of the
/// input that spends it and the <c>i64</c> id of that input's transaction, both −1 while it is unspent (or spent by an input
/// that is not in the store). <c>invalue.idx</c> holds one <c>i64</c> per input id: the value of the coin the input spends
/// (the output's value; a resolved external prevout's value, at least 0; 0 for a coinbase input or an unresolved external
/// one) — what the tracer would otherwise read through <c>in.prev</c> and the spent output's <c>out.value</c>, two random
/// reads per input. <c>spentby.json</c> records the height and block hash they cover, the counts, and each data file's size and
/// SHA-256. All are written to <c>*.tmp</c>, flushed and renamed (data first).
/// <see cref="LoadOrEnsure"/> keeps it current: nothing when it covers the tip; <em>extended</em> (only the new blocks' inputs
/// are read) when the chain grew and the covered block is still the chain's; <em>rebuilt</em> after a reorg below it, when
/// files are missing or damaged (digest mismatch), or for another format. The bytes depend only on the chain, never on the route.
/// <para>
/// The files are <b>memory-mapped</b>, never loaded into managed memory: a look-up is one read at <c>16 × output id</c> (or
/// <c>8 × input id</c>) of the mapping (the page cache holds what traces touch; ≈ 140 + 72 GB for mainnet's ≈ 9 bn outputs
/// and inputs need not fit in RAM). A build or an extension writes the new files through read-write mappings of
/// <c>*.tmp</c> (an extension first copies the old bytes and fills the new records with −1 / 0), then hashes them by
/// streaming, flushes and renames them: a mapped old file is never written in place, so an index already open elsewhere keeps
/// reading consistent bytes.
/// </para>
/// </summary>
public sealed unsafe class SpentByIndex : IDisposable
{
    public const int Format = 2;
    public const string Data = "spentby.idx";
    public const string InValues = "invalue.idx";
    public const string Meta = "spentby.json";
    public const long Unspent = -1;
    public const int RecordBytes = 16;

    private const int Chunk = 1 << 20;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // null when the chain has no outputs (inputs) (an empty file cannot be mapped)
    private readonly MappedFile? _file;
    private readonly MappedFile? _inValues;

    private SpentByIndex(MappedFile? file, MappedFile? inValues, SpentByMeta meta)
    {
        _file = file;
        _inValues = inValues;
        Info = meta;
    }

    public SpentByMeta Info { get; }

    public long OutputCount => Info.Outputs;

    /// <summary>The input that spends <paramref name="outputId"/>, or -1 when unspent (as of the covered height).</summary>
    public long SpendingInput(long outputId) => Spender(outputId).Input;

    /// <summary>The input that spends <paramref name="outputId"/> and its transaction, or (-1, -1) when unspent (as of the covered height).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (long Input, long Tx) Spender(long outputId)
    {
        if ((ulong)outputId >= (ulong)Info.Outputs || _file is null)
        {
            throw new ArgumentOutOfRangeException(nameof(outputId), $"output {outputId} is not covered by the spent-by index ({Info.Outputs} outputs)");
        }

        var r = _file.Read<Int128>(outputId);
        return ((long)(ulong)r, (long)(r >> 64));
    }

    /// <summary>The value of the coin input <paramref name="inputId"/> spends (0 for coinbase and unresolved external inputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long InputValue(long inputId)
    {
        if ((ulong)inputId >= (ulong)Info.Inputs || _inValues is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputId), $"input {inputId} is not covered by the spent-by index ({Info.Inputs} inputs)");
        }

        return _inValues.Read<long>(inputId);
    }

    /// <summary>
    /// Hints the CPU to fetch the first records <see cref="Spenders"/> and <see cref="InputValues"/> will read for a
    /// transaction (its first output's and first input's), so that both misses overlap with the caller's other reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(long firstOutput, long firstInput)
    {
        _file?.Prefetch(firstOutput * RecordBytes);
        _inValues?.Prefetch(firstInput * sizeof(long));
    }

    /// <summary>The spenders of outputs <paramref name="firstOutput"/> … + <paramref name="inputs"/>.Length − 1 (one sequential read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Spenders(long firstOutput, Span<long> inputs, Span<long> txs)
    {
        var n = inputs.Length;
        if (n == 0)
        {
            return;
        }

        if (firstOutput < 0 || firstOutput + n > Info.Outputs || _file is null)
        {
            throw new ArgumentOutOfRangeException(nameof(firstOutput), $"outputs {firstOutput}..{firstOutput + n - 1} are not covered by the spent-by index ({Info.Outputs} outputs)");
        }

        var records = MemoryMarshal.Cast<byte, long>(_file.Span(firstOutput * RecordBytes, n * RecordBytes));
        for (var j = 0; j < n; j++)
        {
            inputs[j] = records[2 * j];
            txs[j] = records[(2 * j) + 1];
        }
    }

    /// <summary>The spent coins' values of inputs <paramref name="firstInput"/> … + <paramref name="values"/>.Length − 1 (one sequential read); returns their sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long InputValues(long firstInput, Span<long> values)
    {
        var n = values.Length;
        if (n == 0)
        {
            return 0;
        }

        if (firstInput < 0 || firstInput + n > Info.Inputs || _inValues is null)
        {
            throw new ArgumentOutOfRangeException(nameof(firstInput), $"inputs {firstInput}..{firstInput + n - 1} are not covered by the spent-by index ({Info.Inputs} inputs)");
        }

        _inValues.Span(firstInput * sizeof(long), n * sizeof(long)).CopyTo(MemoryMarshal.AsBytes(values));
        long sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    public static string DirectoryOf(UtxoChainStore chain) => Path.Combine(chain.Directory, "derived");

    /// <summary>Loads the index, building or extending it first when it does not cover the chain's tip (see the class summary).</summary>
    public static SpentByIndex Load(UtxoChainStore chain, Action<string>? progress = null) => LoadOrEnsure(chain, progress, out _);

    public static SpentByIndex LoadOrEnsure(UtxoChainStore chain, Action<string>? progress, out SpentByResult result)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var dir = DirectoryOf(chain);
        var dataPath = Path.Combine(dir, Data);
        var inPath = Path.Combine(dir, InValues);
        var (stored, reason) = ReadValid(chain, dir);
        if (stored is not null && stored.Height == chain.TipHeight && stored.Inputs == chain.InputCount)
        {
            result = new SpentByResult(stored, "current", null, started.Elapsed);
            return Open(dataPath, inPath, stored);
        }

        string action;
        long fromInput;
        var length = chain.OutputCount * RecordBytes;
        var inLength = chain.InputCount * sizeof(long);
        var tmp = dataPath + ".tmp";
        var inTmp = inPath + ".tmp";
        Directory.CreateDirectory(dir);
        if (stored is not null)
        {
            action = "extended";
            fromInput = stored.Inputs;
            progress?.Invoke($"spent-by index: extending from height {stored.Height + 1} to {chain.TipHeight} ({chain.InputCount - fromInput} inputs)");
        }
        else
        {
            action = "rebuilt";
            fromInput = 0;
            progress?.Invoke($"spent-by index: building for heights {chain.BaseHeight}..{chain.TipHeight} ({chain.InputCount} inputs){(reason is null ? "" : ": " + reason)}");
        }

        // the old bytes (extension), then records not covered yet: −1 (all bits set) per output, 0 per input
        CopyAndFill(dataPath, stored?.Bytes ?? 0, tmp, length, 0xFF);
        CopyAndFill(inPath, stored?.InValueBytes ?? 0, inTmp, inLength, 0x00);
        if (length > 0 || inLength > 0)
        {
            WriteSpenders(chain, tmp, length, inTmp, inLength, fromInput);
        }

        // digests and the spent count by streaming the finished files; then flush them to disk
        long count = 0;
        var sha = Finish(tmp, (buffer, n) =>
        {
            foreach (var v in MemoryMarshal.Cast<byte, long>(buffer.AsSpan(0, n)))
            {
                // the input id of each record (every other i64); the tx id is ≥ 0 exactly when it is
                if (v >= 0)
                {
                    count++;
                }
            }
        });
        count /= 2;
        var inSha = Finish(inTmp, null);
        File.Move(inTmp, inPath, overwrite: true);
        File.Move(tmp, dataPath, overwrite: true);
        DurableFile.SyncDirectory(dir);
        var meta = new SpentByMeta(Format, chain.ChainName, chain.TipHeight, chain.BlockCount == 0 ? "" : chain.TipHash.ToString(), chain.OutputCount,
            chain.InputCount, count, length, sha)
        {
            DataWriteTicks = File.GetLastWriteTimeUtc(dataPath).Ticks,
            InValueBytes = inLength,
            InValueSha256 = inSha,
            InValueWriteTicks = File.GetLastWriteTimeUtc(inPath).Ticks,
        };
        DurableFile.WriteAtomic(Path.Combine(dir, Meta), JsonSerializer.SerializeToUtf8Bytes(meta, JsonOptions));
        result = new SpentByResult(meta, action, reason, started.Elapsed);
        return Open(dataPath, inPath, meta);
    }

    /// <summary>Writes <paramref name="to"/>: the first <paramref name="keep"/> bytes of <paramref name="from"/>, then <paramref name="fill"/> bytes up to <paramref name="length"/>.</summary>
    private static void CopyAndFill(string from, long keep, string to, long length, byte fill)
    {
        using var fs = new FileStream(to, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        long copied = 0;
        var buffer = new byte[Chunk];
        if (keep > 0)
        {
            using var old = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            while (copied < keep)
            {
                var n = old.Read(buffer, 0, (int)Math.Min(buffer.Length, keep - copied));
                if (n <= 0)
                {
                    throw new IOException($"{from}: shorter than its {keep} bytes");
                }

                fs.Write(buffer, 0, n);
                copied += n;
            }
        }

        Array.Fill(buffer, fill);
        while (copied < length)
        {
            var n = (int)Math.Min(buffer.Length, length - copied);
            fs.Write(buffer, 0, n);
            copied += n;
        }
    }

    /// <summary>The SHA-256 of a finished file, read by streaming (each chunk also shown to <paramref name="each"/>); then the file is flushed to disk.</summary>
    private static string Finish(string path, Action<byte[], int>? each)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Chunk];
        int n;
        while ((n = fs.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            each?.Invoke(buffer, n);
        }

        fs.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// For every input from <paramref name="fromInput"/> on: spent[prev] = (input, its transaction) and inValue[input] = the
    /// spent coin's value, through read-write mappings of the two files.
    /// </summary>
    private static void WriteSpenders(UtxoChainStore chain, string path, long length, string inPath, long inLength, long fromInput)
    {
        using var outMap = Mapping.Of(path, length);
        using var inMap = Mapping.Of(inPath, inLength);
        var spent = (long*)outMap.Pointer;
        var inValue = (long*)inMap.Pointer;
        var outputs = length / RecordBytes;
        var view = new UtxoChainView(chain);
        foreach (var s in chain.Segments)
        {
            var info = s.Info;
            if (info.InputBase + info.InputCount <= fromInput)
            {
                continue;
            }

            for (long t = 0; t < info.TxCount; t++)
            {
                long first = s.TxMeta(t).InputLocal;
                var end = t + 1 < info.TxCount ? s.TxMeta(t + 1).InputLocal : info.InputCount;
                if (info.InputBase + end <= fromInput)
                {
                    continue;
                }

                var tx = info.TxBase + t;
                for (var local = Math.Max(first, fromInput - info.InputBase); local < end; local++)
                {
                    var input = info.InputBase + local;
                    var prev = s.InPrev(local);
                    long value = 0;
                    if (prev >= 0)
                    {
                        if (prev >= outputs)
                        {
                            throw new InvalidDataException($"input {input} spends output {prev}, past the chain's {outputs} outputs");
                        }

                        spent[2 * prev] = input;
                        spent[(2 * prev) + 1] = tx;
                        value = view.OutValue(prev);
                    }
                    else if (prev == PrevRef.External && s.External(local) is { } ext && ext.Resolved != 0)
                    {
                        value = Math.Max(0, ext.Value);
                    }

                    inValue[input] = value;
                }
            }
        }

        outMap.Flush();
        inMap.Flush();
    }

    /// <summary>A read-write mapping of a whole file (none for an empty one).</summary>
    private sealed class Mapping : IDisposable
    {
        private readonly MemoryMappedFile? _map;
        private readonly MemoryMappedViewAccessor? _view;

        private Mapping(MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer)
        {
            _map = map;
            _view = view;
            Pointer = pointer;
        }

        public byte* Pointer { get; }

        public static Mapping Of(string path, long length)
        {
            if (length == 0)
            {
                return new Mapping(null, null, null);
            }

            var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, length, MemoryMappedFileAccess.ReadWrite);
            var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            return new Mapping(map, view, p + view.PointerOffset);
        }

        public void Flush() => _view?.Flush();

        public void Dispose()
        {
            if (_view is not null)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                _view.Dispose();
            }

            _map?.Dispose();
        }
    }

    private static SpentByIndex Open(string dataPath, string inPath, SpentByMeta meta) =>
        new(meta.Bytes > 0 ? new MappedFile(dataPath, meta.Bytes) : null, meta.InValueBytes > 0 ? new MappedFile(inPath, meta.InValueBytes) : null, meta);

    /// <summary>The stored index's meta when it is intact (digests checked by streaming) and its covered block is still the chain's; otherwise null and why.</summary>
    private static (SpentByMeta? Stored, string? Reason) ReadValid(UtxoChainStore chain, string dir)
    {
        var metaPath = Path.Combine(dir, Meta);
        var dataPath = Path.Combine(dir, Data);
        var inPath = Path.Combine(dir, InValues);
        if (!File.Exists(metaPath))
        {
            return (null, null);
        }

        SpentByMeta? meta;
        try
        {
            meta = JsonSerializer.Deserialize<SpentByMeta>(File.ReadAllBytes(metaPath), JsonOptions);
        }
        catch (JsonException)
        {
            return (null, $"{Meta} is not readable");
        }

        if (meta is null || meta.Format != Format)
        {
            return (null, $"{Meta} has another format");
        }

        if (meta.Chain != chain.ChainName)
        {
            return (null, $"{Meta} is for chain '{meta.Chain}'");
        }

        if (meta.Height > chain.TipHeight || (meta.Height >= chain.BaseHeight && chain.GetBlockHash(meta.Height).ToString() != meta.TipHash)
            || meta.Inputs > chain.InputCount || meta.Outputs > chain.OutputCount)
        {
            return (null, $"the chain changed below height {meta.Height} (reorg)");
        }

        if (!File.Exists(dataPath) || new FileInfo(dataPath).Length != meta.Bytes || meta.Bytes != meta.Outputs * RecordBytes)
        {
            return (null, $"{Data} does not match {Meta}");
        }

        if (!File.Exists(inPath) || new FileInfo(inPath).Length != meta.InValueBytes || meta.InValueBytes != meta.Inputs * sizeof(long))
        {
            return (null, $"{InValues} does not match {Meta}");
        }

        // The digest was taken when a file was written; a file not written since (same size and last-write time, and the
        // chain's block at the covered height unchanged, checked above) is not hashed again at every open (≈ 200 GB for
        // mainnet). A file written since — damaged, replaced, or of an interrupted extension — is hashed and compared.
        var dataTicks = meta.DataWriteTicks;
        var inTicks = meta.InValueWriteTicks;
        if (!Verified(dataPath, meta.Sha256, ref dataTicks))
        {
            return (null, $"{Data} does not match its digest in {Meta}");
        }

        if (!Verified(inPath, meta.InValueSha256, ref inTicks))
        {
            return (null, $"{InValues} does not match its digest in {Meta}");
        }

        if (dataTicks == meta.DataWriteTicks && inTicks == meta.InValueWriteTicks)
        {
            return (meta, null);
        }

        // the bytes are right: remember the time they were checked at, so that the next open need not hash them (best effort:
        // a read-only store just hashes again next time)
        var checkedMeta = meta with { DataWriteTicks = dataTicks, InValueWriteTicks = inTicks };
        try
        {
            DurableFile.WriteAtomic(metaPath, JsonSerializer.SerializeToUtf8Bytes(checkedMeta, JsonOptions));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (meta, null);
        }

        return (checkedMeta, null);
    }

    /// <summary>True when the file was not written since its digest was taken (<paramref name="ticks"/>), or its bytes match the digest (then <paramref name="ticks"/> = its last-write time).</summary>
    private static bool Verified(string path, string sha256, ref long ticks)
    {
        var now = File.GetLastWriteTimeUtc(path).Ticks;
        if (ticks != 0 && now == ticks)
        {
            return true;
        }

        string sha;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, Chunk))
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(fs));
        }

        ticks = now;
        return sha == sha256;
    }

    /// <summary>Checks that a loaded index covers <paramref name="chain"/>'s tip; a clear error otherwise.</summary>
    public void EnsureCovers(UtxoChainStore chain)
    {
        if (Info.Outputs != chain.OutputCount || Info.Inputs != chain.InputCount)
        {
            throw new UserErrorException($"the spent-by index of '{chain.ChainName}' covers height {Info.Height}, the chain is at {chain.TipHeight}; load it again");
        }
    }

    /// <summary>Unmaps the files (look-ups after this fail).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _inValues?.Dispose();
    }
}
