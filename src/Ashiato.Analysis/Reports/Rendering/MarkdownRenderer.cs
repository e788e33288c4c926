using System.Globalization;
using System.Text;

namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>Renders a report as GitHub-flavoured Markdown (tables; charts as their tables). "\n" line ends.</summary>
public static class MarkdownRenderer
{
    public static string Render(ReportDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Esc(doc.Title)).Append("\n\n").Append(Esc(doc.Subtitle)).Append("\n\n");
        sb.Append("## Key figures\n\n| figure | value |\n|---|--:|\n");
        foreach (var f in doc.KeyFigures)
        {
            sb.Append("| ").Append(Esc(f.Label)).Append(" | ").Append(Esc(CellText.Human(f.Value, doc.Assets))).Append(" |\n");
        }

        sb.Append('\n');
        if (doc.Notes.Count > 0)
        {
            sb.Append("## Notes\n\n");
            foreach (var n in doc.Notes)
            {
                sb.Append("- ").Append(Esc(n)).Append('\n');
            }

            sb.Append('\n');
        }

        foreach (var s in doc.Sections)
        {
            sb.Append("## ").Append(Esc(s.Title)).Append("\n\n");
            if (s.Description is { } d)
            {
                sb.Append(Esc(d)).Append("\n\n");
            }

            if (s.Table is { } t)
            {
                Table(sb, t, doc.Assets);
            }
        }

        sb.Append("## Methodology\n\n### Parameters\n\n| parameter | value |\n|---|---|\n");
        foreach (var p in doc.Methodology.Parameters)
        {
            sb.Append("| ").Append(Esc(p.Name)).Append(" | ").Append(Esc(p.Value)).Append(" |\n");
        }

        sb.Append("\n### Data sources\n\n");
        if (doc.Methodology.DataSources.Count == 0)
        {
            sb.Append("None given.\n\n");
        }
        else
        {
            sb.Append("| kind | name | edition | detail |\n|---|---|---|---|\n");
            foreach (var s in doc.Methodology.DataSources)
            {
                sb.Append("| ").Append(Esc(s.Kind)).Append(" | ").Append(Esc(s.Name)).Append(" | ").Append(Esc(s.Edition ?? "–")).Append(" | ").Append(Esc(s.Detail ?? "–")).Append(" |\n");
            }

            sb.Append('\n');
        }

        sb.Append("### Price sources\n\n");
        if (doc.Methodology.PriceSources.Count == 0)
        {
            sb.Append("No price was used.\n\n");
        }
        else
        {
            sb.Append("| asset | fiat | source | first price date | last price date | values |\n|---|---|---|---|---|--:|\n");
            foreach (var p in doc.Methodology.PriceSources)
            {
                sb.Append("| ").Append(Esc(p.Asset)).Append(" | ").Append(p.Fiat).Append(" | ").Append(Esc(p.Source)).Append(" | ").Append(p.FirstDate)
                    .Append(" | ").Append(p.LastDate).Append(" | ").Append(p.Values.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
            }

            sb.Append('\n');
        }

        sb.Append("### Method\n\n");
        foreach (var m in doc.Methodology.Method)
        {
            sb.Append("- ").Append(Esc(m)).Append('\n');
        }

        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ReportTable t, IReadOnlyList<ReportAsset> assets)
    {
        if (t.Rows.Count == 0)
        {
            sb.Append("_No rows._\n\n");
            return;
        }

        sb.Append('|');
        foreach (var c in t.Columns)
        {
            sb.Append(' ').Append(Esc(c.Title)).Append(" |");
        }

        sb.Append("\n|");
        foreach (var c in t.Columns)
        {
            sb.Append(c.Numeric ? "--:|" : "---|");
        }

        sb.Append('\n');
        foreach (var row in t.Rows)
        {
            sb.Append('|');
            foreach (var cell in row)
            {
                sb.Append(' ').Append(Esc(CellText.Human(cell, assets))).Append(" |");
            }

            sb.Append('\n');
        }

        sb.Append('\n');
    }

    private static string Esc(string s) => s.Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
}
