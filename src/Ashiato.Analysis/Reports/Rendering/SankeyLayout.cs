namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>A placed node: its column, label, value (max of inflow and outflow) and rectangle.</summary>
public sealed record SankeyNode(int Column, string Label, decimal Value, double X, double Y, double Width, double Height);

/// <summary>A placed ribbon between two nodes (indices into <see cref="SankeyGeometry.Nodes"/>): its thickness, the y of its upper
/// edge at both ends, and the closed cubic-Bézier outline as SVG path data.</summary>
public sealed record SankeyRibbon(int Source, int Target, decimal Value, double Thickness, double SourceY, double TargetY, string Path);

public sealed record SankeyGeometry(double Width, double Height, IReadOnlyList<double> ColumnX, IReadOnlyList<SankeyNode> Nodes, IReadOnlyList<SankeyRibbon> Ribbons);

/// <summary>
/// Lays out a Sankey diagram: nodes in fixed columns, heights proportional to value with one scale for the whole chart
/// (the most crowded column fills the height), each column centred vertically, nodes ordered by value (desc) then label;
/// ribbons leave and enter nodes ordered by the other end's position, so they do not cross at the nodes. A node is given at
/// least <c>minSlot</c> of vertical room (for its label): when small nodes need more room than <paramref name="height"/>, the
/// returned geometry is taller; node heights stay proportional to value.
/// </summary>
public static class SankeyLayout
{
    public static SankeyGeometry Layout(FlowData flows, double width, double height, double nodeWidth = 14, double padding = 14,
        double left = 8, double right = 8, double minSlot = 0)
    {
        var columns = flows.Columns.Count;
        var inflow = new Dictionary<(int, string), decimal>();
        var outflow = new Dictionary<(int, string), decimal>();
        foreach (var l in flows.Links)
        {
            outflow[(l.SourceColumn, l.Source)] = outflow.GetValueOrDefault((l.SourceColumn, l.Source)) + l.Value;
            inflow[(l.SourceColumn + 1, l.Target)] = inflow.GetValueOrDefault((l.SourceColumn + 1, l.Target)) + l.Value;
        }

        var keys = inflow.Keys.Concat(outflow.Keys).Distinct().ToList();
        var byColumn = Enumerable.Range(0, columns).Select(c => keys.Where(k => k.Item1 == c)
            .Select(k => (Key: k, Value: Math.Max(inflow.GetValueOrDefault(k), outflow.GetValueOrDefault(k))))
            .OrderByDescending(n => n.Value).ThenBy(n => n.Key.Item2, StringComparer.Ordinal).ToList()).ToList();

        var columnX = Enumerable.Range(0, columns)
            .Select(c => columns == 1 ? left : left + (c * (width - left - right - nodeWidth) / (columns - 1))).ToList();
        var scale = double.MaxValue;
        foreach (var col in byColumn.Where(c => c.Count > 0))
        {
            var total = (double)col.Sum(n => n.Value);
            if (total > 0)
            {
                scale = Math.Min(scale, (height - (padding * (col.Count - 1))) / total);
            }
        }

        if (scale == double.MaxValue || scale < 0)
        {
            scale = 0;
        }

        double Used(List<((int, string) Key, decimal Value)> col) =>
            col.Sum(n => Math.Max((double)n.Value * scale, minSlot)) + (padding * Math.Max(0, col.Count - 1));
        height = Math.Max(height, byColumn.Select(Used).DefaultIfEmpty(0).Max());
        var nodes = new List<SankeyNode>();
        var index = new Dictionary<(int, string), int>();
        for (var c = 0; c < columns; c++)
        {
            var col = byColumn[c];
            var y = (height - Used(col)) / 2;
            foreach (var n in col)
            {
                var h = (double)n.Value * scale;
                var slot = Math.Max(h, minSlot);
                index[n.Key] = nodes.Count;
                nodes.Add(new SankeyNode(c, n.Key.Item2, n.Value, columnX[c], y + ((slot - h) / 2), nodeWidth, h));
                y += slot + padding;
            }
        }

        // Ribbon ends: at the source ordered by the target's y, at the target by the source's y.
        var links = flows.Links.Select(l => (Link: l, S: index[(l.SourceColumn, l.Source)], T: index[(l.SourceColumn + 1, l.Target)])).ToList();
        var sourceY = new Dictionary<int, double>();
        var targetY = new Dictionary<int, double>();
        var startAt = new double[links.Count];
        var endAt = new double[links.Count];
        foreach (var (i, _) in links.Select((x, i) => (i, x)).OrderBy(p => p.x.S).ThenBy(p => nodes[p.x.T].Y).ThenBy(p => p.x.T))
        {
            var s = links[i].S;
            var y = sourceY.TryGetValue(s, out var v) ? v : nodes[s].Y;
            startAt[i] = y;
            sourceY[s] = y + ((double)links[i].Link.Value * scale);
        }

        foreach (var (i, _) in links.Select((x, i) => (i, x)).OrderBy(p => p.x.T).ThenBy(p => nodes[p.x.S].Y).ThenBy(p => p.x.S))
        {
            var t = links[i].T;
            var y = targetY.TryGetValue(t, out var v) ? v : nodes[t].Y;
            endAt[i] = y;
            targetY[t] = y + ((double)links[i].Link.Value * scale);
        }

        var ribbons = new List<SankeyRibbon>();
        for (var i = 0; i < links.Count; i++)
        {
            var (l, s, t) = links[i];
            var th = (double)l.Value * scale;
            var x0 = nodes[s].X + nodeWidth;
            var x1 = nodes[t].X;
            var xm = (x0 + x1) / 2;
            var y0 = startAt[i];
            var y1 = endAt[i];
            string F(double d) => ReportFormat.Coord(d);
            var path = $"M{F(x0)},{F(y0)} C{F(xm)},{F(y0)} {F(xm)},{F(y1)} {F(x1)},{F(y1)} L{F(x1)},{F(y1 + th)} C{F(xm)},{F(y1 + th)} {F(xm)},{F(y0 + th)} {F(x0)},{F(y0 + th)} Z";
            ribbons.Add(new SankeyRibbon(s, t, l.Value, th, y0, y1, path));
        }

        return new SankeyGeometry(width, height, columnX, nodes, ribbons);
    }
}
