using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Chains.Evm.Transfers;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Bench;

internal sealed class EvmBenchSettings
{
    public int Blocks { get; init; } = 100;

    public int TxPerBlock { get; init; } = 200;

    /// <summary>Full ingests with traces (a fresh store each); one more runs without traces.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Rounds of the in-memory decode passes (best and median reported).</summary>
    public int DecodeRounds { get; init; } = 7;

    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// <c>evm</c>: builds a chain on a real anvil node, then measures <see cref="EvmIngestor"/> against it (full ingests into
/// fresh stores, with and without traces), a stage split of the same pipeline on one thread, and the in-memory JSON decode
/// passes over the node's own answers against a plain read and a token scan of the same bytes.
/// </summary>
internal static class EvmBenchmark
{
    private const string ChainName = "anvil";
    private const int IngestBatch = 20; // the CLI's --batch default
    private const ulong BlockGasLimit = 300_000_000;

    private static readonly string[] _methods = ["eth_getBlockByNumber (full)", "eth_getBlockReceipts", "trace_block"];

#pragma warning disable RS0030 // one client for the whole benchmark process
    private static readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030

    public static async Task<string> RunAsync(EvmBenchSettings s, Action<string> log)
    {
        var ct = CancellationToken.None;
        var anvilVersion = EvmChainBuilder.AnvilVersion();
        log($"[evm] starting {anvilVersion}");
        await using var node = await AnvilNode.StartAsync(new AnvilOptions { BlockGasLimit = BlockGasLimit, Automine = false }, ct);
        log($"[evm] building {s.Blocks} blocks × {s.TxPerBlock} transactions on anvil (PID {node.Pid})");
        var build = Stopwatch.StartNew();
        var chain = await EvmChainBuilder.BuildAsync(node, s.Blocks, s.TxPerBlock, s.Seed, log, ct);
        build.Stop();
        log($"[evm] built blocks {chain.FirstBlock}–{chain.LastBlock} in {build.Elapsed.TotalSeconds:F1} s");
        var chainId = (long)node.ChainId;

        log("[evm] timing single node calls");
        var answers = await NodeCallsAsync(node, chain, ct);

        // The node's answers, once, for the in-memory passes.
        log("[evm] fetching the raw answers");
        var raw = await FetchRawAsync(node.RpcUrl, chain, ct);
        var facts = Verify(raw, chain);
        log($"[evm] {raw.TotalBytes / 1e6:F1} MB of results; {facts.Transfers:N0} transfers; decode passes ({s.DecodeRounds} rounds)");
        var passes = DecodePasses(raw, s.DecodeRounds);

        // Full ingests (a small warm-up first: JIT and connection pool, not reported; it starts at the empty block, so its
        // trace-mode probe is cheap).
        log("[evm] warm-up ingest");
        await IngestAsync(node, chainId, chain.EmptyBlock, Math.Min(chain.LastBlock, chain.EmptyBlock + 20), traces: true, ct);
        var runs = new List<IngestRun>();
        for (var r = 0; r < s.Runs; r++)
        {
            var run = await IngestAsync(node, chainId, chain.FirstBlock, chain.LastBlock, traces: true, ct);
            Check(run, chain, chain.Blocks);
            log($"[evm] ingest {r + 1}/{s.Runs}: {run.Wall:F2} s, {run.Result.Transactions / run.Wall:N0} tx/s, ashiato CPU {run.Cpu:F2} s, anvil CPU {run.AnvilCpu:F2} s");
            runs.Add(run);
        }

        var fromEmpty = await IngestAsync(node, chainId, chain.EmptyBlock, chain.LastBlock, traces: true, ct);
        Check(fromEmpty, chain, chain.Blocks + 1);
        log($"[evm] ingest from the empty block: {fromEmpty.Wall:F2} s");
        var noTraces = await IngestAsync(node, chainId, chain.FirstBlock, chain.LastBlock, traces: false, ct);
        Check(noTraces, chain, chain.Blocks);
        log($"[evm] ingest without traces: {noTraces.Wall:F2} s");

        log("[evm] staged run (one thread, a stopwatch per stage)");
        var stages = await StagedAsync(node, chainId, chain, ct);

        return Render(s, chain, anvilVersion, build.Elapsed, answers, raw, facts, passes, runs, fromEmpty, noTraces, stages);
    }

    // ---- single node calls ----

    private sealed record NodeCall(string Name, double Seconds, double AnvilCpu, long Bytes);

