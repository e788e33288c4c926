using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>spentby.json: what spentby.idx covers. Written last.</summary>
public sealed record SpentByMeta(int Format, string Chain, int Height, string TipHash, long Outputs, long Inputs, long Spent, long Bytes, string Sha256)
{
    /// <summary>The data file's last-write time (UTC ticks) when its digest was taken; 0 in files written before it was recorded.</summary>
    public long DataWriteTicks { get; init; }
}

/// <summary>What <see cref="SpentByIndex.Ensure"/> did.</summary>
public sealed record SpentByResult(SpentByMeta Meta, string Action, string? Reason, TimeSpan Elapsed);

/// <summary>
/// The spent-by index of a UTXO chain (derived data under chains/&lt;chain&gt;/derived/): <c>spentby.idx</c> holds one
/// little-endian <c>i64</c> per output id (0 … output count − 1): the id of the input that spends it, or −1 while it is unspent
/// (or spent by an input that is not in the store). <c>spentby.json</c> records the height and block hash it covers, the
/// counts, and the data file's size and SHA-256. Both files are written to <c>*.tmp</c>, flushed and renamed (data first).
/// <see cref="LoadOrEnsure"/> keeps it current: nothing when it covers the tip; <em>extended</em> (only the new blocks' inputs
/// are read) when the chain grew and the covered block is still the chain's; <em>rebuilt</em> after a reorg below it, when
/// files are missing or damaged (digest mismatch), or for another format. The bytes depend only on the chain, never on the route.
/// <para>
/// The index is <b>memory-mapped</b>, never loaded into managed memory: a look-up is one 8-byte read at <c>8 × output id</c>
/// of the mapping (the page cache holds what traces touch; ≈ 70 GB for mainnet's ≈ 9 bn outputs need not fit in RAM). A
/// build or an extension writes the new file through a read-write mapping of <c>spentby.idx.tmp</c> (an extension first
/// copies the old bytes and fills the new outputs with −1), then hashes it by streaming, flushes and renames it: a mapped
/// old file is never written in place, so an index already open elsewhere keeps reading consistent bytes.
/// </para>
/// </summary>
public sealed unsafe class SpentByIndex : IDisposable
{
    public const int Format = 1;
    public const string Data = "spentby.idx";
    public const string Meta = "spentby.json";
    public const long Unspent = -1;

    private const int Chunk = 1 << 20;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // null when the chain has no outputs (an empty file cannot be mapped)
    private readonly MappedFile? _file;

    private SpentByIndex(MappedFile? file, SpentByMeta meta)
    {
        _file = file;
        Info = meta;
    }

    public SpentByMeta Info { get; }

    public long OutputCount => Info.Outputs;

    /// <summary>The input that spends <paramref name="outputId"/>, or -1 when unspent (as of the covered height).</summary>
    public long SpendingInput(long outputId)
    {
        if ((ulong)outputId >= (ulong)Info.Outputs || _file is null)
        {
            throw new ArgumentOutOfRangeException(nameof(outputId), $"output {outputId} is not covered by the spent-by index ({Info.Outputs} outputs)");
        }

        return _file.Read<long>(outputId);
    }

    public static string DirectoryOf(UtxoChainStore chain) => Path.Combine(chain.Directory, "derived");

    /// <summary>Loads the index, building or extending it first when it does not cover the chain's tip (see the class summary).</summary>
    public static SpentByIndex Load(UtxoChainStore chain, Action<string>? progress = null) => LoadOrEnsure(chain, progress, out _);

    public static SpentByIndex LoadOrEnsure(UtxoChainStore chain, Action<string>? progress, out SpentByResult result)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var dir = DirectoryOf(chain);
        var dataPath = Path.Combine(dir, Data);
        var (stored, reason) = ReadValid(chain, dir);
        if (stored is not null && stored.Height == chain.TipHeight && stored.Inputs == chain.InputCount)
        {
            result = new SpentByResult(stored, "current", null, started.Elapsed);
            return Open(dataPath, stored);
        }

        string action;
        long fromInput;
        var length = chain.OutputCount * sizeof(long);
        var tmp = dataPath + ".tmp";
        Directory.CreateDirectory(dir);
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            long copied = 0;
            if (stored is not null)
            {
                action = "extended";
                fromInput = stored.Inputs;
                progress?.Invoke($"spent-by index: extending from height {stored.Height + 1} to {chain.TipHeight} ({chain.InputCount - fromInput} inputs)");
                using var old = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                var buffer = new byte[Chunk];
                while (copied < stored.Bytes)
                {
                    var n = old.Read(buffer, 0, (int)Math.Min(buffer.Length, stored.Bytes - copied));
                    if (n <= 0)
                    {
                        throw new IOException($"{dataPath}: shorter than its {stored.Bytes} bytes");
                    }

                    fs.Write(buffer, 0, n);
                    copied += n;
                }
            }
            else
            {
                action = "rebuilt";
                fromInput = 0;
                progress?.Invoke($"spent-by index: building for heights {chain.BaseHeight}..{chain.TipHeight} ({chain.InputCount} inputs){(reason is null ? "" : ": " + reason)}");
            }

