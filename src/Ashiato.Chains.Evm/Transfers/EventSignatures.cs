using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.Chains.Evm.Transfers;

/// <summary>Topic 0 of the events that move tokens: keccak256 of the canonical event signature.</summary>
public static class EventSignatures
{
    /// <summary>ERC-20 and ERC-721 <c>Transfer(address,address,uint256)</c>.</summary>
    public static readonly EvmHash Transfer = Topic("Transfer(address,address,uint256)");

    /// <summary>ERC-1155 <c>TransferSingle(operator, from, to, id, value)</c>.</summary>
    public static readonly EvmHash TransferSingle = Topic("TransferSingle(address,address,address,uint256,uint256)");

    /// <summary>ERC-1155 <c>TransferBatch(operator, from, to, ids[], values[])</c>.</summary>
    public static readonly EvmHash TransferBatch = Topic("TransferBatch(address,address,address,uint256[],uint256[])");

    /// <summary>WETH9 <c>Deposit(address indexed dst, uint256 wad)</c>.</summary>
    public static readonly EvmHash Deposit = Topic("Deposit(address,uint256)");

    /// <summary>WETH9 <c>Withdrawal(address indexed src, uint256 wad)</c>.</summary>
    public static readonly EvmHash Withdrawal = Topic("Withdrawal(address,uint256)");

    public static EvmHash Topic(string signature) => new(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(signature)));
}
