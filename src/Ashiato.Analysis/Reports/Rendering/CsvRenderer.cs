using System.Text;

namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>
/// Renders a report as CSV, one table per file (RFC 4180 quoting, "\n" line ends, UTF-8 without BOM). Files:
/// <c>key_figures.csv</c>, one <c>&lt;table id&gt;.csv</c> per section table, <c>notes.csv</c>, <c>methodology_parameters.csv</c>,
/// <c>methodology_sources.csv</c>, <c>methodology_prices.csv</c>, <c>methodology_method.csv</c>. A fiat column <c>X</c> is three
/// columns: <c>X</c> (exact decimal, or <c>unknown</c>), <c>X_status</c> (known | lower_bound | unknown | none) and
/// <c>X_source</c>; on-chain amounts are <c>base_units asset@chain</c> joined by "; "; shares exact decimals (empty = not computable).
/// </summary>
public static class CsvRenderer
{
    /// <summary>File name → content, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Render(ReportDocument doc)
    {
        var files = new List<KeyValuePair<string, string>>();
        var kf = new StringBuilder();
        Line(kf, ["figure", "value", "value_status", "value_source"]);
        foreach (var f in doc.KeyFigures)
        {
            Line(kf, [f.Label, .. Machine(f.Value, true)]);
        }

        files.Add(new("key_figures.csv", kf.ToString()));
        foreach (var s in doc.Sections)
        {
            if (s.Table is { } t)
            {
                files.Add(new(t.Id + ".csv", Table(t)));
            }
        }

        var notes = new StringBuilder();
        Line(notes, ["note"]);
        foreach (var n in doc.Notes)
        {
            Line(notes, [n]);
        }

        files.Add(new("notes.csv", notes.ToString()));
        var m = doc.Methodology;
        var p = new StringBuilder();
        Line(p, ["parameter", "value"]);
        foreach (var x in m.Parameters)
        {
            Line(p, [x.Name, x.Value]);
        }

        files.Add(new("methodology_parameters.csv", p.ToString()));
        var ds = new StringBuilder();
        Line(ds, ["kind", "name", "edition", "detail"]);
        foreach (var x in m.DataSources)
        {
            Line(ds, [x.Kind, x.Name, x.Edition ?? "", x.Detail ?? ""]);
        }

        files.Add(new("methodology_sources.csv", ds.ToString()));
        var pr = new StringBuilder();
        Line(pr, ["asset", "fiat", "source", "first_price_date", "last_price_date", "values"]);
        foreach (var x in m.PriceSources)
        {
            Line(pr, [x.Asset, x.Fiat, x.Source, x.FirstDate, x.LastDate, x.Values.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        files.Add(new("methodology_prices.csv", pr.ToString()));
        var me = new StringBuilder();
        Line(me, ["method"]);
        foreach (var x in m.Method)
        {
            Line(me, [x]);
        }

        files.Add(new("methodology_method.csv", me.ToString()));
        return files;
    }

    /// <summary>One table as CSV.</summary>
    public static string Table(ReportTable t)
    {
        var sb = new StringBuilder();
        var header = new List<string>();
        var fiatColumns = new bool[t.Columns.Count];
        for (var c = 0; c < t.Columns.Count; c++)
        {
            fiatColumns[c] = t.Columns[c].Fiat;
            header.Add(t.Columns[c].Id);
            if (fiatColumns[c])
            {
                header.Add(t.Columns[c].Id + "_status");
                header.Add(t.Columns[c].Id + "_source");
            }
        }

        Line(sb, header);
        foreach (var row in t.Rows)
        {
            var fields = new List<string>();
            for (var c = 0; c < row.Count; c++)
            {
                fields.AddRange(Machine(row[c], fiatColumns[c]));
            }

            Line(sb, fields);
        }

        return sb.ToString();
    }

    private static IEnumerable<string> Machine(Cell cell, bool wide) => cell switch
    {
        TextCell t => Pad([t.Text ?? ""], wide),
        CountCell c => Pad([c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)], wide),
        AmountsCell a => Pad([CellText.MachineAmounts(a.Amounts)], wide),
        FiatCell f => [f.Value.Amount is { } v ? ReportFormat.Exact(v) : f.Value.KnownParts == 0 && f.Value.UnknownParts == 0 ? "0" : "unknown", CellText.Status(f.Value), CellText.Provenance(f.Value)],
        ShareCell s => Pad([s.Value is { } v ? ReportFormat.Exact(v) : ""], wide),
        DateCell d => Pad([d.Value is { } v ? ReportFormat.Day(v) : ""], wide),
        TimeCell t => Pad([t.Value is { } v ? CellText.MachineTime(v) : ""], wide),
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell.GetType().Name, "unknown cell kind"),
    };

    private static IEnumerable<string> Pad(string[] fields, bool wide) => wide ? [.. fields, "", ""] : fields;

    private static void Line(StringBuilder sb, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            if (f.AsSpan().IndexOfAny(",\"\n\r") >= 0)
            {
                sb.Append('"').Append(f.Replace("\"", "\"\"")).Append('"');
            }
            else
            {
                sb.Append(f);
            }
        }

        sb.Append('\n');
    }
}
