using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Tracing;
using Ashiato.Core;

namespace Ashiato.Analysis.Tests.Reports;

/// <summary>
/// A small hand-built world for the report tests: five incidents (2018–2022, JP, KR, US, a DeFi protocol without a country,
/// HK unattributed without a reported figure), their measured losses (one without any, several without a JPY price) and
/// traces of two of them. Every total the tests expect is worked out by hand in the comments.
/// </summary>
public static class ReportFixture
{
    public const string Prices = "sim-prices";
    public const string Usdt = "0xdac17f958d2ee523a2206206994597c13d831ec7";
    private const string ReportA = "https://example.invalid/incidents/";

    public static readonly ReportParameters Parameters = new()
    {
        From = new DateOnly(2017, 1, 1),
        To = new DateOnly(2022, 12, 31),
        Assets =
        [
            new("bitcoin", "BTC", "BTC", 8),
            new("sim-evm", "ETH", "ETH", 18),
            new("sim-evm", Usdt, "USDT", 6, Stablecoin: true),
        ],
        Sources =
        [
            new("incident-pack", "incidents.yaml", "2025-01-01", "simulated incidents"),
            new("tag-pack", "exchanges.yaml", "2025-01-01"),
            new("ofac-sdn", "SDN Advanced", "2025-11-19", "digital currency addresses"),
        ],
        Generator = "ashiato test",
    };

    public static readonly ActorProfile Lazarus = new("lazarus", "Lazarus Group", ["lazarusgroup"], 42, "KP");

    // Reported USD: 500 m + 300 m + 100 m + 600 m = 1,500 m known; inc-2022-hk has none (unknown).
    public static IReadOnlyList<ReportIncident> Incidents { get; } =
    [
        new("inc-2018-jp", "Kaiyo Exchange hot wallet", new DateOnly(2018, 1, 26), "lazarus", "Kaiyo Exchange", "jp", "exchange", ["bitcoin"],
            [new IncidentTransaction("bitcoin", "t0")], [new ReportedFiat("USD", 500_000_000m, ReportA + "1"), new ReportedFiat("JPY", 55_000_000_000m, ReportA + "1")], ReportA + "1"),
        new("inc-2019-kr", "Hanbit Exchange", new DateOnly(2019, 11, 27), "LazarusGroup", "Hanbit Exchange", "KR", "exchange", ["bitcoin"],
            [], [new ReportedFiat("USD", 300_000_000m, ReportA + "2")], ReportA + "2"),
        new("inc-2020-us", "Liberty Digital", new DateOnly(2020, 9, 25), "silent-kraken", "Liberty Digital", "US", "exchange", ["bitcoin"],
            [], [new ReportedFiat("USD", 100_000_000m, ReportA + "3")], ReportA + "3"),
        new("inc-2022-defi", "Crescent Lending exploit", new DateOnly(2022, 3, 29), "lazarus", "Crescent Lending", null, "DeFi", ["sim-evm"],
            [new IncidentTransaction("sim-evm", "0xe1")], [new ReportedFiat("USD", 600_000_000m, ReportA + "4")], ReportA + "4"),
        new("inc-2022-hk", "Harbor Exchange", new DateOnly(2022, 6, 24), null, "Harbor Exchange", "HK", "exchange", ["bitcoin", "sim-evm"],
            [], [], ReportA + "5"),
        new("inc-2016-old", "Before the period", new DateOnly(2016, 6, 1), "lazarus", "Old", "JP", "exchange", ["bitcoin"],
            [], [new ReportedFiat("USD", 1m, ReportA + "0")], ReportA + "0"),
    ];

    // Measured USD: 55 m + 2.565 m + 300 m + 5 m + 0.2 m = 362.765 m known (inc-2020-us unknown: not measured; inc-2022-hk a
    // lower bound: measured on bitcoin, not on its other chain sim-evm).
    // Measured JPY: 6,000 m + 33,000 m = 39,000 m known; unknown for inc-2019-kr, the USDT of inc-2022-defi, inc-2022-hk, inc-2020-us.
    public static IReadOnlyList<MeasuredLoss> Measured { get; } =
    [
        new("inc-2018-jp", "bitcoin", "BTC", Btc(5000), [Usd(55_000_000m, "BTC", 11_000m, "2018-01-26"), Jpy(6_000_000_000m, "BTC", 1_200_000m, "2018-01-26")], "outputs of the theft transactions to the thief"),
        new("inc-2019-kr", "bitcoin", "BTC", Btc(342), [Usd(2_565_000m, "BTC", 7_500m, "2019-11-27")], "outputs of the theft transactions to the thief"),
        new("inc-2022-defi", "sim-evm", "ETH", Eth(100_000), [Usd(300_000_000m, "ETH", 3_000m, "2022-03-29"), Jpy(33_000_000_000m, "ETH", 330_000m, "2022-03-29")], "outputs of the theft transactions to the thief"),
        new("inc-2022-defi", "sim-evm", Usdt, new UInt256(5_000_000_000_000), [Usd(5_000_000m, "USDT", 1m, "2022-03-29")], "outputs of the theft transactions to the thief"),
        new("inc-2022-hk", "bitcoin", "BTC", Btc(10), [Usd(200_000m, "BTC", 20_000m, "2022-06-24")], "outputs of the theft transactions to the thief"),
    ];

