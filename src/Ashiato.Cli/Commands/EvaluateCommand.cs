using System.CommandLine;
using System.Globalization;
using System.Text;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato evaluate --truth WORLD</c>: scores what the store concluded against a simulated world's ground truth and
/// writes it as Markdown (docs/accuracy.md). Stages that do not exist yet are reported as missing — never as zero or
/// as perfect. Clustering is scored when `ashiato cluster` has run on the chain; the data check (is the world's chain in the
/// store, whole?) always runs.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>The line after which the report file holds sections evaluate does not write; they are kept on every run.</summary>
    public const string KeptMarker = "<!-- kept by ashiato evaluate: the sections below are measured elsewhere -->";

    /// <summary>The analysis stages evaluate scores, with the metric each will get.</summary>
    private static readonly (string Stage, string Metric)[] Stages =
    [
        ("clustering", "pairwise precision and recall; per-entity completeness"),
        ("attribution", "share of stolen value attributed to the right actor and victim country"),
        ("tracing", "share of stolen value whose true cash-out point the trace reaches (recall and precision by value)"),
        ("typologies", "laundering typologies found (peel chain, CoinJoin, mixer, bridge hop) against the true hops"),
    ];

    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("evaluate", "Score the store's conclusions against a simulated world's ground truth; write a Markdown report");
        var truth = new Option<string>("--truth") { Description = "The simulated world (its directory, truth/ directory or truth/ground-truth.json)", Required = true };
        var chain = new Option<string?>("--chain") { Description = "The world's Bitcoin-family chain in the store (default: sim-bitcoin, or the only chain)" };
        var output = new Option<string>("--out", "-o") { Description = "Markdown report to write", DefaultValueFactory = _ => Path.Combine("docs", "accuracy.md") };
        cmd.Options.Add(truth);
        cmd.Options.Add(chain);
        cmd.Options.Add(output);
        cmd.SetAction(parse =>
        {
            var t = GroundTruthFile.Load(parse.GetValue(truth)!);
            using var store = ctx.OpenStore(parse, create: false);
            var name = parse.GetValue(chain) ?? (store.Chains().Contains("sim-bitcoin") ? "sim-bitcoin" : CliContext.ResolveChain(store, null));
            using var utxo = store.OpenUtxoChain(name, null, create: false);
            var markdown = Evaluate(t, utxo, name, store);
            var path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            {
                Directory.CreateDirectory(dir);
            }

            // sections measured elsewhere (by hand or by other tests) follow a marker line and are kept as they are
            var kept = File.Exists(path) ? File.ReadAllText(path) : "";
            var at = kept.IndexOf(KeptMarker, StringComparison.Ordinal);
            File.WriteAllText(path, at >= 0 ? markdown + "\n" + kept[at..] : markdown, new UTF8Encoding(false));
            ctx.Out.Write(markdown);
            ctx.Err.WriteLine($"wrote {path}");
            return 0;
        });
        return cmd;
    }

    internal static string Evaluate(GroundTruthFile truth, UtxoChainStore utxo, string chain, StoreDirectory? store = null)
    {
        // Data check: the world's chain is in the store, whole.
        int addresses = 0, foundAddresses = 0, evmAddresses = 0;
        var notFound = new List<string>();
        foreach (var address in truth.Addresses.Keys.Order(StringComparer.Ordinal))
        {
            if (address.StartsWith("0x", StringComparison.Ordinal))
            {
                evmAddresses++;
                continue;
            }

            addresses++;
            if (AddressCodec.TryParse(utxo.Network, address, out var kind, out var payload) && utxo.FindAddress(kind, payload) >= 0)
            {
                foundAddresses++;
            }
            else if (notFound.Count < 3)
            {
                notFound.Add($"{address} ({truth.Addresses[address]})");
            }
        }

        var theftTxs = truth.Thefts.Count(th => Hash256.TryParse(th.TxId, out var id) && utxo.FindTx(id) >= 0);
        var utxoEndpoints = truth.Thefts.SelectMany(th => th.Endpoints).Where(e => !e.Outpoint.StartsWith("0x", StringComparison.Ordinal)).ToList();
        var endpointsFound = utxoEndpoints.Count(e => OutputHolds(utxo, e.Outpoint, e.AmountSat));

        var sb = new StringBuilder();
        sb.Append("# Accuracy against the simulated world's ground truth\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Written by `ashiato evaluate --truth …` for chain `{chain}` (heights {utxo.BaseHeight}..{utxo.TipHeight}, {utxo.TxCount:N0} transactions). ");
        sb.Append("The ground truth is read only here; no analysis stage reads it. A stage that does not exist yet is reported as *missing*, ");
        sb.Append("not as zero and not as perfect. Reproduce for the demo world: `./ashiato demo && ./ashiato evaluate --truth ashiato-data/world`.\n\n");
        sb.Append("## Scores\n\n| stage | metric | result |\n|---|---|---|\n");
        var clusters = ClusterView.Open(utxo.Directory);
        foreach (var (stage, metric) in Stages)
        {
            if (stage == "clustering" && clusters is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} | {metric} | {ClusteringScore(truth, utxo, clusters)} |\n");
            }
            else if (stage == "attribution" && store is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} | {metric} | {AttributionScore.Cell(truth, utxo, store)} |\n");
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} (EVM thefts) | share of stolen USD attributed to the right actor and victim country | {AttributionScore.EvmCell(truth, store)} |\n");
            }
            else if (stage == "tracing" && store is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} | {metric} | {TraceCommand.EvaluationCell(truth.Path, utxo, store)} |\n");
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} (EVM thefts) | share of stolen value, per asset, whose true cash-out point the trace reaches (recall and precision by value) | {TraceCommand.EvmEvaluationCell(truth.Path, store)} |\n");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} | {metric} | **missing**: the store holds no {stage} results (stage not built yet) |\n");
            }

            if (stage == "clustering" && store is not null && EvmTruth.Load(truth) is { } evm)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {stage} (EVM chain `{evm.Chain}`) | {EvmMetric} | {EvmClusteringScore(evm, store)} |\n");
            }
        }

        sb.Append("\n## Data check (not a score: is the world's chain in the store, whole?)\n\n| check | result |\n|---|---|\n");
        sb.Append(CultureInfo.InvariantCulture, $"| Bitcoin-family addresses of the world found in the store | {foundAddresses:N0} of {addresses:N0} ({Percent(foundAddresses, addresses)}){(notFound.Count > 0 ? "; not found: " + string.Join(", ", notFound) + (addresses - foundAddresses > notFound.Count ? ", …" : "") : "")} |\n");
        sb.Append(CultureInfo.InvariantCulture, $"| theft transactions found | {theftTxs} of {truth.Thefts.Count} |\n");
        sb.Append(CultureInfo.InvariantCulture, $"| cash-out and other endpoint outputs found with the true amount | {endpointsFound} of {utxoEndpoints.Count} |\n");
        if (evmAddresses > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| EVM addresses of the world (not checked here) | {evmAddresses:N0} |\n");
        }

        sb.Append("\n## Ground truth, for reference (what the analysis should find)\n\n");
        var country = truth.Entities.ToDictionary(e => e.Id, e => e.Country ?? "?");
        var total = truth.Thefts.Sum(th => th.StolenSat);
        sb.Append("| victim country | thefts | stolen (BTC) | share |\n|---|--:|--:|--:|\n");
        foreach (var g in truth.Thefts.GroupBy(th => country.GetValueOrDefault(th.Victim, "?")).OrderByDescending(g => g.Sum(x => x.StolenSat)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Count()} | {GroundTruthFile.Btc(g.Sum(x => x.StolenSat))} | {Percent(g.Sum(x => x.StolenSat), total)} |\n");
        }

        sb.Append("\n| actor | thefts | stolen (BTC) | share |\n|---|--:|--:|--:|\n");
        foreach (var g in truth.Thefts.GroupBy(th => th.Actor).OrderByDescending(g => g.Sum(x => x.StolenSat)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {g.Key} | {g.Count()} | {GroundTruthFile.Btc(g.Sum(x => x.StolenSat))} | {Percent(g.Sum(x => x.StolenSat), total)} |\n");
        }

        return sb.ToString();
    }

    private const string EvmMetric = "deposit addresses: precision and recall against the true deposit addresses; pairwise precision and recall; per-entity completeness";

    /// <summary>The simulated EVM chain's truth (truth/evm-ground-truth.json names the chain, truth/evm-addresses.csv every address with entity and role).</summary>
    private sealed record EvmTruth(string Chain, List<(EvmAddress Address, string Entity, string Role)> Addresses)
    {
        public static EvmTruth? Load(GroundTruthFile truth)
        {
            var dir = Path.GetDirectoryName(truth.Path)!;
            var json = Path.Combine(dir, "evm-ground-truth.json");
            if (!File.Exists(json))
            {
                return null;
            }

            string chain, file;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(json));
                chain = doc.RootElement.GetProperty("chain").GetString()!;
                file = Path.Combine(dir, doc.RootElement.GetProperty("addresses_file").GetString()!);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new UserErrorException($"{json}: not an EVM ground-truth file of this version ({e.Message})");
            }

            var list = new List<(EvmAddress, string, string)>();
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                if (++n == 1 || line.Length == 0)
                {
                    continue;
                }

                var parts = line.Split(',');
                if (parts.Length < 3 || !EvmAddress.TryParse(parts[0], out var address))
                {
                    throw new UserErrorException($"{file} line {n}: expected address,entity,role with an EVM address");
                }

                list.Add((address, parts[1], parts[2]));
            }

            return new EvmTruth(chain, list);
        }
    }

    /// <summary>
    /// The EVM chain's clusters against the truth: detected deposit addresses whose exchange is the true owner (precision),
    /// true deposit addresses found in their exchange's hot-wallet cluster (recall), and the pairwise scores over every
    /// address of the truth the chain holds.
    /// </summary>
    private static string EvmClusteringScore(EvmTruth truth, StoreDirectory store)
    {
        if (!store.Chains().Contains(truth.Chain) || store.ChainFamily(truth.Chain) != "evm")
        {
            return $"**missing**: the store holds no EVM chain `{truth.Chain}`";
        }

        using var chain = store.OpenEvmChain(truth.Chain, null, writer: false);
        var view = EvmClusterView.Open(chain.Directory);
        if (view is null)
        {
            return $"**missing**: no EVM clusters for `{truth.Chain}` (run `ashiato cluster --chain {truth.Chain}`)";
        }

        var entityOf = new Dictionary<long, string>();
        var labelled = new List<(uint, string)>();
        var trueDeposits = new List<(long Id, string Entity)>();
        var hotClusters = new Dictionary<string, HashSet<uint>>(StringComparer.Ordinal);
        foreach (var (address, entity, role) in truth.Addresses)
        {
            var id = chain.FindAddress(address);
            if (id < 0 || !view.Covers(id))
            {
                continue;
            }

            entityOf[id] = entity;
            labelled.Add((view.ClusterOf(id), entity));
            if (role.StartsWith("deposit:", StringComparison.Ordinal))
            {
                trueDeposits.Add((id, entity));
            }
            else if (role == "hot")
            {
                if (!hotClusters.TryGetValue(entity, out var set))
                {
                    hotClusters[entity] = set = [];
                }

                set.Add(view.ClusterOf(id));
            }
        }

        // a detected deposit is right when its true owner is the true owner of the hot wallet it forwarded to
        var detected = view.Deposits.Count;
        var right = view.Deposits.Count(d => entityOf.TryGetValue(d.Address, out var e) && entityOf.TryGetValue(d.HotWallet, out var h) && e == h);
        var found = trueDeposits.Count(d => hotClusters.TryGetValue(d.Entity, out var c) && c.Contains(view.ClusterOf(d.Id)));
        var s = ClusterScoring.Score(labelled);
        var on = string.Join(", ", view.Meta.Settings.Where(kv => kv.Value == "on").Select(kv => kv.Key));
        var hot = view.Meta.Exchanges.Sum(e => e.HotWallets.Count);
        return string.Create(CultureInfo.InvariantCulture,
            $"deposit addresses: precision {Ratio(right, detected)} ({right:N0} of {detected:N0} detected), recall {Ratio(found, trueDeposits.Count)} ({found:N0} of {trueDeposits.Count:N0} true deposit addresses in their exchange's hot-wallet cluster; {hot} tagged hot wallets); " +
            $"pair precision {s.PairPrecision:0.0000}, pair recall {s.PairRecall:0.0000}, mean completeness {s.MeanCompleteness:0.0000} ({s.Addresses:N0} addresses of {s.Entities:N0} entities in {s.Clusters:N0} clusters; heuristics: {on}; up to height {view.Meta.Height})");
    }

    private static string Ratio(long part, long whole) =>
        whole == 0 ? "n/a" : ((double)part / whole).ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Pairwise precision/recall from entity × cluster contingency counts (no pair enumeration), per-entity completeness.</summary>
    private static string ClusteringScore(GroundTruthFile truth, UtxoChainStore utxo, ClusterView clusters)
    {
        var labelled = new List<(uint, string)>();
        foreach (var (address, entity) in truth.Addresses)
        {
            if (AddressCodec.TryParse(utxo.Network, address, out var kind, out var payload) && utxo.FindAddress(kind, payload) is var id and >= 0
                && clusters.Covers((uint)id))
            {
                labelled.Add((clusters.ClusterOf((uint)id), entity));
            }
        }

        var s = ClusterScoring.Score(labelled);
        var on = string.Join(", ", clusters.Meta.Heuristics.Where(kv => kv.Value).Select(kv => kv.Key));
        return string.Create(CultureInfo.InvariantCulture,
            $"pair precision {s.PairPrecision:0.0000}, pair recall {s.PairRecall:0.0000}, mean completeness {s.MeanCompleteness:0.0000} ({s.Addresses:N0} addresses of {s.Entities:N0} entities in {s.Clusters:N0} clusters; heuristics: {on}; up to height {clusters.Meta.Height})");
    }

    private static bool OutputHolds(UtxoChainStore utxo, string outpoint, long amount)
    {
        var colon = outpoint.LastIndexOf(':');
        if (colon < 0 || !Hash256.TryParse(outpoint[..colon], out var txid) || !int.TryParse(outpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var vout))
        {
            return false;
        }

        var id = utxo.FindTx(txid);
        if (id < 0)
        {
            return false;
        }

        var tx = utxo.GetTx(id);
        return vout < tx.OutputCount && utxo.GetOutput(tx.FirstOutput + vout).Value == amount;
    }

    internal static string Percent(long part, long whole) =>
        whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
