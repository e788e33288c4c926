using Ashiato.Core;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// A fiat total in a report. <see cref="Amount"/> is the sum of the parts whose value is known, null when none is
/// (unknown, never zero). <see cref="UnknownParts"/> counts parts without a value: when it is above zero and
/// <see cref="Amount"/> is not null, the amount is a lower bound. <see cref="Sources"/> are the price sources (or the
/// reporting sources) of the known parts, sorted; <see cref="FirstDate"/>/<see cref="LastDate"/> the range of their price dates.
/// </summary>
public sealed record FiatAmount(
    string Fiat,
    decimal? Amount,
    int KnownParts,
    int UnknownParts,
    IReadOnlyList<string> Sources,
    string? FirstDate,
    string? LastDate)
{
    public bool IsUnknown => Amount is null;

    public bool IsLowerBound => Amount is not null && UnknownParts > 0;

    public static FiatAmount Unknown(string fiat) => new(fiat, null, 0, 1, [], null, null);
}

/// <summary>An on-chain amount in base units of <see cref="Asset"/> on <see cref="Chain"/>.</summary>
public sealed record AssetAmount(string Chain, string Asset, UInt256 Amount);

/// <summary>Sums fiat values (known parts) and counts unknown parts, deterministically.</summary>
public sealed class FiatSum
{
    private readonly SortedSet<string> _sources = new(StringComparer.Ordinal);
    private decimal _amount;
    private int _known;
    private int _unknown;
    private string? _first;
    private string? _last;

    public FiatSum(string fiat) => Fiat = fiat;

    public string Fiat { get; }

    public void AddKnown(decimal amount, string source, string? date)
    {
        _amount += amount;
        _known++;
        _sources.Add(source);
        if (date is not null)
        {
            if (_first is null || string.CompareOrdinal(date, _first) < 0)
            {
                _first = date;
            }

            if (_last is null || string.CompareOrdinal(date, _last) > 0)
            {
                _last = date;
            }
        }
    }

    public void AddUnknown() => _unknown++;

    /// <summary>Adds a value when it is in this fiat; returns whether it was.</summary>
    public bool TryAdd(FiatValue? value)
    {
        if (value is null || !string.Equals(value.Fiat, Fiat, StringComparison.Ordinal))
        {
            return false;
        }

        AddKnown(value.Amount, value.Source, value.PriceDate);
        return true;
    }

    /// <summary>Adds the value of this fiat from <paramref name="values"/>, or an unknown part when there is none.</summary>
    public void AddFrom(IReadOnlyList<FiatValue> values)
    {
        foreach (var v in values)
        {
            if (TryAdd(v))
            {
                return;
            }
        }

        AddUnknown();
    }

    public void Add(FiatAmount other)
    {
        if (other.Amount is { } a)
        {
            _amount += a;
            _known += other.KnownParts;
            foreach (var s in other.Sources)
            {
                _sources.Add(s);
            }

            foreach (var d in new[] { other.FirstDate, other.LastDate })
            {
                if (d is null)
                {
                    continue;
                }

                if (_first is null || string.CompareOrdinal(d, _first) < 0)
                {
                    _first = d;
                }

                if (_last is null || string.CompareOrdinal(d, _last) > 0)
                {
                    _last = d;
                }
            }
        }

        _unknown += other.UnknownParts;
    }

    public FiatAmount ToAmount() => new(Fiat, _known > 0 ? _amount : null, _known, _unknown, [.. _sources], _first, _last);
}

/// <summary>Sums on-chain amounts per (chain, asset), ordered by chain then asset (ordinal).</summary>
public sealed class AssetSum
{
    private readonly SortedDictionary<(string Chain, string Asset), UInt256> _sums = new(Comparer<(string Chain, string Asset)>.Create(
        (a, b) => string.CompareOrdinal(a.Chain, b.Chain) is var c && c != 0 ? c : string.CompareOrdinal(a.Asset, b.Asset)));

    public void Add(string chain, string asset, UInt256 amount) =>
        _sums[(chain, asset)] = _sums.TryGetValue((chain, asset), out var s) ? s + amount : amount;

    public void Add(IEnumerable<AssetAmount> amounts)
    {
        foreach (var a in amounts)
        {
            Add(a.Chain, a.Asset, a.Amount);
        }
    }

    public IReadOnlyList<AssetAmount> ToList() => [.. _sums.Select(kv => new AssetAmount(kv.Key.Chain, kv.Key.Asset, kv.Value))];
}

/// <summary>Exact decimal shares.</summary>
public static class Shares
{
    /// <summary><paramref name="part"/> / <paramref name="whole"/> as a decimal (28 significant digits, the same bytes on every
    /// machine); null when either is unknown or the whole is zero.</summary>
    public static decimal? Of(decimal? part, decimal? whole) =>
        part is { } p && whole is { } w && w != 0m ? p / w : null;
}
