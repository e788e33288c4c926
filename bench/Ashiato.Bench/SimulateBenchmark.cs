using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ashiato.Simulation;
using Sim = Ashiato.Simulation.Simulation;

namespace Ashiato.Bench;

internal sealed class SimulateBenchSettings
{
    /// <summary>Target transaction counts, one child process each.</summary>
    public required IReadOnlyList<long> Sizes { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Parent of the fresh output directories and of the plain-write file (deleted afterwards).</summary>
    public required string WorkDirectory { get; init; }

    public required string Command { get; init; }
}

/// <summary>What one <c>child-simulate</c> run measured.</summary>
internal sealed record SimulateChildResult
{
    public long TargetTx { get; init; }

    public long Transactions { get; init; }

    public long Blocks { get; init; }

    public long Inputs { get; init; }

    public long Outputs { get; init; }

    public long Addresses { get; init; }

    public int Thefts { get; init; }

    /// <summary>Unspent outputs at the end (<see cref="Ledger.UtxoCount"/>): what the wallets hold.</summary>
    public long UtxoCount { get; init; }

    /// <summary>Entities in truth/ground-truth.json, and how many of them are retail users (tx/40, 300 … 200 000).</summary>
    public int Entities { get; init; }

    public int RetailEntities { get; init; }

    /// <summary><see cref="Ledger.BlockBytes"/>: serialized blocks (the blk files add 8 bytes of framing per block).</summary>
    public long BlockBytes { get; init; }

    /// <summary>Bytes of the blk files (bitcoin/blocks).</summary>
    public long BlkFileBytes { get; init; }

    /// <summary>Bytes of every file in the output directory.</summary>
    public long FileBytes { get; init; }

    public int FileCount { get; init; }

    /// <summary>Bytes per top-level entry of the output directory (bitcoin, truth, evm, …).</summary>
    public Dictionary<string, long> BytesByEntry { get; init; } = [];

    /// <summary>The whole <see cref="Sim.Run"/> call.</summary>
    public double WallSeconds { get; init; }

    /// <summary>From the start of <see cref="Sim.Run"/> to its last progress report (the chain, blk files and addresses.csv written).</summary>
    public double ChainSeconds { get; init; }

    /// <summary>fsync of every output file after <see cref="Sim.Run"/> returned (the simulator itself does not fsync).</summary>
    public double SyncSeconds { get; init; }

    public double CpuSeconds { get; init; }

    /// <summary>VmHWM from /proc/self/status after the run (whole process).</summary>
    public long PeakRss { get; init; }

    /// <summary>VmHWM before <see cref="Sim.Run"/> started (runtime, JIT, assemblies).</summary>
    public long BaselinePeakRss { get; init; }

    /// <summary>VmHWM at the last progress report, i.e. while generating the chain (before the ground truth, ledger, manifest).</summary>
    public long PeakRssChain { get; init; }

    public long PeakRssAnon { get; init; }

    public long PeakManagedHeap { get; init; }

    public long PeakLiveHeap { get; init; }

    /// <summary>VmRSS (MiB) at each tenth of the planned blocks: does memory grow with the history?</summary>
    public List<long> RssByTenth { get; init; } = [];

    public int Gen0 { get; init; }

    public int Gen1 { get; init; }

    public int Gen2 { get; init; }

    public long AllocatedBytes { get; init; }

    public double GcPauseSeconds { get; init; }
}

/// <summary>One plain sequential write of the same bytes to the same disk: the limit for a generator that writes them.</summary>
internal sealed record PlainWrite(long Bytes, double WriteSeconds, double TotalSeconds);

/// <summary>A size that ran, failed, or was skipped (not enough free disk).</summary>
internal sealed record SimulateRun(long Tx, SimulateChildResult? Result, PlainWrite? Write, string? Skipped, double CoresBefore = 0, double CoresAfter = 0);

/// <summary>
/// <c>simulate</c>: <see cref="Sim.Run"/> at each size in a child process (peak memory per run), into a fresh directory on
/// the work disk, then a plain sequential write of the same number of bytes to the same disk as the limit.
/// </summary>
internal static class SimulateBenchmark
{
    /// <summary>Bytes per transaction assumed for the free-space check before any size has run (1 M tx ≈ 0.9 GB).</summary>
    private const double BytesPerTxGuess = 950;

