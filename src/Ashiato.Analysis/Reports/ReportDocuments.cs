namespace Ashiato.Analysis.Reports;

/// <summary>Lays out the typed reports as <see cref="ReportDocument"/>s: sections, tables with stable column ids, charts.</summary>
public static class ReportDocuments
{
    public static ReportDocument From(TheftsReport r)
    {
        var p = r.Parameters;
        var basis = BasisName(p);
        var sections = new List<ReportSection>
        {
            new("by-country", "Stolen by victim country", $"Country of the victim service. Share = share of all stolen value in the period ({basis}).",
                new BarChart($"By victim country — {basis}", Items(r.ByCountry, p)), Breakdown("by_country", "victim country", r.ByCountry, p)),
            new("by-year", "Stolen by year", $"Year of the incident. Share of the period's total ({basis}).",
                new ColumnChart($"By year — {basis}", Items(r.ByYear, p)), Breakdown("by_year", "year", r.ByYear, p)),
            new("by-actor", "Stolen by actor", "Attributed actor of the incident (as the incident source attributes it).",
                new BarChart($"By actor — {basis}", Items(r.ByActor, p)), Breakdown("by_actor", "actor", r.ByActor, p)),
            new("by-victim-type", "Stolen by victim type", $"Type of the victim (exchange, DeFi protocol, bridge…). DeFi share: {ReportFormat.Share(r.DefiShare)}.",
                null, Breakdown("by_victim_type", "victim type", r.ByVictimType, p)),
            new("by-chain", "Stolen by chain", "Measured amounts per chain and asset (base units summed exactly) beside the reported figures.",
                null, Breakdown("by_chain", "chain", r.ByChain, p)),
            new("flows", "Flow of stolen value", FlowDescription(r.Flows), new SankeyChart("Victim country → actor → laundering → cash-out", r.Flows), FlowTable(r.Flows)),
            new("incidents", "Incidents", null, null, Incidents(r.Incidents, p)),
        };
        var figures = new List<KeyFigure>
        {
            new("Incidents", new CountCell(r.Totals.Incidents)),
        };
        figures.AddRange(r.Totals.Reported.Select(f => new KeyFigure("Reported loss (" + f.Fiat + ")", new FiatCell(f))));
        figures.AddRange(r.Totals.MeasuredFiat.Select(f => new KeyFigure("Measured loss (" + f.Fiat + ")", new FiatCell(f))));
        figures.Add(new("DeFi share", new ShareCell(r.DefiShare)));
        return new ReportDocument("thefts", "all incidents", "Stolen crypto-assets by country, year, actor and victim type", Period(p),
            figures, sections, r.Notes, r.Methodology, p.Assets);
    }

    public static ReportDocument From(ActorReport r)
    {
        var p = r.Parameters;
        var basis = BasisName(p);
        var name = r.Actor.Label ?? r.Actor.Id;
        var sections = new List<ReportSection>
        {
            new("by-country", "Where the money came from: victim country",
                $"Share = share of {name}'s total; of all = of everything stolen in the period; of country = of everything stolen from that country ({basis}).",
                new BarChart($"{name}: by victim country — {basis}", Items(r.ByCountry, p)), Breakdown("by_country", "victim country", r.ByCountry, p, "share_of_country")),
            new("by-year", "By year", null, new ColumnChart($"{name}: by year — {basis}", Items(r.ByYear, p)), Breakdown("by_year", "year", r.ByYear, p, "share_of_year")),
            new("by-victim-type", "By victim type", null, null, Breakdown("by_victim_type", "victim type", r.ByVictimType, p, "share_of_type")),
            new("by-chain", "By chain", null, null, Breakdown("by_chain", "chain", r.ByChain, p)),
            new("flows", "Flow of stolen value", FlowDescription(r.Flows), new SankeyChart("Victim country → actor → laundering → cash-out", r.Flows), FlowTable(r.Flows)),
            new("incidents", "Incidents attributed to " + name, null, null, Incidents(r.Incidents, p)),
        };
        if (r.Backtrace is { } b)
        {
            var how = $"Measured without the incidents: a backward trace (haircut, ≤ 20 hops, stop at exchanges, OTC brokers, DeFi contracts, mixers and CoinJoins, bridges followed) from the {b.Seeds} address(es) attributed to {name} on the chains in the store, {b.Edges:N0} edges" +
                (b.Partial ? $" — partial: {b.PartialReason}" : "") + ". Value by where it was traced back to; share of the traced value in " + p.Fiats[0] + ".";
            sections.Add(new("backtrace-entity", "Where the actor's addresses got their money: by source", how,
                new BarChart($"{name}: traced back to — {p.Fiats[0]}", [.. b.ByEntity.Where(x => x.Values[0].Amount is not null).Select(x => new ChartItem(x.Key, x.Values[0]))]),
                BacktraceTable("backtrace_by_entity", "source", b.ByEntity, p)));
            sections.Add(new("backtrace-country", "Where the actor's addresses got their money: by source country", "The same backward trace, by the country of the source service (unknown when the source is not attributed).",
                null, BacktraceTable("backtrace_by_country", "country", b.ByCountry, p)));
        }

        var figures = new List<KeyFigure>
        {
            new("Incidents", new CountCell(r.ActorTotals.Incidents)),
            new("Addresses attributed", new CountCell(r.Actor.TaggedAddresses)),
        };
        figures.AddRange(r.ActorTotals.Reported.Select(f => new KeyFigure("Reported loss (" + f.Fiat + ")", new FiatCell(f))));
        figures.AddRange(r.ActorTotals.MeasuredFiat.Select(f => new KeyFigure("Measured loss (" + f.Fiat + ")", new FiatCell(f))));
        figures.Add(new("Share of all stolen in the period", new ShareCell(r.ShareOfAll)));
        return new ReportDocument("actor", r.Actor.Id, "Actor report: " + name, Period(p), figures, sections, r.Notes, r.Methodology, p.Assets);
    }

