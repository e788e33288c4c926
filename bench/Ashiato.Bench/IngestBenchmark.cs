using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Storage.Utxo;

namespace Ashiato.Bench;

/// <summary>Wall and CPU seconds of repeated runs of one pass.</summary>
internal sealed record Timing(string Name, string Threads, double[] Wall, double[] Cpu, long AllocatedBytes)
{
    public int BestIndex => Array.IndexOf(Wall, Wall.Min());

    public double Best => Wall[BestIndex];

    public double CpuAtBest => Cpu[BestIndex];

    public double Median
    {
        get
        {
            var sorted = Wall.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}

internal sealed class BenchSettings
{
    public int Runs { get; init; } = 5;

    public bool Stages { get; init; } = true;

    public required string WorkDirectory { get; init; }

    /// <summary>A non-obfuscated copy of the block files, to price the XOR (synthetic data only).</summary>
    public string? PlainBlocksPath { get; init; }

    public required string Command { get; init; }
}

/// <summary>Runs the limit, parse-only and full-ingest passes over one dataset and renders the Markdown section.</summary>
internal static class IngestBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<string> RunAsync(Dataset d, BenchSettings s, Action<string> log)
    {
        log($"[{d.Key}] indexing {d.Blocks.Count:N0} blocks");
        d.Index();
        log($"[{d.Key}] {d.TxCount:N0} tx, {d.InputCount:N0} inputs, {d.OutputCount:N0} outputs, {d.TxBytes / 1e6:F1} MB of transactions");

        // Warm up (JIT, tiering) on everything once; not reported.
        Limit(d);
        ParseOnly(d, reuse: true);
        ParseOnly(d, reuse: false);
        ParseAndClassify(d);

        // Rounds: every pass once per round, so that load from other processes on this shared machine hits all passes alike.
        var passes = new List<(string Name, string Threads, Action Body)>
        {
            ($"SHA-256d of every transaction's bytes, in memory, with the parser's hasher ({(Chains.Bitcoin.Encoding.Sha256Hasher.IsNative ? "libcrypto `SHA256_Init/Update/Final`" : "`IncrementalHash`")}) (**limit**)", "1", () => Limit(d)),
            ("Parse only, in memory (`BlockParser`, `ParsedBlock` reused)", "1", () => ParseOnly(d, reuse: true)),
            ("Parse, in memory, a new `ParsedBlock` per block (as the ingest does)", "1", () => ParseOnly(d, reuse: false)),
            ("Parse + `ScriptClassifier.Classify` of every output, in memory", "1", () => ParseAndClassify(d)),
            ("Merkle roots only, from known txids, hashed as the parser does (SHA-256d per node)", "1", () => MerkleOnly(d)),
            ($"Read every block from the blk files (`BlockFileSource.Read`{(IsObfuscated(d.BlocksPath) ? ", XOR de-obfuscation" : string.Empty)})", "1",
                () => ReadAll(d.BlocksPath, d.Network)),
        };
        if (s.PlainBlocksPath is not null)
        {
            passes.Add(("Read every block from a copy of the blk files without XOR", "1", () => ReadAll(s.PlainBlocksPath, d.Network)));
        }

        passes.Add(("SHA-256d of every transaction's bytes through .NET's `SHA256.HashData` (reference, see below)", "1", () => ManagedReference(d)));

        var walls = passes.Select(_ => new double[s.Runs]).ToArray();
        var cpus = passes.Select(_ => new double[s.Runs]).ToArray();
        var allocs = new long[passes.Count];
        var ingests = new List<ChildResult>();
        var available = new List<double>();
        for (var r = 0; r < s.Runs; r++)
        {
            for (var p = 0; p < passes.Count; p++)
            {
                (walls[p][r], cpus[p][r], allocs[p]) = TimeOnce(passes[p].Body, small: d.TxBytes < 20_000_000);
            }

            var storeDir = Path.Combine(s.WorkDirectory, $"store-{d.Key}-{r}");
            available.Add(ProbeCores());
            var result = IngestChild.Spawn(d.BlocksPath, storeDir, d.Network);
            available.Add(ProbeCores());
            Directory.Delete(storeDir, recursive: true);
            ingests.Add(result);
            log($"[{d.Key}] round {r + 1}: limit {walls[0][r]:F3} s, parse {walls[1][r]:F3} s, ingest {result.WallSeconds:F2} s wall " +
                $"({result.IngestSeconds:F2} s inside RunAsync), {result.CpuSeconds:F2} s CPU, peak {result.PeakWorkingSet / 1048576.0:F0} MiB, " +
                $"probe {available[^2]:F2}/{available[^1]:F2} cores");
            if (result.Transactions != d.TxCount)
            {
                throw new InvalidOperationException($"ingest stored {result.Transactions} tx, the data has {d.TxCount}");
            }
        }

        var timings = passes.Select((p, i) => new Timing(p.Name, p.Threads, walls[i], cpus[i], allocs[i])).ToList();
        var limit = timings[0];
        var ingest = new Timing("**Full ingest**: blk files → fresh store (`BlockFileIngestor`, child process)",
            "2 (read+parse ∥ write+commit)", [.. ingests.Select(i => i.WallSeconds)], [.. ingests.Select(i => i.CpuSeconds)],
            ingests.Min(i => i.AllocatedBytes));

        StageTimes? stages = null;
        if (s.Stages)
        {
            var storeDir = Path.Combine(s.WorkDirectory, $"store-{d.Key}-staged");
            stages = await StagedIngest.RunAsync(d.BlocksPath, storeDir, d.Network);
            Directory.Delete(storeDir, recursive: true);
            log($"[{d.Key}] staged: read {stages.Read:F2} parse {stages.Parse:F2} write {stages.Write:F2} commit {stages.Commit:F2} s");
        }

        return Render(d, s, limit, timings.Skip(1).ToList(), ingest, ingests[ingest.BestIndex], stages, available);
    }

    /// <summary>How many cores this process gets right now: two threads spin for 0.3 s; process CPU time ÷ wall time.</summary>
    internal static double ProbeCores()
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            var x = 0UL;
            while (sw.Elapsed.TotalSeconds < 0.3)
            {
                x++;
            }

            _sink ^= (int)x;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Times one run of <paramref name="body"/>; on a small dataset a body shorter than 0.25 s is repeated until it has run that long (CPU time has
    /// a 10 ms granularity) and the figures are per run.
    /// </summary>
    private static (double Wall, double Cpu, long Allocated) TimeOnce(Action body, bool small)
    {
        var reps = 1;
        if (small)
        {
            var probe = Stopwatch.StartNew();
            body();
            reps = Math.Clamp((int)Math.Ceiling(0.25 / Math.Max(probe.Elapsed.TotalSeconds, 1e-6)), 1, 10_000);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < reps; i++)
        {
            body();
        }

        var wall = sw.Elapsed.TotalSeconds / reps;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / reps;
        return (wall, cpu, (GC.GetTotalAllocatedBytes(precise: true) - alloc0) / reps);
    }

    private static int _sink;

    /// <summary>
    /// The limit: one double SHA-256 over each transaction's full serialization, single thread, with the fastest SHA-256
    /// the process has — the same hasher the parser uses (libcrypto's low-level functions where available).
    /// </summary>
    private static void Limit(Dataset d)
    {
        Span<byte> h = stackalloc byte[32];
        var acc = 0;
        var hasher = Chains.Bitcoin.Encoding.Sha256Hasher.ForThread;
        foreach (var (block, offset, length) in d.TxSpans)
        {
            hasher.DoubleHash(d.Blocks[block].AsSpan(offset, length), h);
            acc ^= h[0];
        }

        _sink ^= acc;
    }

    /// <summary>The same pass through .NET's SHA256.HashData (EVP one-shot per call), for reference.</summary>
    private static void ManagedReference(Dataset d)
    {
        Span<byte> h = stackalloc byte[32];
        var acc = 0;
        foreach (var (block, offset, length) in d.TxSpans)
        {
            SHA256.HashData(d.Blocks[block].AsSpan(offset, length), h);
            SHA256.HashData(h, h);
            acc ^= h[0];
        }

        _sink ^= acc;
    }

    /// <summary>The parser's merkle computation (same calls: SHA256.HashData over 64 then 32 bytes per node) on precomputed txids.</summary>
    private static void MerkleOnly(Dataset d)
    {
        Span<byte> pair = stackalloc byte[64];
        Span<byte> h = stackalloc byte[32];
        var acc = 0;
        var nodes = new Core.Hash256[4096];
        foreach (var txids in d.TxIdsByBlock)
        {
            if (nodes.Length < txids.Length + 1)
            {
                nodes = new Core.Hash256[txids.Length * 2];
            }

            txids.CopyTo(nodes, 0);
            var n = txids.Length;
            while (n > 1)
            {
                if ((n & 1) == 1)
                {
                    nodes[n] = nodes[n - 1];
                    n++;
                }

                for (var i = 0; i < n; i += 2)
                {
                    nodes[i].WriteTo(pair);
                    nodes[i + 1].WriteTo(pair[32..]);
                    Chains.Bitcoin.Encoding.Sha256Hasher.ForThread.DoubleHash(pair, h);
                    nodes[i / 2] = new Core.Hash256(h);
                }

                n /= 2;
            }

            acc ^= (int)nodes[0].Low64;
        }

        _sink ^= acc;
    }

    private static void ParseOnly(Dataset d, bool reuse)
    {
        var parser = new BlockParser();
        var block = new ParsedBlock();
        var n = 0;
        foreach (var raw in d.Blocks)
        {
            n += parser.Parse(raw, d.Key, 0, reuse ? block : null).TxCount;
        }

        _sink ^= n;
    }

    private static void ParseAndClassify(Dataset d)
    {
        var parser = new BlockParser();
        var block = new ParsedBlock();
        var payload = new byte[ScriptClassifier.MaxPayload];
        var acc = 0;
        foreach (var raw in d.Blocks)
        {
            parser.Parse(raw, d.Key, 0, block);
            var span = block.Raw.Span;
            for (var o = 0; o < block.OutputCount; o++)
            {
                ref readonly var output = ref block.Outputs[o];
                acc += (int)ScriptClassifier.Classify(span.Slice(output.ScriptOffset, output.ScriptLength), payload, out var len, out _, out _) + len;
            }
        }

        _sink ^= acc;
    }

    private static void ReadAll(string path, Chains.Bitcoin.Network? network)
    {
        using var source = BlockFileSource.Open(path, network);
        long n = 0;
        foreach (var loc in source.Blocks)
        {
            n += source.Read(loc).Length;
        }

        _sink ^= (int)n;
    }

    private static bool IsObfuscated(string path)
    {
        var xor = Path.Combine(Directory.Exists(path) ? path : Path.GetDirectoryName(path)!, "xor.dat");
        return File.Exists(xor) && File.ReadAllBytes(xor).Any(b => b != 0);
    }

    // ------------------------------------------------------------------------------------------------ report

    private static string Render(Dataset d, BenchSettings s, Timing limit, List<Timing> passes, Timing ingest, ChildResult best,
        StageTimes? stages, List<double> available)
    {
        var sb = new StringBuilder();
        var io = d.InputCount + d.OutputCount;
        sb.AppendLine(Inv, $"## Ingest: {d.Title}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}.");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Reproduce: `{s.Command}` (builds Release; writes this section).");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Data: {d.Blocks.Count:N0} blocks, {d.TxCount:N0} transactions ({Pct(d.WitnessTxCount, d.TxCount)} with a witness), " +
                           $"{d.InputCount:N0} inputs, {d.OutputCount:N0} outputs; {Mb(d.TxBytes)} MB of transactions in {d.Files.Count} blk file(s) " +
                           $"of {Mb(d.FileBytes)} MB{(IsObfuscated(d.BlocksPath) ? ", XOR-obfuscated (xor.dat, as Bitcoin Core 28+ writes them)" : string.Empty)}.");
        foreach (var note in d.Notes)
        {
            sb.AppendLine(note);
        }

        sb.AppendLine();
        sb.AppendLine(Inv, $"{s.Runs} rounds, each running every pass once (so that load from other processes hits all passes alike); best " +
                           $"and median wall time over the rounds. MB = 10⁶ bytes of transactions for every row (block headers and framing add " +
                           $"< 0.1 %). CPU s = process CPU time (user + system) of the best round; per core = MB ÷ CPU s. **vs limit** = limit " +
                           $"time ÷ pass time for the same transactions (wall), and the same on CPU time (per core).");
        sb.AppendLine();
        sb.AppendLine("| Pass | Threads | Best s | Median s | MB/s | tx/s | CPU s | MB/s per core | vs limit | vs limit per core | Allocated MB |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var t in new[] { limit }.Concat(passes).Append(ingest))
        {
            sb.AppendLine(Inv,
                $"| {t.Name} | {t.Threads} | {Sec(t.Best)} | {Sec(t.Median)} | {d.TxBytes / 1e6 / t.Best:F1} | {d.TxCount / t.Best:N0} | " +
                $"{Sec(t.CpuAtBest)} | {d.TxBytes / 1e6 / t.CpuAtBest:F1} | {limit.Best / t.Best * 100:F1} % | {limit.CpuAtBest / t.CpuAtBest * 100:F1} % | {t.AllocatedBytes / 1e6:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine(Inv, $"Cores this process actually got (all cores spinning 0.3 s, CPU ÷ wall, before and after each ingest round): " +
                           $"{string.Join(", ", available.Select(a => a.ToString("F2", Inv)))} of {Environment.ProcessorCount}. " +
                           $"Where this is well below {Environment.ProcessorCount}, wall times are set by other load on the machine; the CPU-time columns are the steadier comparison.");
        sb.AppendLine();
        sb.AppendLine(Inv, $"The ingest's wall time is the child's, from opening the store to the end of `RunAsync`; the ingestor's own clock " +
                           $"(`IngestResult.Elapsed`: scan, select, parse, write, commit) says {best.IngestSeconds:F3} s for the best round.");

        sb.AppendLine();
        var inputScripts = Columns.InputScriptColumns.Sum(c => best.Columns.GetValueOrDefault(c));
        var indexes = best.TxIndexBytes + best.AddressIndexBytes;
        sb.AppendLine(Inv, $"Store after ingest: {best.Segments} segment(s), {best.Addresses:N0} addresses, {best.UnresolvedInputs:N0} unresolved inputs. " +
                           $"Sizes are file lengths; per in/out = bytes ÷ (inputs + outputs) = bytes ÷ {io:N0}.");
        sb.AppendLine();
        sb.AppendLine("| Store | Bytes | Per input+output |");
        sb.AppendLine("|---|--:|--:|");
        sb.AppendLine(Inv, $"| Chain total (segments + txid and address hash indexes) | {best.ChainBytes:N0} | {(double)best.ChainBytes / io:F1} |");
        sb.AppendLine(Inv, $"| – without input-script columns ({string.Join(", ", Columns.InputScriptColumns)}) | {best.ChainBytes - inputScripts:N0} | {(double)(best.ChainBytes - inputScripts) / io:F1} |");
        sb.AppendLine(Inv, $"| – without input-script columns and hash indexes | {best.ChainBytes - inputScripts - indexes:N0} | {(double)(best.ChainBytes - inputScripts - indexes) / io:F1} |");
        sb.AppendLine(Inv, $"| Input-script columns alone | {inputScripts:N0} | {(double)inputScripts / io:F1} |");
        sb.AppendLine(Inv, $"| Hash indexes alone (tx {best.TxIndexBytes:N0} + address {best.AddressIndexBytes:N0}) | {indexes:N0} | {(double)indexes / io:F1} |");
        sb.AppendLine(Inv, $"| Not counted: meta.sqlite, store.json, manifest | {best.OtherStoreBytes:N0} | |");
        sb.AppendLine();
        sb.AppendLine("<details><summary>Bytes per column (all segments)</summary>");
        sb.AppendLine();
        sb.AppendLine("| Column | Bytes | Per input+output |");
        sb.AppendLine("|---|--:|--:|");
        foreach (var (name, bytes) in best.Columns.OrderByDescending(c => c.Value).Where(c => c.Value > 0))
        {
            sb.AppendLine(Inv, $"| `{name}` | {bytes:N0} | {(double)bytes / io:F2} |");
        }

        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Memory: peak working set of the ingest child process (Process.PeakWorkingSet64 = VmHWM, whole process, mapped store " +
                           $"pages included) {best.PeakWorkingSet / 1048576.0:F0} MiB; {best.BaselinePeakWorkingSet / 1048576.0:F0} MiB of it before the ingest " +
                           $"started; sampled every 50 ms, the anonymous part (GC heap, native) peaked at {best.PeakRssAnon / 1048576.0:F0} MiB (managed heap, live and uncollected: " +
                           $"{best.PeakManagedHeap / 1048576.0:F0} MiB, of which at most {best.PeakLiveHeap / 1048576.0:F0} MiB survived a gen2 collection) and the file-backed part " +
                           $"(memory-mapped segments and hash indexes, binaries) at {best.PeakRssFile / 1048576.0:F0} MiB. GC during the ingest: {best.Gen0} gen0 / {best.Gen1} gen1 / {best.Gen2} gen2 collections, " +
                           $"{best.AllocatedBytes / 1e9:F2} GB allocated ({(double)best.AllocatedBytes / d.TxCount:F0} B per tx), {best.GcPauseSeconds:F2} s paused.");
        sb.AppendLine();
        if (stages is not null)
        {
            var sum = stages.Scan + stages.Read + stages.Parse + stages.Write + stages.Commit;
            sb.AppendLine("Where the time goes: the same pipeline (same calls, same commit rule) on one thread, a stopwatch per stage, one run:");
            sb.AppendLine();
            sb.AppendLine("| Stage | Seconds | Share | Thread in the real ingest |");
            sb.AppendLine("|---|--:|--:|---|");
            void Row(string name, double v, string thread) => sb.AppendLine(string.Create(Inv, $"| {name} | {v:F2} | {v / sum * 100:F0} % | {thread} |"));
            Row("Scan the blk files (frame + hash every header)", stages.Scan, "before both");
            Row("Read blocks (open, pread, XOR)", stages.Read, "producer");
            Row("Parse (txids, merkle root)", stages.Parse, "producer");
            Row("Write rows (`BlockWriter`: classify, resolve prevouts, address and txid indexes)", stages.Write, "consumer");
            Row($"Commit ({stages.Commits} segment(s): column files, fsync, postings, index flush)", stages.Commit, "consumer");
            sb.AppendLine(Inv, $"| Sum (one thread) | {sum:F2} | 100 % | |");
            sb.AppendLine(Inv, $"| Real ingest, best run (two threads) | {ingest.Best:F2} | | bound by max(producer {stages.Producer:F2}, consumer {stages.Consumer:F2}) + scan |");
            sb.AppendLine();
        }

        var ratio = limit.Best / ingest.Best * 100;
        var perIo = (double)best.ChainBytes / io;
        var perIoLean = (double)(best.ChainBytes - inputScripts - indexes) / io;
        sb.AppendLine("Against the goals:");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- Ingest ≥ 50 % of the SHA-256 limit: **{(ratio >= 50 ? "met" : "not met")}** — {ratio:F1} % " +
                           $"({d.TxBytes / 1e6 / ingest.Best:F1} MB/s against {d.TxBytes / 1e6 / limit.Best:F1} MB/s; parse alone reaches " +
                           $"{limit.Best / passes[0].Best * 100:F1} %). Per core the ingest does {d.TxBytes / 1e6 / ingest.CpuAtBest:F1} MB/s of CPU " +
                           $"({ingest.CpuAtBest / ingest.Best:F2} cores busy on average).");
        if (passes.FirstOrDefault(t => t.Name.Contains("(reference", StringComparison.Ordinal)) is { } managed)
        {
            sb.AppendLine(Inv, $"- The limit uses the same SHA-256 as the parser. .NET's `SHA256.HashData` pays a fixed cost per call on Linux " +
                               $"(OpenSSL EVP) and hashes the same bytes at {d.TxBytes / 1e6 / managed.Best:F1} MB/s; against that slower " +
                               $"reference the ingest would read {managed.Best / ingest.Best * 100:F1} %.");
        }

        sb.AppendLine(Inv, $"- ≤ 60 bytes on disk per input/output: **{(perIo <= 60 ? "met" : "not met")}** with everything ({perIo:F1} B); " +
                           $"{(double)(best.ChainBytes - inputScripts) / io:F1} B without the input scripts a lean store drops, " +
                           $"{perIoLean:F1} B without them and the hash indexes.");
        return sb.ToString();
    }

    private static string Sec(double s) => s.ToString(s < 0.1 ? "F5" : "F3", Inv);

    private static string Mb(long bytes) => (bytes / 1e6).ToString(bytes < 10_000_000 ? "F2" : "F1", Inv);

    private static string Pct(long part, long whole) => whole == 0 ? "0 %" : $"{part * 100.0 / whole:F0} %";
}
