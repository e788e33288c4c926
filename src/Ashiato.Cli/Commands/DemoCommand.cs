using System.CommandLine;
using Ashiato.Chains.Bitcoin;
using Ashiato.Core;
using Ashiato.Export;
using Ashiato.Ingest.Bitcoin;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato demo</c>: simulates the small economy (seed 1) into <c>STORE/world</c>, ingests its Bitcoin-family chain
/// into the store and summarises it. With <c>--data DIR</c> it ingests real Bitcoin Core block files instead (mainnet
/// blocks 0–599 from ../shared/data). Each later stage (EVM chain, tags, clustering, tracing, reports) adds its step.
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("demo", "Simulate a small economy with hacks, ingest it into the store and summarise it (or --data DIR: real block files)");
        var data = new Option<string?>("--data") { Description = "Instead of the simulation: a directory with Bitcoin mainnet blk*.dat files (e.g. ../shared/data/bitcoin/nbitcoin)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated world", DefaultValueFactory = _ => 1 };
        // The demo ends by serving the UI once there is one; until then it always exits, and --no-serve (which scripts
        // and CI pass to be sure it exits) is accepted so that they keep working when the server lands.
        var noServe = new Option<bool>("--no-serve") { Description = "Exit after the summary instead of serving the UI (there is no UI server yet: the demo always exits)" };
        cmd.Options.Add(data);
        cmd.Options.Add(seed);
        cmd.Options.Add(noServe);
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(data) is null)
            {
                return await SimulatedAsync(ctx, parse, parse.GetValue(seed), ct).ConfigureAwait(false);
            }

            var dir = parse.GetValue(data)!;
            var blockFiles = Directory.EnumerateFiles(dir, "blk0000?.dat").Where(f => !f.Contains("incomplete", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (blockFiles.Count == 0)
            {
                throw new UserErrorException($"{dir}: no blk0000N.dat files");
            }

            using var store = ctx.OpenStore(parse, create: true);
            var ingestor = new BlockFileIngestor(store, new IngestOptions());
            IngestResult? last = null;
            foreach (var file in blockFiles)
            {
                last = await ingestor.RunAsync(file, "bitcoin", Network.BitcoinMain, null, ct).ConfigureAwait(false);
                ctx.Out.WriteLine($"ingested {Path.GetFileName(file)}: +{last.BlocksAdded} blocks, tip {last.TipHeight}");
            }

            using var utxo = store.OpenUtxoChain("bitcoin", null, create: false);
            var views = new UtxoViews(utxo);
            ctx.Out.WriteLine($"store {store.Path}: bitcoin heights {utxo.BaseHeight}..{utxo.TipHeight}, {utxo.TxCount} tx, {utxo.InputCount} inputs, {utxo.OutputCount} outputs, {utxo.AddressCount} addresses");
            var first = utxo.FindTx(Hash256.Parse("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"));
            if (first >= 0)
            {
                var tx = views.Tx(first);
                ctx.Out.WriteLine($"first person-to-person payment, block {tx.BlockNumber}: {string.Join(", ", tx.Inputs[0].Addresses)} paid " +
                    string.Join(" and ", tx.Outputs.Select(o => $"{Format.Coins(o.Value)} to {string.Join(",", o.Addresses)}")));
            }

            ctx.Out.WriteLine("next: ./ashiato status | ./ashiato show tx <txid> | ./ashiato show address <address> | ./ashiato export transactions");
            return 0;
        });
        return cmd;
    }

    private static async Task<int> SimulatedAsync(CliContext ctx, ParseResult parse, ulong seed, CancellationToken ct)
    {
        using var store = ctx.OpenStore(parse, create: true);
        var world = Path.Combine(store.Path, "world");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Simulation.Simulation.PrepareOutDir(world);
        var sim = Simulation.Simulation.Run(seed, Simulation.Simulation.ParseScale("small"), world, null, ct);
        ctx.Out.WriteLine($"1/7 simulated a small economy (seed {seed}): {sim.Ledger.Transactions:N0} tx in {sim.Ledger.Blocks:N0} blocks, " +
            $"{sim.Thefts} thefts -> {world} ({clock.Elapsed.TotalSeconds:0.0} s)");
        if (store.Chains().Contains("sim-bitcoin"))
        {
            ctx.Out.WriteLine("   the store already holds 'sim-bitcoin': ingest resumes from its tip");
        }

        var ingestor = new BlockFileIngestor(store, new IngestOptions());
        var result = await ingestor.RunAsync(Path.Combine(world, "bitcoin", "blocks"), "sim-bitcoin", Network.BitcoinRegtest, null, ct).ConfigureAwait(false);
        using (var utxo = store.OpenUtxoChain("sim-bitcoin", null, create: false))
        {
            ctx.Out.WriteLine($"2/7 ingested chain 'sim-bitcoin': +{result.BlocksAdded} blocks, heights {utxo.BaseHeight}..{utxo.TipHeight}, {utxo.TxCount:N0} tx, " +
                $"{utxo.OutputCount:N0} outputs, {utxo.AddressCount:N0} addresses ({clock.Elapsed.TotalSeconds:0.0} s in all)");
        }

        // What is publicly known about the world: its TagPacks and ActorPack (exchange hot wallets, the mixer, sanctioned addresses).
        var tagReport = new Intel.IntelImporter(new Intel.TagStore(store.Meta)).Import([Path.Combine(world, "tags")]);
        ctx.Out.WriteLine($"3/7 imported the world's TagPacks: {tagReport.TagsImported:N0} tags ({tagReport.Duplicates:N0} already known), {tagReport.ActorsImported:N0} actors");

        // Its reported incidents (IncidentPack): a rerun replaces them by id. Theft transactions are checked against the chains ingested so far.
        var incidentReport = new Intel.Incidents.IncidentImporter(new Intel.Incidents.IncidentStore(store.Meta), store).Import([Path.Combine(world, "incidents")]);
        ctx.Out.WriteLine($"   imported the world's IncidentPack: {incidentReport.Imported} incidents ({incidentReport.Rejected} rejected), theft transactions: " +
            $"{incidentReport.TransactionsFound} found in the store, {incidentReport.TransactionsMissing} missing, {incidentReport.TransactionsNotChecked} on chains not ingested yet " +
            "(see ./ashiato incidents list)");

        // Its daily prices (BTC in USD and JPY) as source "sim-world"; a rerun replaces that source's series.
        var prices = new Intel.Prices.PriceImporter(new Intel.Prices.PriceStore(store.Meta))
            .Import([Path.Combine(world, "prices")], new Intel.Prices.PriceImportOptions(Source: "sim-world"));
        ctx.Out.WriteLine($"   imported the world's prices: {string.Join(", ", prices.Series.Select(p => $"{p.Asset}-{p.Fiat} {p.Points:N0} days {p.FirstDate}..{p.LastDate}"))} " +
            "(source sim-world; see ./ashiato prices list)");

        // Clustering (multi-input with CoinJoins excluded; the default heuristics), continued incrementally on reruns.
        using (var utxo = store.OpenUtxoChain("sim-bitcoin", null, create: false))
        {
            var tags = Analysis.Entities.ChainTags.Load(utxo, new Intel.TagStore(store.Meta));
            var clusters = Analysis.Clustering.ClusterBuilder.Run(utxo, new Analysis.Clustering.HeuristicSet(),
                new Analysis.Clustering.ClusterOptions { Guard = tags.Guard });
            Analysis.Entities.ClusterLabels.Open(utxo, tags); // derived labels for entity show, trace and reports
            ctx.Out.WriteLine($"4/7 clustered 'sim-bitcoin': {clusters.Meta.Clusters:N0} clusters, the largest {clusters.Meta.LargestCluster:N0} addresses, " +
                $"{clusters.NewMerges:N0} new merges, {clusters.Meta.Refusals:N0} refused by the supercluster guard " +
                $"({(clusters.Incremental ? "continued" : "built")}; see ./ashiato explain A B, ./ashiato entity show NAME)");
        }

        // The EVM chain: served by the simulated node on a free local port, ingested over JSON-RPC like any node.
        await using (var node = Simulation.Evm.SimulatedEvmNode.Load(world))
        {
            node.Start(0);
            var rpc = new Chains.Evm.Rpc.EvmRpcClient(IngestCommand.Http, node.Url!);
            var evm = await new Ingest.Evm.EvmIngestor(store, new Ingest.Evm.EvmNodeSource(rpc), new IngestOptions())
                .RunAsync(new Ingest.Evm.EvmIngestRequest("sim-evm", node.ChainId, null, null, false, true, TimeSpan.FromSeconds(1)), null, ct).ConfigureAwait(false);
            ctx.Out.WriteLine($"5/7 ingested chain 'sim-evm' (chain id {evm.ChainId}) from the simulated node: +{evm.BlocksAdded} blocks, tip {evm.TipHeight}, " +
                $"{evm.Transactions:N0} tx, {evm.Transfers:N0} transfers, {evm.Tokens} tokens, traces: {evm.TraceMode} ({clock.Elapsed.TotalSeconds:0.0} s in all)");
        }

        // EVM deposit addresses (forwarding to tagged exchange hot wallets)
        using (var evmChain = store.OpenEvmChain("sim-evm", null, writer: false))
        {
            var evmClusters = Analysis.Evm.EvmClusterBuilder.Run(evmChain, Analysis.Evm.EvmTag.Load(new Intel.TagStore(store.Meta)), new Analysis.Evm.EvmClusterSettings());
            ctx.Out.WriteLine($"   clustered 'sim-evm': {evmClusters.Meta.Deposits:N0} exchange deposit addresses found by the deposit-address heuristic " +
                "(see ./ashiato cluster show ADDR --chain sim-evm)");
        }

        // 6: every incident traced forward from its theft transactions, across the bridge; 7: the reports
        var parameters = new Analysis.Reports.ReportParameters { Fiats = ["USD", "JPY"], ShareBasis = Analysis.Reports.ShareBasis.Reported, Generator = "ashiato demo" };
        var data = ReportData.Gather(store, parameters, trace: true);
        var edges = data.Traces.Sum(t => t.Result.Edges.Count);
        var bridged = data.Traces.Sum(t => t.Result.Edges.Count(e => e.Rule == Analysis.Tracing.TraceRules.BridgeFollow));
        ctx.Out.WriteLine($"6/7 traced {data.Traces.Count} incidents forward from their theft transactions (haircut, ≤ 20 hops, stop at exchanges, OTC brokers, mixers, CoinJoins; " +
            $"bridges followed): {edges:N0} edges, {bridged} bridge hop(s) ({clock.Elapsed.TotalSeconds:0.0} s in all)");
        if (data.Traces.FirstOrDefault(t => data.Incidents.Any(i => i.Id == t.IncidentId && i.Actor == "lazarus")) is { } hack)
        {
            var incident = data.Incidents.First(i => i.Id == hack.IncidentId);
            var r = hack.Result;
            ctx.Out.WriteLine($"   one hack's path: {incident.Title} ({incident.Date:yyyy-MM-dd}, {incident.VictimCountry}), {r.Edges.Count:N0} edges over " +
                $"{(r.Edges.Count == 0 ? 0 : r.Edges.Max(e => e.Hop))} hops{(r.Partial ? " (partial: " + r.PartialReason + ")" : "")}; where it went " +
                "(one row per party over both chains; share of the USD value at the trace's endpoints, valued when each edge ended):");

            // Shares by USD, not per asset: swaps turn one asset into another, so a share of the seeded ETH can pass 100 %.
            using var evmStore = store.OpenEvmChain("sim-evm", null, writer: false);
            var tokens = new Analysis.Tracing.Evm.EvmTokenInfo(evmStore);
            (string Symbol, int Decimals)? Token(string asset) =>
                Chains.Evm.EvmAddress.TryParse(asset, out var a) && evmStore.FindAddress(a) is var id and >= 0
                    && tokens.Get(id) is { Symbol: { } symbol, Decimals: { } decimals } ? (symbol, decimals) : null;
            var parties = r.Summary.ByEntity.GroupBy(t => t.Key, StringComparer.Ordinal)
                .Select(g => (Key: g.Key, Usd: g.Sum(t => t.Values.FirstOrDefault(v => v.Fiat == "USD")?.Amount ?? 0m),
                    Coins: string.Join("; ", g.OrderBy(t => t.Chain, StringComparer.Ordinal).ThenBy(t => t.Asset, StringComparer.Ordinal)
                        .Select(t => $"{TraceCoins(t.Tainted, t.Asset, t.Chain == "sim-evm" ? Token(t.Asset) : null).Trim()} ({t.Chain})"))))
                .ToList();
            var totalUsd = parties.Sum(p => p.Usd);
            foreach (var (key, usd, coins) in parties.OrderByDescending(p => p.Usd).ThenBy(p => p.Key, StringComparer.Ordinal).Take(6))
            {
                var share = totalUsd == 0 ? "n/a" : (usd / totalUsd * 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " %";
                ctx.Out.WriteLine($"     {key,-28} USD {usd.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture),13} {share,8}   {coins}");
            }

            ctx.Out.WriteLine($"   (./ashiato trace --chain {incident.Transactions[0].Chain} --tx {incident.Transactions[0].Tx} --format graphml --out hack.graphml)");
        }

        var actor = ReportData.BuildActorReport(store, data, data.Actor("lazarus"), trace: true);
        var doc = Analysis.Reports.ReportDocuments.From(actor);
        var reports = Path.Combine(store.Path, "reports");
        Directory.CreateDirectory(reports);
        foreach (var format in new[] { Analysis.Reports.Rendering.ReportOutputFormat.Markdown, Analysis.Reports.Rendering.ReportOutputFormat.Html })
        {
            foreach (var (name, content) in Analysis.Reports.Rendering.ReportRenderer.Render(doc, format, "actor-lazarus"))
            {
                File.WriteAllText(Path.Combine(reports, name), content, new System.Text.UTF8Encoding(false));
            }
        }

        ctx.Out.WriteLine("7/7 stolen value by victim country, actor Lazarus Group (the Nikkei/Elliptic table; reported USD, measured on chain):");
        var markdown = Analysis.Reports.Rendering.ReportRenderer.Render(doc, Analysis.Reports.Rendering.ReportOutputFormat.Markdown, "actor-lazarus")[0].Value;
        foreach (var line in Section(markdown, "## Where the money came from"))
        {
            ctx.Out.WriteLine("   " + line);
        }

        if (actor.Backtrace is { } back)
        {
            ctx.Out.WriteLine($"   measured without the incidents: traced backward from the {back.Seeds} addresses tagged Lazarus, by source country:");
            foreach (var line in Section(markdown, "## Where the actor's addresses got their money: by source country"))
            {
                ctx.Out.WriteLine("   " + line);
            }
        }

        ctx.Out.WriteLine($"   full report: {Path.Combine(reports, "actor-lazarus.html")} (and .md); ./ashiato report thefts | actor NAME | incident ID");
        ctx.Out.WriteLine("not yet in the demo: the web UI (no server yet, so the demo exits with or without --no-serve), typology findings");
        ctx.Out.WriteLine("next: ./ashiato status | ./ashiato show address <address> --chain sim-evm | ./ashiato export token_transfers --chain sim-evm | ./ashiato evaluate --truth " + world);
        return 0;
    }

    /// <summary>The table lines of the Markdown section whose heading starts with <paramref name="heading"/>.</summary>
    private static IEnumerable<string> Section(string markdown, string heading)
    {
        var inside = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inside = line.StartsWith(heading, StringComparison.Ordinal);
                continue;
            }

            if (inside && line.StartsWith('|'))
            {
                yield return line;
            }
        }
    }

    private static string TraceCoins(Core.UInt256 units, string asset, (string Symbol, int Decimals)? token = null)
    {
        if (token is { } t)
        {
            asset = t.Symbol;
        }

        var decimals = token?.Decimals ?? (asset is "ETH" ? 18 : asset.StartsWith("0x", StringComparison.Ordinal) ? 0 : 8);
        var big = units.ToBigInteger();
        if (decimals == 0)
        {
            return big.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                (token is null && asset.Length > 10 ? " units of " + asset[..10] + "…" : " " + asset);
        }

        var scale = System.Numerics.BigInteger.Pow(10, decimals);
        var whole = System.Numerics.BigInteger.DivRem(big, scale, out var frac);
        var digits = frac.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(decimals, '0');
        return whole.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + digits[..Math.Min(decimals, 8)] + " " + asset;
    }
}
