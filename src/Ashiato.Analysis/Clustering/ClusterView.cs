namespace Ashiato.Analysis.Clustering;

/// <summary>Stored clusters, read back: cluster of an address, its members, and the chain of merges that links two addresses.</summary>
public sealed class ClusterView
{
    private readonly uint[] _ids;
    private readonly MergeRecord[] _log;

    private ClusterView(ClusterMeta meta, uint[] ids, MergeRecord[] log)
    {
        Meta = meta;
        _ids = ids;
        _log = log;
    }

    public ClusterMeta Meta { get; }

    public long AddressCount => _ids.Length;

    public static ClusterView? Open(string chainDirectory)
    {
        var dir = ClusterFiles.DirectoryOf(chainDirectory);
        var meta = ClusterFiles.ReadMeta(dir);
        if (meta is null || !ClusterFiles.Verify(dir, meta))
        {
            return null;
        }

        return new ClusterView(meta, ClusterFiles.ReadArray<uint>(dir, ClusterFiles.Ids), ClusterFiles.ReadArray<MergeRecord>(dir, ClusterFiles.Log));
    }

    public bool Covers(uint address) => address < _ids.Length;

    public uint ClusterOf(uint address) => _ids[address];

    public IEnumerable<uint> Members(uint clusterId)
    {
        for (var i = 0u; i < _ids.Length; i++)
        {
            if (_ids[i] == clusterId)
            {
                yield return i;
            }
        }
    }

    /// <summary>The merges on the path from a to b in the merge forest (in path order, from a), or null when they are not linked.</summary>
    public IReadOnlyList<(uint From, uint To, MergeRecord Merge)>? Explain(uint a, uint b)
    {
        if (!Covers(a) || !Covers(b) || _ids[a] != _ids[b])
        {
            return null;
        }

        if (a == b)
        {
            return [];
        }

        var cluster = _ids[a];
        var adjacency = new Dictionary<uint, List<int>>();
        for (var i = 0; i < _log.Length; i++)
        {
            if (_ids[_log[i].A] != cluster)
            {
                continue;
            }

            Add(adjacency, _log[i].A, i);
            Add(adjacency, _log[i].B, i);
        }

        var previous = new Dictionary<uint, (uint Node, int Edge)> { [a] = (a, -1) };
        var queue = new Queue<uint>();
        queue.Enqueue(a);
        while (queue.Count > 0 && !previous.ContainsKey(b))
        {
            var x = queue.Dequeue();
            foreach (var e in adjacency.GetValueOrDefault(x) ?? [])
            {
                var y = _log[e].A == x ? _log[e].B : _log[e].A;
                if (previous.TryAdd(y, (x, e)))
                {
                    queue.Enqueue(y);
                }
            }
        }

        if (!previous.ContainsKey(b))
        {
            return null;
        }

        var path = new List<(uint, uint, MergeRecord)>();
        for (var at = b; at != a;)
        {
            var (p, e) = previous[at];
            path.Add((p, at, _log[e]));
            at = p;
        }

        path.Reverse();
        return path;
    }

    private static void Add(Dictionary<uint, List<int>> adjacency, uint node, int edge)
    {
        if (!adjacency.TryGetValue(node, out var list))
        {
            adjacency[node] = list = [];
        }

        list.Add(edge);
    }
}
