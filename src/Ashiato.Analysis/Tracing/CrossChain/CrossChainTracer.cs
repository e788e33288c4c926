using System.Diagnostics;
using Ashiato.Core;

namespace Ashiato.Analysis.Tracing.CrossChain;

/// <summary>
/// Runs one <see cref="IChainTracer"/> per chain and continues across bridges. Each round traces the pending seeds of
/// every chain (chains in ordinal order). An edge that enters a bridge (forward: into a custody address or a node
/// labelled <c>bridge</c>, with a stopping rule; backward: a mint with rule <c>bridge:follow</c>) is offered to the
/// <see cref="IBridgePairer"/>s that claim it; the best candidate no other edge took becomes a seed on the other chain
/// (hop = the next hop, the remaining tainted amount) and the edge gets rule <c>bridge:follow</c> with the pairing and
/// its confidence in <see cref="TraceEdge.Detail"/>; further edges of the same transaction paired with that continuation in
/// the same round (several custody inputs of one release, traced backward) join it, adding their tainted amounts.
/// Claimed but unpaired edges (and <c>bridge:follow</c> edges no pairer
/// claims) get <c>bridge:unpaired</c> with the reason. The merged result lists edges by round, chain and the chain
/// tracer's order (Seq renumbered from 1), nodes by id; its summary comes from <see cref="TraceSummaryBuilder"/> with
/// every seeded amount of every round. Edge and time limits are shared by all rounds.
/// </summary>
public sealed class CrossChainTracer
{
    private readonly SortedDictionary<string, IChainTracer> _tracers = new(StringComparer.Ordinal);
    private readonly List<IBridgePairer> _pairers;

    /// <param name="tracers">One tracer per chain (a chain twice is an error).</param>
    /// <param name="pairers">Bridges that can be crossed; none = every bridge edge stays unpaired.</param>
    /// <param name="maxRounds">Bridge crossings followed in a row at most (then the result is partial).</param>
    public CrossChainTracer(IEnumerable<IChainTracer> tracers, IEnumerable<IBridgePairer>? pairers = null, int maxRounds = 8)
    {
        ArgumentNullException.ThrowIfNull(tracers);
        foreach (var t in tracers)
        {
            if (!_tracers.TryAdd(t.Chain, t))
            {
                throw new ArgumentException($"two tracers for chain '{t.Chain}'", nameof(tracers));
            }
        }

        _pairers = pairers?.ToList() ?? [];
        MaxRounds = maxRounds < 1 ? throw new ArgumentOutOfRangeException(nameof(maxRounds), "at least one round") : maxRounds;
    }

    public int MaxRounds { get; }

    public IReadOnlyCollection<string> Chains => _tracers.Keys;

    public TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        if (seeds.Count == 0)
        {
            throw new UserErrorException("a trace needs at least one seed");
        }

        for (var i = 0; i < seeds.Count; i++)
        {
            if (!_tracers.ContainsKey(seeds[i].Chain))
            {
                throw new UserErrorException(
                    $"seed {i + 1} ({seeds[i].Kind} {seeds[i].Value}) is on chain '{seeds[i].Chain}', which has no tracer (chains: {string.Join(", ", _tracers.Keys)})");
            }
        }

        var clock = Stopwatch.StartNew();
        var allSeeds = new List<TraceSeed>(seeds);
        var pending = seeds.ToList();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var edges = new List<TraceEdge>();
        var nodes = new SortedDictionary<string, TraceNode>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var summary = new TraceSummaryBuilder();
        var partial = false;
        string? reason = null;
        long visited = 0;
        var round = 0;
        while (pending.Count > 0)
        {
            if (round == MaxRounds)
            {
                partial = true;
                reason ??= $"{pending.Count} bridge continuation(s) not traced: max rounds ({MaxRounds}) reached";
                warnings.Add(reason);
                break;
            }

            var next = new List<TraceSeed>();
            var joinable = new Dictionary<string, (int Index, string Tx)>(StringComparer.Ordinal);
            foreach (var (chain, tracer) in _tracers)
            {
                var chainSeeds = pending.Where(s => s.Chain == chain).ToList();
                if (chainSeeds.Count == 0)
                {
                    continue;
                }

                var remaining = options with
                {
                    MaxEdges = Math.Max(1, options.MaxEdges - edges.Count),
                    TimeBudget = options.TimeBudget is { } b ? (b > clock.Elapsed ? b - clock.Elapsed : TimeSpan.Zero) : null,
                };
                var r = tracer.Run(chainSeeds, remaining, cancellationToken);
                visited += r.EdgesVisited;
                if (r.Partial)
                {
                    partial = true;
                    reason ??= $"{chain}: {r.PartialReason}";
                }

                warnings.AddRange(r.Warnings.Select(w => $"{chain}: {w}"));
                foreach (var s in r.Summary.Seeded)
                {
                    summary.AddSeeded(s.Chain, s.Asset, s.Tainted, s.Values);
                }

                var byId = r.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
                foreach (var n in r.Nodes)
                {
                    nodes.TryAdd(n.Id, n);
                }

                foreach (var e in r.Edges)
                {
                    edges.Add(Cross(e, byId, options, taken, next, joinable, warnings, cancellationToken));
                }
            }

            allSeeds.AddRange(next);
            pending = next;
            round++;
        }

