using System.Globalization;
using Ashiato.Analysis.Tracing;
using Ashiato.Core;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// Builds the three reports from plain inputs: incidents, measured losses and trace results. Pure functions: no I/O, no clock;
/// the same inputs give equal records. Rows are ordered by the share basis value (descending, unknown last), then by key
/// (ordinal); years chronologically.
/// </summary>
public static class ReportBuilder
{
    public const string UnknownCountry = "unknown";
    public const string UnknownType = "unknown";
    public const string Unattributed = "unattributed";
    public const string DefiType = "defi";

    /// <summary><c>report thefts</c>: every incident dated in the period.</summary>
    public static TheftsReport BuildThefts(
        IReadOnlyList<ReportIncident> incidents,
        IReadOnlyList<MeasuredLoss> measured,
        IReadOnlyList<IncidentTrace> traces,
        ReportParameters parameters)
    {
        var ctx = new Context(parameters, measured, traces);
        var lines = ctx.Lines(incidents);
        var totals = ctx.Totals(lines);
        var byType = ctx.Breakdown(lines, l => TypeKey(l.Incident), totals);
        var defi = byType.FirstOrDefault(r => r.Key == DefiType);
        var notes = new List<string>();
        if (lines.Count == 0)
        {
            notes.Add("No incident is dated in the period.");
        }

        ctx.BasisNotes(lines, notes);
        var flows = ctx.Flows(lines, l => CountryLabel(l.Incident), l => l.Incident.Actor ?? Unattributed);
        return new TheftsReport(
            parameters,
            totals,
            ctx.Breakdown(lines, l => l.Incident.Date.Year.ToString(CultureInfo.InvariantCulture), totals, chronological: true),
            ctx.Breakdown(lines, l => l.Incident.Actor ?? Unattributed, totals),
            byType,
            ctx.Breakdown(lines, l => Country(l.Incident), totals),
            ctx.ByChain(lines, totals),
            defi is null ? (lines.Count > 0 && ctx.Basis(totals) is not null ? 0m : null) : defi.Share,
            lines,
            flows,
            ctx.Methodology("thefts", lines),
            notes);
    }

    /// <summary>
    /// <c>report actor NAME</c>: the incidents attributed to the actor (its id or an alias, case-insensitive), broken down by
    /// victim country, year, victim type and chain; shares of the actor's total, of all stolen value in the period, and of
    /// all stolen value with the same key. An actor without incidents or addresses gives empty tables and a note.
    /// </summary>
    public static ActorReport BuildActor(
        ActorProfile actor,
        IReadOnlyList<ReportIncident> incidents,
        IReadOnlyList<MeasuredLoss> measured,
        IReadOnlyList<IncidentTrace> traces,
        ReportParameters parameters,
        TraceResult? backtrace = null)
    {
        var ctx = new Context(parameters, measured, traces);
        var all = ctx.Lines(incidents);
        var names = new HashSet<string>([actor.Id, .. actor.Aliases], StringComparer.OrdinalIgnoreCase);
        var mine = all.Where(l => l.Incident.Actor is { } a && names.Contains(a)).ToList();
        var allTotals = ctx.Totals(all);
        var totals = ctx.Totals(mine);
        var notes = new List<string>();
        if (actor.TaggedAddresses == 0)
        {
            notes.Add($"No address is attributed to actor '{actor.Id}' in the tag store: nothing can be measured or traced from its wallets.");
        }

        if (mine.Count == 0)
        {
            notes.Add($"No incident in the period is attributed to actor '{actor.Id}'" + (actor.Aliases.Count > 0 ? $" (or its aliases {string.Join(", ", actor.Aliases)})." : "."));
        }

        ctx.BasisNotes(mine, notes);
        BreakdownRow WithKeyShare(BreakdownRow row, Func<IncidentLine, string> key) =>
            row with { ShareOfAll = Shares.Of(ctx.Basis(row), ctx.Basis(allTotals)), ShareOfKey = Shares.Of(ctx.Basis(row), ctx.Basis(ctx.Totals([.. all.Where(l => key(l) == row.Key)]))) };
        IReadOnlyList<BreakdownRow> Table(Func<IncidentLine, string> key, bool chronological = false) =>
            [.. ctx.Breakdown(mine, key, totals, chronological).Select(r => WithKeyShare(r, key))];
        var label = actor.Label ?? actor.Id;
        return new ActorReport(
            actor,
            parameters,
            totals,
            allTotals,
            Shares.Of(ctx.Basis(totals), ctx.Basis(allTotals)),
            Table(l => Country(l.Incident)),
            Table(l => l.Incident.Date.Year.ToString(CultureInfo.InvariantCulture), chronological: true),
            Table(l => TypeKey(l.Incident)),
            [.. ctx.ByChain(mine, totals).Select(r => r with { ShareOfAll = Shares.Of(ctx.Basis(r), ctx.Basis(allTotals)) })],
            mine,
            ctx.Flows(mine, l => CountryLabel(l.Incident), _ => label),
            ctx.Methodology("actor " + actor.Id, mine),
            notes,
            backtrace is null ? null : Backtrace(ctx, backtrace));
    }