    private static ReportTable BacktraceTable(string id, string keyTitle, IReadOnlyList<BacktraceRow> rows, ReportParameters p) =>
        new(id, [new("key", char.ToUpperInvariant(keyTitle[0]) + keyTitle[1..]), new("tainted", "Traced back", true), .. FiatColumns("value", "Value", p), new("share", "Share", true)],
            [.. rows.Select(x => (IReadOnlyList<Cell>)[new TextCell(x.Key), new AmountsCell(x.Tainted), .. x.Values.Select(v => new FiatCell(v)), new ShareCell(x.Share)])]);

    public static ReportDocument From(IncidentReport r)
    {
        var p = r.Parameters;
        var i = r.Incident.Incident;
        var fiat = p.Fiats[0];
        var sections = new List<ReportSection>
        {
            new("theft-transactions", "Theft transactions", "The incident's transactions, with the tainted value the trace saw leave them.", null,
                new ReportTable("theft_transactions",
                    [new("chain", "Chain"), new("tx", "Transaction"), new("time", "Time"), new("tainted", "Tainted out", true), .. FiatColumns("value", "Value", p), new("in_trace", "In trace")],
                    [.. r.TheftTransactions.Select(t => (IReadOnlyList<Cell>)[new TextCell(t.Chain), new TextCell(t.Tx), new TimeCell(t.Time), new AmountsCell(t.Tainted), .. t.Values.Select(v => new FiatCell(v)), new TextCell(t.InTrace ? "yes" : "no")])])),
            new("path", "Laundering path by hop", "Every traced edge by hop from the theft: tainted value moved (the same value counts again at each hop) and the rules met.", null,
                new ReportTable("path",
                    [new("hop", "Hop", true), new("edges", "Edges", true), new("transactions", "Transactions", true), new("tainted", "Tainted", true), .. FiatColumns("value", "Value", p), new("rules", "Rules")],
                    [.. r.Path.Select(h => (IReadOnlyList<Cell>)[new CountCell(h.Hop), new CountCell(h.Edges), new CountCell(h.Transactions), new AmountsCell(h.Tainted), .. h.Values.Select(v => new FiatCell(v)), new TextCell(string.Join(", ", h.Rules))])])),
            new("endpoints", "Where the value ended", $"Terminal edges by endpoint class; share of all value that ended ({fiat}, at the time it ended).",
                new BarChart("Where the value ended — " + fiat, [.. r.Endpoints.Select(e => new ChartItem(e.Key, e.Values[0]))]), FlowRows("endpoints", "endpoint", r.Endpoints, p)),
            new("cash-out", "Cash-out points by service", "Services where the tainted value arrived (deposits), with first and last arrival.", null,
                new ReportTable("cash_out",
                    [new("entity", "Entity"), new("name", "Name"), new("category", "Category"), new("country", "Country"), new("deposits", "Deposits", true), new("tainted", "Tainted", true), .. FiatColumns("value", "Value", p), new("first", "First"), new("last", "Last"), new("share", "Share", true)],
                    [.. r.CashOut.Select(c => (IReadOnlyList<Cell>)[new TextCell(c.Entity), new TextCell(c.Name), new TextCell(c.Category), new TextCell(c.Country), new CountCell(c.Deposits), new AmountsCell(c.Tainted), .. c.Values.Select(v => new FiatCell(v)), new TimeCell(c.First), new TimeCell(c.Last), new ShareCell(c.Share)])])),
            new("cash-out-country", "Cash-out by country", $"Country of the service reached; share of all value that ended ({fiat}).",
                new BarChart("Cash-out by service country — " + fiat, [.. r.CashOutByCountry.Select(e => new ChartItem(e.Key, e.Values[0]))]), FlowRows("cash_out_by_country", "country", r.CashOutByCountry, p)),
            new("timeline", "Timeline", "Per day (UTC): traced edges and events; value = tainted value that ended that day.",
                null,
                new ReportTable("timeline",
                    [new("day", "Day"), new("edges", "Edges", true), new("events", "Events"), .. FiatColumns("ended", "Ended", p)],
                    [.. r.Timeline.Select(t => (IReadOnlyList<Cell>)[new DateCell(t.Day), new CountCell(t.Edges), new TextCell(string.Join("; ", t.Events)), .. t.Values.Select(v => new FiatCell(v))])])),
            new("may-be-frozen", "What may still be frozen", "Value that reached a custodial service (the service can freeze the deposit) or rests unspent in a stablecoin whose issuer can freeze it. Candidates as of the trace, not confirmed balances.", null,
                new ReportTable("may_be_frozen",
                    [new("kind", "Kind"), new("where", "Where"), new("chain", "Chain"), new("asset", "Asset"), new("country", "Country"), new("amount", "Amount", true), .. FiatColumns("value", "Value", p), new("since", "Since")],
                    [.. r.MayBeFrozen.Select(f => (IReadOnlyList<Cell>)[new TextCell(f.Kind), new TextCell(f.Where), new TextCell(f.Chain), new TextCell(f.Asset), new TextCell(f.Country), new AmountsCell([new AssetAmount(f.Chain, f.Asset, f.Amount)]), .. f.Values.Select(v => new FiatCell(v)), new TimeCell(f.Since)])])),
            new("flows", "Flow of stolen value", FlowDescription(r.Flows), new SankeyChart("Victim → actor → laundering → cash-out", r.Flows), FlowTable(r.Flows)),
        };
        var figures = new List<KeyFigure>
        {
            new("Date", new DateCell(i.Date)),
            new("Victim", new TextCell(i.VictimName ?? "unknown")),
            new("Victim country", new TextCell(ReportBuilder.Country(i))),
            new("Victim type", new TextCell(ReportBuilder.TypeKey(i))),
            new("Actor", new TextCell(i.Actor ?? ReportBuilder.Unattributed)),
        };
        figures.AddRange(r.Incident.Reported.Select(f => new KeyFigure("Reported loss (" + f.Fiat + ")", new FiatCell(f))));
        figures.Add(new("Measured loss", new AmountsCell(r.Incident.Measured)));
        figures.AddRange(r.Incident.MeasuredFiat.Select(f => new KeyFigure("Measured loss (" + f.Fiat + ")", new FiatCell(f))));
        return new ReportDocument("incident", i.Id, "Incident report: " + i.Title, i.Id + (i.Source is null ? "" : " — source: " + i.Source),
            figures, sections, r.Notes, r.Methodology, p.Assets);
    }

