using System.Diagnostics;
using System.Globalization;
using Ashiato.Analysis.Tracing;
using Ashiato.Cli.Commands;
using Ashiato.Intel.Incidents;
using Ashiato.Storage;
using TraceOptions = Ashiato.Analysis.Tracing.TraceOptions;

namespace Ashiato.Bench;

/// <summary>
/// <c>trace-incidents</c>: every incident of a store traced forward from its theft transactions across all chains of the
/// store, as <c>ashiato trace --incident ID</c> does (one <see cref="TraceSession"/>: UTXO and EVM tracers, bridge pairers,
/// prices; default options: haircut, 20 hops, stop at exchanges and OTC brokers, mixers and CoinJoins, bridges followed,
/// USD values). The session is opened once (its cost is reported apart); every incident is traced once (the first run of the
/// process), then all of them in warm-up rounds (≥ 40 rounds and ≥ 2 s, until the JIT has optimised the tracers), then
/// <c>--runs</c> measured rounds. One thread.
/// </summary>
internal static class IncidentTraceBenchmark
{
    public static List<string> Run(string storePath, int runs, Action<string> log)
    {
        using var store = StoreDirectory.Open(storePath, create: false);
        var incidents = new IncidentStore(store.Meta).List().Select(i => i.Id).Order(StringComparer.Ordinal).ToList();
        if (incidents.Count == 0)
        {
            throw new ArgumentException($"{storePath}: no incidents ('ashiato incidents import')");
        }

        var sw = Stopwatch.StartNew();
        using var session = new TraceSession(store);
        var setup = sw.Elapsed;
        log($"session opened in {setup.TotalSeconds:0.00} s: chains {string.Join(", ", store.Chains())}, {session.BridgePairers} bridge pairer(s)");

        var options = new TraceOptions { Fiats = ["USD"] };
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"Store: chains {string.Join(", ", store.Chains().Select(c => $"`{c}`"))}; {incidents.Count} incidents; session (labels, spent-by index, prices, " +
                $"bridge pairers) opened in {setup.TotalSeconds:0.00} s."),
            string.Empty,
            "| incident | seeds | edges | edges visited | chains crossed | first run (ms) | warm runs (ms, min – max) | partial |",
            "|---|--:|--:|--:|--:|--:|---|---|",
        };
        // first run of every incident in a fresh process (what one CLI call costs), then warm-up rounds over all incidents until
        // tiered compilation has promoted the tracers' methods (≥ 30 calls each and a moment for the background compiler),
        // then the measured rounds, every incident once per round (interleaved, so that no incident gets only the early rounds)
        var seedsOf = incidents.ToDictionary(id => id, id => TraceCommand.IncidentSeeds(store, id));
        var first = new Dictionary<string, double>();
        var results = new Dictionary<string, TraceResult>();
        foreach (var id in incidents)
        {
            var t0 = Stopwatch.GetTimestamp();
            results[id] = session.Run(seedsOf[id], options);
            first[id] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        var warmup = Stopwatch.StartNew();
        var warmupRounds = 0;
        while (warmupRounds < 40 || warmup.Elapsed < TimeSpan.FromSeconds(2))
        {
            foreach (var id in incidents)
            {
                session.Run(seedsOf[id], options);
            }

            warmupRounds++;
        }

        var timesOf = incidents.ToDictionary(id => id, _ => new List<double>());
        for (var r = 0; r < Math.Max(1, runs); r++)
        {
            foreach (var id in incidents)
            {
                var t0 = Stopwatch.GetTimestamp();
                results[id] = session.Run(seedsOf[id], options);
                timesOf[id].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        }

        log($"warm-up: {warmupRounds} rounds over the incidents in {warmup.Elapsed.TotalSeconds:0.0} s");
        var warmAll = new List<double>();
        foreach (var id in incidents)
        {
            var (seeds, result, warm) = (seedsOf[id], results[id], timesOf[id]);
            warmAll.AddRange(warm);
            var chains = result.Edges.Select(e => e.Chain).Distinct().Count();
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| {id} | {seeds.Count} | {result.Edges.Count:N0} | {result.EdgesVisited:N0} | {chains} | {first[id]:0.0} | " +
                $"{warm.Min():0.0} – {warm.Max():0.0} | {(result.Partial ? "yes" : "no")} |");
            log(line);
            lines.Add(line);
        }

        if (warmAll.Count > 0)
        {
            warmAll.Sort();
            lines.Add(string.Empty);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"Warm incident traces: p50 {warmAll[(warmAll.Count - 1) / 2]:0.0} ms, max {warmAll[^1]:0.0} ms over {warmAll.Count} runs."));
        }

        return lines;
    }
}
