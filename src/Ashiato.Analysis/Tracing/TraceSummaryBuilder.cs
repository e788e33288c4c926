using Ashiato.Core;

namespace Ashiato.Analysis.Tracing;

/// <summary>
/// Builds a <see cref="TraceSummary"/> from a trace's nodes and edges. Only <em>endpoint</em> edges count (see
/// <see cref="IsEndpoint"/>): an edge whose value was followed further ("follow", "coinjoin:haircut", "swap:follow") is
/// accounted for by the edges after it. Endpoints are grouped per chain and asset by the label of the edge's target
/// node (backward: source node) (entity, category, country; "(unattributed)", "(uncategorised)", "(unknown)" when missing) and by rule; fee
/// edges count under their rule only. Shares are of the seeded total of the same chain and asset. Fiat sums add the
/// edges' <see cref="FiatValue"/>s per fiat (edges without a price add nothing; the aggregate's unit price is the
/// value-weighted average, its price date the range of dates used, its source the sources used, joined with '+').
/// Ordering: tainted amount descending, then key, chain and asset (ordinal) — the same input gives the same output.
/// </summary>
public sealed class TraceSummaryBuilder
{
    public const string Unattributed = "(unattributed)";
    public const string Uncategorised = "(uncategorised)";
    public const string UnknownCountry = "(unknown)";

    private readonly SortedDictionary<(string Chain, string Asset), Acc> _seeded = new(KeyComparer.Instance);
    private readonly Dictionary<(string Chain, string Asset), Group> _groups = [];
    private Group? _group; // the group of the last endpoint added

    /// <summary>True for rules after which the edge's value is not followed on this chain (stops, ends, fees, bridge deposits, mixers).</summary>
    public static bool IsEndpoint(string rule) => rule is not (TraceRules.Follow or TraceRules.CoinJoinHaircut or TraceRules.SwapFollow);

    /// <summary>Adds a seeded amount (call once per seed, or once per chain and asset with the total).</summary>
    public TraceSummaryBuilder AddSeeded(string chain, string asset, UInt256 amount, IEnumerable<FiatValue>? values = null)
    {
        if (!_seeded.TryGetValue((chain, asset), out var acc))
        {
            acc = new Acc();
            _seeded[(chain, asset)] = acc;
        }

        acc.Add(amount, values ?? []);
        return this;
    }

    /// <summary>Builds the summary. The endpoint of an edge is its target node forward, its source node backward.</summary>
    public TraceSummary Build(IReadOnlyList<TraceNode> nodes, IReadOnlyList<TraceEdge> edges, TraceDirection direction = TraceDirection.Forward)
    {
        var byId = new Dictionary<string, TraceNode>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            byId.TryAdd(n.Id, n);
        }

        foreach (var e in edges)
        {
            if (!IsEndpoint(e.Rule) || e.Tainted.IsZero)
            {
                continue;
            }

            var label = e.Rule != TraceRules.Fee && byId.TryGetValue(direction == TraceDirection.Backward ? e.From : e.To, out var node) ? node.Label : null;
            AddEndpoint(e.Chain, e.Asset, e.Rule, e.Tainted, label, e.Values);
        }

