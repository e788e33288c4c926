namespace Ashiato.Analysis.Tracing;

/// <summary>The order of a trace's nodes in its result: ordinal by id.</summary>
public static class TraceNodeOrder
{
    /// <summary>
    /// The nodes in ordinal order of their ids. The ids share a long prefix (the chain's name, and mostly the address
    /// format's), so a comparison of two ids spends most of its time on equal characters: the nodes are sorted by the
    /// four characters after the prefix all ids share, packed into an integer, and only ids with equal keys are compared
    /// whole. The same order as <c>string.CompareOrdinal</c> on the ids: characters compare as unsigned 16-bit values in
    /// both, a shorter id is padded with 0 (below or equal to every character), and equal keys — a U+0000 included — are
    /// decided by the whole ids.
    /// </summary>
    public static List<TraceNode> SortById(IEnumerable<TraceNode> source)
    {
        var list = new List<TraceNode>(source);
        var n = list.Count;
        if (n < 2)
        {
            return list;
        }

        var first = list[0].Id.AsSpan();
        var common = first.Length;
        for (var i = 1; i < n && common > 0; i++)
        {
            common = Math.Min(common, first.CommonPrefixLength(list[i].Id));
        }

        var keys = new ulong[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            var id = list[i].Id;
            ulong key = 0;
            for (var c = 0; c < 4; c++)
            {
                key = (key << 16) | (common + c < id.Length ? id[common + c] : 0u);
            }

            keys[i] = key;
            order[i] = i;
        }

        Array.Sort(keys, order);
        var sorted = new List<TraceNode>(n);
        for (var i = 0; i < n;)
        {
            var j = i + 1;
            while (j < n && keys[j] == keys[i])
            {
                j++;
            }

            if (j - i > 1)
            {
                // ids are distinct: an unstable sort of the tie gives the one order
                Array.Sort(order, i, j - i, Comparer<int>.Create((a, b) => string.CompareOrdinal(list[a].Id, list[b].Id)));
            }

            for (var k = i; k < j; k++)
            {
                sorted.Add(list[order[k]]);
            }

            i = j;
        }

        return sorted;
    }
}