    private static string BasisName(ReportParameters p) => (p.ShareBasis == ShareBasis.Reported ? "reported " : "measured ") + p.Fiats[0];

    private static string Period(ReportParameters p) =>
        "Incidents " + (p.From is { } f ? ReportFormat.Day(f) : "from the first") + " to " + (p.To is { } t ? ReportFormat.Day(t) : "the last") +
        (p.GeneratedAt is { } at ? " — generated " + at : "");

    private static IReadOnlyList<ChartItem> Items(IReadOnlyList<BreakdownRow> rows, ReportParameters p) =>
        [.. rows.Select(r => new ChartItem(r.Key, p.ShareBasis == ShareBasis.Reported ? r.Reported[0] : r.MeasuredFiat[0]))];

    private static IEnumerable<ReportColumn> FiatColumns(string id, string title, ReportParameters p) =>
        p.Fiats.Select(f => new ReportColumn(id + "_" + f.ToLowerInvariant(), title + " (" + f + ")", true, true));

    private static ReportTable Breakdown(string id, string keyTitle, IReadOnlyList<BreakdownRow> rows, ReportParameters p, string? shareOfKeyId = null)
    {
        var columns = new List<ReportColumn> { new("key", char.ToUpperInvariant(keyTitle[0]) + keyTitle[1..]), new("incidents", "Incidents", true) };
        columns.AddRange(FiatColumns("reported", "Reported", p));
        columns.Add(new("measured", "Measured on-chain", true));
        columns.AddRange(FiatColumns("measured", "Measured", p));
        columns.Add(new("share", "Share", true));
        var withAll = rows.Any(r => r.ShareOfAll is not null) || shareOfKeyId is not null;
        if (withAll)
        {
            columns.Add(new("share_of_all", "Of all", true));
        }

        if (shareOfKeyId is not null)
        {
            columns.Add(new(shareOfKeyId, "Of " + keyTitle, true));
        }

        return new ReportTable(id, columns, [.. rows.Select(r =>
        {
            var cells = new List<Cell> { new TextCell(r.Key), new CountCell(r.Incidents) };
            cells.AddRange(r.Reported.Select(v => new FiatCell(v)));
            cells.Add(new AmountsCell(r.Measured));
            cells.AddRange(r.MeasuredFiat.Select(v => new FiatCell(v)));
            cells.Add(new ShareCell(r.Share));
            if (withAll)
            {
                cells.Add(new ShareCell(r.ShareOfAll));
            }

            if (shareOfKeyId is not null)
            {
                cells.Add(new ShareCell(r.ShareOfKey));
            }

            return (IReadOnlyList<Cell>)cells;
        })]);
    }

