using System.Globalization;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Intel.Prices;

/// <summary>One price point as read, with where it was read (file and line, or file and JSON path) for error messages.</summary>
public readonly record struct RawPricePoint(DateOnly Day, decimal Price, long? UnixMs, string Where);

/// <summary>The points of one file and the format they were read as (csv, coingecko, cryptocompare).</summary>
public sealed record PriceFile(string Path, string Format, IReadOnlyList<RawPricePoint> Points, int Skipped, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads a price file: JSON (CoinGecko <c>/coins/{id}/market_chart</c>, CryptoCompare <c>histoday</c>) when its first
/// non-blank character is <c>{</c>, otherwise CSV (<c>date,price</c> or <c>timestamp,price</c>). Prices are parsed as
/// decimals from their text (never through a double). Every error names the file and the line (CSV) or JSON path.
/// </summary>
public static class PriceFileReader
{
    private static readonly string[] DateColumns = ["date", "day"];
    private static readonly string[] TimeColumns = ["timestamp", "time", "unix", "unix_time", "unixtime"];
    private static readonly string[] PriceColumns = ["price", "close", "value", "rate"];

    /// <summary>Unix seconds above this (year 5138) are taken for a mistake: milliseconds given where seconds were expected.</summary>
    private const long MaxUnixSeconds = 100_000_000_000;

    public static PriceFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserErrorException($"{path}: no such file");
        }

        var bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new UserErrorException($"{path}: not UTF-8 text (byte offset {e.Index})");
        }

        return Parse(text, path);
    }

    /// <summary>Parses the text of a price file; <paramref name="display"/> names it in errors.</summary>
    public static PriceFile Parse(string text, string display)
    {
        var first = text.AsSpan().TrimStart();
        if (first.IsEmpty)
        {
            throw new UserErrorException($"{display}: empty file (no price points)");
        }

        return first[0] is '{' or '[' ? Json(text, display) : Csv(text, display);
    }

    private static PriceFile Csv(string text, string display)
    {
        var points = new List<RawPricePoint>();
        var lines = text.Split('\n');
        int timeColumn = 0, priceColumn = 1, fieldCount = 2;
        var sawRow = false;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var lineNo = n + 1;
            var fields = line.Split(',').Select(f => f.Trim().Trim('"').Trim()).ToArray();
            if (!sawRow)
            {
                sawRow = true;
                var names = fields.Select(f => f.ToLowerInvariant()).ToArray();
                if (DateColumns.Contains(names[0]) || TimeColumns.Contains(names[0]) || PriceColumns.Contains(names[0]))
                {
                    timeColumn = Array.FindIndex(names, f => DateColumns.Contains(f) || TimeColumns.Contains(f));
                    priceColumn = Array.FindIndex(names, PriceColumns.Contains);
                    if (timeColumn < 0 || priceColumn < 0)
                    {
                        throw new UserErrorException($"{display}:{lineNo}: header lacks a {(timeColumn < 0 ? "'date' or 'timestamp'" : "'price'")} column " +
                            "(expected date,price or timestamp,price)");
                    }

                    fieldCount = fields.Length;
                    continue;
                }
            }

            var where = $"{display}:{lineNo}";
            if (fields.Length != fieldCount)
            {
                // also catches thousands separators ("12,345.00"), which would otherwise be read as another column
                throw new UserErrorException($"{where}: {fields.Length} field(s), expected {fieldCount} (date,price or timestamp,price; no thousands separators)");
            }

            var (day, unixMs) = CsvTime(fields[timeColumn], where);
            var price = ParsePrice(fields[priceColumn], $"{where}: field price");
            points.Add(new RawPricePoint(day, price, unixMs, where));
        }

        if (points.Count == 0)
        {
            throw new UserErrorException($"{display}: no price points (only a header or blank lines)");
        }

        return new PriceFile(display, "csv", points, 0, []);
    }

    private static (DateOnly Day, long? UnixMs) CsvTime(string text, string where)
    {
        if (text.Length == 10 && text[4] == '-' && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return (d, null);
        }

        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds >= MaxUnixSeconds)
            {
                throw new UserErrorException($"{where}: field date: '{text}' is out of range for unix seconds (milliseconds given?)");
            }

            var t = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return (DateOnly.FromDateTime(t.UtcDateTime), seconds * 1000);
        }

        if (text.Contains('T', StringComparison.Ordinal) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return (DateOnly.FromDateTime(instant.UtcDateTime), instant.ToUnixTimeMilliseconds());
        }

        throw new UserErrorException($"{where}: field date: '{text}' is not a date (YYYY-MM-DD, an ISO 8601 instant, or unix seconds)");
    }

    /// <summary>A price: a plain decimal number (an exponent is allowed), greater than zero.</summary>
    public static decimal ParsePrice(string text, string where)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var price))
        {
            throw new UserErrorException($"{where}: '{text}' is not a number");
        }

        if (price <= 0)
        {
            throw new UserErrorException($"{where}: price {text} is not positive (a missing price is left out, never zero)");
        }

        return price;
    }

    private static PriceFile Json(string text, string display)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{display}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: malformed JSON: {FirstSentence(e.Message)}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UserErrorException($"{display}: $: expected a JSON object (CoinGecko market_chart or CryptoCompare histoday answer)");
            }

            if (root.TryGetProperty("prices", out var prices))
            {
                return CoinGecko(prices, display);
            }

            if (root.TryGetProperty("Response", out var response) || root.TryGetProperty("Data", out _))
            {
                return CryptoCompare(root, response, display);
            }

            if (root.TryGetProperty("market_data", out _))
            {
                throw new UserErrorException($"{display}: a CoinGecko /coins/{{id}}/history answer carries no date; " +
                    "use /coins/{id}/market_chart (or write it as a date,price CSV)");
            }

            throw new UserErrorException($"{display}: $: unrecognised JSON: expected CoinGecko market_chart ('prices') or CryptoCompare histoday ('Response', 'Data')");
        }
    }

    private static PriceFile CoinGecko(JsonElement prices, string display)
    {
        if (prices.ValueKind != JsonValueKind.Array)
        {
            throw new UserErrorException($"{display}: $.prices: expected an array of [unix_ms, price]");
        }

        var points = new List<RawPricePoint>();
        var skipped = 0;
        var warnings = new List<string>();
        var i = 0;
        foreach (var p in prices.EnumerateArray())
        {
            var where = $"{display}: $.prices[{i}]";
            if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2)
            {
                throw new UserErrorException($"{where}: expected [unix_ms, price]");
            }

            var ms = UnixMs(p[0], 1, $"{where}[0]");
            if (p[1].ValueKind == JsonValueKind.Null)
            {
                skipped++;
                warnings.Add($"{where}: price is null (left out: unknown)");
            }
            else
            {
                var price = JsonPrice(p[1], $"{where}[1]");
                points.Add(new RawPricePoint(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime), price, ms, where));
            }

            i++;
        }

        if (points.Count == 0)
        {
            throw new UserErrorException($"{display}: $.prices: no price points");
        }

        return new PriceFile(display, "coingecko", points, skipped, warnings);
    }

    private static PriceFile CryptoCompare(JsonElement root, JsonElement response, string display)
    {
        if (response.ValueKind == JsonValueKind.String && response.GetString() is { } r && !r.Equals("Success", StringComparison.OrdinalIgnoreCase))
        {
            var message = root.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "(no Message)";
            throw new UserErrorException($"{display}: CryptoCompare answered Response \"{r}\": {message}");
        }

        if (!root.TryGetProperty("Data", out var data))
        {
            throw new UserErrorException($"{display}: $.Data: missing (expected CryptoCompare histoday data)");
        }

        var path = "$.Data";
        if (data.ValueKind == JsonValueKind.Object)
        {
            if (!data.TryGetProperty("Data", out data))
            {
                throw new UserErrorException($"{display}: $.Data.Data: missing (expected the histoday array)");
            }

            path = "$.Data.Data";
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new UserErrorException($"{display}: {path}: expected an array of {{\"time\", \"close\"}}");
        }

        var points = new List<RawPricePoint>();
        var warnings = new List<string>();
        var skipped = 0;
        var i = 0;
        foreach (var row in data.EnumerateArray())
        {
            var where = $"{display}: {path}[{i}]";
            if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty("time", out var time) || !row.TryGetProperty("close", out var close))
            {
                throw new UserErrorException($"{where}: expected an object with 'time' and 'close'");
            }

            var ms = UnixMs(time, 1000, $"{where}.time");
            if (close.ValueKind == JsonValueKind.Null || (close.ValueKind == JsonValueKind.Number && close.GetRawText().Trim('0', '.').Length == 0))
            {
                // CryptoCompare fills days it has no data for (before a coin was listed) with zeros.
                skipped++;
                warnings.Add($"{where}.close: no price (0 or null: left out, unknown)");
            }
            else
            {
                points.Add(new RawPricePoint(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime), JsonPrice(close, $"{where}.close"), ms, where));
            }

            i++;
        }

        if (points.Count == 0)
        {
            throw new UserErrorException($"{display}: {path}: no price points");
        }

        return new PriceFile(display, "cryptocompare", points, skipped, warnings);
    }

    private static long UnixMs(JsonElement e, long factor, string where)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0 || v >= MaxUnixSeconds * 1000 / factor)
        {
            throw new UserErrorException($"{where}: '{e.GetRawText()}' is not a unix time in {(factor == 1 ? "milliseconds" : "seconds")}");
        }

        return v * factor;
    }

    private static decimal JsonPrice(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Number)
        {
            throw new UserErrorException($"{where}: {e.GetRawText()} is not a number");
        }

        return ParsePrice(e.GetRawText(), where);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
