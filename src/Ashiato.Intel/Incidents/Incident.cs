using Ashiato.Core;

namespace Ashiato.Intel.Incidents;

/// <summary>How a chain's transaction ids and addresses are checked: Bitcoin-family (UTXO), EVM, or not checked.</summary>
public enum ChainFamily
{
    /// <summary>A chain Ashiato has no rules for (kept as given, not checked, never looked up).</summary>
    Unknown,

    /// <summary>Bitcoin-family: txid = 64 hex digits, addresses of the named network.</summary>
    Utxo,

    /// <summary>EVM: tx hash = 0x + 64 hex digits, addresses 0x + 40 hex digits.</summary>
    Evm,
}

/// <summary>
/// A transaction of a theft: its id in canonical form (Bitcoin-family: 64 lower-case hex digits; EVM: 0x + 64 lower-case
/// hex digits), optionally the output (Bitcoin-family) or the log (EVM) that moved the stolen value.
/// </summary>
public sealed record TheftTransaction(string TxId, int? OutputIndex = null, int? LogIndex = null);

/// <summary>What an incident names on one chain: the theft transactions and the addresses that received the stolen value.</summary>
/// <param name="Chain">The chain's name as in the store ("bitcoin", "ethereum", "sim-bitcoin", …).</param>
/// <param name="Network">The network the ids were checked against ("bitcoin-regtest", "evm", …); null when not checked.</param>
public sealed record IncidentChain(ChainName Chain, ChainFamily Family, string? Network, IReadOnlyList<TheftTransaction> Transactions,
    IReadOnlyList<string> Addresses);

/// <summary>
/// A reported loss of one asset: the amount in base units (satoshi, wei, token units) with the asset's decimals, and
/// optionally its USD value as reported, with the source of that value.
/// </summary>
public sealed record ReportedLoss(string Asset, ChainName? Chain, string? Token, UInt256 Amount, int Decimals, decimal? Usd, string? UsdSource);

/// <summary>One incident of an IncidentPack (docs/formats/incidentpacks.md), as stored in meta.sqlite.</summary>
public sealed record Incident
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required DateOnly Date { get; init; }

    public string? Description { get; init; }

    /// <summary>The victim's entity or actor id.</summary>
    public string? Victim { get; init; }

    public string? VictimName { get; init; }

    /// <summary>ISO 3166-1 alpha-2 code (upper case), or null when not reported.</summary>
    public string? VictimCountry { get; init; }

    /// <summary>centralised_exchange, defi_protocol, bridge, wallet_provider, individual, or another value (kept, warned about).</summary>
    public string? VictimType { get; init; }

    public IReadOnlyList<IncidentChain> Chains { get; init; } = [];

    public IReadOnlyList<ReportedLoss> Losses { get; init; } = [];

    /// <summary>The total loss in USD as reported (it may cover assets not itemised in <see cref="Losses"/>).</summary>
    public decimal? LossUsd { get; init; }

    public string? LossUsdSource { get; init; }

    /// <summary>The actor the theft is attributed to (an actor id, as in ActorPacks and tags).</summary>
    public string? AttributedActor { get; init; }

    public string? AttributionSource { get; init; }

    /// <summary>A GraphSense confidence name (see docs/formats/tagpacks.md).</summary>
    public string? Confidence { get; init; }

    public int? ConfidenceLevel { get; init; }

    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The IncidentPack the incident was imported from, its title and the line the incident starts at.</summary>
    public string? PackFile { get; init; }

    public string? PackTitle { get; init; }

    public int? PackLine { get; init; }
}
