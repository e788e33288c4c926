using Ashiato.Chains.Evm;
using Ashiato.Core;

namespace Ashiato.TestSupport.Evm;

/// <summary>What a scenario transaction was meant to do.</summary>
public enum EvmScenarioKind
{
    EthTransfer,
    EthToContract,
    ContractDeployment,
    Erc20Mint,
    Erc20Transfer,
    Erc20Approve,
    Erc20TransferFrom,
    Erc20Burn,
    Erc721Mint,
    Erc721Transfer,
    Erc721Approve,
    Erc1155Mint,
    Erc1155MintBatch,
    Erc1155Transfer,
    Erc1155BatchTransfer,
    Erc1155ApproveAll,
    WethDeposit,
    WethWithdraw,
    WethTransfer,
    WethApprove,
    WethTransferFrom,

    /// <summary>FanOut.fan: one internal call with value per recipient.</summary>
    FanOut,

    /// <summary>A top-level call that reverts: mined with status 0, no value moves.</summary>
    FailedCall,

    /// <summary>Reverter.tryCall: succeeds, its internal call with value reverts.</summary>
    TryCall,

    /// <summary>Factory.deploy: a CREATE2 child funded with the call's value.</summary>
    Create2,

    /// <summary>Vault.destroy: SELFDESTRUCT moves the vault's balance to its beneficiary.</summary>
    SelfDestruct,
}

/// <summary>One transaction the scenario sent, with the block it was mined in.</summary>
/// <param name="Index">Position in <see cref="EvmScenarioResult.Transactions"/> (send order).</param>
/// <param name="To">Null for a contract creation.</param>
/// <param name="ExpectSuccess">The receipt status the scenario checked: true = 1, false = 0.</param>
public sealed record EvmScenarioTransaction(
    int Index,
    EvmHash Hash,
    EvmScenarioKind Kind,
    string Description,
    EvmAddress From,
    EvmAddress? To,
    UInt256 Value,
    bool ExpectSuccess,
    ulong BlockNumber);

/// <summary>
/// What <see cref="EvmScenario.RunAsync"/> produced, and what the chain must show for it (the <c>Expected…</c>
/// ledgers, kept by the scenario as it sent the transactions).
/// </summary>
public sealed record EvmScenarioResult
{
    /// <summary>Deployed contracts by name: TestToken, TestNft, TestMulti, Weth, FanOut, Reverter, Factory, Vault, Child1, Child2, Child3.</summary>
    public required IReadOnlyDictionary<string, EvmAddress> Contracts { get; init; }

    /// <summary>Every transaction, in send order; all mined, each with the status it was meant to have.</summary>
    public required IReadOnlyList<EvmScenarioTransaction> Transactions { get; init; }

    /// <summary>The first block the scenario mined.</summary>
    public required ulong FirstBlock { get; init; }

    /// <summary>The last block the scenario mined (one of them is empty).</summary>
    public required ulong LastBlock { get; init; }

    /// <summary>Every address involved (senders, recipients, token holders, contracts), sorted, distinct.</summary>
    public required IReadOnlyList<EvmAddress> Addresses { get; init; }

    /// <summary>The fresh (never used before) addresses, derived from a fixed seed, in derivation order.</summary>
    public required IReadOnlyList<EvmAddress> FreshAddresses { get; init; }

    /// <summary>The 20 addresses FanOut.fan paid, each <see cref="FanOutShare"/>.</summary>
    public required IReadOnlyList<EvmAddress> FanOutRecipients { get; init; }

    public required UInt256 FanOutShare { get; init; }

    /// <summary>What stayed in the FanOut contract (the value not divisible by the recipient count).</summary>
    public required UInt256 FanOutRemainder { get; init; }

    /// <summary>The top-level <c>Reverter.boom()</c> call: mined with status 0.</summary>
    public required EvmHash FailedTransaction { get; init; }

    /// <summary>The <c>Reverter.tryCall</c> with value whose internal call reverted.</summary>
    public required EvmHash TryCallTransaction { get; init; }

    /// <summary>The first CREATE2 child (salt <see cref="Create2Salt"/>), holding <see cref="Create2Value"/>.</summary>
    public required EvmAddress Create2Child { get; init; }

    public required EvmHash Create2Salt { get; init; }

    public required UInt256 Create2Value { get; init; }

    /// <summary>The fresh address the vault self-destructs to.</summary>
    public required EvmAddress VaultBeneficiary { get; init; }

    /// <summary>The vault's balance when <see cref="SelfDestructTransaction"/> moved it to the beneficiary.</summary>
    public required UInt256 VaultBalanceAtDestroy { get; init; }

    /// <summary>The first <c>Vault.destroy()</c>.</summary>
    public required EvmHash SelfDestructTransaction { get; init; }

    /// <summary>
    /// Exact ETH balances after the scenario of the addresses that never paid gas: the fresh addresses (but
    /// the impersonated one) and the contracts.
    /// </summary>
    public required IReadOnlyDictionary<EvmAddress, UInt256> ExpectedEthBalances { get; init; }

    /// <summary>TestToken (ERC-20) balances of every address that ever held some.</summary>
    public required IReadOnlyDictionary<EvmAddress, UInt256> ExpectedTokenBalances { get; init; }

    /// <summary>TestNft (ERC-721) owner of every minted id.</summary>
    public required IReadOnlyDictionary<UInt256, EvmAddress> ExpectedNftOwners { get; init; }

    /// <summary>TestMulti (ERC-1155) balances by holder and id.</summary>
    public required IReadOnlyDictionary<(EvmAddress Holder, UInt256 Id), UInt256> ExpectedMultiBalances { get; init; }

    /// <summary>Weth balances of every address that ever held some.</summary>
    public required IReadOnlyDictionary<EvmAddress, UInt256> ExpectedWethBalances { get; init; }

    /// <summary>The transactions of one kind, in send order.</summary>
    public IEnumerable<EvmScenarioTransaction> OfKind(EvmScenarioKind kind) => Transactions.Where(t => t.Kind == kind);
}
