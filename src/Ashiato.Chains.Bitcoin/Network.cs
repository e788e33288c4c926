using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin;

/// <summary>
/// Parameters of one Bitcoin-family network: block-file magic, address prefixes, bech32 HRP, genesis.
/// </summary>
public sealed record Network(
    string Name,
    string Coin,
    byte[] Magic,
    byte PubKeyHashPrefix,
    byte ScriptHashPrefix,
    string Bech32Hrp,
    Hash256 GenesisHash,
    bool HasMweb)
{
    public static readonly Network BitcoinMain = new(
        "bitcoin", "bitcoin", [0xf9, 0xbe, 0xb4, 0xd9], 0x00, 0x05, "bc",
        Hash256.Parse("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"), false);

    public static readonly Network BitcoinTestnet3 = new(
        "bitcoin-testnet3", "bitcoin", [0x0b, 0x11, 0x09, 0x07], 0x6f, 0xc4, "tb",
        Hash256.Parse("000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"), false);

    public static readonly Network BitcoinTestnet4 = new(
        "bitcoin-testnet4", "bitcoin", [0x1c, 0x16, 0x3f, 0x28], 0x6f, 0xc4, "tb",
        Hash256.Parse("00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"), false);

    public static readonly Network BitcoinSignet = new(
        "bitcoin-signet", "bitcoin", [0x0a, 0x03, 0xcf, 0x40], 0x6f, 0xc4, "tb",
        Hash256.Parse("00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"), false);

    public static readonly Network BitcoinRegtest = new(
        "bitcoin-regtest", "bitcoin", [0xfa, 0xbf, 0xb5, 0xda], 0x6f, 0xc4, "bcrt",
        Hash256.Parse("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"), false);

    /// <summary>Litecoin encodes P2SH with the newer prefix (M…, Q… on test networks), as Litecoin Core does.</summary>
    public static readonly Network LitecoinMain = new(
        "litecoin", "litecoin", [0xfb, 0xc0, 0xb6, 0xdb], 0x30, 0x32, "ltc",
        Hash256.Parse("12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2"), true)
    {
        LegacyScriptHashPrefix = 0x05,
    };

    public static readonly Network LitecoinTestnet = new(
        "litecoin-testnet", "litecoin", [0xfd, 0xd2, 0xc8, 0xf1], 0x6f, 0x3a, "tltc",
        Hash256.Parse("4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0"), true)
    {
        LegacyScriptHashPrefix = 0xc4,
    };

    public static readonly Network LitecoinRegtest = new(
        "litecoin-regtest", "litecoin", [0xfa, 0xbf, 0xb5, 0xda], 0x6f, 0x3a, "rltc",
        Hash256.Parse("530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9"), true)
    {
        LegacyScriptHashPrefix = 0xc4,
    };

    /// <summary>
    /// A P2SH prefix still accepted when parsing but no longer used for display (Litecoin's old 3…/2… addresses, which
    /// Litecoin Core also accepts). The same script hash as the current prefix: one address in the store.
    /// </summary>
    public byte? LegacyScriptHashPrefix { get; init; }

    public static IReadOnlyList<Network> All { get; } =
    [
        BitcoinMain, BitcoinTestnet3, BitcoinTestnet4, BitcoinSignet, BitcoinRegtest,
        LitecoinMain, LitecoinTestnet, LitecoinRegtest,
    ];

    /// <summary>Accepts the network names above and a few common aliases ("mainnet", "testnet", "ltc").</summary>
    public static Network Parse(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        var found = n switch
        {
            "main" or "mainnet" or "btc" => BitcoinMain,
            "testnet" or "test" => BitcoinTestnet3,
            "testnet4" => BitcoinTestnet4,
            "signet" => BitcoinSignet,
            "regtest" => BitcoinRegtest,
            "ltc" => LitecoinMain,
            "ltc-testnet" or "litecoin-testnet4" => LitecoinTestnet,
            "ltc-regtest" => LitecoinRegtest,
            _ => All.FirstOrDefault(x => x.Name == n),
        };
        return found ?? throw new UserErrorException(
            $"unknown network '{name}'; known: {string.Join(", ", All.Select(x => x.Name))}");
    }

    /// <summary>Networks whose block files start with these four magic bytes (regtest magics are shared).</summary>
    public static IEnumerable<Network> ByMagic(ReadOnlySpan<byte> magic)
    {
        var result = new List<Network>();
        foreach (var n in All)
        {
            if (magic.SequenceEqual(n.Magic))
            {
                result.Add(n);
            }
        }

        return result;
    }

    /// <summary>
    /// Litecoin MWEB scripts in transparent outputs: peg-ins (witness v9) and the HogEx's HogAddr (witness v8), each with a
    /// 32-byte program. Litecoin Core types them witness_mweb_pegin / witness_mweb_hogaddr and shows no address for them.
    /// </summary>
    public bool IsMwebScript(ReadOnlySpan<byte> script) =>
        HasMweb && script.Length == 34 && (script[0] == 0x58 || script[0] == 0x59) && script[1] == 32;

    public override string ToString() => Name;
}