    /// <summary>A backward trace's endpoints by entity and by country, valued in the report's fiats, shares of the first fiat.</summary>
    private static ActorBacktrace Backtrace(Context ctx, TraceResult r)
    {
        List<BacktraceRow> Rows(IReadOnlyList<EndpointTotal> totals)
        {
            var rows = totals.GroupBy(t => t.Key, StringComparer.Ordinal).Select(g =>
            {
                var values = ctx.NewSums();
                foreach (var t in g)
                {
                    Context.AddValues(values, t.Values);
                }

                var tainted = g.OrderBy(t => t.Chain, StringComparer.Ordinal).ThenBy(t => t.Asset, StringComparer.Ordinal)
                    .Select(t => new AssetAmount(t.Chain, t.Asset, t.Tainted)).ToList();
                return (Key: g.Key, Tainted: tainted, Values: Context.Done(values));
            }).ToList();
            var total = rows.Sum(x => x.Values[0].Amount ?? 0m);
            return [.. rows.Select(x => new BacktraceRow(x.Key, x.Tainted, x.Values, total == 0 || x.Values[0].Amount is not { } a ? null : a / total))
                .OrderByDescending(x => x.Values[0].Amount ?? -1m).ThenBy(x => x.Key, StringComparer.Ordinal)];
        }

        return new ActorBacktrace(r.Seeds.Count, r.Edges.Count, r.Partial, r.PartialReason, Rows(r.Summary.ByEntity), Rows(r.Summary.ByCountry));
    }

    /// <summary><c>report incident ID</c>: theft transactions, laundering path, cash-out points, timeline, freeze candidates.</summary>
    public static IncidentReport BuildIncident(
        ReportIncident incident,
        IReadOnlyList<MeasuredLoss> measured,
        IReadOnlyList<IncidentTrace> traces,
        ReportParameters parameters)
    {
        var ctx = new Context(parameters, measured, traces);
        var line = ctx.Line(incident);
        var results = traces.Where(t => t.IncidentId == incident.Id).Select(t => t.Result).ToList();
        var edges = results.SelectMany(r => r.Edges).ToList();
        var terminals = results.SelectMany(r => TraceFlows.Terminals(r, ctx.IsStablecoin)).ToList();
        var notes = new List<string>();
        if (results.Count == 0)
        {
            notes.Add("No trace was run for this incident: the laundering path, cash-out points and timeline are empty.");
        }

        foreach (var r in results.Where(r => r.Partial))
        {
            notes.Add($"A trace on {string.Join(", ", r.Seeds.Select(s => s.Chain).Distinct(StringComparer.Ordinal))} is partial ({r.PartialReason ?? "no reason given"}): values are lower bounds.");
        }

        foreach (var w in results.SelectMany(r => r.Warnings).Distinct(StringComparer.Ordinal))
        {
            notes.Add("Trace warning: " + w);
        }

        // Theft transactions: the incident's transactions with what the trace saw leave them.
        var theft = new List<TheftTransactionRow>();
        foreach (var t in incident.Transactions)
        {
            var own = edges.Where(e => e.Chain == t.Chain && string.Equals(e.Tx, t.Tx, StringComparison.OrdinalIgnoreCase)).ToList();
            var amounts = new AssetSum();
            var values = ctx.NewSums();
            foreach (var e in own)
            {
                amounts.Add(e.Chain, e.Asset, e.Tainted);
                Context.AddValues(values, e.Values);
            }

            theft.Add(new TheftTransactionRow(t.Chain, t.Tx, own.Count > 0 ? own.Min(e => e.Time) : null, amounts.ToList(),
                own.Count > 0 ? Context.Done(values) : ctx.Unknowns(), own.Count > 0));
        }

        // Laundering path per hop.
        var path = edges.GroupBy(e => e.Hop).OrderBy(g => g.Key).Select(g =>
        {
            var amounts = new AssetSum();
            var values = ctx.NewSums();
            foreach (var e in g)
            {
                amounts.Add(e.Chain, e.Asset, e.Tainted);
                Context.AddValues(values, e.Values);
            }

            var rules = g.GroupBy(e => e.Rule, StringComparer.Ordinal).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => $"{r.Key} ×{r.Count().ToString(CultureInfo.InvariantCulture)}").ToList();
            return new HopRow(g.Key, g.Count(), g.Select(e => (e.Chain, e.Tx)).Distinct().Count(), amounts.ToList(), Context.Done(values), rules);
        }).ToList();

