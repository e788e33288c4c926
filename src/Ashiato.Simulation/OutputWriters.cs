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
            .Append("  category: bridge\n")
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
        EntityKind.Otc => "otc_broker",
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

    public static void WriteIncidents(string outDir, EconomySimulator sim)
    {
        var dir = Path.Combine(outDir, "incidents");
        Directory.CreateDirectory(dir);
        var sb = new StringBuilder("title: Ashiato simulated incidents\ncreator: ashiato simulate\nlastmod: ").Append(LastMod).Append("\nincidents:\n");
        foreach (var t in sim.Thefts)
        {
            sb.Append("- id: ").Append(t.Plan.Id).Append('\n')
                .Append("  title: ").Append(Simulation.Yaml(t.Plan.Title)).Append('\n')
                .Append("  date: ").Append(t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n')
                .Append("  victim: ").Append(t.Victim.Actor).Append('\n')
                .Append("  victim_name: ").Append(Simulation.Yaml(t.Victim.Name)).Append('\n')
                .Append("  victim_country: ").Append(t.Victim.Country).Append('\n')
                .Append("  victim_type: exchange\n")
                .Append("  chain: bitcoin-regtest\n")
                .Append("  transactions:\n  - ").Append(t.TxId).Append('\n')
                .Append("  loss:\n  - asset: BTC\n    amount_sat: ").Append(t.Loss.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("    usd: ").Append(t.LossUsd.ToString("F2", CultureInfo.InvariantCulture)).Append('\n')
                .Append("  loss_usd: ").Append(t.LossUsd.ToString("F2", CultureInfo.InvariantCulture)).Append('\n')
                .Append("  attributed_actor: ").Append(t.Hacker.Actor).Append('\n')
                .Append("  source: https://example.invalid/ashiato-simulation/incidents/").Append(t.Plan.Id).Append('\n');
        }

        File.WriteAllText(Path.Combine(dir, "incidents.yaml"), sb.ToString(), Simulation.Utf8);
    }

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
