namespace Ashiato.Chains.Evm;

/// <summary>
/// An EVM chain the CLI knows by name: its EIP-155 chain id, native coin, and the canonical wrapped-native contract
/// (WETH-style: its Deposit/Withdrawal events are always read as wrap/unwrap).
/// </summary>
public sealed record EvmChainInfo(string Name, long ChainId, string NativeSymbol, string? WrappedNative = null)
{
    public IReadOnlySet<EvmAddress> Wrappers => WrappedNative is null ? new HashSet<EvmAddress>() : new HashSet<EvmAddress> { EvmAddress.Parse(WrappedNative) };
}

/// <summary>
/// Well-known EVM chains by name. Any other chain works too: give <c>--chain NAME --chain-id N</c> (or let the node's
/// <c>eth_chainId</c> decide on the first ingest; later runs check it against the store).
/// </summary>
public static class EvmChains
{
    public static IReadOnlyList<EvmChainInfo> Known { get; } =
    [
        new("ethereum", 1, "ETH", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"),
        new("sepolia", 11155111, "ETH"),
        new("holesky", 17000, "ETH"),
        new("bsc", 56, "BNB", "0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c"),
        new("polygon", 137, "POL", "0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270"),
        new("arbitrum", 42161, "ETH", "0x82af49447d8a07e3bd95bd0d56f35241523fbab1"),
        new("optimism", 10, "ETH", "0x4200000000000000000000000000000000000006"),
        new("base", 8453, "ETH", "0x4200000000000000000000000000000000000006"),
        new("avalanche", 43114, "AVAX", "0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7"),
        new("fantom", 250, "FTM"),
        new("gnosis", 100, "XDAI"),
        new("linea", 59144, "ETH"),
        new("zksync", 324, "ETH"),
        new("anvil", 31337, "ETH"),
    ];

    public static EvmChainInfo? Find(string name) => Known.FirstOrDefault(c => c.Name == name);

    public static EvmChainInfo? FindById(long chainId) => Known.FirstOrDefault(c => c.ChainId == chainId);
}
