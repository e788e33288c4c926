using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>
/// Renders a report as JSON (format <c>ashiato-report</c>, version 1; see docs/formats/report-json.md). Exact values: on-chain
/// amounts as base-unit integer strings, fiat amounts and shares as decimal strings, unknown as null. Indented, "\n" line ends.
/// </summary>
public static class JsonRenderer
{
    public const string Format = "ashiato-report";
    public const int Version = 1;

    public static string Render(ReportDocument doc)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteString("kind", doc.Kind);
            w.WriteString("subject", doc.Subject);
            w.WriteString("title", doc.Title);
            w.WriteString("subtitle", doc.Subtitle);
            w.WriteStartArray("key_figures");
            foreach (var f in doc.KeyFigures)
            {
                w.WriteStartObject();
                w.WriteString("label", f.Label);
                w.WritePropertyName("value");
                WriteCell(w, f.Value, doc.Assets);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("notes");
            foreach (var n in doc.Notes)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteStartArray("sections");
            foreach (var s in doc.Sections)
            {
                WriteSection(w, s, doc.Assets);
            }

            w.WriteEndArray();
            WriteMethodology(w, doc.Methodology);
            w.WriteStartArray("assets");
            foreach (var a in doc.Assets.OrderBy(a => a.Chain, StringComparer.Ordinal).ThenBy(a => a.Asset, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("chain", a.Chain);
                w.WriteString("asset", a.Asset);
                w.WriteString("symbol", a.Symbol);
                w.WriteNumber("decimals", a.Decimals);
                w.WriteBoolean("stablecoin", a.Stablecoin);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static void WriteSection(Utf8JsonWriter w, ReportSection s, IReadOnlyList<ReportAsset> assets)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("title", s.Title);
        w.WriteString("description", s.Description);
        w.WritePropertyName("chart");
        switch (s.Chart)
        {
            case null:
                w.WriteNullValue();
                break;
            case BarChart b:
                WriteItems(w, "bars", b.Title, b.Items);
                break;
            case ColumnChart c:
                WriteItems(w, "columns", c.Title, c.Items);
                break;
            case SankeyChart k:
                w.WriteStartObject();
                w.WriteString("type", "sankey");
                w.WriteString("title", k.Title);
                w.WriteString("fiat", k.Flows.Fiat);
                w.WriteStartArray("columns");
                foreach (var c in k.Flows.Columns)
                {
                    w.WriteStringValue(c);
                }

                w.WriteEndArray();
                w.WriteStartArray("links");
                foreach (var l in k.Flows.Links)
                {
                    w.WriteStartObject();
                    w.WriteNumber("source_column", l.SourceColumn);
                    w.WriteString("source", l.Source);
                    w.WriteString("target", l.Target);
                    w.WriteString("value", ReportFormat.Exact(l.Value));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("unpriced_flows", k.Flows.UnpricedFlows);
                w.WriteStartArray("untraced_incidents");
                foreach (var u in k.Flows.UntracedIncidents)
                {
                    w.WriteStringValue(u);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Chart.GetType().Name, "unknown chart kind");
        }

        w.WritePropertyName("table");
        if (s.Table is not { } t)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("id", t.Id);
            w.WriteStartArray("columns");
            foreach (var c in t.Columns)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("title", c.Title);
                w.WriteBoolean("numeric", c.Numeric);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (var row in t.Rows)
            {
                w.WriteStartObject();
                for (var c = 0; c < t.Columns.Count; c++)
                {
                    w.WritePropertyName(t.Columns[c].Id);
                    WriteCell(w, row[c], assets);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteItems(Utf8JsonWriter w, string type, string title, IReadOnlyList<ChartItem> items)
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("title", title);
        w.WriteStartArray("items");
        foreach (var i in items)
        {
            w.WriteStartObject();
            w.WriteString("label", i.Label);
            w.WritePropertyName("value");
            WriteFiat(w, i.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter w, Cell cell, IReadOnlyList<ReportAsset> assets)
    {
        switch (cell)
        {
            case TextCell t:
                w.WriteStringValue(t.Text);
                break;
            case CountCell c:
                w.WriteNumberValue(c.Value);
                break;
            case AmountsCell a:
                w.WriteStartArray();
                foreach (var x in a.Amounts)
                {
                    var known = assets.FirstOrDefault(k => k.Chain == x.Chain && k.Asset == x.Asset);
                    w.WriteStartObject();
                    w.WriteString("chain", x.Chain);
                    w.WriteString("asset", x.Asset);
                    w.WriteString("base_units", x.Amount.ToString());
                    if (known is not null)
                    {
                        w.WriteString("symbol", known.Symbol);
                        w.WriteNumber("decimals", known.Decimals);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case FiatCell f:
                WriteFiat(w, f.Value);
                break;
            case ShareCell s:
                if (s.Value is { } v)
                {
                    w.WriteStringValue(ReportFormat.Exact(v));
                }
                else
                {
                    w.WriteNullValue();
                }

                break;
            case DateCell d:
                w.WriteStringValue(d.Value is { } day ? ReportFormat.Day(day) : null);
                break;
            case TimeCell t:
                w.WriteStringValue(t.Value is { } time ? CellText.MachineTime(time) : null);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(cell), cell.GetType().Name, "unknown cell kind");
        }
    }

    private static void WriteFiat(Utf8JsonWriter w, FiatAmount f)
    {
        w.WriteStartObject();
        w.WriteString("fiat", f.Fiat);
        w.WriteString("amount", f.Amount is { } v ? ReportFormat.Exact(v) : f.KnownParts == 0 && f.UnknownParts == 0 ? "0" : null);
        w.WriteString("status", CellText.Status(f));
        w.WriteNumber("known_parts", f.KnownParts);
        w.WriteNumber("unknown_parts", f.UnknownParts);
        w.WriteStartArray("sources");
        foreach (var s in f.Sources)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteString("first_price_date", f.FirstDate);
        w.WriteString("last_price_date", f.LastDate);
        w.WriteEndObject();
    }

    private static void WriteMethodology(Utf8JsonWriter w, Methodology m)
    {
        w.WriteStartObject("methodology");
        w.WriteStartArray("parameters");
        foreach (var p in m.Parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("value", p.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("data_sources");
        foreach (var s in m.DataSources)
        {
            w.WriteStartObject();
            w.WriteString("kind", s.Kind);
            w.WriteString("name", s.Name);
            w.WriteString("edition", s.Edition);
            w.WriteString("detail", s.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("price_sources");
        foreach (var p in m.PriceSources)
        {
            w.WriteStartObject();
            w.WriteString("asset", p.Asset);
            w.WriteString("fiat", p.Fiat);
            w.WriteString("source", p.Source);
            w.WriteString("first_price_date", p.FirstDate);
            w.WriteString("last_price_date", p.LastDate);
            w.WriteNumber("values", p.Values);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("method");
        foreach (var s in m.Method)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
