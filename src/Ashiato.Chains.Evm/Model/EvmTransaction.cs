using Ashiato.Core;

namespace Ashiato.Chains.Evm.Model;

/// <summary>A transaction inside a block, as the node reports it. <see cref="To"/> is null for contract creation.</summary>
public sealed class EvmTransaction
{
    public EvmHash Hash { get; init; }

    public ulong Nonce { get; init; }

    public EvmHash BlockHash { get; init; }

    public long BlockNumber { get; init; }

    public int TransactionIndex { get; init; }

    public EvmAddress From { get; init; }

    public EvmAddress? To { get; init; }

    public UInt256 Value { get; init; }

    public long Gas { get; init; }

    public UInt256? GasPrice { get; init; }

    public byte[] Input { get; init; } = [];

    public UInt256? MaxFeePerGas { get; init; }

    public UInt256? MaxPriorityFeePerGas { get; init; }

    /// <summary>EIP-2718 type (0 legacy, 1 access list, 2 EIP-1559, 3 blob, 4 set-code); null if the node omits it.</summary>
    public int? Type { get; init; }

    public UInt256? MaxFeePerBlobGas { get; init; }

    public IReadOnlyList<EvmHash>? BlobVersionedHashes { get; init; }
}
