using System.Globalization;
using System.Text;

namespace Ashiato.Simulation;

/// <summary>
/// Daily BTC prices 2017-01-01 … 2024-12-31: linear interpolation (in decimal) between anchor points near the real
/// history, times a seeded noise of ±3 %. Decimal arithmetic only, so the series is the same on every platform.
/// The EVM chain's assets have series of their own: ETH (anchors near the real history, ±4 % noise), USDT (1 USD
/// ±0.2 %) and sBTC (the bridge's 1:1 BTC token: the BTC series itself). Each has its own random stream, so adding
/// one leaves the others' bytes as they were.
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

    private static readonly (DateOnly Day, decimal Usd)[] EthAnchors =
    [
        (new(2017, 1, 1), 8m), (new(2017, 6, 12), 400m), (new(2017, 12, 31), 750m), (new(2018, 1, 13), 1390m),
        (new(2018, 12, 15), 85m), (new(2019, 6, 26), 330m), (new(2019, 12, 31), 130m), (new(2020, 3, 13), 110m),
        (new(2020, 12, 31), 735m), (new(2021, 5, 12), 4300m), (new(2021, 7, 20), 1800m), (new(2021, 11, 10), 4800m),
        (new(2022, 6, 18), 1000m), (new(2022, 11, 21), 1100m), (new(2023, 12, 31), 2300m), (new(2024, 3, 12), 4000m),
        (new(2024, 8, 5), 2400m), (new(2024, 12, 16), 4000m), (new(2024, 12, 31), 3330m),
    ];

    private static readonly (DateOnly Day, decimal Usd)[] UsdtAnchors = [(new(2017, 1, 1), 1m), (new(2024, 12, 31), 1m)];

    private readonly decimal[] _usd;
    private readonly decimal[] _jpy;
    private readonly decimal[] _fx;
    private readonly decimal[] _ethUsd;
    private readonly decimal[] _usdtUsd;

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

        _fx = new decimal[days];
        for (var d = 0; d < days; d++)
        {
            _fx[d] = Interpolate(Fx, SimCalendar.Start.AddDays(d));
        }

        _ethUsd = Noisy(EthAnchors, SimRandom.Derive(seed, 71), 4000, 2);
        _usdtUsd = Noisy(UsdtAnchors, SimRandom.Derive(seed, 72), 200, 4);
    }

    /// <summary>The files of <c>prices/</c>: name → CSV text (asset-fiat.csv, the names <c>ashiato prices import</c> reads).</summary>
    public IReadOnlyList<(string File, string Csv)> Files() =>
    [
        ("btc-usd.csv", UsdCsv()), ("btc-jpy.csv", JpyCsv()),
        ("eth-usd.csv", Csv(_ethUsd, 2)), ("eth-jpy.csv", Csv(InJpy(_ethUsd, 0), 0)),
        ("usdt-usd.csv", Csv(_usdtUsd, 4)), ("usdt-jpy.csv", Csv(InJpy(_usdtUsd, 2), 2)),
        ("sbtc-usd.csv", UsdCsv()), ("sbtc-jpy.csv", JpyCsv()),
    ];

    private decimal[] InJpy(decimal[] usd, int decimals)
    {
        var jpy = new decimal[usd.Length];
        for (var d = 0; d < usd.Length; d++)
        {
            jpy[d] = decimal.Round(usd[d] * _fx[d], decimals, MidpointRounding.ToEven);
        }

        return jpy;
    }

    /// <summary>Interpolated anchors times a noise of ±<paramref name="noiseRange"/>/100 000 (e.g. 4000 = ±4 %).</summary>
    private static decimal[] Noisy((DateOnly Day, decimal Value)[] anchors, SimRandom rng, int noiseRange, int decimals)
    {
        var values = new decimal[SimCalendar.Days];
        for (var d = 0; d < values.Length; d++)
        {
            var noise = 1m + ((rng.Next((2 * noiseRange) + 1) - noiseRange) / 100_000m);
            values[d] = decimal.Round(Interpolate(anchors, SimCalendar.Start.AddDays(d)) * noise, decimals, MidpointRounding.ToEven);
        }

        return values;
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
