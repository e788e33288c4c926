namespace Ashiato.Intel;

/// <summary>
/// The GraphSense vocabularies Ashiato checks against: confidence names with their numeric levels, entity categories
/// and abuse types. A name outside them is kept and warned about (confidence: level null).
/// </summary>
public static class Taxonomy
{
    /// <summary>Confidence name → level (0–100), highest trust first; see docs/formats/tagpacks.md.</summary>
    public static IReadOnlyDictionary<string, int> ConfidenceLevels { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["ownership"] = 100,
        ["ledger_immanent"] = 100,
        ["authority_data"] = 90,
        ["service_data"] = 80,
        ["manual_transaction"] = 60,
        ["forensic"] = 50,
        ["untrusted_transaction"] = 30,
        ["web_crawl"] = 20,
        ["heuristic"] = 10,
    };

    public static IReadOnlySet<string> EntityCategories { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "exchange", "wallet_service", "miner", "mining_service", "mixing_service", "coinjoin", "gambling", "market", "defi", "defi_dex",
        "defi_lending", "defi_bridge", "defi_derivative", "defi_yield", "index", "collectible", "organization", "user", "service",
        "payment_processor", "faucet", "hosting", "shop", "donation", "ico_wallet", "smart_contract", "perpetrator", "hot_wallet",
        "cold_wallet", "atm", "bank", "otc", "vasp",
    };

    public static IReadOnlySet<string> AbuseTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "sextortion", "ransomware", "scam", "phishing", "ponzi_scheme", "pyramid_scheme", "investment_fraud", "extortion", "terrorism",
        "extremism", "sanction", "service_hack", "hacking", "social_engineering", "dark_web", "drugs", "weapons", "human_trafficking",
        "csam", "money_laundering",
    };

    /// <summary>An entity category or an abuse type (actors list both under <c>categories</c>).</summary>
    public static bool IsKnownCategory(string category) => EntityCategories.Contains(category) || AbuseTypes.Contains(category);

    public static int? Level(string? confidence) =>
        confidence is not null && ConfidenceLevels.TryGetValue(confidence, out var level) ? level : null;

    /// <summary>An officially assigned ISO 3166-1 alpha-2 code (upper case; see <see cref="Iso3166"/>).</summary>
    public static bool IsAlpha2(string code) => Iso3166.IsAssigned(code);
}
