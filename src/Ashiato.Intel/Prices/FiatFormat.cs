using System.Globalization;
using Ashiato.Core;

namespace Ashiato.Intel.Prices;

/// <summary>
/// Display of fiat values: rounded only here, to the currency's minor unit (ISO 4217: 2 for USD, EUR, GBP, CHF, …;
/// 0 for JPY, KRW, VND, CLP, ISK, …; 3 for BHD, KWD, OMR, JOD, TND, IQD, LYD), half to even.
/// </summary>
public static class FiatFormat
{
    private static readonly HashSet<string> NoMinorUnit = new(StringComparer.OrdinalIgnoreCase)
    {
        "JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "XPF", "KMF", "GNF", "RWF", "VUV", "DJF", "BIF",
    };

    private static readonly HashSet<string> ThreeDigits = new(StringComparer.OrdinalIgnoreCase) { "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD" };

    /// <summary>Digits after the decimal point of the fiat's minor unit.</summary>
    public static int MinorDigits(string fiat) => NoMinorUnit.Contains(fiat) ? 0 : ThreeDigits.Contains(fiat) ? 3 : 2;

    /// <summary>The amount rounded to the fiat's minor unit (half to even).</summary>
    public static decimal Round(decimal amount, string fiat) => decimal.Round(amount, MinorDigits(fiat), MidpointRounding.ToEven);

    /// <summary>"1,234.57 USD".</summary>
    public static string Amount(decimal amount, string fiat) =>
        Round(amount, fiat).ToString("N" + MinorDigits(fiat).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " " + fiat;

    /// <summary>"1,234.57 USD (BTC at 41,234.50 USD, price of 2024-01-05, sim-world)": the value with what it came from.</summary>
    public static string Describe(FiatValue v) =>
        $"{Amount(v.Amount, v.Fiat)} ({v.Asset} at {v.UnitPrice.ToString(CultureInfo.InvariantCulture)} {v.Fiat}, price of {v.PriceDate}, {v.Source})";
}
