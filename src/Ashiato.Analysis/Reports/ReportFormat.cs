using System.Globalization;
using System.Numerics;

namespace Ashiato.Analysis.Reports;

/// <summary>Fixed, culture-invariant formatting of report values (the same bytes on every machine).</summary>
public static class ReportFormat
{
    private static readonly CultureInfo _inv = CultureInfo.InvariantCulture;

    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", _inv) + " UTC";

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", _inv);

    public static string Int(long n) => n.ToString("#,0", _inv);

    /// <summary>Minor-unit digits shown for a fiat (ISO 4217 for the common ones; 2 otherwise).</summary>
    public static int FiatDigits(string fiat) => fiat is "JPY" or "KRW" or "VND" ? 0 : 2;

    /// <summary>A decimal with thousands separators and a fixed number of digits, rounded half away from zero.</summary>
    public static string Number(decimal v, int digits) =>
        Math.Round(v, digits, MidpointRounding.AwayFromZero).ToString("#,0" + (digits > 0 ? "." + new string('0', digits) : ""), _inv);

    /// <summary>"USD 1,234.56"; "≥ USD …" for a lower bound; "unknown"; "–" for an empty sum (nothing happened).</summary>
    public static string Fiat(FiatAmount a)
    {
        if (a.KnownParts == 0 && a.UnknownParts == 0)
        {
            return "–";
        }

        if (a.Amount is not { } v)
        {
            return "unknown";
        }

        return (a.IsLowerBound ? "≥ " : "") + a.Fiat + " " + Number(v, FiatDigits(a.Fiat));
    }

    /// <summary>Compact fiat for chart labels: "USD 1.23 bn", "USD 540 m", "JPY 7.0 bn".</summary>
    public static string FiatShort(string fiat, decimal v)
    {
        var abs = Math.Abs(v);
        var (scaled, unit) = abs >= 1_000_000_000m ? (v / 1_000_000_000m, " bn") : abs >= 1_000_000m ? (v / 1_000_000m, " m") : abs >= 1_000m ? (v / 1_000m, " k") : (v, "");
        var digits = unit == "" ? FiatDigits(fiat) : Math.Abs(scaled) >= 100m ? 0 : Math.Abs(scaled) >= 10m ? 1 : 2;
        return fiat + " " + Number(scaled, digits) + unit;
    }

    /// <summary>The exact decimal as plain invariant text (no exponent, no separators).</summary>
    public static string Exact(decimal v) => v.ToString(_inv);

    /// <summary>"30.12 %"; "–" when unknown.</summary>
    public static string Share(decimal? s) => s is { } v ? Number(v * 100m, 2) + " %" : "–";

    /// <summary>The whole-coin decimal text of base units ("12.5"), exact, trailing zeros trimmed.</summary>
    public static string Scaled(BigInteger units, int decimals)
    {
        var neg = units.Sign < 0;
        var text = BigInteger.Abs(units).ToString(_inv);
        if (decimals > 0)
        {
            text = text.PadLeft(decimals + 1, '0');
            var whole = text[..^decimals];
            var frac = text[^decimals..].TrimEnd('0');
            text = Group(whole) + (frac.Length > 0 ? "." + frac : "");
        }
        else
        {
            text = Group(text);
        }

        return (neg ? "-" : "") + text;
    }

    private static string Group(string digits)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % 3 == 0)
            {
                sb.Append(',');
            }

            sb.Append(digits[i]);
        }

        return sb.ToString();
    }

    /// <summary>"12.5 BTC" when the asset is known, else "1250000000 base units of ASSET".</summary>
    public static string Amount(AssetAmount a, IReadOnlyList<ReportAsset> assets)
    {
        var known = assets.FirstOrDefault(x => x.Chain == a.Chain && x.Asset == a.Asset);
        return known is null
            ? a.Amount.ToString() + " base units of " + a.Asset
            : Scaled(a.Amount.ToBigInteger(), known.Decimals) + " " + known.Symbol;
    }

    /// <summary>Amounts joined by "; ", "–" when none.</summary>
    public static string Amounts(IReadOnlyList<AssetAmount> list, IReadOnlyList<ReportAsset> assets) =>
        list.Count == 0 ? "–" : string.Join("; ", list.Select(a => Amount(a, assets) + " (" + a.Chain + ")"));

    /// <summary>A coordinate for SVG: up to two decimals, invariant.</summary>
    public static string Coord(double v) => Math.Round(v, 2, MidpointRounding.AwayFromZero).ToString("0.##", _inv);
}
