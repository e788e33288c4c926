using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Ashiato.Analysis.Clustering;
using Ashiato.Storage.Files;

namespace Ashiato.Analysis.Evm;

/// <summary>
/// One effective union (32 bytes in evm-clusters.log). Deposit address: A = the deposit address, B = the hot wallet,
/// <see cref="Via"/> = the exchange (index into evm-clusters.json's exchanges), transfer = the forward. Sender reuse: A = the
/// first sender, B = another sender, <see cref="Via"/> = the deposit address both paid, transfer = B's first payment into it.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct EvmMergeRecord(long TxId, uint A, uint B, EvmHeuristicId Heuristic, byte R1, ushort R2, uint Via, long TransferId)
{
    public EvmMergeRecord(long txId, uint a, uint b, EvmHeuristicId heuristic, uint via, long transferId)
        : this(txId, a, b, heuristic, 0, 0, via, transferId)
    {
    }
}

/// <summary>A detected deposit address (40 bytes in evm-deposits.bin, sorted by address id).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct EvmDepositRecord(uint Address, uint HotWallet, uint Exchange, uint Forwards, uint Rejected, uint Senders,
    long FirstForwardTransfer, long FirstForwardSharePpm);

/// <summary>A tagged hot wallet as evm-clusters.json lists it (the evidence that names the exchange).</summary>
public sealed record EvmHotWalletMeta(string Address, long AddressId, string Label, string Source, double Confidence);

/// <summary>An exchange of the tags: its name and its hot wallets.</summary>
public sealed record EvmExchangeMeta(int Index, string Entity, List<EvmHotWalletMeta> HotWallets, long Deposits);

/// <summary>evm-clusters.json: what the derived files cover and how they were made. Written last.</summary>
public sealed record EvmClusterMeta(
    int Format,
    string Chain,
    SortedDictionary<string, string> Settings,
    long Height,
    string TipHash,
    long TransferCount,
    long AddressCount,
    long Clusters,
    long LargestCluster,
    long LargestClusterId,
    SortedDictionary<string, long> MergesByHeuristic,
    long Candidates,
    long Deposits,
    long Conflicts,
    long TooFewForwards,
    long HotWalletsWithoutActivity,
    List<EvmExchangeMeta> Exchanges,
    long Contracts,
    long ContractsByFactory,
    long ContractsLabelled,
    SortedDictionary<string, FileDigest> Files);

/// <summary>
/// The EVM chain's derived files under chains/&lt;chain&gt;/derived/, with the conventions of the UTXO clusters (ClusterFiles):
/// evm-clusters.ids (u32 per address: its cluster id = the smallest address id in the cluster), evm-clusters.log (merges in
/// order), evm-deposits.bin (detected deposit addresses), evm-contracts.jsonl (contracts, creators, labels), and
/// evm-clusters.json last, naming every file's size and SHA-256. Each is written to *.tmp, flushed and renamed.
/// </summary>
public static class EvmClusterFiles
{
    public const int Format = 1;
    public const string Ids = "evm-clusters.ids";
    public const string Log = "evm-clusters.log";
    public const string Deposits = "evm-deposits.bin";
    public const string Contracts = "evm-contracts.jsonl";
    public const string Meta = "evm-clusters.json";

    public static readonly string[] DataFiles = [Ids, Log, Deposits, Contracts];

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string DirectoryOf(string chainDirectory) => Path.Combine(chainDirectory, "derived");

    public static EvmClusterMeta? ReadMeta(string dir)
    {
        var path = Path.Combine(dir, Meta);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<EvmClusterMeta>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static T[] ReadArray<T>(string dir, string name)
        where T : unmanaged => DerivedFiles.ReadArray<T>(dir, name);

    /// <summary>Writes the data files (each *.tmp, flushed, renamed), then evm-clusters.json the same way.</summary>
    public static void Write(string dir, ReadOnlySpan<uint> ids, ReadOnlySpan<EvmMergeRecord> log, ReadOnlySpan<EvmDepositRecord> deposits,
        ReadOnlySpan<byte> contracts, Func<SortedDictionary<string, FileDigest>, EvmClusterMeta> meta)
    {
        var w = new DerivedFiles.Writer(dir);
        w.Put(Ids, ids);
        w.Put(Log, log);
        w.Put(Deposits, deposits);
        w.Put(Contracts, contracts);
        w.Finish(Meta, JsonSerializer.SerializeToUtf8Bytes(meta(w.Files), JsonOptions));
    }
}
