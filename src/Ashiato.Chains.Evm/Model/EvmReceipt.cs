using Ashiato.Core;

namespace Ashiato.Chains.Evm.Model;

/// <summary>
/// A transaction receipt. <see cref="Status"/> is 1 (success) or 0 (failed) after Byzantium; before it the node
/// gives a state <see cref="Root"/> instead and status is null. L2 fields (l1Fee…) are kept as reported.
/// </summary>
public sealed class EvmReceipt
{
    public EvmHash TransactionHash { get; init; }

    public int TransactionIndex { get; init; }

    public EvmHash BlockHash { get; init; }

    public long BlockNumber { get; init; }

    public long CumulativeGasUsed { get; init; }

    public long GasUsed { get; init; }

    public EvmAddress? ContractAddress { get; init; }

    public EvmHash? Root { get; init; }

    public int? Status { get; init; }

    public UInt256? EffectiveGasPrice { get; init; }

    public UInt256? L1Fee { get; init; }

    public long? L1GasUsed { get; init; }

    public UInt256? L1GasPrice { get; init; }

    /// <summary>Optimism's decimal fee scalar ("0.684"), kept as the text the node sent.</summary>
    public string? L1FeeScalar { get; init; }

    public long? BlobGasUsed { get; init; }

    public UInt256? BlobGasPrice { get; init; }

    public IReadOnlyList<EvmLog> Logs { get; init; } = [];
}

/// <summary>An event log. Topic 0 is the event signature hash for non-anonymous events.</summary>
public sealed class EvmLog
{
    public int LogIndex { get; init; }

    public EvmHash TransactionHash { get; init; }

    public int TransactionIndex { get; init; }

    public EvmHash BlockHash { get; init; }

    public long BlockNumber { get; init; }

    public EvmAddress Address { get; init; }

    public byte[] Data { get; init; } = [];

    public IReadOnlyList<EvmHash> Topics { get; init; } = [];
}