    /// <summary>Each method once, alone, for the first measured block: what the node takes to answer it.</summary>
    private static async Task<List<NodeCall>> NodeCallsAsync(AnvilNode node, EvmBenchChain chain, CancellationToken ct)
    {
        var rpc = new EvmRpcClient(_http, node.RpcUrl, new EvmRpcOptions());
        var n = EvmNodeSource.Quantity(chain.FirstBlock);
        var calls = new (string Name, EvmRpcCall[] Calls)[]
        {
            ("`eth_getBlockByNumber(n, true)` (full transactions)", [new("eth_getBlockByNumber", [n, true])]),
            ("`eth_getBlockByNumber(n, false)` (hashes only)", [new("eth_getBlockByNumber", [n, false])]),
            ("`eth_getBlockReceipts`", [new("eth_getBlockReceipts", [n])]),
            ("`trace_block`", [new("trace_block", [n])]),
            ("`debug_traceBlockByNumber` with `callTracer`", [new("debug_traceBlockByNumber", [n, new Dictionary<string, object> { ["tracer"] = "callTracer" }])]),
        };
        await rpc.BatchRawAsync(calls[0].Calls, ct); // first request: connection
        var list = new List<NodeCall>();
        foreach (var (name, batch) in calls)
        {
            var cpu0 = ProcessCpuSeconds(node.Pid);
            var clock = Stopwatch.StartNew();
            var results = await rpc.BatchRawAsync(batch, ct);
            var seconds = clock.Elapsed.TotalSeconds;
            if (results.FirstOrDefault(r => r.IsError) is { Error: { } e })
            {
                throw new InvalidOperationException($"{name}: {e}");
            }

            list.Add(new NodeCall(name, seconds, ProcessCpuSeconds(node.Pid) - cpu0, results.Sum(r => (long)r.RawResult.Length)));
        }

        return list;
    }

    // ---- raw answers ----

    private sealed class RawAnswers
    {
        public required byte[][][] ByMethod { get; init; } // [method][block]

        public required string[][] Sources { get; init; }

        public long Bytes(int method) => ByMethod[method].Sum(b => (long)b.Length);

        public long TotalBytes => Enumerable.Range(0, ByMethod.Length).Sum(Bytes);

        public int Blocks => ByMethod[0].Length;
    }

    private static EvmRpcCall[] Calls(int method, long from, int count) => Enumerable.Range(0, count).Select(i => method switch
    {
        0 => new EvmRpcCall("eth_getBlockByNumber", [EvmNodeSource.Quantity(from + i), true]),
        1 => new EvmRpcCall("eth_getBlockReceipts", [EvmNodeSource.Quantity(from + i)]),
        _ => new EvmRpcCall("trace_block", [EvmNodeSource.Quantity(from + i)]),
    }).ToArray();

    private static async Task<RawAnswers> FetchRawAsync(Uri url, EvmBenchChain chain, CancellationToken ct)
    {
        var rpc = new EvmRpcClient(_http, url, new EvmRpcOptions());
        var byMethod = new byte[3][][];
        var sources = new string[3][];
        for (var m = 0; m < 3; m++)
        {
            var calls = Calls(m, chain.FirstBlock, chain.Blocks);
            var results = await rpc.BatchRawAsync(calls, ct);
            byMethod[m] = results.Select((r, i) => r.Error is { } e
                ? throw new InvalidOperationException($"{calls[i].Method} {calls[i].Params[0]}: {e}")
                : r.RawResult.ToArray()).ToArray();
            sources[m] = calls.Select(c => $"{c.Method} {c.Params[0]}").ToArray();
        }

        return new RawAnswers { ByMethod = byMethod, Sources = sources };
    }

    private sealed record ChainFacts(long Transactions, long Traces, long Logs, long Transfers, double GasPerBlock, IReadOnlyList<(EvmTransferKind Kind, long Count)> Kinds);

