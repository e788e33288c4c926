using System.CommandLine;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Analysis.Entities;
using Ashiato.Intel;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato cluster [show ADDR]</c>, <c>ashiato heuristics list</c>, <c>ashiato explain A B</c>.</summary>
public static class ClusterCommand
{
    public static Command Create(CliContext ctx)
    {
        var cluster = new Command("cluster", "Cluster addresses by owner (multi-input, optional change heuristics); continues stored clusters for new blocks");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)", Recursive = true };
        var heuristic = new Option<string[]>("--heuristic")
        {
            Description = "NAME[=on|off]: switch a heuristic (see 'heuristics list'); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var rebuild = new Option<bool>("--rebuild") { Description = "Ignore stored clusters and start from the first block" };
        var to = new Option<int?>("--to-height") { Description = "Cover blocks up to this height only (default: the tip)" };
        cluster.Options.Add(chain);
        cluster.Options.Add(heuristic);
        cluster.Options.Add(rebuild);
        cluster.Options.Add(to);
        ClusterEvmCommand.AddOptions(cluster);
        cluster.SetAction(parse => Build(ctx, parse, parse.GetValue(chain), parse.GetValue(heuristic) ?? [], parse.GetValue(rebuild), parse.GetValue(to)));

        var show = new Command("show", "The cluster of an address: its id, size and (up to --limit) members");
        var addr = new Argument<string>("address");
        var limit = new Option<int>("--limit") { Description = "Members to list", DefaultValueFactory = _ => 50 };
        show.Arguments.Add(addr);
        show.Options.Add(limit);
        show.SetAction(parse => Show(ctx, parse, parse.GetValue(chain), parse.GetValue(addr)!, Math.Max(0, parse.GetValue(limit))));
        cluster.Subcommands.Add(show);
        return cluster;
    }

    public static Command CreateHeuristics(CliContext ctx)
    {
        var heuristics = new Command("heuristics", "Clustering heuristics and CoinJoin detectors");
        var list = new Command("list", "Every heuristic: name, default, confidence, description; and the CoinJoin detectors");
        list.SetAction(parse =>
        {
            var detectors = new[]
            {
                (CoinJoinKind.WhirlpoolMix, "5 inputs (pool value … +10 %) into 5 outputs of one pool: 0.001/0.01/0.05/0.5 BTC"),
                (CoinJoinKind.WabiSabi, "≥ 10 inputs and outputs, ≥ 70 % of outputs WabiSabi standard denominations, repeated"),
                (CoinJoinKind.Wasabi1, "≥ 10 equal outputs of ≈ 0.1 BTC (0.08–0.12), at least as many inputs"),
                (CoinJoinKind.JoinMarket, "n ≥ 3 equal outputs, n−1 … n distinct change outputs, ≥ n inputs"),
                (CoinJoinKind.GenericEqualOutput, "≥ 3 equal outputs (≥ 1/3 of outputs), ≥ as many inputs from ≥ 2 addresses"),
                (CoinJoinKind.WhirlpoolTx0, "premix outputs of a pool + ≤ 10 % and the 5 % pool fee output or OP_RETURN (not a mix)"),
            };
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    heuristics = HeuristicSet.All.Select(h => new { name = h.Name, id = (int)h.Id, default_on = h.DefaultOn, confidence = h.Confidence, description = h.Description }),
                    evm_heuristics = ClusterEvmCommand.Heuristics.Select(h => new { name = h.Name, id = (int)h.Id, default_on = h.DefaultOn, confidence = h.Confidence, description = h.Description }),
                    coinjoin_detectors = detectors.Select(d => new { name = CoinJoinDetectors.Name(d.Item1), is_mix = d.Item1 != CoinJoinKind.WhirlpoolTx0, rule = d.Item2 }),
                });
                return 0;
            }

            var table = new Table().AddColumns("heuristic", "default", "confidence", "description");
            foreach (var h in HeuristicSet.All)
            {
                table.AddRow(h.Name, h.DefaultOn ? "on" : "off", $"{h.Confidence:0.00}", Markup.Escape(h.Description));
            }

