using System.Diagnostics;
using Ashiato.TestSupport;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Ashiato.Intel.Tests;

/// <summary>All shared GraphSense TagPacks and the ActorPack imported once into a fresh store.</summary>
public sealed class GraphSenseFixture : IDisposable
{
    public GraphSenseFixture()
    {
        var sw = Stopwatch.StartNew();
        Report = Store.Import(Root);
        Seconds = sw.Elapsed.TotalSeconds;
    }

    public static string Root => SharedData.PathTo("intel", "graphsense-tagpacks");

    public TempStore Store { get; } = new();

    public ImportReport Report { get; }

    public double Seconds { get; }

    public void Dispose() => Store.Dispose();
}

public sealed class GraphSenseImportTests(GraphSenseFixture fx, ITestOutputHelper output) : IClassFixture<GraphSenseFixture>
{
    private static YamlMappingNode LoadYaml(params string[] parts)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine([GraphSenseFixture.Root, .. parts]));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var n) && n is YamlScalarNode s ? s.Value : null;

    [Fact]
    public void Imports_every_tag_and_actor()
    {
        var r = fx.Report;
        output.WriteLine($"{r.Files} files, {r.TagsRead} read, {r.TagsImported} imported, {r.Duplicates} duplicates, {r.Rejected} rejected, " +
            $"{r.WarningCount} warnings, {r.ActorsImported} actors; {fx.Seconds:F1} s, {r.TagsImported / fx.Seconds:F0} tags/s, " +
            $"{r.YamlBytes / 1e6 / fx.Seconds:F2} MB/s of YAML; read+check {r.ReadSeconds:F1} s, SQLite {r.StoreSeconds:F1} s");
        var expectedTags = Directory.EnumerateFiles(Path.Combine(GraphSenseFixture.Root, "packs"), "*.yaml", SearchOption.AllDirectories)
            .Sum(f => ((YamlSequenceNode)LoadYamlFile(f).Children[new YamlScalarNode("tags")]).Children.Count);
        Assert.Equal(expectedTags, r.TagsRead);
        Assert.InRange(r.TagsRead, 520_000, 530_000);
        Assert.Equal(r.TagsRead, r.TagsImported + r.Duplicates + r.Rejected);
        Assert.InRange(r.Rejected, 1, 100); // a handful of malformed addresses in the public packs
        Assert.Equal(r.TagsImported, fx.Store.Tags.Counts().Tags);
        var actors = ((YamlSequenceNode)LoadYaml("actors", "graphsense.actorpack.yaml").Children[new YamlScalarNode("actors")]).Children.Count;
        Assert.Equal(3813, actors);
        Assert.Equal(actors, (int)fx.Store.Tags.Counts().Actors);
    }

    private static YamlMappingNode LoadYamlFile(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [Fact]
    public void Tags_inherit_the_header()
    {
        var pack = LoadYaml("packs", "demo.yaml");
        var first = (YamlMappingNode)((YamlSequenceNode)pack.Children[new YamlScalarNode("tags")]).Children[0];
        var tag = fx.Store.Tags.Search(Scalar(first, "address")!, 100).Single(t => t.Source == Scalar(pack, "source"));
        Assert.Equal(Scalar(pack, "label"), tag.Label);
        Assert.Equal(Scalar(pack, "actor"), tag.Actor);
        Assert.Equal(Scalar(pack, "category"), tag.Category);
        Assert.Equal(Scalar(pack, "confidence"), tag.Confidence);
        Assert.Equal(Taxonomy.ConfidenceLevels[Scalar(pack, "confidence")!], tag.ConfidenceLevel);
        Assert.Equal(Scalar(pack, "is_cluster_definer") == "true", tag.IsClusterDefiner);
        Assert.Equal(Scalar(pack, "lastmod"), tag.LastMod);
        Assert.Equal(Scalar(pack, "title"), tag.TagPackTitle);
        Assert.Equal(Scalar(first, "currency"), tag.Currency);
    }

    [Fact]
    public void Lazarus_pack_tags_carry_actor_and_abuse()
    {
        var pack = LoadYaml("packs", "lazarus.yaml");
        var tags = (YamlSequenceNode)pack.Children[new YamlScalarNode("tags")];
        var stored = fx.Store.Tags.List(new TagQuery(Source: Scalar(pack, "source"), Limit: 0));
        Assert.Equal(tags.Children.Count, stored.Count);
        Assert.All(stored, t =>
        {
            Assert.Equal("lazarusgroup", t.Actor);
            Assert.Equal("sanction", t.Abuse);
            Assert.Equal(90, t.ConfidenceLevel);
        });
    }

    [Fact]
    public void Actors_keep_jurisdictions_and_categories()
    {
        var actors = (YamlSequenceNode)LoadYaml("actors", "graphsense.actorpack.yaml").Children[new YamlScalarNode("actors")];
        var withJurisdiction = actors.Children.Cast<YamlMappingNode>()
            .First(a => a.Children.TryGetValue(new YamlScalarNode("jurisdictions"), out var j) && j is YamlSequenceNode { Children.Count: > 0 });
        var id = Scalar(withJurisdiction, "id")!;
        var stored = fx.Store.Tags.Actors().Single(a => a.Id == id);
        var expected = ((YamlSequenceNode)withJurisdiction.Children[new YamlScalarNode("jurisdictions")]).Children.Select(n => ((YamlScalarNode)n).Value!).ToList();
        Assert.Equal(expected, stored.Jurisdictions);
        Assert.All(stored.Jurisdictions, j => Assert.True(Taxonomy.IsAlpha2(j)));
        var lazarus = fx.Store.Tags.Actors().Single(a => a.Id == "lazarusgroup");
        Assert.Equal("Lazarus Group", lazarus.Label);
        Assert.Contains("sanction", lazarus.Categories);
    }

    [Fact]
    public void Unknown_header_category_warns_once_and_keeps_the_tags()
    {
        var pack = LoadYaml("packs", "usdt_blacklist.yaml");
        Assert.Equal("black_list", Scalar(pack, "category"));
        Assert.Single(fx.Report.Warnings, w => w.Contains("usdt_blacklist.yaml", StringComparison.Ordinal) && w.Contains("'black_list'", StringComparison.Ordinal));
        Assert.NotEmpty(fx.Store.Tags.List(new TagQuery(Category: "black_list", Limit: 5)));
    }

    [Fact]
    public void Yaml_parse_alone_for_comparison()
    {
        // the ratio import / plain YamlDotNet parse of the same files, reported for docs/benchmarks.md
        var sw = Stopwatch.StartNew();
        long events = 0;
        foreach (var f in Directory.EnumerateFiles(GraphSenseFixture.Root, "*.yaml", SearchOption.AllDirectories))
        {
            using var reader = new StreamReader(f);
            var parser = new YamlDotNet.Core.Parser(reader);
            while (parser.MoveNext())
            {
                events++;
            }
        }

        var parse = sw.Elapsed.TotalSeconds;
        output.WriteLine($"plain parse: {events} events in {parse:F1} s; import {fx.Seconds:F1} s = {fx.Seconds / parse:F1}x the parse");
        Assert.True(events > 1_000_000);
    }
}
