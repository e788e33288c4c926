using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Reports.Rendering;
using Ashiato.Core;
using static Ashiato.Analysis.Tests.Reports.ReportFixture;

namespace Ashiato.Analysis.Tests.Reports;

public sealed class ReportBuilderTests
{
    private static TheftsReport Thefts() => ReportBuilder.BuildThefts(Incidents, Measured, Traces, Parameters);

    private static BreakdownRow Row(IReadOnlyList<BreakdownRow> rows, string key) => Assert.Single(rows, r => r.Key == key);

    [Fact]
    public void Thefts_totals_add_reported_and_measured_values_and_mark_unknown_parts()
    {
        var r = Thefts();
        Assert.Equal(5, r.Totals.Incidents); // the 2016 incident is outside the period
        var usd = r.Totals.Reported[0];
        Assert.Equal(1_500_000_000m, usd.Amount);
        Assert.Equal(4, usd.KnownParts);
        Assert.Equal(1, usd.UnknownParts); // inc-2022-hk reported nothing
        Assert.True(usd.IsLowerBound);
        Assert.Equal(55_000_000_000m, r.Totals.Reported[1].Amount); // only inc-2018-jp reported JPY
        Assert.Equal(4, r.Totals.Reported[1].UnknownParts);

        Assert.Equal(362_765_000m, r.Totals.MeasuredFiat[0].Amount);
        Assert.Equal(2, r.Totals.MeasuredFiat[0].UnknownParts); // inc-2020-us not measured; inc-2022-hk measured on bitcoin only, not on sim-evm
        Assert.True(r.Incidents.Single(l => l.Incident.Id == "inc-2022-hk").MeasuredFiat[0].IsLowerBound);
        Assert.Equal(39_000_000_000m, r.Totals.MeasuredFiat[1].Amount);
        Assert.Equal(["sim-prices"], r.Totals.MeasuredFiat[0].Sources);
        Assert.Equal("2018-01-26", r.Totals.MeasuredFiat[0].FirstDate);
        Assert.Equal("2022-06-24", r.Totals.MeasuredFiat[0].LastDate);

        // on-chain amounts stay integers in base units, per chain and asset
        Assert.Equal(
            [new AssetAmount("bitcoin", "BTC", Btc(5352)), new AssetAmount("sim-evm", Usdt, new UInt256(5_000_000_000_000)), new AssetAmount("sim-evm", "ETH", Eth(100_000))],
            r.Totals.Measured); // chain, then asset id (ordinal: "0x…" before "ETH")
        Assert.Equal("100000000000000000000000", r.Totals.Measured[2].Amount.ToString());
    }

    [Fact]
    public void Thefts_shares_are_exact_decimals_of_the_reported_basis_ordered_by_value_then_key()
    {
        var r = Thefts();
        Assert.Equal(["unknown", "JP", "KR", "US", "HK"], r.ByCountry.Select(x => x.Key));
        Assert.Equal(0.4m, Row(r.ByCountry, "unknown").Share); // 600 / 1500
        Assert.Equal(0.3333333333333333333333333333m, Row(r.ByCountry, "JP").Share); // 500 / 1500
        Assert.Equal(0.2m, Row(r.ByCountry, "KR").Share);
        Assert.Null(Row(r.ByCountry, "HK").Share); // nothing reported: unknown, not zero
        Assert.Null(Row(r.ByCountry, "HK").Reported[0].Amount);

        Assert.Equal(["2018", "2019", "2020", "2022"], r.ByYear.Select(x => x.Key)); // chronological
        Assert.Equal(2, Row(r.ByYear, "2022").Incidents);
        Assert.Equal(600_000_000m, Row(r.ByYear, "2022").Reported[0].Amount);
        Assert.True(Row(r.ByYear, "2022").Reported[0].IsLowerBound);

        Assert.Equal(["lazarus", "LazarusGroup", "silent-kraken", "unattributed"], r.ByActor.Select(x => x.Key));
        Assert.Equal(0.7333333333333333333333333333m, Row(r.ByActor, "lazarus").Share); // 1100 / 1500

        Assert.Equal(["exchange", "defi"], r.ByVictimType.Select(x => x.Key)); // 900 m before 600 m
        Assert.Equal(0.4m, r.DefiShare);
        Assert.Equal(0.6m, Row(r.ByVictimType, "exchange").Share); // 900 / 1500; HK unknown
    }

