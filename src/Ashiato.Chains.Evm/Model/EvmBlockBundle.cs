namespace Ashiato.Chains.Evm.Model;

/// <summary>
/// Everything ingest fetched for one block: the block with its transactions, the receipts (with logs) in
/// transaction order, and the traces when the node gave them (<see cref="Traces"/> is null when it could not,
/// which the store records as a gap).
/// </summary>
public sealed class EvmBlockBundle
{
    public required EvmBlock Block { get; init; }

    public required IReadOnlyList<EvmReceipt> Receipts { get; init; }

    public IReadOnlyList<EvmTrace>? Traces { get; init; }

    /// <summary>Token contracts first seen in this block, with the metadata read from them.</summary>
    public IReadOnlyList<EvmToken> NewTokens { get; init; } = [];
}

/// <summary>
/// Token metadata read with <c>eth_call</c> (name, symbol, decimals, totalSupply). A field the contract does not
/// answer, or answers with garbage, is null.
/// </summary>
public sealed record EvmToken(EvmAddress Address, string? Symbol, string? Name, int? Decimals, Core.UInt256? TotalSupply, long? BlockNumber);
