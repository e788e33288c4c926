using System.Diagnostics;
using System.Text.Json;
using Ashiato.Chains.Bitcoin;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Bench;

/// <summary>What one full ingest in a child process measured.</summary>
internal sealed record ChildResult
{
    public double WallSeconds { get; init; }

    public double CpuSeconds { get; init; }

    /// <summary><see cref="IngestResult.Elapsed"/>: the ingestor's own clock (without opening the store).</summary>
    public double IngestSeconds { get; init; }

    public long PeakWorkingSet { get; init; }

    public long BaselinePeakWorkingSet { get; init; }

    /// <summary>Highest RssAnon (GC heap, native allocations) seen by sampling /proc/self/status every 50 ms (Linux).</summary>
    public long PeakRssAnon { get; init; }

    /// <summary>Highest RssFile (mapped store files and binaries) seen the same way.</summary>
    public long PeakRssFile { get; init; }

    /// <summary>Highest managed heap size (GC.GetTotalMemory) seen by the same sampling.</summary>
    public long PeakManagedHeap { get; init; }

    /// <summary>Highest heap size minus fragmentation right after a gen2 collection: about the live managed data.</summary>
    public long PeakLiveHeap { get; init; }

    public int Gen0 { get; init; }

    public int Gen1 { get; init; }

    public int Gen2 { get; init; }

    public long AllocatedBytes { get; init; }

    public double GcPauseSeconds { get; init; }

    public int Blocks { get; init; }

    public long Transactions { get; init; }

    public long Inputs { get; init; }

    public long Outputs { get; init; }

    public long Addresses { get; init; }

    public long BytesRead { get; init; }

    public long UnresolvedInputs { get; init; }

    public int Segments { get; init; }

    /// <summary>The chain's <see cref="UtxoChainStore.SizeOnDisk"/>: segments plus both hash indexes.</summary>
    public long ChainBytes { get; init; }

    public long TxIndexBytes { get; init; }

    public long AddressIndexBytes { get; init; }

    /// <summary>Bytes per column summed over segments.</summary>
    public Dictionary<string, long> Columns { get; init; } = [];

    /// <summary>Everything else in the store directory (meta.sqlite, store.json, manifest).</summary>
    public long OtherStoreBytes { get; init; }
}

/// <summary>
/// <c>child-ingest BLOCKS STORE [NETWORK]</c>: one <see cref="BlockFileIngestor"/> run into a fresh store, in its own
/// process so that its peak working set and CPU time are its own. Prints one JSON line.
/// </summary>
internal static class IngestChild
{
    public static async Task<int> RunAsync(string blocks, string storeDir, string? networkName, bool allocations = false, long? commitMb = null)
    {
        var network = networkName is null or "auto" ? null : Network.Parse(networkName);
        using var listener = allocations ? new AllocationListener() : null;
        var self = Process.GetCurrentProcess();
        self.Refresh();
        var baselinePeak = self.PeakWorkingSet64;
        var cpu0 = self.TotalProcessorTime;
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var pause0 = GC.GetTotalPauseDuration();
        using var sampler = new RssSampler();
        var sw = Stopwatch.StartNew();
        IngestResult result;
        using (var store = StoreDirectory.Open(storeDir, create: true))
        {
            result = await new BlockFileIngestor(store, commitMb is { } mb ? new IngestOptions { CommitBytes = mb * 1024 * 1024 } : new IngestOptions()).RunAsync(blocks, null, network, null, CancellationToken.None);
        }

        var wall = sw.Elapsed;
        sampler.Stop();
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpu0;
        var peak = self.PeakWorkingSet64;
        var measured = new ChildResult
        {
            WallSeconds = wall.TotalSeconds,
            CpuSeconds = cpu.TotalSeconds,
            IngestSeconds = result.Elapsed.TotalSeconds,
            PeakWorkingSet = peak,
            BaselinePeakWorkingSet = baselinePeak,
            PeakRssAnon = sampler.PeakAnon,
            PeakRssFile = sampler.PeakFile,
            PeakManagedHeap = sampler.PeakManaged,
            PeakLiveHeap = sampler.PeakLiveAfterFullGc,
            Gen0 = GC.CollectionCount(0) - gc0.Item1,
            Gen1 = GC.CollectionCount(1) - gc0.Item2,
            Gen2 = GC.CollectionCount(2) - gc0.Item3,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - alloc0,
            GcPauseSeconds = (GC.GetTotalPauseDuration() - pause0).TotalSeconds,
            Blocks = result.BlocksAdded,
            Transactions = result.Transactions,
            Inputs = result.Inputs,
            Outputs = result.Outputs,
            BytesRead = result.BytesRead,
            UnresolvedInputs = result.UnresolvedInputs,
        };

        // Sizes, measured after the timing.
        using (var store = StoreDirectory.Open(storeDir, create: false))
        using (var utxo = store.OpenUtxoChain(result.Chain, null, create: false))
        {
            var columns = new Dictionary<string, long>();
            foreach (var segment in utxo.Segments)
            {
                foreach (var c in Columns.All)
                {
                    columns[c] = columns.GetValueOrDefault(c) + segment.ColumnBytes(c);
                }
            }

            var indexes = Directory.EnumerateFiles(utxo.Directory, "*.idx").ToDictionary(f => Path.GetFileName(f)!, f => new FileInfo(f).Length);
            var chainBytes = utxo.SizeOnDisk;
            var allBytes = Directory.EnumerateFiles(storeDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            measured = measured with
            {
                Segments = utxo.Segments.Count,
                Addresses = utxo.AddressCount,
                ChainBytes = chainBytes,
                TxIndexBytes = indexes.Where(i => i.Key.StartsWith("tx.", StringComparison.Ordinal)).Sum(i => i.Value),
                AddressIndexBytes = indexes.Where(i => i.Key.StartsWith("addr.", StringComparison.Ordinal)).Sum(i => i.Value),
                Columns = columns,
                OtherStoreBytes = allBytes - chainBytes,
            };
        }

        if (listener is not null)
        {
            // sampled: one event per ~100 KB allocated, attributed to the type of the object that crossed the mark
            foreach (var (type, bytes) in listener.Snapshot().OrderByDescending(t => t.Value).Take(15))
            {
                Console.Error.WriteLine($"alloc {bytes / 1e6,10:F1} MB  {type}");
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(measured));
        return 0;
    }

    /// <summary>Runs the child and parses its JSON line.</summary>
    public static ChildResult Spawn(string blocks, string storeDir, Network? network)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var host = Environment.ProcessPath!;
        psi.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(IngestChild).Assembly.Location);
        }