        var endpoints = ctx.Group(terminals, t => t.Endpoint);
        var service = terminals.Where(t => t.Edge.Rule == TraceRules.StopService).ToList();
        var serviceTotal = ctx.NewSums()[0];
        foreach (var t in terminals)
        {
            serviceTotal.AddFrom(t.Edge.Values);
        }

        var allEnded = serviceTotal.ToAmount().Amount;
        var cashOut = service.GroupBy(t => t.To?.Label?.Entity ?? t.Edge.To, StringComparer.Ordinal).Select(g =>
        {
            var amounts = new AssetSum();
            var values = ctx.NewSums();
            foreach (var t in g)
            {
                amounts.Add(t.Edge.Chain, t.Edge.Asset, t.Edge.Tainted);
                Context.AddValues(values, t.Edge.Values);
            }

            var label = g.First().To?.Label;
            var v = Context.Done(values);
            return new CashOutRow(g.Key, label?.Name, label?.Category, label?.Country, g.Count(), amounts.ToList(), v,
                g.Min(t => t.Edge.Time), g.Max(t => t.Edge.Time), Shares.Of(v[0].Amount, allEnded));
        }).OrderByDescending(r => r.Values[0].Amount ?? decimal.MinValue).ThenBy(r => r.Entity, StringComparer.Ordinal).ToList();
        var byCountry = ctx.Group(service, t => t.To?.Label?.Country ?? UnknownCountry, allEnded);

        var timeline = edges.GroupBy(e => DateOnly.FromDateTime(e.Time.UtcDateTime)).OrderBy(g => g.Key).Select(g =>
        {
            var events = new List<string>();
            var theftTx = g.Where(e => incident.Transactions.Any(t => t.Chain == e.Chain && string.Equals(t.Tx, e.Tx, StringComparison.OrdinalIgnoreCase)))
                .Select(e => e.Tx).Distinct(StringComparer.Ordinal).Count();
            if (theftTx > 0)
            {
                events.Add($"theft: {theftTx.ToString(CultureInfo.InvariantCulture)} transaction(s)");
            }

            events.AddRange(g.GroupBy(e => e.Rule, StringComparer.Ordinal).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => $"{r.Key} ×{r.Count().ToString(CultureInfo.InvariantCulture)}"));
            var ended = terminals.Where(t => DateOnly.FromDateTime(t.Edge.Time.UtcDateTime) == g.Key).ToList();
            events.AddRange(ended.Where(t => t.Edge.Rule == TraceRules.StopService)
                .Select(t => "reached " + (t.To?.Label?.Name ?? t.To?.Label?.Entity ?? t.Edge.To)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            var values = ctx.NewSums();
            foreach (var t in ended)
            {
                Context.AddValues(values, t.Edge.Values);
            }

            return new TimelineRow(g.Key, g.Count(), events, ended.Count > 0 ? Context.Done(values) : ctx.Nothing());
        }).ToList();

        var frozen = new List<FreezeCandidate>();
        foreach (var g in service.Where(t => t.To?.Label?.Category is { } c && parameters.FreezableCategories.Contains(c))
                     .GroupBy(t => (Where: t.To!.Label!.Name ?? t.To.Label.Entity, t.Edge.Chain, t.Edge.Asset, t.To.Label.Country)))
        {
            frozen.Add(ctx.Candidate("at service: " + TraceFlows.CategoryTitle(g.First().To!.Label!.Category), g.Key.Where, g.Key.Chain, g.Key.Asset, g.Key.Country, g));
        }

        foreach (var g in terminals.Where(t => t.Edge.Rule == TraceRules.Unspent && ctx.IsStablecoin(t.Edge.Chain, t.Edge.Asset))
                     .GroupBy(t => (Where: t.To?.Address ?? t.Edge.To, t.Edge.Chain, t.Edge.Asset)))
        {
            frozen.Add(ctx.Candidate("stablecoin (issuer can freeze)", g.Key.Where, g.Key.Chain, g.Key.Asset, null, g));
        }

        frozen = [.. frozen.OrderByDescending(f => f.Values[0].Amount ?? decimal.MinValue).ThenBy(f => f.Kind, StringComparer.Ordinal)
            .ThenBy(f => f.Where, StringComparer.Ordinal).ThenBy(f => f.Chain, StringComparer.Ordinal).ThenBy(f => f.Asset, StringComparer.Ordinal)];
        if (results.Count > 0 && frozen.Count == 0)
        {
            notes.Add("No traced value rests at a custodial service or in a freezable stablecoin.");
        }

        var victim = incident.VictimName ?? Country(incident);
        return new IncidentReport(
            line,
            parameters,
            theft,
            path,
            endpoints,
            cashOut,
            byCountry,
            timeline,
            frozen,
            ctx.Flows([line], _ => victim, l => l.Incident.Actor ?? Unattributed),
            ctx.Methodology("incident " + incident.Id, [line]),
            notes);
    }