    /// <summary>Decodes everything once: every block has its transactions, every transaction succeeded; counts the transfers by kind.</summary>
    private static ChainFacts Verify(RawAnswers raw, EvmBenchChain chain)
    {
        var extractor = new EvmTransferExtractor();
        long txs = 0, traces = 0, logs = 0, transfers = 0, gas = 0;
        var kinds = new Dictionary<EvmTransferKind, long>();
        for (var i = 0; i < raw.Blocks; i++)
        {
            var bundle = DecodeBundle(raw, i);
            if (bundle.Block.Number != chain.FirstBlock + i || bundle.Block.Transactions.Count != chain.TxPerBlock)
            {
                throw new InvalidOperationException($"block {bundle.Block.Number} has {bundle.Block.Transactions.Count} transactions");
            }

            var failed = bundle.Receipts.Count(r => r.Status != 1);
            if (failed > 0)
            {
                throw new InvalidOperationException($"block {bundle.Block.Number}: {failed} transactions failed");
            }

            txs += bundle.Block.Transactions.Count;
            traces += bundle.Traces!.Count;
            logs += bundle.Receipts.Sum(r => r.Logs.Count);
            gas += bundle.Block.GasUsed;
            foreach (var t in extractor.Extract(bundle))
            {
                transfers++;
                kinds[t.Kind] = kinds.GetValueOrDefault(t.Kind) + 1;
            }
        }

        return new ChainFacts(txs, traces, logs, transfers, (double)gas / raw.Blocks, kinds.OrderByDescending(k => k.Value).Select(k => (k.Key, k.Value)).ToArray());
    }

    private static EvmBlockBundle DecodeBundle(RawAnswers raw, int i)
    {
        using var b = JsonDocument.Parse(raw.ByMethod[0][i], EvmJsonDecoder.DocumentOptions);
        using var r = JsonDocument.Parse(raw.ByMethod[1][i], EvmJsonDecoder.DocumentOptions);
        using var t = JsonDocument.Parse(raw.ByMethod[2][i], EvmJsonDecoder.DocumentOptions);
        return new EvmBlockBundle
        {
            Block = EvmJsonDecoder.DecodeBlock(b.RootElement, raw.Sources[0][i]),
            Receipts = EvmJsonDecoder.DecodeReceipts(r.RootElement, raw.Sources[1][i]),
            Traces = EvmJsonDecoder.DecodeParityTraces(t.RootElement, raw.Sources[2][i]),
        };
    }

    // ---- in-memory passes ----

    private sealed record PassResult(string Key, string Name, double[] Wall, double[][] ByMethod, long Allocated)
    {
        public double Best => Wall.Min();

        public double Median => EvmBenchmark.Median(Wall);

        /// <summary>Best time per method over the rounds (null for the passes that work on whole bundles).</summary>
        public double? BestOf(int method) => ByMethod.Length == 0 ? null : ByMethod.Min(r => r[method]);
    }

    private static long _sink;

    private static ulong PlainRead(byte[] data)
    {
        var acc = Vector<byte>.Zero;
        var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(data);
        foreach (var v in vectors)
        {
            acc += v;
        }

        ulong sum = 0;
        for (var i = vectors.Length * Vector<byte>.Count; i < data.Length; i++)
        {
            sum += data[i];
        }

        for (var k = 0; k < Vector<byte>.Count; k++)
        {
            sum += acc[k];
        }

        return sum;
    }

    private static long TokenScan(byte[] data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = EvmJsonDecoder.DocumentOptions.MaxDepth });
        long tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    private static long DomOnly(byte[] data)
    {
        using var doc = JsonDocument.Parse(data, EvmJsonDecoder.DocumentOptions);
        return (long)doc.RootElement.ValueKind;
    }

