using System.Globalization;
using System.Text;

namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>
/// Renders a report as one self-contained HTML file: inline CSS and SVG charts (bars, a timeline of columns, a Sankey laid
/// out by <see cref="SankeyLayout"/>), the tables and the methodology. No scripts, no external assets, no clock: the same
/// document gives the same bytes.
/// </summary>
public static class HtmlRenderer
{
    private const double ChartWidth = 1080;

    /// <summary>Colour-blind-safe categorical palette (Okabe–Ito, darkened slightly for print).</summary>
    private static readonly string[] _palette =
        ["#0b5394", "#e69f00", "#009e73", "#cc4c02", "#56b4e9", "#b4477a", "#7a6a00", "#4d4d4d", "#d55e00", "#1b7837"];

    private static readonly string[] _columnColours = ["#b03a2e", "#1f2d3d", "#6c3483", "#117a65"];

    private const string Css = """
        :root{--ink:#1d2733;--muted:#5b6775;--line:#d9dee4;--bg:#ffffff;--panel:#f5f7f9;--accent:#0b5394;--warn:#8a5a00;--warnbg:#fff7e6}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Noto Sans CJK JP",sans-serif}
        main{max-width:1200px;margin:0 auto;padding:32px 40px 56px}
        header{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:24px}
        .brand{font-size:12px;letter-spacing:.14em;text-transform:uppercase;color:var(--accent);font-weight:600}
        h1{font-size:26px;line-height:1.25;margin:6px 0 4px}
        .subtitle{color:var(--muted);margin:0}
        h2{font-size:19px;margin:36px 0 6px;padding-top:8px;border-top:1px solid var(--line)}
        h3{font-size:15px;margin:20px 0 6px}
        p.desc{color:var(--muted);margin:0 0 12px;max-width:880px}
        .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px;margin:0 0 8px}
        .figure{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
        .figure .label{font-size:12px;color:var(--muted)}
        .figure .value{font-size:18px;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-word}
        .notes{background:var(--warnbg);border-left:4px solid #e69f00;padding:10px 16px;margin:18px 0;color:var(--warn)}
        .notes ul{margin:4px 0;padding-left:18px}
        figure.chart{margin:8px 0 14px;padding:12px;border:1px solid var(--line);border-radius:6px;background:#fff}
        figure.chart figcaption{font-weight:600;font-size:13px;margin-bottom:6px}
        figure.chart p.legend{margin:6px 0 0;font-size:12px;color:var(--muted)}
        svg{display:block;max-width:100%;height:auto}
        svg text{font-family:inherit}
        .tablewrap{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:12.5px;margin:4px 0 8px}
        th{background:var(--panel);text-align:left;font-weight:600;border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
        td{border-bottom:1px solid var(--line);padding:5px 8px;vertical-align:top}
        td.nw{white-space:nowrap}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tbody tr:nth-child(even){background:#fafbfc}
        td.unknown{color:var(--muted);font-style:italic}
        .empty{color:var(--muted);font-style:italic}
        .ribbon{mix-blend-mode:multiply}
        footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
        @media print{main{padding:0}h2{break-after:avoid}figure.chart,table{break-inside:avoid}}
        """;

