using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Ashiato.Simulation.Evm;

/// <summary>What the EVM half of a run produced.</summary>
public sealed record EvmSimulationSummary(long Blocks, long Transactions, long Logs, long InternalCalls, long FailedTransactions, int Thefts, int BridgeHops, int Lots);

/// <summary>
/// Runs the EVM chain after the Bitcoin one and writes <c>evm/chain.jsonl</c> (one block a line: the JSON a node
/// answers), <c>evm/state.csv</c> (balance history), <c>evm/chain.json</c> (chain id, tokens, contracts),
/// <c>truth/evm-addresses.csv</c> and <c>truth/evm-ground-truth.json</c>.
/// </summary>
internal static class EvmOutput
{
    public const string ChainName = "sim-evm";

    /// <summary>The EVM economy writing <c>evm/chain.jsonl</c>; run it in step with the Bitcoin one (<see cref="EconomySimulator.BeforeDay"/>).</summary>
    public static EvmEconomy Create(string outDir, ulong seed, long targetTx, EconomySimulator btc)
    {
        var dir = Path.Combine(outDir, "evm");
        Directory.CreateDirectory(dir);
        return new EvmEconomy(seed, targetTx, btc, Path.Combine(dir, SimulatedEvmNode.ChainFile));
    }

    /// <summary>Writes the rest of the EVM output once both chains are finished.</summary>
    public static EvmSimulationSummary Write(string outDir, ulong seed, EvmEconomy eco, EconomySimulator btc)
    {
        var dir = Path.Combine(outDir, "evm");
        var chain = eco.Chain;
        chain.WriteState(Path.Combine(dir, SimulatedEvmNode.StateFile));
        WriteInfo(Path.Combine(dir, SimulatedEvmNode.InfoFile), eco);
        WriteAddresses(Path.Combine(outDir, "truth", "evm-addresses.csv"), eco);
        WriteTruth(Path.Combine(outDir, "truth", "evm-ground-truth.json"), seed, eco);
        WriteTagPack(Path.Combine(outDir, "tags", "evm.yaml"), eco, btc.World);
        return new EvmSimulationSummary(chain.Number + 1, chain.Transactions, chain.Logs, chain.Calls, chain.FailedTransactions, eco.Thefts.Count,
            eco.BridgeHops.Count, eco.Lots.Count);
    }

