using System.Runtime.CompilerServices;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>This project's golden files under <c>Reports/golden/</c> (found from this source file's compile-time location); see <see cref="TestSupport.GoldenFiles"/>.</summary>
public static class GoldenFiles
{
    public static bool Updating => TestSupport.GoldenFiles.Updating;

    public static string Directory => Locate();

    public static void Check(string relativePath, string actual) => TestSupport.GoldenFiles.Check(Directory, relativePath, actual);

    private static string Locate([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source) ?? throw new InvalidOperationException("no source path"), "golden");
}