    [Fact]
    public void Thefts_by_chain_keeps_measured_amounts_per_chain_and_unsplit_reports_apart()
    {
        var r = Thefts();
        var btc = Row(r.ByChain, "bitcoin");
        Assert.Equal(4, btc.Incidents);
        Assert.Equal(900_000_000m, btc.Reported[0].Amount); // 500 + 300 + 100 (single-chain incidents)
        Assert.Equal([new AssetAmount("bitcoin", "BTC", Btc(5352))], btc.Measured);
        Assert.Equal(57_765_000m, btc.MeasuredFiat[0].Amount); // 55 m + 2.565 m + 0.2 m
        var evm = Row(r.ByChain, "sim-evm");
        Assert.Equal(305_000_000m, evm.MeasuredFiat[0].Amount);
        Assert.Equal(600_000_000m, evm.Reported[0].Amount);
        Assert.Equal(0.4m, evm.Share);
    }

    [Fact]
    public void Missing_price_is_unknown_never_zero()
    {
        var r = Thefts();
        var us = Assert.Single(r.Incidents, l => l.Incident.Id == "inc-2020-us");
        Assert.All(us.MeasuredFiat, f => Assert.Null(f.Amount));
        Assert.Empty(us.Measured);
        var kr = Assert.Single(r.Incidents, l => l.Incident.Id == "inc-2019-kr");
        Assert.Equal(2_565_000m, kr.MeasuredFiat[0].Amount);
        Assert.Null(kr.MeasuredFiat[1].Amount); // no BTC-JPY price given
        Assert.Equal("unknown", ReportFormat.Fiat(kr.MeasuredFiat[1]));
        var defi = Assert.Single(r.Incidents, l => l.Incident.Id == "inc-2022-defi");
        Assert.Equal(33_000_000_000m, defi.MeasuredFiat[1].Amount);
        Assert.True(defi.MeasuredFiat[1].IsLowerBound); // the USDT has no JPY price
        Assert.Equal("≥ JPY 33,000,000,000", ReportFormat.Fiat(defi.MeasuredFiat[1]));

        // and the renderers say so
        var doc = ReportDocuments.From(r);
        Assert.Contains("| inc-2020-us | 2020-09-25 | Liberty Digital | US | exchange | silent-kraken | USD 100,000,000.00 | unknown | – | unknown | unknown |",
            MarkdownRenderer.Render(doc), StringComparison.Ordinal);
        Assert.Contains("inc-2020-us,2020-09-25,Liberty Digital,US,exchange,silent-kraken,100000000,known,", CsvRenderer.Table(doc.Sections.Single(s => s.Id == "incidents").Table!), StringComparison.Ordinal);
        Assert.Contains(",unknown,unknown,,,unknown,unknown,,unknown,unknown,,no,", CsvRenderer.Table(doc.Sections.Single(s => s.Id == "incidents").Table!), StringComparison.Ordinal);
    }

    [Fact]
    public void Measured_share_basis_uses_measured_values_and_leaves_unmeasured_incidents_out()
    {
        var r = ReportBuilder.BuildThefts(Incidents, Measured, Traces, Parameters with { ShareBasis = ShareBasis.Measured });
        Assert.Equal(305_000_000m / 362_765_000m, Row(r.ByVictimType, "defi").Share);
        Assert.Null(Row(r.ByCountry, "US").Share);
        Assert.Equal(["unknown", "JP", "KR", "HK", "US"], r.ByCountry.Select(x => x.Key));
        Assert.Contains(r.Notes, n => n.Contains("inc-2020-us", StringComparison.Ordinal) && n.Contains("left out of the shares", StringComparison.Ordinal));
    }

