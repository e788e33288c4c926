using System.Globalization;
using System.Numerics;
using Ashiato.Core;
using Ashiato.Storage;

namespace Ashiato.Intel.Prices;

/// <summary>How a <see cref="PriceBook"/> finds a price.</summary>
public sealed record PriceBookOptions
{
    /// <summary>A day without a price takes the nearest earlier price at most this many days older (default 3); else unknown.</summary>
    public int MaxGapDays { get; init; } = 3;

    /// <summary>Derive asset→fiat through another fiat (BTC-JPY = BTC-USD × USD-JPY) when the pair has no series of its own.</summary>
    public bool CrossRates { get; init; } = true;
}

/// <summary>The price of one whole coin/token in a fiat on a day, the date of the price point used and its source.</summary>
public sealed record PriceQuote(string Asset, string Fiat, decimal UnitPrice, string PriceDate, string Source);

/// <summary>
/// Every stored price series in memory, for valuing amounts: per (asset, fiat) one array of days sorted ascending, looked
/// up by binary search (no SQLite per call). Rules (docs/formats/prices.md): the UTC date of the time; if that day has no
/// price, the nearest earlier one at most <see cref="PriceBookOptions.MaxGapDays"/> days older; else a cross rate through
/// another fiat when the pair has no series of its own; else null (unknown, never zero). Several sources of one pair are
/// merged per day by precedence (lower priority number, then source name). Values are exact decimals:
/// amount = base units × unit price / 10^decimals, never rounded here (see <see cref="FiatFormat"/> for display).
/// Immutable after loading; safe to share between threads.
/// </summary>
public sealed class PriceBook : IValuer
{
    private readonly Dictionary<string, Dictionary<string, Pair>> _pairs;
    private readonly Dictionary<string, Pair[]> _legs; // per asset, its pairs in cross-rate order: USD first, then by fiat
    private readonly PriceBookOptions _options;

    private PriceBook(Dictionary<string, Dictionary<string, Pair>> pairs, PriceBookOptions options)
    {
        _pairs = pairs;
        _options = options;
        _legs = new Dictionary<string, Pair[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (asset, byFiat) in pairs)
        {
            _legs[asset] = byFiat.Values.OrderBy(p => p.Fiat == "USD" ? 0 : 1).ThenBy(p => p.Fiat, StringComparer.Ordinal).ToArray();
        }
    }

    public int MaxGapDays => _options.MaxGapDays;

