using System.Text.Json;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

/// <summary><c>ashiato prices import|list|show</c> end to end through <see cref="CliApp"/>.</summary>
public sealed class PricesCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_cli.WorkDir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Import_list_and_show()
    {
        var usd = Write("btc-usd.csv", "date,price\n2024-01-01,42280.23\n2024-01-02,45000.10\n2024-01-05,44000\n");
        var cg = Write("btc-usd.json", """{"prices":[[1704067200000,42300.5],[1704153600000,44950.25]]}""");
        var (code, output, err) = await _cli.RunAsync("prices", "import", usd, "--source", "vendor", "--priority", "10");
        Assert.True(code == 0, err);
        Assert.Contains("BTC-USD from vendor (csv): 3 daily prices 2024-01-01..2024-01-05, new series; priority 10", output, StringComparison.Ordinal);

        (code, output, err) = await _cli.RunAsync("prices", "import", cg);
        Assert.True(code == 0, err);
        Assert.Contains("BTC-USD from coingecko (coingecko): 2 daily prices 2024-01-01..2024-01-02, new series; priority 100", output, StringComparison.Ordinal);

        (code, output, _) = await _cli.RunAsync("--json", "prices", "list");
        Assert.Equal(0, code);
        var series = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, series.GetArrayLength());
        Assert.Equal(("vendor", 3, 2, 2), (series[0].GetProperty("source").GetString(), series[0].GetProperty("points").GetInt32(),
            series[0].GetProperty("missing_days").GetInt32(), series[0].GetProperty("longest_gap_days").GetInt32()));

        (code, output, _) = await _cli.RunAsync("prices", "list");
        Assert.Equal(0, code);
        Assert.Contains("coingecko", output, StringComparison.Ordinal);

        (code, output, _) = await _cli.RunAsync("--json", "prices", "show", "btc", "--fiat", "usd", "--from", "2024-01-02", "--to", "2024-01-05");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray()
            .Select(r => $"{r.GetProperty("date").GetString()} {r.GetProperty("price").GetString()} {r.GetProperty("source").GetString()}").ToList();
        Assert.Equal(["2024-01-02 45000.10 vendor", "2024-01-05 44000 vendor"], rows); // vendor (priority 10) before coingecko

        (code, output, _) = await _cli.RunAsync("--json", "prices", "show", "BTC", "--all-sources", "--to", "2024-01-01");
        Assert.Equal(0, code);
        Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetArrayLength());

        (code, output, _) = await _cli.RunAsync("prices", "show", "BTC", "--source", "coingecko");
        Assert.Equal(0, code);
        Assert.Contains("44950.25", output, StringComparison.Ordinal);
        Assert.DoesNotContain("45000.10", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_file_exits_one_with_a_located_one_line_error_and_keeps_the_stored_series()
    {
        var good = Write("btc-usd.csv", "date,price\n2024-01-01,1\n");
        Assert.Equal(0, (await _cli.RunAsync("prices", "import", good)).Code);
        var bad = Write("bad.csv", "date,price\n2024-01-01,2\n2024-01-32,3\n");
        var (code, _, err) = await _cli.RunAsync("prices", "import", bad, "--asset", "BTC", "--fiat", "USD", "--source", "btc-usd.csv");
        Assert.Equal(1, code);
        Assert.Matches(@"^error: .*bad\.csv:3: field date: '2024-01-32' is not a date", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        var (_, output, _) = await _cli.RunAsync("--json", "prices", "show", "BTC");
        var row = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal("1", row.GetProperty("price").GetString());
    }

    [Fact]
    public async Task CryptoCompare_error_answer_exits_one_with_its_message()
    {
        var path = Write("btc-usd.json", """{"Response":"Error","Message":"fsym param is empty or null.","Type":1,"Data":{}}""");
        var (code, _, err) = await _cli.RunAsync("prices", "import", path);
        Assert.Equal(1, code);
        Assert.Contains("btc-usd.json: CryptoCompare answered Response \"Error\": fsym param is empty or null.", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_an_asset_without_prices_is_a_user_error()
    {
        Assert.Equal(0, (await _cli.RunAsync("prices", "import", Write("btc-usd.csv", "2024-01-01,1\n"))).Code);
        var (code, _, err) = await _cli.RunAsync("prices", "show", "ETH");
        Assert.Equal(1, code);
        Assert.Contains("no prices of ETH", err, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
