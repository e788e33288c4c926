namespace Ashiato.Analysis.Tracing;

/// <summary>The order of a trace's nodes in its result: ordinal by id.</summary>
public static class TraceNodeOrder
{
    /// <summary>
    /// The nodes in ordinal order of their ids (<c>string.CompareOrdinal</c>). Ids share long prefixes (the chain's name, the
    /// address format's "bc1q…"), so comparing two of them whole spends most of its time on equal characters. Instead the
    /// nodes are sorted by the four characters after the prefix all of them share, packed into an integer (characters
    /// compare as unsigned 16-bit values in both orders; a shorter id is padded with 0, which is at or below every
    /// character), and each run of equal keys is sorted the same way after its own shared prefix; a run whose ids are all
    /// used up (they differ only by trailing U+0000, or are too short to go on) is compared whole.
    /// </summary>
    public static List<TraceNode> SortById(IEnumerable<TraceNode> source)
    {
        var list = new List<TraceNode>(source);
        var n = list.Count;
        if (n < 2)
        {
            return list;
        }

        var ids = new string[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = list[i].Id;
            order[i] = i;
        }

        SortRange(ids, order, new ulong[n], 0, n, 0);
        var sorted = new List<TraceNode>(n);
        foreach (var i in order)
        {
            sorted.Add(list[i]);
        }

        return sorted;
    }

    /// <summary>Sorts order[lo..hi) by ids, all of which are known to share their first <paramref name="known"/> characters.</summary>
    private static void SortRange(string[] ids, int[] order, ulong[] keys, int lo, int hi, int known)
    {
        var first = ids[order[lo]];
        var common = first.Length;
        var longest = first.Length;
        for (var i = lo + 1; i < hi; i++)
        {
            var id = ids[order[i]];
            longest = Math.Max(longest, id.Length);
            var start = Math.Min(known, Math.Min(common, id.Length));
            common = start + first.AsSpan(start, Math.Min(common, first.Length) - start).CommonPrefixLength(id.AsSpan(start));
        }

        if (common >= longest || common < known)
        {
            // nothing left to key on, or the keys tied only through the padding of shorter ids: compare whole (ids are distinct, so an unstable sort gives the one order)
            Array.Sort(order, lo, hi - lo, Comparer<int>.Create((a, b) => string.CompareOrdinal(ids[a], ids[b])));
            return;
        }

        for (var i = lo; i < hi; i++)
        {
            var id = ids[order[i]];
            ulong key = 0;
            for (var c = 0; c < 4; c++)
            {
                key = (key << 16) | (common + c < id.Length ? id[common + c] : 0u);
            }

            keys[i] = key;
        }

        Array.Sort(keys, order, lo, hi - lo);
        for (var i = lo; i < hi;)
        {
            var j = i + 1;
            while (j < hi && keys[j] == keys[i])
            {
                j++;
            }

            if (j - i > 1)
            {
                SortRange(ids, order, keys, i, j, common + 4);
            }

            i = j;
        }
    }
}
