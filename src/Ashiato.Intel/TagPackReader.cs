using Ashiato.Core;

namespace Ashiato.Intel;

/// <summary>
/// Reads GraphSense TagPacks: header fields (all but title, creator, description, is_public and tags) are defaults that
/// each tag inherits unless it sets them itself. Checks: address against currency (tag rejected with the reason), category,
/// abuse and confidence names (warning, tag kept), required fields (tag rejected).
/// </summary>
public static class TagPackReader
{
    private static readonly HashSet<string> HeaderOnly = new(StringComparer.Ordinal) { "title", "creator", "description", "is_public", "tags" };

    /// <summary>Reads one TagPack; <paramref name="display"/> names the file in messages.</summary>
    public static List<TagRow> Read(YMapping root, string display, ImportReport report)
    {
        var title = YamlTree.AsText(root["title"]);
        if (title is null)
        {
            throw new UserErrorException($"{root.Where(display)}: TagPack has no 'title'");
        }

        if (root["tags"] is not YSequence tags)
        {
            throw new UserErrorException($"{(root["tags"] ?? root).Where(display)}: TagPack field 'tags' must be a list of tags");
        }

        var header = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var kv in root.Items)
        {
            if (!HeaderOnly.Contains(kv.Key))
            {
                header[kv.Key] = kv.Value;
            }
        }

        var rows = new List<TagRow>(tags.Items.Count);
        var fields = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var item in tags.Items)
        {
            report.TagsRead++;
            if (item is not YMapping tag)
            {
                report.Reject($"{item.Where(display)}: a tag must be a mapping");
                continue;
            }

            fields.Clear();
            foreach (var kv in header)
            {
                fields[kv.Key] = kv.Value;
            }

            foreach (var kv in tag.Items)
            {
                fields[kv.Key] = kv.Value;
            }

            if (TryRow(fields, tag, display, title, report) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    private static TagRow? TryRow(Dictionary<string, YNode> f, YMapping tag, string display, string title, ImportReport report)
    {
        string? Get(string key) => f.TryGetValue(key, out var n) ? YamlTree.AsText(n)?.Trim() : null;
        var where = tag.Where(display);
        var address = Get("address");
        if (address is null)
        {
            report.Reject($"{where}: tag has no 'address'" + (f.ContainsKey("entity") ? " (entity tags are not imported)" : ""));
            return null;
        }

        foreach (var required in (string[])["label", "source", "currency"])
        {
            if (Get(required) is null or "")
            {
                report.Reject($"{where}: tag {address} has no '{required}' (neither in the tag nor in the header)");
                return null;
            }
        }

        var currency = AddressRules.NormalizeCurrency(Get("currency")!);
        if (!AddressRules.TryCanonicalize(currency, address, out var canonical, out var network, out var reason, Get("network")))
        {
            report.Reject($"{where}: {reason}; tag rejected");
            return null;
        }

        var category = Get("category");
        if (category is not null && !Taxonomy.IsKnownCategory(category))
        {
            report.Warn($"{Located(f, "category", where, display)}: unknown category '{category}' (tag kept)");
        }

        var abuse = Get("abuse");
        if (abuse is not null && !Taxonomy.AbuseTypes.Contains(abuse))
        {
            report.Warn($"{Located(f, "abuse", where, display)}: unknown abuse type '{abuse}' (tag kept)");
        }

        var confidence = Get("confidence");
        var level = Taxonomy.Level(confidence);
        if (confidence is not null && level is null)
        {
            report.Warn($"{Located(f, "confidence", where, display)}: unknown confidence '{confidence}' (tag kept, no level)");
        }

        var definer = Get("is_cluster_definer");
        string? concepts = null;
        if (f.TryGetValue("concepts", out var c))
        {
            concepts = c is YSequence seq ? string.Join(',', seq.Items.Select(YamlTree.AsText).Where(s => s is not null)) : YamlTree.AsText(c);
        }

        return new TagRow
        {
            Address = canonical,
            Currency = currency,
            Network = network,
            Label = Get("label")!,
            Source = Get("source")!,
            Category = category,
            Abuse = abuse,
            Actor = Get("actor"),
            Confidence = confidence,
            ConfidenceLevel = level,
            IsClusterDefiner = definer is "true" or "True" or "TRUE" or "yes",
            Concepts = concepts is "" ? null : concepts,
            Context = f.TryGetValue("context", out var ctx) ? YamlTree.AsText(ctx) : null,
            LastMod = Get("lastmod"),
            TagPackFile = display,
            TagPackTitle = title,
        };
    }

    private static string Located(Dictionary<string, YNode> f, string key, string fallback, string display) =>
        f.TryGetValue(key, out var n) ? n.Where(display) : fallback;
}

/// <summary>Reads GraphSense ActorPacks: id, label, jurisdictions (ISO 3166-1 alpha-2), categories, aliases, uri, context.</summary>
public static class ActorPackReader
{
    public static List<ActorRow> Read(YMapping root, string display, ImportReport report)
    {
        if (root["actors"] is not YSequence actors)
        {
            throw new UserErrorException($"{(root["actors"] ?? root).Where(display)}: ActorPack field 'actors' must be a list");
        }

        var source = YamlTree.AsText(root["title"]) ?? display;
        var rows = new List<ActorRow>(actors.Items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in actors.Items)
        {
            if (item is not YMapping a)
            {
                report.Reject($"{item.Where(display)}: an actor must be a mapping");
                continue;
            }

            var id = YamlTree.AsText(a["id"])?.Trim();
            var label = YamlTree.AsText(a["label"])?.Trim();
            if (id is null or "" || label is null)
            {
                report.Reject($"{a.Where(display)}: actor needs 'id' and 'label'");
                continue;
            }

            if (!seen.Add(id))
            {
                report.Warn($"{a.Where(display)}: duplicate actor id '{id}' (the later one kept)");
            }

            var jurisdictions = new List<string>();
            foreach (var j in List(a["jurisdictions"]))
            {
                var code = j.Trim().ToUpperInvariant();
                if (Taxonomy.IsAlpha2(code))
                {
                    jurisdictions.Add(code);
                }
                else
                {
                    report.Warn($"{a.Where(display)}: actor '{id}': jurisdiction '{j}' is not an ISO 3166-1 alpha-2 code (dropped)");
                }
            }

            var categories = List(a["categories"]);
            foreach (var cat in categories.Where(c => !Taxonomy.IsKnownCategory(c)))
            {
                report.Warn($"{a.Where(display)}: actor '{id}': unknown category '{cat}' (kept)");
            }

            rows.Add(new ActorRow
            {
                Id = id,
                Label = label,
                Jurisdictions = jurisdictions,
                Categories = categories,
                Aliases = List(a["aliases"]),
                Uri = YamlTree.AsText(a["uri"]),
                Context = a["context"] is { } ctx ? YamlTree.AsText(ctx) : null,
                Source = source,
            });
        }

        return rows;
    }

    private static List<string> List(YNode? node) => node switch
    {
        YSequence s => s.Items.Select(YamlTree.AsText).Where(t => t is not null).Select(t => t!).ToList(),
        YScalar { Text: { } t } => [t],
        _ => [],
    };
}