        return Build();
    }

    /// <summary>
    /// Adds one edge to the endpoints (nothing for a followed edge or one without taint): <paramref name="label"/> is the
    /// label of its endpoint node (forward its target, backward its source; ignored for fee edges). For a tracer that knows
    /// its nodes' labels without looking them up by id text; <see cref="Build()"/> then gives what
    /// <see cref="Build(IReadOnlyList{TraceNode}, IReadOnlyList{TraceEdge}, TraceDirection)"/> gives for the same edges.
    /// </summary>
    public void AddEndpoint(string chain, string asset, string rule, UInt256 tainted, TraceLabel? label, IReadOnlyList<FiatValue> values)
    {
        if (!IsEndpoint(rule) || tainted.IsZero)
        {
            return;
        }

        // endpoints per (chain, asset), then per key: a trace's edges are of one or a few chains, so the pair is looked up
        // only when it changes and each group is keyed by one string
        var group = _group;
        if (group is null || !ReferenceEquals(group.Chain, chain) || !ReferenceEquals(group.Asset, asset))
        {
            if (!_groups.TryGetValue((chain, asset), out group))
            {
                group = new Group(chain, asset);
                _groups[(chain, asset)] = group;
            }

            _group = group;
        }

        Add(group.Rule, rule, tainted, values);
        if (rule == TraceRules.Fee)
        {
            return;
        }

        Add(group.Entity, label?.Entity ?? Unattributed, tainted, values);
        Add(group.Category, label?.Category ?? Uncategorised, tainted, values);
        Add(group.Country, label?.Country ?? UnknownCountry, tainted, values);
    }

    /// <summary>The summary of the seeds and the endpoints added with <see cref="AddEndpoint"/>.</summary>
    public TraceSummary Build()
    {
        var groups = _groups.Values;
        return new TraceSummary(Totals(groups, g => g.Entity), Totals(groups, g => g.Category), Totals(groups, g => g.Country),
            Totals(groups, g => g.Rule),
            _seeded.Select(kv => new EndpointTotal("seed", kv.Key.Chain, kv.Key.Asset, kv.Value.Tainted, kv.Value.Tainted.IsZero ? 0m : 1m,
                kv.Value.Values())).ToList());
    }

    private static void Add(Dictionary<string, Acc> map, string key, UInt256 tainted, IReadOnlyList<FiatValue> values)
    {
        if (!map.TryGetValue(key, out var acc))
        {
            acc = new Acc();
            map[key] = acc;
        }

        acc.Add(tainted, values);
    }

    private List<EndpointTotal> Totals(IEnumerable<Group> groups, Func<Group, Dictionary<string, Acc>> of)
    {
        var list = new List<EndpointTotal>();
        foreach (var g in groups)
        {
            foreach (var (key, acc) in of(g))
            {
                list.Add(new EndpointTotal(key, g.Chain, g.Asset, acc.Tainted, Share(acc.Tainted, g.Chain, g.Asset), acc.Values()));
            }
        }

        // (key, chain, asset) are distinct: an unstable sort gives the one order
        list.Sort(static (x, y) =>
        {
            var c = y.Tainted.CompareTo(x.Tainted);
            if (c == 0)
            {
                c = string.CompareOrdinal(x.Key, y.Key);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(x.Chain, y.Chain);
            }

            return c != 0 ? c : string.CompareOrdinal(x.Asset, y.Asset);
        });
        return list;
    }

    /// <summary>The endpoint sums of one chain and asset, by entity, category, country and rule.</summary>
    private sealed class Group(string chain, string asset)
    {
        public readonly string Chain = chain;
        public readonly string Asset = asset;
        public readonly Dictionary<string, Acc> Entity = [];
        public readonly Dictionary<string, Acc> Category = [];
        public readonly Dictionary<string, Acc> Country = [];
        public readonly Dictionary<string, Acc> Rule = [];
    }

    /// <summary>Share of the seeded total of the same chain and asset, rounded half-to-even to 8 decimals (0 without a seed).</summary>
    private decimal Share(UInt256 tainted, string chain, string asset)
    {
        if (!_seeded.TryGetValue((chain, asset), out var seed) || seed.Tainted.IsZero)
        {
            return 0m;
        }

        return Ratio(tainted, seed.Tainted);
    }

    /// <summary>a / b as a decimal rounded to 8 places (exact integer arithmetic; no binary floating point).</summary>
    public static decimal Ratio(UInt256 a, UInt256 b)
    {
        if (b.IsZero)
        {
            return 0m;
        }

        // shares (a ≤ b) of 64-bit amounts: the same rounding in 128-bit integers (Utxo.TaintMath.Ratio8)
        return a.FitsUInt64 && b.FitsUInt64 && a <= b ? Utxo.TaintMath.Ratio8(a.Low64, b.Low64) : RatioExact(a, b);
    }

    /// <summary><see cref="Ratio"/> in arbitrary-precision integers for any a and b (the reference the fast paths are tested against).</summary>
    public static decimal RatioExact(UInt256 a, UInt256 b)
    {
        if (b.IsZero)
        {
            return 0m;
        }

        var scaled = System.Numerics.BigInteger.DivRem(a.ToBigInteger() * 1_000_000_000, b.ToBigInteger(), out var rem);

        // round half to even at the 9th decimal, then to 8 (keeps the value exact to 1e-8)
        var nine = scaled;
        if (rem * 2 >= b.ToBigInteger())
        {
            nine += 1;
        }

        var eight = System.Numerics.BigInteger.DivRem(nine, 10, out var last);
        if (last > 5 || (last == 5 && !eight.IsEven))
        {
            eight += 1;
        }

        return (decimal)eight / 100_000_000m;
    }

    private sealed class Acc
    {
        // made with the first fiat value (a trace without prices adds none)
        private SortedDictionary<string, FiatAcc>? _fiat;

        public UInt256 Tainted { get; private set; }

        public void Add(UInt256 amount, IEnumerable<FiatValue> values)
        {
            Tainted += amount;
            if (values is IReadOnlyCollection<FiatValue> { Count: 0 })
            {
                return;
            }

            foreach (var v in values)
            {
                _fiat ??= new SortedDictionary<string, FiatAcc>(StringComparer.Ordinal);
                if (!_fiat.TryGetValue(v.Fiat, out var f))
                {
                    f = new FiatAcc(v.Asset);
                    _fiat[v.Fiat] = f;
                }

                f.Add(v);
            }
        }

        public IReadOnlyList<FiatValue> Values() => _fiat is null ? [] : _fiat.Select(kv => kv.Value.ToValue(kv.Key)).ToList();
    }

    private sealed class FiatAcc(string asset)
    {
        private readonly SortedSet<string> _sources = new(StringComparer.Ordinal);
        private decimal _amount;
        private decimal _units;
        private string? _minDate;
        private string? _maxDate;

        public void Add(FiatValue v)
        {
            _amount += v.Amount;
            if (v.UnitPrice != 0m)
            {
                _units += v.Amount / v.UnitPrice;
            }

            _sources.Add(v.Source);
            if (_minDate is null || string.CompareOrdinal(v.PriceDate, _minDate) < 0)
            {
                _minDate = v.PriceDate;
            }

            if (_maxDate is null || string.CompareOrdinal(v.PriceDate, _maxDate) > 0)
            {
                _maxDate = v.PriceDate;
            }
        }

        public FiatValue ToValue(string fiat) => new(
            _amount,
            fiat,
            asset,
            _units == 0m ? 0m : decimal.Round(_amount / _units, 8, MidpointRounding.ToEven),
            _minDate == _maxDate ? _minDate ?? "" : $"{_minDate}..{_maxDate}",
            string.Join('+', _sources));
    }

    private sealed class KeyComparer : IComparer<(string Chain, string Asset)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((string Chain, string Asset) x, (string Chain, string Asset) y)
        {
            var c = string.CompareOrdinal(x.Chain, y.Chain);
            return c != 0 ? c : string.CompareOrdinal(x.Asset, y.Asset);
        }
    }
}
