using System.Globalization;
using System.Text;
using System.Xml;

namespace Ashiato.Analysis.Tracing.Output;

/// <summary>Edges and nodes as CSV (RFC 4180 quoting, '\n' line ends, header first; docs/formats/trace.md).</summary>
public static class TraceCsvWriter
{
    public const string EdgeHeader = "seq,chain,tx,ref,hop,from,to,asset,amount,tainted,taint_share,time,rule,detail,values";
    public const string NodeHeader = "id,chain,address,cluster,entity,name,category,country,actor,why";

    public static void WriteEdges(TextWriter sb, TraceResult r)
    {
        sb.Write(EdgeHeader);
        sb.Write('\n');
        foreach (var e in r.Edges)
        {
            Row(sb, e.Seq.ToString(CultureInfo.InvariantCulture), e.Chain, e.Tx, e.Ref, e.Hop.ToString(CultureInfo.InvariantCulture), e.From, e.To, e.Asset,
                e.Amount.ToString(), e.Tainted.ToString(), TraceJsonWriter.Dec(e.TaintShare), TraceJsonWriter.Time(e.Time), e.Rule, e.Detail,
                string.Join(';', e.Values.Select(v => $"{TraceJsonWriter.Dec(v.Amount)} {v.Fiat} @{TraceJsonWriter.Dec(v.UnitPrice)} {v.PriceDate} {v.Source}")));
        }
    }

    public static void WriteNodes(TextWriter sb, TraceResult r)
    {
        sb.Write(NodeHeader);
        sb.Write('\n');
        foreach (var n in r.Nodes)
        {
            var l = n.Label;
            Row(sb, n.Id, n.Chain, n.Address, n.ClusterId?.ToString(CultureInfo.InvariantCulture), l?.Entity, l?.Name, l?.Category, l?.Country, l?.Actor, l?.Why);
        }
    }

    private static void Row(TextWriter sb, params string?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                sb.Write(',');
            }

            var c = cells[i] ?? "";
            if (c.IndexOfAny([',', '"', '\n', '\r']) >= 0)
            {
                sb.Write('"');
                sb.Write(c.Replace("\"", "\"\"", StringComparison.Ordinal));
                sb.Write('"');
            }
            else
            {
                sb.Write(c);
            }
        }

        sb.Write('\n');
    }
}

/// <summary>
/// GraphML for Gephi/yEd/networkx: node attributes (chain, address, cluster, entity, name, category, country, actor, why) and
/// edge attributes (seq, tx, ref, hop, asset, amount, tainted as decimal strings of base units, taint share, time, rule,
/// detail, one value_FIAT string per requested fiat) plus <c>weight</c> = tainted base units as a double, for layouts only.
/// </summary>
public static class TraceGraphMlWriter
{
    private static readonly (string Id, string For, string Name, string Type)[] Keys =
    [
        ("n_chain", "node", "chain", "string"), ("n_address", "node", "address", "string"), ("n_cluster", "node", "cluster", "long"),
        ("n_entity", "node", "entity", "string"), ("n_name", "node", "name", "string"), ("n_category", "node", "category", "string"),
        ("n_country", "node", "country", "string"), ("n_actor", "node", "actor", "string"), ("n_why", "node", "why", "string"),
        ("e_seq", "edge", "seq", "long"), ("e_tx", "edge", "tx", "string"), ("e_ref", "edge", "ref", "string"), ("e_hop", "edge", "hop", "int"),
        ("e_asset", "edge", "asset", "string"), ("e_amount", "edge", "amount", "string"), ("e_tainted", "edge", "tainted", "string"),
        ("e_share", "edge", "taint_share", "string"), ("e_time", "edge", "time", "string"), ("e_rule", "edge", "rule", "string"),
        ("e_detail", "edge", "detail", "string"), ("e_weight", "edge", "weight", "double"),
    ];