    public static string Country(ReportIncident i) => string.IsNullOrWhiteSpace(i.VictimCountry) ? UnknownCountry : i.VictimCountry.Trim().ToUpperInvariant();

    private static string CountryLabel(ReportIncident i) => Country(i) == UnknownCountry ? "Country unknown" : Country(i);

    public static string TypeKey(ReportIncident i) => string.IsNullOrWhiteSpace(i.VictimType) ? UnknownType : i.VictimType.Trim().ToLowerInvariant();

    /// <summary>The trace parameters as name/value pairs, in a fixed order.</summary>
    public static IReadOnlyList<MethodParameter> Describe(TraceOptions o) =>
    [
        new("direction", o.Direction.ToString().ToLowerInvariant()),
        new("taint model", o.Model.ToString().ToLowerInvariant()),
        new("max hops", o.MaxHops.ToString(CultureInfo.InvariantCulture)),
        new("max edges", o.MaxEdges.ToString(CultureInfo.InvariantCulture)),
        new("min amount (base units)", o.MinAmount.ToString()),
        new("min fiat", o.MinFiat is { } m ? m.ToString(CultureInfo.InvariantCulture) + " " + (o.Fiats.Count > 0 ? o.Fiats[0] : "") : "none"),
        new("fiats", string.Join(", ", o.Fiats)),
        new("from", o.From is { } f ? ReportFormat.Instant(f) : "open"),
        new("to", o.To is { } t ? ReportFormat.Instant(t) : "open"),
        new("stop categories", string.Join(", ", o.StopCategories.Order(StringComparer.Ordinal))),
        new("coinjoin", o.CoinJoin.ToString().ToLowerInvariant()),
        new("stop at mixers", o.StopAtMixers ? "yes" : "no"),
        new("follow bridges", o.FollowBridges ? "yes" : "no"),
        new("follow swaps", o.FollowSwaps ? "yes" : "no"),
        new("time budget", o.TimeBudget is { } b ? b.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "none"),
    ];

    /// <summary>Per-report state: parameters, measured losses and traces indexed by incident.</summary>
    private sealed class Context
    {
        private readonly ReportParameters _p;
        private readonly ILookup<string, MeasuredLoss> _measured;
        private readonly ILookup<string, TraceResult> _traces;
        private readonly Dictionary<(string, string), ReportAsset> _assets = [];

        public Context(ReportParameters p, IReadOnlyList<MeasuredLoss> measured, IReadOnlyList<IncidentTrace> traces)
        {
            if (p.Fiats.Count == 0)
            {
                throw new ArgumentException("a report needs at least one fiat currency", nameof(p));
            }

            _p = p;
            _measured = measured.ToLookup(m => m.IncidentId, StringComparer.Ordinal);
            _traces = traces.ToLookup(t => t.IncidentId, t => t.Result, StringComparer.Ordinal);
            foreach (var a in p.Assets)
            {
                _assets.TryAdd((a.Chain, a.Asset), a);
            }
        }

        public bool IsStablecoin(string chain, string asset) => _assets.TryGetValue((chain, asset), out var a) && a.Stablecoin;

