using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Storage.Files;

namespace Ashiato.Analysis.Clustering;

/// <summary>One effective union: the transaction, the heuristic, and the two addresses it linked (24 bytes in clusters.log).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct MergeRecord(long TxId, uint A, uint B, HeuristicId Heuristic, byte R1, ushort R2, int R3)
{
    public MergeRecord(long txId, uint a, uint b, HeuristicId heuristic)
        : this(txId, a, b, heuristic, 0, 0, 0)
    {
    }
}

/// <summary>A transaction a detector flagged (16 bytes in clusters.coinjoin).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct CoinJoinRecord(long TxId, CoinJoinKind Kind, byte R1, ushort R2, float Confidence);

/// <summary>A union the supercluster guard refused (32 bytes in clusters.refused): the transaction, the heuristic, the two addresses
/// it would have linked, and for each side the address whose tag labelled its cluster (the two labels).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct RefusalRecord(long TxId, uint A, uint B, HeuristicId Heuristic, byte R1, ushort R2, uint LabelledA, uint LabelledB, int R3)
{
    public RefusalRecord(long txId, uint a, uint b, HeuristicId heuristic, uint labelledA, uint labelledB)
        : this(txId, a, b, heuristic, 0, 0, labelledA, labelledB, 0)
    {
    }
}

public sealed record FileDigest(long Bytes, string Sha256);

/// <summary>clusters.json: what the derived files cover and how they were made. Written last.</summary>
public sealed record ClusterMeta(
    int Format,
    string Chain,
    SortedDictionary<string, bool> Heuristics,
    int Height,
    string TipHash,
    long TxCount,
    long AddressCount,
    long Clusters,
    long LargestCluster,
    long LargestClusterId,
    SortedDictionary<string, long> MergesByHeuristic,
    SortedDictionary<string, long> CoinJoins,
    SortedDictionary<string, FileDigest> Files)
{
    /// <summary>SHA-256 of the supercluster guard's input (each tagged address and its party); the clusters are rebuilt when it changes.</summary>
    public string TagsDigest { get; init; } = "";

    /// <summary>Tagged addresses of the chain the guard knew (in the store at the time).</summary>
    public long GuardedAddresses { get; init; }

    /// <summary>Unions the guard refused (records in clusters.refused).</summary>
    public long Refusals { get; init; }
}

/// <summary>The files under chains/&lt;chain&gt;/derived/: clusters.ids (u32 per address: its cluster id = the smallest address id
/// in the cluster), clusters.log (merge records in order), clusters.coinjoin (flagged transactions), clusters.refused (unions the
/// supercluster guard refused, in order), clusters.json.</summary>
public static class ClusterFiles
{
    public const int Format = 2;
    public const string Refused = "clusters.refused";
    public const string Ids = "clusters.ids";
    public const string Log = "clusters.log";
    public const string CoinJoins = "clusters.coinjoin";
    public const string Meta = "clusters.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string DirectoryOf(string chainDirectory) => Path.Combine(chainDirectory, "derived");

    public static ClusterMeta? ReadMeta(string dir)
    {
        var path = Path.Combine(dir, Meta);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ClusterMeta>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static T[] ReadArray<T>(string dir, string name)
        where T : unmanaged => DerivedFiles.ReadArray<T>(dir, name);

    /// <summary>Writes the data files (each *.tmp, flushed, renamed), then clusters.json the same way.</summary>
    public static void Write(string dir, ReadOnlySpan<uint> ids, ReadOnlySpan<MergeRecord> log, ReadOnlySpan<CoinJoinRecord> coinJoins,
        ReadOnlySpan<RefusalRecord> refusals, Func<SortedDictionary<string, FileDigest>, ClusterMeta> meta)
    {
        var w = new DerivedFiles.Writer(dir);
        w.Put(Ids, ids);
        w.Put(Log, log);
        w.Put(CoinJoins, coinJoins);
        w.Put(Refused, refusals);
        w.Finish(Meta, JsonSerializer.SerializeToUtf8Bytes(meta(w.Files), JsonOptions));
    }

    public static string Digest(ReadOnlySpan<byte> bytes) => DerivedFiles.Digest(bytes);
}