    private static long DomStrings(byte[] data)
    {
        using var doc = JsonDocument.Parse(data, EvmJsonDecoder.DocumentOptions);
        return Walk(doc.RootElement);

        static long Walk(JsonElement e)
        {
            long n = 0;
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        n += Walk(p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        n += Walk(item);
                    }

                    break;
                case JsonValueKind.String:
                    n += e.GetString()!.Length;
                    break;
            }

            return n;
        }
    }

    private static long Decode(int method, byte[] data, string source)
    {
        using var doc = JsonDocument.Parse(data, EvmJsonDecoder.DocumentOptions);
        return method switch
        {
            0 => EvmJsonDecoder.DecodeBlock(doc.RootElement, source).Transactions.Count,
            1 => EvmJsonDecoder.DecodeReceipts(doc.RootElement, source).Count,
            _ => EvmJsonDecoder.DecodeParityTraces(doc.RootElement, source).Count,
        };
    }

    private static List<PassResult> DecodePasses(RawAnswers raw, int rounds)
    {
        var extractor = new EvmTransferExtractor();
        var perMethod = new (string Key, string Name, Func<int, int, long> Body)[]
        {
            ("a", "(a) plain read: a vectorised pass adding up every byte (`Vector<byte>`)", (m, i) => (long)PlainRead(raw.ByMethod[m][i])),
            ("b", "(b) `Utf8JsonReader` token scan only", (m, i) => TokenScan(raw.ByMethod[m][i])),
            ("dom", "`JsonDocument.Parse` only (the DOM, no decoding)", (m, i) => DomOnly(raw.ByMethod[m][i])),
            ("str", "`JsonDocument.Parse` + `GetString()` of every string value (reference: the UTF-16 copies the decoder makes before parsing hex)",
                (m, i) => DomStrings(raw.ByMethod[m][i])),
            ("c", "(c) `JsonDocument.Parse` + `EvmJsonDecoder` to model objects", (m, i) => Decode(m, raw.ByMethod[m][i], raw.Sources[m][i])),
        };
        var perBundle = new (string Key, string Name, Func<int, long> Body)[]
        {
            ("d", "(d) (c) + `EvmTransferExtractor.Extract`", i => extractor.Extract(DecodeBundle(raw, i)).Count),
            ("e", "(d) + `EvmBundleCodec.Encode` (the bundle as the store keeps it; ingest does this too)", i =>
            {
                var bundle = DecodeBundle(raw, i);
                return extractor.Extract(bundle).Count + EvmBundleCodec.Encode(bundle).Length;
            }),
        };
        var count = perMethod.Length + perBundle.Length;
        var walls = Enumerable.Range(0, count).Select(_ => new double[rounds]).ToArray();
        var byMethod = Enumerable.Range(0, perMethod.Length).Select(_ => new double[rounds][]).ToArray();
        var allocated = new long[count];
        var clock = new Stopwatch();

        // Two warm-up rounds (JIT tiers), then the measured ones; every pass once per round, so that load from other
        // processes hits all passes alike.
        for (var round = -2; round < rounds; round++)
        {
            for (var p = 0; p < count; p++)
            {
                var alloc0 = GC.GetAllocatedBytesForCurrentThread();
                double total = 0;
                if (p < perMethod.Length)
                {
                    var times = new double[3];
                    for (var m = 0; m < 3; m++)
                    {
                        clock.Restart();
                        for (var i = 0; i < raw.Blocks; i++)
                        {
                            _sink += perMethod[p].Body(m, i);
                        }

                        times[m] = clock.Elapsed.TotalSeconds;
                        total += times[m];
                    }

                    if (round >= 0)
                    {
                        byMethod[p][round] = times;
                    }
                }
                else
                {
                    clock.Restart();
                    for (var i = 0; i < raw.Blocks; i++)
                    {
                        _sink += perBundle[p - perMethod.Length].Body(i);
                    }

                    total = clock.Elapsed.TotalSeconds;
                }

                if (round >= 0)
                {
                    walls[p][round] = total;
                    allocated[p] = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                }
            }
        }

        var names = perMethod.Select(x => (x.Key, x.Name)).Concat(perBundle.Select(x => (x.Key, x.Name))).ToArray();
        return names.Select((n, p) => new PassResult(n.Key, n.Name, walls[p], p < perMethod.Length ? byMethod[p] : [], allocated[p])).ToList();
    }

    // ---- full ingests ----

    private sealed record IngestRun(EvmIngestResult Result, bool Traces, double Wall, double Cpu, double AnvilCpu, long Allocated, long StoreBytes, int Gen2);

    private static async Task<IngestRun> IngestAsync(AnvilNode node, long chainId, long from, long to, bool traces, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ashiato-bench-evm-{Environment.ProcessId}-{Guid.NewGuid():N}");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            var cpu0 = Environment.CpuUsage.TotalTime;
            var anvil0 = ProcessCpuSeconds(node.Pid);
            var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
            var gen20 = GC.CollectionCount(2);
            var clock = Stopwatch.StartNew();
            EvmIngestResult result;
            using (var store = StoreDirectory.Open(path, create: true))
            {
                var ingestor = new EvmIngestor(store, new EvmNodeSource(new EvmRpcClient(_http, node.RpcUrl, new EvmRpcOptions())), new IngestOptions());
                result = await ingestor.RunAsync(
                    new EvmIngestRequest(ChainName, chainId, from, to, Follow: false, traces, TimeSpan.FromSeconds(2), IngestBatch), null, ct);
            }

            clock.Stop();
            var cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;
            var anvil = ProcessCpuSeconds(node.Pid) - anvil0;
            var bytes = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            return new IngestRun(result, traces, clock.Elapsed.TotalSeconds, cpu, anvil, GC.GetTotalAllocatedBytes(precise: true) - alloc0, bytes,
                GC.CollectionCount(2) - gen20);
        }
        finally
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private static void Check(IngestRun run, EvmBenchChain chain, int blocks)
    {
        if (run.Result.BlocksAdded != blocks || run.Result.Transactions != chain.Transactions)
        {
            throw new InvalidOperationException($"the ingest added {run.Result.BlocksAdded} blocks and {run.Result.Transactions} transactions, " +
                                                $"expected {blocks} and {chain.Transactions}");
        }
    }

    /// <summary>User + system CPU seconds of a process, from /proc/PID/stat (NaN where there is none).</summary>
    private static double ProcessCpuSeconds(int pid)
    {
        var path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
        {
            return double.NaN;
        }

        var text = File.ReadAllText(path);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux)
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    // ---- stage split ----

    private sealed class Stages
    {
        public double[] Fetch { get; } = new double[3];

        public double Dom { get; set; }

        public double Decode { get; set; }

        public double Extract { get; set; }

        public double Encode { get; set; }

        public double Append { get; set; }

        public double Commit { get; set; }

        public int Commits { get; set; }

        public double AnvilCpu { get; set; }

        public double Wall { get; set; }

        public double Sum => Fetch.Sum() + Dom + Decode + Extract + Encode + Append + Commit;
    }

    /// <summary>
    /// The ingest's pipeline on one thread, a stopwatch per stage: per batch of 20 blocks the three RPC batches (raw bytes,
    /// no DOM), then the DOMs, the decoder, the extractor, the bundle codec and the store. Token metadata is not read here
    /// (one eth_call batch per new token in the real ingest: once in this chain).
    /// </summary>
    private static async Task<Stages> StagedAsync(AnvilNode node, long chainId, EvmBenchChain chain, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ashiato-bench-evm-staged-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var st = new Stages();
        var rpc = new EvmRpcClient(_http, node.RpcUrl, new EvmRpcOptions());
        var extractor = new EvmTransferExtractor();
        var clock = new Stopwatch();
        var anvil0 = ProcessCpuSeconds(node.Pid);
        var total = Stopwatch.StartNew();
        try
        {
            using var store = StoreDirectory.Open(path, create: true);
            using var evm = store.OpenEvmChain(ChainName, new EvmChainCreate(ChainName, chainId, chain.FirstBlock), writer: true);
            for (var from = chain.FirstBlock; from <= chain.LastBlock; from += IngestBatch)
            {
                var count = (int)Math.Min(IngestBatch, chain.LastBlock - from + 1);
                var answers = new byte[3][][];
                for (var m = 0; m < 3; m++)
                {
                    clock.Restart();
                    var results = await rpc.BatchRawAsync(Calls(m, from, count), ct);
                    answers[m] = results.Select(r => r.Error is { } e ? throw new InvalidOperationException(e.ToString()) : r.RawResult.ToArray()).ToArray();
                    st.Fetch[m] += clock.Elapsed.TotalSeconds;
                }

                for (var i = 0; i < count; i++)
                {
                    var n = EvmNodeSource.Quantity(from + i);
                    clock.Restart();
                    using var b = JsonDocument.Parse(answers[0][i], EvmJsonDecoder.DocumentOptions);
                    using var r = JsonDocument.Parse(answers[1][i], EvmJsonDecoder.DocumentOptions);
                    using var t = JsonDocument.Parse(answers[2][i], EvmJsonDecoder.DocumentOptions);
                    st.Dom += clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var block = EvmJsonDecoder.DecodeBlock(b.RootElement, $"eth_getBlockByNumber {n}");
                    var receipts = EvmJsonDecoder.DecodeReceipts(r.RootElement, $"eth_getBlockReceipts {n}");
                    var traces = EvmJsonDecoder.DecodeParityTraces(t.RootElement, $"trace_block {n}");
                    st.Decode += clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var bundle = new EvmBlockBundle { Block = block, Receipts = receipts, Traces = traces };
                    var transfers = extractor.Extract(bundle);
                    st.Extract += clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var encoded = EvmBundleCodec.Encode(bundle);
                    st.Encode += clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    evm.Append(new EvmStoredBlock
                    {
                        Number = block.Number,
                        Hash = block.Hash,
                        ParentHash = block.ParentHash,
                        Timestamp = block.Timestamp,
                        TracesMissing = false,
                        Bundle = encoded,
                        TransactionHashes = block.Transactions.Select(x => x.Hash).ToArray(),
                        Transfers = transfers,
                    });
                    st.Append += clock.Elapsed.TotalSeconds;
                }

                if (evm.ShouldCommit)
                {
                    clock.Restart();
                    evm.Commit();
                    st.Commit += clock.Elapsed.TotalSeconds;
                    st.Commits++;
                }
            }

            clock.Restart();
            evm.Commit();
            st.Commit += clock.Elapsed.TotalSeconds;
            st.Commits++;
        }
        finally
        {
            st.Wall = total.Elapsed.TotalSeconds;
            st.AnvilCpu = ProcessCpuSeconds(node.Pid) - anvil0;
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        return st;
    }

    // ---- report ----

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Render(EvmBenchSettings s, EvmBenchChain chain, string anvilVersion, TimeSpan build, List<NodeCall> nodeCalls, RawAnswers raw,
        ChainFacts facts, List<PassResult> passes, List<IngestRun> runs, IngestRun fromEmpty, IngestRun noTraces, Stages stages)
    {
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        string F(double v, int d = 2) => v.ToString("F" + d, CultureInfo.InvariantCulture);
        string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        string Pct(double v) => v.ToString("F1", CultureInfo.InvariantCulture) + " %";
        var mb = raw.TotalBytes / 1e6;
        var rpcDefaults = new EvmRpcOptions();

        L($"## EVM ingest: anvil chain, {chain.Blocks:N0} blocks × {chain.TxPerBlock:N0} transactions");
        L();
        L($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}; node: {anvilVersion} on the same machine (same 2 cores).");
        L();
        L($"Reproduce: `dotnet run -c Release --project bench/Ashiato.Bench -- evm --blocks {s.Blocks} --tx-per-block {s.TxPerBlock} --runs {s.Runs}{(s.Seed == 1 ? "" : $" --seed {s.Seed}")}` " +
          "(starts anvil from tests/evm/node_modules, installed by scripts/test.sh; builds the chain; writes this section).");
        L();
        L($"Chain: blocks {chain.FirstBlock}–{chain.LastBlock} of a fresh anvil (automine off, block gas limit {BlockGasLimit:N0}, fifo order, 12 s blocks), " +
          $"each with exactly {chain.TxPerBlock:N0} transactions ({facts.Transactions:N0} in all, every one successful) from the {chain.Senders} dev accounts in turn. " +
          $"Seed {s.Seed} (SplitMix64): {EvmChainBuilder.MixDescription} — here {chain.EthTransfers:N0} ETH, {chain.TokenTransfers:N0} ERC-20 and " +
          $"{chain.FanOuts:N0} FanOut. Recipients: {EvmChainBuilder.FreshRecipientShare * 100:F0} % a fresh address, the rest an earlier one " +
          $"({chain.Recipients:N0} drawn, {chain.DistinctRecipients:N0} distinct). Blocks 1–2 deploy TestToken and FanOut and hand tokens to the senders; " +
          $"block {chain.EmptyBlock} is empty (used by one variant below). {F(facts.GasPerBlock / 1e6, 1)} M gas per block; {facts.Traces:N0} parity traces, " +
          $"{facts.Logs:N0} logs; {facts.Transfers:N0} transfers ({string.Join(", ", facts.Kinds.Select(k => $"{k.Kind} {k.Count:N0}"))}).");
        L();
        L($"Building the chain (not part of any figure below) took {build.TotalSeconds:F1} s: setup {chain.Setup.TotalSeconds:F1} s, " +
          $"sending {chain.Sending.TotalSeconds:F1} s (one `eth_sendTransaction` batch per block, explicit gas and nonces), " +
          $"mining {chain.Mining.TotalSeconds:F1} s (`anvil_mine` + check).");
        L();

        // Ingest.
        var mWall = Median(runs.Select(r => r.Wall));
        var median = runs.OrderBy(r => Math.Abs(r.Wall - mWall)).First();
        L("### Full ingest (`EvmIngestor`, in-process, a fresh store per run)");
        L();
        L($"As `ashiato ingest evm` runs it: `--batch {IngestBatch}` blocks per request batch, RPC defaults (≤ {rpcDefaults.MaxConcurrency} requests in flight, " +
          $"{rpcDefaults.BatchSize} calls per HTTP request), 64 MB commits, receipts by block, parity traces (`trace_block`). After a warm-up ingest of 21 blocks " +
          "(JIT, connections; not reported). Wall = open the store → dispose it. MB = 10⁶ bytes of HTTP bodies received. Ashiato CPU = this process (user + system); " +
          "anvil CPU from /proc/PID/stat.");
        L();
        L("| Run | Traces | Blocks | Wall s | Blocks/s | Tx/s | Transfers/s | RPC MB received | RPC MB/s | RPC requests | Ashiato CPU s | Tx per Ashiato CPU s | anvil CPU s | Allocated MB | Store MB |");
        L("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        void Row(string label, IngestRun r, double? wall = null, bool bold = false)
        {
            var w = wall ?? r.Wall;
            string B(string x) => bold ? $"**{x}**" : x;
            L($"| {label} | {(r.Traces ? r.Result.TraceMode : "off")} | {r.Result.BlocksAdded} | {B(F(w))} | {B(F(r.Result.BlocksAdded / w, 1))} | {B(N(r.Result.Transactions / w))} | " +
              $"{B(N(r.Result.Transfers / w))} | {F(r.Result.RpcBytes / 1e6, 1)} | {F(r.Result.RpcBytes / 1e6 / w, 1)} | {r.Result.RpcRequests:N0} | " +
              $"{F(r.Cpu)} | {N(r.Result.Transactions / r.Cpu)} | {F(r.AnvilCpu)} | {N(r.Allocated / 1e6)} | {F(r.StoreBytes / 1e6, 1)} |");
        }

        for (var i = 0; i < runs.Count; i++)
        {
            Row((i + 1).ToString(CultureInfo.InvariantCulture), runs[i]);
        }

        Row("**median** (wall; the other columns are those of the run nearest to it)", median, mWall, bold: true);
        Row($"from the empty block {chain.EmptyBlock}: the trace-mode probe runs on it", fromEmpty);
        Row("without traces (`--no-traces`)", noTraces);
        L();
        var debug = nodeCalls.Last();
        L($"- **Traces cost** {Pct((mWall - noTraces.Wall) / mWall * 100)} of the median wall time: without them the ingest takes {F(noTraces.Wall)} s " +
          $"against {F(mWall)} s, receives {Pct((double)noTraces.Result.RpcBytes / median.Result.RpcBytes * 100)} of the bytes and stores " +
          $"{noTraces.Result.Transfers:N0} transfers instead of {median.Result.Transfers:N0} (no internal ones).");
        L($"- **The trace-mode probe** asks `trace_block` alone for the first block and falls back to `debug_traceBlockByNumber` (`callTracer`) only when " +
          $"it fails: anvil needs {F(debug.Seconds)} s ({F(debug.AnvilCpu)} CPU-s) for the latter on a {chain.TxPerBlock}-transaction block (table below). " +
          $"Starting one block earlier, at the empty block, the same ingest (+1 empty block) takes {F(fromEmpty.Wall)} s: {Pct(fromEmpty.Wall / mWall * 100)} of the median " +
          "(run-to-run spread on this shared machine).");
        L($"- The ingestor's own clock (`EvmIngestResult.Elapsed`) says {F(median.Result.Elapsed.TotalSeconds)} s for that run; {median.Gen2} gen2 GC(s). " +
          $"Ashiato's CPU is {Pct(median.Cpu / median.Wall * 100)} of the wall time, anvil's {Pct(median.AnvilCpu / median.Wall * 100)}.");
        L();

        // Node.
        L($"What anvil takes to answer one call for block {chain.FirstBlock} ({chain.TxPerBlock} transactions), each alone, once:");
        L();
        L("| Call | Seconds | anvil CPU s | Result KB |");
        L("|---|--:|--:|--:|");
        foreach (var c in nodeCalls)
        {
            L($"| {c.Name} | {F(c.Seconds, 3)} | {F(c.AnvilCpu)} | {N(c.Bytes / 1e3)} |");
        }

        L();

        // Decode.
        var a = passes.Single(p => p.Key == "a");
        var b = passes.Single(p => p.Key == "b");
        var dom = passes.Single(p => p.Key == "dom");
        var c0 = passes.Single(p => p.Key == "c");
        var d = passes.Single(p => p.Key == "d");
        var e = passes.Single(p => p.Key == "e");
        L("### JSON decode in memory, against a plain read of the same bytes");
        L();
        L($"The `result` bytes of `eth_getBlockByNumber(n, true)`, `eth_getBlockReceipts` and `trace_block` for all {chain.Blocks} blocks, fetched once " +
          $"(`EvmRpcClient.BatchRawAsync`) and kept in memory: {F(mb, 1)} MB, {F(mb / chain.Blocks, 2)} MB per block. One thread, {s.DecodeRounds} rounds after 2 warm-up rounds, " +
          "each round running every pass once; MB/s from the best round. **vs (a)** / **vs (b)** = time of (a) / (b) ÷ time of the pass (best rounds). " +
          "Allocated = managed bytes allocated by one pass.");
        L();
        L("| Pass | Best s | Median s | MB/s | vs (a) plain read | vs (b) token scan | Allocated MB |");
        L("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var p in passes)
        {
            L($"| {p.Name} | {F(p.Best, 4)} | {F(p.Median, 4)} | {F(mb / p.Best, 1)} | {Pct(a.Best / p.Best * 100)} | {Pct(b.Best / p.Best * 100)} | {N(p.Allocated / 1e6)} |");
        }

        L();
        L("By method (best round per method, MB/s):");
        L();
        L("| Method | MB | MB per block | (a) plain read | (b) token scan | DOM only | (c) DOM + decoder | (c) vs (b) |");
        L("|---|--:|--:|--:|--:|--:|--:|--:|");
        for (var m = 0; m < 3; m++)
        {
            var bytes = raw.Bytes(m) / 1e6;
            L($"| `{_methods[m]}` | {F(bytes, 1)} | {F(bytes / chain.Blocks, 3)} | {F(bytes / a.BestOf(m)!.Value, 0)} | {F(bytes / b.BestOf(m)!.Value, 1)} | " +
              $"{F(bytes / dom.BestOf(m)!.Value, 1)} | {F(bytes / c0.BestOf(m)!.Value, 1)} | {Pct(b.BestOf(m)!.Value / c0.BestOf(m)!.Value * 100)} |");
        }

        L();
        var str = passes.Single(p => p.Key == "str");
        L($"Of (c), the DOM is {Pct(dom.Best / c0.Best * 100)} and `EvmJsonDecoder` the other {Pct((c0.Best - dom.Best) / c0.Best * 100)}; a UTF-16 copy of every " +
          $"string value alone (the reference row) accounts for {Pct((str.Best - dom.Best) / (c0.Best - dom.Best) * 100)} of the decoder's share. Extraction adds " +
          $"{Pct((d.Best - c0.Best) / c0.Best * 100)} to (c). In memory, (e) handles these blocks in {F(e.Best, 3)} s: {Pct(e.Best / mWall * 100)} of the median ingest's " +
          $"wall time, {Pct(e.Best / median.Cpu * 100)} of its CPU time.");
        L();

        // Stages.
        L("### Where the time goes (the same pipeline on one thread, a stopwatch per stage, one run)");
        L();
        L($"Per batch of {IngestBatch} blocks: the three RPC batches one after the other (raw bytes: the real ingest builds its `JsonElement`s while reading the answer), " +
          "then per block the DOMs, the decoder, the extractor, the bundle codec and `EvmChainStore.Append`; commits as the ingest does. No trace-mode probe, " +
          "no token metadata (the real ingest reads it once here, for TestToken).");
        L();
        L("| Stage | Seconds | Share | In the real ingest |");
        L("|---|--:|--:|---|");
        var sum = stages.Sum;
        void S(string name, double v, string where) => L($"| {name} | {F(v)} | {Pct(v / sum * 100)} | {where} |");
        for (var m = 0; m < 3; m++)
        {
            S($"Fetch `{_methods[m]}` (anvil builds the answer, we receive it)", stages.Fetch[m], "prefetch task (batch k+1 while batch k is written)");
        }

        S("`JsonDocument.Parse` (DOM)", stages.Dom, "prefetch task (while reading the answer)");
        S("`EvmJsonDecoder` (DOM → model)", stages.Decode, "prefetch task");
        S("`EvmTransferExtractor.Extract`", stages.Extract, "writer loop");
        S("`EvmBundleCodec.Encode`", stages.Encode, "writer loop");
        S("`EvmChainStore.Append` (tx and address indexes, transfer rows)", stages.Append, "writer loop");
        S($"`EvmChainStore.Commit` ({stages.Commits} segment(s))", stages.Commit, "writer loop");
        L($"| Sum (one thread) | {F(sum)} | 100 % | |");
        L($"| Real ingest, median run / from the empty block | {F(mWall)} / {F(fromEmpty.Wall)} | | |");
        L();
        L($"anvil used {F(stages.AnvilCpu)} s of CPU during this staged run ({Pct(stages.AnvilCpu / stages.Fetch.Sum() * 100)} of the fetch time).");
        return sb.ToString();
    }
}