    [Fact]
    public void Actor_report_matches_aliases_and_gives_shares_of_actor_all_and_country()
    {
        var r = ReportBuilder.BuildActor(Lazarus, Incidents, Measured, Traces, Parameters);
        Assert.Equal(["inc-2018-jp", "inc-2019-kr", "inc-2022-defi"], r.Incidents.Select(l => l.Incident.Id)); // "LazarusGroup" is an alias
        Assert.Equal(1_400_000_000m, r.ActorTotals.Reported[0].Amount);
        Assert.False(r.ActorTotals.Reported[0].IsLowerBound);
        Assert.Equal(1_400_000_000m / 1_500_000_000m, r.ShareOfAll);

        Assert.Equal(["unknown", "JP", "KR"], r.ByCountry.Select(x => x.Key));
        var jp = Row(r.ByCountry, "JP");
        Assert.Equal(0.3571428571428571428571428571m, jp.Share); // 500 / 1400
        Assert.Equal(0.3333333333333333333333333333m, jp.ShareOfAll); // 500 / 1500
        Assert.Equal(1m, jp.ShareOfKey); // all of Japan's losses in the period
        Assert.Equal(0.4285714285714285714285714286m, Row(r.ByCountry, "unknown").Share); // 600 / 1400
        Assert.Equal(["2018", "2019", "2022"], r.ByYear.Select(x => x.Key));
        Assert.Equal(1m, Row(r.ByYear, "2022").ShareOfKey); // the other 2022 incident (HK) reported nothing: 600 / 600
        Assert.DoesNotContain(r.Notes, n => n.Contains("No address", StringComparison.Ordinal));
    }

    [Fact]
    public void Actor_without_addresses_or_incidents_gives_an_empty_report_with_notes()
    {
        var ghost = new ActorProfile("ghost", null, [], 0);
        var r = ReportBuilder.BuildActor(ghost, Incidents, Measured, Traces, Parameters);
        Assert.Empty(r.Incidents);
        Assert.Empty(r.ByCountry);
        Assert.Empty(r.ByYear);
        Assert.Empty(r.ByChain);
        Assert.Empty(r.Flows.Links);
        Assert.Equal(0, r.ActorTotals.Incidents);
        Assert.Null(r.ActorTotals.Reported[0].Amount);
        Assert.Null(r.ShareOfAll);
        Assert.Contains(r.Notes, n => n.StartsWith("No address is attributed to actor 'ghost'", StringComparison.Ordinal));
        Assert.Contains(r.Notes, n => n.StartsWith("No incident in the period is attributed to actor 'ghost'", StringComparison.Ordinal));

        // every renderer copes
        var doc = ReportDocuments.From(r);
        Assert.Contains("No address is attributed", MarkdownRenderer.Render(doc), StringComparison.Ordinal);
        Assert.Contains("No rows.", HtmlRenderer.Render(doc), StringComparison.Ordinal);
        Assert.Contains("\"rows\": []", JsonRenderer.Render(doc), StringComparison.Ordinal);
        Assert.Contains(CsvRenderer.Render(doc), f => f.Key == "by_country.csv" && f.Value == "key,incidents,reported_usd,reported_usd_status,reported_usd_source,reported_jpy,reported_jpy_status,reported_jpy_source,"
            + "measured,measured_usd,measured_usd_status,measured_usd_source,measured_jpy,measured_jpy_status,measured_jpy_source,share,share_of_all,share_of_country\n");
    }

