using Ashiato.Core;

namespace Ashiato.Chains.Evm.Model;

/// <summary>
/// One movement of value in a block — the common currency of analysis. <see cref="From"/> null means the value
/// was created (block reward, withdrawal, token mint); <see cref="To"/> null means it was destroyed (burnt base fee,
/// token burn). <see cref="Asset"/> null is the chain's native coin; otherwise the token contract.
/// </summary>
public readonly record struct EvmTransfer(
    EvmTransferKind Kind,
    int TransactionIndex,
    int Position,
    EvmAddress? Asset,
    EvmAddress? From,
    EvmAddress? To,
    UInt256 Amount,
    UInt256 TokenId);

/// <summary>Why value moved. Numbers are stored; never renumber.</summary>
public enum EvmTransferKind : byte
{
    /// <summary>The value of a successful top-level transaction (to the callee or the created contract).</summary>
    Native = 1,

    /// <summary>Value of a successful internal call (trace, not top level, not delegatecall/staticcall).</summary>
    Internal = 2,

    /// <summary>Value endowed to a contract created by an internal create/create2.</summary>
    Create = 3,

    /// <summary>Balance of a self-destructed contract sent to its beneficiary.</summary>
    SelfDestruct = 4,

    /// <summary>The base-fee part of the fee (gas used × base fee), burnt (To = null).</summary>
    FeeBurnt = 5,

    /// <summary>The part of the fee paid to the block's fee recipient (all of it before London).</summary>
    FeeTip = 6,

    /// <summary>Block reward from a <c>trace_block</c> reward trace (From = null).</summary>
    BlockReward = 7,

    /// <summary>Uncle reward from a reward trace (From = null).</summary>
    UncleReward = 8,

    /// <summary>Beacon-chain withdrawal credited in the block (From = null).</summary>
    Withdrawal = 9,

    /// <summary>ERC-20 <c>Transfer</c> (3 topics, amount in data).</summary>
    Erc20 = 10,

    /// <summary>ERC-721 <c>Transfer</c> (4 topics, token id indexed; Amount = 1).</summary>
    Erc721 = 11,

    /// <summary>ERC-1155 <c>TransferSingle</c> or one item of <c>TransferBatch</c>.</summary>
    Erc1155 = 12,

    /// <summary>WETH-style <c>Deposit(dst, wad)</c>: wrapped tokens minted to dst (From = null, Asset = the wrapper).</summary>
    Wrap = 13,

    /// <summary>WETH-style <c>Withdrawal(src, wad)</c>: wrapped tokens burnt from src (To = null).</summary>
    Unwrap = 14,
}
