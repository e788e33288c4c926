using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ashiato.Intel;

/// <summary>
/// Writes tags back as GraphSense TagPacks, one file per source (the source in the header, every other field on each
/// tag), so that importing the files gives the same rows (address, currency, label, category, abuse, actor, source,
/// confidence, is_cluster_definer, concepts, context, lastmod).
/// </summary>
public static class TagPackWriter
{
    public static void Write(TextWriter writer, string source, IEnumerable<TagRow> tags)
    {
        var e = new Emitter(writer);
        e.Emit(new StreamStart());
        e.Emit(new DocumentStart());
        e.Emit(new MappingStart());
        Pair(e, "title", $"Ashiato export: {source}");
        Pair(e, "creator", "ashiato tags export");
        Pair(e, "source", source);
        Scalar(e, "tags");
        e.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, false, SequenceStyle.Block));
        foreach (var t in tags)
        {
            e.Emit(new MappingStart());
            Pair(e, "address", t.Address);
            Pair(e, "currency", t.Currency);
            Pair(e, "label", t.Label);
            Pair(e, "category", t.Category);
            Pair(e, "abuse", t.Abuse);
            Pair(e, "actor", t.Actor);
            Pair(e, "confidence", t.Confidence);
            if (t.IsClusterDefiner)
            {
                Scalar(e, "is_cluster_definer");
                e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "true", ScalarStyle.Plain, true, false));
            }

            if (t.Concepts is not null)
            {
                Scalar(e, "concepts");
                e.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, false, SequenceStyle.Block));
                foreach (var c in t.Concepts.Split(','))
                {
                    Scalar(e, c);
                }

                e.Emit(new SequenceEnd());
            }

            Pair(e, "context", t.Context);
            Pair(e, "lastmod", t.LastMod);
            e.Emit(new MappingEnd());
        }

        e.Emit(new SequenceEnd());
        e.Emit(new MappingEnd());
        e.Emit(new DocumentEnd(true));
        e.Emit(new StreamEnd());
    }

    private static void Pair(IEmitter e, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        Scalar(e, key);
        Scalar(e, value);
    }

    /// <summary>Values another YAML reader would take for a boolean, number or null are quoted.</summary>
    private static void Scalar(IEmitter e, string value)
    {
        var quote = value.Length == 0 || value is "~" or "null" or "true" or "false" or "yes" or "no" or "on" or "off"
            || value.Equals("null", StringComparison.OrdinalIgnoreCase) || bool.TryParse(value, out _)
            || double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            || (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value.Length <= 18)
            || value.Trim() != value;
        e.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, quote ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, true, true));
    }
}

/// <summary><c>tags export</c>: every source's listed (not delisted) tags as one TagPack file in a directory.</summary>
public static class TagExporter
{
    public sealed record ExportedFile(string Path, string Source, int Tags);

    public static List<ExportedFile> Export(TagStore store, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<ExportedFile>();
        foreach (var source in store.Sources())
        {
            var tags = store.List(new TagQuery(Source: source, IncludeDelisted: false, Limit: 0));
            if (tags.Count == 0)
            {
                continue;
            }

            var path = Path.Combine(directory, TagStore.FileNameFor(source));
            using (var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false)))
            {
                TagPackWriter.Write(w, source, tags);
            }

            files.Add(new ExportedFile(path, source, tags.Count));
        }

        return files;
    }
}
