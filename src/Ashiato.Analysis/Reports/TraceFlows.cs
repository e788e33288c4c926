using Ashiato.Analysis.Tracing;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// Reads trace results for reports: which edges end the tainted value (terminal rules), what laundering technique the value
/// may have passed through before it ended, and what kind of endpoint it reached.
/// </summary>
public static class TraceFlows
{
    public const string Mixer = "Mixer";
    public const string CoinJoin = "CoinJoin";
    public const string Bridge = "Bridge";
    public const string Swap = "Swap";
    public const string Direct = "Direct / peel chain";

    [Flags]
    private enum Technique
    {
        None = 0,
        Swap = 1,
        Bridge = 2,
        CoinJoin = 4,
        Mixer = 8,
    }

    /// <summary>Rules after which the tracer does not follow the value any further on that chain.</summary>
    public static bool IsTerminal(string rule) => rule switch
    {
        TraceRules.Follow or TraceRules.BridgeFollow or TraceRules.SwapFollow or TraceRules.CoinJoinHaircut => false,
        _ => true,
    };

    /// <summary>One terminal edge with its technique and endpoint class.</summary>
    public sealed record Terminal(TraceEdge Edge, TraceNode? To, string Technique, string Endpoint);

    /// <summary>
    /// The terminal edges of a result, in edge order, each with the strongest laundering technique met on any tainted path
    /// into it (mixer &gt; CoinJoin &gt; bridge &gt; swap &gt; none) and its endpoint class. A result whose seeds all start
    /// after hop 0 is a continuation across a bridge: its flows count as bridged.
    /// </summary>
    public static IReadOnlyList<Terminal> Terminals(TraceResult result, Func<string, string, bool> isStablecoin)
    {
        var nodes = new Dictionary<string, TraceNode>(StringComparer.Ordinal);
        foreach (var n in result.Nodes)
        {
            nodes.TryAdd(n.Id, n);
        }

        var start = result.Seeds.Count > 0 && result.Seeds.All(s => s.Hop > 0) ? Technique.Bridge : Technique.None;
        var flags = new Dictionary<string, Technique>(StringComparer.Ordinal);
        var ordered = result.Edges.OrderBy(e => e.Hop).ThenBy(e => e.Seq).ToList();
        var terminals = new List<Terminal>();
        foreach (var e in ordered)
        {
            var from = flags.GetValueOrDefault(e.From, start) | start;
            nodes.TryGetValue(e.To, out var to);
            var here = from | EdgeTechnique(e, to);
            if (IsTerminal(e.Rule))
            {
                terminals.Add(new Terminal(e, to, Name(here), EndpointClass(e, to, isStablecoin)));
            }
            else
            {
                flags[e.To] = flags.GetValueOrDefault(e.To) | here;
            }
        }

        return [.. terminals.OrderBy(t => t.Edge.Seq)];
    }

    private static Technique EdgeTechnique(TraceEdge e, TraceNode? to)
    {
        var t = e.Rule switch
        {
            TraceRules.MixerStop => Technique.Mixer,
            TraceRules.CoinJoinStop or TraceRules.CoinJoinHaircut => Technique.CoinJoin,
            TraceRules.BridgeFollow or TraceRules.BridgeUnpaired => Technique.Bridge,
            TraceRules.SwapFollow => Technique.Swap,
            _ => Technique.None,
        };
        return to?.Label?.Category switch
        {
            "mixing_service" or "mixer" => t | Technique.Mixer,
            "coinjoin" => t | Technique.CoinJoin,
            "bridge" or "defi_bridge" => t | Technique.Bridge,
            _ => t,
        };
    }

    private static string Name(Technique t) =>
        t.HasFlag(Technique.Mixer) ? Mixer
        : t.HasFlag(Technique.CoinJoin) ? CoinJoin
        : t.HasFlag(Technique.Bridge) ? Bridge
        : t.HasFlag(Technique.Swap) ? Swap
        : Direct;

    /// <summary>The endpoint class shown in the flow chart and the endpoint table.</summary>
    public static string EndpointClass(TraceEdge e, TraceNode? to, Func<string, string, bool> isStablecoin) => e.Rule switch
    {
        TraceRules.StopService => $"{CategoryTitle(to?.Label?.Category)} ({to?.Label?.Country ?? "country unknown"})",
        TraceRules.MixerStop => "Mixer (not followed)",
        TraceRules.CoinJoinStop => "CoinJoin (not followed)",
        TraceRules.BridgeUnpaired => "Bridge (release not found)",
        TraceRules.Unspent => isStablecoin(e.Chain, e.Asset) ? "Held in stablecoin" : "Held (unspent)",
        TraceRules.Fee => "Network fees",
        TraceRules.StopMaxHops => "Not followed: hop limit",
        TraceRules.StopMinValue => "Not followed: below minimum",
        TraceRules.StopTimeWindow => "Not followed: after time window",
        TraceRules.StopMaxEdges or TraceRules.StopBudget => "Not followed: trace budget",
        TraceRules.StopHighDegree => "Not followed: high-degree address",
        TraceRules.EndBurnt => "Burnt",
        TraceRules.External => "Outside the store",
        TraceRules.Coinbase => "Origin: newly mined",
        TraceRules.EndCreated => "Origin: minted",
        TraceRules.EndOpeningBalance => "Origin: opening balance",
        _ => "Other: " + e.Rule,
    };

    /// <summary>A readable name of a tag category.</summary>
    public static string CategoryTitle(string? category) => category switch
    {
        null or "" => "Service",
        "exchange" => "Exchange",
        "otc" or "otc_broker" => "OTC broker",
        "mixing_service" or "mixer" => "Mixer",
        "bridge" or "defi_bridge" => "Bridge",
        "defi" or "defi_dex" or "dex" => "DeFi",
        "gambling" => "Gambling",
        "payment_processor" => "Payment processor",
        "wallet_service" or "custodial_wallet" => "Custodial wallet",
        "vasp" => "VASP",
        _ => char.ToUpperInvariant(category[0]) + category[1..].Replace('_', ' '),
    };
}
