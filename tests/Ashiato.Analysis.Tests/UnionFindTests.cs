using Ashiato.Analysis.Clustering;

namespace Ashiato.Analysis.Tests;

public sealed class UnionFindTests
{
    [Fact]
    public void Unions_report_effective_merges_and_the_cluster_id_is_the_smallest_member()
    {
        var uf = new UnionFind(10);
        Assert.True(uf.Union(7, 3));
        Assert.True(uf.Union(9, 8));
        Assert.True(uf.Union(8, 7));
        Assert.False(uf.Union(3, 9));
        Assert.Equal(3, uf.ClusterId(9));
        Assert.Equal(4, uf.SizeOf(8));
        Assert.Equal(0, uf.ClusterId(0));
        Assert.Equal([0u, 1, 2, 3, 4, 5, 6, 3, 3, 3], uf.ClusterIds());
    }

    [Fact]
    public void A_forest_rebuilt_from_cluster_ids_continues_like_the_original()
    {
        var rng = new Random(5);
        var a = new UnionFind(2000);
        var pairs = Enumerable.Range(0, 3000).Select(_ => (rng.Next(2000), rng.Next(2000))).ToArray();
        foreach (var (x, y) in pairs.Take(1500))
        {
            a.Union(x, y);
        }

        var b = UnionFind.FromClusterIds(a.ClusterIds());
        b.Grow(2500);
        a.Grow(2500);
        foreach (var (x, y) in pairs.Skip(1500))
        {
            Assert.Equal(a.Union(x, y + 500), b.Union(x, y + 500));
        }

        Assert.Equal(a.ClusterIds(), b.ClusterIds());
    }

    [Fact]
    public void Scoring_uses_contingency_counts()
    {
        // entity x: 3 addresses in cluster 1; entity y: 1 in cluster 1, 2 in cluster 2
        var s = ClusterScoring.Score([(1, "x"), (1, "x"), (1, "x"), (1, "y"), (2, "y"), (2, "y")]);
        Assert.Equal(3 + 1, s.SamePairs);
        Assert.Equal(6 + 1, s.ClusterPairs);
        Assert.Equal(3 + 3, s.EntityPairs);
        Assert.Equal(4.0 / 7, s.PairPrecision, 9);
        Assert.Equal(4.0 / 6, s.PairRecall, 9);
        Assert.Equal((1.0 + (2.0 / 3)) / 2, s.MeanCompleteness, 9);
    }
}

public sealed class ClusterMembersTests
{
    [Fact]
    public void Finds_every_member_of_random_clusterings_as_a_scan_would()
    {
        var random = new Random(11);
        foreach (var n in new[] { 0, 1, 2, 7, 31, 32, 33, 1000, 65_537 })
        {
            // union-find cluster ids: the smallest member is the id, members anywhere after it (runs, gaps, the last id)
            var uf = new UnionFind(n);
            for (var k = 0; k < n / 2; k++)
            {
                uf.Union(random.Next(n), random.Next(Math.Max(1, Math.Min(n, 64))));
            }

            var ids = uf.ClusterIds();
            foreach (var cluster in ids.Distinct().Take(50).Append((uint)n).Append(uint.MaxValue))
            {
                var expected = Enumerable.Range(0, n).Where(a => ids[a] == cluster).Select(a => (uint)a).ToList();
                Assert.Equal(expected, ClusterMembers.Find(ids, cluster));
                Assert.Equal(expected, ClusterMembers.Find(ids, cluster, from: Math.Min(cluster, (uint)n)));
            }
        }
    }

    [Fact]
    public void A_start_past_the_array_finds_nothing_and_a_start_inside_skips_what_is_before_it()
    {
        uint[] ids = [0, 0, 2, 0, 2, 0];
        Assert.Equal([0u, 1, 3, 5], ClusterMembers.Find(ids, 0));
        Assert.Equal([3u, 5], ClusterMembers.Find(ids, 0, from: 2));
        Assert.Equal([2u, 4], ClusterMembers.Find(ids, 2, from: 2));
        Assert.Empty(ClusterMembers.Find(ids, 0, from: 6));
        Assert.Empty(ClusterMembers.Find([], 0));
    }
}
