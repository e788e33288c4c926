namespace Ashiato.Analysis.Clustering;

public enum UnionOutcome
{
    /// <summary>Already one cluster.</summary>
    Same,
    Merged,

    /// <summary>Refused by the supercluster guard: the two clusters carry different parties.</summary>
    Refused,
}

/// <summary>
/// Union-find over dense address ids: int arrays, path halving, union by size, and the smallest member id per root
/// (the stable cluster id). 12 bytes per address.
/// </summary>
public sealed class UnionFind
{
    private int[] _parent;
    private int[] _size;
    private int[] _min;

    /// <summary>Guard labels by root: the party key (1…) of the cluster and its smallest address carrying it. Few clusters are labelled,
    /// so a dictionary, not a column per address.</summary>
    private readonly Dictionary<int, (int Key, int Address)> _labels = [];

    public UnionFind(int count)
    {
        _parent = new int[count];
        _size = new int[count];
        _min = new int[count];
        for (var i = 0; i < count; i++)
        {
            _parent[i] = i;
            _size[i] = 1;
            _min[i] = i;
        }

        Count = count;
    }

    /// <summary>Rebuilds the forest from stored cluster ids (each address → the smallest id of its cluster).</summary>
    public static UnionFind FromClusterIds(ReadOnlySpan<uint> ids)
    {
        var uf = new UnionFind(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            var root = (int)ids[i];
            if (root > i || (uint)ids[root] != (uint)root)
            {
                throw new InvalidDataException($"cluster id of address {i} is {root}: not the smallest member of a cluster");
            }

            uf._parent[i] = root;
            if (root != i)
            {
                uf._size[root]++;
            }
        }

        return uf;
    }

    public int Count { get; private set; }

    /// <summary>Adds addresses up to <paramref name="count"/> as singletons.</summary>
    public void Grow(int count)
    {
        if (count <= Count)
        {
            return;
        }

        if (count > _parent.Length)
        {
            var cap = Math.Max(count, (int)Math.Min(int.MaxValue - 64, _parent.Length * 3L / 2));
            Array.Resize(ref _parent, cap);
            Array.Resize(ref _size, cap);
            Array.Resize(ref _min, cap);
        }

        for (var i = Count; i < count; i++)
        {
            _parent[i] = i;
            _size[i] = 1;
            _min[i] = i;
        }

        Count = count;
    }

    public int Find(int x)
    {
        var p = _parent;
        while (p[x] != x)
        {
            var g = p[p[x]];
            p[x] = g;
            x = g;
        }

        return x;
    }

    /// <summary>Merges the clusters of a and b without the guard; false when they were already one. Guard labels follow the merge
    /// (the one of the smaller labelled address is kept).</summary>
    public bool Union(int a, int b)
    {
        var ra = Find(a);
        var rb = Find(b);
        if (ra == rb)
        {
            return false;
        }

        var hasA = _labels.Remove(ra, out var la);
        var hasB = _labels.Remove(rb, out var lb);
        Link(ra, rb);
        if (hasA || hasB)
        {
            _labels[Find(a)] = !hasA ? lb : !hasB ? la : la.Address < lb.Address ? la : lb;
        }

        return true;
    }

    /// <summary>
    /// Gives <paramref name="address"/> the guard party <paramref name="key"/> (> 0). An address not added yet (≥ <see cref="Count"/>)
    /// keeps it until <see cref="Grow"/> adds it as a singleton. A cluster that already has another party keeps the one whose
    /// address is smaller (cannot happen when the forest was built with the same labels: the guard keeps one party per cluster).
    /// </summary>
    public void Label(int address, int key)
    {
        var root = address < Count ? Find(address) : address;
        if (!_labels.TryGetValue(root, out var old) || address < old.Address)
        {
            _labels[root] = (key, address);
        }
    }

    /// <summary>The guard party of the cluster of <paramref name="x"/> (0: none) and the smallest address carrying it.</summary>
    public (int Key, int Address) LabelOf(int x) => _labels.TryGetValue(Find(x), out var l) ? l : (0, -1);

    /// <summary>
    /// Merges the clusters of a and b unless both carry a guard party and the parties differ; then nothing changes and the
    /// two labels (party, labelled address) are returned.
    /// </summary>
    public UnionOutcome TryUnion(int a, int b, out (int Key, int Address) labelA, out (int Key, int Address) labelB)
    {
        var ra = Find(a);
        var rb = Find(b);
        labelA = labelB = (0, -1);
        if (ra == rb)
        {
            return UnionOutcome.Same;
        }

        if (_labels.Count > 0)
        {
            var hasA = _labels.TryGetValue(ra, out labelA);
            var hasB = _labels.TryGetValue(rb, out labelB);
            if (hasA && hasB && labelA.Key != labelB.Key)
            {
                return UnionOutcome.Refused;
            }

            if (hasA || hasB)
            {
                _labels.Remove(ra);
                _labels.Remove(rb);
                var merged = !hasA ? labelB : !hasB ? labelA : labelA.Address < labelB.Address ? labelA : labelB;
                Link(ra, rb);
                _labels[Find(a)] = merged;
                return UnionOutcome.Merged;
            }
        }

        Link(ra, rb);
        return UnionOutcome.Merged;
    }

    private void Link(int ra, int rb)
    {
        if (_size[ra] < _size[rb] || (_size[ra] == _size[rb] && ra > rb))
        {
            (ra, rb) = (rb, ra);
        }

        _parent[rb] = ra;
        _size[ra] += _size[rb];
        _min[ra] = Math.Min(_min[ra], _min[rb]);
    }

    /// <summary>Stable cluster id: the smallest address id in the cluster.</summary>
    public int ClusterId(int x) => _min[Find(x)];

    public int SizeOf(int x) => _size[Find(x)];

    /// <summary>Every address's cluster id (smallest member), independent of the order of unions.</summary>
    public uint[] ClusterIds()
    {
        var ids = new uint[Count];
        for (var i = 0; i < Count; i++)
        {
            ids[i] = (uint)ClusterId(i);
        }

        return ids;
    }
}
