namespace Ashiato.Analysis.Clustering;

public sealed record ClusterScore(long Addresses, long Entities, long Clusters, double PairPrecision, double PairRecall, double MeanCompleteness,
    long SamePairs, long ClusterPairs, long EntityPairs);

/// <summary>
/// Scores clusters against known owners without enumerating pairs: from the entity × cluster contingency counts n(e,c),
/// same-owner pairs clustered together = Σ C(n(e,c), 2), pairs clustered together = Σ_c C(n(c), 2), same-owner pairs =
/// Σ_e C(n(e), 2). Precision = first / second, recall = first / third. Completeness of an entity = share of its
/// addresses in its largest cluster (1 when it is one cluster), averaged over entities.
/// </summary>
public static class ClusterScoring
{
    public static ClusterScore Score(IEnumerable<(uint Cluster, string Entity)> labelled)
    {
        var cells = new Dictionary<(uint, string), long>();
        var clusters = new Dictionary<uint, long>();
        var entities = new Dictionary<string, long>(StringComparer.Ordinal);
        long n = 0;
        foreach (var (c, e) in labelled)
        {
            n++;
            cells[(c, e)] = cells.GetValueOrDefault((c, e)) + 1;
            clusters[c] = clusters.GetValueOrDefault(c) + 1;
            entities[e] = entities.GetValueOrDefault(e) + 1;
        }

        static long Pairs(long k) => k * (k - 1) / 2;
        var same = cells.Values.Sum(Pairs);
        var clustered = clusters.Values.Sum(Pairs);
        var owned = entities.Values.Sum(Pairs);
        var largest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var ((_, e), k) in cells)
        {
            largest[e] = Math.Max(largest.GetValueOrDefault(e), k);
        }

        var completeness = entities.Count == 0 ? 1.0 : entities.Average(kv => (double)largest[kv.Key] / kv.Value);
        return new ClusterScore(n, entities.Count, clusters.Count, clustered == 0 ? 1.0 : (double)same / clustered, owned == 0 ? 1.0 : (double)same / owned,
            completeness, same, clustered, owned);
    }
}
