using Ashiato.Core;

namespace Ashiato.Analysis.Tracing;

/// <summary>Which way value is followed: forward (where did it go) or backward (where did it come from).</summary>
public enum TraceDirection
{
    Forward,
    Backward,
}

/// <summary>
/// How taint passes through a transaction or an address balance. <c>Poison</c>: every output (or every later outflow) of
/// something tainted is wholly tainted. <c>Haircut</c>: outputs are tainted in proportion to the tainted share of the
/// inputs (balances: of the balance). <c>Fifo</c>: exact per output on UTXO chains (inputs fill outputs in order);
/// first-in-first-out lots per address on account chains.
/// </summary>
public enum TaintModel
{
    Poison,
    Haircut,
    Fifo,
}

/// <summary>What to do when taint reaches a CoinJoin: stop there, or haircut through it.</summary>
public enum CoinJoinPolicy
{
    Stop,
    Haircut,
}

/// <summary>What a trace starts from.</summary>
public enum TraceSeedKind
{
    /// <summary>An address: forward = what it received (or <see cref="TraceSeed.Amount"/> of it), backward = what it holds/received.</summary>
    Address,

    /// <summary>A transaction: forward = its outputs, backward = its inputs.</summary>
    Transaction,

    /// <summary>One output (<c>txid:n</c>) or, on account chains, one transfer (<c>txhash:position</c>).</summary>
    Output,

    /// <summary>Every address of a cluster (given by one member address or the cluster id).</summary>
    Cluster,
}

/// <summary>
/// One starting point of a trace on one chain. <see cref="Amount"/> limits the tainted amount (base units of
/// <see cref="Asset"/>); <see cref="Hop"/> is the hop count already travelled (a continuation across a bridge starts at
/// the hop after the bridge deposit). <see cref="Why"/> says where the seed came from (an incident, a bridge pairing…).
/// </summary>
public sealed record TraceSeed(string Chain, TraceSeedKind Kind, string Value)
{
    public UInt256? Amount { get; init; }

    /// <summary>Asset of <see cref="Amount"/>: null = the chain's native coin; an EVM token contract address otherwise.</summary>
    public string? Asset { get; init; }

    public int Hop { get; init; }

    /// <summary>Earliest block time to follow from (a bridge release continues after its deposit).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    public string? Why { get; init; }
}

/// <summary>Trace parameters. Every field is echoed in the result so that a reader can reproduce it.</summary>
public sealed record TraceOptions
{
    public TraceDirection Direction { get; init; } = TraceDirection.Forward;

    public TaintModel Model { get; init; } = TaintModel.Haircut;

    /// <summary>Stop after this many transaction hops from the seed.</summary>
    public int MaxHops { get; init; } = 20;

    /// <summary>Stop the whole trace after this many edges; the result is then marked partial.</summary>
    public long MaxEdges { get; init; } = 1_000_000;

    /// <summary>Do not follow tainted amounts below this (base units of the chain's native coin or of the token).</summary>
    public UInt256 MinAmount { get; init; } = UInt256.Zero;

    /// <summary>Do not follow tainted amounts whose value in <see cref="Fiat"/> is below this (ignored when no price is known).</summary>
    public decimal? MinFiat { get; init; }

    /// <summary>Fiat currencies every edge is valued in (the first is the one <see cref="MinFiat"/> uses).</summary>
    public IReadOnlyList<string> Fiats { get; init; } = ["USD"];

    /// <summary>Only follow transactions in this time window (block time, inclusive).</summary>
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>
    /// Stop where taint reaches an address labelled with one of these categories. Default: the cash-out points, exchanges and
    /// OTC brokers (<see cref="CashOutCategories"/>): value that reaches them leaves the chain for fiat or the service's books.
    /// </summary>
    public IReadOnlySet<string> StopCategories { get; init; } = CashOutCategories;

    /// <summary>The default stop categories: <c>exchange</c> and <c>otc</c> (GraphSense taxonomy terms).</summary>
    public static IReadOnlySet<string> CashOutCategories { get; } = new SortedSet<string>(StringComparer.Ordinal) { "exchange", "otc" };

    public CoinJoinPolicy CoinJoin { get; init; } = CoinJoinPolicy.Stop;

    /// <summary>Stop at mixers (always flagged).</summary>
    public bool StopAtMixers { get; init; } = true;

    public bool FollowBridges { get; init; } = true;

    /// <summary>
    /// Follow the asset change within a transaction on account chains: swaps and wraps, and NFTs bought with tainted value
    /// (into the token, and out into its sale's proceeds). Off: the payment is followed to whoever was paid.
    /// </summary>
    public bool FollowSwaps { get; init; } = true;

    /// <summary>Wall-clock budget; when exceeded the result is partial (never a hang).</summary>
    public TimeSpan? TimeBudget { get; init; }
}

/// <summary>What a trace knows about an address from attribution (a cluster label or a direct tag), and why.</summary>
public sealed record TraceLabel(string Entity, string? Name, string? Category, string? Country, string? Actor, string Why, long? ClusterId = null);

/// <summary>Attribution look-up for one chain's address ids; called on the trace's hot path, so it must not query SQLite per call.</summary>
public interface ITraceLabels
{
    TraceLabel? Lookup(long addressId);

    /// <summary>The cluster id of an address (smallest member id), or null when the chain has no clusters.</summary>
    long? ClusterOf(long addressId);

    /// <summary>
    /// False only when <see cref="Lookup"/> is sure to give null: a cheap test the tracer's inner loop asks first (most
    /// addresses a trace meets are unlabelled). The default asks <see cref="Lookup"/>.
    /// </summary>
    bool MayHaveLabel(long addressId) => Lookup(addressId) is not null;