    /// <summary>The (asset, fiat) pairs that have a series, ordered.</summary>
    public IReadOnlyList<(string Asset, string Fiat)> Pairs =>
        _pairs.SelectMany(a => a.Value.Keys.Select(f => (a.Key, f))).OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.f, StringComparer.Ordinal).ToList();

    /// <summary>Loads every series of the store's meta.sqlite.</summary>
    public static PriceBook Load(MetaDb meta, PriceBookOptions? options = null) => FromRows(new PriceStore(meta).Points(), options);

    /// <summary>
    /// Builds a book from rows ordered by asset, fiat, date and precedence (as <see cref="PriceStore.Points"/> returns
    /// them): the first row of a date wins.
    /// </summary>
    public static PriceBook FromRows(IEnumerable<PriceRow> rows, PriceBookOptions? options = null)
    {
        options ??= new PriceBookOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxGapDays);
        var pairs = new Dictionary<string, Dictionary<string, Pair>>(StringComparer.OrdinalIgnoreCase);
        var builders = new Dictionary<(string, string), PairBuilder>();
        foreach (var r in rows)
        {
            if (!builders.TryGetValue((r.Asset, r.Fiat), out var b))
            {
                builders[(r.Asset, r.Fiat)] = b = new PairBuilder(r.Asset, r.Fiat);
            }

            b.Add(r);
        }

        foreach (var b in builders.Values)
        {
            if (!pairs.TryGetValue(b.Asset, out var byFiat))
            {
                pairs[b.Asset] = byFiat = new Dictionary<string, Pair>(StringComparer.OrdinalIgnoreCase);
            }

            byFiat[b.Fiat] = b.Build();
        }

        return new PriceBook(pairs, options);
    }

    /// <summary>The price of one <paramref name="asset"/> in <paramref name="fiat"/> for the UTC day, by the rules above; null if unknown.</summary>
    public PriceQuote? Quote(string asset, string fiat, DateOnly day)
    {
        var dayNumber = day.DayNumber;
        if (_pairs.TryGetValue(asset, out var byFiat) && byFiat.TryGetValue(fiat, out var direct))
        {
            var i = direct.Find(dayNumber, _options.MaxGapDays);
            return i < 0 ? null : new PriceQuote(direct.Asset, direct.Fiat, direct.Prices[i], direct.Dates[i], direct.Sources[direct.SourceOf[i]]);
        }

        return byFiat is null || !_options.CrossRates ? null : Cross(asset, fiat, dayNumber);
    }

    /// <summary>
    /// The fiat value of <paramref name="baseUnits"/> (integer, in the asset's smallest unit, <paramref name="decimals"/>
    /// of them per whole unit) at <paramref name="time"/>; null when no price is known.
    /// </summary>
    public FiatValue? Value(string asset, BigInteger baseUnits, int decimals, DateTimeOffset time, string fiat)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        var day = DateOnly.FromDateTime(time.UtcDateTime);
        if (_pairs.TryGetValue(asset, out var byFiat) && byFiat.TryGetValue(fiat, out var direct))
        {
            // the hot path of tracing: no allocation besides the result
            var i = direct.Find(day.DayNumber, _options.MaxGapDays);
            return i < 0
                ? null
                : new FiatValue(Multiply(baseUnits, decimals, direct.Prices[i]), direct.Fiat, direct.Asset, direct.Prices[i], direct.Dates[i],
                    direct.Sources[direct.SourceOf[i]]);
        }

        if (byFiat is null || !_options.CrossRates || Cross(asset, fiat, day.DayNumber) is not { } q)
        {
            return null;
        }

        return new FiatValue(Multiply(baseUnits, decimals, q.UnitPrice), q.Fiat, q.Asset, q.UnitPrice, q.PriceDate, q.Source);
    }

    /// <summary>
    /// asset→fiat through an intermediate fiat X with series asset→X and X→fiat (USD first, then the others in name
    /// order; the first that has both prices). The date is the older of the two used; the source names both series.
    /// </summary>
    private PriceQuote? Cross(string asset, string fiat, int dayNumber)
    {
        foreach (var leg in _legs[asset])
        {
            if (!_pairs.TryGetValue(leg.Fiat, out var viaFiat) || !viaFiat.TryGetValue(fiat, out var fx))
            {
                continue;
            }

            var i = leg.Find(dayNumber, _options.MaxGapDays);
            var j = fx.Find(dayNumber, _options.MaxGapDays);
            if (i < 0 || j < 0)
            {
                continue;
            }

            // leg price × fx price, exactly: the leg price's mantissa "in units of 10^-scale" times the fx price
            var unit = Multiply(Mantissa(leg.Prices[i], out var legScale), legScale, fx.Prices[j]);
            var date = string.CompareOrdinal(leg.Dates[i], fx.Dates[j]) <= 0 ? leg.Dates[i] : fx.Dates[j];
            var source = $"{leg.Sources[leg.SourceOf[i]]} {leg.Asset}-{leg.Fiat} × {fx.Sources[fx.SourceOf[j]]} {fx.Asset}-{fx.Fiat}";
            if (leg.Dates[i] != fx.Dates[j])
            {
                source += $" ({leg.Asset}-{leg.Fiat} of {leg.Dates[i]}, {fx.Asset}-{fx.Fiat} of {fx.Dates[j]})";
            }

            return new PriceQuote(leg.Asset, fx.Fiat, unit, date, source);
        }

        return null;
    }

    private static readonly BigInteger Max96 = (BigInteger.One << 96) - 1;

    /// <summary>
    /// baseUnits × price / 10^decimals as a decimal, exactly while the result has at most 28 decimal places and fits 96
    /// bits of mantissa (every realistic amount); beyond that it is rounded half-even to what a decimal can hold. The scale
    /// is decimals + the price's scale whenever that fits, so the same inputs always give the same digits.
    /// </summary>
    public static decimal Multiply(BigInteger baseUnits, int decimals, decimal price)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(price, bits);
        var scale = decimals + ((bits[3] >> 16) & 0xFF);
        var priceNegative = bits[3] < 0;
        if (bits[2] == 0 && scale <= 28 && baseUnits.GetBitLength() < 63)
        {
            var units = (long)baseUnits;
            var magnitude = (ulong)Math.Abs(units);
            var priceMantissa = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
            var hi = Math.BigMul(magnitude, priceMantissa, out var lo);
            if (hi >> 32 == 0)
            {
                var negative = (units < 0) ^ priceNegative && (hi | lo) != 0;
                return new decimal((int)(uint)lo, (int)(uint)(lo >> 32), (int)(uint)hi, negative, (byte)scale);
            }
        }

        var product = baseUnits * Mantissa(price, out var priceScale);
        scale = decimals + priceScale;
        var drop = Math.Max(0, scale - 28);
        while (true)
        {
            var reduced = drop == 0 ? product : RoundHalfEven(product, BigInteger.Pow(10, drop));
            if (BigInteger.Abs(reduced) <= Max96)
            {
                return ToDecimal(reduced, scale - drop);
            }

            if (scale - drop == 0)
            {
                throw new OverflowException($"{baseUnits} × {price.ToString(CultureInfo.InvariantCulture)} / 10^{decimals} exceeds the decimal range");
            }

            drop++;
        }
    }

    private static BigInteger Mantissa(decimal d, out int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        scale = (bits[3] >> 16) & 0xFF;
        var m = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        return bits[3] < 0 ? -m : m;
    }

    private static BigInteger RoundHalfEven(BigInteger value, BigInteger divisor)
    {
        var q = BigInteger.DivRem(BigInteger.Abs(value), divisor, out var r);
        var twice = r * 2;
        if (twice > divisor || (twice == divisor && !q.IsEven))
        {
            q += 1;
        }

        return value.Sign < 0 ? -q : q;
    }

    private static decimal ToDecimal(BigInteger value, int scale)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        BigInteger.Abs(value).TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return new decimal(BitConverter.ToInt32(bytes[..4]), BitConverter.ToInt32(bytes[4..8]), BitConverter.ToInt32(bytes[8..12]), value.Sign < 0, (byte)scale);
    }

    /// <summary>One (asset, fiat): merged days, ascending.</summary>
    private sealed class Pair(string asset, string fiat, int[] days, decimal[] prices, string[] dates, byte[] sourceOf, string[] sources)
    {
        public string Asset { get; } = asset;

        public string Fiat { get; } = fiat;

        public int[] Days { get; } = days;

        public decimal[] Prices { get; } = prices;

        public string[] Dates { get; } = dates;

        public byte[] SourceOf { get; } = sourceOf;

        public string[] Sources { get; } = sources;

        /// <summary>Index of the latest day ≤ <paramref name="day"/> at most <paramref name="maxGap"/> days older, or -1.</summary>
        public int Find(int day, int maxGap)
        {
            var i = Array.BinarySearch(Days, day);
            if (i >= 0)
            {
                return i;
            }

            i = ~i - 1;
            return i >= 0 && day - Days[i] <= maxGap ? i : -1;
        }
    }

    private sealed class PairBuilder(string asset, string fiat)
    {
        private readonly List<(int Day, decimal Price, string Date, int Source)> _points = [];
        private readonly List<string> _sources = [];

        public string Asset { get; } = asset;

        public string Fiat { get; } = fiat;

        public void Add(PriceRow r)
        {
            var day = DateOnly.ParseExact(r.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;
            if (_points.Count > 0 && _points[^1].Day >= day)
            {
                if (_points[^1].Day == day)
                {
                    return; // a source of lower precedence for a day already priced
                }

                throw new ArgumentException($"rows of {Asset}-{Fiat} are not ordered by date ({r.Date})", nameof(r));
            }

            var s = _sources.IndexOf(r.Source);
            if (s < 0)
            {
                if (_sources.Count == byte.MaxValue + 1)
                {
                    throw new UserErrorException($"{Asset}-{Fiat}: more than 256 price sources");
                }

                _sources.Add(r.Source);
                s = _sources.Count - 1;
            }

            _points.Add((day, r.Price, r.Date, s));
        }

        public Pair Build() => new(Asset, Fiat, _points.Select(p => p.Day).ToArray(), _points.Select(p => p.Price).ToArray(),
            _points.Select(p => p.Date).ToArray(), _points.Select(p => (byte)p.Source).ToArray(), _sources.ToArray());
    }
}
