using Ashiato.Core;

namespace Ashiato.Chains.Evm.Model;

/// <summary>
/// A block as an EVM node reports it (<c>eth_getBlockByNumber</c> with full transactions). Fields a node may
/// omit (pre-London base fee, post-merge total difficulty, pre-Shanghai withdrawals, pre-Cancun blob gas) are
/// nullable: absent stays absent, never zero.
/// </summary>
public sealed class EvmBlock
{
    public long Number { get; init; }

    public EvmHash Hash { get; init; }

    public EvmHash ParentHash { get; init; }

    /// <summary>8-byte proof-of-work nonce as given (null if the node omits it).</summary>
    public byte[]? Nonce { get; init; }

    public EvmHash Sha3Uncles { get; init; }

    public byte[] LogsBloom { get; init; } = [];

    public EvmHash TransactionsRoot { get; init; }

    public EvmHash StateRoot { get; init; }

    public EvmHash ReceiptsRoot { get; init; }

    public EvmAddress Miner { get; init; }

    public UInt256 Difficulty { get; init; }

    public UInt256? TotalDifficulty { get; init; }

    public long Size { get; init; }

    public byte[] ExtraData { get; init; } = [];

    public long GasLimit { get; init; }

    public long GasUsed { get; init; }

    public long Timestamp { get; init; }

    public UInt256? BaseFeePerGas { get; init; }

    public EvmHash? WithdrawalsRoot { get; init; }

    public IReadOnlyList<EvmWithdrawal>? Withdrawals { get; init; }

    public long? BlobGasUsed { get; init; }

    public long? ExcessBlobGas { get; init; }

    public EvmHash? ParentBeaconBlockRoot { get; init; }

    public IReadOnlyList<EvmHash> Uncles { get; init; } = [];

    public IReadOnlyList<EvmTransaction> Transactions { get; init; } = [];
}

/// <summary>A post-Shanghai beacon-chain withdrawal credited in this block. <see cref="AmountGwei"/> is in gwei.</summary>
public sealed record EvmWithdrawal(ulong Index, ulong ValidatorIndex, EvmAddress Address, ulong AmountGwei)
{
    public UInt256 AmountWei => new UInt256(AmountGwei) * new UInt256(1_000_000_000UL);
}
