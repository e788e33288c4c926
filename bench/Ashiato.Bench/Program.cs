using System.Globalization;
using System.Runtime.CompilerServices;
using Ashiato.Bench;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Serialization;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const string Usage = """
    Ashiato benchmarks.

      ingest [--tx N] [--seed S] [--runs R] [--no-xor] [--no-real | --real-only] [--no-stages]
             [--doc PATH | --no-doc] [--work DIR] [--keep]
          Generates a synthetic regtest chain of N transactions (default 300000) as blk files, measures the SHA-256
          limit, parse-only and the full ingest (child processes), then the same on the NBitcoin sample blk files,
          and writes the sections into docs/benchmarks.md.
      generate --tx N --out DIR [--seed S] [--no-xor]
          Only writes the synthetic blk files (e.g. to profile an ingest with perf).
      cluster [--store DIR [--chain C]] [--addresses N] [--runs N] [--doc PATH | --no-doc]
          Union-find merges/s over N random unions (default 20000000); with --store, a full cluster build of an ingested
          chain (default and all heuristics); writes the bench:cluster section of docs/benchmarks.md.
      trace --store DIR [--chain C] [--world DIR] [--seeds N] [--section NAME] [--doc PATH | --no-doc]
          Forward traces (max hops 6 and 20) from the world's theft transactions and N random transactions (default 5000) on an
          ingested, tagged and clustered simulated chain: p50/p99 latency, edges visited/s and the read floor; writes the
          bench:trace section (or --section NAME).
      trace-incidents --store DIR [--runs N] [--section NAME] [--doc PATH | --no-doc]
          Every incident of the store traced across all its chains as `ashiato trace --incident` does (bridges followed), N
          times each (default 5): first and warm latency; writes the bench:trace-incidents section.
      tags [--intel DIR] [--doc PATH | --no-doc]
          Imports all GraphSense TagPacks + the ActorPack, then the OFAC SDN Advanced XML, from ../shared/data/intel into a
          fresh store (tags/s, MB/s of YAML) against a plain YamlDotNet parse of the same YAML in the same run; writes the
          bench:tags section of docs/benchmarks.md.
      micro [--doc PATH | --no-doc]
          Single-thread timings behind the findings: SHA-256 call overhead, the parser's bounds-check messages.
      evm [--blocks N] [--tx-per-block M] [--runs R] [--seed S] [--doc PATH | --no-doc]
          Starts anvil (tests/evm/node_modules, installed by scripts/test.sh), builds N blocks (default 100) of M transactions
          (default 200: ETH transfers, ERC-20 transfers, FanOut calls), then measures R full ingests (default 3) into fresh
          stores plus one without traces, a stage split, and the JSON decode passes against a plain read of the same bytes;
          writes the bench:evm section of docs/benchmarks.md.
      simulate [--tx N,...] [--seed S] [--work DIR] [--doc PATH | --no-doc]
          Runs the simulator (`Simulation.Run`, as `ashiato simulate`) at each size (default 1000000,10000000), each in a child
          process into a fresh directory under --work (default: the temp directory; deleted afterwards; a size is skipped when
          the disk has less than 2.5× its estimated output free), then a plain write of the same bytes to the same disk as the
          limit; writes the bench:simulate section of docs/benchmarks.md.
      accuracy [--seeds 1,2,...] [--tx N] [--work DIR] [--doc PATH | --no-doc]
          Tracing accuracy over several simulated worlds (default seeds 1–8, 10000 tx each): simulate, ingest, import the
          world's TagPacks, cluster, trace every theft with three option sets and score against the truth; writes the
          bench:accuracy section of docs/accuracy.md (kept by `ashiato evaluate`).
      child-simulate TX SEED OUTDIR
          One `Simulation.Run` into OUTDIR, then fsync of its files; prints a JSON line (used by `simulate`).
      child-ingest BLOCKS STORE [NETWORK|auto] [--alloc] [--commit-mb N]
          One ingest into a fresh store; prints a JSON line (used by `ingest`). --alloc samples allocations by type;
          --commit-mb overrides IngestOptions.CommitBytes (default 64).
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return 0;
}

var options = Options.Parse(args.Skip(1));
void Log(string message) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");

switch (args[0])
{
    case "child-ingest":
        return await IngestChild.RunAsync(options.Positional[0], options.Positional[1], options.Positional.ElementAtOrDefault(2), options.Has("--alloc"),
            options.Has("--commit-mb") ? options.GetLong("--commit-mb", 64) : null);

    case "child-simulate":
        return SimulateBenchmark.RunChild(
            long.Parse(options.Positional[0], CultureInfo.InvariantCulture), ulong.Parse(options.Positional[1], CultureInfo.InvariantCulture), options.Positional[2]);

    case "simulate":
    {
        var simDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        var simWork = options.Get("--work") ?? Path.Combine(Path.GetTempPath(), $"ashiato-bench-sim-{Environment.ProcessId}");
        var sizes = (options.Get("--tx") ?? "1000000,10000000").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Options.ParseCount).ToList();
        string section;
        try
        {
            section = SimulateBenchmark.Run(new SimulateBenchSettings
            {
                Sizes = sizes,
                Seed = options.GetULong("--seed", 1),
                WorkDirectory = simWork,
                Command = "dotnet run -c Release --project bench/Ashiato.Bench -- " + string.Join(' ', args),
            }, Log);
        }
        finally
        {
            if (Directory.Exists(simWork) && options.Get("--work") is null)
            {
                Directory.Delete(simWork, recursive: true);
            }
        }

        Console.WriteLine(section);
        if (simDoc is not null)
        {
            DocFile.Upsert(simDoc, "simulate", section);
            Log($"wrote section 'simulate' into {simDoc}");
        }

        return 0;
    }

    case "generate":
    {
        var outDir = options.Get("--out") ?? throw new ArgumentException("generate needs --out DIR");
        var chain = new SyntheticChainGenerator(options.GetULong("--seed", 1))
            .Generate(options.GetLong("--tx", 300_000), outDir, !options.Has("--no-xor"), Log);
        Log($"wrote {chain.Blocks.Count:N0} blocks, {chain.TxCount:N0} tx into {chain.Files.Count} file(s) in {outDir}");
        return 0;
    }

    case "cluster":
    {
        var clusterLines = ClusterBenchmark.Run(options.Get("--store"), options.Get("--chain"), (int)options.GetLong("--addresses", 20_000_000),
            (int)options.GetLong("--runs", 3), Log);
        clusterLines.ForEach(Console.WriteLine);
        var clusterDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        if (clusterDoc is not null)
        {
            DocFile.Upsert(clusterDoc, "cluster", string.Join('\n', [
                "## Clustering: union-find and full cluster build",
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                $"`dotnet run -c Release --project bench/Ashiato.Bench -- {string.Join(' ', args)}`. Arithmetic for all of Bitcoin: docs/clustering.md.",
                string.Empty,
                .. clusterLines,
            ]));
        }

        return 0;
    }

    case "trace":
    {
        var traceLines = TraceBenchmark.Run(options.Get("--store") ?? throw new ArgumentException("trace needs --store DIR"), options.Get("--chain") ?? "sim-bitcoin",
            options.Get("--world"), (int)options.GetLong("--seeds", 5000), Log);
        traceLines.ForEach(Console.WriteLine);
        var traceDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        if (traceDoc is not null)
        {
            // --section trace-10m: the same benchmark on the large world, kept beside the medium world's section
            var traceSection = options.Get("--section") ?? "trace";
            var worldLine = TraceBenchmark.DescribeWorld(options.Get("--world"));
            DocFile.Upsert(traceDoc, traceSection, string.Join('\n', [
                "## Tracing: UTXO traces, forward and backward (`UtxoTracer`)" + (traceSection == "trace" ? "" : $" on {worldLine}"),
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                $"`dotnet run -c Release --project bench/Ashiato.Bench -- trace --store STORE --world WORLD{(traceSection == "trace" ? "" : " --section " + traceSection)}` (WORLD = {worldLine}; STORE from `ashiato simulate`, " +
                "`ingest bitcoin`, `tags import` of the world's TagPacks and `cluster`). Haircut, stop at exchanges and OTC brokers (the default), mixers and CoinJoins, no fiat " +
                "values, one thread; forward unless the seeds say backward (the same random transactions traced backward from their inputs); " +
                "latency = one `UtxoTracer.Run` (seed resolution, trace, nodes, edges and summary). 200 warm-up traces, then " +
                "two passes; the second measures compiled code (tiered compilation promotes methods after ≈ 30 calls), and is run three times over " +
                "the random seeds (the machine is shared; the goal line judges the median walk rate). Edges visited/s over " +
                "CPU time counts every thread of the process (the JIT's and the GC's too, and the harness's own work between traces); bytes " +
                "allocated are the tracing thread's; GC pause share = time the runtime was paused for collections / Σ trace time. Walk = " +
                "`TraceResult.WalkTime` (the walk over ids, before the result is made). The read floor replays the reads of the same transactions without the tracer's work (see `TraceBenchmark.ReadFloor`).",
                string.Empty,
                .. traceLines,
            ]));
        }

        return 0;
    }

    case "trace-incidents":
    {
        var incidentLines = IncidentTraceBenchmark.Run(options.Get("--store") ?? throw new ArgumentException("trace-incidents needs --store DIR"),
            (int)options.GetLong("--runs", 5), Log);
        incidentLines.ForEach(Console.WriteLine);
        var incidentDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        if (incidentDoc is not null)
        {
            var section = options.Get("--section") ?? "trace-incidents";
            DocFile.Upsert(incidentDoc, section, string.Join('\n', [
                "## Tracing: incidents across chains (`TraceSession`, as `ashiato trace --incident`)",
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                $"`dotnet run -c Release --project bench/Ashiato.Bench -- trace-incidents --store STORE{(section == "trace-incidents" ? "" : " --section " + section)}` " +
                "(STORE: a simulated world's Bitcoin and EVM chains ingested, its TagPacks, IncidentPack and prices imported, both chains clustered). " +
                "Default trace options (haircut, ≤ 20 hops, stop at exchanges and OTC brokers, mixers and CoinJoins, bridges followed, USD values); " +
                "latency = one `TraceSession.Run` (all chains and bridge rounds, summary), the session opened once beforehand.",
                string.Empty,
                .. incidentLines,
            ]));
        }

        return 0;
    }

    case "accuracy":
    {
        var accuracySeeds = (options.Get("--seeds") ?? "1,2,3,4,5,6,7,8").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var accuracyTx = options.GetLong("--tx", 10_000);
        var accuracyLines = AccuracyBenchmark.Run(accuracySeeds, accuracyTx, options.Get("--work") ?? Path.GetTempPath(), Log);
        accuracyLines.ForEach(Console.WriteLine);
        var accuracyDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "accuracy.md");
        if (accuracyDoc is not null)
        {
            DocFile.Upsert(accuracyDoc, "accuracy", string.Join('\n', [
                "## Tracing accuracy over several worlds",
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                "`dotnet run -c Release --project bench/Ashiato.Bench -- accuracy` (written by the benchmark; `ashiato evaluate` keeps it).",
                string.Empty,
                .. accuracyLines,
            ]));
        }

        return 0;
    }

    case "tags":
    {
        var intel = options.Get("--intel") ?? Path.Combine(RepoRoot.Find(), "..", "shared", "data", "intel");
        var tagLines = TagsBenchmark.Run(intel, Log);
        tagLines.ForEach(Console.WriteLine);
        var tagsDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        if (tagsDoc is not null)
        {
            DocFile.Upsert(tagsDoc, "tags", string.Join('\n', [
                "## Tags: GraphSense TagPacks, ActorPack and OFAC SDN import",
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                $"`dotnet run -c Release --project bench/Ashiato.Bench -- tags` (data: ../shared/data/intel, or --intel DIR).",
                string.Empty,
                .. tagLines,
            ]));
        }

        return 0;
    }

    case "micro":
    {
        var lines = new List<string>();
        Micro.Run(line =>
        {
            Console.WriteLine(line);
            lines.Add(line);
        });
        var microDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        if (microDoc is not null)
        {
            DocFile.Upsert(microDoc, "micro", string.Join('\n', [
                "## Micro: SHA-256 call overhead, parser bounds checks",
                string.Empty,
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}. Reproduce: " +
                $"`dotnet run -c Release --project bench/Ashiato.Bench -- micro`.",
                string.Empty,
                .. lines,
            ]));
        }

        return 0;
    }

    case "evm":
    {
        var evmDoc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(RepoRoot.Find(), "docs", "benchmarks.md");
        var section = await EvmBenchmark.RunAsync(new EvmBenchSettings
        {
            Blocks = (int)options.GetLong("--blocks", 100),
            TxPerBlock = (int)options.GetLong("--tx-per-block", 200),
            Runs = (int)options.GetLong("--runs", 3),
            Seed = options.GetULong("--seed", 1),
        }, Log);
        Console.WriteLine(section);
        if (evmDoc is not null)
        {
            DocFile.Upsert(evmDoc, "evm", section);
            Log($"wrote section 'evm' into {evmDoc}");
        }

        return 0;
    }

    case "ingest":
        break;

    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

var root = RepoRoot.Find();
var doc = options.Has("--no-doc") ? null : options.Get("--doc") ?? Path.Combine(root, "docs", "benchmarks.md");
var work = options.Get("--work") ?? Path.Combine(Path.GetTempPath(), $"ashiato-bench-{Environment.ProcessId}");
var runs = (int)options.GetLong("--runs", 5);
var command = "dotnet run -c Release --project bench/Ashiato.Bench -- " + string.Join(' ', args);
Directory.CreateDirectory(work);
try
{
    if (!options.Has("--real-only"))
    {
        var tx = options.GetLong("--tx", 300_000);
        var seed = options.GetULong("--seed", 1);
        var xor = !options.Has("--no-xor");
        var blocksDir = Path.Combine(work, "synthetic-blocks");
        Log($"generating {tx:N0} transactions (seed {seed}) into {blocksDir}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var chain = new SyntheticChainGenerator(seed).Generate(tx, blocksDir, xor, Log);
        Log($"generated {chain.Blocks.Count:N0} blocks in {sw.Elapsed.TotalSeconds:F1} s");
        string? plain = null;
        if (xor)
        {
            plain = Path.Combine(work, "synthetic-blocks-plain");
            using var writer = new BlockFileWriter(plain, Network.BitcoinRegtest);
            foreach (var block in chain.Blocks)
            {
                writer.Append(block);
            }
        }

        var data = new Dataset
        {
            Key = $"synthetic-{tx}",
            Title = $"synthetic regtest chain, {tx:N0} transactions",
            BlocksPath = blocksDir,
            Network = Network.BitcoinRegtest,
            Files = chain.Files,
            Blocks = chain.Blocks,
        };
        var outs = chain.OutputsByKind.Sum();
        var ins = chain.InputsByKind.Sum();
        string Mix(long[] byKind, long total) => string.Join(", ",
            Enum.GetValues<OutKind>().Select(k => $"{k.ToString().Replace('_', '-')} {byKind[(int)k] * 100.0 / Math.Max(1, total):F1} %"));
        data.Notes.Add($"Generated with seed {seed} (SplitMix64): regtest genesis, a 20-output coinbase and 20 fan-out payouts, then blocks of " +
                       "1,800–2,200 transactions with 1–3 inputs (60/25/15 %) spending uniformly random unspent outputs of earlier blocks " +
                       "(coinbases after 100 blocks) and 1–3 outputs (15/70/15 %); BIP34 coinbases with witness commitments; " +
                       $"signatures are random bytes of the real sizes. Non-coinbase outputs: {Mix(chain.OutputsByKind, outs)} " +
                       $"({chain.ReusedOutputs * 100.0 / Math.Max(1, outs):F1} % pay an earlier address); inputs spend {Mix(chain.InputsByKind, ins)}.");
        var section = await IngestBenchmark.RunAsync(data, new BenchSettings
        {
            Runs = runs,
            Stages = !options.Has("--no-stages"),
            WorkDirectory = work,
            PlainBlocksPath = plain,
            Command = command,
        }, Log);
        Publish(data.Key, section);
    }

    if (!options.Has("--no-real") || options.Has("--real-only"))
    {
        var nbitcoin = Path.Combine(root, "..", "shared", "data", "bitcoin", "nbitcoin");
        var files = new[] { "blk00000.dat", "blk00001.dat" }.Select(f => Path.Combine(nbitcoin, f)).ToArray();
        if (files.All(File.Exists))
        {
            var dir = Path.Combine(work, "nbitcoin");
            Directory.CreateDirectory(dir);
            foreach (var f in files)
            {
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
            }

            var data = Dataset.FromBlockFiles("nbitcoin-blk00000-00001",
                "real blocks, NBitcoin's sample files blk00000.dat + blk00001.dat (Bitcoin mainnet, early 2009)", dir, null);
            data.Notes.Add("Tiny (a few hundred small blocks, nearly all coinbase-only): fixed costs dominate; reported for completeness.");
            var section = await IngestBenchmark.RunAsync(data, new BenchSettings
            {
                Runs = runs,
                Stages = !options.Has("--no-stages"),
                WorkDirectory = work,
                Command = command,
            }, Log);
            Publish(data.Key, section);
        }
        else
        {
            Log($"skipping the real-data run: {nbitcoin}/blk0000[01].dat not found");
        }
    }
}
finally
{
    if (!options.Has("--keep"))
    {
        Directory.Delete(work, recursive: true);
    }
    else
    {
        Log($"kept {work}");
    }
}

return 0;

void Publish(string key, string section)
{
    Console.WriteLine(section);
    if (doc is not null)
    {
        DocFile.Upsert(doc, key, section);
        Log($"wrote section '{key}' into {doc}");
    }
}

/// <summary>Minimal "--name value" / "--flag" / positional parser.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string?> _named = [];

    public List<string> Positional { get; } = [];

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal))
            {
                var takesValue = list[i] is "--tx" or "--seed" or "--runs" or "--doc" or "--work" or "--out" or "--commit-mb" or "--blocks" or "--tx-per-block"
                    or "--store" or "--chain" or "--addresses" or "--world" or "--seeds" or "--section";
                o._named[list[i]] = takesValue ? list[++i] : null;
            }
            else
            {
                o.Positional.Add(list[i]);
            }
        }

        return o;
    }

    public bool Has(string name) => _named.ContainsKey(name);

    public string? Get(string name) => _named.GetValueOrDefault(name);

    public long GetLong(string name, long fallback) => Get(name) is { } v ? ParseCount(v) : fallback;

    /// <summary>A count such as 300000, 300_000, 300k or 10M.</summary>
    public static long ParseCount(string v) =>
        long.Parse(v.Replace("_", string.Empty).Replace("k", "000").Replace("M", "000000"), CultureInfo.InvariantCulture);

    public ulong GetULong(string name, ulong fallback) => Get(name) is { } v ? ulong.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Finds the repository (the directory holding Ashiato.slnx).</summary>
internal static class RepoRoot
{
    public static string Find([CallerFilePath] string source = "")
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory, Path.GetDirectoryName(source) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ashiato.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("no Ashiato.slnx above the working directory");
    }
}

/// <summary>Keeps generated sections of docs/benchmarks.md between markers, so reruns replace them and hand-written text stays.</summary>
internal static class DocFile
{
    private const string Header = """
        # Benchmarks

        Figures written by `bench/Ashiato.Bench` (each section between `bench:` markers is replaced when its benchmark is rerun;
        text outside the markers is kept). The machine is shared and noisy: compare ratios measured in the same run, not
        absolute figures across runs.

        """;

    public static void Upsert(string path, string key, string section)
    {
        var begin = $"<!-- bench:{key} begin -->";
        var end = $"<!-- bench:{key} end -->";
        var text = File.Exists(path) ? File.ReadAllText(path) : Header;
        var block = $"{begin}\n{section.TrimEnd()}\n{end}";
        var b = text.IndexOf(begin, StringComparison.Ordinal);
        var e = text.IndexOf(end, StringComparison.Ordinal);
        text = b >= 0 && e > b
            ? string.Concat(text.AsSpan(0, b), block, text.AsSpan(e + end.Length))
            : text.TrimEnd() + "\n\n" + block + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
