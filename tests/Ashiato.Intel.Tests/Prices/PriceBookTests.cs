using System.Globalization;
using System.Numerics;
using Ashiato.Intel.Prices;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>Valuation: exact decimals, the gap rule, unknown = null, precedence, cross rates.</summary>
public sealed class PriceBookTests : IDisposable
{
    private readonly PriceScratch _s = new();

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static decimal D(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);

    private PriceBook Book(string files, PriceBookOptions? options = null)
    {
        foreach (var (name, text) in files.Split(';').Select(f => f.Split('=')).Select(p => (p[0], p[1])))
        {
            _s.Import(_s.Write(name, "date,price\n" + text.Replace(' ', '\n') + "\n"));
        }

        return _s.Book(options);
    }

    [Fact]
    public void Value_is_the_exact_product_with_its_price_date_and_source()
    {
        var book = Book("btc-usd.csv=2024-01-05,42123.45");
        var v = book.Value("BTC", 12_345_678, 8, At("2024-01-05T23:59:59Z"), "USD")!;
        // 0.12345678 × 42123.45 = 5200.4254994910 exactly (scale 8 + 2)
        Assert.Equal(D("5200.4254994910"), v.Amount);
        Assert.Equal("5200.4254994910", v.Amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal((D("42123.45"), "2024-01-05", "btc-usd.csv", "BTC", "USD"), (v.UnitPrice, v.PriceDate, v.Source, v.Asset, v.Fiat));
        Assert.Equal("5,200.43 USD", FiatFormat.Amount(v.Amount, v.Fiat));
    }

    [Fact]
    public void The_utc_date_of_the_time_decides_not_its_offset()
    {
        var book = Book("btc-usd.csv=2024-01-05,1 2024-01-06,2");
        // 2024-01-06T01:00+09:00 is 2024-01-05T16:00Z
        Assert.Equal("2024-01-05", book.Value("BTC", 1, 0, At("2024-01-06T01:00:00+09:00"), "USD")!.PriceDate);
    }

    [Fact]
    public void A_missing_day_takes_the_nearest_earlier_price_within_the_max_gap_else_unknown()
    {
        var book = Book("btc-usd.csv=2024-01-01,100 2024-01-10,200");
        Assert.Equal("2024-01-01", book.Value("BTC", 1, 0, At("2024-01-04T12:00:00Z"), "USD")!.PriceDate); // 3 days: allowed
        Assert.Null(book.Value("BTC", 1, 0, At("2024-01-05T00:00:00Z"), "USD")); // 4 days: unknown
        Assert.Null(book.Value("BTC", 1, 0, At("2023-12-31T23:59:59Z"), "USD")); // before the series: never a later price
        Assert.Equal("2024-01-10", book.Value("BTC", 1, 0, At("2024-01-13T00:00:00Z"), "USD")!.PriceDate); // after the end, within the gap
        Assert.Null(book.Value("BTC", 1, 0, At("2024-01-14T00:00:00Z"), "USD"));
        var strict = _s.Book(new PriceBookOptions { MaxGapDays = 0 });
        Assert.Null(strict.Value("BTC", 1, 0, At("2024-01-02T00:00:00Z"), "USD"));
        var loose = _s.Book(new PriceBookOptions { MaxGapDays = 8 });
        Assert.Equal(100m, loose.Value("BTC", 1, 0, At("2024-01-09T00:00:00Z"), "USD")!.Amount);
    }

    [Fact]
    public void Unknown_asset_or_fiat_is_null_never_zero()
    {
        var book = Book("btc-usd.csv=2024-01-01,100");
        Assert.Null(book.Value("ETH", 1, 18, At("2024-01-01T00:00:00Z"), "USD"));
        Assert.Null(book.Value("BTC", 1, 8, At("2024-01-01T00:00:00Z"), "EUR"));
        Assert.Equal(0m, book.Value("BTC", 0, 8, At("2024-01-01T00:00:00Z"), "USD")!.Amount); // a zero amount has a known value
    }

    [Fact]
    public void Eighteen_decimal_amounts_beyond_64_bits_stay_exact()
    {
        var book = Book("eth-usd.csv=2024-01-01,2281.4712");
        var wei = BigInteger.Parse("123456789012345678901234", CultureInfo.InvariantCulture); // 123,456.789… ETH
        var v = book.Value("ETH", wei, 18, At("2024-01-01T00:00:00Z"), "USD")!;
        // 123456.789012345678901234 × 2281.4712 = 281663108.5761431108576130154608: 31 significant digits, more than a decimal
        // holds (96 bits), so the last two are rounded half even
        Assert.Equal("2816631085761431108576130154608", (wei * 22814712).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(D("281663108.57614311085761301546"), v.Amount);
        Assert.Equal(20, v.Amount.Scale);

        var small = book.Value("ETH", BigInteger.Parse("1000000000000000001", CultureInfo.InvariantCulture), 18, At("2024-01-01T00:00:00Z"), "USD")!;
        Assert.Equal(D("2281.4712000000000022814712"), small.Amount); // 1.000000000000000001 × 2281.4712, exact
    }

    [Fact]
    public void Multiply_agrees_with_big_integer_arithmetic_on_the_fast_and_slow_paths()
    {
        var rng = new Random(42);
        var checkedCount = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bits = rng.Next(1, 100); // beyond 63 bits: the BigInteger path
            var units = new BigInteger(rng.NextInt64(1, long.MaxValue)) * new BigInteger(rng.NextInt64(1, long.MaxValue)) % (BigInteger.One << bits);
            units = i % 5 == 0 ? -units : units;
            var mantissa = rng.NextInt64(1, 1_000_000_000_000);
            var priceScale = rng.Next(0, 7);
            var price = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)priceScale);
            var decimals = rng.Next(0, 19);
            var product = units * mantissa;
            var scale = decimals + priceScale;
            if (BigInteger.Abs(product) / BigInteger.Pow(10, scale) >= BigInteger.One << 96)
            {
                Assert.Throws<OverflowException>(() => PriceBook.Multiply(units, decimals, price)); // beyond ±7.9e28 of fiat
                continue;
            }

            if (scale > 28 || BigInteger.Abs(product) >= BigInteger.One << 96)
            {
                continue; // not representable exactly: rounded, as in the 18-decimal case above
            }

            var got = PriceBook.Multiply(units, decimals, price);

            checkedCount++;
            Assert.Equal(scale, got.Scale);
            var digits = BigInteger.Abs(product).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
            var text = (product.Sign < 0 ? "-" : "") + (scale == 0 ? digits : digits[..^scale] + "." + digits[^scale..]);
            Assert.Equal(text, got.ToString(CultureInfo.InvariantCulture));
        }

