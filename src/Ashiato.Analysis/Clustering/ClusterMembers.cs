namespace Ashiato.Analysis.Clustering;

/// <summary>
/// The members of a cluster in a cluster-id array (one id per address; a cluster's id is its smallest member's address
/// id). The array is searched with <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/>, which compares many ids
/// per instruction: on a mainnet-sized chain (10⁹ addresses) that is a fraction of a second where a loop over every id
/// took seconds.
/// </summary>
public static class ClusterMembers
{
    /// <summary>
    /// Address ids whose cluster is <paramref name="cluster"/>, ascending, searching from <paramref name="from"/> (a cluster
    /// has no member below its id, so callers that trust that start there).
    /// </summary>
    public static List<uint> Find(ReadOnlySpan<uint> ids, uint cluster, uint from = 0)
    {
        var members = new List<uint>();
        if (from >= (uint)ids.Length)
        {
            return members;
        }

        var offset = (int)from;
        var rest = ids[offset..];
        while (true)
        {
            var i = rest.IndexOf(cluster);
            if (i < 0)
            {
                return members;
            }

            members.Add((uint)(offset + i));
            offset += i + 1;
            rest = rest[(i + 1)..];
        }
    }
}
