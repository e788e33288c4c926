using System.CommandLine;
using Ashiato.Cli.Commands;
using Ashiato.Core;

namespace Ashiato.Cli;

/// <summary>The <c>ashiato</c> command: verbs, global options, exit codes (0 ok, 1 user error, 2 internal error).</summary>
public static class CliApp
{
    public static readonly Option<string> StoreOption = new("--store")
    {
        Description = "Store directory (default ./ashiato-data, or $ASHIATO_STORE)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ASHIATO_STORE") is { Length: > 0 } s ? s : "./ashiato-data",
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print machine-readable JSON instead of tables",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Ashiato: open blockchain forensics — ingest chains, then look up, export and analyse them.");
        root.Options.Add(StoreOption);
        root.Options.Add(JsonOption);
        var context = new CliContext(stdout, stderr);
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(IngestCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(ShowCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(SimulateCommand.Create(context));
        root.Subcommands.Add(ClusterCommand.Create(context));
        root.Subcommands.Add(ClusterCommand.CreateHeuristics(context));
        root.Subcommands.Add(ClusterCommand.CreateExplain(context));
        root.Subcommands.Add(TagsCommand.Create(context));
        root.Subcommands.Add(TraceCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(EntityCommand.Create(context));
        root.Subcommands.Add(IncidentsCommand.Create(context));
        root.Subcommands.Add(PricesCommand.Create(context));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            }

            return 1;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false })
                .ConfigureAwait(false);
        }
        catch (UserErrorException e)
        {
            await stderr.WriteLineAsync($"error: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled; what was committed is kept").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"internal error: {OneLine(e.Message)} ({e.GetType().Name})").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("ASHIATO_DEBUG") is { Length: > 0 })
            {
                await stderr.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return 2;
        }
    }

    private static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');
}
