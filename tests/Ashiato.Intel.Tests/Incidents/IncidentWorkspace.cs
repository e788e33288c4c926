using Ashiato.Intel.Incidents;
using Ashiato.Storage;

namespace Ashiato.Intel.Tests.Incidents;

/// <summary>A fresh store and a scratch directory for IncidentPacks, both deleted on dispose.</summary>
public sealed class IncidentWorkspace : IDisposable
{
    private readonly TempStore _store = new();

    public IncidentWorkspace()
    {
        Directory.CreateDirectory(Work);
        Incidents = new IncidentStore(_store.Store.Meta);
    }

    public string Work { get; } = Path.Combine(Path.GetTempPath(), "ashiato-incidents-" + Guid.NewGuid().ToString("N"));

    public StoreDirectory Store => _store.Store;

    public IncidentStore Incidents { get; }

    /// <summary>Writes a pack (lines joined with \n) and returns its path.</summary>
    public string Pack(string name, string yaml)
    {
        var path = Path.Combine(Work, name);
        File.WriteAllText(path, yaml.ReplaceLineEndings("\n"));
        return path;
    }

    public IncidentImportReport Import(params string[] paths) => new IncidentImporter(Incidents, Store).Import(paths);

    /// <summary>The repository's root (where Ashiato.slnx is), found from this source file, for the docs' example.</summary>
    public static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ashiato.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Ashiato.slnx not found above " + source);
    }

    public void Dispose()
    {
        _store.Dispose();
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
