using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Chains.Evm;

namespace Ashiato.Intel;

/// <summary>
/// Checks an address against its currency and gives the canonical form stored: Bitcoin and Litecoin through the
/// address codec of their mainnet (base58 as given, bech32 lower-case), EVM chains as 0x + lower-case hex (a mixed-case
/// address must carry a valid EIP-55 checksum). Currencies without a codec here are kept as given (trimmed).
/// </summary>
public static class AddressRules
{
    private static readonly HashSet<string> EvmCurrencies = new(StringComparer.Ordinal)
    {
        "ETH", "ETC", "BSC", "BEP20", "ARB", "MATIC", "POLYGON", "AVAX", "FTM", "OP", "BASE",
    };

    /// <summary>Upper-cased, trimmed ticker; OFAC's XBT becomes BTC.</summary>
    public static string NormalizeCurrency(string currency)
    {
        var c = currency.Trim().ToUpperInvariant();
        return c == "XBT" ? "BTC" : c;
    }

    /// <summary>True with the canonical address and the network it was checked on (null: not checked); false with the reason.</summary>
    /// <remarks>
    /// Bitcoin-family addresses are checked on mainnet unless <paramref name="networkName"/> names another network of the
    /// same coin exactly as Ashiato does ("bitcoin-regtest", "litecoin-testnet", …); other values are ignored.
    /// </remarks>
    public static bool TryCanonicalize(string currency, string address, out string canonical, out string? network, out string reason,
        string? networkName = null)
    {
        var hinted = networkName is null ? null : Network.All.FirstOrDefault(n => n.Name == networkName.Trim().ToLowerInvariant());
        canonical = address.Trim();
        network = null;
        reason = "";
        if (canonical.Length == 0)
        {
            reason = "empty address";
            return false;
        }

        switch (currency)
        {
            case "BTC":
                return Bitcoin(hinted is { Name: var b } && b.StartsWith("bitcoin", StringComparison.Ordinal) ? hinted : Network.BitcoinMain, ref canonical, out network, out reason);
            case "LTC":
                return Bitcoin(hinted is { Name: var l } && l.StartsWith("litecoin", StringComparison.Ordinal) ? hinted : Network.LitecoinMain, ref canonical, out network, out reason);
            default:
                if (EvmCurrencies.Contains(currency) || (canonical.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && currency is "USDT" or "USDC"))
                {
                    if (!EvmAddress.TryParse(canonical, out var evm))
                    {
                        reason = $"'{canonical}' is not a valid {currency} address (0x + 40 hex digits, EIP-55 checksum if mixed case)";
                        return false;
                    }

                    canonical = evm.ToString().ToLowerInvariant();
                    network = "evm";
                }

                return true;
        }
    }

    private static bool Bitcoin(Network net, ref string address, out string? network, out string reason)
    {
        network = net.Name;
        reason = "";
        var text = address;
        var isBech32 = text.StartsWith(net.Bech32Hrp + "1", StringComparison.OrdinalIgnoreCase);
        if (isBech32 && (text.ToUpperInvariant() == text || text.ToLowerInvariant() == text))
        {
            text = text.ToLowerInvariant();
        }

        if (!AddressCodec.TryParse(net, text, out _, out _))
        {
            reason = $"'{address}' is not a valid {net.Name}{(net == Network.BitcoinMain || net == Network.LitecoinMain ? " mainnet" : "")} address";
            return false;
        }

        address = text;
        return true;
    }
}
