using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Storage.Evm;

/// <summary>
/// One block as the EVM store keeps it, built by ingest. The store never parses chain data: <see cref="Bundle"/> is the
/// block's full content encoded elsewhere and kept as opaque bytes; the store indexes only what is given beside it
/// (hashes, transaction hashes and the value movements).
/// </summary>
public sealed class EvmStoredBlock
{
    public long Number { get; init; }

    public EvmHash Hash { get; init; }

    public EvmHash ParentHash { get; init; }

    /// <summary>Block timestamp (seconds since the Unix epoch).</summary>
    public long Timestamp { get; init; }

    /// <summary>The node gave no traces for this block: internal transfers may be missing (a gap to fill later).</summary>
    public bool TracesMissing { get; init; }

    /// <summary>The block's full content (block, transactions, receipts, traces), encoded by ingest. May be empty.</summary>
    public byte[] Bundle { get; init; } = [];

    /// <summary>Hashes of the block's transactions, in block order (index = transaction index).</summary>
    public IReadOnlyList<EvmHash> TransactionHashes { get; init; } = [];

    /// <summary>Value movements of the block in chain order.</summary>
    public IReadOnlyList<EvmTransfer> Transfers { get; init; } = [];
}

/// <summary>What identifies an EVM chain when it is created; checked against the manifest when it exists.</summary>
/// <param name="Chain">The chain's name in the store.</param>
/// <param name="ChainId">The EIP-155 chain id (1 = Ethereum mainnet).</param>
/// <param name="BaseHeight">Height of the first block to be stored (0 for the whole history).</param>
public sealed record EvmChainCreate(string Chain, long ChainId, long BaseHeight);

/// <summary>A stored value movement. Address ids are -1 where the transfer has none (native coin, created, destroyed).</summary>
public readonly record struct StoredTransfer(
    long Id,
    long Height,
    long TxId,
    int TransactionIndex,
    int Position,
    EvmTransferKind Kind,
    long AssetId,
    long FromId,
    long ToId,
    UInt256 Amount,
    UInt256 TokenId)
{
    /// <summary>True for the chain's native coin (no token contract).</summary>
    public bool IsNative => AssetId < 0;

    /// <summary>True for a block-level movement (reward, withdrawal) that belongs to no transaction.</summary>
    public bool IsBlockLevel => TransactionIndex < 0;
}
