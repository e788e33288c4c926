using System.Text.Json;
using Ashiato.Cli;
using Ashiato.TestSupport;

namespace Ashiato.Intel.Tests;

/// <summary><c>ashiato tags …</c> end to end through <see cref="CliApp"/>.</summary>
public sealed class TagsCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ashiato-tags-cli-" + Guid.NewGuid().ToString("N"));

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--store", Path.Combine(_dir, "store"), .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Pack(string name) => SharedData.PathTo("intel", "graphsense-tagpacks", "packs", name);

    [Fact]
    public async Task Import_list_search_export()
    {
        var (code, output, _) = await Run("tags", "import", Pack("demo.yaml"), Pack("lazarus.yaml"));
        Assert.Equal(0, code);
        Assert.Contains("2 files:", output, StringComparison.Ordinal);

        (code, output, _) = await Run("--json", "tags", "list", "--actor", "lazarusgroup", "--currency", "BTC", "--limit", "5");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement;
        Assert.Equal(5, rows.GetArrayLength());
        Assert.All(rows.EnumerateArray(), r => Assert.Equal("lazarusgroup", r.GetProperty("actor").GetString()));

        (code, output, _) = await Run("--json", "tags", "search", "1Archive1n2C579dMsAu3iC6tWzuQJz8dN");
        Assert.Equal(0, code);
        Assert.Equal("Internet Archive", JsonDocument.Parse(output).RootElement[0].GetProperty("label").GetString());

        (code, output, _) = await Run("tags", "search", "internet arch");
        Assert.Equal(0, code);
        Assert.Contains("Internet Archive", output, StringComparison.Ordinal);

        (code, output, _) = await Run("tags", "export", "--out", Path.Combine(_dir, "out"));
        Assert.Equal(0, code);
        Assert.Contains("2 TagPacks", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_yaml_exits_one_with_a_located_one_line_message()
    {
        Directory.CreateDirectory(_dir);
        var bad = Path.Combine(_dir, "bad.yaml");
        await File.WriteAllTextAsync(bad, "title: x\ncreator: y\ntags:\n- address: 'open\n");
        var (code, _, err) = await Run("tags", "import", bad);
        Assert.Equal(1, code);
        Assert.Matches(@"^error: .*bad\.yaml:\d+:\d+: malformed YAML", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
