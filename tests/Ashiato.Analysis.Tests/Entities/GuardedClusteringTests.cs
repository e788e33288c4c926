using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Entities;
using Ashiato.Intel;
using Ashiato.Storage.Utxo;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Entities;

/// <summary>The supercluster guard and cluster labels on the simulated world (seed 3, 5 000 tx), with tags made from merges the
/// unguarded clustering does: tagging both sides of a merge with different actors must turn that merge into a refusal.</summary>
public sealed class GuardedClusteringTests(SimulatedWorld world, ITestOutputHelper output) : IClassFixture<SimulatedWorld>
{
    private static readonly string[] Files = [ClusterFiles.Ids, ClusterFiles.Log, ClusterFiles.CoinJoins, ClusterFiles.Refused, ClusterFiles.Meta];

    private static readonly HeuristicSet AllHeuristics = new(HeuristicSet.All.ToDictionary(h => h.Name, _ => true));

    private static Dictionary<string, byte[]> ReadFiles(UtxoChainStore chain) =>
        Files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(ClusterFiles.DirectoryOf(chain.Directory), f)));

    private static TagRow Row(UtxoChainStore chain, uint address, string actor, string label, int level = 80) => new()
    {
        Address = chain.FormatAddress(address), Currency = "BTC", Network = chain.Network.Name, Label = label, Source = "test", Actor = actor,
        Category = "exchange", Confidence = "service_data", ConfidenceLevel = level,
    };

    /// <summary>Tags on both ends of a few merges of the unguarded build that happen after a third of the chain (so that the
    /// refusals fall in the incremental part), each end another actor.</summary>
    private static (ChainTags Tags, List<MergeRecord> Targets) ConflictingTags(UtxoChainStore chain)
    {
        ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { Rebuild = true });
        var log = ClusterFiles.ReadArray<MergeRecord>(ClusterFiles.DirectoryOf(chain.Directory), ClusterFiles.Log);
        var third = chain.TipHeight / 3;
        var targets = log.Where(m => chain.HeightOfTx(m.TxId) > third).Where((_, i) => i % 97 == 0).Take(4).ToList();
        var rows = new List<TagRow>();
        for (var i = 0; i < targets.Count; i++)
        {
            rows.Add(Row(chain, targets[i].A, $"left-{i}", $"Left {i} wallet"));
            rows.Add(Row(chain, targets[i].B, $"right-{i}", $"Right {i} wallet"));
        }

        return (ChainTags.From(chain, rows, [], []), targets);
    }

    [Fact]
    public void Continuing_guarded_clusters_with_refusals_gives_the_bytes_of_a_full_rebuild()
    {
        using var chain = world.OpenChain();
        var (tags, targets) = ConflictingTags(chain);
        Assert.NotEmpty(targets);
        var options = new ClusterOptions { Rebuild = true, Guard = tags.Guard };
        var full = ClusterBuilder.Run(chain, AllHeuristics, options);
        Assert.True(full.Meta.Refusals >= targets.Count, $"{full.Meta.Refusals} refusals for {targets.Count} tagged merges");
        var refused = ClusterFiles.ReadArray<RefusalRecord>(ClusterFiles.DirectoryOf(chain.Directory), ClusterFiles.Refused);
        foreach (var t in targets)
        {
            Assert.Contains(refused, r => r.TxId == t.TxId);
        }

        var view = ClusterView.Open(chain.Directory)!;
        foreach (var r in refused)
        {
            Assert.NotEqual(view.ClusterOf(r.A), view.ClusterOf(r.B)); // refused means never joined later either
            Assert.NotEqual(view.ClusterOf(r.LabelledA), view.ClusterOf(r.LabelledB));
            Assert.Equal(view.ClusterOf(r.A), view.ClusterOf(r.LabelledA));
        }

        var expected = ReadFiles(chain);
        var tip = chain.TipHeight;
        ClusterBuilder.Run(chain, AllHeuristics, options with { ToHeight = tip / 3 });
        var step = ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { ToHeight = (tip * 2) / 3, Guard = tags.Guard });
        Assert.True(step.Incremental, step.RebuildReason);
        for (var h = ((tip * 2) / 3) + 1; h <= tip; h += Math.Max(1, (tip - h) / 3))
        {
            Assert.True(ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { ToHeight = h, Guard = tags.Guard }).Incremental);
        }

        var last = ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { Guard = tags.Guard });
        Assert.True(last.Incremental);
        var actual = ReadFiles(chain);
        foreach (var f in Files)
        {
            Assert.True(expected[f].AsSpan().SequenceEqual(actual[f]), $"{f} differs from the full rebuild");
        }

        // other tags: the stored clusters are rebuilt, like other heuristic settings
        var changed = ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { Guard = ClusterGuard.None });
        Assert.False(changed.Incremental);
        Assert.Equal("tags changed (the supercluster guard's input)", changed.RebuildReason);
        Assert.Equal(0, changed.Meta.Refusals);
        output.WriteLine($"{full.Meta.Refusals} refusals; merges {full.Meta.MergesByHeuristic.Values.Sum()} guarded vs {changed.Meta.MergesByHeuristic.Values.Sum()} unguarded");
    }

    [Fact]
    public void Labels_are_derived_per_cluster_stored_deterministically_and_rebuilt_when_tags_or_clusters_change()
    {
        using var chain = world.OpenChain();
        var (tags, targets) = ConflictingTags(chain);
        ClusterBuilder.Run(chain, AllHeuristics, new ClusterOptions { Rebuild = true, Guard = tags.Guard });
        var path = Path.Combine(ClusterFiles.DirectoryOf(chain.Directory), ClusterLabels.FileName);
        File.Delete(path);
        var built = ClusterLabels.Open(chain, tags);
        Assert.Equal("no labels stored", built.RebuildReason);
        var bytes = File.ReadAllBytes(path);
        var read = ClusterLabels.Open(chain, tags);
        Assert.Null(read.RebuildReason); // read as stored
        Assert.Equal(built.Clusters.Select(Summary), read.Clusters.Select(Summary));
        File.Delete(path);
        ClusterLabels.Open(chain, tags);
        Assert.Equal(bytes, File.ReadAllBytes(path)); // same input, same bytes

        var view = ClusterView.Open(chain.Directory)!;
        var target = targets[0];
        var left = read.Lookup(target.A)!;
        Assert.Equal("actor:left-0", left.Label.Entity);
        Assert.Empty(left.Conflicts); // the guard kept right-0 out
        // every member of a labelled cluster gets its label, and the label names the tagged address it comes from
        var member = view.Members(view.ClusterOf(target.A)).Last();
        Assert.Same(left, read.Lookup(member));
        Assert.Equal(target.A, left.Label.Address);
        Assert.NotNull(view.Explain(left.Label.Address, member));
        Assert.Null(read.Lookup((uint)Enumerable.Range(0, (int)view.AddressCount).First(i => read.Lookup((uint)i) is null && !read.TagsOf((uint)i).Any())));

        // other tags: rebuilt
        var fewer = ChainTags.From(chain, tags.Tags.Skip(1).Select(t => t.Tag), [], []);
        Assert.NotEqual(tags.Digest, fewer.Digest);
        Assert.NotNull(ClusterLabels.Open(chain, fewer).RebuildReason);

        // no clusters: the labels are of single tagged addresses
        File.Delete(Path.Combine(ClusterFiles.DirectoryOf(chain.Directory), ClusterFiles.Meta));
        var single = ClusterLabels.Open(chain, tags);
        Assert.NotNull(single.RebuildReason);
        Assert.Null(single.ClusterHeight);
        Assert.Equal(tags.Tags.Select(t => t.Address).Distinct().Count(), single.Clusters.Count);
        Assert.All(single.Clusters, c => Assert.Equal(1, c.Size));
        Assert.Equal("actor:right-0", single.Lookup(target.B)!.Label.Entity);
    }

    private static string Summary(ClusterLabel c) =>
        $"{c.Cluster} {c.Size} {c.TaggedAddresses} " + string.Join(" | ", new[] { c.Label }.Concat(c.Conflicts)
            .Select(l => $"{l.Entity} {l.Name} {l.Category} {l.Country} {l.Actor} {l.Confidence} {l.IsDefiner} {l.Address} {string.Join(',', l.Tags.Select(t => t.Address + t.Tag.Label))}"));
}