    private const double DiskMargin = 2.5;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Run(SimulateBenchSettings s, Action<string> log)
    {
        Directory.CreateDirectory(s.WorkDirectory);
        var runs = new List<SimulateRun>();
        var bytesPerTx = BytesPerTxGuess;
        foreach (var tx in s.Sizes)
        {
            var estimate = (long)(tx * bytesPerTx);
            var free = new DriveInfo(Path.GetFullPath(s.WorkDirectory)).AvailableFreeSpace;
            if (free < DiskMargin * estimate)
            {
                var why = $"needs ≈ {estimate / 1e9:F1} GB (× {DiskMargin} = {DiskMargin * estimate / 1e9:F1} GB), {free / 1e9:F1} GB free on the work disk";
                log($"[simulate] skipping {tx:N0} tx: {why}");
                runs.Add(new SimulateRun(tx, null, null, why));
                continue;
            }

            var outDir = Path.Combine(s.WorkDirectory, $"sim-{tx}");
            log($"[simulate] {tx:N0} tx, seed {s.Seed} → {outDir} (≈ {estimate / 1e9:F1} GB, {free / 1e9:F1} GB free)");
            SimulateChildResult? result;
            string? failed = null;
            var coresBefore = IngestBenchmark.ProbeCores();
            var coresAfter = 0.0;
            try
            {
                result = Spawn(tx, s.Seed, outDir, log);
                coresAfter = IngestBenchmark.ProbeCores();
            }
            catch (InvalidOperationException e)
            {
                result = null;
                failed = e.Message;
            }
            finally
            {
                if (Directory.Exists(outDir))
                {
                    Directory.Delete(outDir, recursive: true);
                }
            }

            if (result is null)
            {
                log($"[simulate] {tx:N0} tx failed: {failed}");
                runs.Add(new SimulateRun(tx, null, null, "failed: " + failed));
                continue;
            }

            bytesPerTx = Math.Max(bytesPerTx, (double)result.FileBytes / Math.Max(1, result.Transactions) * 1.05);
            log($"[simulate] {result.Transactions:N0} tx, {result.Blocks:N0} blocks, {result.FileBytes / 1e6:F0} MB in {result.WallSeconds:F1} s " +
                $"(chain {result.ChainSeconds:F1} s, then fsync {result.SyncSeconds:F1} s), CPU {result.CpuSeconds:F1} s, peak RSS {Mib(result.PeakRss)} MiB");
            var write = PlainWriteOnce(Path.Combine(s.WorkDirectory, "plain-write.bin"), result.FileBytes);
            log($"[simulate] plain write of {write.Bytes / 1e6:F0} MB: {write.WriteSeconds:F1} s to the page cache, {write.TotalSeconds:F1} s with fsync " +
                $"({write.Bytes / 1e6 / write.TotalSeconds:F0} MB/s)");
            log($"[simulate] cores available before/after: {coresBefore:F2}/{coresAfter:F2}");
            runs.Add(new SimulateRun(tx, result, write, null, coresBefore, coresAfter));
        }

        return Render(s, runs);
    }

    // ------------------------------------------------------------------------------------------------ child

