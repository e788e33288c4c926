using System.Text;

namespace Ashiato.TestSupport;

/// <summary>
/// Golden-file comparison shared by the test projects: byte for byte (UTF-8, no BOM), or, with
/// <c>ASHIATO_UPDATE_GOLDEN=1</c>, the golden file is rewritten from the current output instead (review the diff).
/// </summary>
public static class GoldenFiles
{
    public const string UpdateVariable = "ASHIATO_UPDATE_GOLDEN";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true";

    /// <summary>Compares <paramref name="actual"/> with <paramref name="directory"/>/<paramref name="relativePath"/>; the failure names the first differing line.</summary>
    public static void Check(string directory, string relativePath, string actual)
    {
        var path = Path.Combine(directory, relativePath);
        var bytes = new UTF8Encoding(false).GetBytes(actual);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            return;
        }

        if (!File.Exists(path))
        {
            throw new GoldenFileException($"golden file {relativePath} is missing: run the tests once with {UpdateVariable}=1 and review the new file");
        }

        var expected = File.ReadAllBytes(path);
        if (expected.AsSpan().SequenceEqual(bytes))
        {
            return;
        }

        var e = Encoding.UTF8.GetString(expected).Split('\n');
        var a = actual.Split('\n');
        var line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
        {
            line++;
        }

        throw new GoldenFileException($"{relativePath} differs from its golden file at line {line + 1}:\n  golden: {(line < e.Length ? e[line] : "<end>")}\n  actual: {(line < a.Length ? a[line] : "<end>")}\n" +
            $"If the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
    }
}

/// <summary>An output that differs from its golden file (or a golden file that is missing).</summary>
public sealed class GoldenFileException(string message) : Exception(message);
