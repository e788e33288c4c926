using Ashiato.Chains.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// What an <see cref="EvmTracer"/> knows about its chain beyond the store: the native coin's ticker, wrapped-native
/// contracts (WETH-style, wrap/unwrap is a 1:1 swap), mixer contracts (stop and flag even without a label), bridge token
/// contracts (a burn is a bridge deposit, a mint a bridge release), pegged tokens (valued as their underlying coin) and
/// the explosion guard.
/// </summary>
public sealed record EvmTraceSettings
{
    /// <summary>Ticker of the native coin (ETH, BNB, …): the edge asset of native transfers and the valuation ticker.</summary>
    public string NativeSymbol { get; init; } = "ETH";

    public IReadOnlySet<EvmAddress> Wrappers { get; init; } = new HashSet<EvmAddress>();

    /// <summary>Mixer contracts: taint reaching them stops (rule <c>mixer:stop</c>) whatever the labels say.</summary>
    public IReadOnlySet<EvmAddress> Mixers { get; init; } = new HashSet<EvmAddress>();

    /// <summary>Bridge token contracts by bridge name: their burns are bridge deposits, their mints bridge releases.</summary>
    public IReadOnlyDictionary<EvmAddress, string> BridgeTokens { get; init; } = new Dictionary<EvmAddress, string>();

    /// <summary>Token symbol → the ticker it is valued as, 1:1 in base units of the same decimals (sBTC → BTC, WETH → ETH).</summary>
    public IReadOnlyDictionary<string, string> Pegs { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sBTC"] = "BTC",
        ["WBTC"] = "BTC",
        ["WETH"] = "ETH",
    };

    /// <summary>
    /// An unlabelled address with more postings than this is not entered (rule <c>stop:high-degree</c>): pools, token
    /// contracts and unlabelled hot wallets would otherwise spread taint over their whole history. 0 = no limit.
    /// </summary>
    public long MaxPostingsPerAddress { get; init; } = 200_000;

    /// <summary>Settings for a chain of the <see cref="EvmChains"/> registry (native symbol, wrapped-native contract), or defaults.</summary>
    public static EvmTraceSettings ForChain(string chain, long chainId)
    {
        var info = EvmChains.Find(chain) ?? EvmChains.FindById(chainId);
        return info is null ? new EvmTraceSettings() : new EvmTraceSettings { NativeSymbol = info.NativeSymbol, Wrappers = info.Wrappers };
    }
}