    public static IReadOnlyList<IncidentTrace> Traces { get; } = [new("inc-2018-jp", JapanTrace()), new("inc-2022-defi", DefiTrace())];

    public static UInt256 Btc(long coins) => new UInt256((ulong)coins) * new UInt256(100_000_000);

    public static UInt256 Eth(long coins) => new UInt256((ulong)coins) * new UInt256(1_000_000_000_000_000_000);

    public static FiatValue Usd(decimal amount, string asset, decimal price, string date) => new(amount, "USD", asset, price, date, Prices);

    public static FiatValue Jpy(decimal amount, string asset, decimal price, string date) => new(amount, "JPY", asset, price, date, Prices);

    private static DateTimeOffset T(int y, int m, int d, int h = 12) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// 5,000 BTC leave the victim in t0 (hop 0) to the thief, who splits them 3,000 / 2,000 (hop 1). From a1: 1,000 to a mixer
    /// (USD 12 m), 1,990 to an exchange in SG (USD 23.88 m, JPY 2,587 m) and 10 in fees (no price); a2's 2,000 go through a
    /// CoinJoin (haircut) and then 1,500 to an exchange in the US (USD 15 m, no JPY price) and 500 stay unspent (USD 5 m).
    /// Terminal value in USD: 12 + 23.88 + 15 + 5 = 55.88 m, one flow unpriced.
    /// </summary>
    public static TraceResult JapanTrace()
    {
        TraceLabel Service(string entity, string name, string category, string? country) => new(entity, name, category, country, null, "tag " + entity);
        var nodes = new List<TraceNode>
        {
            new("victim", "bitcoin", "bc1victim", 1, new TraceLabel("kaiyo", "Kaiyo Exchange", "exchange", "JP", null, "tag kaiyo")),
            new("thief", "bitcoin", "bc1thief", null, new TraceLabel("lazarus", "Lazarus Group", "perpetrator", "KP", "lazarus", "OFAC")),
            new("a1", "bitcoin", "bc1a1", null, null),
            new("a2", "bitcoin", "bc1a2", null, null),
            new("mixer", "bitcoin", "bc1mixer", 7, Service("blender", "Blender", "mixing_service", null)),
            new("x", "bitcoin", "bc1x", 8, Service("orca", "Orca Exchange", "exchange", "SG")),
            new("fee", "bitcoin", "fee", null, null),
            new("c1", "bitcoin", "bc1c1", null, null),
            new("y", "bitcoin", "bc1y", 9, Service("liberty", "Liberty Digital", "exchange", "US")),
            new("h", "bitcoin", "bc1held", null, null),
        };
        TraceEdge E(long seq, string tx, int hop, string from, string to, long coins, string rule, DateTimeOffset time, params FiatValue[] values) =>
            new(seq, "bitcoin", tx, null, hop, from, to, "BTC", Btc(coins), Btc(coins), 1m, time, rule, null, values);
        var edges = new List<TraceEdge>
        {
            E(1, "t0", 0, "victim", "thief", 5000, TraceRules.Follow, T(2018, 1, 26), Usd(55_000_000m, "BTC", 11_000m, "2018-01-26"), Jpy(6_000_000_000m, "BTC", 1_200_000m, "2018-01-26")),
            E(2, "t1", 1, "thief", "a1", 3000, TraceRules.Follow, T(2018, 1, 27), Usd(33_000_000m, "BTC", 11_000m, "2018-01-27")),
            E(3, "t1", 1, "thief", "a2", 2000, TraceRules.Follow, T(2018, 1, 27), Usd(22_000_000m, "BTC", 11_000m, "2018-01-27")),
            E(4, "t2", 2, "a1", "mixer", 1000, TraceRules.MixerStop, T(2018, 2, 1), Usd(12_000_000m, "BTC", 12_000m, "2018-02-01")),
            E(5, "t3", 2, "a1", "x", 1990, TraceRules.StopService, T(2018, 2, 1, 15), Usd(23_880_000m, "BTC", 12_000m, "2018-02-01"), Jpy(2_587_000_000m, "BTC", 1_300_000m, "2018-02-01")),
            E(6, "t3", 2, "a1", "fee", 10, TraceRules.Fee, T(2018, 2, 1, 15)),
            new(7, "bitcoin", "t4", null, 2, "a2", "c1", "BTC", Btc(2500), Btc(2000), 0.8m, T(2018, 2, 3), TraceRules.CoinJoinHaircut, "wasabi", [Usd(23_000_000m, "BTC", 11_500m, "2018-02-03")]),
            E(8, "t5", 3, "c1", "y", 1500, TraceRules.StopService, T(2018, 3, 10), Usd(15_000_000m, "BTC", 10_000m, "2018-03-10")),
            E(9, "t6", 3, "c1", "h", 500, TraceRules.Unspent, T(2018, 3, 10), Usd(5_000_000m, "BTC", 10_000m, "2018-03-10"), Jpy(550_000_000m, "BTC", 1_100_000m, "2018-03-10")),
        };
        return Result("bitcoin", [new TraceSeed("bitcoin", TraceSeedKind.Transaction, "t0") { Why = "incident inc-2018-jp" }], nodes, edges,
            new TraceOptions { MaxHops = 10, Fiats = ["USD", "JPY"] });
    }

