using System.Runtime.CompilerServices;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

/// <summary>Locates the repository root and the shared read-only test data next to it.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> _repoRoot = new(() => FindRepoRoot());

    /// <summary>The directory holding Ashiato.slnx.</summary>
    public static string RepoRoot => _repoRoot.Value;

    /// <summary>../shared/data relative to the repository root.</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>bitcoin-etl's recorded Core RPC answers and exports for the Bitcoin test blocks.</summary>
    public static string EtlBitcoinBlocks =>
        Path.Combine(SharedData, "etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", "bitcoin");

    /// <summary>The same for the Dogecoin test blocks.</summary>
    public static string EtlDogecoinBlocks =>
        Path.Combine(SharedData, "etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", "dogecoin");

    /// <summary>
    /// Walks up from the test binaries to the directory containing Ashiato.slnx. When the build output lives outside
    /// the tree (dotnet test --artifacts-path /tmp/...), falls back to walking up from this source file's location.
    /// </summary>
    private static string FindRepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ashiato.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"no directory above {AppContext.BaseDirectory} or {sourceFile} contains Ashiato.slnx");
    }
}