    [Fact]
    public void Flows_follow_terminal_edges_by_technique_and_endpoint()
    {
        var r = ReportBuilder.BuildActor(Lazarus, Incidents, Measured, Traces, Parameters);
        var f = r.Flows;
        Assert.Equal(1, f.UnpricedFlows); // the fee edge has no price
        Assert.Equal(["inc-2019-kr"], f.UntracedIncidents);
        decimal V(int column, string source, string target) => Assert.Single(f.Links, l => l.SourceColumn == column && l.Source == source && l.Target == target).Value;
        Assert.Equal(55_880_000m, V(0, "JP", "Lazarus Group"));
        Assert.Equal(315_000_000m, V(0, "Country unknown", "Lazarus Group")); // 310 m bridged + 5 m USDT held
        Assert.Equal(12_000_000m, V(1, "Lazarus Group", TraceFlows.Mixer));
        Assert.Equal(28_880_000m, V(1, "Lazarus Group", TraceFlows.Direct)); // 23.88 m to the SG exchange + 5 m USDT held
        Assert.Equal(20_000_000m, V(1, "Lazarus Group", TraceFlows.CoinJoin));
        Assert.Equal(310_000_000m, V(1, "Lazarus Group", TraceFlows.Bridge));
        Assert.Equal(15_000_000m, V(2, TraceFlows.CoinJoin, "Exchange (US)"));
        Assert.Equal(5_000_000m, V(2, TraceFlows.CoinJoin, "Held (unspent)"));
        Assert.Equal(23_880_000m, V(2, TraceFlows.Direct, "Exchange (SG)"));
        Assert.Equal(5_000_000m, V(2, TraceFlows.Direct, "Held in stablecoin"));
        Assert.Equal(310_000_000m, V(2, TraceFlows.Bridge, "Bridge (release not found)"));

        // conservation at every middle node of the chart
        foreach (var node in f.Links.Where(l => l.SourceColumn == 1).Select(l => l.Target).Distinct())
        {
            Assert.Equal(f.Links.Where(l => l.SourceColumn == 1 && l.Target == node).Sum(l => l.Value), f.Links.Where(l => l.SourceColumn == 2 && l.Source == node).Sum(l => l.Value));
        }
    }

    [Fact]
    public void Incident_report_summarises_path_cash_out_timeline_and_freeze_candidates()
    {
        var inc = Incidents[0];
        var r = ReportBuilder.BuildIncident(inc, Measured, Traces, Parameters);
        var theft = Assert.Single(r.TheftTransactions);
        Assert.True(theft.InTrace);
        Assert.Equal([new AssetAmount("bitcoin", "BTC", Btc(5000))], theft.Tainted);
        Assert.Equal(55_000_000m, theft.Values[0].Amount);

        Assert.Equal([0, 1, 2, 3], r.Path.Select(h => h.Hop));
        var hop2 = r.Path[2];
        Assert.Equal(4, hop2.Edges);
        Assert.Equal(3, hop2.Transactions);
        Assert.Equal([new AssetAmount("bitcoin", "BTC", Btc(5000))], hop2.Tainted);
        Assert.Equal(58_880_000m, hop2.Values[0].Amount); // 12 + 23.88 + 23 m; the fee edge unknown
        Assert.True(hop2.Values[0].IsLowerBound);
        Assert.Equal(["coinjoin:haircut ×1", "fee ×1", "mixer:stop ×1", "stop:service ×1"], hop2.Rules);

        Assert.Equal(["orca", "liberty"], r.CashOut.Select(c => c.Entity));
        Assert.Equal(23_880_000m / 55_880_000m, r.CashOut[0].Share);
        Assert.Equal("SG", r.CashOut[0].Country);
        Assert.Equal(["SG", "US"], r.CashOutByCountry.Select(c => c.Key));
        Assert.Equal(["Exchange (SG)", "Exchange (US)", "Mixer (not followed)", "Held (unspent)", "Network fees"], r.Endpoints.Select(e => e.Key));
        Assert.Null(r.Endpoints[^1].Share); // fees: no price

        Assert.Equal([new DateOnly(2018, 1, 26), new DateOnly(2018, 1, 27), new DateOnly(2018, 2, 1), new DateOnly(2018, 2, 3), new DateOnly(2018, 3, 10)], r.Timeline.Select(t => t.Day));
        Assert.Contains("theft: 1 transaction(s)", r.Timeline[0].Events);
        Assert.Contains("reached Orca Exchange", r.Timeline[2].Events);
        Assert.Equal("–", ReportFormat.Fiat(r.Timeline[1].Values[0])); // nothing ended that day: not unknown, not zero
        Assert.Equal(35_880_000m, r.Timeline[2].Values[0].Amount);

        Assert.Equal(["Orca Exchange", "Liberty Digital"], r.MayBeFrozen.Select(m => m.Where));
        Assert.All(r.MayBeFrozen, m => Assert.StartsWith("at service", m.Kind, StringComparison.Ordinal));
        Assert.Null(r.MayBeFrozen[1].Values[1].Amount); // no JPY price for that deposit

        var defi = ReportBuilder.BuildIncident(Incidents[3], Measured, Traces, Parameters);
        var usdt = Assert.Single(defi.MayBeFrozen);
        Assert.Equal("stablecoin (issuer can freeze)", usdt.Kind);
        Assert.Equal(new UInt256(5_000_000_000_000), usdt.Amount);
        Assert.Equal("0xthief", usdt.Where);
    }