    private static void WriteInfo(string path, EvmEconomy eco)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("chain", ChainName);
        w.WriteNumber("chain_id", EvmChainBuilder.ChainId);
        w.WriteNumber("blocks", eco.Chain.Number + 1);
        w.WriteNumber("tip", eco.Chain.Number);
        w.WriteString("tip_hash", eco.Chain.ParentHash.ToString());
        w.WriteNumber("transactions", eco.Chain.Transactions);
        w.WriteString("burnt_wei", eco.Chain.Burnt.ToString(CultureInfo.InvariantCulture));
        w.WriteStartArray("contracts");
        foreach (var c in eco.ContractList)
        {
            w.WriteStartObject();
            w.WriteString("address", c.Address.ToString());
            w.WriteString("entity", c.Entity);
            w.WriteString("kind", c.Kind);
            w.WriteNumber("block", c.Block);
            if (c.Symbol is not null)
            {
                w.WriteString("name", c.Name);
                w.WriteString("symbol", c.Symbol);
                w.WriteNumber("decimals", c.Decimals!.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// The EVM TagPack: what the services publish or block explorers label — exchange hot wallets, the OTC desk, the bridge
    /// operator, the AMM pools, the lending vault, the mixer contract and its relayer. Customers' deposit addresses, retail
    /// wallets and the hackers' addresses are not tagged (clustering and tracing have to find them).
    /// </summary>
    private static void WriteTagPack(string path, EvmEconomy eco, World world)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var sb = new System.Text.StringBuilder();
        sb.Append("title: 'Simulated EVM service addresses'\n")
            .Append("creator: ashiato simulate\n")
            .Append("description: 'Addresses of the simulated services on the sim-evm chain (exchange hot wallets, OTC, bridge, DeFi, mixer)'\n")
            .Append("is_public: true\n")
            .Append("lastmod: 2025-01-01\n")
            .Append("currency: ETH\n")
            .Append("confidence: service_data\n")
            .Append("source: https://example.invalid/ashiato-simulation/evm\n")
            .Append("tags:\n");
        var byId = world.Entities.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var own = EvmEconomy.OwnEntities.ToDictionary(e => e.Id, StringComparer.Ordinal);
        string NameOf(string id) => byId.TryGetValue(id, out var e) ? e.Name : own.TryGetValue(id, out var o) ? o.Name : id;
        void Tag(Ashiato.Chains.Evm.EvmAddress address, string entity, string label, string category)
        {
            sb.Append("- address: ").Append(address.ToString()).Append('\n')
                .Append("  label: ").Append(Simulation.Yaml(label)).Append('\n')
                .Append("  category: ").Append(category).Append('\n');
            if (byId.TryGetValue(entity, out var e) && e.Actor is not null)
            {
                sb.Append("  actor: ").Append(e.Actor).Append('\n');
            }
            else if (own.TryGetValue(entity, out var o))
            {
                // the chain's own services (DeFi protocols, issuer, mixer) have no actor: name the entity, and its country when known
                sb.Append("  entity: ").Append(o.Id).Append('\n');
                if (o.Country != "ZZ")
                {
                    sb.Append("  country: ").Append(o.Country).Append('\n');
                }
            }
        }

        foreach (var (address, entity, role) in eco.Addresses)
        {
            switch (role)
            {
                case "hot":
                    Tag(address, entity, NameOf(entity) + " hot wallet", "exchange");
                    break;
                case "otc":
                    Tag(address, entity, NameOf(entity) + " desk", "otc");
                    break;
                case "bridge-operator":
                    Tag(address, entity, NameOf(entity) + " operator", "defi_bridge");
                    break;
                case "relayer":
                    Tag(address, entity, NameOf(entity), "mixing_service");
                    break;
            }
        }

        foreach (var c in eco.ContractList)
        {
            switch (c.Kind)
            {
                case "pool":
                    Tag(c.Address, c.Entity, NameOf(c.Entity) + " pool", "defi_dex");
                    break;
                case "vault":
                    Tag(c.Address, c.Entity, NameOf(c.Entity) + " vault", "defi_lending");
                    break;
                case "mixer":
                    Tag(c.Address, c.Entity, NameOf(c.Entity), "mixing_service");
                    break;
                case "token" when c.Entity == world.Bridge.Id:
                    Tag(c.Address, c.Entity, c.Name + " (bridge token)", "defi_bridge");
                    break;
            }
        }

        // the thieves' receiving addresses, as a sanctions designation would name them after the hacks (like the Bitcoin sanctions list)
        var named = new HashSet<Ashiato.Chains.Evm.EvmAddress>();
        foreach (var theft in eco.Thefts)
        {
            foreach (var id in theft.Lots)
            {
                if (named.Add(eco.Lots[id].Holder))
                {
                    Tag(eco.Lots[id].Holder, theft.HackerId, NameOf(theft.HackerId) + " (" + theft.Id + ")", "perpetrator");
                }
            }
        }

        File.WriteAllText(path, sb.ToString(), World.Utf8);
    }

    private static void WriteAddresses(string path, EvmEconomy eco)
    {
        using var w = new StreamWriter(path, false, World.Utf8, 1 << 16) { NewLine = "\n" };
        w.Write("address,entity,role\n");
        foreach (var (address, entity, role) in eco.Addresses)
        {
            w.Write($"{address},{entity},{role}\n");
        }
    }

    private static string Amount(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static void WriteTruth(string path, ulong seed, EvmEconomy eco)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("note", "Ground truth of the simulated EVM chain: never read by the analysis. Amounts in the asset's smallest unit (wei, 1e-6 USDT, sat for sBTC).");
        w.WriteNumber("seed", seed);
        w.WriteString("chain", ChainName);
        w.WriteNumber("chain_id", EvmChainBuilder.ChainId);
        w.WriteString("addresses_file", "evm-addresses.csv");
        w.WriteStartArray("entities");
        foreach (var e in EvmEconomy.OwnEntities)
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            w.WriteString("name", e.Name);
            w.WriteString("kind", e.Kind);
            w.WriteString("country", e.Country);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("thefts");
        foreach (var t in eco.Thefts)
        {
            w.WriteStartObject();
            w.WriteString("id", t.Id);
            w.WriteString("title", t.Title);
            w.WriteString("actor", t.Actor);
            w.WriteString("hacker", t.HackerId);
            w.WriteString("victim", t.VictimId);
            w.WriteString("date", t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("block", t.Block);
            w.WriteStartArray("transactions");
            foreach (var tx in t.Txs)
            {
                w.WriteStringValue(tx);
            }

            w.WriteEndArray();
            w.WriteStartArray("stolen_lots");
            foreach (var l in t.Lots)
            {
                w.WriteNumberValue(l);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("bridge_hops");
        foreach (var h in eco.BridgeHops)
        {
            w.WriteStartObject();
            w.WriteString("theft", h.TheftId);
            w.WriteString("btc_outpoint", h.BtcOutpoint);
            w.WriteNumber("btc_amount_sat", h.BtcAmountSat);
            w.WriteString("evm_tx", h.EvmTx);
            w.WriteNumber("evm_block", h.EvmBlock);
            w.WriteString("evm_to", h.To.ToString());
            w.WriteString("minted", Amount(h.Minted));
            w.WriteString("bridge_fee", Amount(h.Fee));
            w.WriteNumber("lot", h.Lot);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        OutputWriters.WriteBridgeReturns(w, eco.BridgeReturns);
        w.WriteStartArray("lots");
        foreach (var l in eco.Lots)
        {
            w.WriteStartObject();
            w.WriteNumber("id", l.Id);
            w.WriteString("theft", l.TheftId);
            w.WriteString("hacker", l.HackerId);
            if (l.Parent is null)
            {
                w.WriteNull("parent");
            }
            else
            {
                w.WriteString("parent", l.Parent);
            }

            w.WriteString("origin", l.Origin);
            w.WriteString("asset", l.Asset);
            w.WriteString("amount", Amount(l.Amount));
            w.WriteString("holder", l.Holder.ToString());
            w.WriteString("tx", l.Tx);
            w.WriteNumber("block", l.Block);
            w.WriteNumber("hops", l.Hops);
            w.WriteStartArray("children");
            foreach (var c in l.Children)
            {
                w.WriteNumberValue(c);
            }

            w.WriteEndArray();
            if (l.EndKind is not null)
            {
                w.WriteStartObject("end");
                w.WriteString("kind", l.EndKind);
                w.WriteString("entity", l.EndEntity);
                if (l.EndTx is not null)
                {
                    w.WriteString("tx", l.EndTx);
                }

                w.WriteString("service_fee", Amount(l.ServiceFee));
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
