using System.Diagnostics;
using System.Globalization;
using Ashiato.Analysis.Clustering;
using Ashiato.Storage;

namespace Ashiato.Bench;

/// <summary>
/// `cluster`: union-find merges/s on random unions over dense ids, and a full cluster build (default heuristics, then all
/// heuristics) over an ingested store; memory per address and the arithmetic for all of Bitcoin.
/// </summary>
internal static class ClusterBenchmark
{
    public static List<string> Run(string? storePath, string? chain, int addresses, int runs, Action<string> log)
    {
        var lines = new List<string>();
        var inv = CultureInfo.InvariantCulture;

        // 1. union-find alone: `addresses` ids, as many random unions (deterministic), best of `runs`
        var pairs = new (int, int)[addresses];
        var rng = new Random(1);
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = (rng.Next(addresses), rng.Next(addresses));
        }

        var best = double.MaxValue;
        long effective = 0;
        for (var r = 0; r < runs; r++)
        {
            var uf = new UnionFind(addresses);
            var sw = Stopwatch.StartNew();
            effective = 0;
            foreach (var (a, b) in pairs)
            {
                if (uf.Union(a, b))
                {
                    effective++;
                }
            }

            var ids = uf.ClusterIds();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            GC.KeepAlive(ids);
            log($"union-find run {r + 1}: {sw.Elapsed.TotalSeconds:0.000} s");
        }

        lines.Add("### Union-find alone (`UnionFind`: int arrays, path halving, union by size, smallest member per root)");
        lines.Add(string.Empty);
        lines.Add("| addresses | union calls | effective merges | best of " + runs + " (s) | union calls/s | RAM per address |");
        lines.Add("|---:|---:|---:|---:|---:|---:|");
        lines.Add(string.Create(inv, $"| {addresses:N0} | {addresses:N0} | {effective:N0} | {best:0.000} | {addresses / best:N0} | 12 B (parent, size, min: 3 × int32) |"));
        lines.Add(string.Empty);
        lines.Add("Random unions are the worst case for the cache (every find touches random pages); unions in chain order are more local.");
        lines.Add(string.Empty);

        // 2. full build over a store
        if (storePath is not null)
        {
            using var store = StoreDirectory.Open(storePath, create: false);
            var name = chain ?? store.Chains().Single();
            using var utxo = store.OpenUtxoChain(name, null, create: false);
            lines.Add($"### Full cluster build over `{name}`: {utxo.BlockCount:N0} blocks, {utxo.TxCount:N0} tx, {utxo.InputCount:N0} inputs, {utxo.AddressCount:N0} addresses");
            lines.Add(string.Empty);
            lines.Add("| heuristics | best of " + runs + " (s) | tx/s | inputs/s | merges | merges/s | clusters | clusters.ids + .log + .coinjoin on disk | disk per address |");
            lines.Add("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, set) in new[] { ("multi-input (default)", new HeuristicSet()), ("all", new HeuristicSet(HeuristicSet.All.ToDictionary(h => h.Name, _ => true))) })
            {
                var t = double.MaxValue;
                ClusterResult? result = null;
                for (var r = 0; r < runs; r++)
                {
                    result = ClusterBuilder.Run(utxo, set, new ClusterOptions { Rebuild = true });
                    t = Math.Min(t, result.Elapsed.TotalSeconds);
                    log($"build {label} run {r + 1}: {result.Elapsed.TotalSeconds:0.000} s");
                }

                var m = result!.Meta;
                var merges = m.MergesByHeuristic.Values.Sum();
                var disk = m.Files.Values.Sum(f => f.Bytes);
                lines.Add(string.Create(inv,
                    $"| {label} | {t:0.00} | {utxo.TxCount / t:N0} | {utxo.InputCount / t:N0} | {merges:N0} | {merges / t:N0} | {m.Clusters:N0} | {disk / 1e6:0.0} MB | {(double)disk / m.AddressCount:0.0} B |"));
            }

            lines.Add(string.Empty);
            lines.Add("The build time includes reading every input's spent output from the memory-mapped store, the CoinJoin detectors, the");
            lines.Add("heuristics, and writing the files (flushed, renamed, with SHA-256 digests).");
            lines.Add(string.Empty);
        }

        return lines;
    }
}
