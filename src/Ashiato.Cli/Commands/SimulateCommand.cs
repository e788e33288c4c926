using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ashiato.Core;
using Ashiato.Simulation;
using Ashiato.Simulation.Evm;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato simulate --seed S --scale small|medium|large|N --out DIR</c>: writes a deterministic simulated economy
/// (blk files, the EVM chain, prices, TagPacks, an IncidentPack, the ground truth, a ledger and a manifest);
/// <c>ashiato simulate --serve DIR [--port P]</c> serves the EVM chain of such an output as a JSON-RPC node on 127.0.0.1
/// until Ctrl+C. See docs/simulation.md.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("simulate", "Write a deterministic simulated economy (2017–2024, Bitcoin regtest blk files and an EVM chain, hacks and laundering, ground truth), or --serve its EVM chain as a JSON-RPC node");
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same bytes", DefaultValueFactory = _ => 1 };
        var scale = new Option<string>("--scale") { Description = "small (10k tx), medium (1M), large (10M) or a transaction count", DefaultValueFactory = _ => "small" };
        var outDir = new Option<string>("--out") { Description = "Output directory: new, empty, or a previous simulate output (overwritten)" };
        var serve = new Option<string>("--serve") { Description = "Serve the EVM chain of a simulate output (DIR) as a JSON-RPC node on 127.0.0.1 until Ctrl+C" };
        var port = new Option<int>("--port") { Description = "Port for --serve (0: a free port)", DefaultValueFactory = _ => 8545 };
        cmd.Options.Add(seed);
        cmd.Options.Add(scale);
        cmd.Options.Add(outDir);
        cmd.Options.Add(serve);
        cmd.Options.Add(port);
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(serve) is { } serveDir)
            {
                var node = SimulatedEvmNode.Load(serveDir);
                await using (node.ConfigureAwait(false))
                {
                    node.Start(parse.GetValue(port));
                    ctx.Out.WriteLine($"serving the simulated EVM chain (chain id {node.ChainId}, blocks 0..{node.Tip}) at {node.Url}");
                    ctx.Out.WriteLine($"next: ./ashiato ingest evm --rpc {node.Url} --chain sim-evm --chain-id {node.ChainId}   (Ctrl+C to stop)");
                    ctx.Out.Flush();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl+C
                    }
                }

                return 0;
            }

            if (parse.GetValue(outDir) is null)
            {
                throw new UserErrorException("simulate needs --out DIR (or --serve DIR to serve the EVM chain of a previous output)");
            }

            var target = Simulation.Simulation.ParseScale(parse.GetValue(scale)!);
            var dir = parse.GetValue(outDir)!;
            var sw = Stopwatch.StartNew();
            var terminal = !Console.IsErrorRedirected;
            var progress = new Progress(ctx.Err, terminal);
            var result = Simulation.Simulation.Run(parse.GetValue(seed), target, dir, progress, ct);
            progress.Done();
            var l = result.Ledger;
            var secs = Math.Max(sw.Elapsed.TotalSeconds, 0.001);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"simulated {l.Transactions:N0} tx in {l.Blocks:N0} blocks ({l.BlockBytes / 1e6:F1} MB), {l.Addresses:N0} addresses, {result.Thefts} thefts, {secs:F1} s ({l.Transactions / secs:N0} tx/s) -> {dir}"));
            if (result.Evm is { } evm)
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"EVM chain 'sim-evm': {evm.Transactions:N0} tx in {evm.Blocks:N0} blocks, {evm.Logs:N0} logs, {evm.InternalCalls:N0} internal calls, {evm.Thefts} thefts, {evm.BridgeHops} bridge hops"));
            }

            ctx.Out.WriteLine($"next: ./ashiato ingest bitcoin --blocks {Path.Combine(dir, "bitcoin", "blocks")} --network bitcoin-regtest");
            ctx.Out.WriteLine($"      ./ashiato simulate --serve {dir}   (the EVM chain as a JSON-RPC node)");
            return 0;
        });
        return cmd;
    }

    private sealed class Progress(TextWriter err, bool terminal) : IProgress<SimulationProgress>
    {
        private long _lastPercent = -1;

        public void Report(SimulationProgress value)
        {
            var percent = value.PlannedBlocks == 0 ? 100 : value.Blocks * 100 / value.PlannedBlocks;
            if (percent == _lastPercent || (!terminal && percent % 10 != 0))
            {
                return;
            }

            _lastPercent = percent;
            var line = string.Create(CultureInfo.InvariantCulture, $"simulating: {percent,3}% ({value.Blocks:N0}/{value.PlannedBlocks:N0} blocks, {value.Transactions:N0} tx)");
            if (terminal)
            {
                err.Write("\r" + line);
            }
            else
            {
                err.WriteLine(line);
            }
        }

        public void Done()
        {
            if (terminal && _lastPercent >= 0)
            {
                err.WriteLine();
            }
        }
    }
}
