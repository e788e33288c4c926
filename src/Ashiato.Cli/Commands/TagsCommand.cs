using System.CommandLine;
using System.Diagnostics;
using Ashiato.Intel;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato tags import|list|search|export</c>: attribution tags and actors (GraphSense TagPacks and ActorPacks, OFAC
/// SDN lists, CSV) in the store's meta.sqlite; see docs/formats/tagpacks.md.
/// </summary>
public static class TagsCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("tags", "Attribution tags and actors: import TagPacks/ActorPacks, OFAC SDN lists and CSV; list, search, export");
        cmd.Subcommands.Add(Import(ctx));
        cmd.Subcommands.Add(List(ctx));
        cmd.Subcommands.Add(Search(ctx));
        cmd.Subcommands.Add(Export(ctx));
        return cmd;
    }

    private static Command Import(CliContext ctx)
    {
        var cmd = new Command("import", "Import TagPacks/ActorPacks (.yaml), CSV (.csv), OFAC SDN Advanced XML (.xml, .xml.bz2) and OFAC per-asset lists; files or directories");
        var paths = new Argument<string[]>("path") { Description = "Files or directories (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var listDate = new Option<string?>("--list-date") { Description = "Date (YYYY-MM-DD) of an OFAC sanctioned_addresses_*.txt edition (default: from its directory name)" };
        var show = new Option<int>("--show") { Description = "How many warnings and rejections to print (default 20)", DefaultValueFactory = _ => 20 };
        cmd.Arguments.Add(paths);
        cmd.Options.Add(listDate);
        cmd.Options.Add(show);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: true);
            var tags = new TagStore(store.Meta);
            var sw = Stopwatch.StartNew();
            var report = new IntelImporter(tags) { ListDate = parse.GetValue(listDate) }.Import(parse.GetValue(paths)!);
            var seconds = sw.Elapsed.TotalSeconds;
            var counts = tags.Counts();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    report.Files, report.TagsRead, report.TagsImported, report.Duplicates, report.Rejected, Warnings = report.WarningCount,
                    report.ActorsImported, report.EntitiesImported, report.Delisted, report.StillListed, Seconds = Math.Round(seconds, 3), Store = counts,
                    WarningMessages = report.Warnings, RejectionMessages = report.Rejections,
                });
                return 0;
            }

            ctx.PrintImportMessages(report, parse.GetValue(show));

            ctx.Out.WriteLine($"{report.Files:N0} files: {report.TagsRead:N0} tags read, {report.TagsImported:N0} imported, {report.Duplicates:N0} duplicates skipped, " +
                $"{report.Rejected:N0} rejected, {report.WarningCount:N0} warnings; {report.ActorsImported:N0} actors, {report.EntitiesImported:N0} entities, " +
                $"{report.StillListed:N0} still listed, {report.Delisted:N0} delisted; {seconds:F1} s ({(seconds > 0 ? report.TagsImported / seconds : 0):N0} tags/s)");
            ctx.Out.WriteLine($"store: {counts.Tags:N0} tags ({counts.ActiveTags:N0} listed), {counts.Actors:N0} actors, {counts.Entities:N0} entities, {counts.Sources:N0} sources");
            return 0;
        });
        return cmd;
    }

    private static Command List(CliContext ctx)
    {
        var cmd = new Command("list", "List tags (ordered by address), filtered by actor, category, currency, source");
        var actor = new Option<string?>("--actor") { Description = "Actor id (e.g. lazarusgroup)" };
        var category = new Option<string?>("--category") { Description = "Category (e.g. exchange, sanction)" };
        var currency = new Option<string?>("--currency") { Description = "Currency ticker (BTC, ETH, …)" };
        var source = new Option<string?>("--source") { Description = "Source (exact)" };
        var limit = new Option<int>("--limit") { Description = "At most this many tags (default 100; 0: all)", DefaultValueFactory = _ => 100 };
        var listed = new Option<bool>("--listed-only") { Description = "Leave out delisted tags" };
        foreach (var o in new Option[] { actor, category, currency, source, limit, listed })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var rows = new TagStore(store.Meta).List(new TagQuery(parse.GetValue(actor), parse.GetValue(category), parse.GetValue(currency),
                parse.GetValue(source), !parse.GetValue(listed), parse.GetValue(limit)));
            Print(ctx, parse, rows);
            return 0;
        });
        return cmd;
    }

    private static Command Search(CliContext ctx)
    {
        var cmd = new Command("search", "Tags of an address (exact), else tags whose label or actor contains the text");
        var text = new Argument<string>("text") { Description = "An address, or part of a label or actor id" };
        var limit = new Option<int>("--limit") { Description = "At most this many tags (default 100; 0: all)", DefaultValueFactory = _ => 100 };
        cmd.Arguments.Add(text);
        cmd.Options.Add(limit);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            Print(ctx, parse, new TagStore(store.Meta).Search(parse.GetValue(text)!, parse.GetValue(limit)));
            return 0;
        });
        return cmd;
    }

    private static Command Export(CliContext ctx)
    {
        var cmd = new Command("export", "Write the listed tags as GraphSense TagPacks, one file per source");
        var output = new Option<string>("--out") { Description = "Directory to write to", Required = true };
        cmd.Options.Add(output);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var files = TagExporter.Export(new TagStore(store.Meta), parse.GetValue(output)!);
            if (ctx.Json(parse))
            {
                ctx.WriteJson(files);
                return 0;
            }

            ctx.Out.WriteLine($"{files.Count} TagPacks, {files.Sum(f => (long)f.Tags):N0} tags written to {parse.GetValue(output)}");
            return 0;
        });
        return cmd;
    }

    private static void Print(CliContext ctx, ParseResult parse, List<TagRow> rows)
    {
        if (ctx.Json(parse))
        {
            ctx.WriteJson(rows);
            return;
        }

        if (rows.Count == 0)
        {
            ctx.Out.WriteLine("no tags");
            return;
        }

        var table = new Table().AddColumns("address", "currency", "label", "category", "actor", "confidence", "source", "listed");
        foreach (var t in rows)
        {
            table.AddRow(Markup.Escape(t.Address), t.Currency, Markup.Escape(t.Label), Markup.Escape(t.Category ?? ""), Markup.Escape(t.Actor ?? ""),
                Markup.Escape(t.Confidence is null ? "" : $"{t.Confidence} ({t.ConfidenceLevel?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})"),
                Markup.Escape(t.Source), Markup.Escape(t.ValidTo is null ? (t.ValidFrom ?? "yes") : $"{t.ValidFrom}..{t.ValidTo}"));
        }

        ctx.Console.Write(table);
    }
}
