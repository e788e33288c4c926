using System.Globalization;
using System.Text;

namespace Ashiato.Simulation;

/// <summary>
/// Daily BTC prices 2017-01-01 … 2024-12-31: linear interpolation (in decimal) between anchor points near the real
/// history, times a seeded noise of ±3 %. Decimal arithmetic only, so the series is the same on every platform.
/// </summary>
public sealed class PriceSeries
{
    private static readonly (DateOnly Day, decimal Usd)[] Anchors =
    [
        (new(2017, 1, 1), 970m), (new(2017, 6, 1), 2400m), (new(2017, 12, 17), 19100m), (new(2018, 2, 6), 7000m),
        (new(2018, 12, 15), 3250m), (new(2019, 6, 26), 12100m), (new(2019, 12, 31), 7200m), (new(2020, 3, 13), 5000m),
        (new(2020, 12, 31), 29000m), (new(2021, 4, 14), 63500m), (new(2021, 7, 20), 29800m), (new(2021, 11, 10), 67500m),
        (new(2022, 6, 18), 19000m), (new(2022, 11, 21), 15800m), (new(2023, 12, 31), 42300m), (new(2024, 3, 14), 73000m),
        (new(2024, 8, 5), 54000m), (new(2024, 12, 17), 106000m), (new(2024, 12, 31), 93400m),
    ];

    private static readonly (DateOnly Day, decimal JpyPerUsd)[] Fx =
    [
        (new(2017, 1, 1), 117m), (new(2018, 1, 1), 112m), (new(2019, 1, 1), 110m), (new(2020, 1, 1), 108m), (new(2021, 1, 1), 103m),
        (new(2022, 1, 1), 115m), (new(2023, 1, 1), 131m), (new(2024, 1, 1), 141m), (new(2024, 12, 31), 157m),
    ];

    private readonly decimal[] _usd;
    private readonly decimal[] _jpy;

    public PriceSeries(ulong seed)
    {
        var rng = SimRandom.Derive(seed, 7);
        var days = SimCalendar.Days;
        _usd = new decimal[days];
        _jpy = new decimal[days];
        for (var d = 0; d < days; d++)
        {
            var day = SimCalendar.Start.AddDays(d);
            var noise = 1m + ((rng.Next(6001) - 3000) / 100_000m);
            _usd[d] = decimal.Round(Interpolate(Anchors, day) * noise, 2, MidpointRounding.ToEven);
            _jpy[d] = decimal.Round(_usd[d] * Interpolate(Fx, day), 0, MidpointRounding.ToEven);
        }
    }

    public decimal UsdOn(DateOnly day) => _usd[SimCalendar.DayIndex(day)];

    public decimal JpyOn(DateOnly day) => _jpy[SimCalendar.DayIndex(day)];

    /// <summary>USD value of an amount of satoshis on a day, to the cent.</summary>
    public decimal UsdValue(long sats, DateOnly day) => decimal.Round(sats * UsdOn(day) / 100_000_000m, 2, MidpointRounding.ToEven);

    public string UsdCsv() => Csv(_usd, 2);

    public string JpyCsv() => Csv(_jpy, 0);

    private static string Csv(decimal[] values, int decimals)
    {
        var sb = new StringBuilder("date,price\n");
        for (var d = 0; d < values.Length; d++)
        {
            sb.Append(SimCalendar.Start.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                .Append(values[d].ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString();
    }

    private static decimal Interpolate((DateOnly Day, decimal Value)[] points, DateOnly day)
    {
        if (day <= points[0].Day)
        {
            return points[0].Value;
        }

        for (var i = 1; i < points.Length; i++)
        {
            if (day <= points[i].Day)
            {
                var (d0, v0) = points[i - 1];
                var (d1, v1) = points[i];
                decimal span = d1.DayNumber - d0.DayNumber;
                return v0 + ((v1 - v0) * (day.DayNumber - d0.DayNumber) / span);
            }
        }

        return points[^1].Value;
    }
}

/// <summary>The simulated period and conversions between days and block timestamps (UTC, no local clock).</summary>
public static class SimCalendar
{
    public static readonly DateOnly Start = new(2017, 1, 1);

    public static readonly DateOnly End = new(2024, 12, 31);

    public static int Days => End.DayNumber - Start.DayNumber + 1;

    /// <summary>Unix time of 2017-01-01T00:00:00Z.</summary>
    public const long StartUnix = 1483228800;

    public static int DayIndex(DateOnly day) => Math.Clamp(day.DayNumber - Start.DayNumber, 0, Days - 1);

    public static DateOnly DayOf(long unixTime) => Start.AddDays((int)Math.Floor((unixTime - StartUnix) / 86400.0));

    public static long UnixOf(DateOnly day) => StartUnix + ((long)(day.DayNumber - Start.DayNumber) * 86400);
}
