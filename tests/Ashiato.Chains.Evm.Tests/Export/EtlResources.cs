using System.Globalization;
using System.Text.Json;
using Ashiato.Chains.Evm.Json;
using Ashiato.Export.Evm;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Evm.Tests.Export;

/// <summary>ethereum-etl's own test recordings and expected outputs (shared data, read only).</summary>
internal static class EtlResources
{
    public static string Dir(string job, string testCase) =>
        SharedData.PathTo("etl", "ethereum-etl", "tests", "resources", job, testCase);

    public static IEnumerable<string> CaseNames(string job) =>
        Directory.GetDirectories(SharedData.PathTo("etl", "ethereum-etl", "tests", "resources", job))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    /// <summary>The recorded answers of one method in a case folder ("web3_response.{method}_….json"), in file-name order.</summary>
    public static IEnumerable<string> Recordings(string dir, string method) =>
        Directory.GetFiles(dir, $"web3_response.{method}_*.json").Order(StringComparer.Ordinal);

    /// <summary>The <c>result</c> of a recorded JSON-RPC answer.</summary>
    public static JsonElement Result(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file), EvmJsonDecoder.DocumentOptions);
        return doc.RootElement.GetProperty("result").Clone();
    }

    /// <summary>"web3_response.eth_getBlockByNumber_0x76250_true.json" → "eth_getBlockByNumber_0x76250_true".</summary>
    public static string SourceOf(string file) => Path.GetFileNameWithoutExtension(file)["web3_response.".Length..];

    /// <summary>The hex number in a recording's name after the method ("…_0xb872_true.json" → 0xb872).</summary>
    public static long HexNumberIn(string file)
    {
        var parts = SourceOf(file).Split('_');
        var hex = parts.First(p => p.StartsWith("0x", StringComparison.Ordinal));
        return long.Parse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public static string Write(Action<TextWriter> export)
    {
        var sw = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        export(sw);
        return sw.ToString();
    }

    /// <summary>
    /// Byte equality with an expected file. Four of ethereum-etl's resource files were saved without the final
    /// newline every written row has (ethereum-etl's tests compare lines, so it never mattered there); for those the
    /// one missing trailing "\n" is the only difference allowed.
    /// </summary>
    public static void AssertEqualsFile(string expectedFile, string actual)
    {
        var expected = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(expectedFile));
        if (expected.Length > 0 && !expected.EndsWith('\n') && actual == expected + "\n")
        {
            return;
        }

        Assert.Equal(expected, actual);
    }

    /// <summary>The values of one column of an expected CSV file, in row order (no quoted cells in that column).</summary>
    public static IReadOnlyList<string> CsvColumn(string file, string column)
    {
        var lines = File.ReadAllLines(file);
        var index = Array.IndexOf(lines[0].Split(','), column);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[index]).ToList();
    }

    /// <summary>The values of one field of an expected JSON lines file, in row order.</summary>
    public static IReadOnlyList<string> JsonColumn(string file, string field) =>
        File.ReadAllLines(file).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.GetProperty(field).GetString()!;
        }).ToList();

    public static EthereumEtlExporter Exporter { get; } = new();
}