    private static ReportTable FlowRows(string id, string keyTitle, IReadOnlyList<FlowRow> rows, ReportParameters p) =>
        new(id,
            [new("key", char.ToUpperInvariant(keyTitle[0]) + keyTitle[1..]), new("edges", "Edges", true), new("tainted", "Tainted", true), .. FiatColumns("value", "Value", p), new("share", "Share", true)],
            [.. rows.Select(r => (IReadOnlyList<Cell>)[new TextCell(r.Key), new CountCell(r.Edges), new AmountsCell(r.Tainted), .. r.Values.Select(v => new FiatCell(v)), new ShareCell(r.Share)])]);

    private static ReportTable Incidents(IReadOnlyList<IncidentLine> lines, ReportParameters p)
    {
        var columns = new List<ReportColumn>
        {
            new("id", "Id"), new("date", "Date"), new("victim", "Victim"), new("country", "Country"), new("victim_type", "Type"), new("actor", "Actor"),
        };
        columns.AddRange(FiatColumns("reported", "Reported", p));
        columns.Add(new("measured", "Measured on-chain", true));
        columns.AddRange(FiatColumns("measured", "Measured", p));
        columns.Add(new("traced", "Traced"));
        columns.Add(new("source", "Source"));
        return new ReportTable("incidents", columns, [.. lines.Select(l =>
        {
            var i = l.Incident;
            var cells = new List<Cell>
            {
                new TextCell(i.Id), new DateCell(i.Date), new TextCell(i.VictimName), new TextCell(ReportBuilder.Country(i)),
                new TextCell(ReportBuilder.TypeKey(i)), new TextCell(i.Actor ?? ReportBuilder.Unattributed),
            };
            cells.AddRange(l.Reported.Select(v => new FiatCell(v)));
            cells.Add(new AmountsCell(l.Measured));
            cells.AddRange(l.MeasuredFiat.Select(v => new FiatCell(v)));
            cells.Add(new TextCell(l.Traced ? "yes" : "no"));
            cells.Add(new TextCell(i.Source));
            return (IReadOnlyList<Cell>)cells;
        })]);
    }

    private static string FlowDescription(FlowData f)
    {
        var text = $"Tainted value of every terminal trace edge in {f.Fiat} at the time it ended. Laundering = the strongest technique on any tainted path into the endpoint.";
        if (f.UnpricedFlows > 0)
        {
            text += $" {f.UnpricedFlows} flow(s) without a {f.Fiat} price are not drawn.";
        }

        if (f.UntracedIncidents.Count > 0)
        {
            text += " Not traced (not drawn): " + string.Join(", ", f.UntracedIncidents) + ".";
        }

        return text;
    }

    private static ReportTable FlowTable(FlowData f) =>
        new("flows",
            [new("stage", "Stage"), new("source", "From"), new("target", "To"), new("value_" + f.Fiat.ToLowerInvariant(), "Value (" + f.Fiat + ")", true, true)],
            [.. f.Links.Select(l => (IReadOnlyList<Cell>)[new TextCell(f.Columns[l.SourceColumn] + " → " + f.Columns[l.SourceColumn + 1]), new TextCell(l.Source), new TextCell(l.Target),
                new FiatCell(new FiatAmount(f.Fiat, l.Value, 1, 0, [], null, null))])]);
}
