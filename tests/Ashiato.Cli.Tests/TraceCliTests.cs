using System.Text.Json;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

/// <summary><c>ashiato trace</c> on a small simulated world: summary, files in every format, same bytes twice, clear errors.</summary>
public sealed class TraceCliTests
{
    private static async Task<(CliRunner Cli, string Theft)> WorldAsync()
    {
        var cli = new CliRunner();
        var world = Path.Combine(cli.WorkDir, "world");
        Assert.Equal(0, (await cli.RunAsync("simulate", "--seed", "1", "--scale", "3000", "--out", world)).Code);
        var ingest = await cli.RunAsync("ingest", "bitcoin", "--blocks", Path.Combine(world, "bitcoin", "blocks"), "--network", "bitcoin-regtest", "--chain", "sim");
        Assert.True(ingest.Code == 0, ingest.Err);
        Assert.Equal(0, (await cli.RunAsync("tags", "import", Path.Combine(world, "tags"))).Code);
        Assert.Equal(0, (await cli.RunAsync("cluster", "--chain", "sim")).Code);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(world, "truth", "ground-truth.json")));
        return (cli, doc.RootElement.GetProperty("thefts")[0].GetProperty("txid").GetString()!);
    }

    [Fact]
    public async Task Trace_prints_a_summary_writes_every_format_deterministically_and_names_bad_input()
    {
        var (cli, theft) = await WorldAsync();
        using var owner = cli;
        var (code, output, err) = await cli.RunAsync("trace", "--chain", "sim", "--tx", theft, "--model", "fifo");
        Assert.True(code == 0, err);
        Assert.Contains("spent-by index: building", err, StringComparison.Ordinal);
        Assert.Contains("endpoints by entity", output, StringComparison.Ordinal);
        Assert.Contains("endpoints by rule", output, StringComparison.Ordinal);
        Assert.Contains("complete (not partial)", output, StringComparison.Ordinal);

        foreach (var format in new[] { "json", "csv", "graphml", "dot" })
        {
            var a = Path.Combine(cli.WorkDir, "a." + format);
            var b = Path.Combine(cli.WorkDir, "b." + format);
            Assert.Equal(0, (await cli.RunAsync("trace", "--chain", "sim", "--tx", theft, "--fiat", "USD,JPY", "--format", format, "--out", a)).Code);
            Assert.Equal(0, (await cli.RunAsync("trace", "--chain", "sim", "--tx", theft, "--fiat", "USD,JPY", "--format", format, "--out", b)).Code);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }

        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(cli.WorkDir, "a.json"))))
        {
            var root = json.RootElement;
            Assert.Equal("ashiato-trace", root.GetProperty("format").GetString());
            Assert.Equal("haircut", root.GetProperty("parameters").GetProperty("model").GetString());
            var edges = root.GetProperty("edges").EnumerateArray().ToList();
            Assert.NotEmpty(edges);
            Assert.All(edges, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("rule").GetString())));
            Assert.All(edges, e => Assert.True(ulong.TryParse(e.GetProperty("tainted").GetString(), out _)));
        }

        Assert.True(File.Exists(Path.Combine(cli.WorkDir, "a.nodes.csv")));
        Assert.StartsWith("<?xml", File.ReadAllText(Path.Combine(cli.WorkDir, "a.graphml")), StringComparison.Ordinal);
        Assert.StartsWith("digraph trace {", File.ReadAllText(Path.Combine(cli.WorkDir, "a.dot")), StringComparison.Ordinal);

        // a cluster seed (cluster id 0: address 0 is always the smallest member of its cluster) and a backward trace
        (code, output, err) = await cli.RunAsync("trace", "--chain", "sim", "--cluster", "0", "--max-hops", "2", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("\"kind\": \"cluster\"", output, StringComparison.Ordinal);
        (code, output, err) = await cli.RunAsync("trace", "--chain", "sim", "--output", theft + ":0", "--direction", "backward");
        Assert.True(code == 0, err);
        Assert.Contains("stop:service", output, StringComparison.Ordinal); // the stolen coins came from the victim's tagged hot wallet

        // --amount: only that much of the seed is traced (the outputs in order), and the seed records it
        (code, output, err) = await cli.RunAsync("trace", "--chain", "sim", "--tx", theft, "--amount", "1000", "--json");
        Assert.True(code == 0, err);
        using (var limited = JsonDocument.Parse(output))
        {
            Assert.Equal("1000", limited.RootElement.GetProperty("seeds")[0].GetProperty("amount").GetString());
            var seeded = Assert.Single(limited.RootElement.GetProperty("summary").GetProperty("seeded").EnumerateArray());
            Assert.Equal("1000", seeded.GetProperty("tainted").GetString());
        }

        // --out into a directory not made yet: made, as report and evaluate do
        var nested = Path.Combine(cli.WorkDir, "new-dir", "deeper", "t.json");
        Assert.Equal(0, (await cli.RunAsync("trace", "--chain", "sim", "--tx", theft, "--out", nested)).Code);
        Assert.True(File.Exists(nested));

        // the second trace reuses the index
        (code, _, err) = await cli.RunAsync("trace", "--chain", "sim", "--tx", theft);
        Assert.Equal(0, code);
        Assert.DoesNotContain("spent-by index", err, StringComparison.Ordinal);

        foreach (var (args, message) in new (string[], string)[]
        {
            (["--address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"], "is a bitcoin address; chain 'sim' is bitcoin-regtest"),
            (["--tx", "00" + theft[2..]], "is not on chain 'sim'"),
            (["--output", theft + ":x"], "is not an output reference"),
            (["--output", theft + ":999"], "output(s)"),
            (["--tx", theft, "--model", "lifo"], "--model 'lifo'"),
            (["--tx", theft, "--from", "yesterday"], "--from 'yesterday'"),
            (["--tx", theft, "--min-amount", "1.5"], "--min-amount '1.5'"),
            ([], "nothing to trace"),
            (["--tx", theft, "--tx", theft, "--amount", "5"], "--amount applies to exactly one"),
            (["--tx", theft, "--amount", "0"], "--amount '0': expected a positive integer"),
            (["--tx", theft, "--amount", "1.5"], "--amount '1.5'"),
            (["--tx", theft, "--asset", "0x52908400098527886e0f7030069857d2e4169ee7"], "is not the chain's coin (BTC)"),
            (["--tx", theft, "--out", Path.Combine(cli.WorkDir, "a.json", "t.json")], "cannot create directory"), // a.json is a file
        })
        {
            var r = await cli.RunAsync(["trace", "--chain", "sim", .. args]);
            Assert.Equal(1, r.Code);
            Assert.Contains(message, r.Err, StringComparison.Ordinal);
        }
    }
}