    /// <summary>
    /// The address ids of cluster <paramref name="cluster"/> below <paramref name="addressCount"/>, ascending. The default asks
    /// <see cref="ClusterOf"/> of every id from the cluster's up (a cluster has no member below its id); implementations with
    /// the cluster ids in an array search it faster.
    /// </summary>
    IReadOnlyList<long> MembersOf(long cluster, long addressCount)
    {
        var members = new List<long>();
        for (var a = cluster; a < addressCount; a++)
        {
            if (ClusterOf(a) == cluster)
            {
                members.Add(a);
            }
        }

        return members;
    }
}

/// <summary>Rules recorded on edges: why an edge was followed or where following stopped.</summary>
public static class TraceRules
{
    public const string Follow = "follow";
    public const string StopService = "stop:service";
    public const string StopMaxHops = "stop:max-hops";
    public const string StopMinValue = "stop:min-value";
    public const string StopTimeWindow = "stop:time-window";
    public const string StopMaxEdges = "stop:max-edges";
    public const string StopBudget = "stop:time-budget";
    public const string CoinJoinStop = "coinjoin:stop";
    public const string CoinJoinHaircut = "coinjoin:haircut";
    public const string MixerStop = "mixer:stop";
    public const string BridgeFollow = "bridge:follow";
    public const string BridgeUnpaired = "bridge:unpaired";
    public const string SwapFollow = "swap:follow";
    public const string Unspent = "end:unspent";
    public const string Fee = "fee";

    /// <summary>Account chains: value destroyed (a token burn that is no known bridge, an unwrap without a counterpart).</summary>
    public const string EndBurnt = "end:burnt";

    /// <summary>Account chains, backward: value created (a token mint or a reward that is no known bridge release).</summary>
    public const string EndCreated = "end:created";

    /// <summary>Account chains: part of a balance whose origin the store does not show (genesis allocation, history before the base height).</summary>
    public const string EndOpeningBalance = "end:opening-balance";

    /// <summary>Account chains: an unlabelled address with more postings than the tracer's limit (pool, token contract, hot wallet).</summary>
    public const string StopHighDegree = "stop:high-degree";

    /// <summary>Backward on UTXO chains: the value was newly minted (a coinbase input).</summary>
    public const string Coinbase = "end:coinbase";

    /// <summary>The value comes from (backward) an output that is not in the store: the trace cannot go on.</summary>
    public const string External = "end:external";
}

/// <summary>Label categories the tracers treat specially (ours and the GraphSense taxonomy's names for the same thing).</summary>
public static class TraceCategories
{
    /// <summary>A bridge's custody or token: value reaching it leaves for another chain.</summary>
    public static bool IsBridge(string? category) => category is "bridge" or "defi_bridge";

    /// <summary>A mixing service (custodial mixer, mixer contract, its relayer).</summary>
    public static bool IsMixer(string? category) => category is "mixer" or "mixing_service";
}

/// <summary>A node of the trace graph: an address on a chain, with its cluster and attribution.</summary>
public sealed record TraceNode(string Id, string Chain, string Address, long? ClusterId, TraceLabel? Label);

/// <summary>
/// One edge: tainted value moving from one node to another in one transaction, at a hop distance from the seed.
/// <see cref="Amount"/> is the whole flow, <see cref="Tainted"/> the tainted part (base units of <see cref="Asset"/>);
/// <see cref="TaintShare"/> = Tainted / Amount. <see cref="Values"/> values the tainted part in each requested fiat at the
/// block time (absent when no price is known). <see cref="Rule"/> is one of <see cref="TraceRules"/>.
/// </summary>
public sealed record TraceEdge(
    long Seq,
    string Chain,
    string Tx,
    string? Ref,
    int Hop,
    string From,
    string To,
    string Asset,
    UInt256 Amount,
    UInt256 Tainted,
    decimal TaintShare,
    DateTimeOffset Time,
    string Rule,
    string? Detail,
    IReadOnlyList<FiatValue> Values);

/// <summary>Tainted value that reached a group of endpoints (an entity, a category or a country), per asset.</summary>
public sealed record EndpointTotal(string Key, string Chain, string Asset, UInt256 Tainted, decimal ShareOfSeed, IReadOnlyList<FiatValue> Values);

/// <summary>
/// Where the tainted value ended, per chain and asset. Conservation: seeded = reached (stopped at services and at the
/// other stop rules) + unspent + fees + unresolved.
/// </summary>
public sealed record TraceSummary(
    IReadOnlyList<EndpointTotal> ByEntity,
    IReadOnlyList<EndpointTotal> ByCategory,
    IReadOnlyList<EndpointTotal> ByCountry,
    IReadOnlyList<EndpointTotal> ByRule,
    IReadOnlyList<EndpointTotal> Seeded);

public sealed record TraceResult(
    IReadOnlyList<TraceSeed> Seeds,
    TraceOptions Options,
    IReadOnlyList<TraceNode> Nodes,
    IReadOnlyList<TraceEdge> Edges,
    TraceSummary Summary,
    bool Partial,
    string? PartialReason,
    IReadOnlyList<string> Warnings,
    long EdgesVisited)
{
    /// <summary>
    /// How long the walk took (following the value, before the result's text, nodes and summary were made), where the tracer
    /// measures it; zero otherwise. For benchmarks: not part of the result's content, never written.
    /// </summary>
    public TimeSpan WalkTime { get; init; }
}

/// <summary>A tracer for one chain. Seeds of other chains are an error.</summary>
public interface IChainTracer
{
    string Chain { get; }

    TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken cancellationToken = default);
}
