using System.CommandLine;
using System.Text.Json;
using Ashiato.Core;
using Ashiato.Storage;
using Spectre.Console;

namespace Ashiato.Cli;

/// <summary>What every verb needs: output writers, the store, JSON printing, progress bars.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public TextWriter Out { get; } = stdout;

    public TextWriter Err { get; } = stderr;

    /// <summary>Console for tables (stdout). Plain text, 200 columns wide, when output is redirected.</summary>
    public IAnsiConsole Console { get; } = CreateConsole(stdout);

    private static IAnsiConsole CreateConsole(TextWriter stdout)
    {
        var terminal = stdout == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>Progress bars go to stderr, and only when it is a terminal.</summary>
    /// <summary>An import's first <paramref name="count"/> warnings and rejections on stderr, each on its own line.</summary>
    public void PrintImportMessages(Intel.ImportMessages report, int count)
    {
        foreach (var w in report.Warnings.Take(count))
        {
            Err.WriteLine($"warning: {w}");
        }

        foreach (var r in report.Rejections.Take(count))
        {
            Err.WriteLine($"rejected: {r}");
        }
    }

    public bool ShowProgress => Err == System.Console.Error && !System.Console.IsErrorRedirected;

    public IAnsiConsole ProgressConsole { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });

    public StoreDirectory OpenStore(ParseResult parse, bool create) => StoreDirectory.Open(parse.GetValue(CliApp.StoreOption)!, create);

    public bool Json(ParseResult parse) => parse.GetValue(CliApp.JsonOption);

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Picks the chain: the one named, or the only one in the store.</summary>
    public static string ResolveChain(StoreDirectory store, string? chain)
    {
        var chains = store.Chains();
        if (chain is not null)
        {
            if (!chains.Contains(chain))
            {
                throw new UserErrorException($"chain '{chain}' is not in the store; it has: {(chains.Count == 0 ? "none" : string.Join(", ", chains))}");
            }

            return chain;
        }

        return chains.Count switch
        {
            0 => throw new UserErrorException($"the store at {store.Path} holds no chain yet; run 'ashiato ingest' first"),
            1 => chains[0],
            _ => throw new UserErrorException($"the store holds several chains ({string.Join(", ", chains)}); pass --chain"),
        };
    }
}
