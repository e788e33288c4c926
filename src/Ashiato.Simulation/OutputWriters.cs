using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ashiato.Simulation;

/// <summary>TagPacks (GraphSense YAML), the IncidentPack and the ground truth.</summary>
internal static class OutputWriters
{
    private const string LastMod = "2025-01-01";

    public static void WriteTagPacks(string outDir, EconomySimulator sim)
    {
        var dir = Path.Combine(outDir, "tags");
        Directory.CreateDirectory(dir);
        var w = sim.World;

        var ex = new StringBuilder();
        Header(ex, "Simulated exchange hot wallets", "Hot wallet addresses the simulated exchanges publish (proof of reserves)", "exchange",
            "service_data", "https://example.invalid/ashiato-simulation/exchanges");
        foreach (var e in w.Exchanges)
        {
            foreach (var a in e.Fixed)
            {
                ex.Append("- address: ").Append(a.Text).Append('\n')
                    .Append("  label: ").Append(Simulation.Yaml(e.Name + " hot wallet")).Append('\n')
                    .Append("  actor: ").Append(e.Actor).Append('\n');
            }
        }

        File.WriteAllText(Path.Combine(dir, "exchanges.yaml"), ex.ToString(), Simulation.Utf8);

        var svc = new StringBuilder();
        Header(svc, "Simulated mixing services", "The custodial mixer's reserve addresses and the CoinJoin coordinator's fee addresses", "mixing_service",
            "web_crawl", "https://example.invalid/ashiato-simulation/mixers");
        foreach (var (e, label) in new[] { (w.Mixer, "Tumbleweed Mixer reserve"), (w.Coordinator, "CoinJoin coordinator fee") })
        {
            foreach (var a in e.Fixed)
            {
                svc.Append("- address: ").Append(a.Text).Append('\n')
                    .Append("  label: ").Append(Simulation.Yaml(label)).Append('\n')
                    .Append("  actor: ").Append(e.Actor).Append('\n');
            }
        }

        svc.Append("- address: ").Append(w.Bridge.Fixed[0].Text).Append('\n')
            .Append("  label: ").Append(Simulation.Yaml("Shoreline Bridge custody")).Append('\n')
            .Append("  category: defi_bridge\n")
            .Append("  actor: ").Append(w.Bridge.Actor).Append('\n');
        File.WriteAllText(Path.Combine(dir, "services.yaml"), svc.ToString(), Simulation.Utf8);

        var sanctions = new StringBuilder();
        Header(sanctions, "Simulated sanctions list", "Addresses named in simulated sanctions designations after the reported hacks", "perpetrator",
            "authority_data", "https://example.invalid/ashiato-simulation/sanctions");
        foreach (var (address, theft) in sim.Sanctioned)
        {
            sanctions.Append("- address: ").Append(address).Append('\n')
                .Append("  label: ").Append(Simulation.Yaml(theft.Hacker.Name + " (" + theft.Plan.Id + ")")).Append('\n')
                .Append("  actor: ").Append(theft.Hacker.Actor).Append('\n')
                .Append("  is_sanctioned: true\n");
        }

        File.WriteAllText(Path.Combine(dir, "sanctions.yaml"), sanctions.ToString(), Simulation.Utf8);

        var actors = new StringBuilder("title: Ashiato simulated actors\ncreator: ashiato simulate\ndescription: The named actors of the simulated economy\nlastmod: '")
            .Append(LastMod).Append("'\nactors:\n");
        foreach (var e in w.Entities.Where(e => e.Actor is not null))
        {
            actors.Append("- id: ").Append(e.Actor).Append('\n')
                .Append("  label: ").Append(Simulation.Yaml(e.Name)).Append('\n')
                .Append("  jurisdictions: ").Append(e.Country == "ZZ" ? "[]" : "\n  - " + e.Country).Append('\n')
                .Append("  categories:\n  - ").Append(Category(e.Kind)).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "actors.actorpack.yaml"), actors.ToString(), Simulation.Utf8);
    }

    private static string Category(EntityKind kind) => kind switch
    {
        EntityKind.Exchange => "exchange",
        EntityKind.Mixer => "mixing_service",
        EntityKind.CoinJoinCoordinator => "coinjoin",
        EntityKind.Bridge => "bridge",
        EntityKind.Otc => "otc",
        EntityKind.Hacker => "perpetrator",
        _ => "user",
    };

    private static void Header(StringBuilder sb, string title, string description, string category, string confidence, string source) =>
        sb.Append("title: ").Append(Simulation.Yaml(title)).Append('\n')
            .Append("creator: ashiato simulate\n")
            .Append("description: ").Append(Simulation.Yaml(description)).Append('\n')
            .Append("is_public: true\n")
            .Append("lastmod: ").Append(LastMod).Append('\n')
            .Append("currency: BTC\n")
            .Append("network: bitcoin-regtest\n")
            .Append("category: ").Append(category).Append('\n')
            .Append("confidence: ").Append(confidence).Append('\n')
            .Append("source: ").Append(source).Append('\n')
            .Append("tags:\n");

    /// <summary>
    /// The IncidentPack (docs/formats/incidentpacks.md): one incident per planned hack, with its theft transactions and
    /// receiving addresses on the Bitcoin chain (<c>sim-bitcoin</c>) and the EVM chain (<c>sim-evm</c>), the loss per
    /// asset in base units (USD where the world has a price: BTC and sBTC from <c>prices/btc-usd.csv</c>, USDT at face
    /// value; none for ETH), the victim, its country and type, and the attributed actor. The EVM thefts are taken from
    /// <c>truth/evm-ground-truth.json</c> and <c>evm/chain.json</c>, which the EVM half wrote before this.
    /// </summary>
    public static void WriteIncidents(string outDir, EconomySimulator sim)
    {
        var dir = Path.Combine(outDir, "incidents");
        Directory.CreateDirectory(dir);
        var evm = EvmIncidents(outDir);
        var btcPrices = UsdPrices(outDir, "btc-usd.csv");
        var ethPrices = UsdPrices(outDir, "eth-usd.csv");
        var usdtPrices = UsdPrices(outDir, "usdt-usd.csv");
        var incidents = new SortedDictionary<(DateOnly, string), SimIncident>();
        foreach (var t in sim.Thefts)
        {
            var i = new SimIncident(t.Plan.Id, t.Plan.Title, t.Day, t.Victim.Actor ?? t.Victim.Id, t.Victim.Name, t.Victim.Country,
                VictimType(t.Victim.Kind), t.Hacker.Actor ?? t.Hacker.Id);
            i.BtcOutputs.AddRange(t.StolenOutputs);
            i.BtcAddresses.AddRange(sim.Sanctioned.Where(s => s.Theft == t).Select(s => s.Address));
            i.Losses.Add(new SimLoss("BTC", "sim-bitcoin", null, t.Loss.ToString(CultureInfo.InvariantCulture), 8, t.LossUsd, BtcPriceSource(t.Day)));
            incidents[(t.Day, t.Plan.Id)] = i;
        }

        foreach (var e in evm)
        {
            var key = incidents.Keys.FirstOrDefault(k => k.Item2 == e.Id);
            if (key.Item2 is null)
            {
                var world = sim.World.Entities.FirstOrDefault(x => x.Id == e.Victim);
                var own = Evm.EvmEconomy.OwnEntities.FirstOrDefault(x => x.Id == e.Victim);
                var i = new SimIncident(e.Id, e.Title, e.Date, world?.Actor ?? e.Victim, world?.Name ?? own?.Name ?? e.Victim,
                    world?.Country ?? own?.Country ?? "ZZ", world is not null ? VictimType(world.Kind) : own?.Kind is "DeFi" or "Dex" ? "defi_protocol" : null, e.Actor);
                key = (e.Date, e.Id);
                incidents[key] = i;
            }

            var incident = incidents[key];
            incident.EvmTxs.AddRange(e.Txs);
            incident.EvmAddresses.AddRange(e.Holders);
            foreach (var (asset, token, decimals, amount) in e.Losses)
            {
                decimal? usd = asset switch
                {
                    "USDT" when usdtPrices.TryGetValue(e.Date, out var p) => decimal.Round((decimal)amount * p / 1_000_000m, 2, MidpointRounding.ToEven),
                    "sBTC" when btcPrices.TryGetValue(e.Date, out var p) => decimal.Round((decimal)amount * p / 100_000_000m, 2, MidpointRounding.ToEven),
                    "ETH" when ethPrices.TryGetValue(e.Date, out var p) => decimal.Round((decimal)(amount / 1_000_000_000) * p / 1_000_000_000m, 2, MidpointRounding.ToEven),
                    _ => null,
                };
                var source = asset switch
                {
                    "USDT" => PriceSource("USDT", e.Date, "usdt-usd.csv"),
                    "sBTC" => BtcPriceSource(e.Date) + "; sBTC is 1:1 bridged BTC",
                    "ETH" => PriceSource("ETH", e.Date, "eth-usd.csv"),
                    _ => null,
                };
                incident.Losses.Add(new SimLoss(asset, "sim-evm", token, amount.ToString(CultureInfo.InvariantCulture), decimals, usd, usd is null ? null : source));
            }
        }

        var sb = new StringBuilder("title: Ashiato simulated incidents\ncreator: ashiato simulate\n")
            .Append("description: The hacks of the simulated world as a victim, the press and investigators would report them\n")
            .Append("lastmod: ").Append(LastMod).Append('\n')
            .Append("confidence: forensic\n")
            .Append("attribution_source: https://example.invalid/ashiato-simulation/attribution\n")
            .Append("incidents:\n");
        foreach (var i in incidents.Values)
        {
            sb.Append("- id: ").Append(i.Id).Append('\n')
                .Append("  title: ").Append(Simulation.Yaml(i.Title)).Append('\n')
                .Append("  date: ").Append(i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n')
                .Append("  victim: ").Append(i.Victim).Append('\n')
                .Append("  victim_name: ").Append(Simulation.Yaml(i.VictimName)).Append('\n');
            if (i.Country != "ZZ")
            {
                sb.Append("  victim_country: ").Append(i.Country).Append('\n');
            }

            if (i.VictimType is not null)
            {
                sb.Append("  victim_type: ").Append(i.VictimType).Append('\n');
            }

            sb.Append("  chains:\n");
            if (i.BtcOutputs.Count > 0 || i.BtcAddresses.Count > 0)
            {
                sb.Append("  - chain: sim-bitcoin\n    network: bitcoin-regtest\n    transactions:\n");
                foreach (var o in i.BtcOutputs)
                {
                    var colon = o.LastIndexOf(':');
                    sb.Append("    - txid: ").Append(o[..colon]).Append("\n      output: ").Append(o[(colon + 1)..]).Append('\n');
                }

                Addresses(sb, i.BtcAddresses);
            }

            if (i.EvmTxs.Count > 0 || i.EvmAddresses.Count > 0)
            {
                sb.Append("  - chain: ").Append(Evm.EvmOutput.ChainName).Append("\n    network: evm\n    transactions:\n");
                foreach (var tx in i.EvmTxs.Distinct())
                {
                    sb.Append("    - ").Append(tx).Append('\n');
                }

                Addresses(sb, i.EvmAddresses.Distinct().ToList());
            }

            sb.Append("  losses:\n");
            foreach (var l in i.Losses)
            {
                sb.Append("  - asset: ").Append(l.Asset).Append('\n')
                    .Append("    chain: ").Append(l.Chain).Append('\n');
                if (l.Token is not null)
                {
                    sb.Append("    token: '").Append(l.Token).Append("'\n");
                }

                sb.Append("    amount: '").Append(l.Amount).Append("'\n")
                    .Append("    decimals: ").Append(l.Decimals.ToString(CultureInfo.InvariantCulture)).Append('\n');
                if (l.Usd is { } usd)
                {
                    sb.Append("    usd: '").Append(usd.ToString("F2", CultureInfo.InvariantCulture)).Append("'\n")
                        .Append("    usd_source: ").Append(Simulation.Yaml(l.UsdSource!)).Append('\n');
                }
            }

            if (i.Losses.Count > 0 && i.Losses.All(l => l.Usd is not null))
            {
                sb.Append("  loss_usd: '").Append(i.Losses.Sum(l => l.Usd!.Value).ToString("F2", CultureInfo.InvariantCulture)).Append("'\n")
                    .Append("  loss_usd_source: sum of the losses above\n");
            }

            sb.Append("  attributed_actor: ").Append(i.Actor).Append('\n')
                .Append("  references:\n  - https://example.invalid/ashiato-simulation/incidents/").Append(i.Id).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "incidents.yaml"), sb.ToString(), Simulation.Utf8);
    }

    private static void Addresses(StringBuilder sb, List<string> addresses)
    {
        if (addresses.Count == 0)
        {
            return;
        }

        sb.Append("    addresses:\n");
        foreach (var a in addresses)
        {
            sb.Append("    - '").Append(a).Append("'\n");
        }
    }

    private static string? VictimType(EntityKind kind) => kind switch
    {
        EntityKind.Exchange => "centralised_exchange",
        EntityKind.Bridge => "bridge",
        EntityKind.Retail or EntityKind.Merchant => "individual",
        _ => null,
    };

    private static string BtcPriceSource(DateOnly day) =>
        "simulated BTC/USD price of " + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " (prices/btc-usd.csv)";

    private static string PriceSource(string asset, DateOnly day, string file) =>
        "simulated " + asset + "/USD price of " + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " (prices/" + file + ")";

    private static Dictionary<DateOnly, decimal> UsdPrices(string outDir, string file)
    {
        var prices = new Dictionary<DateOnly, decimal>();
        var path = Path.Combine(outDir, "prices", file);
        if (!File.Exists(path))
        {
            return prices;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var comma = line.IndexOf(',');
            if (comma > 0 && DateOnly.TryParseExact(line[..comma], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                && decimal.TryParse(line[(comma + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price))
            {
                prices[day] = price;
            }
        }

        return prices;
    }

    private sealed record EvmIncident(string Id, string Title, DateOnly Date, string Victim, string Actor, List<string> Txs, List<string> Holders,
        List<(string Asset, string? Token, int Decimals, System.Numerics.BigInteger Amount)> Losses);

    /// <summary>The EVM thefts: their theft lots' transactions, receiving addresses and amounts per asset (lot order).</summary>
    private static List<EvmIncident> EvmIncidents(string outDir)
    {
        var truthPath = Path.Combine(outDir, "truth", "evm-ground-truth.json");
        var infoPath = Path.Combine(outDir, "evm", Evm.SimulatedEvmNode.InfoFile);
        var list = new List<EvmIncident>();
        if (!File.Exists(truthPath) || !File.Exists(infoPath))
        {
            return list;
        }

        using var truth = JsonDocument.Parse(File.ReadAllBytes(truthPath));
        using var info = JsonDocument.Parse(File.ReadAllBytes(infoPath));
        var tokens = new Dictionary<string, (string Address, int Decimals)>(StringComparer.Ordinal);
        foreach (var c in info.RootElement.GetProperty("contracts").EnumerateArray())
        {
            if (c.TryGetProperty("symbol", out var symbol))
            {
                tokens[symbol.GetString()!] = (c.GetProperty("address").GetString()!.ToLowerInvariant(), c.GetProperty("decimals").GetInt32());
            }
        }

        var lots = truth.RootElement.GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetInt32());
        foreach (var t in truth.RootElement.GetProperty("thefts").EnumerateArray())
        {
            var e = new EvmIncident(t.GetProperty("id").GetString()!, t.GetProperty("title").GetString()!,
                DateOnly.ParseExact(t.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture), t.GetProperty("victim").GetString()!,
                t.GetProperty("actor").GetString()!, [], [], []);
            var sums = new List<(string Asset, System.Numerics.BigInteger Amount)>();
            foreach (var id in t.GetProperty("stolen_lots").EnumerateArray())
            {
                var lot = lots[id.GetInt32()];
                e.Txs.Add(lot.GetProperty("tx").GetString()!);
                e.Holders.Add(lot.GetProperty("holder").GetString()!.ToLowerInvariant());
                var asset = lot.GetProperty("asset").GetString()!;
                var amount = System.Numerics.BigInteger.Parse(lot.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
                var at = sums.FindIndex(s => s.Asset == asset);
                if (at < 0)
                {
                    sums.Add((asset, amount));
                }
                else
                {
                    sums[at] = (asset, sums[at].Amount + amount);
                }
            }

            foreach (var (asset, amount) in sums)
            {
                var (token, decimals) = tokens.TryGetValue(asset, out var tk) ? (tk.Address, tk.Decimals) : ((string?)null, 18);
                e.Losses.Add((asset, token, decimals, amount));
            }

            list.Add(e);
        }

        return list;
    }

    private sealed class SimIncident(string id, string title, DateOnly date, string victim, string victimName, string country, string? victimType, string actor)
    {
        public string Id { get; } = id;

        public string Title { get; } = title;

        public DateOnly Date { get; } = date;

        public string Victim { get; } = victim;

        public string VictimName { get; } = victimName;

        public string Country { get; } = country;

        public string? VictimType { get; } = victimType;

        public string Actor { get; } = actor;

        public List<string> BtcOutputs { get; } = [];

        public List<string> BtcAddresses { get; } = [];

        public List<string> EvmTxs { get; } = [];

        public List<string> EvmAddresses { get; } = [];

        public List<SimLoss> Losses { get; } = [];
    }

    private sealed record SimLoss(string Asset, string Chain, string? Token, string Amount, int Decimals, decimal? Usd, string? UsdSource);

    public static void WriteGroundTruth(string outDir, ulong seed, EconomySimulator sim)
    {
        using var stream = File.Create(Path.Combine(outDir, "truth", "ground-truth.json"));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("note", "Ground truth of the simulation: never read by the analysis.");
        w.WriteNumber("seed", seed);
        w.WriteString("addresses_file", "addresses.csv");
        w.WriteStartArray("entities");
        foreach (var e in sim.World.Entities)
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            w.WriteString("name", e.Name);
            w.WriteString("kind", e.Kind.ToString());
            w.WriteString("country", e.Country);
            if (e.Actor is not null)
            {
                w.WriteString("actor", e.Actor);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("thefts");
        foreach (var t in sim.Thefts)
        {
            w.WriteStartObject();
            w.WriteString("id", t.Plan.Id);
            w.WriteString("actor", t.Hacker.Actor);
            w.WriteString("victim", t.Victim.Id);
            w.WriteString("date", t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("height", t.Height);
            w.WriteString("txid", t.TxId);
            w.WriteNumber("loss_sat", t.Loss);
            w.WriteNumber("theft_fee_sat", t.TheftFee);
            w.WriteNumber("stolen_sat", t.Stolen);
            w.WriteStartArray("stolen_outputs");
            foreach (var o in t.StolenOutputs)
            {
                w.WriteStringValue(o);
            }

            w.WriteEndArray();
            w.WriteStartArray("segments");
            foreach (var s in t.Segments)
            {
                WriteSegment(w, s);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteBridgeReturns(w, sim.BridgeReturns);
        w.WriteStartArray("open_mixer_jobs");
        foreach (var job in sim.OpenMixJobs.Where(j => j.From is not null))
        {
            w.WriteStartObject();
            w.WriteString("theft", job.From!.Theft.Plan.Id);
            w.WriteNumber("owed_sat", job.Owed);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>bridge_returns</c> (in both truth files): each EVM burn of wrapped BTC, the Bitcoin destination it names and the
    /// release paying it (null while unpaid when the chain ended), with the segment the release starts.
    /// </summary>
    public static void WriteBridgeReturns(Utf8JsonWriter w, IReadOnlyList<BridgeReturn> returns)
    {
        w.WriteStartArray("bridge_returns");
        foreach (var r in returns)
        {
            w.WriteStartObject();
            w.WriteString("theft", r.TheftId);
            w.WriteString("hacker", r.HackerId);
            w.WriteString("evm_burn_tx", r.BurnTx);
            w.WriteNumber("evm_lot", r.Lot);
            w.WriteNumber("burned", r.Burned);
            w.WriteNumber("bridge_fee_sat", r.BridgeFee);
            w.WriteString("btc_destination", r.To.Text);
            if (r.ReleaseTxId is null)
            {
                w.WriteNull("btc_release_outpoint");
            }
            else
            {
                w.WriteString("btc_release_outpoint", r.ReleaseTxId + ":0");
                w.WriteNumber("btc_released_sat", r.Released);
                w.WriteNumber("btc_release_height", r.ReleaseHeight);
                w.WriteString("btc_release_date", r.ReleaseDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteNumber("segment", r.Segment);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteSegment(Utf8JsonWriter w, Segment s)
    {
        w.WriteStartObject();
        w.WriteNumber("index", s.Index);
        w.WriteString("kind", s.Kind);
        if (s.Parent is not null)
        {
            w.WriteString("parent", s.Parent);
        }

        w.WriteNumber("amount_in_sat", s.AmountIn);
        w.WriteNumber("mining_fees_sat", s.MiningFees);
        w.WriteNumber("service_fees_sat", s.ServiceFees);
        w.WriteStartArray("sources");
        foreach (var src in s.Sources)
        {
            w.WriteStringValue(src);
        }

        w.WriteEndArray();
        w.WriteStartArray("hops");
        foreach (var h in s.Hops)
        {
            w.WriteStartObject();
            w.WriteString("kind", h.Kind);
            w.WriteString("txid", h.TxId);
            w.WriteNumber("in_sat", h.AmountIn);
            w.WriteNumber("out_sat", h.AmountOut);
            w.WriteNumber("mining_fee_sat", h.MiningFee);
            w.WriteNumber("service_fee_sat", h.ServiceFee);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("endpoints");
        foreach (var e in s.Endpoints)
        {
            w.WriteStartObject();
            w.WriteString("kind", e.Kind);
            w.WriteString("entity", e.EntityId);
            w.WriteString("outpoint", $"{e.TxId}:{e.Vout}");
            w.WriteNumber("amount_sat", e.Amount);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
