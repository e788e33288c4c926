using System.CommandLine;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato ingest evm</c>: blocks, receipts, traces and token transfers from an EVM node's JSON-RPC.</summary>
public static class IngestEvmCommand
{
    public static Command Create(CliContext ctx, HttpClient http)
    {
        var evm = new Command("evm", "Ingest an EVM chain (ethereum, bsc, polygon, arbitrum, optimism, base, … or any chain by id) from a node's JSON-RPC");
        var rpcUrl = new Option<string>("--rpc") { Description = "Node JSON-RPC URL, e.g. http://127.0.0.1:8545/", Required = true };
        var chain = new Option<string>("--chain")
        {
            Description = $"Chain name in the store; known names: {string.Join(", ", EvmChains.Known.Select(c => c.Name))}; any other name needs --chain-id or takes the node's",
            Required = true,
        };
        var chainId = new Option<long?>("--chain-id") { Description = "Expected EIP-155 chain id (checked against the node's eth_chainId)" };
        var from = new Option<long?>("--from") { Description = "First block (default: the store's tip + 1, or 0)" };
        var to = new Option<long?>("--to") { Description = "Last block (default: the node's tip)" };
        var follow = new Option<bool>("--follow") { Description = "Keep following new blocks (handles reorgs); stop with Ctrl+C" };
        var noTraces = new Option<bool>("--no-traces") { Description = "Do not fetch traces (for nodes without trace_block/debug_traceBlockByNumber); internal transfers are then missing and the gap is recorded" };
        var poll = new Option<double>("--poll-interval") { Description = "Seconds between polls with --follow", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch") { Description = "Blocks per request batch", DefaultValueFactory = _ => 20 };
        var concurrency = new Option<int>("--rpc-concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 4 };
        var timeout = new Option<double>("--rpc-timeout") { Description = "Seconds to wait for one RPC answer", DefaultValueFactory = _ => 60 };
        var retries = new Option<int>("--rpc-retries") { Description = "Retries of a request on 429, 5xx and timeouts", DefaultValueFactory = _ => 6 };
        var commitMb = new Option<double>("--commit-mb") { Description = "Commit a segment every N MB of block data (fractions allowed)", DefaultValueFactory = _ => 64 };
        foreach (var o in new Option[] { rpcUrl, chain, chainId, from, to, follow, noTraces, poll, batch, concurrency, timeout, retries, commitMb })
        {
            evm.Options.Add(o);
        }

        evm.SetAction(async (parse, ct) =>
        {
            var url = parse.GetValue(rpcUrl)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new UserErrorException($"--rpc '{url}' is not an http(s) URL");
            }

            var rpc = new EvmRpcClient(http, uri, new EvmRpcOptions
            {
                MaxConcurrency = Math.Max(1, parse.GetValue(concurrency)),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                MaxRetries = Math.Max(0, parse.GetValue(retries)),
            });
            var options = new IngestOptions { CommitBytes = Math.Max(4096L, (long)(parse.GetValue(commitMb) * 1024 * 1024)) };
            using var store = ctx.OpenStore(parse, create: true);
            var ingestor = new EvmIngestor(store, new EvmNodeSource(rpc), options);
            var request = new EvmIngestRequest(parse.GetValue(chain)!, parse.GetValue(chainId), parse.GetValue(from), parse.GetValue(to),
                parse.GetValue(follow), !parse.GetValue(noTraces), TimeSpan.FromSeconds(parse.GetValue(poll)), Math.Max(1, parse.GetValue(batch)));
            var result = await IngestCommand.WithProgressAsync(ctx, p => ingestor.RunAsync(request, p, ct)).ConfigureAwait(false);
            if (ctx.Json(parse))
            {
                ctx.WriteJson(result);
                return 0;
            }

            ctx.Out.WriteLine(
                $"{result.Chain} (chain id {result.ChainId}): +{result.BlocksAdded} blocks ({result.FromHeight}..{result.TipHeight}), {result.Transactions} tx, " +
                $"{result.Transfers} transfers, {result.Tokens} new tokens in {result.Elapsed.TotalSeconds:0.0} s; traces: {result.TraceMode}, receipts: {result.ReceiptMode}");
            if (result.RolledBack > 0)
            {
                ctx.Out.WriteLine($"reorg: rolled back {result.RolledBack} blocks");
            }

            if (result.BlocksWithoutTraces > 0)
            {
                ctx.Out.WriteLine($"{result.BlocksWithoutTraces} blocks are stored without traces: their internal transfers are missing (see 'ashiato status')");
            }

            return 0;
        });
        return evm;
    }
}
