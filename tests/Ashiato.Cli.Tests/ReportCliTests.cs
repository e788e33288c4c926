using System.Text.Json;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

public sealed class ReportCliTests
{
    [Fact]
    public async Task Report_DemoWorld_TheftsActorAndIncidentInEveryFormat_TraceByIncident_AndBadInputIsNamed()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("demo");
        Assert.True(code == 0, err);

        // thefts as JSON: every incident of the world's IncidentPack, per country shares summing to 100 %
        (code, var output, err) = await cli.RunAsync("report", "thefts", "--format", "json", "--no-trace");
        Assert.True(code == 0, err);
        var incidents = File.ReadAllText(Path.Combine(cli.StoreDir, "world", "incidents", "incidents.yaml"));
        var ids = System.Text.RegularExpressions.Regex.Matches(incidents, @"(?m)^- id: (\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            Assert.Contains(id, output, StringComparison.Ordinal);
        }

        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }

        // the same command twice: the same bytes
        (code, var again, _) = await cli.RunAsync("report", "thefts", "--format", "json", "--no-trace");
        Assert.Equal(0, code);
        Assert.Equal(output, again);

        // one incident, traced, as one self-contained HTML file with its charts
        var dir = Path.Combine(cli.WorkDir, "out");
        (code, _, err) = await cli.RunAsync("report", "incident", ids[0], "--format", "html", "--out", dir);
        Assert.True(code == 0, err);
        var html = File.ReadAllText(Assert.Single(Directory.GetFiles(dir, "*.html")));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);

        // the actor report in Markdown: the victim-country table of the actor's incidents
        (code, output, err) = await cli.RunAsync("report", "actor", "lazarus");
        Assert.True(code == 0, err);
        Assert.Contains("## Where the money came from", output, StringComparison.Ordinal);
        Assert.Matches(@"\| JP \| 1 \|", output);

        // an incident as the seed of a trace: its theft transactions on both chains, the bridge followed
        (code, output, err) = await cli.RunAsync("trace", "--incident", "hack-2018-kaiyo", "--format", "json");
        Assert.True(code == 0, err);
        Assert.Contains("following bridges across chains: shoreline-bridge", err, StringComparison.Ordinal);
        using (var trace = JsonDocument.Parse(output))
        {
            var chains = trace.RootElement.GetProperty("seeds").EnumerateArray().Select(x => x.GetProperty("chain").GetString()).Distinct().Order().ToList();
            Assert.Equal(["sim-bitcoin", "sim-evm"], chains);
        }

        (code, _, err) = await cli.RunAsync("trace", "--incident", "no-such-incident");
        Assert.Equal(1, code);
        Assert.Contains("--incident no-such-incident: no such incident", err, StringComparison.Ordinal);

        // bad input: unknown actor / incident, a format that needs a directory, a bad option value
        (code, _, err) = await cli.RunAsync("report", "actor", "nobody-at-all");
        Assert.Equal(1, code);
        Assert.Contains("no actor 'nobody-at-all'", err, StringComparison.Ordinal);
        (code, _, err) = await cli.RunAsync("report", "incident", "no-such-incident");
        Assert.Equal(1, code);
        Assert.Contains("no incident 'no-such-incident'", err, StringComparison.Ordinal);
        (code, _, err) = await cli.RunAsync("report", "thefts", "--format", "html");
        Assert.Equal(1, code);
        Assert.Contains("give --out DIR", err, StringComparison.Ordinal);
        (code, _, err) = await cli.RunAsync("report", "thefts", "--fiat", "dollars");
        Assert.Equal(1, code);
        Assert.Contains("--fiat dollars", err, StringComparison.Ordinal);
    }
}
