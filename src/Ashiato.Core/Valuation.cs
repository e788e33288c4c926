using System.Numerics;

namespace Ashiato.Core;

/// <summary>
/// A fiat value of an on-chain amount, with what it was computed from: the unit price of one whole coin/token, the date of
/// the price point used and the price source. Fiat values are decimals (never binary floating point); on-chain amounts stay
/// integers in base units.
/// </summary>
public sealed record FiatValue(decimal Amount, string Fiat, string Asset, decimal UnitPrice, string PriceDate, string Source);

/// <summary>Values amounts of an asset at a time in a fiat currency; null when no price is known (unknown, never zero).</summary>
public interface IValuer
{
    FiatValue? Value(string asset, BigInteger baseUnits, int decimals, DateTimeOffset time, string fiat);
}
