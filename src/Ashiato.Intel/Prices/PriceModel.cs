using System.Globalization;
using System.Text.RegularExpressions;
using Ashiato.Core;

namespace Ashiato.Intel.Prices;

/// <summary>Which series a price belongs to: an asset ticker, a fiat currency, and the source that published it.</summary>
public readonly record struct PriceSeriesKey(string Asset, string Fiat, string Source)
{
    public override string ToString() => $"{Asset}-{Fiat} ({Source})";
}

/// <summary>One price of one whole coin/token on one UTC day. <see cref="TimeUtc"/> is the instant of the point kept when the
/// source stamped its points with a time (CoinGecko, CryptoCompare, CSV with unix seconds), null for date-only rows.</summary>
public readonly record struct DailyPrice(DateOnly Date, decimal Price, DateTimeOffset? TimeUtc);

/// <summary>A series as read from one or more files, before it replaces the stored series of the same key.</summary>
public sealed record ParsedPriceSeries(PriceSeriesKey Key, string Format, IReadOnlyList<string> Files, IReadOnlyList<DailyPrice> Points);

/// <summary>A stored series: its key, precedence and extent.</summary>
public sealed record PriceSeriesInfo(string Asset, string Fiat, string Source, int Priority, string Format, string Files, int Points,
    string FirstDate, string LastDate, int MissingDays, int LongestGapDays);

/// <summary>One stored price, for listings.</summary>
public sealed record PriceRow(string Asset, string Fiat, string Source, string Date, decimal Price, string? TimeUtc);

/// <summary>What one series of an import did.</summary>
public sealed record PriceSeriesImported(string Asset, string Fiat, string Source, string Format, int Points, string FirstDate, string LastDate,
    int ReplacedPoints, int Priority);

/// <summary>What <see cref="PriceImporter.Import"/> read and wrote.</summary>
public sealed class PriceImportReport
{
    public int Files { get; set; }

    /// <summary>Price points read (before several on one day are reduced to one).</summary>
    public int PointsRead { get; set; }

    /// <summary>Points dropped because a later point of the same UTC day was kept.</summary>
    public int IntradayDropped { get; set; }

    /// <summary>Rows repeating a date (or instant) with the same price: kept once.</summary>
    public int Duplicates { get; set; }

    /// <summary>Points without a price (JSON null, CryptoCompare's 0 for days it has no data): skipped, i.e. unknown.</summary>
    public int Skipped { get; set; }

    public List<PriceSeriesImported> Series { get; } = [];

    public List<string> Warnings { get; } = [];
}

/// <summary>Tickers and fiat codes: upper-case ASCII letters and digits.</summary>
public static partial class PriceTickers
{
    [GeneratedRegex("^[A-Z0-9]{1,15}$")]
    private static partial Regex Ticker();

    [GeneratedRegex(@"^([a-z0-9]{1,15})[-_]([a-z]{3})(?:[-_.].*)?$")]
    private static partial Regex FileName();

    /// <summary>Upper-cases and checks an asset ticker or fiat code; <paramref name="what"/> names it in the error.</summary>
    public static string Normalize(string text, string what)
    {
        var t = text.Trim().ToUpperInvariant();
        if (!Ticker().IsMatch(t))
        {
            throw new UserErrorException($"{what} '{text}' is not a ticker (letters and digits, e.g. BTC, USD)");
        }

        return t;
    }

    /// <summary>Asset and fiat from a file name such as <c>btc-usd.csv</c> or <c>eth_eur-coingecko.json</c>; null when it has neither.</summary>
    public static (string Asset, string Fiat)? FromFileName(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        var m = FileName().Match(name);
        return m.Success ? (m.Groups[1].Value.ToUpperInvariant(), m.Groups[2].Value.ToUpperInvariant()) : null;
    }

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);

    public static DateOnly ParseDay(string text, string what)
    {
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            throw new UserErrorException($"{what} '{text}' is not a date (YYYY-MM-DD)");
        }

        return d;
    }
}