            // outputs not covered yet: −1 (all bits set)
            var fill = new byte[Chunk];
            Array.Fill(fill, (byte)0xFF);
            while (copied < length)
            {
                var n = (int)Math.Min(fill.Length, length - copied);
                fs.Write(fill, 0, n);
                copied += n;
            }
        }

        if (length > 0)
        {
            WriteSpenders(chain, tmp, length, fromInput);
        }

        // digest and spent count by streaming the finished file; then flush it to disk
        long count = 0;
        string sha;
        using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[Chunk];
            int n;
            while ((n = fs.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                foreach (var v in MemoryMarshal.Cast<byte, long>(buffer.AsSpan(0, n)))
                {
                    if (v >= 0)
                    {
                        count++;
                    }
                }
            }

            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, dataPath, overwrite: true);
        DurableFile.SyncDirectory(dir);
        var meta = new SpentByMeta(Format, chain.ChainName, chain.TipHeight, chain.BlockCount == 0 ? "" : chain.TipHash.ToString(), chain.OutputCount,
            chain.InputCount, count, length, sha) { DataWriteTicks = File.GetLastWriteTimeUtc(dataPath).Ticks };
        DurableFile.WriteAtomic(Path.Combine(dir, Meta), JsonSerializer.SerializeToUtf8Bytes(meta, JsonOptions));
        result = new SpentByResult(meta, action, reason, started.Elapsed);
        return Open(dataPath, meta);
    }

    /// <summary>Writes spent[prev] = input for every input from <paramref name="fromInput"/> on, through a read-write mapping of the file.</summary>
    private static void WriteSpenders(UtxoChainStore chain, string path, long length, long fromInput)
    {
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, length, MemoryMappedFileAccess.ReadWrite);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try
        {
            var spent = (long*)(p + view.PointerOffset);
            var outputs = length / sizeof(long);
            foreach (var s in chain.Segments)
            {
                var info = s.Info;
                if (info.InputBase + info.InputCount <= fromInput)
                {
                    continue;
                }

                for (var local = Math.Max(0, fromInput - info.InputBase); local < info.InputCount; local++)
                {
                    var prev = s.InPrev(local);
                    if (prev >= 0)
                    {
                        if (prev >= outputs)
                        {
                            throw new InvalidDataException($"input {info.InputBase + local} spends output {prev}, past the chain's {outputs} outputs");
                        }

                        spent[prev] = info.InputBase + local;
                    }
                }
            }

            view.Flush();
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    private static SpentByIndex Open(string dataPath, SpentByMeta meta) => new(meta.Bytes > 0 ? new MappedFile(dataPath, meta.Bytes) : null, meta);

    /// <summary>The stored index's meta when it is intact (digest checked by streaming) and its covered block is still the chain's; otherwise null and why.</summary>
    private static (SpentByMeta? Stored, string? Reason) ReadValid(UtxoChainStore chain, string dir)
    {
        var metaPath = Path.Combine(dir, Meta);
        var dataPath = Path.Combine(dir, Data);
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

        if (!File.Exists(dataPath) || new FileInfo(dataPath).Length != meta.Bytes || meta.Bytes != meta.Outputs * sizeof(long))
        {
            return (null, $"{Data} does not match {Meta}");
        }

        // The digest was taken when the file was written; a file not written since (same size and last-write time, and the
        // chain's block at the covered height unchanged, checked above) is not hashed again at every open (70 GB for mainnet).
        // A file written since — damaged, replaced, or of an interrupted extension — is hashed and compared.
        if (meta.DataWriteTicks != 0 && File.GetLastWriteTimeUtc(dataPath).Ticks == meta.DataWriteTicks)
        {
            return (meta, null);
        }

        string sha;
        using (var fs = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, Chunk))
        {
            sha = Convert.ToHexStringLower(SHA256.HashData(fs));
        }

        if (sha != meta.Sha256)
        {
            return (null, $"{Data} does not match its digest in {Meta}");
        }

        // the bytes are right: remember the time they were checked at, so that the next open need not hash them (best effort:
        // a read-only store just hashes again next time)
        var checkedMeta = meta with { DataWriteTicks = File.GetLastWriteTimeUtc(dataPath).Ticks };
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

    /// <summary>Checks that a loaded index covers <paramref name="chain"/>'s tip; a clear error otherwise.</summary>
    public void EnsureCovers(UtxoChainStore chain)
    {
        if (Info.Outputs != chain.OutputCount)
        {
            throw new UserErrorException($"the spent-by index of '{chain.ChainName}' covers height {Info.Height}, the chain is at {chain.TipHeight}; load it again");
        }
    }

    /// <summary>Unmaps the file (look-ups after this fail).</summary>
    public void Dispose() => _file?.Dispose();
}
