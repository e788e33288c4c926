using System.Diagnostics;
using System.Globalization;
using Ashiato.Intel;
using Ashiato.Storage;

namespace Ashiato.Bench;

/// <summary>
/// <c>tags</c>: imports all shared GraphSense TagPacks, the ActorPack and the OFAC SDN Advanced XML into a fresh store
/// (tags/s, MB/s of YAML) and, in the same run, parses the same YAML with YamlDotNet's parser alone (no import).
/// </summary>
internal static class TagsBenchmark
{
    public static List<string> Run(string intelRoot, Action<string> log)
    {
        var packs = Path.Combine(intelRoot, "graphsense-tagpacks");
        var xml = Path.Combine(intelRoot, "ofac-sdn-2025-11-19", "sdn_advanced.xml.bz2");
        var yamlFiles = Directory.EnumerateFiles(packs, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var yamlBytes = yamlFiles.Sum(f => new FileInfo(f).Length);

        log("plain YAML parse");
        var sw = Stopwatch.StartNew();
        long events = 0;
        foreach (var f in yamlFiles)
        {
            using var reader = new StreamReader(f);
            var parser = new YamlDotNet.Core.Parser(reader);
            while (parser.MoveNext())
            {
                events++;
            }
        }

        var parseSeconds = sw.Elapsed.TotalSeconds;
        var dir = Path.Combine(Path.GetTempPath(), "ashiato-bench-tags-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = StoreDirectory.Open(dir, create: true);
            var tags = new TagStore(store.Meta);
            log("TagPack + ActorPack import");
            sw.Restart();
            var yaml = new IntelImporter(tags).Import([packs]);
            var yamlSeconds = sw.Elapsed.TotalSeconds;
            log("OFAC SDN Advanced XML import");
            sw.Restart();
            var ofac = new IntelImporter(tags).Import([xml]);
            var ofacSeconds = sw.Elapsed.TotalSeconds;
            string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);
            return
            [
                "| step | input | time | rate |",
                "|---|--:|--:|--:|",
                $"| YamlDotNet parser alone (events only) | {yamlFiles.Count} files, {F(yamlBytes / 1e6, "F1")} MB, {events:N0} events | {F(parseSeconds)} s | {F(yamlBytes / 1e6 / parseSeconds)} MB/s |",
                $"| TagPack + ActorPack import | {yaml.TagsRead:N0} tags, {yaml.ActorsImported:N0} actors | {F(yamlSeconds)} s (parse+check {F(yaml.ReadSeconds)} s, SQLite {F(yaml.StoreSeconds)} s) | **{F(yaml.TagsImported / yamlSeconds, "N0")} tags/s**, {F(yamlBytes / 1e6 / yamlSeconds)} MB/s (the plain parse's speed × {F(parseSeconds / yamlSeconds, "F2")}) |",
                $"| OFAC SDN Advanced XML (bz2, streamed) | {ofac.TagsRead:N0} addresses, {ofac.EntitiesImported:N0} parties | {F(ofacSeconds)} s | {F(ofac.TagsRead / ofacSeconds, "N0")} tags/s |",
                string.Empty,
                $"Imported {yaml.TagsImported:N0} tags ({yaml.Duplicates:N0} duplicates skipped, {yaml.Rejected:N0} rejected), then {ofac.TagsImported:N0} OFAC tags.",
            ];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
