using System.Globalization;
using Ashiato.Core;
using Ashiato.Intel.Prices;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// Exchange rates between fiat currencies from the price book, to convert reported losses (a source gives USD; the report
/// also shows JPY). The rate From→To on a day is, in this order: (1) a series of the fiat itself (asset <c>USD</c> priced
/// in <c>JPY</c>); (2) the inverse of a series To→From; (3) a cross rate through a coin priced in both currencies — the
/// first asset in ordinal order with a series in each: To per From = (asset-To price) ÷ (asset-From price), e.g. JPY per
/// USD = BTC-JPY ÷ BTC-USD. Prices are looked up as the price book does (that day, else the nearest earlier one at most
/// <see cref="PriceBook.MaxGapDays"/> older). No rate → null (the converted figure stays unknown, never zero). The rate is
/// an exact decimal quotient (28 significant digits); the same book and day give the same rate.
/// </summary>
public sealed class FiatRates
{
    private readonly PriceBook _book;
    private readonly HashSet<(string Asset, string Fiat)> _series;
    private readonly List<string> _assets;

    public FiatRates(PriceBook book)
    {
        _book = book;
        _series = [.. book.Pairs.Select(p => (p.Asset.ToUpperInvariant(), p.Fiat.ToUpperInvariant()))];
        _assets = [.. _series.Select(p => p.Asset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Units of <paramref name="to"/> per unit of <paramref name="from"/> on <paramref name="day"/>; null when no series gives it.</summary>
    public FxRate? Rate(string from, string to, DateOnly day)
    {
        from = from.ToUpperInvariant();
        to = to.ToUpperInvariant();
        if (from == to)
        {
            return null;
        }

        if (_series.Contains((from, to)) && _book.Quote(from, to, day) is { } direct)
        {
            return new FxRate(from, to, direct.UnitPrice, direct.PriceDate, $"{direct.Source} {from}-{to}", [Leg(direct)]);
        }

        if (_series.Contains((to, from)) && _book.Quote(to, from, day) is { } inverse && inverse.UnitPrice != 0m)
        {
            return new FxRate(from, to, 1m / inverse.UnitPrice, inverse.PriceDate, $"1 ÷ {inverse.Source} {to}-{from}", [Leg(inverse)]);
        }

        foreach (var asset in _assets)
        {
            if (!_series.Contains((asset, from)) || !_series.Contains((asset, to)) ||
                _book.Quote(asset, to, day) is not { } num || _book.Quote(asset, from, day) is not { } den || den.UnitPrice == 0m)
            {
                continue;
            }

            var date = string.CompareOrdinal(num.PriceDate, den.PriceDate) <= 0 ? num.PriceDate : den.PriceDate;
            var source = $"{num.Source} {asset}-{to} ÷ {den.Source} {asset}-{from}";
            if (num.PriceDate != den.PriceDate)
            {
                source += $" ({asset}-{to} of {num.PriceDate}, {asset}-{from} of {den.PriceDate})";
            }

            return new FxRate(from, to, num.UnitPrice / den.UnitPrice, date, source, [Leg(num), Leg(den)]);
        }

        return null;
    }

    /// <summary>
    /// The incidents with, for every report fiat an incident's source did not give, the figure converted from one it did
    /// give (the first of <paramref name="fiats"/>, else any other in ordinal order; per chain the figure is about) at the
    /// rate of the incident date, rounded half-even to the fiat's minor unit. No rate → no figure (unknown).
    /// </summary>
    public IReadOnlyList<ReportIncident> Convert(IReadOnlyList<ReportIncident> incidents, IReadOnlyList<string> fiats) =>
        [.. incidents.Select(i => Convert(i, fiats))];

    public ReportIncident Convert(ReportIncident incident, IReadOnlyList<string> fiats)
    {
        var given = incident.Reported.Where(r => r.Converted is null).ToList();
        var added = new List<ReportedFiat>();
        foreach (var chain in given.Select(r => r.Chain).Distinct())
        {
            var own = given.Where(r => r.Chain == chain).ToList();
            foreach (var fiat in fiats)
            {
                if (own.Any(r => string.Equals(r.Fiat, fiat, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var from = own.Where(r => fiats.Contains(r.Fiat, StringComparer.OrdinalIgnoreCase))
                    .OrderBy(r => IndexOf(fiats, r.Fiat)).ThenBy(r => r.Fiat, StringComparer.Ordinal).ThenBy(r => r.Source, StringComparer.Ordinal)
                    .Concat(own.OrderBy(r => r.Fiat, StringComparer.Ordinal).ThenBy(r => r.Source, StringComparer.Ordinal))
                    .Select(r => (Figure: r, Rate: Rate(r.Fiat, fiat, incident.Date)))
                    .FirstOrDefault(x => x.Rate is not null);
                if (from.Rate is not { } rate)
                {
                    continue;
                }

                var amount = FiatFormat.Round(from.Figure.Amount * rate.Rate, fiat);
                added.Add(new ReportedFiat(fiat, amount, Describe(from.Figure, rate), chain, rate));
            }
        }

        return added.Count == 0 ? incident : incident with { Reported = [.. incident.Reported, .. added] };
    }

    /// <summary>"SOURCE; converted from USD at R JPY per USD of DATE (HOW)".</summary>
    public static string Describe(ReportedFiat original, FxRate rate) =>
        $"{original.Source}; converted from {rate.From} at {rate.Rate.ToString(CultureInfo.InvariantCulture)} {rate.To} per {rate.From} of {rate.Date} ({rate.Source})";

    private static int IndexOf(IReadOnlyList<string> fiats, string fiat)
    {
        for (var k = 0; k < fiats.Count; k++)
        {
            if (string.Equals(fiats[k], fiat, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return int.MaxValue;
    }

    private static FiatValue Leg(PriceQuote q) => new(q.UnitPrice, q.Fiat, q.Asset, q.UnitPrice, q.PriceDate, q.Source);
}
