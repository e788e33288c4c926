using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Reports.Rendering;
using static Ashiato.Analysis.Tests.Reports.ReportFixture;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>The four formats of small fixed reports, byte for byte (ASHIATO_UPDATE_GOLDEN=1 regenerates them).</summary>
public sealed class ReportGoldenTests
{
    public static TheoryData<string> Reports => ["thefts", "actor-lazarus", "incident-inc-2018-jp"];

    public static ReportDocument Document(string name) => name switch
    {
        "thefts" => ReportDocuments.From(ReportBuilder.BuildThefts(Incidents, Measured, Traces, Parameters)),
        "actor-lazarus" => ReportDocuments.From(ReportBuilder.BuildActor(Lazarus, Incidents, Measured, Traces, Parameters)),
        "incident-inc-2018-jp" => ReportDocuments.From(ReportBuilder.BuildIncident(Incidents[0], Measured, Traces, Parameters)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown fixture report"),
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void Markdown_matches_golden(string name) => GoldenFiles.Check(name + ".md", MarkdownRenderer.Render(Document(name)));

    [Theory]
    [MemberData(nameof(Reports))]
    public void Json_matches_golden(string name) => GoldenFiles.Check(name + ".json", JsonRenderer.Render(Document(name)));

    [Theory]
    [MemberData(nameof(Reports))]
    public void Html_matches_golden(string name) => GoldenFiles.Check(name + ".html", HtmlRenderer.Render(Document(name)));

    [Theory]
    [MemberData(nameof(Reports))]
    public void Csv_matches_golden(string name)
    {
        var files = ReportRenderer.Render(Document(name), ReportOutputFormat.Csv, name);
        Assert.Contains(files, f => f.Key == name + ".key_figures.csv");
        Assert.Contains(files, f => f.Key == name + ".methodology_parameters.csv");
        foreach (var f in files)
        {
            GoldenFiles.Check(Path.Combine(name + "-csv", f.Key), f.Value);
        }

        if (!GoldenFiles.Updating)
        {
            // no stale golden file left over from a table that no longer exists
            var golden = Directory.GetFiles(Path.Combine(GoldenFiles.Directory, name + "-csv")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(files.Select(f => f.Key).Order(StringComparer.Ordinal), golden);
        }
    }

    [Fact]
    public void Json_is_valid_and_keeps_exact_values()
    {
        using var json = System.Text.Json.JsonDocument.Parse(JsonRenderer.Render(Document("actor-lazarus")));
        var root = json.RootElement;
        Assert.Equal("ashiato-report", root.GetProperty("format").GetString());
        var byCountry = root.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "by-country").GetProperty("table");
        var jp = byCountry.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "JP");
        Assert.Equal("0.3571428571428571428571428571", jp.GetProperty("share").GetString());
        Assert.Equal("500000000", jp.GetProperty("reported_usd").GetProperty("amount").GetString());
        Assert.Equal("500000000000", jp.GetProperty("measured")[0].GetProperty("base_units").GetString());
        var kr = byCountry.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "KR");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, kr.GetProperty("measured_jpy").GetProperty("amount").ValueKind);
        Assert.Equal("unknown", kr.GetProperty("measured_jpy").GetProperty("status").GetString());
    }
}