        var numbered = edges.Select((e, i) => e with { Seq = i + 1 }).ToList();
        var nodeList = nodes.Values.ToList();
        return new TraceResult(allSeeds, options, nodeList, numbered, summary.Build(nodeList, numbered, options.Direction), partial, reason, warnings, visited);
    }

    /// <summary>Pairs an edge with a bridge release (or deposit) when it enters (leaves) a bridge.</summary>
    private TraceEdge Cross(TraceEdge e, Dictionary<string, TraceNode> nodes, TraceOptions options, HashSet<string> taken, List<TraceSeed> next,
        Dictionary<string, (int Index, string Tx)> joinable, List<string> warnings, CancellationToken ct)
    {
        if (!options.FollowBridges || e.Tainted.IsZero)
        {
            return e;
        }

        var from = nodes.GetValueOrDefault(e.From);
        var to = nodes.GetValueOrDefault(e.To);
        var pairer = _pairers.FirstOrDefault(p => p.Claims(e, from, to, options.Direction));
        if (pairer is null)
        {
            return e.Rule == TraceRules.BridgeFollow
                ? e with { Rule = TraceRules.BridgeUnpaired, Detail = Join(e.Detail, "no bridge pairer claims this edge") }
                : e;
        }

        if (!TraceSummaryBuilder.IsEndpoint(e.Rule))
        {
            warnings.Add($"{e.Chain} {e.Tx}: the chain tracer followed value into bridge {pairer.Bridge} ({e.Rule}); not paired, to avoid counting it twice");
            return e;
        }

        var candidates = pairer.Pair(e, options.Direction, out var why, ct);
        foreach (var c in candidates)
        {
            var key = $"{c.Continuation.Chain}|{c.Continuation.Kind}|{c.Continuation.Value}";
            if (joinable.TryGetValue(key, out var j) && j.Tx == $"{e.Chain}|{e.Tx}" && next[j.Index].Amount is { } before && c.Continuation.Amount is { } more)
            {
                // another input of the same transaction into the same continuation (a release spending several custody
                // coins, traced backward): its tainted amount joins the continuation
                next[j.Index] = next[j.Index] with { Amount = before + more };
                return e with { Rule = TraceRules.BridgeFollow, Detail = Join(e.Detail, $"{c.Detail}; joins the continuation {c.Continuation.Chain} {c.Continuation.Value} (+{more}, {c.Method}, confidence {c.Confidence})") };
            }

            if (!taken.Add(key))
            {
                continue;
            }

            if (_tracers.ContainsKey(c.Continuation.Chain))
            {
                joinable[key] = (next.Count, $"{e.Chain}|{e.Tx}");
                next.Add(c.Continuation);
                return e with { Rule = TraceRules.BridgeFollow, Detail = Join(e.Detail, $"{c.Detail}; continues as {c.Continuation.Chain} {c.Continuation.Value} (hop {c.Continuation.Hop}, tainted {c.Continuation.Amount}, {c.Method}, confidence {c.Confidence})") };
            }

            return e with { Rule = TraceRules.BridgeUnpaired, Detail = Join(e.Detail, $"paired with {c.Continuation.Chain} {c.Continuation.Value}, but no tracer for that chain") };
        }

        return e with
        {
            Rule = TraceRules.BridgeUnpaired,
            Detail = Join(e.Detail, candidates.Count > 0 ? $"bridge {pairer.Bridge}: every candidate was already paired with another edge" : $"bridge {pairer.Bridge}: {why}"),
        };
    }

    private static string Join(string? a, string b) => string.IsNullOrEmpty(a) ? b : $"{a}; {b}";
}