    /// <summary><c>child-simulate TX SEED OUTDIR</c>: one <see cref="Sim.Run"/>, then fsync of its files; prints one JSON line.</summary>
    public static int RunChild(long tx, ulong seed, string outDir)
    {
        var self = Process.GetCurrentProcess();
        var baseline = Status("VmHWM:");
        var cpu0 = self.TotalProcessorTime;
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var pause0 = GC.GetTotalPauseDuration();
        var progress = new ChildProgress();
        SimulationResult result;
        using (var sampler = new RssSampler())
        {
            progress.Clock.Start();
            result = Sim.Run(seed, tx, outDir, progress, CancellationToken.None);
            progress.Clock.Stop();
            sampler.Stop();
            var wall = progress.Clock.Elapsed.TotalSeconds;
            self.Refresh();
            var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
            var peak = Status("VmHWM:");
            var measured = new SimulateChildResult
            {
                TargetTx = tx,
                WallSeconds = wall,
                ChainSeconds = progress.LastReport,
                CpuSeconds = cpu,
                PeakRss = peak,
                BaselinePeakRss = baseline,
                PeakRssChain = progress.PeakRssAtLastReport,
                PeakRssAnon = sampler.PeakAnon,
                PeakManagedHeap = sampler.PeakManaged,
                PeakLiveHeap = sampler.PeakLiveAfterFullGc,
                RssByTenth = progress.RssByTenth,
                Gen0 = GC.CollectionCount(0) - gc0.Item1,
                Gen1 = GC.CollectionCount(1) - gc0.Item2,
                Gen2 = GC.CollectionCount(2) - gc0.Item3,
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - alloc0,
                GcPauseSeconds = (GC.GetTotalPauseDuration() - pause0).TotalSeconds,
                Transactions = result.Ledger.Transactions,
                Blocks = result.Ledger.Blocks,
                Inputs = result.Ledger.Inputs,
                Outputs = result.Ledger.Outputs,
                Addresses = result.Ledger.Addresses,
                Thefts = result.Thefts,
                BlockBytes = result.Ledger.BlockBytes,
                UtxoCount = result.Ledger.UtxoCount,
            };

            // Durability, timed apart: the plain write below is measured with and without its fsync too.
            var files = Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories).ToList();
            var sync = Stopwatch.StartNew();
            foreach (var f in files)
            {
                using var fs = new FileStream(f, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
                fs.Flush(flushToDisk: true);
            }

            sync.Stop();
            var blocksDir = Path.Combine(outDir, "bitcoin", "blocks");
            var (entities, retail) = CountEntities(Path.Combine(outDir, "truth", "ground-truth.json"));
            measured = measured with
            {
                SyncSeconds = sync.Elapsed.TotalSeconds,
                FileCount = files.Count,
                Entities = entities,
                BytesByEntry = files.GroupBy(f => Path.GetRelativePath(outDir, f).Split(Path.DirectorySeparatorChar)[0])
                    .ToDictionary(g => g.Key, g => g.Sum(f => new FileInfo(f).Length)),
                RetailEntities = retail,
                FileBytes = files.Sum(f => new FileInfo(f).Length),
                BlkFileBytes = Directory.Exists(blocksDir) ? Directory.EnumerateFiles(blocksDir, "blk*.dat").Sum(f => new FileInfo(f).Length) : 0,
            };
            Console.WriteLine(JsonSerializer.Serialize(measured));
        }

        return 0;
    }

    /// <summary>The population the simulator keeps in memory, from the ground truth (after the timing).</summary>
    private static (int Entities, int Retail) CountEntities(string groundTruth)
    {
        if (!File.Exists(groundTruth))
        {
            return (0, 0);
        }

        using var stream = File.OpenRead(groundTruth);
        using var doc = JsonDocument.Parse(stream);
        if (!doc.RootElement.TryGetProperty("entities", out var list))
        {
            return (0, 0);
        }

        var all = 0;
        var retail = 0;
        foreach (var e in list.EnumerateArray())
        {
            all++;
            retail += e.TryGetProperty("kind", out var k) && k.GetString() == nameof(EntityKind.Retail) ? 1 : 0;
        }

        return (all, retail);
    }

