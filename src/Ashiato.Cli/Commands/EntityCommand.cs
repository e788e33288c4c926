using System.CommandLine;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Entities;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Intel;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato entity list|show</c>: the entity registry (filled from every tag source) and, for an entity or an address, the
/// tags, clusters and cluster labels, with the reason for each label (tag, source, merge path). See docs/clustering.md.
/// </summary>
public static class EntityCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("entity", "Entities (named parties from the tags): list them; show an entity's or an address's tags, clusters and labels");
        cmd.Subcommands.Add(List(ctx));
        cmd.Subcommands.Add(Show(ctx));
        return cmd;
    }

    private static Command List(CliContext ctx)
    {
        var cmd = new Command("list", "The entity registry, ordered by id, filtered by category and country");
        var category = new Option<string?>("--category") { Description = "Category (exchange, perpetrator, sanction, …)" };
        var country = new Option<string?>("--country") { Description = "ISO 3166-1 alpha-2 country code (JP, KP, …)" };
        cmd.Options.Add(category);
        cmd.Options.Add(country);
        cmd.SetAction(parse =>
        {
            var cc = parse.GetValue(country)?.Trim().ToUpperInvariant();
            if (cc is not null && !Taxonomy.IsAlpha2(cc))
            {
                throw new UserErrorException($"--country {parse.GetValue(country)}: expected an ISO 3166-1 alpha-2 code such as JP");
            }

            var cat = parse.GetValue(category)?.Trim();
            using var store = ctx.OpenStore(parse, create: false);
            var rows = new TagStore(store.Meta).Entities().Where(e => (cat is null || e.Category == cat) && (cc is null || e.Country == cc)).ToList();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(rows);
                return 0;
            }

            if (rows.Count == 0)
            {
                ctx.Out.WriteLine("no entities" + (cat is null && cc is null ? " (import tags with 'ashiato tags import')" : " match"));
                return 0;
            }

            var table = new Table().AddColumns("entity", "name", "category", "country", "actor", "source");
            foreach (var e in rows)
            {
                table.AddRow(Markup.Escape(e.Id), Markup.Escape(e.Name), Markup.Escape(e.Category ?? ""), e.Country ?? "", Markup.Escape(e.Actor ?? ""),
                    Markup.Escape(e.Source ?? ""));
            }

            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{rows.Count:N0} entities");
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliContext ctx)
    {
        var cmd = new Command("show", "An entity (id, name or actor id): its tagged addresses and their clusters; or an address: its tags, cluster and label, and why");
        var what = new Argument<string>("name-or-address") { Description = "Entity id (actor:binance, ofac:27307), entity name, actor id, or an address" };
        var chain = new Option<string?>("--chain") { Description = "Only this UTXO chain (default: every UTXO chain in the store)" };
        var limit = new Option<int>("--limit") { Description = "Tagged addresses to list (default 50; 0: all)", DefaultValueFactory = _ => 50 };
        cmd.Arguments.Add(what);
        cmd.Options.Add(chain);
        cmd.Options.Add(limit);
        cmd.SetAction(parse =>
        {
            var text = parse.GetValue(what)!.Trim();
            using var store = ctx.OpenStore(parse, create: false);
            var chains = UtxoChains(store, parse.GetValue(chain));
            try
            {
                var tags = new TagStore(store.Meta);
                foreach (var c in chains)
                {
                    if (AddressCodec.TryParse(c.Network, text, out _, out _))
                    {
                        return ShowAddress(ctx, parse, tags, chains, text);
                    }
                }

                return ShowEntity(ctx, parse, tags, chains, text, parse.GetValue(limit));
            }
            finally
            {
                chains.ForEach(c => c.Dispose());
            }
        });
        return cmd;
    }

    private static List<UtxoChainStore> UtxoChains(StoreDirectory store, string? only)
    {
        var names = only is not null ? [CliContext.ResolveChain(store, only)] : store.Chains().Where(n => store.ChainFamily(n) != "evm").ToList();
        if (only is not null && store.ChainFamily(only) == "evm")
        {
            throw new UserErrorException($"chain '{only}' is an EVM chain; entity show reads the clusters of UTXO chains");
        }

        return names.Select(n => store.OpenUtxoChain(n, null, create: false)).ToList();
    }

    private static EntityRow ResolveEntity(TagStore tags, string text)
    {
        if (tags.Entity(text) is { } exact)
        {
            return exact;
        }

        var all = tags.Entities();
        var matches = all.Where(e => string.Equals(e.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = all.Where(e => e.Id == EntityRules.ActorPrefix + text || e.Id == EntityRules.LabelPrefix + text.ToLowerInvariant()).ToList();
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new UserErrorException($"unknown entity or address '{text}': no entity has that id or name, and it is no address of "
                + "the store's UTXO chains; see 'ashiato entity list'"),
            _ => throw new UserErrorException($"'{text}' names {matches.Count} entities ({string.Join(", ", matches.Select(m => m.Id).Take(10))}); give the id"),
        };
    }

    private sealed record AddressInCluster(string Chain, string Address, long AddressId, long? Cluster, long? ClusterSize, string? ClusterLabel,
        string? ClusterLabelEntity, int Conflicts);

    private static int ShowEntity(CliContext ctx, ParseResult parse, TagStore tags, List<UtxoChainStore> chains, string text, int limit)
    {
        var entity = ResolveEntity(tags, text);
        var rows = tags.TagsOfEntity(entity.Id);
        var sources = rows.Select(r => r.Source).Distinct().Order(StringComparer.Ordinal).ToList();
        var addresses = new List<AddressInCluster>();
        var clusters = new SortedDictionary<(string, uint), ClusterLabel>();
        var resolvedTexts = new HashSet<(string Currency, string Address)>();
        foreach (var chain in chains)
        {
            var chainTags = ChainTags.Load(chain, tags);
            var labels = ClusterLabels.Open(chain, chainTags);
            foreach (var t in chainTags.Tags.Where(t => t.Entity == entity.Id).DistinctBy(t => t.Address))
            {
                resolvedTexts.Add((t.Tag.Currency, t.Tag.Address));
                var label = labels.Lookup(t.Address);
                if (label is not null)
                {
                    clusters.TryAdd((chain.ChainName, label.Cluster), label);
                }

                addresses.Add(new AddressInCluster(chain.ChainName, t.Tag.Address, t.Address, labels.ClusterOf(t.Address), label?.Size, label?.Label.Name,
                    label?.Label.Entity, label?.Conflicts.Count ?? 0));
            }
        }

        var elsewhere = rows.Where(r => !resolvedTexts.Contains((r.Currency, r.Address))).Select(r => (r.Currency, r.Address)).Distinct().Count();
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                entity,
                sources,
                tags = rows.Count,
                addresses_in_store = addresses,
                tagged_addresses_not_in_store = elsewhere,
                clusters = clusters.Select(kv => ClusterJson(kv.Key.Item1, kv.Value)),
            });
            return 0;
        }

        ctx.Out.WriteLine($"entity {entity.Id}: {entity.Name}");
        ctx.Out.WriteLine($"  category {entity.Category ?? "unknown"}, country {entity.Country ?? "unknown"}, actor {entity.Actor ?? "none"}, registry source {entity.Source ?? "none"}");
        ctx.Out.WriteLine($"  {rows.Count:N0} tag(s) from {sources.Count} source(s): {string.Join("; ", sources.Take(5))}{(sources.Count > 5 ? "; …" : "")}");
        ctx.Out.WriteLine($"  {addresses.Count:N0} tagged address(es) in the store's UTXO chains, {elsewhere:N0} elsewhere (other currencies or not in the store)");
        var shown = limit <= 0 ? addresses : addresses.Take(limit).ToList();
        foreach (var a in shown)
        {
            ctx.Out.WriteLine($"  {a.Chain} {a.Address}: cluster {a.Cluster} ({a.ClusterSize:N0} address(es)), labelled {a.ClusterLabel} [{a.ClusterLabelEntity ?? "no entity"}]"
                + (a.ClusterLabelEntity != entity.Id && a.ClusterLabelEntity is not null ? " — another entity's label wins here" : "")
                + (a.Conflicts > 0 ? $", {a.Conflicts} conflicting label(s)" : ""));
        }

        if (shown.Count < addresses.Count)
        {
            ctx.Out.WriteLine($"  … {addresses.Count - shown.Count:N0} more (--limit)");
        }

        foreach (var ((chain, _), c) in clusters)
        {
            ctx.Out.WriteLine($"cluster {c.Cluster} of {chain}: {c.Size:N0} address(es), {c.TaggedAddresses} tagged, label {Describe(c.Label)}");
            foreach (var x in c.Conflicts)
            {
                ctx.Out.WriteLine($"  conflict: {Describe(x)}");
            }
        }

        return 0;
    }

    private static int ShowAddress(CliContext ctx, ParseResult parse, TagStore tags, List<UtxoChainStore> chains, string text)
    {
        var found = false;
        var results = new List<object>();
        foreach (var chain in chains)
        {
            if (!AddressCodec.TryParse(chain.Network, text, out var kind, out var payload))
            {
                continue;
            }

            var id = chain.FindAddress(kind, payload);
            if (id < 0)
            {
                continue;
            }

            found = true;
            var address = (uint)id;
            var chainTags = ChainTags.Load(chain, tags);
            var labels = ClusterLabels.Open(chain, chainTags);
            var view = ClusterView.Open(chain.Directory);
            var own = labels.TagsOf(address);
            var label = labels.Lookup(address);
            var path = label is null || view is null ? null : view.Explain(label.Label.Address, address);
            var refusals = view is null ? [] : view.RefusalsOf(view.ClusterOrSelf(address)).ToList();
            if (ctx.Json(parse))
            {
                results.Add(new
                {
                    chain = chain.ChainName,
                    address = text,
                    address_id = address,
                    tags = own.Select(t => t.Tag),
                    cluster = labels.ClusterOf(address),
                    clusters_cover_height = view?.Meta.Height,
                    label = label is null ? null : ClusterJson(chain.ChainName, label),
                    why = label is null ? null : new
                    {
                        tagged_address = chain.FormatAddress(label.Label.Address),
                        tag = label.Label.Best.Tag,
                        merges = path?.Select(p => new
                        {
                            from = chain.FormatAddress(p.From), to = chain.FormatAddress(p.To), txid = chain.GetTxId(p.Merge.TxId).ToString(),
                            heuristic = HeuristicSet.ById(p.Merge.Heuristic).Name,
                        }),
                    },
                    refusals = refusals.Select(r => RefusalJson(chain, labels, r)),
                });
                continue;
            }

            ctx.Out.WriteLine($"{text} on {chain.ChainName} (address id {address})");
            if (own.Count == 0)
            {
                ctx.Out.WriteLine("  no tags of its own");
            }

            foreach (var t in own)
            {
                ctx.Out.WriteLine($"  tag: {DescribeTag(t)}");
            }

            if (view is null)
            {
                ctx.Out.WriteLine($"  no clusters for {chain.ChainName} yet (run 'ashiato cluster --chain {chain.ChainName}'): labels are of single addresses");
            }
            else
            {
                var c = view.ClusterOrSelf(address);
                ctx.Out.WriteLine(address < view.AddressCount
                    ? $"  cluster {c} ({chain.FormatAddress(c)}), {label?.Size ?? view.Members(c).LongCount():N0} address(es), clusters up to height {view.Meta.Height:N0}"
                    : $"  in no cluster yet (first seen after height {view.Meta.Height:N0}, which the clusters cover)");
            }

            if (label is null)
            {
                ctx.Out.WriteLine("  label: none (no tagged address in its cluster)");
            }
            else
            {
                ctx.Out.WriteLine($"  label: {Describe(label.Label)}");
                ctx.Out.WriteLine($"  why: tag \"{label.Label.Best.Tag.Label}\" from {label.Label.Best.Tag.Source} on {chain.FormatAddress(label.Label.Address)}"
                    + (label.Label.Address == address ? " (this address)" : path is null ? "" : $", linked to this address by {path.Count} merge(s):"));
                var n = 0;
                foreach (var p in path ?? [])
                {
                    var h = HeuristicSet.ById(p.Merge.Heuristic);
                    ctx.Out.WriteLine($"    {++n,3}. {chain.FormatAddress(p.From)} — {chain.FormatAddress(p.To)}  by {h.Name} ({h.Confidence:0.00}) in tx {chain.GetTxId(p.Merge.TxId)}");
                }

                foreach (var x in label.Conflicts)
                {
                    ctx.Out.WriteLine($"  conflict: {Describe(x)} (tag \"{x.Best.Tag.Label}\" from {x.Best.Tag.Source} on {chain.FormatAddress(x.Address)})");
                }
            }

            foreach (var r in refusals)
            {
                ctx.Out.WriteLine($"  refused merge: {DescribeRefusal(chain, labels, r)}");
            }
        }

        if (!found)
        {
            var stored = tags.Search(text, 0).Where(t => t.Address == text || t.Address == text.ToLowerInvariant()).ToList();
            if (stored.Count == 0)
            {
                throw new UserErrorException($"address {text} is neither in the store's UTXO chains ({string.Join(", ", chains.Select(c => c.ChainName))}) nor tagged");
            }

            if (ctx.Json(parse))
            {
                ctx.WriteJson(new { address = text, in_store = false, tags = stored });
                return 0;
            }

            ctx.Out.WriteLine($"{text} is not in the store's UTXO chains (no cluster); its tags:");
            foreach (var t in stored)
            {
                ctx.Out.WriteLine($"  tag: {t.Label} [{EntityRules.EntityId(t) ?? "no entity"}], category {t.Category ?? "none"}, {t.Confidence ?? "no confidence"}, from {t.Source}");
            }

            return 0;
        }

        if (ctx.Json(parse))
        {
            ctx.WriteJson(results.Count == 1 ? results[0] : results);
        }

        return 0;
    }

    private static object ClusterJson(string chain, ClusterLabel c) => new
    {
        chain,
        cluster = c.Cluster,
        size = c.Size,
        tagged_addresses = c.TaggedAddresses,
        label = LabelJson(c.Label),
        conflicts = c.Conflicts.Select(LabelJson),
    };

    private static object LabelJson(EntityLabel l) => new
    {
        entity = l.Entity,
        name = l.Name,
        category = l.Category,
        country = l.Country,
        actor = l.Actor,
        confidence = l.Confidence,
        is_definer = l.IsDefiner,
        address = l.Best.Tag.Address,
        tag = new { label = l.Best.Tag.Label, source = l.Best.Tag.Source, confidence = l.Best.Tag.Confidence },
        tags = l.Tags.Count,
    };

    private static object RefusalJson(UtxoChainStore chain, ClusterLabels labels, RefusalRecord r) => new
    {
        txid = chain.GetTxId(r.TxId).ToString(),
        heuristic = HeuristicSet.ById(r.Heuristic).Name,
        address1 = chain.FormatAddress(r.A),
        address2 = chain.FormatAddress(r.B),
        label1 = labels.Lookup(r.LabelledA)?.Label.Name,
        label2 = labels.Lookup(r.LabelledB)?.Label.Name,
    };

    internal static string DescribeRefusal(UtxoChainStore chain, ClusterLabels? labels, RefusalRecord r)
    {
        string Side(uint tagged) => labels?.TagsOf(tagged).FirstOrDefault(t => t.Party is not null) is { } t
            ? $"{t.Party} (\"{t.Tag.Label}\" on {t.Tag.Address})"
            : $"labelled by {chain.FormatAddress(tagged)}";
        return $"{chain.FormatAddress(r.A)} — {chain.FormatAddress(r.B)} by {HeuristicSet.ById(r.Heuristic).Name} in tx {chain.GetTxId(r.TxId)}: "
            + $"{Side(r.LabelledA)} vs {Side(r.LabelledB)}";
    }

    internal static string Describe(EntityLabel l) =>
        $"{l.Name} [{l.Entity ?? "no entity"}], category {l.Category ?? "none"}, country {l.Country ?? "unknown"}, actor {l.Actor ?? "none"}, "
        + $"confidence {l.Confidence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}{(l.IsDefiner ? ", cluster definer" : "")}, "
        + $"{l.Tags.Count} tag(s)";

    private static string DescribeTag(ChainTag t) =>
        $"{t.Tag.Label} [{t.Entity ?? "no entity"}], category {t.Tag.Category ?? "none"}, actor {t.Tag.Actor ?? "none"}, "
        + $"{t.Tag.Confidence ?? "no confidence"}{(t.Tag.IsClusterDefiner ? ", cluster definer" : "")}, from {t.Tag.Source}"
        + (t.Tag.ValidTo is { } to ? $" (delisted {to})" : "");
}
