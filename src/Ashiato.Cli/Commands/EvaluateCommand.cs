using System.CommandLine;
using System.Globalization;
using System.Text;
using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Simulation.Evaluation;
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
            var markdown = Evaluate(t, utxo, name);
            var path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            {
                Directory.CreateDirectory(dir);
            }

            File.WriteAllText(path, markdown, new UTF8Encoding(false));
            ctx.Out.Write(markdown);
            ctx.Err.WriteLine($"wrote {path}");
            return 0;
        });
        return cmd;
    }

    internal static string Evaluate(GroundTruthFile truth, UtxoChainStore utxo, string chain)
    {
        // Data check: the world's chain is in the store, whole.
        int addresses = 0, foundAddresses = 0, evmAddresses = 0;
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
                continue;
            }

            sb.Append(CultureInfo.InvariantCulture, $"| {stage} | {metric} | **missing**: the store holds no {stage} results (stage not built yet) |\n");
        }

        sb.Append("\n## Data check (not a score: is the world's chain in the store, whole?)\n\n| check | result |\n|---|---|\n");
        sb.Append(CultureInfo.InvariantCulture, $"| Bitcoin-family addresses of the world found in the store | {foundAddresses:N0} of {addresses:N0} ({Percent(foundAddresses, addresses)}) |\n");
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

    private static string Percent(long part, long whole) =>
        whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";
}
