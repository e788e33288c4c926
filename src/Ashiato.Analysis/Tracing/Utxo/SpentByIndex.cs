using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>spentby.json: what spentby.idx covers. Written last.</summary>
public sealed record SpentByMeta(int Format, string Chain, int Height, string TipHash, long Outputs, long Inputs, long Spent, long Bytes, string Sha256);

/// <summary>What <see cref="SpentByIndex.Ensure"/> did.</summary>
public sealed record SpentByResult(SpentByMeta Meta, string Action, string? Reason, TimeSpan Elapsed);

/// <summary>
/// The spent-by index of a UTXO chain (derived data under chains/&lt;chain&gt;/derived/): <c>spentby.idx</c> holds one
/// little-endian <c>i64</c> per output id (0 … output count − 1): the id of the input that spends it, or −1 while it is unspent
/// (or spent by an input that is not in the store). <c>spentby.json</c> records the height and block hash it covers, the
/// counts, and the data file's size and SHA-256. Both files are written to <c>*.tmp</c>, flushed and renamed (data first).
/// <see cref="Ensure"/> keeps it current: nothing when it covers the tip; <em>extended</em> (only the new blocks' inputs are
/// read) when the chain grew and the covered block is still the chain's; <em>rebuilt</em> after a reorg below it, when files are
/// missing or damaged (digest mismatch), or for another format. The bytes depend only on the chain, never on the route.
/// </summary>
public sealed class SpentByIndex
{
    public const int Format = 1;
    public const string Data = "spentby.idx";
    public const string Meta = "spentby.json";
    public const long Unspent = -1;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly long[] _spentBy;

    private SpentByIndex(long[] spentBy, SpentByMeta meta)
    {
        _spentBy = spentBy;
        Info = meta;
    }

    public SpentByMeta Info { get; }

    public long OutputCount => _spentBy.Length;

    /// <summary>The input that spends <paramref name="outputId"/>, or -1 when unspent (as of the covered height).</summary>
    public long SpendingInput(long outputId) => _spentBy[outputId];

    public static string DirectoryOf(UtxoChainStore chain) => Path.Combine(chain.Directory, "derived");

    /// <summary>Loads the index, building or extending it first when it does not cover the chain's tip (see the class summary).</summary>
    public static SpentByIndex Load(UtxoChainStore chain, Action<string>? progress = null) => LoadOrEnsure(chain, progress, out _);

    public static SpentByIndex LoadOrEnsure(UtxoChainStore chain, Action<string>? progress, out SpentByResult result)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var dir = DirectoryOf(chain);
        var (stored, reason) = ReadValid(chain, dir);
        long[] spent;
        string action;
        long fromInput;
        if (stored is not null && stored.Meta.Height == chain.TipHeight && stored.Meta.Inputs == chain.InputCount)
        {
            spent = stored.Array;
            result = new SpentByResult(stored.Meta, "current", null, started.Elapsed);
            return new SpentByIndex(spent, stored.Meta);
        }

        if (stored is not null)
        {
            action = "extended";
            spent = new long[chain.OutputCount];
            Array.Copy(stored.Array, spent, stored.Array.Length);
            Array.Fill(spent, Unspent, stored.Array.Length, spent.Length - stored.Array.Length);
            fromInput = stored.Meta.Inputs;
            progress?.Invoke($"spent-by index: extending from height {stored.Meta.Height + 1} to {chain.TipHeight} ({chain.InputCount - fromInput} inputs)");
        }
        else
        {
            action = "rebuilt";
            spent = new long[chain.OutputCount];
            Array.Fill(spent, Unspent);
            fromInput = 0;
            progress?.Invoke($"spent-by index: building for heights {chain.BaseHeight}..{chain.TipHeight} ({chain.InputCount} inputs){(reason is null ? "" : ": " + reason)}");
        }

        long count = 0;
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
                    spent[prev] = info.InputBase + local;
                }
            }
        }

        foreach (var v in spent)
        {
            if (v >= 0)
            {
                count++;
            }
        }

        var bytes = MemoryMarshal.AsBytes(spent.AsSpan());
        var meta = new SpentByMeta(Format, chain.ChainName, chain.TipHeight, chain.BlockCount == 0 ? "" : chain.TipHash.ToString(), chain.OutputCount,
            chain.InputCount, count, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Directory.CreateDirectory(dir);
        DurableFile.WriteAtomic(Path.Combine(dir, Data), bytes);
        DurableFile.WriteAtomic(Path.Combine(dir, Meta), JsonSerializer.SerializeToUtf8Bytes(meta, JsonOptions));
        result = new SpentByResult(meta, action, reason, started.Elapsed);
        return new SpentByIndex(spent, meta);
    }

    /// <summary>The stored index when it is intact and its covered block is still the chain's; otherwise null and why.</summary>
    private static (Stored? Stored, string? Reason) ReadValid(UtxoChainStore chain, string dir)
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

        var bytes = File.ReadAllBytes(dataPath);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != meta.Sha256)
        {
            return (null, $"{Data} does not match its digest in {Meta}");
        }

        return (new Stored(meta, MemoryMarshal.Cast<byte, long>(bytes).ToArray()), null);
    }

    /// <summary>Checks that a loaded index covers <paramref name="chain"/>'s tip; a clear error otherwise.</summary>
    public void EnsureCovers(UtxoChainStore chain)
    {
        if (Info.Outputs != chain.OutputCount)
        {
            throw new UserErrorException($"the spent-by index of '{chain.ChainName}' covers height {Info.Height}, the chain is at {chain.TipHeight}; load it again");
        }
    }

    private sealed record Stored(SpentByMeta Meta, long[] Array);
}
