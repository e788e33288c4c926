namespace Ashiato.Chains.Evm;

/// <summary>An EVM chain the CLI knows by name: its EIP-155 chain id and native coin.</summary>
public sealed record EvmChainInfo(string Name, long ChainId, string NativeSymbol, bool HasTraces = true);

/// <summary>
/// Well-known EVM chains by name. Any other chain works too: give <c>--chain NAME --chain-id N</c> (or let the node's
/// <c>eth_chainId</c> decide on the first ingest; later runs check it against the store).
/// </summary>
public static class EvmChains
{
    public static IReadOnlyList<EvmChainInfo> Known { get; } =
    [
        new("ethereum", 1, "ETH"),
        new("sepolia", 11155111, "ETH"),
        new("holesky", 17000, "ETH"),
        new("bsc", 56, "BNB"),
        new("polygon", 137, "POL"),
        new("arbitrum", 42161, "ETH"),
        new("optimism", 10, "ETH"),
        new("base", 8453, "ETH"),
        new("avalanche", 43114, "AVAX"),
        new("fantom", 250, "FTM"),
        new("gnosis", 100, "XDAI"),
        new("linea", 59144, "ETH"),
        new("zksync", 324, "ETH"),
        new("anvil", 31337, "ETH"),
    ];

    public static EvmChainInfo? Find(string name) => Known.FirstOrDefault(c => c.Name == name);

    public static EvmChainInfo? FindById(long chainId) => Known.FirstOrDefault(c => c.ChainId == chainId);
}
