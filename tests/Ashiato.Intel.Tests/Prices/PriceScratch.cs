using Ashiato.Intel.Prices;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>A fresh store plus a scratch directory for price files written by a test.</summary>
public sealed class PriceScratch : IDisposable
{
    private readonly TempStore _store = new();

    public PriceScratch()
    {
        Directory.CreateDirectory(FilesDir);
        Prices = new PriceStore(_store.Store.Meta, new FixedClock());
    }

    public string FilesDir { get; } = Path.Combine(Path.GetTempPath(), "ashiato-prices-in-" + Guid.NewGuid().ToString("N"));

    public PriceStore Prices { get; }

    public Storage.MetaDb Meta => _store.Store.Meta;

    public string Write(string name, string text)
    {
        var path = Path.Combine(FilesDir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public PriceImportReport Import(PriceImportOptions options, params string[] paths) => new PriceImporter(Prices).Import(paths, options);

    public PriceImportReport Import(params string[] paths) => Import(new PriceImportOptions(), paths);

    public PriceBook Book(PriceBookOptions? options = null) => PriceBook.Load(Meta, options);

    /// <summary>Every stored row as "ASSET-FIAT source date price", for comparing whole tables.</summary>
    public List<string> Dump() => Prices.Points().Select(r => $"{r.Asset}-{r.Fiat} {r.Source} {r.Date} {r.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)}").ToList();

    public void Dispose()
    {
        _store.Dispose();
        try
        {
            Directory.Delete(FilesDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    }
}
