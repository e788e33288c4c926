using System.Diagnostics;
using System.Globalization;
using Ashiato.Intel.Prices;
using Ashiato.Simulation;
using Xunit.Abstractions;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>
/// bench:prices — valuation look-ups per second over the simulated world's two series (2,922 days each), the way the
/// tracing engine calls <see cref="PriceBook.Value"/> per edge. Every result is checked against the series; the rate is
/// written to the test output (docs/benchmarks.md, section bench:prices).
/// </summary>
public sealed class PriceBookThroughputTests(ITestOutputHelper output) : IDisposable
{
    private readonly PriceScratch _s = new();

    [Fact]
    public void Valuation_lookups_per_second()
    {
        var sim = new PriceSeries(1);
        _s.Import(new PriceImportOptions(Source: "sim-world"), _s.Write("btc-usd.csv", sim.UsdCsv()), _s.Write("btc-jpy.csv", sim.JpyCsv()),
            _s.Write("usd-eur.csv", "date,price\n2017-01-01,0.95\n"));
        var load = Stopwatch.StartNew();
        var book = _s.Book();
        load.Stop();

        const int n = 2_000_000;
        var rng = new Random(1);
        var times = new DateTimeOffset[n];
        var sats = new long[n];
        for (var i = 0; i < n; i++)
        {
            times[i] = DateTimeOffset.FromUnixTimeSeconds(SimCalendar.StartUnix + rng.NextInt64((long)SimCalendar.Days * 86400));
            sats[i] = rng.NextInt64(1, 2_100_000_000_000_000);
        }

        var rates = new List<double>();
        decimal unitSum = 0;
        for (var round = 0; round < 5; round++)
        {
            unitSum = 0;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
            {
                unitSum += book.Value("BTC", sats[i], 8, times[i], "USD")!.UnitPrice; // the result is used, as a tracer would
            }

            rates.Add(n / sw.Elapsed.TotalSeconds);
        }

        decimal total = 0;
        for (var i = 0; i < n; i++)
        {
            total += book.Value("BTC", sats[i], 8, times[i], "USD")!.Amount / 1_000_000m;
        }

        var cross = Stopwatch.StartNew();
        const int m = 200_000;
        for (var i = 0; i < m; i++)
        {
            Assert.NotNull(book.Value("BTC", sats[i], 8, new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero), "EUR"));
        }

        var crossRate = m / cross.Elapsed.TotalSeconds;

        // the sum is checked against the series directly (same exact arithmetic, no book)
        decimal expected = 0, expectedUnits = 0;
        for (var i = 0; i < n; i++)
        {
            var day = DateOnly.FromDateTime(times[i].UtcDateTime);
            expected += decimal.Parse(sats[i].ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) / 100_000_000m * sim.UsdOn(day) / 1_000_000m;
            expectedUnits += sim.UsdOn(day);
        }

        Assert.Equal(expectedUnits, unitSum);
        Assert.Equal(decimal.Round(expected, 10), decimal.Round(total, 10));
        rates.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bench:prices direct BTC-USD: {n:N0} look-ups, best of 5 {rates[^1]:N0}/s, median {rates[2]:N0}/s; cross BTC-EUR via USD: {crossRate:N0}/s; load {load.Elapsed.TotalMilliseconds:N1} ms for {2 * SimCalendar.Days + 1:N0} points"));
    }

    public void Dispose() => _s.Dispose();
}
