using System.Text.Json;

namespace Ashiato.Analysis.Evm;

/// <summary>Stored EVM clusters, read back: cluster of an address, its members, its deposit-address evidence, contract labels, and
/// the merges that link two addresses.</summary>
public sealed class EvmClusterView
{
    private readonly uint[] _ids;
    private readonly EvmMergeRecord[] _log;
    private readonly EvmDepositRecord[] _deposits;
    private readonly string _dir;

    private EvmClusterView(string dir, EvmClusterMeta meta, uint[] ids, EvmMergeRecord[] log, EvmDepositRecord[] deposits)
    {
        _dir = dir;
        Meta = meta;
        _ids = ids;
        _log = log;
        _deposits = deposits;
    }

    public EvmClusterMeta Meta { get; }

    public long AddressCount => _ids.Length;

    public IReadOnlyList<EvmDepositRecord> Deposits => _deposits;

    /// <summary>The stored files, or null when there are none or they do not match their digests.</summary>
    public static EvmClusterView? Open(string chainDirectory)
    {
        var dir = EvmClusterFiles.DirectoryOf(chainDirectory);
        var meta = EvmClusterFiles.ReadMeta(dir);
        if (meta is null || meta.Format != EvmClusterFiles.Format)
        {
            return null;
        }

        // each file read once and checked against its size and digest as it is read
        var ids = DerivedFiles.ReadVerified<uint>(dir, EvmClusterFiles.Ids, meta.Files);
        var log = ids is null ? null : DerivedFiles.ReadVerified<EvmMergeRecord>(dir, EvmClusterFiles.Log, meta.Files);
        var deposits = log is null ? null : DerivedFiles.ReadVerified<EvmDepositRecord>(dir, EvmClusterFiles.Deposits, meta.Files);
        // evm-contracts.jsonl is read when shown (EvmClusterBuilder.ReadContracts): checked here with the rest
        return deposits is null || !DerivedFiles.Verify(dir, [EvmClusterFiles.Contracts], meta.Files) ? null : new EvmClusterView(dir, meta, ids!, log!, deposits);
    }

    public bool Covers(long address) => address >= 0 && address < _ids.Length;

    public uint ClusterOf(long address) => _ids[address];

    /// <summary>The addresses of a cluster, ascending (<see cref="Clustering.ClusterMembers.Find"/> over every id).</summary>
    public IEnumerable<uint> Members(uint clusterId) => Clustering.ClusterMembers.Find(_ids, clusterId);

    /// <summary>The deposit-address record of an address, or null when it was not detected as one.</summary>
    public EvmDepositRecord? Deposit(long address)
    {
        int lo = 0, hi = _deposits.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var a = _deposits[mid].Address;
            if (a == address)
            {
                return _deposits[mid];
            }

            if (a < address)
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

    /// <summary>The exchange of a cluster (it holds a tagged hot wallet), or null.</summary>
    public (EvmExchangeMeta Exchange, EvmHotWalletMeta Hot)? ExchangeOf(uint cluster)
    {
        foreach (var e in Meta.Exchanges)
        {
            foreach (var h in e.HotWallets)
            {
                if (Covers(h.AddressId) && _ids[h.AddressId] == cluster)
                {
                    return (e, h);
                }
            }
        }

        return null;
    }

    /// <summary>The stored line of a contract (creator, token, label), or null when the address is no contract created on the chain.</summary>
    public JsonElement? Contract(string address)
    {
        foreach (var c in EvmClusterBuilder.ReadContracts(_dir))
        {
            if (c.GetProperty("contract").GetString() == address)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>The merges on the path from a to b in the merge forest (in path order, from a), or null when they are not linked.</summary>
    public IReadOnlyList<(uint From, uint To, EvmMergeRecord Merge)>? Explain(long a, long b) =>
        !Covers(a) || !Covers(b) ? null : Clustering.MergePath.Find<EvmMergeRecord>((uint)a, (uint)b, _ids, _log, m => m.A, m => m.B);
}
