using Ashiato.Core;

namespace Ashiato.Intel.Prices;

/// <summary>
/// Reduces the points of one series to one price per UTC day. Rules: a point stamped with an instant replaces an earlier
/// instant of the same day (the day's last point is kept: the close); two points of one day without a time (or at the
/// same instant) must agree — the same price is kept once, different prices are an error naming both places.
/// </summary>
public sealed class DailySeriesBuilder
{
    private readonly SortedDictionary<DateOnly, RawPricePoint> _days = [];

    public int IntradayDropped { get; private set; }

    public int Duplicates { get; private set; }

    public void Add(RawPricePoint p)
    {
        if (!_days.TryGetValue(p.Day, out var had))
        {
            _days[p.Day] = p;
            return;
        }

        if (had.UnixMs is { } a && p.UnixMs is { } b && a != b)
        {
            IntradayDropped++;
            if (b > a)
            {
                _days[p.Day] = p;
            }

            return;
        }

        if (had.Price == p.Price)
        {
            Duplicates++;
            return;
        }

        var what = had.UnixMs is null || p.UnixMs is null ? $"date {PriceTickers.Day(p.Day)}" : $"instant {PriceTickers.Instant(DateTimeOffset.FromUnixTimeMilliseconds(p.UnixMs.Value))}";
        throw new UserErrorException($"{p.Where}: field price: duplicate {what} with a different price ({Text(p.Price)}; {had.Where} has {Text(had.Price)})");
    }

    public List<DailyPrice> Build() =>
        _days.Values.Select(p => new DailyPrice(p.Day, p.Price, p.UnixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null)).ToList();

    private static string Text(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
