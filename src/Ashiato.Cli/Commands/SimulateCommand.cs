using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ashiato.Core;
using Ashiato.Simulation;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato simulate --seed S --scale small|medium|large|N --out DIR</c>: writes a deterministic simulated economy
/// (blk files, prices, TagPacks, an IncidentPack, the ground truth, a ledger and a manifest). See docs/simulation.md.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("simulate", "Write a deterministic simulated economy (2017–2024, Bitcoin regtest blk files, hacks and laundering, ground truth)");
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same bytes", DefaultValueFactory = _ => 1 };
        var scale = new Option<string>("--scale") { Description = "small (10k tx), medium (1M), large (10M) or a transaction count", DefaultValueFactory = _ => "small" };
        var outDir = new Option<string>("--out") { Description = "Output directory: new, empty, or a previous simulate output (overwritten)", Required = true };
        cmd.Options.Add(seed);
        cmd.Options.Add(scale);
        cmd.Options.Add(outDir);
        cmd.SetAction((parse, ct) =>
        {
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
            ctx.Out.WriteLine($"next: ./ashiato ingest bitcoin --blocks {Path.Combine(dir, "bitcoin", "blocks")} --network bitcoin-regtest");
            return Task.FromResult(0);
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
