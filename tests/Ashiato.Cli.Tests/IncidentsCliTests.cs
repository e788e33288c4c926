using System.Text.Json;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

/// <summary><c>ashiato incidents import|list|show</c> end to end, on a small simulated world whose Bitcoin chain is ingested.</summary>
public sealed class IncidentsCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string World => Path.Combine(_cli.WorkDir, "world");

    private async Task SimulateAndIngestAsync()
    {
        var (code, _, err) = await _cli.RunAsync("simulate", "--out", World, "--scale", "2000", "--seed", "3");
        Assert.True(code == 0, err);
        (code, _, err) = await _cli.RunAsync("ingest", "bitcoin", "--blocks", Path.Combine(World, "bitcoin", "blocks"), "--network", "bitcoin-regtest", "--chain", "sim-bitcoin");
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Import_list_and_show_the_simulated_incidents()
    {
        await SimulateAndIngestAsync();
        var pack = Path.Combine(World, "incidents", "incidents.yaml");
        var (code, output, err) = await _cli.RunAsync("incidents", "import", pack);
        Assert.True(code == 0, err);
        Assert.Matches(@"^1 files: (\d+) incidents read, \1 imported \(0 replaced an earlier import\), 0 rejected, 0 warnings; theft transactions: [1-9]\d* found in the store, 0 missing, [1-9]\d* on chains not in the store", output);
        Assert.Equal("", err);

        // again: the same incidents replace themselves
        (code, output, _) = await _cli.RunAsync("--json", "incidents", "import", pack);
        Assert.Equal(0, code);
        var again = JsonDocument.Parse(output).RootElement;
        Assert.Equal(again.GetProperty("imported").GetInt32(), again.GetProperty("replaced").GetInt32());
        Assert.Equal(again.GetProperty("imported").GetInt64(), again.GetProperty("store_incidents").GetInt64());

        (code, output, _) = await _cli.RunAsync("--json", "incidents", "list", "--actor", "lazarus");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal("lazarus", r.GetProperty("attributed_actor").GetString()));
        var dates = rows.Select(r => r.GetProperty("date").GetString()!).ToList();
        Assert.Equal(dates.Order(StringComparer.Ordinal), dates);

        (code, output, _) = await _cli.RunAsync("--json", "incidents", "list", "--country", "jp", "--year", "2018");
        Assert.Equal(0, code);
        var jp = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal(("hack-2018-kaiyo", "JP"), (jp.GetProperty("id").GetString(), jp.GetProperty("victim_country").GetString()));

        (code, output, _) = await _cli.RunAsync("incidents", "list", "--year", "2018");
        Assert.Equal(0, code);
        Assert.Contains("hack-2018-kaiyo", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hack-2019", output, StringComparison.Ordinal);

        (code, output, _) = await _cli.RunAsync("incidents", "show", "hack-2018-kaiyo");
        Assert.Equal(0, code);
        Assert.Contains("hack-2018-kaiyo: Kaiyo Exchange hot wallet theft", output, StringComparison.Ordinal);
        Assert.Contains("country JP, type centralised_exchange", output, StringComparison.Ordinal);
        Assert.Matches(@"theft tx [0-9a-f]{64} output 0: in store, block \d+", output);
        Assert.Matches(@"theft tx 0x[0-9a-f]{64}: not looked up: chain 'sim-evm' is not in the store", output);
        Assert.Contains("BTC (", output, StringComparison.Ordinal);

        (code, output, _) = await _cli.RunAsync("--json", "incidents", "show", "hack-2018-kaiyo");
        Assert.Equal(0, code);
        var show = JsonDocument.Parse(output).RootElement;
        var txs = show.GetProperty("transactions").EnumerateArray().ToList();
        Assert.All(txs.Where(t => t.GetProperty("chain").GetString() == "sim-bitcoin"), t => Assert.Equal("found", t.GetProperty("in_store").GetString()));
        Assert.All(txs.Where(t => t.GetProperty("chain").GetString() == "sim-evm"), t => Assert.Equal("chain-not-in-store", t.GetProperty("in_store").GetString()));
        var btcLoss = show.GetProperty("incident").GetProperty("losses").EnumerateArray().First(l => l.GetProperty("asset").GetString() == "BTC");
        Assert.Equal(JsonValueKind.String, btcLoss.GetProperty("amount").ValueKind); // exact integers in base units, as strings

        (code, _, err) = await _cli.RunAsync("incidents", "show", "no-such-incident");
        Assert.Equal(1, code);
        Assert.Contains("no incident 'no-such-incident' in the store", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_theft_transaction_is_a_located_warning_and_the_incident_is_kept()
    {
        await SimulateAndIngestAsync();
        var pack = Path.Combine(_cli.WorkDir, "mine.yaml");
        var absent = new string('a', 64);
        await File.WriteAllTextAsync(pack, "title: Mine\nincidents:\n- id: mine-1\n  title: Mine\n  date: 2020-02-02\n  victim_country: DE\n  chains:\n" +
            $"  - chain: sim-bitcoin\n    network: bitcoin-regtest\n    transactions:\n    - {absent}\n- id: mine-2\n  title: Bad country\n  date: 2020-02-02\n" +
            $"  victim_country: XX\n  chains:\n  - chain: sim-bitcoin\n    network: bitcoin-regtest\n    transactions:\n    - {absent}\n");
        var (code, output, err) = await _cli.RunAsync("incidents", "import", pack);
        Assert.Equal(0, code);
        Assert.Contains("1 imported", output, StringComparison.Ordinal);
        Assert.Contains("1 rejected", output, StringComparison.Ordinal);
        Assert.Contains($"warning: {pack}:11:7: incident 'mine-1': theft transaction {absent} is not in chain 'sim-bitcoin'", err, StringComparison.Ordinal);
        Assert.Contains($"rejected: {pack}:15:19: incident 'mine-2': victim_country 'XX' is not an ISO 3166-1 alpha-2 country code", err, StringComparison.Ordinal);

        (code, output, _) = await _cli.RunAsync("incidents", "show", "mine-1");
        Assert.Equal(0, code);
        Assert.Contains($"theft tx {absent}: NOT IN STORE: not in chain 'sim-bitcoin'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_yaml_exits_one_with_a_located_one_line_message()
    {
        var bad = Path.Combine(_cli.WorkDir, "bad.yaml");
        await File.WriteAllTextAsync(bad, "title: x\nincidents:\n- id: 'open\n  date: 2020-01-01\n");
        var (code, _, err) = await _cli.RunAsync("incidents", "import", bad);
        Assert.Equal(1, code);
        Assert.Matches(@"^error: .*bad\.yaml:\d+:\d+: malformed YAML", err);
        Assert.Single(err.TrimEnd().Split('\n'));

        (code, _, err) = await _cli.RunAsync("incidents", "import", Path.Combine(_cli.WorkDir, "absent.yaml"));
        Assert.Equal(1, code);
        Assert.Contains("absent.yaml: no such file or directory", err, StringComparison.Ordinal);
    }
}
