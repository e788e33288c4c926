using Ashiato.TestSupport;

namespace Ashiato.Intel.Tests;

public sealed class RoundTripTests
{
    private static string Pack(string name) => SharedData.PathTo("intel", "graphsense-tagpacks", "packs", name);

    [Fact]
    public void Export_then_import_gives_the_same_rows()
    {
        using var a = new TempStore();
        a.Import(Pack("demo.yaml"), Pack("lazarus.yaml"), Pack("etherscan-wordcloud-exchange.yaml"), Pack("defi_updated"));
        var csv = Path.Combine(a.Dir, "extra.csv");
        File.WriteAllText(csv, "address,currency,label,category,actor,source,confidence\n" +
            "1Archive1n2C579dMsAu3iC6tWzuQJz8dN,BTC,\"Quoted, label: with # and 'quotes'\",organization,,https://example.org/a b,forensic\n");
        a.Import(csv);
        var outDir = Path.Combine(a.Dir, "export");
        var files = TagExporter.Export(a.Tags, outDir);
        Assert.NotEmpty(files);
        Assert.Equal(files.Select(f => f.Path).Distinct().Count(), files.Count);

        using var b = new TempStore();
        var report = b.Import(outDir);
        Assert.Equal(0, report.Rejected);
        Assert.Equal(0, report.Duplicates);
        var before = Semantic(a.Tags);
        var after = Semantic(b.Tags);
        Assert.True(before.Count > 100);
        Assert.Equal(before, after);

        // and a second export is byte-identical (deterministic output)
        var outDir2 = Path.Combine(b.Dir, "export");
        TagExporter.Export(b.Tags, outDir2);
        foreach (var f in files)
        {
            Assert.Equal(File.ReadAllText(f.Path), File.ReadAllText(Path.Combine(outDir2, Path.GetFileName(f.Path))));
        }
    }

    private static List<string> Semantic(TagStore store) =>
        store.List(new TagQuery(Limit: 0))
            .Select(t => string.Join('\u001f', t.Address, t.Currency, t.Network, t.Label, t.Category, t.Abuse, t.Actor, t.Source, t.Confidence,
                t.ConfidenceLevel, t.IsClusterDefiner, t.Concepts, t.Context, t.LastMod))
            .ToList();
}
