using System.Globalization;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Analysis.Tracing.Output;

/// <summary>
/// The whole <see cref="TraceResult"/> as JSON (docs/formats/trace.md): format header, parameters echoed, seeds, partial
/// flag, summary, nodes, edges, warnings. On-chain amounts are decimal strings of base units, fiat amounts decimal strings,
/// times ISO 8601 UTC; keys in a fixed order; no clock, no machine data: the same result gives the same bytes.
/// </summary>
public static class TraceJsonWriter
{
    public const string Format = "ashiato-trace";
    public const int Version = 1;

    public static byte[] Serialize(TraceResult result)
    {
        using var ms = new MemoryStream();
        Write(ms, result);
        return ms.ToArray();
    }

    public static void Write(Stream stream, TraceResult r)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteBoolean("partial", r.Partial);
        w.WriteString("partial_reason", r.PartialReason);
        w.WriteNumber("edges_visited", r.EdgesVisited);
        w.WritePropertyName("parameters");
        WriteOptions(w, r.Options);
        w.WriteStartArray("seeds");
        foreach (var s in r.Seeds)
        {
            w.WriteStartObject();
            w.WriteString("chain", s.Chain);
            w.WriteString("kind", s.Kind.ToString().ToLowerInvariant());
            w.WriteString("value", s.Value);
            w.WriteString("amount", s.Amount?.ToString());
            w.WriteString("asset", s.Asset);
            w.WriteNumber("hop", s.Hop);
            w.WriteString("not_before", s.NotBefore is { } nb ? Time(nb) : null);
            w.WriteString("why", s.Why);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("summary");
        w.WriteStartObject();
        Totals(w, "seeded", r.Summary.Seeded);
        Totals(w, "by_entity", r.Summary.ByEntity);
        Totals(w, "by_category", r.Summary.ByCategory);
        Totals(w, "by_country", r.Summary.ByCountry);
        Totals(w, "by_rule", r.Summary.ByRule);
        w.WriteEndObject();
        w.WriteStartArray("nodes");
        foreach (var n in r.Nodes)
        {
            w.WriteStartObject();
            w.WriteString("id", n.Id);
            w.WriteString("chain", n.Chain);
            w.WriteString("address", n.Address);
            if (n.ClusterId is { } c)
            {
                w.WriteNumber("cluster", c);
            }
            else
            {
                w.WriteNull("cluster");
            }

            w.WritePropertyName("label");
            if (n.Label is { } l)
            {
                w.WriteStartObject();
                w.WriteString("entity", l.Entity);
                w.WriteString("name", l.Name);
                w.WriteString("category", l.Category);
                w.WriteString("country", l.Country);
                w.WriteString("actor", l.Actor);
                w.WriteString("why", l.Why);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNullValue();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("edges");
        foreach (var e in r.Edges)
        {
            w.WriteStartObject();
            w.WriteNumber("seq", e.Seq);
            w.WriteString("chain", e.Chain);
            w.WriteString("tx", e.Tx);
            w.WriteString("ref", e.Ref);
            w.WriteNumber("hop", e.Hop);
            w.WriteString("from", e.From);
            w.WriteString("to", e.To);
            w.WriteString("asset", e.Asset);
            w.WriteString("amount", e.Amount.ToString());
            w.WriteString("tainted", e.Tainted.ToString());
            w.WriteString("taint_share", Dec(e.TaintShare));
            w.WriteString("time", Time(e.Time));
            w.WriteString("rule", e.Rule);
            w.WriteString("detail", e.Detail);
            Values(w, e.Values);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var s in r.Warnings)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteOptions(Utf8JsonWriter w, TraceOptions o)
    {
        w.WriteStartObject();
        w.WriteString("direction", o.Direction.ToString().ToLowerInvariant());
        w.WriteString("model", o.Model.ToString().ToLowerInvariant());
        w.WriteNumber("max_hops", o.MaxHops);
        w.WriteNumber("max_edges", o.MaxEdges);
        w.WriteString("min_amount", o.MinAmount.ToString());
        w.WriteString("min_fiat", o.MinFiat is { } mf ? Dec(mf) : null);
        w.WriteStartArray("fiats");
        foreach (var f in o.Fiats)
        {
            w.WriteStringValue(f);
        }

        w.WriteEndArray();
        w.WriteString("from", o.From is { } from ? Time(from) : null);
        w.WriteString("to", o.To is { } to ? Time(to) : null);
        w.WriteStartArray("stop_categories");
        foreach (var c in o.StopCategories.Order(StringComparer.Ordinal))
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        w.WriteString("coinjoin", o.CoinJoin.ToString().ToLowerInvariant());
        w.WriteBoolean("stop_at_mixers", o.StopAtMixers);
        w.WriteBoolean("follow_bridges", o.FollowBridges);
        w.WriteBoolean("follow_swaps", o.FollowSwaps);
        w.WriteString("time_budget", o.TimeBudget is { } b ? b.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s" : null);
        w.WriteEndObject();
    }

    private static void Totals(Utf8JsonWriter w, string name, IReadOnlyList<EndpointTotal> totals)
    {
        w.WriteStartArray(name);
        foreach (var t in totals)
        {
            w.WriteStartObject();
            w.WriteString("key", t.Key);
            w.WriteString("chain", t.Chain);
            w.WriteString("asset", t.Asset);
            w.WriteString("tainted", t.Tainted.ToString());
            w.WriteString("share_of_seed", Dec(t.ShareOfSeed));
            Values(w, t.Values);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Values(Utf8JsonWriter w, IReadOnlyList<FiatValue> values)
    {
        w.WriteStartArray("values");
        foreach (var v in values)
        {
            w.WriteStartObject();
            w.WriteString("fiat", v.Fiat);
            w.WriteString("amount", Dec(v.Amount));
            w.WriteString("asset", v.Asset);
            w.WriteString("unit_price", Dec(v.UnitPrice));
            w.WriteString("price_date", v.PriceDate);
            w.WriteString("source", v.Source);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    internal static string Dec(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
