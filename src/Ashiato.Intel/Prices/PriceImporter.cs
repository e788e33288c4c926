using Ashiato.Core;

namespace Ashiato.Intel.Prices;

/// <summary>What the files are a series of, when their names or contents do not say; null = from the file name / format.</summary>
public sealed record PriceImportOptions(string? Asset = null, string? Fiat = null, string? Source = null, int? Priority = null);

/// <summary>
/// Imports price files (see docs/formats/prices.md) into a <see cref="PriceStore"/>. Every file is read and checked
/// first; then each series (asset, fiat, source) found replaces the stored series of the same key, all in one SQLite
/// transaction. A bad file therefore changes nothing: the error names the file and line (or JSON path) and field.
/// Files of one series within one import are merged (a date they both have must agree).
/// </summary>
public sealed class PriceImporter(PriceStore store)
{
    public PriceImportReport Import(IEnumerable<string> paths, PriceImportOptions options)
    {
        var asset = options.Asset is null ? null : PriceTickers.Normalize(options.Asset, "--asset");
        var fiat = options.Fiat is null ? null : PriceTickers.Normalize(options.Fiat, "--fiat");
        var source = options.Source?.Trim();
        if (source is { Length: 0 })
        {
            throw new UserErrorException("--source is empty");
        }

        var report = new PriceImportReport();
        var builders = new Dictionary<PriceSeriesKey, (DailySeriesBuilder Builder, SortedSet<string> Formats, List<string> Files)>();
        var order = new List<PriceSeriesKey>();
        foreach (var path in Expand(paths))
        {
            var file = PriceFileReader.Read(path);
            report.Files++;
            report.Skipped += file.Skipped;
            report.Warnings.AddRange(file.Warnings);
            var fromName = PriceTickers.FromFileName(path);
            var a = asset ?? fromName?.Asset;
            var f = fiat ?? fromName?.Fiat;
            if (a is null || f is null)
            {
                throw new UserErrorException($"{path}: which asset and fiat is this? Name the file like btc-usd.csv or pass --asset and --fiat");
            }

            var key = new PriceSeriesKey(a, f, source ?? (file.Format == "csv" ? Path.GetFileName(path) : file.Format));
            if (!builders.TryGetValue(key, out var b))
            {
                builders[key] = b = (new DailySeriesBuilder(), new SortedSet<string>(StringComparer.Ordinal), []);
                order.Add(key);
            }

            b.Formats.Add(file.Format);
            b.Files.Add(Path.GetFileName(path));
            foreach (var p in file.Points)
            {
                report.PointsRead++;
                b.Builder.Add(p);
            }
        }

        if (report.Files == 0)
        {
            throw new UserErrorException($"no price files (*.csv, *.json) in {string.Join(", ", paths)}");
        }

        var series = new List<ParsedPriceSeries>();
        foreach (var key in order)
        {
            var (builder, formats, files) = builders[key];
            report.IntradayDropped += builder.IntradayDropped;
            report.Duplicates += builder.Duplicates;
            series.Add(new ParsedPriceSeries(key, string.Join("+", formats), files, builder.Build()));
        }

        report.Series.AddRange(store.Replace(series, options.Priority));
        return report;
    }

    /// <summary>Files as given; directories give their *.csv and *.json files (not recursive), in name order.</summary>
    private static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p)
                    .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new UserErrorException($"{p}: no such file or directory");
            }
        }

        return files;
    }
}
