using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ashiato.Core;
using ICSharpCode.SharpZipLib.BZip2;

namespace Ashiato.Intel;

/// <summary>
/// Imports files and directories of intelligence into a <see cref="TagStore"/>: GraphSense TagPacks and ActorPacks
/// (*.yaml, *.yml), CSV tags (*.csv), OFAC SDN Advanced XML (*.xml, *.xml.bz2) and OFAC per-asset address lists
/// (sanctioned_addresses_XXX.txt, one edition per directory). YAML files go first (so actors exist before OFAC parties
/// are matched to them), then CSV, then the OFAC editions oldest first.
/// </summary>
public sealed partial class IntelImporter(TagStore store)
{
    public const string OfacListKey = "ofac-sdn";

    /// <summary>The date an OFAC per-asset list edition is imported as; by default the yyyy-mm-dd at the end of its directory name.</summary>
    public string? ListDate { get; init; }

    [GeneratedRegex(@"(\d{4}-\d{2}-\d{2})$")]
    private static partial Regex TrailingDate();

    [GeneratedRegex(@"^sanctioned_addresses_([A-Za-z0-9]+)\.txt$")]
    private static partial Regex ListFile();

    private readonly SortedDictionary<string, (string Country, string Pack)> _explicitCountries = new(StringComparer.Ordinal);

