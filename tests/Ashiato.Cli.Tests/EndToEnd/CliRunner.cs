using Ashiato.TestSupport;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary>Runs the CLI in-process against a temp store and captures stdout, stderr and the exit code.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        StoreDir = Path.Combine(Path.GetTempPath(), "ashiato-cli-" + Guid.NewGuid().ToString("N"));
        WorkDir = StoreDir + "-work";
        Directory.CreateDirectory(WorkDir);
    }

    public string StoreDir { get; }

    /// <summary>A scratch directory for input files a test builds.</summary>
    public string WorkDir { get; }

    public static string Data(params string[] parts) => SharedData.PathTo(parts);

    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--store", StoreDir, .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        foreach (var d in new[] { StoreDir, WorkDir })
        {
            if (Directory.Exists(d))
            {
                Directory.Delete(d, recursive: true);
            }
        }
    }
}
