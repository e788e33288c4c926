using System.Globalization;
using Ashiato.Intel.Prices;
using Ashiato.Simulation;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>Re-import, several sources of one pair, and the simulated world's price files.</summary>
public sealed class PriceImportTests : IDisposable
{
    private readonly PriceScratch _s = new();

    [Fact]
    public void Reimport_of_a_source_replaces_its_series_and_keeps_other_sources_beside_it()
    {
        var opts = new PriceImportOptions("BTC", "USD", "vendor-a");
        _s.Import(opts, _s.Write("a1.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"));
        _s.Import(new PriceImportOptions("BTC", "USD", "vendor-b", Priority: 50), _s.Write("b.csv", "date,price\n2024-01-02,20\n"));
        var report = _s.Import(opts, _s.Write("a2.csv", "date,price\n2024-01-02,2.5\n2024-01-04,4\n"));
        var s = Assert.Single(report.Series);
        Assert.Equal((2, 3, 100), (s.Points, s.ReplacedPoints, s.Priority));
        Assert.Equal(
            ["BTC-USD vendor-b 2024-01-02 20", "BTC-USD vendor-a 2024-01-02 2.5", "BTC-USD vendor-a 2024-01-04 4"],
            _s.Dump());
        var series = _s.Prices.Series();
        Assert.Equal(["vendor-b", "vendor-a"], series.Select(x => x.Source)); // by priority
        Assert.Equal("a2.csv", series[1].Files);
    }

    [Fact]
    public void Priority_is_kept_on_reimport_unless_given()
    {
        var path = _s.Write("btc-usd.csv", "date,price\n2024-01-01,1\n");
        _s.Import(new PriceImportOptions(Priority: 7), path);
        Assert.Equal(7, Assert.Single(_s.Import(path).Series).Priority);
        Assert.Equal(9, Assert.Single(_s.Import(new PriceImportOptions(Priority: 9), path).Series).Priority);
    }

    [Fact]
    public void List_reports_extent_missing_days_and_the_longest_gap()
    {
        _s.Import(_s.Write("btc-usd.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-06,6\n2024-01-08,8\n"));
        var info = Assert.Single(_s.Prices.Series());
        Assert.Equal(("BTC", "USD", "btc-usd.csv", 4, "2024-01-01", "2024-01-08", 4, 3), (info.Asset, info.Fiat, info.Source, info.Points, info.FirstDate, info.LastDate, info.MissingDays, info.LongestGapDays));
    }

    [Fact]
    public void Simulated_world_price_files_import_exactly_and_value_thefts_as_the_simulator_does()
    {
        var sim = new PriceSeries(1);
        var dir = Path.Combine(_s.FilesDir, "prices");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "btc-usd.csv"), sim.UsdCsv());
        File.WriteAllText(Path.Combine(dir, "btc-jpy.csv"), sim.JpyCsv());
        var report = _s.Import(new PriceImportOptions(Source: "sim-world"), dir);
        Assert.Equal(["BTC-JPY", "BTC-USD"], report.Series.Select(x => $"{x.Asset}-{x.Fiat}").Order(StringComparer.Ordinal));
        Assert.All(report.Series, x => Assert.Equal((SimCalendar.Days, "2017-01-01", "2024-12-31"), (x.Points, x.FirstDate, x.LastDate)));
        Assert.All(_s.Prices.Series(), x => Assert.Equal(0, x.MissingDays));

        var book = _s.Book();
        var day = SimCalendar.Start;
        for (var d = 0; d < SimCalendar.Days; d += 1)
        {
            var noon = new DateTimeOffset(day.AddDays(d).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
            var usd = book.Quote("BTC", "USD", day.AddDays(d))!;
            Assert.Equal(sim.UsdOn(day.AddDays(d)), usd.UnitPrice);
            Assert.Equal(sim.JpyOn(day.AddDays(d)), book.Quote("BTC", "JPY", day.AddDays(d))!.UnitPrice);
            if (d % 97 == 0)
            {
                // the simulator's loss_usd: sats × price / 1e8 rounded to the cent, half even
                const long sats = 123_456_789;
                var value = book.Value("BTC", sats, 8, noon, "USD")!;
                Assert.Equal(sim.UsdValue(sats, day.AddDays(d)), FiatFormat.Round(value.Amount, "USD"));
                Assert.Equal(("sim-world", PriceTickers.Day(day.AddDays(d))), (value.Source, value.PriceDate));
            }
        }
    }

    [Fact]
    public void Demo_world_files_written_by_the_simulator_import_as_one_series_per_file()
    {
        // the files exactly as Simulation.Run writes them (header, LF, 0 to 4 decimals): BTC, ETH, USDT, sBTC in USD and JPY
        var sim = new PriceSeries(7);
        var files = sim.Files().Select(f => _s.Write(f.File, f.Csv)).ToArray();
        Assert.Equal(8, files.Length);
        var report = _s.Import(new PriceImportOptions(Source: "sim-world"), files);
        Assert.Equal(8 * SimCalendar.Days, report.PointsRead);
        Assert.Equal(["BTC-JPY", "BTC-USD", "ETH-JPY", "ETH-USD", "SBTC-JPY", "SBTC-USD", "USDT-JPY", "USDT-USD"],
            report.Series.Select(p => $"{p.Asset}-{p.Fiat}".ToUpperInvariant()).Order(StringComparer.Ordinal));
        var row = _s.Prices.Points("BTC", "JPY", from: new DateOnly(2020, 3, 13), to: new DateOnly(2020, 3, 13)).Single();
        Assert.Equal(sim.JpyOn(new DateOnly(2020, 3, 13)).ToString("F0", CultureInfo.InvariantCulture), row.Price.ToString(CultureInfo.InvariantCulture));
    }

    public void Dispose() => _s.Dispose();
}