    public ImportReport Import(IEnumerable<string> paths)
    {
        _explicitCountries.Clear();
        var report = new ImportReport();
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(f => Kind(f) is not null).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                if (Kind(p) is null)
                {
                    throw new UserErrorException($"{p}: unknown kind of file (expected .yaml/.yml, .csv, .xml/.xml.bz2 or sanctioned_addresses_XXX.txt)");
                }

                files.Add(p);
            }
            else
            {
                throw new UserErrorException($"{p}: no such file or directory");
            }
        }

        var yaml = files.Where(f => Kind(f) == "yaml").ToList();
        foreach (var f in yaml)
        {
            ImportYaml(f, report);
        }

        foreach (var f in files.Where(f => Kind(f) == "csv"))
        {
            report.Files++;
            using var reader = new StreamReader(f);
            store.InsertTags(CsvTagReader.Read(reader, f, report), report);
        }

        var editions = new List<(string Date, List<TagRow> Rows)>();
        foreach (var dir in files.Where(f => Kind(f) == "list").GroupBy(f => Path.GetDirectoryName(Path.GetFullPath(f)) ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            editions.Add(ReadListEdition(dir.Key, dir.ToList(), report));
        }

        var matcher = new OfacActorMatcher(store.Actors());
        foreach (var f in files.Where(f => Kind(f) == "ofac-xml"))
        {
            editions.Add(ReadAdvanced(f, matcher, report));
        }

        foreach (var (date, rows) in editions.OrderBy(e => e.Date, StringComparer.Ordinal))
        {
            store.ApplyListEdition(OfacListKey, date, rows, report);
        }

        store.RefreshEntities(_explicitCountries, report);
        return report;
    }

    private static string? Kind(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return name.Equals("CITATION.cff", StringComparison.Ordinal) ? null : "yaml";
        }

        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return "csv";
        }

        if (name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".xml.bz2", StringComparison.OrdinalIgnoreCase))
        {
            return "ofac-xml";
        }

        return ListFile().IsMatch(name) ? "list" : null;
    }

    private void ImportYaml(string file, ImportReport report)
    {
        report.Files++;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var text = File.ReadAllText(file);
        report.YamlBytes += new FileInfo(file).Length;
        var root = YamlTree.Load(new StringReader(text), file);
        if (root is not YMapping map)
        {
            throw new UserErrorException($"{file}:1:1: expected a TagPack or ActorPack (a YAML mapping)");
        }

        if (map["actors"] is not null)
        {
            var actors = ActorPackReader.Read(map, file, report);
            report.ReadSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            store.UpsertActors(actors, report);
        }
        else
        {
            var tags = ApplyExplicitEntities(map, file, TagPackReader.Read(map, file, report), report);
            report.ReadSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            store.InsertTags(tags, report);
        }

        report.StoreSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// TagPack fields GraphSense does not define but Ashiato reads when present (inherited from the header like the others):
    /// <c>entity</c> (an explicit entity id for the tag) and <c>country</c> (ISO 3166-1 alpha-2 of that entity, or of the
    /// entity the tag names by the usual rules; another value is a warning and is dropped).
    /// </summary>
    private List<TagRow> ApplyExplicitEntities(YMapping root, string file, List<TagRow> rows, ImportReport report)
    {
        if (root["tags"] is not YSequence items)
        {
            return rows;
        }

        var title = YamlTree.AsText(root["title"]) ?? file;
        string? Field(YMapping tag, string key) => (YamlTree.AsText(tag[key]) ?? YamlTree.AsText(root[key]))?.Trim() is { Length: > 0 } v ? v : null;
        var byTag = new Dictionary<(string Label, string Address), (string? Entity, string? Country, YNode Where)>();
        foreach (var item in items.Items)
        {
            if (item is not YMapping tag || Field(tag, "address") is not { } address || Field(tag, "label") is not { } label)
            {
                continue;
            }

            var (entity, country) = (Field(tag, "entity"), Field(tag, "country"));
            if (entity is not null || country is not null)
            {
                byTag[(label, address.ToLowerInvariant())] = (entity, country, tag["country"] ?? root["country"] ?? tag);
            }
        }

        if (byTag.Count == 0)
        {
            return rows;
        }

        for (var i = 0; i < rows.Count; i++)
        {
            if (!byTag.TryGetValue((rows[i].Label, rows[i].Address.ToLowerInvariant()), out var ex))
            {
                continue;
            }

            if (ex.Entity is not null)
            {
                rows[i] = rows[i] with { Entity = ex.Entity };
            }

            if (ex.Country is { } c)
            {
                var code = c.ToUpperInvariant();
                if (!Taxonomy.IsAlpha2(code))
                {
                    report.Warn($"{ex.Where.Where(file)}: country '{c}' is not an ISO 3166-1 alpha-2 code (dropped)");
                }
                else if (EntityRules.EntityId(rows[i]) is { } id)
                {
                    _explicitCountries[id] = (code, title);
                }
            }
        }

        return rows;
    }

    private (string Date, List<TagRow> Rows) ReadListEdition(string dir, List<string> files, ImportReport report)
    {
        var date = ListDate ?? (TrailingDate().Match(Path.GetFileName(dir)) is { Success: true } m ? m.Groups[1].Value
            : throw new UserErrorException($"{dir}: cannot tell the date of this OFAC list edition (name the directory …-YYYY-MM-DD or pass --list-date)"));
        var source = $"OFAC SDN {date}";
        var rows = new List<TagRow>();
        foreach (var f in files.Order(StringComparer.Ordinal))
        {
            report.Files++;
            var currency = AddressRules.NormalizeCurrency(ListFile().Match(Path.GetFileName(f)).Groups[1].Value);
            var lineNo = 0;
            foreach (var line in File.ReadLines(f))
            {
                lineNo++;
                if (line.Trim() is not { Length: > 0 } address)
                {
                    continue;
                }

                report.TagsRead++;
                if (!AddressRules.TryCanonicalize(currency, address, out var canonical, out var network, out var reason))
                {
                    report.Reject($"{f}:{lineNo}: {reason}; tag rejected");
                    continue;
                }

                rows.Add(new TagRow
                {
                    Address = canonical, Currency = currency, Network = network, Label = "OFAC SDN listed address", Source = source,
                    Category = "sanction", Abuse = "sanction", Confidence = "authority_data", ConfidenceLevel = Taxonomy.Level("authority_data"),
                    TagPackFile = f, TagPackTitle = "OFAC sanctioned addresses", LastMod = date,
                });
            }
        }

        return (date, rows);
    }

    private (string Date, List<TagRow> Rows) ReadAdvanced(string file, OfacActorMatcher matcher, ImportReport report)
    {
        report.Files++;
        using var raw = File.OpenRead(file);
        using Stream stream = file.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) ? new BZip2InputStream(raw) : raw;
        var list = OfacAdvancedReader.Read(stream, file);
        var source = $"OFAC SDN {list.Date}";
        var rows = new List<TagRow>();
        var entities = new List<EntityRow>();
        foreach (var party in list.Parties)
        {
            var actor = matcher.Match(party.Name, party.Aliases);
            var entity = $"ofac:{party.ProfileId.ToString(CultureInfo.InvariantCulture)}";
            entities.Add(new EntityRow(entity, party.Name, "sanction", null, actor, source));
            var context = JsonSerializer.Serialize(new OfacContext(party.ProfileId, party.Programs));
            foreach (var a in party.Addresses)
            {
                report.TagsRead++;
                var currency = AddressRules.NormalizeCurrency(a.Currency);
                if (!AddressRules.TryCanonicalize(currency, a.Address, out var canonical, out var network, out var reason))
                {
                    report.Reject($"{file}: SDN profile {party.ProfileId}: {reason}; tag rejected");
                    continue;
                }

                rows.Add(new TagRow
                {
                    Address = canonical, Currency = currency, Network = network, Label = party.Name, Source = source,
                    Category = "sanction", Abuse = "sanction", Actor = actor, Entity = entity, Confidence = "authority_data",
                    ConfidenceLevel = Taxonomy.Level("authority_data"), Context = context, TagPackFile = file,
                    TagPackTitle = "OFAC SDN Advanced", LastMod = list.Date,
                });
            }
        }

        store.UpsertEntities(entities, report);
        return (list.Date, rows);
    }

    private sealed record OfacContext(
        [property: System.Text.Json.Serialization.JsonPropertyName("ofac_profile")] long OfacProfile,
        [property: System.Text.Json.Serialization.JsonPropertyName("programs")] IReadOnlyList<string> Programs);
}