    /// <summary>
    /// The DeFi exploit on sim-evm: 100,000 ETH and 5 m USDT to the thief (hop 0); the ETH leave through a bridge whose release
    /// is not found (USD 310 m at that time), the USDT stay unspent (a stablecoin: may be frozen; USD 5 m, no JPY price).
    /// </summary>
    public static TraceResult DefiTrace()
    {
        var nodes = new List<TraceNode>
        {
            new("vault", "sim-evm", "0xvault", null, new TraceLabel("crescent", "Crescent Lending", "defi", null, null, "tag crescent")),
            new("thief", "sim-evm", "0xthief", null, new TraceLabel("lazarus", "Lazarus Group", "perpetrator", "KP", "lazarus", "OFAC")),
            new("bridge", "sim-evm", "0xbridge", null, new TraceLabel("shoreline", "Shoreline Bridge", "bridge", null, null, "tag shoreline")),
        };
        var edges = new List<TraceEdge>
        {
            new(1, "sim-evm", "0xe1", "0", 0, "vault", "thief", "ETH", Eth(100_000), Eth(100_000), 1m, T(2022, 3, 29), TraceRules.Follow, null,
                [Usd(300_000_000m, "ETH", 3_000m, "2022-03-29"), Jpy(33_000_000_000m, "ETH", 330_000m, "2022-03-29")]),
            new(2, "sim-evm", "0xe1", "1", 0, "vault", "thief", Usdt, new UInt256(5_000_000_000_000), new UInt256(5_000_000_000_000), 1m, T(2022, 3, 29), TraceRules.Follow, null,
                [Usd(5_000_000m, "USDT", 1m, "2022-03-29")]),
            new(3, "sim-evm", "0xe2", "0", 1, "thief", "bridge", "ETH", Eth(100_000), Eth(100_000), 1m, T(2022, 4, 2), TraceRules.BridgeUnpaired, null,
                [Usd(310_000_000m, "ETH", 3_100m, "2022-04-02")]),
            new(4, "sim-evm", "0xe1", "1", 1, "thief", "thief", Usdt, new UInt256(5_000_000_000_000), new UInt256(5_000_000_000_000), 1m, T(2022, 3, 29), TraceRules.Unspent, null,
                [Usd(5_000_000m, "USDT", 1m, "2022-03-29")]),
        };
        return Result("sim-evm", [new TraceSeed("sim-evm", TraceSeedKind.Transaction, "0xe1")], nodes, edges, new TraceOptions { MaxHops = 10, Fiats = ["USD", "JPY"] });
    }

    private static TraceResult Result(string chain, IReadOnlyList<TraceSeed> seeds, IReadOnlyList<TraceNode> nodes, IReadOnlyList<TraceEdge> edges, TraceOptions options) =>
        new(seeds, options, nodes, edges, new TraceSummary([], [], [], [], []), false, null, [], edges.Count);
}