        public FiatSum[] NewSums() => [.. _p.Fiats.Select(f => new FiatSum(f))];

        public IReadOnlyList<FiatAmount> Unknowns() => [.. _p.Fiats.Select(FiatAmount.Unknown)];

        /// <summary>No parts at all (nothing happened), as opposed to an unknown value.</summary>
        public IReadOnlyList<FiatAmount> Nothing() => [.. _p.Fiats.Select(f => new FiatAmount(f, 0m, 0, 0, [], null, null))];

        public static void AddValues(FiatSum[] sums, IReadOnlyList<FiatValue> values)
        {
            foreach (var s in sums)
            {
                s.AddFrom(values);
            }
        }

        public static IReadOnlyList<FiatAmount> Done(FiatSum[] sums) => [.. sums.Select(s => s.ToAmount())];

        public List<IncidentLine> Lines(IReadOnlyList<ReportIncident> incidents) =>
        [
            .. incidents.Where(i => (_p.From is null || i.Date >= _p.From) && (_p.To is null || i.Date <= _p.To))
                .OrderBy(i => i.Date).ThenBy(i => i.Id, StringComparer.Ordinal)
                .Select(Line),
        ];

        public IncidentLine Line(ReportIncident i)
        {
            var reported = NewSums();
            foreach (var s in reported)
            {
                var any = false;
                foreach (var r in i.Reported.Where(r => r.Fiat == s.Fiat))
                {
                    s.AddKnown(r.Amount, r.Source, r.Converted?.Date ?? i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    any = true;
                }

                if (!any)
                {
                    s.AddUnknown();
                }
            }

            var losses = _measured[i.Id].ToList();
            var amounts = new AssetSum();
            var fiat = NewSums();
            foreach (var m in losses)
            {
                amounts.Add(m.Chain, m.Asset, m.Amount);
                AddValues(fiat, m.Values);
            }

            // a chain of the incident with nothing measured on it (e.g. not ingested, or not measurable): its loss is an
            // unknown part, so the measured value is a lower bound (≥), never presented as the whole loss
            foreach (var chain in i.Chains.Distinct(StringComparer.Ordinal).Where(c => losses.Count > 0 && !losses.Any(m => m.Chain == c)))
            {
                foreach (var s in fiat)
                {
                    s.AddUnknown();
                }
            }

            return new IncidentLine(i, Done(reported), amounts.ToList(), losses.Count > 0 ? Done(fiat) : Unknowns(), _traces[i.Id].Any());
        }

        public decimal? Basis(ReportTotals t) => _p.ShareBasis == ShareBasis.Reported ? t.Reported[0].Amount : t.MeasuredFiat[0].Amount;

        public decimal? Basis(BreakdownRow r) => _p.ShareBasis == ShareBasis.Reported ? r.Reported[0].Amount : r.MeasuredFiat[0].Amount;

        private FiatAmount BasisOf(IncidentLine l) => _p.ShareBasis == ShareBasis.Reported ? l.Reported[0] : l.MeasuredFiat[0];

        public ReportTotals Totals(IReadOnlyList<IncidentLine> lines)
        {
            var (reported, amounts, fiat) = Sum(lines);
            return new ReportTotals(lines.Count, reported, amounts, fiat);
        }

        private (IReadOnlyList<FiatAmount>, IReadOnlyList<AssetAmount>, IReadOnlyList<FiatAmount>) Sum(IEnumerable<IncidentLine> lines)
        {
            var reported = NewSums();
            var fiat = NewSums();
            var amounts = new AssetSum();
            foreach (var l in lines)
            {
                for (var k = 0; k < reported.Length; k++)
                {
                    reported[k].Add(l.Reported[k]);
                    fiat[k].Add(l.MeasuredFiat[k]);
                }

                amounts.Add(l.Measured);
            }

            return (Done(reported), amounts.ToList(), Done(fiat));
        }

        public List<BreakdownRow> Breakdown(IReadOnlyList<IncidentLine> lines, Func<IncidentLine, string> key, ReportTotals totals, bool chronological = false)
        {
            var whole = Basis(totals);
            var rows = lines.GroupBy(key, StringComparer.Ordinal).Select(g =>
            {
                var (reported, amounts, fiat) = Sum(g);
                var row = new BreakdownRow(g.Key, g.Count(), reported, amounts, fiat, null);
                return row with { Share = Shares.Of(Basis(row), whole) };
            });
            return chronological ? [.. rows.OrderBy(r => r.Key, StringComparer.Ordinal)] : Order(rows);
        }

        private List<BreakdownRow> Order(IEnumerable<BreakdownRow> rows) =>
            [.. rows.OrderBy(r => Basis(r) is null ? 1 : 0).ThenByDescending(r => Basis(r) ?? 0m).ThenBy(r => r.Key, StringComparer.Ordinal)];

        /// <summary>By chain: measured amounts of that chain; reported figures that name the chain, or of single-chain incidents.</summary>
        public List<BreakdownRow> ByChain(IReadOnlyList<IncidentLine> lines, ReportTotals totals)
        {
            const string Several = "(several chains, not split)";
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var l in lines)
            {
                foreach (var c in l.Incident.Chains)
                {
                    keys.Add(c);
                }

                foreach (var m in _measured[l.Incident.Id])
                {
                    keys.Add(m.Chain);
                }

                if (l.Incident.Reported.Any(r => r.Chain is null) && l.Incident.Chains.Count != 1)
                {
                    keys.Add(Several);
                }
            }

            var whole = Basis(totals);
            var rows = new List<BreakdownRow>();
            foreach (var chain in keys)
            {
                var reported = NewSums();
                var fiat = NewSums();
                var amounts = new AssetSum();
                var count = 0;
                foreach (var l in lines)
                {
                    var i = l.Incident;
                    var ownReports = i.Reported.Where(r => (r.Chain ?? (i.Chains.Count == 1 ? i.Chains[0] : Several)) == chain).ToList();
                    var losses = _measured[i.Id].Where(m => m.Chain == chain).ToList();
                    var touches = i.Chains.Contains(chain) || losses.Count > 0 || ownReports.Count > 0;
                    if (!touches)
                    {
                        continue;
                    }

                    count++;
                    foreach (var s in reported)
                    {
                        var any = false;
                        foreach (var r in ownReports.Where(r => r.Fiat == s.Fiat))
                        {
                            s.AddKnown(r.Amount, r.Source, r.Converted?.Date ?? i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                            any = true;
                        }

                        if (!any && chain != Several)
                        {
                            s.AddUnknown();
                        }
                    }

                    foreach (var m in losses)
                    {
                        amounts.Add(m.Chain, m.Asset, m.Amount);
                        AddValues(fiat, m.Values);
                    }

                    if (losses.Count == 0 && chain != Several)
                    {
                        foreach (var s in fiat)
                        {
                            s.AddUnknown();
                        }
                    }
                }

                var row = new BreakdownRow(chain, count, Done(reported), amounts.ToList(), Done(fiat), null);
                rows.Add(row with { Share = Shares.Of(Basis(row), whole) });
            }

            return Order(rows);
        }

        public void BasisNotes(IReadOnlyList<IncidentLine> lines, List<string> notes)
        {
            var fiat = _p.Fiats[0];
            var missing = lines.Where(l => BasisOf(l).Amount is null).Select(l => l.Incident.Id).ToList();
            if (missing.Count > 0)
            {
                notes.Add($"{missing.Count.ToString(CultureInfo.InvariantCulture)} incident(s) have no {(_p.ShareBasis == ShareBasis.Reported ? "reported" : "measured")} {fiat} value and are left out of the shares (shown as unknown): {string.Join(", ", missing)}.");
            }

            var partial = lines.Where(l => BasisOf(l).IsLowerBound).Select(l => l.Incident.Id).ToList();
            if (partial.Count > 0)
            {
                notes.Add($"{partial.Count.ToString(CultureInfo.InvariantCulture)} incident(s) have a {fiat} value for only part of the stolen assets (a lower bound, marked ≥): {string.Join(", ", partial)}.");
            }
        }

        public List<FlowRow> Group(IReadOnlyList<TraceFlows.Terminal> terminals, Func<TraceFlows.Terminal, string> key, decimal? whole = null)
        {
            if (whole is null)
            {
                var total = new FiatSum(_p.Fiats[0]);
                foreach (var t in terminals)
                {
                    total.AddFrom(t.Edge.Values);
                }

                whole = total.ToAmount().Amount;
            }

            return
            [
                .. terminals.GroupBy(key, StringComparer.Ordinal).Select(g =>
                {
                    var amounts = new AssetSum();
                    var values = NewSums();
                    foreach (var t in g)
                    {
                        amounts.Add(t.Edge.Chain, t.Edge.Asset, t.Edge.Tainted);
                        AddValues(values, t.Edge.Values);
                    }

                    var v = Done(values);
                    return new FlowRow(g.Key, g.Count(), amounts.ToList(), v, Shares.Of(v[0].Amount, whole));
                }).OrderBy(r => r.Values[0].Amount is null ? 1 : 0).ThenByDescending(r => r.Values[0].Amount ?? 0m).ThenBy(r => r.Key, StringComparer.Ordinal),
            ];
        }

        public FreezeCandidate Candidate(string kind, string where, string chain, string asset, string? country, IEnumerable<TraceFlows.Terminal> group)
        {
            var list = group.ToList();
            var values = NewSums();
            var amount = UInt256.Zero;
            foreach (var t in list)
            {
                amount += t.Edge.Tainted;
                AddValues(values, t.Edge.Values);
            }

            return new FreezeCandidate(kind, where, chain, asset, country, amount, Done(values), list.Min(t => t.Edge.Time));
        }

        public FlowData Flows(IReadOnlyList<IncidentLine> lines, Func<IncidentLine, string> victim, Func<IncidentLine, string> actor)
        {
            var fiat = _p.Fiats[0];
            var sums = new SortedDictionary<(int, string, string), decimal>();
            var unpriced = 0;
            var untraced = new List<string>();
            foreach (var l in lines)
            {
                var results = _traces[l.Incident.Id].ToList();
                if (results.Count == 0)
                {
                    untraced.Add(l.Incident.Id);
                    continue;
                }

                foreach (var t in results.SelectMany(r => TraceFlows.Terminals(r, IsStablecoin)))
                {
                    var v = t.Edge.Values.FirstOrDefault(x => x.Fiat == fiat);
                    if (v is null)
                    {
                        unpriced++;
                        continue;
                    }

                    if (v.Amount == 0m)
                    {
                        continue;
                    }

                    Add(sums, (0, victim(l), actor(l)), v.Amount);
                    Add(sums, (1, actor(l), t.Technique), v.Amount);
                    Add(sums, (2, t.Technique, t.Endpoint), v.Amount);
                }
            }

            return new FlowData(fiat, ["Victim", "Actor", "Laundering", "Cash-out / end"],
                [.. sums.Select(kv => new FlowLink(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value))], unpriced, untraced);
        }

        private static void Add(SortedDictionary<(int, string, string), decimal> sums, (int, string, string) key, decimal v) =>
            sums[key] = sums.GetValueOrDefault(key) + v;

        public Methodology Methodology(string subject, IReadOnlyList<IncidentLine> lines)
        {
            var parameters = new List<MethodParameter>
            {
                new("report", subject),
                new("period", $"{(_p.From is { } f ? f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "open")} … {(_p.To is { } t ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "open")} (incident dates, inclusive)"),
                new("fiats", string.Join(", ", _p.Fiats)),
                new("share basis", $"{(_p.ShareBasis == ShareBasis.Reported ? "reported loss" : "measured on-chain loss")} in {_p.Fiats[0]}"),
                new("freezable categories", string.Join(", ", _p.FreezableCategories.Order(StringComparer.Ordinal))),
            };
            if (_p.Generator is { } g)
            {
                parameters.Add(new("generator", g));
            }

            if (_p.GeneratedAt is { } at)
            {
                parameters.Add(new("generated at", at));
            }

            // Trace parameters: one block per distinct option set, naming the incidents and chains it was used for.
            var runs = lines.SelectMany(l => _traces[l.Incident.Id].Select(r => (l.Incident.Id, Result: r))).ToList();
            var groups = runs.GroupBy(r => string.Join("\n", Describe(r.Result.Options).Select(p => p.Name + "=" + p.Value)), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            for (var k = 0; k < groups.Count; k++)
            {
                var prefix = groups.Count == 1 ? "trace" : $"trace set {(k + 1).ToString(CultureInfo.InvariantCulture)}";
                var used = groups[k].Select(r => $"{r.Id} ({string.Join("+", r.Result.Seeds.Select(s => s.Chain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))})")
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                parameters.Add(new(prefix + ": used for", string.Join(", ", used)));
                parameters.AddRange(Describe(groups[k].First().Result.Options).Select(p => new MethodParameter(prefix + ": " + p.Name, p.Value)));
            }

            if (runs.Count > 0)
            {
                var seeds = runs.SelectMany(r => r.Result.Seeds).ToList();
                parameters.Add(new("trace seeds", string.Join("; ", seeds.Select(s => $"{s.Chain} {s.Kind.ToString().ToLowerInvariant()} {s.Value}{(s.Hop > 0 ? " from hop " + s.Hop.ToString(CultureInfo.InvariantCulture) : "")}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))));
            }

            // Price sources actually used by the values in this report.
            var prices = new Dictionary<(string, string, string), (string First, string Last, int N)>();
            void Use(FiatValue v)
            {
                var key = (v.Asset, v.Fiat, v.Source);
                prices[key] = prices.TryGetValue(key, out var cur)
                    ? (string.CompareOrdinal(v.PriceDate, cur.First) < 0 ? v.PriceDate : cur.First, string.CompareOrdinal(v.PriceDate, cur.Last) > 0 ? v.PriceDate : cur.Last, cur.N + 1)
                    : (v.PriceDate, v.PriceDate, 1);
            }

            foreach (var l in lines)
            {
                foreach (var v in _measured[l.Incident.Id].SelectMany(m => m.Values))
                {
                    Use(v);
                }

                foreach (var v in _traces[l.Incident.Id].SelectMany(r => r.Edges).SelectMany(e => e.Values))
                {
                    Use(v);
                }

                foreach (var v in l.Incident.Reported.Where(r => r.Converted is not null && _p.Fiats.Contains(r.Fiat)).SelectMany(r => r.Converted!.Legs))
                {
                    Use(v);
                }
            }

            var priceUses = prices.Select(kv => new PriceSourceUse(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.First, kv.Value.Last, kv.Value.N))
                .OrderBy(p => p.Asset, StringComparer.Ordinal).ThenBy(p => p.Fiat, StringComparer.Ordinal).ThenBy(p => p.Source, StringComparer.Ordinal).ToList();
            var sources = _p.Sources.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Edition ?? "", StringComparer.Ordinal).ToList();
            var measuredMethods = lines.SelectMany(l => _measured[l.Incident.Id]).Select(m => m.Method).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var converted = lines.SelectMany(l => l.Incident.Reported.Where(r => r.Converted is not null && _p.Fiats.Contains(r.Fiat)).Select(r => (l.Incident, Figure: r)))
                .OrderBy(x => x.Incident.Date).ThenBy(x => x.Incident.Id, StringComparer.Ordinal).ThenBy(x => x.Figure.Chain ?? "", StringComparer.Ordinal)
                .ThenBy(x => x.Figure.Fiat, StringComparer.Ordinal).ToList();
            var text = new List<string>
            {
                converted.Count > 0
                    ? "Reported loss: the fiat figure of the incident's source, as given; a currency the source did not give is converted (below) or unknown."
                    : "Reported loss: the fiat figure of the incident's source, as given (not converted between currencies; a currency the source did not give is unknown).",
                "Measured loss: on-chain amounts in base units (integers), valued at the price of the theft day; a value without a price is unknown, and a total with unknown parts is a lower bound (≥).",
                $"Shares: exact decimal quotients of {(_p.ShareBasis == ShareBasis.Reported ? "reported" : "measured")} {_p.Fiats[0]} values; incidents whose value is unknown are left out of numerator and denominator.",
                "Flow chart and endpoints: tainted value of every terminal trace edge (service reached, mixer, CoinJoin, unspent, fees, stop rules), valued at the time it ended; the laundering column is the strongest technique on any tainted path into it (mixer > CoinJoin > bridge > swap > none).",
            };
            if (converted.Count > 0)
            {
                text.Add("Converted reported loss: a currency the source did not give is the given figure × the exchange rate of the incident date, rounded to the currency's minor unit; the rate comes from the price series (a series of the currency itself, else a coin priced in both: JPY per USD = coin-JPY ÷ coin-USD; its prices are listed under price sources). Without a rate the figure is unknown.");
                text.AddRange(converted.Select(x => $"Conversion: {x.Incident.Id}{(x.Figure.Chain is { } c ? " (" + c + ")" : "")} {x.Figure.Converted!.From} → {x.Figure.Fiat} at {x.Figure.Converted.Rate.ToString(CultureInfo.InvariantCulture)} {x.Figure.Fiat} per {x.Figure.Converted.From} of {x.Figure.Converted.Date} ({x.Figure.Converted.Source})"));
            }

            text.AddRange(measuredMethods.Select(m => "Measurement: " + m));
            return new Methodology(parameters, sources, priceUses, text);
        }
    }
}
