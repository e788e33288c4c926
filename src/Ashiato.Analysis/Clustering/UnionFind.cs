namespace Ashiato.Analysis.Clustering;

/// <summary>
/// Union-find over dense address ids: int arrays, path halving, union by size, and the smallest member id per root
/// (the stable cluster id). 12 bytes per address.
/// </summary>
public sealed class UnionFind
{
    private int[] _parent;
    private int[] _size;
    private int[] _min;

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

    /// <summary>Merges the clusters of a and b; false when they were already one.</summary>
    public bool Union(int a, int b)
    {
        var ra = Find(a);
        var rb = Find(b);
        if (ra == rb)
        {
            return false;
        }

        if (_size[ra] < _size[rb] || (_size[ra] == _size[rb] && ra > rb))
        {
            (ra, rb) = (rb, ra);
        }

        _parent[rb] = ra;
        _size[ra] += _size[rb];
        _min[ra] = Math.Min(_min[ra], _min[rb]);
        return true;
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
