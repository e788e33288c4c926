namespace Ashiato.Analysis.Clustering;

/// <summary>The chain of merges linking two addresses of one cluster: a breadth-first search over the cluster's merge log.</summary>
public static class MergePath
{
    /// <summary>
    /// The merges on the path from <paramref name="a"/> to <paramref name="b"/> (in path order, from a), given every address's
    /// cluster id and the merge log (each record joins <paramref name="left"/> and <paramref name="right"/>); null when they
    /// are not in one cluster, empty when a = b.
    /// </summary>
    public static List<(uint From, uint To, T Merge)>? Find<T>(uint a, uint b, ReadOnlySpan<uint> ids, ReadOnlySpan<T> log, Func<T, uint> left, Func<T, uint> right)
    {
        if (a >= ids.Length || b >= ids.Length || ids[(int)a] != ids[(int)b])
        {
            return null;
        }

        if (a == b)
        {
            return [];
        }

        var cluster = ids[(int)a];
        var adjacency = new Dictionary<uint, List<int>>();
        for (var i = 0; i < log.Length; i++)
        {
            if (ids[(int)left(log[i])] != cluster)
            {
                continue;
            }

            Add(adjacency, left(log[i]), i);
            Add(adjacency, right(log[i]), i);
        }

        var previous = new Dictionary<uint, (uint Node, int Edge)> { [a] = (a, -1) };
        var queue = new Queue<uint>();
        queue.Enqueue(a);
        while (queue.Count > 0 && !previous.ContainsKey(b))
        {
            var x = queue.Dequeue();
            foreach (var e in adjacency.GetValueOrDefault(x) ?? [])
            {
                var y = left(log[e]) == x ? right(log[e]) : left(log[e]);
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

        var path = new List<(uint, uint, T)>();
        for (var at = b; at != a;)
        {
            var (p, e) = previous[at];
            path.Add((p, at, log[e]));
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
