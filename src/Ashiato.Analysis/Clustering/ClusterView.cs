using Ashiato.Core;

namespace Ashiato.Analysis.Clustering;

/// <summary>Stored clusters, read back: cluster of an address, its members, and the chain of merges that links two addresses.</summary>
public sealed class ClusterView
{
    private readonly uint[] _ids;
    private readonly string _dir;
    private MergeRecord[]? _log;

    private ClusterView(string dir, ClusterMeta meta, uint[] ids, RefusalRecord[] refusals, CoinJoinRecord[] coinJoins)
    {
        _dir = dir;
        Meta = meta;
        _ids = ids;
        Refusals = refusals;
        CoinJoins = coinJoins;
    }

    /// <summary>The transactions the CoinJoin detectors flagged during clustering, in chain order (ascending transaction id).</summary>
    public IReadOnlyList<CoinJoinRecord> CoinJoins { get; }

    /// <summary>Unions the supercluster guard refused, in chain order.</summary>
    public IReadOnlyList<RefusalRecord> Refusals { get; }

    /// <summary>The cluster id of every address (smallest member), index = address id.</summary>
    public ReadOnlySpan<uint> Ids => _ids;

    /// <summary>The same array, shared (not copied) with the label look-up of this assembly.</summary>
    internal uint[] IdArray => _ids;

    public ClusterMeta Meta { get; }

    public long AddressCount => _ids.Length;

    /// <summary>
    /// The stored clusters of a chain, or null when there are none or their files do not match clusters.json. Each file is
    /// read once and checked against its recorded size and SHA-256 as it is read; the merge log (the largest file, only
    /// needed to explain a merge) is read on first use, with the same check.
    /// </summary>
    public static ClusterView? Open(string chainDirectory)
    {
        var dir = ClusterFiles.DirectoryOf(chainDirectory);
        var meta = ClusterFiles.ReadMeta(dir);
        if (meta is null)
        {
            return null;
        }

        var ids = DerivedFiles.ReadVerified<uint>(dir, ClusterFiles.Ids, meta.Files);
        var refused = ids is null ? null : DerivedFiles.ReadVerified<RefusalRecord>(dir, ClusterFiles.Refused, meta.Files);
        var coinJoins = refused is null ? null : DerivedFiles.ReadVerified<CoinJoinRecord>(dir, ClusterFiles.CoinJoins, meta.Files);
        return coinJoins is null ? null : new ClusterView(dir, meta, ids!, refused!, coinJoins);
    }

    /// <summary>The merge log, read and checked on first use.</summary>
    private MergeRecord[] Log => _log ??= DerivedFiles.ReadVerified<MergeRecord>(_dir, ClusterFiles.Log, Meta.Files)
        ?? throw new UserErrorException($"{Path.Combine(_dir, ClusterFiles.Log)} does not match {ClusterFiles.Meta} (damaged, or written by another " +
            "clustering run that did not finish): run `ashiato cluster --rebuild`");

    /// <summary>Refused unions that would have joined <paramref name="clusterId"/> with another cluster.</summary>
    public IEnumerable<RefusalRecord> RefusalsOf(uint clusterId) =>
        Refusals.Where(r => ClusterOrSelf(r.A) == clusterId || ClusterOrSelf(r.B) == clusterId);

    /// <summary>Refused unions between the clusters of <paramref name="a"/> and <paramref name="b"/> (either way round).</summary>
    public IEnumerable<RefusalRecord> RefusalsBetween(uint a, uint b)
    {
        var (ca, cb) = (ClusterOrSelf(a), ClusterOrSelf(b));
        return Refusals.Where(r => (ClusterOrSelf(r.A) == ca && ClusterOrSelf(r.B) == cb) || (ClusterOrSelf(r.A) == cb && ClusterOrSelf(r.B) == ca));
    }

    /// <summary>The cluster of an address, or the address itself when the clusters do not cover it (a singleton).</summary>
    public uint ClusterOrSelf(uint address) => address < _ids.Length ? _ids[address] : address;

    public bool Covers(uint address) => address < _ids.Length;

    public uint ClusterOf(uint address) => _ids[address];

    /// <summary>The addresses of a cluster, ascending (<see cref="ClusterMembers.Find"/> over every id).</summary>
    public IEnumerable<uint> Members(uint clusterId) => ClusterMembers.Find(_ids, clusterId);

    /// <summary>The merges on the path from a to b in the merge forest (in path order, from a), or null when they are not linked.</summary>
    public IReadOnlyList<(uint From, uint To, MergeRecord Merge)>? Explain(uint a, uint b) =>
        !Covers(a) || !Covers(b) ? null : MergePath.Find<MergeRecord>(a, b, _ids, Log, m => m.A, m => m.B);
}