        Assert.True(checkedCount > 1000, $"only {checkedCount} representable cases");
    }

    [Fact]
    public void Several_sources_of_one_pair_merge_by_priority_per_day()
    {
        _s.Import(new PriceImportOptions("BTC", "USD", "backup", Priority: 200), _s.Write("b.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"));
        _s.Import(new PriceImportOptions("BTC", "USD", "primary", Priority: 10), _s.Write("p.csv", "date,price\n2024-01-01,10\n2024-01-03,30\n"));
        var book = _s.Book();
        Assert.Equal((10m, "primary"), Q(book, "2024-01-01"));
        Assert.Equal((2m, "backup"), Q(book, "2024-01-02")); // the exact day from another source beats an older primary price
        Assert.Equal((30m, "primary"), Q(book, "2024-01-03"));
        Assert.Equal((30m, "primary"), Q(book, "2024-01-04"));

        static (decimal, string) Q(PriceBook b, string day)
        {
            var q = b.Quote("BTC", "USD", DateOnly.Parse(day, CultureInfo.InvariantCulture))!;
            return (q.UnitPrice, q.Source);
        }
    }

    [Fact]
    public void A_fiat_without_a_series_is_derived_through_a_cross_rate_naming_both_series()
    {
        var book = Book("btc-usd.csv=2024-01-01,42000.50 2024-01-02,43000;usd-jpy.csv=2024-01-01,141.23");
        var v = book.Value("BTC", 50_000_000, 8, At("2024-01-01T10:00:00Z"), "JPY")!;
        Assert.Equal(D("42000.50") * D("141.23"), v.UnitPrice);
        Assert.Equal(D("0.5") * D("42000.50") * D("141.23"), v.Amount);
        Assert.Equal(("2024-01-01", "btc-usd.csv BTC-USD × usd-jpy.csv USD-JPY"), (v.PriceDate, v.Source));
        Assert.Equal(D("2965865.307500"), v.Amount);
        Assert.Equal("2,965,865 JPY", FiatFormat.Amount(v.Amount, "JPY")); // yen have no minor unit
        // rounding happens at display only, half to even
        Assert.Equal(["1,234.56 USD", "1,234.58 USD", "1,234.57 USD", "1,234 JPY", "1,236 JPY"],
            new[] { "1234.565", "1234.575", "1234.5651", "1234.5", "1235.5" }.Select((x, i) => FiatFormat.Amount(D(x), i < 3 ? "USD" : "JPY")));

        // different dates of the legs: the older is the price date and both are named
        var later = book.Value("BTC", 100_000_000, 8, At("2024-01-02T10:00:00Z"), "JPY")!;
        Assert.Equal("2024-01-01", later.PriceDate);
        Assert.Equal("btc-usd.csv BTC-USD × usd-jpy.csv USD-JPY (BTC-USD of 2024-01-02, USD-JPY of 2024-01-01)", later.Source);
        Assert.Null(book.Value("BTC", 1, 8, At("2024-01-06T00:00:00Z"), "JPY")); // the fx leg is 5 days old
        Assert.Null(_s.Book(new PriceBookOptions { CrossRates = false }).Value("BTC", 1, 8, At("2024-01-01T00:00:00Z"), "JPY"));
    }

    [Fact]
    public void A_direct_series_is_used_rather_than_a_cross_rate()
    {
        var book = Book("btc-usd.csv=2024-01-01,40000;usd-jpy.csv=2024-01-01,140;btc-jpy.csv=2024-01-01,5700000");
        var v = book.Value("BTC", 100_000_000, 8, At("2024-01-01T00:00:00Z"), "JPY")!;
        Assert.Equal((5_700_000m, "btc-jpy.csv"), (v.Amount, v.Source));
    }

    [Fact]
    public void Lookups_are_case_insensitive_and_report_the_stored_tickers()
    {
        var book = Book("btc-usd.csv=2024-01-01,40000");
        var v = book.Value("btc", 1, 0, At("2024-01-01T00:00:00Z"), "usd")!;
        Assert.Equal(("BTC", "USD"), (v.Asset, v.Fiat));
    }

    public void Dispose() => _s.Dispose();
}