            foreach (var h in ClusterEvmCommand.Heuristics)
            {
                table.AddRow(h.Name, h.DefaultOn ? "on" : "off", $"{h.Confidence:0.00}", Markup.Escape(h.Description));
            }

            ctx.Console.Write(table);
            var cj = new Table().AddColumns("coinjoin detector", "rule");
            foreach (var (kind, rule) in detectors)
            {
                cj.AddRow(CoinJoinDetectors.Name(kind), Markup.Escape(rule));
            }

            ctx.Console.Write(cj);
            return 0;
        });
        heuristics.Subcommands.Add(list);
        return heuristics;
    }

    public static Command CreateExplain(CliContext ctx)
    {
        var explain = new Command("explain", "The chain of merges (transaction and heuristic per step) that puts two addresses in one cluster");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)" };
        var a = new Argument<string>("address1");
        var b = new Argument<string>("address2");
        explain.Options.Add(chain);
        explain.Arguments.Add(a);
        explain.Arguments.Add(b);
        explain.SetAction(parse => ClusterEvmCommand.IsEvm(ctx, parse, parse.GetValue(chain))
            ? ClusterEvmCommand.Explain(ctx, parse, parse.GetValue(chain), parse.GetValue(a)!, parse.GetValue(b)!)
            : WithClusters(ctx, parse, parse.GetValue(chain), (store, view, labels) =>
        {
            var (ta, tb) = (parse.GetValue(a)!, parse.GetValue(b)!);
            var (ia, ib) = (AddressId(store, ta), AddressId(store, tb));
            var path = view.Explain(ia, ib);
            var steps = path?.Select(p => new
            {
                from = store.FormatAddress(p.From),
                to = store.FormatAddress(p.To),
                txid = store.GetTxId(p.Merge.TxId).ToString(),
                height = store.HeightOfTx(p.Merge.TxId),
                heuristic = HeuristicSet.ById(p.Merge.Heuristic).Name,
                confidence = HeuristicSet.ById(p.Merge.Heuristic).Confidence,
            }).ToList();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    address1 = ta, address2 = tb, linked = path is not null, covers_height = view.Meta.Height, steps,
                    refused = path is null ? view.RefusalsBetween(ia, ib).Select(r => EntityCommand.DescribeRefusal(store, labels, r)).ToList() : null,
                });
                return 0;
            }

            if (steps is null)
            {
                ctx.Out.WriteLine($"{ta} and {tb} are not linked (clusters {view.ClusterOrSelf(ia)} and {view.ClusterOrSelf(ib)}, up to height {view.Meta.Height})");
                foreach (var r in view.RefusalsBetween(ia, ib))
                {
                    ctx.Out.WriteLine($"  the supercluster guard refused: {EntityCommand.DescribeRefusal(store, labels, r)}");
                }

                return 0;
            }

            ctx.Out.WriteLine($"{ta} and {tb} are in cluster {view.ClusterOf(ia)}: {steps.Count} merge(s)");
            var n = 0;
            foreach (var s in steps)
            {
                ctx.Out.WriteLine($"{++n,4}. {s.from} — {s.to}  by {s.heuristic} ({s.confidence:0.00}) in tx {s.txid} (height {s.height})");
            }

            return 0;
        }));
        return explain;
    }

    private static int Build(CliContext ctx, ParseResult parse, string? chainName, string[] switches, bool rebuild, int? to)
    {
        if (ClusterEvmCommand.IsEvm(ctx, parse, chainName))
        {
            return ClusterEvmCommand.Build(ctx, parse, chainName, switches, to); // always a full rebuild
        }

        var overrides = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var s in switches)
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? s : s[..eq];
            var value = eq < 0 ? "on" : s[(eq + 1)..];
            if (HeuristicSet.IndexOf(name) < 0)
            {
                throw new UserErrorException($"unknown heuristic '{name}'; known: {string.Join(", ", HeuristicSet.All.Select(h => h.Name))}");
            }

            overrides[name] = value switch
            {
                "on" or "true" or "1" => true,
                "off" or "false" or "0" => false,
                _ => throw new UserErrorException($"--heuristic {s}: expected NAME, NAME=on or NAME=off"),
            };
        }

        using var store = ctx.OpenStore(parse, create: false);
        var name2 = CliContext.ResolveChain(store, chainName);
        using var chain = store.OpenUtxoChain(name2, null, create: false);
        if (chain.BlockCount == 0)
        {
            throw new UserErrorException($"chain '{name2}' holds no block yet");
        }

        var progress = ctx.ShowProgress ? (Action<int, int>)((h, t) => ctx.Err.Write($"\rclustering: height {h:N0} of {t:N0}")) : null;
        var tags = ChainTags.Load(chain, new TagStore(store.Meta));
        var result = ClusterBuilder.Run(chain, new HeuristicSet(overrides),
            new ClusterOptions { Rebuild = rebuild, ToHeight = to, Progress = progress, Guard = tags.Guard });
        if (progress is not null)
        {
            ctx.Err.WriteLine();
        }

        var labelWatch = System.Diagnostics.Stopwatch.StartNew();
        var labels = ClusterLabels.Open(chain, tags);
        var labelSeconds = labelWatch.Elapsed.TotalSeconds;

        var m = result.Meta;
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                chain = name2,
                incremental = result.Incremental,
                rebuild_reason = result.RebuildReason,
                from_height = result.FromHeight,
                blocks = result.Blocks,
                transactions = result.Transactions,
                new_merges = result.NewMerges,
                new_refusals = result.NewRefusals,
                seconds = result.Elapsed.TotalSeconds,
                meta = m,
                labels = new
                {
                    tags = tags.Tags.Count,
                    tags_not_in_store = tags.Unresolved,
                    labelled_clusters = labels.Clusters.Count,
                    conflicted_clusters = labels.Clusters.Count(c => c.HasConflicts),
                    rebuilt = labels.RebuildReason is not null,
                    seconds = labelSeconds,
                },
            });
            return 0;
        }

        ctx.Out.WriteLine(result.Incremental && result.Blocks == 0
            ? $"clusters are up to date at height {m.Height:N0}"
            : result.Incremental
            ? $"continued stored clusters: heights {result.FromHeight:N0}..{m.Height:N0} ({result.Blocks:N0} blocks, {result.Transactions:N0} tx, {result.NewMerges:N0} new merges) in {result.Elapsed.TotalSeconds:0.0} s"
            : $"built clusters ({result.RebuildReason}): heights {result.FromHeight:N0}..{m.Height:N0} ({result.Transactions:N0} tx) in {result.Elapsed.TotalSeconds:0.0} s");
        ctx.Out.WriteLine($"heuristics: {string.Join(", ", m.Heuristics.Select(kv => $"{kv.Key}={(kv.Value ? "on" : "off")}"))}");
        ctx.Out.WriteLine($"addresses {m.AddressCount:N0}, clusters {m.Clusters:N0}, largest {m.LargestCluster:N0} addresses (cluster {m.LargestClusterId}"
            + (m.LargestClusterId >= 0 ? $", {chain.FormatAddress((uint)m.LargestClusterId)})" : ")"));
        var table = new Table().AddColumns("merges by heuristic", "count");
        foreach (var (h, c) in m.MergesByHeuristic)
        {
            table.AddRow(h, $"{c:N0}");
        }

        ctx.Console.Write(table);
        var cj = new Table().AddColumns("coinjoins by implementation", "transactions");
        foreach (var (k, c) in m.CoinJoins)
        {
            cj.AddRow(k, $"{c:N0}");
        }

        ctx.Console.Write(cj);
        ctx.Out.WriteLine($"supercluster guard: {m.GuardedAddresses:N0} tagged address(es) of {tags.Tags.Select(t => t.Party).Distinct().Count(p => p is not null):N0} "
            + $"part(ies); {m.Refusals:N0} merge(s) refused ({result.NewRefusals:N0} new); see 'ashiato cluster show ADDR'");
        ctx.Out.WriteLine($"labels: {labels.Clusters.Count:N0} labelled cluster(s), {labels.Clusters.Count(c => c.HasConflicts):N0} with conflicting labels, "
            + $"from {tags.Tags.Count:N0} tag(s) ({tags.Unresolved:N0} on addresses not in the store){(labels.RebuildReason is null ? "" : $"; rebuilt in {labelSeconds:0.00} s")}");
        ctx.Out.WriteLine($"files: {ClusterFiles.DirectoryOf(chain.Directory)}");
        return 0;
    }

    private static int Show(CliContext ctx, ParseResult parse, string? chainName, string text, int limit) =>
        ClusterEvmCommand.IsEvm(ctx, parse, chainName) ? ClusterEvmCommand.Show(ctx, parse, chainName, text, limit) : WithClusters(ctx, parse, chainName, (store, view, labels) =>
        {
            var id = AddressId(store, text);
            var cluster = view.ClusterOrSelf(id);
            var members = view.Members(cluster).ToList();
            var listed = members.Take(limit).Select(store.FormatAddress).ToList();
            var label = labels.Lookup(id);
            var refusals = view.RefusalsOf(cluster).ToList();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    address = text, cluster, cluster_address = store.FormatAddress(cluster), size = members.Count, covers_height = view.Meta.Height, members = listed,
                    label = label is null ? null : new { label.Label.Entity, label.Label.Name, label.Label.Category, label.Label.Country, label.Label.Actor,
                        label.Label.Confidence, label.Label.IsDefiner, tagged_address = store.FormatAddress(label.Label.Address), tag = label.Label.Best.Tag.Label,
                        source = label.Label.Best.Tag.Source, conflicts = label.Conflicts.Select(c => new { c.Entity, c.Name, c.Category, c.Actor }) },
                    refusals = refusals.Select(r => EntityCommand.DescribeRefusal(store, labels, r)),
                });
                return 0;
            }

            ctx.Out.WriteLine($"{text}: cluster {cluster} ({store.FormatAddress(cluster)}), {members.Count:N0} address(es), up to height {view.Meta.Height:N0}");
            if (label is not null)
            {
                ctx.Out.WriteLine($"label: {EntityCommand.Describe(label.Label)}; tag \"{label.Label.Best.Tag.Label}\" from {label.Label.Best.Tag.Source} on "
                    + $"{store.FormatAddress(label.Label.Address)} (why: 'ashiato entity show {text}')");
                foreach (var c in label.Conflicts)
                {
                    ctx.Out.WriteLine($"conflict: {EntityCommand.Describe(c)}");
                }
            }

            foreach (var r in refusals)
            {
                ctx.Out.WriteLine($"refused merge: {EntityCommand.DescribeRefusal(store, labels, r)}");
            }

            foreach (var a in listed)
            {
                ctx.Out.WriteLine($"  {a}");
            }

            if (members.Count > listed.Count)
            {
                ctx.Out.WriteLine($"  … {members.Count - listed.Count:N0} more (--limit)");
            }

            return 0;
        });

    private static int WithClusters(CliContext ctx, ParseResult parse, string? chainName, Func<UtxoChainStore, ClusterView, ClusterLabels, int> action)
    {
        using var store = ctx.OpenStore(parse, create: false);
        var name = CliContext.ResolveChain(store, chainName);
        using var chain = store.OpenUtxoChain(name, null, create: false);
        var view = ClusterView.Open(chain.Directory)
            ?? throw new UserErrorException($"no clusters for chain '{name}' yet (or they are damaged): run 'ashiato cluster --chain {name}'");
        if (view.Meta.Height < chain.TipHeight)
        {
            ctx.Err.WriteLine($"note: clusters cover heights up to {view.Meta.Height:N0}, the chain is at {chain.TipHeight:N0}; run 'ashiato cluster' to update");
        }

        return action(chain, view, ClusterLabels.Open(chain, store.Meta));
    }

    private static uint AddressId(UtxoChainStore store, string text)
    {
        if (!AddressCodec.TryParse(store.Network, text, out var kind, out var payload))
        {
            throw new UserErrorException($"'{text}' is not a valid {store.Network} address");
        }

        var id = store.FindAddress(kind, payload);
        if (id < 0)
        {
            throw new UserErrorException($"address {text} has no activity in the store ({store.ChainName} {store.BaseHeight}..{store.TipHeight})");
        }

        return (uint)id;
    }
}
