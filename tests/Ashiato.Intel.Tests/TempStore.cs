using Ashiato.Storage;

namespace Ashiato.Intel.Tests;

/// <summary>A fresh store in a temporary directory, deleted on dispose.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Dir = Path.Combine(Path.GetTempPath(), "ashiato-intel-" + Guid.NewGuid().ToString("N"));
        Store = StoreDirectory.Open(Dir, create: true);
        Tags = new TagStore(Store.Meta);
    }

    public string Dir { get; }

    public StoreDirectory Store { get; }

    public TagStore Tags { get; }

    public ImportReport Import(params string[] paths) => new IntelImporter(Tags).Import(paths);

    public void Dispose()
    {
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
