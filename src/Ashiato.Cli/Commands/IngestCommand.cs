using System.CommandLine;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato ingest bitcoin</c>: from block files/directories or from a node's RPC.</summary>
public static class IngestCommand
{
#pragma warning disable RS0030 // the one HttpClient of the CLI process
    internal static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030

    public static Command Create(CliContext ctx)
    {
        var ingest = new Command("ingest", "Read chain data into the store");
        var bitcoin = new Command("bitcoin", "Ingest a Bitcoin-family chain (bitcoin, litecoin; main, test and regtest networks)");
        var blocks = new Option<string?>("--blocks") { Description = "Bitcoin Core blocks/ directory, a blk*.dat file, a raw block or a hex file" };
        var rpcUrl = new Option<string?>("--rpc") { Description = "Node JSON-RPC URL, e.g. http://127.0.0.1:8332/" };
        var rpcUser = new Option<string?>("--rpc-user") { Description = "RPC user name" };
        var rpcPassword = new Option<string?>("--rpc-password") { Description = "RPC password (or set ASHIATO_RPC_PASSWORD)" };
        var rpcCookie = new Option<string?>("--rpc-cookie") { Description = "Path of the node's .cookie file (instead of user/password)" };
        var network = new Option<string?>("--network") { Description = "bitcoin, bitcoin-testnet3, bitcoin-testnet4, bitcoin-signet, bitcoin-regtest, litecoin, litecoin-testnet, litecoin-regtest (detected when possible)" };
        var chain = new Option<string?>("--chain") { Description = "Name of the chain in the store (default: the network name)" };
        var from = new Option<int?>("--from") { Description = "First height to fetch over RPC (default: the store's tip + 1, or 0)" };
        var to = new Option<int?>("--to") { Description = "Last height to fetch over RPC (default: the node's tip)" };
        var follow = new Option<bool>("--follow") { Description = "Keep following new blocks (handles reorgs); stop with Ctrl+C" };
        var poll = new Option<double>("--poll-interval") { Description = "Seconds between polls with --follow", DefaultValueFactory = _ => 2 };
        var startHeight = new Option<int?>("--start-height") { Description = "Height of the first block when files start after genesis without a BIP34 height" };
        var lean = new Option<bool>("--lean") { Description = "Do not keep input scripts and witnesses (smaller store; exports show them as null)" };
        var timeout = new Option<double>("--rpc-timeout") { Description = "Seconds to wait for one RPC answer", DefaultValueFactory = _ => 60 };
        var commitMb = new Option<int>("--commit-mb") { Description = "Commit a segment every N MB of block data", DefaultValueFactory = _ => 64 };
        foreach (var o in new Option[] { blocks, rpcUrl, rpcUser, rpcPassword, rpcCookie, network, chain, from, to, follow, poll, startHeight, lean, timeout, commitMb })
        {
            bitcoin.Options.Add(o);
        }

        bitcoin.SetAction(async (parse, ct) =>
        {
            var blocksPath = parse.GetValue(blocks);
            var url = parse.GetValue(rpcUrl);
            if ((blocksPath is null) == (url is null))
            {
                throw new UserErrorException("give exactly one of --blocks PATH or --rpc URL");
            }

            var net = parse.GetValue(network) is { } n ? Network.Parse(n) : null;
            var options = new IngestOptions
            {
                KeepInputScripts = !parse.GetValue(lean),
                StartHeight = parse.GetValue(startHeight),
                CommitBytes = Math.Max(1, parse.GetValue(commitMb)) * 1024L * 1024,
            };
            using var store = ctx.OpenStore(parse, create: true);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            IngestResult result;
            if (blocksPath is not null)
            {
                var ingestor = new BlockFileIngestor(store, options);
                result = await WithProgressAsync(ctx, p => ingestor.RunAsync(blocksPath, parse.GetValue(chain), net, p, cts.Token)).ConfigureAwait(false);
            }
            else
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                {
                    throw new UserErrorException($"--rpc '{url}' is not an http(s) URL");
                }

                var user = parse.GetValue(rpcUser);
                var password = parse.GetValue(rpcPassword) ?? Environment.GetEnvironmentVariable("ASHIATO_RPC_PASSWORD");
                if (parse.GetValue(rpcCookie) is { } cookie)
                {
                    (user, password) = BitcoinRpcClient.ReadCookie(cookie);
                }

                var rpc = new BitcoinRpcClient(Http, uri, user, password, new RpcClientOptions { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) });
                var ingestor = new RpcIngestor(store, rpc, options);
                var request = new RpcIngestRequest(parse.GetValue(from), parse.GetValue(to), parse.GetValue(follow), TimeSpan.FromSeconds(parse.GetValue(poll)));
                result = await WithProgressAsync(ctx, p => ingestor.RunAsync(request, parse.GetValue(chain), net, p, cts.Token)).ConfigureAwait(false);
            }

            Report(ctx, parse, result);
            return 0;
        });

        ingest.Subcommands.Add(bitcoin);
        ingest.Subcommands.Add(IngestEvmCommand.Create(ctx, Http));
        return ingest;
    }

    internal static async Task<T> WithProgressAsync<T>(CliContext ctx, Func<IProgress<IngestProgress>?, Task<T>> run)
    {
        if (!ctx.ShowProgress)
        {
            return await run(null).ConfigureAwait(false);
        }

        T? result = default;
        await ctx.ProgressConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async p =>
            {
                var task = p.AddTask("scanning");
                var progress = new Progress<IngestProgress>(x =>
                {
                    task.Description = $"{x.Stage} (height {x.Height})";
                    task.MaxValue = Math.Max(1, x.Total);
                    task.Value = x.Done;
                });
                result = await run(progress).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result!;
    }

    private static void Report(CliContext ctx, ParseResult parse, IngestResult r)
    {
        if (ctx.Json(parse))
        {
            ctx.WriteJson(r with { });
            return;
        }

        ctx.Out.WriteLine(
            $"{r.Chain}: +{r.BlocksAdded} blocks ({r.FromHeight}..{r.TipHeight}), {r.Transactions} tx, {r.Inputs} inputs, {r.Outputs} outputs" +
            $" in {r.Elapsed.TotalSeconds:0.0} s; tip {r.TipHeight}");
        if (r.RolledBack > 0)
        {
            ctx.Out.WriteLine($"reorg: rolled back {r.RolledBack} blocks");
        }

        if (r.StaleBlocks > 0)
        {
            ctx.Out.WriteLine($"{r.StaleBlocks} stale blocks (not on the best chain) skipped");
        }

        if (r.NodeResolvedInputs > 0)
        {
            ctx.Out.WriteLine($"{r.NodeResolvedInputs} inputs resolved through the node (history not in the store)");
        }

        if (r.UnresolvedInputs > 0)
        {
            ctx.Out.WriteLine($"{r.UnresolvedInputs} inputs unresolved: their spent outputs are not in the store (shown as unknown, never guessed)");
        }
    }
}