    public static void Write(Stream stream, TraceResult r)
    {
        var fiats = r.Options.Fiats.Distinct(StringComparer.Ordinal).ToList();
        using (var w = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("graphml", "http://graphml.graphdrawing.org/xmlns");
            foreach (var (id, f, name, type) in Keys.Concat(fiats.Select(x => ("e_value_" + x, "edge", "value_" + x, "string"))))
            {
                w.WriteStartElement("key");
                w.WriteAttributeString("id", id);
                w.WriteAttributeString("for", f);
                w.WriteAttributeString("attr.name", name);
                w.WriteAttributeString("attr.type", type);
                w.WriteEndElement();
            }

            w.WriteStartElement("graph");
            w.WriteAttributeString("id", "trace");
            w.WriteAttributeString("edgedefault", "directed");
            foreach (var n in r.Nodes)
            {
                w.WriteStartElement("node");
                w.WriteAttributeString("id", n.Id);
                Data(w, "n_chain", n.Chain);
                Data(w, "n_address", n.Address);
                Data(w, "n_cluster", n.ClusterId?.ToString(CultureInfo.InvariantCulture));
                Data(w, "n_entity", n.Label?.Entity);
                Data(w, "n_name", n.Label?.Name);
                Data(w, "n_category", n.Label?.Category);
                Data(w, "n_country", n.Label?.Country);
                Data(w, "n_actor", n.Label?.Actor);
                Data(w, "n_why", n.Label?.Why);
                w.WriteEndElement();
            }

            foreach (var e in r.Edges)
            {
                w.WriteStartElement("edge");
                w.WriteAttributeString("id", "e" + e.Seq.ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("source", e.From);
                w.WriteAttributeString("target", e.To);
                Data(w, "e_seq", e.Seq.ToString(CultureInfo.InvariantCulture));
                Data(w, "e_tx", e.Tx);
                Data(w, "e_ref", e.Ref);
                Data(w, "e_hop", e.Hop.ToString(CultureInfo.InvariantCulture));
                Data(w, "e_asset", e.Asset);
                Data(w, "e_amount", e.Amount.ToString());
                Data(w, "e_tainted", e.Tainted.ToString());
                Data(w, "e_share", TraceJsonWriter.Dec(e.TaintShare));
                Data(w, "e_time", TraceJsonWriter.Time(e.Time));
                Data(w, "e_rule", e.Rule);
                Data(w, "e_detail", e.Detail);
                Data(w, "e_weight", ((double)e.Tainted.ToBigInteger()).ToString("R", CultureInfo.InvariantCulture));
                foreach (var v in e.Values)
                {
                    Data(w, "e_value_" + v.Fiat, $"{TraceJsonWriter.Dec(v.Amount)} ({v.PriceDate}, {v.Source})");
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
    }

    private static void Data(XmlWriter w, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        w.WriteStartElement("data");
        w.WriteAttributeString("key", key);
        w.WriteString(value);
        w.WriteEndElement();
    }
}

/// <summary>Graphviz DOT: one node per trace node (label: address and attribution), one edge per trace edge (label: tainted amount, hop, rule).</summary>
public static class TraceDotWriter
{
    public static void Write(TextWriter sb, TraceResult r)
    {
        sb.Write("digraph trace {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n  edge [fontsize=9];\n");
        foreach (var n in r.Nodes)
        {
            var label = n.Label is { } l ? $"{n.Address}\\n{l.Name ?? l.Entity} ({l.Category ?? "?"}{(l.Country is null ? "" : ", " + l.Country)})" : n.Address;
            sb.Write("  ");
            sb.Write(Q(n.Id));
            sb.Write(" [label=");
            sb.Write(Q(label, keepNewlines: true));
            if (n.Label?.Category is { } c)
            {
                sb.Write(", style=filled, fillcolor=");
                sb.Write(c switch
                {
                    "exchange" => "\"#cde4ff\"",
                    "mixer" => "\"#ffd6d6\"",
                    "bridge" or "defi_bridge" => "\"#fff0c2\"",
                    _ => "\"#e8e8e8\"",
                });
            }

            sb.Write("];\n");
        }

        foreach (var e in r.Edges)
        {
            sb.Write("  ");
            sb.Write(Q(e.From));
            sb.Write(" -> ");
            sb.Write(Q(e.To));
            sb.Write(" [label=");
            sb.Write(Q($"{e.Tainted} {e.Asset}\\nhop {e.Hop} {e.Rule}", keepNewlines: true));
            if (e.Rule != TraceRules.Follow)
            {
                sb.Write(", style=dashed");
            }

            sb.Write("];\n");
        }

        sb.Write("}\n");
    }

    private static string Q(string s, bool keepNewlines = false)
    {
        var escaped = s.Replace("\\", keepNewlines ? "\\" : "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return "\"" + escaped + "\"";
    }
}

/// <summary>The output formats of <c>ashiato trace</c>.</summary>
public static class TraceOutput
{
    public static readonly string[] Formats = ["json", "csv", "graphml", "dot"];

    /// <summary>
    /// The file(s) of a format, each as its path and a writer that streams its bytes (a trace of a million edges is written
    /// without holding its text in memory). CSV gives edges in the file and nodes beside it (".nodes.csv").
    /// </summary>
    public static IReadOnlyList<(string Path, Action<Stream> Write)> Writers(TraceResult r, string format, string path) => format switch
    {
        "json" => [(path, s => TraceJsonWriter.Write(s, r))],
        "csv" => [(path, s => Text(s, w => TraceCsvWriter.WriteEdges(w, r))), (NodesPath(path), s => Text(s, w => TraceCsvWriter.WriteNodes(w, r)))],
        "graphml" => [(path, s => TraceGraphMlWriter.Write(s, r))],
        "dot" => [(path, s => Text(s, w => TraceDotWriter.Write(w, r)))],
        _ => throw new Core.UserErrorException($"unknown trace format '{format}' (json, csv, graphml, dot)"),
    };

    /// <summary>The same files in memory: (path, bytes).</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> Render(TraceResult r, string format, string path) =>
        Writers(r, format, path).Select(f =>
        {
            using var ms = new MemoryStream();
            f.Write(ms);
            return (f.Path, ms.ToArray());
        }).ToList();

    // UTF-8 without a byte-order mark, '\n' line ends (the writers write '\n' themselves)
    private static void Text(Stream stream, Action<TextWriter> write)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        write(w);
        w.Flush();
    }

    public static string NodesPath(string edgesPath) =>
        edgesPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? edgesPath[..^4] + ".nodes.csv" : edgesPath + ".nodes.csv";
}
