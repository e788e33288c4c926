using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Reports.Rendering;
using Ashiato.Intel.Prices;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>Reported USD losses converted to JPY at a rate from the price series (<see cref="FiatRates"/>).</summary>
public sealed class FiatRatesTests
{
    private static PriceRow Row(string asset, string fiat, string date, decimal price, string source = "test-prices") => new(asset, fiat, source, date, price, null);

    // BTC: 10,000 USD and 1,100,000 JPY on 2018-01-26 (110 JPY per USD); ETH: 1,000 USD and 111,000 JPY (111 JPY per USD).
    private static readonly PriceBook Book = PriceBook.FromRows(
    [
        Row("BTC", "JPY", "2018-01-26", 1_100_000m),
        Row("BTC", "USD", "2018-01-24", 10_000m),
        Row("BTC", "USD", "2018-01-26", 10_000m),
        Row("ETH", "JPY", "2018-01-26", 111_000m),
        Row("ETH", "USD", "2018-01-26", 1_000m),
    ]);

    private static ReportIncident Incident(DateOnly date, params ReportedFiat[] reported) =>
        new("inc", "An incident", date, "lazarus", "Victim", "JP", "exchange", ["bitcoin"], [], reported, "pack");

    [Fact]
    public void Cross_rate_is_coin_jpy_over_coin_usd_of_the_first_coin_with_both_series()
    {
        var rate = new FiatRates(Book).Rate("USD", "JPY", new DateOnly(2018, 1, 26));
        Assert.NotNull(rate);
        Assert.Equal(110m, rate.Rate); // BTC (ordinal first), not ETH's 111
        Assert.Equal("2018-01-26", rate.Date);
        Assert.Equal("test-prices BTC-JPY ÷ test-prices BTC-USD", rate.Source);
        Assert.Equal([("BTC", "JPY", 1_100_000m, "2018-01-26"), ("BTC", "USD", 10_000m, "2018-01-26")], rate.Legs.Select(l => (l.Asset, l.Fiat, l.UnitPrice, l.PriceDate)));
    }

    [Fact]
    public void A_series_of_the_currency_itself_wins_and_its_inverse_is_used_the_other_way()
    {
        var book = PriceBook.FromRows([Row("BTC", "JPY", "2018-01-26", 1_100_000m), Row("BTC", "USD", "2018-01-26", 10_000m), Row("USD", "JPY", "2018-01-26", 108m, "fx")]);
        var rates = new FiatRates(book);
        Assert.Equal(108m, rates.Rate("USD", "JPY", new DateOnly(2018, 1, 26))!.Rate);
        Assert.Equal("fx USD-JPY", rates.Rate("USD", "JPY", new DateOnly(2018, 1, 26))!.Source);
        Assert.Equal(1m / 108m, rates.Rate("JPY", "USD", new DateOnly(2018, 1, 26))!.Rate);
    }

    [Fact]
    public void No_series_for_the_day_or_the_currency_gives_no_rate()
    {
        var rates = new FiatRates(Book);
        Assert.Null(rates.Rate("USD", "JPY", new DateOnly(2018, 2, 10))); // beyond the 3-day gap
        Assert.Null(rates.Rate("USD", "KRW", new DateOnly(2018, 1, 26)));
        Assert.Null(rates.Rate("USD", "USD", new DateOnly(2018, 1, 26)));
        Assert.Null(rates.Rate("USD", "JPY", new DateOnly(2018, 1, 25))); // BTC-JPY has no price that day or before, ETH none

        // legs of different days (the nearest earlier price within the gap): the rate carries the older date and names both
        var rate = new FiatRates(PriceBook.FromRows([Row("BTC", "JPY", "2018-01-26", 1_100_000m), Row("BTC", "USD", "2018-01-24", 10_000m)]))
            .Rate("USD", "JPY", new DateOnly(2018, 1, 26));
        Assert.NotNull(rate);
        Assert.Equal("2018-01-24", rate.Date);
        Assert.Equal("test-prices BTC-JPY ÷ test-prices BTC-USD (BTC-JPY of 2018-01-26, BTC-USD of 2018-01-24)", rate.Source);
    }

    [Fact]
    public void Reported_usd_gets_a_jpy_figure_with_its_rate_and_an_unknown_stays_unknown()
    {
        var rates = new FiatRates(Book);
        var converted = rates.Convert(Incident(new DateOnly(2018, 1, 26), new ReportedFiat("USD", 1_234_567.89m, "press")), ["USD", "JPY"]);
        var jpy = Assert.Single(converted.Reported, r => r.Fiat == "JPY");
        Assert.Equal(135_802_468m, jpy.Amount); // 1,234,567.89 × 110 = 135,802,467.9 → rounded to the yen (half-even)
        Assert.Equal("press; converted from USD at 110 JPY per USD of 2018-01-26 (test-prices BTC-JPY ÷ test-prices BTC-USD)", jpy.Source);
        Assert.NotNull(jpy.Converted);

        // a JPY figure the source gave is kept as given; no rate on that day: JPY stays unknown (never zero)
        var given = Incident(new DateOnly(2018, 1, 26), new ReportedFiat("USD", 1m, "press"), new ReportedFiat("JPY", 100m, "press"));
        Assert.Same(given, rates.Convert(given, ["USD", "JPY"]));
        var late = rates.Convert(Incident(new DateOnly(2019, 1, 1), new ReportedFiat("USD", 1m, "press")), ["USD", "JPY"]);
        Assert.DoesNotContain(late.Reported, r => r.Fiat == "JPY");

        // in a report: the JPY cell is known, its source and date are the rate's, and the methodology lists the rate and its prices
        var parameters = new ReportParameters { Fiats = ["USD", "JPY"] };
        var report = ReportBuilder.BuildThefts([converted, late with { Id = "inc-late" }], [], [], parameters);
        var line = report.Incidents.Single(l => l.Incident.Id == "inc");
        Assert.Equal(135_802_468m, line.Reported[1].Amount);
        Assert.Equal("2018-01-26", line.Reported[1].FirstDate);
        Assert.True(report.Incidents.Single(l => l.Incident.Id == "inc-late").Reported[1].IsUnknown);
        Assert.True(report.Totals.Reported[1].IsLowerBound);
        Assert.Contains(report.Methodology.PriceSources, p => p is { Asset: "BTC", Fiat: "JPY", Source: "test-prices", FirstDate: "2018-01-26" });
        Assert.Contains(report.Methodology.PriceSources, p => p is { Asset: "BTC", Fiat: "USD", Source: "test-prices" });
        Assert.Contains("Conversion: inc USD → JPY at 110 JPY per USD of 2018-01-26 (test-prices BTC-JPY ÷ test-prices BTC-USD)", report.Methodology.Method);
        var markdown = MarkdownRenderer.Render(ReportDocuments.From(report));
        Assert.Contains("JPY 135,802,468", markdown, StringComparison.Ordinal);
    }
}
