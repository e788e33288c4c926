using System.Runtime.CompilerServices;
using System.Text;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>
/// Golden files under <c>Reports/golden/</c> (found from this source file's compile-time location). Set
/// <c>ASHIATO_UPDATE_GOLDEN=1</c> to rewrite them from the current output instead of comparing.
/// </summary>
public static class GoldenFiles
{
    public const string UpdateVariable = "ASHIATO_UPDATE_GOLDEN";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true";

    public static string Directory => Locate();

    /// <summary>Compares <paramref name="actual"/> with the golden file byte for byte (or rewrites it when updating).</summary>
    public static void Check(string relativePath, string actual)
    {
        var path = Path.Combine(Directory, relativePath);
        var bytes = new UTF8Encoding(false).GetBytes(actual);
        if (Updating)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {relativePath} is missing: run the tests once with {UpdateVariable}=1 and review the new file");
        var expected = File.ReadAllText(path, Encoding.UTF8);
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            var line = 0;
            while (line < e.Length && line < a.Length && e[line] == a[line])
            {
                line++;
            }

            Assert.Fail($"{relativePath} differs from its golden file at line {line + 1}:\n  golden: {(line < e.Length ? e[line] : "<end>")}\n  actual: {(line < a.Length ? a[line] : "<end>")}\n" +
                $"If the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
        }
    }

    private static string Locate([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source) ?? throw new InvalidOperationException("no source path"), "golden");
}