    [Fact]
    public void Incident_without_trace_says_so()
    {
        var r = ReportBuilder.BuildIncident(Incidents[2], Measured, Traces, Parameters);
        Assert.Empty(r.Path);
        Assert.Empty(r.CashOut);
        Assert.Empty(r.TheftTransactions); // the incident names no transaction
        Assert.Contains(r.Notes, n => n.StartsWith("No trace was run", StringComparison.Ordinal));
        Assert.All(r.Incident.MeasuredFiat, f => Assert.Equal("unknown", ReportFormat.Fiat(f)));
    }

    [Fact]
    public void Methodology_lists_parameters_sources_and_the_prices_used()
    {
        var r = ReportBuilder.BuildActor(Lazarus, Incidents, Measured, Traces, Parameters);
        var m = r.Methodology;
        string P(string name) => Assert.Single(m.Parameters, p => p.Name == name).Value;
        Assert.Equal("2017-01-01 … 2022-12-31 (incident dates, inclusive)", P("period"));
        Assert.Equal("reported loss in USD", P("share basis"));
        Assert.Equal("haircut", P("trace: taint model"));
        Assert.Equal("10", P("trace: max hops"));
        Assert.Equal("exchange, otc", P("trace: stop categories"));
        Assert.Equal("inc-2018-jp (bitcoin), inc-2022-defi (sim-evm)", P("trace: used for"));
        Assert.Equal(["incident-pack", "ofac-sdn", "tag-pack"], m.DataSources.Select(s => s.Kind));
        Assert.Equal("2025-11-19", m.DataSources[1].Edition);
        var btcUsd = Assert.Single(m.PriceSources, p => p.Asset == "BTC" && p.Fiat == "USD");
        Assert.Equal(("2018-01-26", "2019-11-27", "sim-prices"), (btcUsd.FirstDate, btcUsd.LastDate, btcUsd.Source));
        Assert.Equal(10, btcUsd.Values); // 2 measured + 8 priced trace edges
    }

    [Fact]
    public void Same_inputs_give_the_same_bytes_in_every_format()
    {
        string All()
        {
            var doc = ReportDocuments.From(ReportBuilder.BuildThefts([.. Incidents.Reverse()], [.. Measured.Reverse()], [.. Traces.Reverse()], Parameters));
            return MarkdownRenderer.Render(doc) + JsonRenderer.Render(doc) + HtmlRenderer.Render(doc) + string.Concat(CsvRenderer.Render(doc).Select(f => f.Key + f.Value));
        }

        var doc2 = ReportDocuments.From(Thefts());
        var forward = MarkdownRenderer.Render(doc2) + JsonRenderer.Render(doc2) + HtmlRenderer.Render(doc2) + string.Concat(CsvRenderer.Render(doc2).Select(f => f.Key + f.Value));
        Assert.Equal(forward, All());
    }
}