    public static string Render(ReportDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(doc.Title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
        sb.Append("<header>\n<div class=\"brand\">Ashiato · ").Append(E(doc.Kind)).Append(" report</div>\n<h1>").Append(E(doc.Title))
            .Append("</h1>\n<p class=\"subtitle\">").Append(E(doc.Subtitle)).Append("</p>\n</header>\n");

        sb.Append("<section class=\"figures\">\n");
        foreach (var f in doc.KeyFigures)
        {
            sb.Append("<div class=\"figure\"><div class=\"label\">").Append(E(f.Label)).Append("</div><div class=\"value\"").Append(Tip(f.Value)).Append('>')
                .Append(E(f.Value is FiatCell { Value.Amount: { } v } fc ? (fc.Value.IsLowerBound ? "≥ " : "") + ReportFormat.FiatShort(fc.Value.Fiat, v) : CellText.Human(f.Value, doc.Assets)))
                .Append("</div></div>\n");
        }

        sb.Append("</section>\n");
        if (doc.Notes.Count > 0)
        {
            sb.Append("<div class=\"notes\"><strong>Notes</strong>\n<ul>\n");
            foreach (var n in doc.Notes)
            {
                sb.Append("<li>").Append(E(n)).Append("</li>\n");
            }

            sb.Append("</ul>\n</div>\n");
        }

        foreach (var s in doc.Sections)
        {
            sb.Append("<section id=\"").Append(E(s.Id)).Append("\">\n<h2>").Append(E(s.Title)).Append("</h2>\n");
            if (s.Description is { } d)
            {
                sb.Append("<p class=\"desc\">").Append(E(d)).Append("</p>\n");
            }

            switch (s.Chart)
            {
                case BarChart b when b.Items.Count > 0:
                    Figure(sb, b.Title, Bars(b.Items), Legend(b.Items));
                    break;
                case ColumnChart c when c.Items.Count > 0:
                    Figure(sb, c.Title, Columns(c.Items), Legend(c.Items));
                    break;
                case SankeyChart k when k.Flows.Links.Count > 0:
                    Figure(sb, k.Title, Sankey(k.Flows));
                    break;
                case SankeyChart:
                    sb.Append("<p class=\"empty\">No priced, traced flow to draw.</p>\n");
                    break;
            }

            if (s.Table is { } t)
            {
                Table(sb, t, doc.Assets);
            }

            sb.Append("</section>\n");
        }

        Methodology(sb, doc.Methodology);
        sb.Append("<footer>Generated by Ashiato from the data sources and parameters listed under Methodology. Fiat values: price source and date in each value's tooltip; unknown means no price (never zero); ≥ marks a lower bound.</footer>\n");
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Figure(StringBuilder sb, string caption, string svg, string? legend = null)
    {
        sb.Append("<figure class=\"chart\"><figcaption>").Append(E(caption)).Append("</figcaption>\n").Append(svg);
        if (legend is not null)
        {
            sb.Append("<p class=\"legend\">").Append(E(legend)).Append("</p>\n");
        }

        sb.Append("</figure>\n");
    }

    private static string? Legend(IReadOnlyList<ChartItem> items)
    {
        var parts = new List<string>();
        if (items.Any(i => i.Value.IsLowerBound))
        {
            parts.Add("Lighter bars are lower bounds (≥): some of their values are unknown.");
        }

        if (items.Any(i => i.Value.Amount is null))
        {
            parts.Add("Dashed outlines: value unknown (no figure or price), not zero.");
        }

        return parts.Count > 0 ? string.Join(" ", parts) : null;
    }

    private static string Bars(IReadOnlyList<ChartItem> items)
    {
        const double Row = 28;
        const double BarH = 18;
        var labelWidth = Math.Clamp((items.Max(i => i.Label.Length) * 7.2) + 16, 60, 240);
        const double ValueWidth = 130;
        var top = 8.0;
        var height = top + (items.Count * Row) + 24;
        var plot = ChartWidth - labelWidth - ValueWidth;
        var max = items.Max(i => i.Value.Amount ?? 0m);
        var ticks = Ticks(max);
        var axisMax = ticks.Count > 0 ? ticks[^1] : 1m;
        var fiat = items[0].Value.Fiat;
        var sb = new StringBuilder();
        SvgOpen(sb, ChartWidth, height, "bar chart");
        foreach (var t in ticks)
        {
            var x = labelWidth + (double)(t / axisMax) * plot;
            sb.Append("<line x1=\"").Append(C(x)).Append("\" y1=\"").Append(C(top - 4)).Append("\" x2=\"").Append(C(x)).Append("\" y2=\"").Append(C(top + (items.Count * Row)))
                .Append("\" stroke=\"#e3e7ec\" stroke-width=\"1\"/>\n");
            sb.Append("<text x=\"").Append(C(x)).Append("\" y=\"").Append(C(height - 6)).Append("\" font-size=\"11\" fill=\"#5b6775\" text-anchor=\"middle\">")
                .Append(E(ReportFormat.FiatShort(fiat, t))).Append("</text>\n");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var it = items[i];
            var y = top + (i * Row) + ((Row - BarH) / 2);
            var label = Truncate(it.Label, (int)((labelWidth - 12) / 7.2));
            sb.Append("<text x=\"").Append(C(labelWidth - 8)).Append("\" y=\"").Append(C(y + 13)).Append("\" font-size=\"12.5\" fill=\"#1d2733\" text-anchor=\"end\">")
                .Append(E(label)).Append("<title>").Append(E(it.Label)).Append("</title></text>\n");
            if (it.Value.Amount is { } v)
            {
                var w = Math.Max(1, (double)(v / axisMax) * plot);
                sb.Append("<rect x=\"").Append(C(labelWidth)).Append("\" y=\"").Append(C(y)).Append("\" width=\"").Append(C(w)).Append("\" height=\"").Append(C(BarH))
                    .Append("\" rx=\"2\" fill=\"").Append(it.Value.IsLowerBound ? "#6f9bc7" : "#0b5394").Append("\"><title>")
                    .Append(E(it.Label + ": " + ReportFormat.Fiat(it.Value) + Provenance(it.Value))).Append("</title></rect>\n");
                sb.Append("<text x=\"").Append(C(labelWidth + w + 6)).Append("\" y=\"").Append(C(y + 13)).Append("\" font-size=\"12\" fill=\"#1d2733\">")
                    .Append(E((it.Value.IsLowerBound ? "≥ " : "") + ReportFormat.FiatShort(fiat, v))).Append("</text>\n");
            }
            else
            {
                sb.Append("<rect x=\"").Append(C(labelWidth)).Append("\" y=\"").Append(C(y)).Append("\" width=\"28\" height=\"").Append(C(BarH))
                    .Append("\" fill=\"none\" stroke=\"#9aa5b1\" stroke-dasharray=\"3 2\"/>\n<text x=\"").Append(C(labelWidth + 34)).Append("\" y=\"").Append(C(y + 13))
                    .Append("\" font-size=\"12\" font-style=\"italic\" fill=\"#5b6775\">unknown</text>\n");
            }
        }

        sb.Append("<line x1=\"").Append(C(labelWidth)).Append("\" y1=\"").Append(C(top - 4)).Append("\" x2=\"").Append(C(labelWidth)).Append("\" y2=\"")
            .Append(C(top + (items.Count * Row))).Append("\" stroke=\"#5b6775\" stroke-width=\"1\"/>\n</svg>\n");
        return sb.ToString();
    }

    private static string Columns(IReadOnlyList<ChartItem> items)
    {
        const double Height = 300;
        const double Left = 84;
        const double Top = 24;
        const double Bottom = 34;
        var plotH = Height - Top - Bottom;
        var plotW = ChartWidth - Left - 16;
        var slot = plotW / items.Count;
        var barW = Math.Min(64, slot * 0.62);
        var max = items.Max(i => i.Value.Amount ?? 0m);
        var ticks = Ticks(max);
        var axisMax = ticks.Count > 0 ? ticks[^1] : 1m;
        var fiat = items[0].Value.Fiat;
        var sb = new StringBuilder();
        SvgOpen(sb, ChartWidth, Height, "column chart");
        foreach (var t in ticks.Prepend(0m))
        {
            var y = Top + plotH - ((double)(t / axisMax) * plotH);
            sb.Append("<line x1=\"").Append(C(Left)).Append("\" y1=\"").Append(C(y)).Append("\" x2=\"").Append(C(ChartWidth - 16)).Append("\" y2=\"").Append(C(y))
                .Append("\" stroke=\"").Append(t == 0 ? "#5b6775" : "#e3e7ec").Append("\" stroke-width=\"1\"/>\n");
            sb.Append("<text x=\"").Append(C(Left - 8)).Append("\" y=\"").Append(C(y + 4)).Append("\" font-size=\"11\" fill=\"#5b6775\" text-anchor=\"end\">")
                .Append(E(t == 0 ? "0" : ReportFormat.FiatShort(fiat, t))).Append("</text>\n");
        }

        for (var i = 0; i < items.Count; i++)
        {
            var it = items[i];
            var cx = Left + (slot * i) + (slot / 2);
            sb.Append("<text x=\"").Append(C(cx)).Append("\" y=\"").Append(C(Height - 12)).Append("\" font-size=\"12.5\" fill=\"#1d2733\" text-anchor=\"middle\">")
                .Append(E(Truncate(it.Label, (int)(slot / 7)))).Append("</text>\n");
            if (it.Value.Amount is { } v)
            {
                var h = Math.Max(1, (double)(v / axisMax) * plotH);
                var y = Top + plotH - h;
                sb.Append("<rect x=\"").Append(C(cx - (barW / 2))).Append("\" y=\"").Append(C(y)).Append("\" width=\"").Append(C(barW)).Append("\" height=\"").Append(C(h))
                    .Append("\" rx=\"2\" fill=\"").Append(it.Value.IsLowerBound ? "#6f9bc7" : "#0b5394").Append("\"><title>")
                    .Append(E(it.Label + ": " + ReportFormat.Fiat(it.Value) + Provenance(it.Value))).Append("</title></rect>\n");
                sb.Append("<text x=\"").Append(C(cx)).Append("\" y=\"").Append(C(y - 6)).Append("\" font-size=\"11.5\" fill=\"#1d2733\" text-anchor=\"middle\">")
                    .Append(E((it.Value.IsLowerBound ? "≥ " : "") + ReportFormat.FiatShort(fiat, v))).Append("</text>\n");
            }
            else
            {
                sb.Append("<text x=\"").Append(C(cx)).Append("\" y=\"").Append(C(Top + plotH - 8)).Append("\" font-size=\"11.5\" font-style=\"italic\" fill=\"#5b6775\" text-anchor=\"middle\">unknown</text>\n");
            }
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Sankey(FlowData flows)
    {
        var maxNodes = flows.Links.Select(l => (l.SourceColumn, l.Source)).Concat(flows.Links.Select(l => (SourceColumn: l.SourceColumn + 1, Source: l.Target)))
            .Distinct().GroupBy(n => n.SourceColumn).Max(g => g.Count());
        var plotH = Math.Clamp(56.0 * maxNodes, 220, 640);
        const double Top = 34;
        const double Right = 200;
        var g = SankeyLayout.Layout(flows, ChartWidth - Right + 14, plotH, nodeWidth: 14, padding: 14, left: 4, right: 4, minSlot: 30);
        var sb = new StringBuilder();
        SvgOpen(sb, ChartWidth, g.Height + Top + 12, "flow chart");
        for (var c = 0; c < flows.Columns.Count; c++)
        {
            var x = g.ColumnX[c];
            sb.Append("<text x=\"").Append(C(x)).Append("\" y=\"14\" font-size=\"11\" font-weight=\"600\" fill=\"#5b6775\" letter-spacing=\".06em\">")
                .Append(E(flows.Columns[c].ToUpperInvariant())).Append("</text>\n");
        }

        sb.Append("<g transform=\"translate(0,").Append(C(Top)).Append(")\">\n");
        var colours = NodeColours(g);
        foreach (var r in g.Ribbons.OrderByDescending(r => r.Thickness).ThenBy(r => r.Source).ThenBy(r => r.Target))
        {
            var s = g.Nodes[r.Source];
            var t = g.Nodes[r.Target];
            var colour = s.Column == 1 ? colours[r.Target] : colours[r.Source]; // actor → laundering: the technique's colour
            sb.Append("<path class=\"ribbon\" d=\"").Append(r.Path).Append("\" fill=\"").Append(colour).Append("\" fill-opacity=\"0.32\"><title>")
                .Append(E(s.Label + " → " + t.Label + ": " + ReportFormat.FiatShort(flows.Fiat, r.Value))).Append("</title></path>\n");
        }

        for (var i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            sb.Append("<rect x=\"").Append(C(n.X)).Append("\" y=\"").Append(C(n.Y)).Append("\" width=\"").Append(C(n.Width)).Append("\" height=\"").Append(C(Math.Max(1, n.Height)))
                .Append("\" fill=\"").Append(colours[i]).Append("\"><title>").Append(E(n.Label + ": " + ReportFormat.FiatShort(flows.Fiat, n.Value))).Append("</title></rect>\n");
            var ty = n.Y + (n.Height / 2) + 1;
            sb.Append("<text x=\"").Append(C(n.X + n.Width + 6)).Append("\" y=\"").Append(C(ty - 2))
                .Append("\" font-size=\"12\" font-weight=\"600\" fill=\"#1d2733\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">")
                .Append(E(Truncate(n.Label, 30))).Append("</text>\n");
            sb.Append("<text x=\"").Append(C(n.X + n.Width + 6)).Append("\" y=\"").Append(C(ty + 12))
                .Append("\" font-size=\"11\" fill=\"#5b6775\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">")
                .Append(E(ReportFormat.FiatShort(flows.Fiat, n.Value))).Append("</text>\n");
        }

        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    /// <summary>Column colour for the two outer stages; palette colours (by position in the column) for laundering and cash-out.</summary>
    private static string[] NodeColours(SankeyGeometry g)
    {
        var colours = new string[g.Nodes.Count];
        var seen = new Dictionary<int, int>();
        for (var i = 0; i < g.Nodes.Count; i++)
        {
            var c = g.Nodes[i].Column;
            var k = seen.GetValueOrDefault(c);
            seen[c] = k + 1;
            colours[i] = c is 0 or 1 ? _columnColours[c] : _palette[((c * 3) + k) % _palette.Length];
        }

        return colours;
    }

    private static void Table(StringBuilder sb, ReportTable t, IReadOnlyList<ReportAsset> assets)
    {
        if (t.Rows.Count == 0)
        {
            sb.Append("<p class=\"empty\">No rows.</p>\n");
            return;
        }

        sb.Append("<div class=\"tablewrap\"><table id=\"table-").Append(E(t.Id)).Append("\">\n<thead><tr>");
        foreach (var c in t.Columns)
        {
            sb.Append(c.Numeric ? "<th class=\"num\">" : "<th>").Append(E(c.Title)).Append("</th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
            {
                var cell = row[c];
                var cls = t.Columns[c].Numeric ? "num" : cell is DateCell or TimeCell || c == 0 ? "nw" : "";
                if (cell is FiatCell { Value.Amount: null } f && f.Value.UnknownParts > 0)
                {
                    cls = (cls + " unknown").Trim();
                }

                sb.Append(cls.Length > 0 ? "<td class=\"" + cls + "\"" : "<td").Append(Tip(cell)).Append('>')
                    .Append(cell switch
                    {
                        AmountsCell { Amounts.Count: > 1 } a => string.Join("<br>", a.Amounts.Select(x => E(ReportFormat.Amounts([x], assets)))),
                        TextCell { Text: { } url } when url.StartsWith("https://", StringComparison.Ordinal) || url.StartsWith("http://", StringComparison.Ordinal) =>
                            "<a href=\"" + E(url) + "\" title=\"" + E(url) + "\">link</a>",
                        _ => E(CellText.Human(cell, assets)),
                    })
                    .Append("</td>");
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table></div>\n");
    }

    private static void Methodology(StringBuilder sb, Methodology m)
    {
        sb.Append("<section id=\"methodology\">\n<h2>Methodology</h2>\n<p class=\"desc\">Everything needed to reproduce the numbers above: parameters, data sources and the price series used.</p>\n");
        sb.Append("<h3>Parameters</h3>\n<div class=\"tablewrap\"><table><thead><tr><th>Parameter</th><th>Value</th></tr></thead>\n<tbody>\n");
        foreach (var p in m.Parameters)
        {
            sb.Append("<tr><td>").Append(E(p.Name)).Append("</td><td>").Append(E(p.Value)).Append("</td></tr>\n");
        }

        sb.Append("</tbody></table></div>\n<h3>Data sources</h3>\n");
        if (m.DataSources.Count == 0)
        {
            sb.Append("<p class=\"empty\">None given.</p>\n");
        }
        else
        {
            sb.Append("<div class=\"tablewrap\"><table><thead><tr><th>Kind</th><th>Name</th><th>Edition</th><th>Detail</th></tr></thead>\n<tbody>\n");
            foreach (var s in m.DataSources)
            {
                sb.Append("<tr><td>").Append(E(s.Kind)).Append("</td><td>").Append(E(s.Name)).Append("</td><td>").Append(E(s.Edition ?? "–")).Append("</td><td>")
                    .Append(E(s.Detail ?? "–")).Append("</td></tr>\n");
            }

            sb.Append("</tbody></table></div>\n");
        }

        sb.Append("<h3>Price sources</h3>\n");
        if (m.PriceSources.Count == 0)
        {
            sb.Append("<p class=\"empty\">No price was used.</p>\n");
        }
        else
        {
            sb.Append("<div class=\"tablewrap\"><table><thead><tr><th>Asset</th><th>Fiat</th><th>Source</th><th>First price date</th><th>Last price date</th><th class=\"num\">Values</th></tr></thead>\n<tbody>\n");
            foreach (var p in m.PriceSources)
            {
                sb.Append("<tr><td>").Append(E(p.Asset)).Append("</td><td>").Append(E(p.Fiat)).Append("</td><td>").Append(E(p.Source)).Append("</td><td>").Append(E(p.FirstDate))
                    .Append("</td><td>").Append(E(p.LastDate)).Append("</td><td class=\"num\">").Append(p.Values.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            }

            sb.Append("</tbody></table></div>\n");
        }

        sb.Append("<h3>Method</h3>\n<ul>\n");
        foreach (var s in m.Method)
        {
            sb.Append("<li>").Append(E(s)).Append("</li>\n");
        }

        sb.Append("</ul>\n</section>\n");
    }

    private static void SvgOpen(StringBuilder sb, double width, double height, string label) =>
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(C(width)).Append(' ').Append(C(height)).Append("\" width=\"").Append(C(width))
            .Append("\" height=\"").Append(C(height)).Append("\" role=\"img\" aria-label=\"").Append(E(label)).Append("\">\n");

    /// <summary>Round axis ticks (1, 2, 2.5, 5 × 10^k) up to at least <paramref name="max"/>, four to six of them.</summary>
    private static List<decimal> Ticks(decimal max)
    {
        if (max <= 0)
        {
            return [1m];
        }

        var magnitude = 1m;
        while (magnitude * 10m <= max)
        {
            magnitude *= 10m;
        }

        while (magnitude > max)
        {
            magnitude /= 10m;
        }

        foreach (var step in new[] { magnitude / 5m, magnitude / 4m, magnitude / 2m, magnitude, magnitude * 2m, magnitude * 2.5m, magnitude * 5m })
        {
            var n = (int)Math.Ceiling(max / step);
            if (n <= 6)
            {
                return [.. Enumerable.Range(1, n).Select(k => step * k)];
            }
        }

        return [max];
    }

    private static string Tip(Cell cell) => cell is FiatCell f && CellText.Provenance(f.Value) is { Length: > 0 } p ? " title=\"" + E(p) + "\"" : "";

    private static string Provenance(FiatAmount f) => CellText.Provenance(f) is { Length: > 0 } p ? " — " + p : "";

    private static string Truncate(string s, int max) => s.Length <= max || max < 2 ? s : s[..(max - 1)] + "…";

    private static string C(double v) => ReportFormat.Coord(v);

    private static string E(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            sb.Append(ch switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => ch.ToString(),
            });
        }

        return sb.ToString();
    }
}