    /// <summary>Runs the child, forwards its progress lines, parses its JSON line.</summary>
    private static SimulateChildResult Spawn(long tx, ulong seed, string outDir, Action<string> log)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var host = Environment.ProcessPath!;
        psi.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(SimulateBenchmark).Assembly.Location);
        }

        psi.ArgumentList.Add("child-simulate");
        psi.ArgumentList.Add(tx.ToString(Inv));
        psi.ArgumentList.Add(seed.ToString(Inv));
        psi.ArgumentList.Add(outDir);
        using var p = Process.Start(psi)!;
        var errors = new List<string>();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (errors)
                {
                    errors.Add(line);
                }

                log($"[child {tx:N0}] {line}");
            }
        };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            string tail;
            lock (errors)
            {
                tail = string.Join(" / ", errors.TakeLast(3));
            }

            throw new InvalidOperationException($"child-simulate exited with {p.ExitCode}: {tail}");
        }

        var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonSerializer.Deserialize<SimulateChildResult>(json)!;
    }

    /// <summary>Progress callbacks (synchronous, on the simulating thread): the time of the last one, VmRSS at every tenth.</summary>
    private sealed class ChildProgress : IProgress<SimulationProgress>
    {
        private long _tenth = -1;

        public Stopwatch Clock { get; } = new();

        public double LastReport { get; private set; }

        public long PeakRssAtLastReport { get; private set; }

        public List<long> RssByTenth { get; } = [];

        public void Report(SimulationProgress value)
        {
            LastReport = Clock.Elapsed.TotalSeconds;
            PeakRssAtLastReport = Status("VmHWM:");
            var tenth = value.PlannedBlocks == 0 ? 10 : Math.Min(10, value.Blocks * 10 / value.PlannedBlocks);
            if (tenth > _tenth)
            {
                _tenth = tenth;
                var rss = Status("VmRSS:");
                RssByTenth.Add(rss / 1048576);
                Console.Error.WriteLine(string.Create(Inv,
                    $"{tenth * 10,3} % of {value.PlannedBlocks:N0} blocks, {value.Transactions:N0} tx, {LastReport:F1} s, RSS {rss / 1048576} MiB"));
            }
        }
    }

    /// <summary>A field of /proc/self/status in bytes (0 where there is none).</summary>
    private static long Status(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return 0;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) * 1024;
    }

    // ------------------------------------------------------------------------------------------------ limit

    /// <summary>Sequential write of <paramref name="bytes"/> (random 1 MB buffer, FileStream with a 1 MB buffer), then fsync; the file is deleted.</summary>
    private static PlainWrite PlainWriteOnce(string path, long bytes)
    {
        var buffer = new byte[1 << 20];
        new Random(1).NextBytes(buffer);
        try
        {
            var sw = Stopwatch.StartNew();
            double written;
            using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                for (var left = bytes; left > 0; left -= buffer.Length)
                {
                    fs.Write(buffer, 0, (int)Math.Min(left, buffer.Length));
                }

                fs.Flush(flushToDisk: false);
                written = sw.Elapsed.TotalSeconds;
                fs.Flush(flushToDisk: true);
            }

            return new PlainWrite(bytes, written, sw.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    private static string Render(SimulateBenchSettings s, List<SimulateRun> runs)
    {
        var sb = new StringBuilder();
        var done = runs.Where(r => r.Result is not null).ToList();
        sb.AppendLine(Inv, $"## Simulator generation: `Simulation.Run`, {string.Join(" and ", runs.Select(r => r.Tx.ToString("N0", Inv)))} transactions");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}.");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Reproduce: `{s.Command}` (builds Release; writes this section).");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Each size runs once, seed {s.Seed}, in its own child process (`child-simulate`) so that its peak memory is its own, into a " +
                           $"fresh directory on the work disk (`{Path.GetFullPath(s.WorkDirectory)}`, deleted afterwards): the whole `Simulation.Run` " +
                           $"(the Bitcoin chain: blk files and `truth/addresses.csv` while simulating, up to the last progress report = **chain s**; then " +
                           $"everything else it writes — the EVM chain, prices, TagPacks, IncidentPack, ground truth, ledger, sizes per directory below — and a " +
                           $"manifest that reads every file back for its SHA-256). The simulator does not fsync; the child fsyncs every output file " +
                           $"afterwards, timed apart. MB = 10⁶ bytes of all output files. Peak RSS = VmHWM of the child at the end (whole process, " +
                           $"runtime included; page cache not counted). CPU s = the child's user + system time during `Run`; " +
                           $"the simulator runs on one thread, so **tx per CPU-s** is the figure least disturbed by other load on this shared machine. " +
                           $"Cores = what this process got just before and after the child (all cores spinning 0.3 s, CPU ÷ wall; {Environment.ProcessorCount} when the machine is idle).");
        sb.AppendLine();
        sb.AppendLine("| Target tx | Tx | Blocks | MB written (blk files) | Wall s | of which chain s | tx/s | MB/s | + fsync s | MB/s incl. fsync | CPU s | tx per CPU-s | Cores | Peak RSS MiB |");
        sb.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in runs)
        {
            if (r.Result is not { } c)
            {
                sb.AppendLine(Inv, $"| {r.Tx:N0} | — | — | — | — | — | — | — | — | — | — | — | — | — |");
                continue;
            }

            sb.AppendLine(Inv,
                $"| {c.TargetTx:N0} | {c.Transactions:N0} | {c.Blocks:N0} | {c.FileBytes / 1e6:F0} ({c.BlkFileBytes / 1e6:F0}) | {c.WallSeconds:F1} | " +
                $"{c.ChainSeconds:F1} | {c.Transactions / c.WallSeconds:N0} | {c.FileBytes / 1e6 / c.WallSeconds:F1} | {c.SyncSeconds:F1} | " +
                $"{c.FileBytes / 1e6 / (c.WallSeconds + c.SyncSeconds):F1} | {c.CpuSeconds:F1} | {c.Transactions / c.CpuSeconds:N0} | " +
                $"{r.CoresBefore:F2}/{r.CoresAfter:F2} | {Mib(c.PeakRss)} |");
        }

        foreach (var r in runs.Where(r => r.Skipped is not null))
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"**{r.Tx:N0} tx not measured**: {(r.Skipped!.StartsWith("failed", StringComparison.Ordinal) ? r.Skipped : "skipped, " + r.Skipped)}.");
        }

        if (done.Count == 0)
        {
            return sb.ToString();
        }

        sb.AppendLine();
        sb.AppendLine("### Against a plain write of the same bytes");
        sb.AppendLine();
        sb.AppendLine("Right after each size (its output deleted): one file of the same number of bytes written sequentially to the same " +
                      "directory from a 1 MB buffer of random bytes (`FileStream`, 1 MB buffer), then fsync. **Generation ÷ write** = " +
                      "generation MB/s ÷ write MB/s: without fsync on both sides (page cache), and with it on both sides (on disk).");
        sb.AppendLine();
        sb.AppendLine("| Target tx | MB | Write s (page cache) | MB/s | Write s incl. fsync | MB/s incl. fsync | Generation ÷ write (page cache) | Generation ÷ write (incl. fsync) |");
        sb.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in done)
        {
            var c = r.Result!;
            var w = r.Write!;
            var gen = c.FileBytes / 1e6 / c.WallSeconds;
            var genSync = c.FileBytes / 1e6 / (c.WallSeconds + c.SyncSeconds);
            var wr = w.Bytes / 1e6 / w.WriteSeconds;
            var wrSync = w.Bytes / 1e6 / w.TotalSeconds;
            sb.AppendLine(Inv,
                $"| {c.TargetTx:N0} | {w.Bytes / 1e6:F0} | {w.WriteSeconds:F2} | {wr:F0} | {w.TotalSeconds:F2} | {wrSync:F0} | {gen / wr * 100:F2} % | **{genSync / wrSync * 100:F1} %** |");
        }

        sb.AppendLine();
        sb.AppendLine("### Memory");
        sb.AppendLine();
        sb.AppendLine("Peak RSS during the chain = VmHWM at the Bitcoin chain's last progress report (before the rest of `Run`). Anonymous " +
                      "(GC heap, native) and managed-heap peaks sampled every 50 ms; live heap = heap size minus fragmentation after the gen2 collections seen (only as good as those: see the GC column). " +
                      "RSS by tenth = VmRSS in MiB when the simulation passed 0 %, 10 %, … 100 % of its planned blocks.");
        sb.AppendLine();
        sb.AppendLine("| Target tx | Peak RSS MiB | before `Run` | during the chain | Peak anonymous MiB | Peak managed heap MiB | Peak live heap MiB | GC gen0/1/2 | Allocated GB | GC pause s | RSS by tenth, MiB |");
        sb.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var c in done.Select(r => r.Result!))
        {
            sb.AppendLine(Inv,
                $"| {c.TargetTx:N0} | {Mib(c.PeakRss)} | {Mib(c.BaselinePeakRss)} | {Mib(c.PeakRssChain)} | {Mib(c.PeakRssAnon)} | {Mib(c.PeakManagedHeap)} | " +
                $"{Mib(c.PeakLiveHeap)} | {c.Gen0}/{c.Gen1}/{c.Gen2} | {c.AllocatedBytes / 1e9:F1} | {c.GcPauseSeconds:F2} | {string.Join(" ", c.RssByTenth)} |");
        }

        sb.AppendLine();
        foreach (var c in done.Select(r => r.Result!))
        {
            sb.AppendLine(Inv, $"- {c.TargetTx:N0}: {c.Inputs:N0} inputs, {c.Outputs:N0} outputs, {c.Addresses:N0} addresses, {c.Thefts} thefts; " +
                               $"{c.Entities:N0} entities ({c.RetailEntities:N0} retail users), {c.UtxoCount:N0} unspent outputs at the end; " +
                               $"{c.FileCount} files ({string.Join(", ", c.BytesByEntry.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value / 1e6:F1} MB"))}); " +
                               $"{(double)c.FileBytes / c.Transactions:F0} bytes written per tx; " +
                               $"{c.CpuSeconds / c.WallSeconds:F2} CPU-s per wall-s; {c.WallSeconds - c.ChainSeconds:F1} s after the Bitcoin chain's last progress report (the rest of `Run`: other outputs, manifest).");
        }

        if (done.Count >= 2)
        {
            var a = done[0].Result!;
            var b = done[^1].Result!;
            sb.AppendLine();
            sb.AppendLine(Inv, $"Memory at {b.TargetTx:N0} against {a.TargetTx:N0} ({(double)b.Transactions / a.Transactions:F1}× the transactions): " +
                               $"peak RSS **{(double)b.PeakRss / a.PeakRss:F2}×** ({Mib(a.PeakRss)} → {Mib(b.PeakRss)} MiB), during the chain " +
                               $"{(double)b.PeakRssChain / a.PeakRssChain:F2}×, anonymous {(double)b.PeakRssAnon / a.PeakRssAnon:F2}×, " +
                               $"live heap {(double)b.PeakLiveHeap / Math.Max(1, a.PeakLiveHeap):F2}×; entities {(double)b.Entities / Math.Max(1, a.Entities):F2}×, " +
                               $"unspent outputs at the end {(double)b.UtxoCount / Math.Max(1, a.UtxoCount):F2}×; throughput {b.Transactions / b.WallSeconds / (a.Transactions / a.WallSeconds) * 100:F0} % " +
                               $"of the smaller run's tx/s ({b.Transactions / b.CpuSeconds / (a.Transactions / a.CpuSeconds) * 100:F0} % per CPU-s).");
        }

        return sb.ToString();
    }

    private static string Mib(long bytes) => (bytes / 1048576).ToString(Inv);
}
