using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Reports.Rendering;

namespace Ashiato.Analysis.Tests.Reports;

public sealed class SankeyLayoutTests
{
    private static readonly FlowData _flows = new("USD", ["Victim", "Actor", "Laundering", "End"],
    [
        new(0, "JP", "lazarus", 300m),
        new(0, "KR", "lazarus", 100m),
        new(1, "lazarus", "Mixer", 150m),
        new(1, "lazarus", "Direct", 250m),
        new(2, "Mixer", "Exchange (SG)", 150m),
        new(2, "Direct", "Exchange (SG)", 50m),
        new(2, "Direct", "Held", 200m),
    ], 0, []);

    [Fact]
    public void Node_heights_are_proportional_to_value_on_one_scale_and_columns_fit()
    {
        var g = SankeyLayout.Layout(_flows, 800, 400, nodeWidth: 10, padding: 20, left: 0, right: 0);
        Assert.Equal(7, g.Nodes.Count); // JP, KR; lazarus; Mixer, Direct; Exchange (SG), Held
        Assert.Equal([0d, 263.33333333333331, 526.66666666666663, 790d], g.ColumnX);
        var scale = g.Nodes[0].Height / (double)g.Nodes[0].Value;
        Assert.All(g.Nodes, n => Assert.Equal((double)n.Value * scale, n.Height, 9));
        // the crowded columns (two nodes, one gap) fill the height: 400 = 400 * scale + 20
        Assert.Equal(380d / 400d, scale, 12);
        foreach (var col in g.Nodes.GroupBy(n => n.Column))
        {
            var ordered = col.OrderBy(n => n.Y).ToList();
            Assert.True(ordered[0].Y >= -1e-9 && ordered[^1].Y + ordered[^1].Height <= 400 + 1e-9);
            Assert.Equal(ordered.Select(n => n.Value).OrderByDescending(v => v), ordered.Select(n => n.Value)); // largest first
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.Equal(20d, ordered[i].Y - (ordered[i - 1].Y + ordered[i - 1].Height), 9);
            }
        }

        // "lazarus" takes 400 in and gives 400 out: one node, as tall as both victims together
        var actor = Assert.Single(g.Nodes, n => n.Column == 1);
        Assert.Equal(400m, actor.Value);
    }

    [Fact]
    public void Ribbons_stack_without_overlap_at_both_ends_and_keep_their_thickness()
    {
        var g = SankeyLayout.Layout(_flows, 800, 400, nodeWidth: 10, padding: 20, left: 0, right: 0);
        Assert.Equal(7, g.Ribbons.Count);
        for (var n = 0; n < g.Nodes.Count; n++)
        {
            var node = g.Nodes[n];
            foreach (var (ends, y) in new[] { (g.Ribbons.Where(r => r.Source == n).ToList(), (Func<SankeyRibbon, double>)(r => r.SourceY)), (g.Ribbons.Where(r => r.Target == n).ToList(), r => r.TargetY) })
            {
                if (ends.Count == 0)
                {
                    continue;
                }

                var sorted = ends.OrderBy(y).ToList();
                Assert.Equal(node.Y, y(sorted[0]), 9);
                for (var i = 1; i < sorted.Count; i++)
                {
                    Assert.Equal(y(sorted[i - 1]) + sorted[i - 1].Thickness, y(sorted[i]), 9);
                }

                Assert.Equal(node.Y + node.Height, y(sorted[^1]) + sorted[^1].Thickness, 6);
            }
        }

        var r0 = g.Ribbons[0];
        Assert.StartsWith("M10,", r0.Path, StringComparison.Ordinal);
        Assert.Contains(" C", r0.Path, StringComparison.Ordinal);
        Assert.EndsWith(" Z", r0.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Small_nodes_get_room_for_their_label_and_the_chart_grows()
    {
        var flows = new FlowData("USD", ["A", "B"], [new(0, "big", "x", 1_000_000m), .. Enumerable.Range(0, 8).Select(i => new FlowLink(0, "big", "small" + i, 1m))], 0, []);
        var g = SankeyLayout.Layout(flows, 600, 200, padding: 10, minSlot: 30);
        Assert.True(g.Height >= (9 * 30) + (8 * 10) - 30, $"height {g.Height}");
        var column = g.Nodes.Where(n => n.Column == 1).OrderBy(n => n.Y).ToList();
        for (var i = 1; i < column.Count; i++)
        {
            Assert.True(column[i].Y + (column[i].Height / 2) - (column[i - 1].Y + (column[i - 1].Height / 2)) >= 30 - 1e-9);
        }
    }
}