        psi.ArgumentList.Add("child-ingest");
        psi.ArgumentList.Add(blocks);
        psi.ArgumentList.Add(storeDir);
        psi.ArgumentList.Add(network?.Name ?? "auto");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"child ingest failed ({p.ExitCode}): {stderr.Result}\n{stdout}");
        }

        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonSerializer.Deserialize<ChildResult>(line)!;
    }
}

/// <summary>Samples allocations by type from the runtime's GCAllocationTick events (in-process, no tools needed).</summary>
internal sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> _bytes = [];

    public Dictionary<string, long> Snapshot()
    {
        lock (_bytes)
        {
            return new Dictionary<string, long>(_bytes);
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }

        var type = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var i = e.PayloadNames.IndexOf("AllocationAmount64");
        var amount = i >= 0 ? Convert.ToInt64(e.Payload[i], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}

/// <summary>Samples RssAnon and RssFile from /proc/self/status on a background thread (Linux; zeros elsewhere).</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly Thread? _thread;
    private volatile bool _stop;

    public RssSampler()
    {
        if (!File.Exists("/proc/self/status"))
        {
            return;
        }

        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                Sample();
                Thread.Sleep(50);
            }
        }) { IsBackground = true, Name = "rss sampler" };
        _thread.Start();
    }

    public long PeakAnon { get; private set; }

    public long PeakFile { get; private set; }

    /// <summary>Highest <see cref="GC.GetTotalMemory(bool)"/> (managed heap, live and not yet collected).</summary>
    public long PeakManaged { get; private set; }

    /// <summary>Highest heap size after a full (gen2) collection: about the live data.</summary>
    public long PeakLiveAfterFullGc { get; private set; }

    public void Stop()
    {
        _stop = true;
        _thread?.Join();
        if (_thread is not null)
        {
            Sample();
        }
    }

    public void Dispose() => Stop();

    private void Sample()
    {
        PeakManaged = Math.Max(PeakManaged, GC.GetTotalMemory(forceFullCollection: false));
        foreach (var kind in new[] { GCKind.Background, GCKind.FullBlocking })
        {
            var info = GC.GetGCMemoryInfo(kind);
            if (info.Index > 0)
            {
                PeakLiveAfterFullGc = Math.Max(PeakLiveAfterFullGc, info.HeapSizeBytes - info.FragmentedBytes);
            }
        }
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                PeakAnon = Math.Max(PeakAnon, Kb(line) * 1024);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                PeakFile = Math.Max(PeakFile, Kb(line) * 1024);
            }
        }
    }

    private static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
