using System.Runtime.CompilerServices;

namespace Ashiato.TestSupport;

/// <summary>
/// Finds the read-only test data that sits beside the repository at <c>../shared/data</c>.
/// </summary>
/// <remarks>
/// Test binaries may be built outside the repository (<c>--artifacts-path</c>), so the search
/// starts from this source file's compile-time location, then from the binaries and the working
/// directory. <c>ASHIATO_SHARED_DATA</c> overrides the search.
/// </remarks>
public static class SharedData
{
    private const string RepoMarker = "Ashiato.slnx";

    private static readonly Lazy<string> _root = new(Locate);

    /// <summary>Absolute path of the shared data folder.</summary>
    public static string Root => _root.Value;

    /// <summary>Absolute path of a file or folder inside the shared data folder.</summary>
    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Locate() => LocateFrom();

    private static string LocateFrom([CallerFilePath] string sourceFile = "")
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ASHIATO_SHARED_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"ASHIATO_SHARED_DATA={fromEnvironment} does not exist.");
        }

        string?[] starts = [Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory, Environment.CurrentDirectory];
        foreach (var start in starts)
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, RepoMarker)))
                {
                    var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }

        throw new DirectoryNotFoundException(
            "Cannot find ../shared/data beside the repository (looked above " + string.Join(", ", starts) +
            "). Clone the repository next to 'shared', or set ASHIATO_SHARED_DATA.");
    }
}
