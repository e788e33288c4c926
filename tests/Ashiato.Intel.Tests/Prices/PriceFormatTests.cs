using System.Globalization;
using Ashiato.Intel.Prices;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>Each input format read from a small file written here, stored exactly.</summary>
public sealed class PriceFormatTests : IDisposable
{
    private readonly PriceScratch _s = new();

    [Fact]
    public void Csv_with_header_takes_asset_and_fiat_from_the_file_name_and_keeps_prices_exactly()
    {
        var path = _s.Write("btc-usd.csv", "date,price\n2024-01-01,42280.23\n2024-01-02,45000.10\r\n2024-01-03,0.00000001234567890123456789\n");
        var report = _s.Import(path);
        var series = Assert.Single(report.Series);
        Assert.Equal(("BTC", "USD", "btc-usd.csv", 3, "2024-01-01", "2024-01-03"), (series.Asset, series.Fiat, series.Source, series.Points, series.FirstDate, series.LastDate));
        Assert.Equal(
            ["BTC-USD btc-usd.csv 2024-01-01 42280.23", "BTC-USD btc-usd.csv 2024-01-02 45000.10", "BTC-USD btc-usd.csv 2024-01-03 0.00000001234567890123456789"],
            _s.Dump());
    }

    [Fact]
    public void Csv_without_header_and_with_unix_seconds_files_each_point_under_its_utc_day_and_keeps_the_last_of_a_day()
    {
        // 1704067200 = 2024-01-01T00:00:00Z; 1704153599 = 2024-01-01T23:59:59Z; 1704153600 = 2024-01-02T00:00:00Z
        var path = _s.Write("prices.csv", "1704153599,101.5\n1704067200,100\n1704153600,102\n");
        var report = _s.Import(new PriceImportOptions(Asset: "ltc", Fiat: "eur", Source: "my-feed"), path);
        Assert.Equal(1, report.IntradayDropped);
        Assert.Equal(["LTC-EUR my-feed 2024-01-01 101.5", "LTC-EUR my-feed 2024-01-02 102"], _s.Dump());
        var rows = _s.Prices.Points("LTC", "EUR");
        Assert.Equal("2024-01-01T23:59:59Z", rows[0].TimeUtc);
    }

    [Fact]
    public void Csv_timestamp_header_is_recognised()
    {
        var path = _s.Write("eth-usd.csv", "timestamp,price\n1704067200,2281.47\n");
        _s.Import(path);
        Assert.Equal(["ETH-USD eth-usd.csv 2024-01-01 2281.47"], _s.Dump());
    }

    [Fact]
    public void CoinGecko_market_chart_is_read_from_the_number_text_without_a_double_round_trip()
    {
        // 0.1 + 0.2 style values and more digits than a double holds: they must come through digit for digit
        var json = """
            {"prices":[[1704067200000,42280.2345678901234567],[1704110400000,42500.5],[1704153600000,44187.1],[1704200000000,1.5e-3]],
             "market_caps":[[1704067200000,8.3e11]],"total_volumes":[[1704067200000,1.2e10]]}
            """;
        var report = _s.Import(new PriceImportOptions(Asset: "BTC", Fiat: "USD"), _s.Write("bitcoin.json", json));
        Assert.Equal("coingecko", Assert.Single(report.Series).Source);
        Assert.Equal(2, report.IntradayDropped);
        // 2024-01-01 keeps its last point (12:00 UTC), 2024-01-02 keeps 12:53:20 UTC (1.5e-3 read as 0.0015)
        Assert.Equal(["BTC-USD coingecko 2024-01-01 42500.5", "BTC-USD coingecko 2024-01-02 0.0015"], _s.Dump());
        var exact = PriceFileReader.Parse(json, "x.json").Points[0].Price;
        Assert.Equal(decimal.Parse("42280.2345678901234567", CultureInfo.InvariantCulture), exact);
        Assert.Equal("42280.2345678901234567", exact.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CryptoCompare_histoday_v2_and_the_older_form_are_read_and_zero_closes_are_left_out()
    {
        var v2 = """
            {"Response":"Success","Message":"","HasWarning":false,"Type":100,
             "Data":{"Aggregated":false,"TimeFrom":1703980800,"TimeTo":1704153600,
               "Data":[{"time":1703980800,"high":0,"low":0,"open":0,"close":0},
                       {"time":1704067200,"high":1,"low":1,"open":1,"close":42283.58},
                       {"time":1704153600,"high":1,"low":1,"open":1,"close":44179.55}]}}
            """;
        var report = _s.Import(_s.Write("btc-usd.json", v2));
        Assert.Equal(1, report.Skipped);
        Assert.Contains(report.Warnings, w => w.Contains("$.Data.Data[0].close: no price", StringComparison.Ordinal));
        Assert.Equal("cryptocompare", Assert.Single(report.Series).Source);
        Assert.Equal(["BTC-USD cryptocompare 2024-01-01 42283.58", "BTC-USD cryptocompare 2024-01-02 44179.55"], _s.Dump());

        var old = """{"Response":"Success","Type":100,"Data":[{"time":1704067200,"close":2352.1},{"time":1704153600,"close":2355.44}]}""";
        _s.Import(_s.Write("eth-jpy.json", old));
        Assert.Equal(["ETH-JPY cryptocompare 2024-01-01 2352.1", "ETH-JPY cryptocompare 2024-01-02 2355.44"],
            _s.Prices.Points("ETH").Select(r => $"{r.Asset}-{r.Fiat} {r.Source} {r.Date} {r.Price.ToString(CultureInfo.InvariantCulture)}"));
    }

    [Fact]
    public void Files_of_one_series_in_one_import_are_merged()
    {
        var a = _s.Write("part1.csv", "date,price\n2023-12-31,1\n2024-01-01,2\n");
        var b = _s.Write("part2.csv", "date,price\n2024-01-01,2\n2024-01-02,3\n");
        var report = _s.Import(new PriceImportOptions("BTC", "USD", "vendor"), a, b);
        Assert.Equal(1, report.Duplicates);
        Assert.Equal(["BTC-USD vendor 2023-12-31 1", "BTC-USD vendor 2024-01-01 2", "BTC-USD vendor 2024-01-02 3"], _s.Dump());
        Assert.Equal("part1.csv part2.csv", Assert.Single(_s.Prices.Series()).Files);
    }

    public void Dispose() => _s.Dispose();
}
