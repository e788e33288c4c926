using System.CommandLine;
using System.Globalization;
using Ashiato.Core;
using Ashiato.Intel.Prices;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato prices import|list|show</c>: daily fiat prices of assets (CSV, CoinGecko market_chart, CryptoCompare
/// histoday) in the store's meta.sqlite, used to value amounts; see docs/formats/prices.md.
/// </summary>
public static class PricesCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("prices", "Daily fiat prices of assets: import CSV, CoinGecko and CryptoCompare files; list series; show prices");
        cmd.Subcommands.Add(Import(ctx));
        cmd.Subcommands.Add(List(ctx));
        cmd.Subcommands.Add(Show(ctx));
        return cmd;
    }

    private static Command Import(CliContext ctx)
    {
        var cmd = new Command("import", "Import price files (.csv date,price or timestamp,price; CoinGecko market_chart or CryptoCompare histoday .json); " +
            "a series (asset, fiat, source) replaces the stored one");
        var paths = new Argument<string[]>("file") { Description = "Files, or directories of *.csv and *.json", Arity = ArgumentArity.OneOrMore };
        var asset = new Option<string?>("--asset") { Description = "Asset ticker (default: from a file name like btc-usd.csv)" };
        var fiat = new Option<string?>("--fiat") { Description = "Fiat currency (default: from a file name like btc-usd.csv)" };
        var source = new Option<string?>("--source") { Description = "Source name (default: coingecko, cryptocompare, or the CSV file's name)" };
        var priority = new Option<int?>("--priority") { Description = "Precedence over other sources of the same pair: lower wins (default 100, or the stored one)" };
        var show = new Option<int>("--show") { Description = "How many warnings to print (default 20)", DefaultValueFactory = _ => 20 };
        cmd.Arguments.Add(paths);
        foreach (var o in new Option[] { asset, fiat, source, priority, show })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: true);
            var report = new PriceImporter(new PriceStore(store.Meta)).Import(parse.GetValue(paths)!,
                new PriceImportOptions(parse.GetValue(asset), parse.GetValue(fiat), parse.GetValue(source), parse.GetValue(priority)));
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    report.Files, report.PointsRead, report.IntradayDropped, report.Duplicates, report.Skipped, report.Series, report.Warnings,
                });
                return 0;
            }

            foreach (var w in report.Warnings.Take(parse.GetValue(show)))
            {
                ctx.Err.WriteLine($"warning: {w}");
            }

            foreach (var s in report.Series)
            {
                ctx.Out.WriteLine($"{s.Asset}-{s.Fiat} from {s.Source} ({s.Format}): {s.Points:N0} daily prices {s.FirstDate}..{s.LastDate}" +
                    (s.ReplacedPoints > 0 ? $", replacing {s.ReplacedPoints:N0}" : ", new series") + $"; priority {s.Priority}");
            }

            ctx.Out.WriteLine($"{report.Files:N0} files: {report.PointsRead:N0} points read, {report.IntradayDropped:N0} earlier points of a day dropped (the day's last is kept), " +
                $"{report.Duplicates:N0} duplicates, {report.Skipped:N0} without a price");
            return 0;
        });
        return cmd;
    }

    private static Command List(CliContext ctx)
    {
        var cmd = new Command("list", "Price series in the store: asset, fiat, source, priority, first and last date, points, days missing");
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var series = new PriceStore(store.Meta).Series();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(series);
                return 0;
            }

            if (series.Count == 0)
            {
                ctx.Out.WriteLine("no price series (import some with: ashiato prices import FILE)");
                return 0;
            }

            var table = new Table().AddColumns("asset", "fiat", "source", "priority", "format", "first", "last", "points", "missing days", "longest gap");
            foreach (var s in series)
            {
                table.AddRow(s.Asset, s.Fiat, Markup.Escape(s.Source), N(s.Priority), s.Format, s.FirstDate, s.LastDate, N(s.Points), N(s.MissingDays),
                    s.LongestGapDays == 0 ? "-" : N(s.LongestGapDays) + " d");
            }

            ctx.Console.Write(table);
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliContext ctx)
    {
        var cmd = new Command("show", "Daily prices of an asset: by default the merged series valuation uses (per day the source of highest precedence)");
        var asset = new Argument<string>("asset") { Description = "Asset ticker (BTC, ETH, …)" };
        var fiat = new Option<string?>("--fiat") { Description = "Only this fiat (default: every fiat of the asset)" };
        var from = new Option<string?>("--from") { Description = "First date, YYYY-MM-DD (inclusive)" };
        var to = new Option<string?>("--to") { Description = "Last date, YYYY-MM-DD (inclusive)" };
        var source = new Option<string?>("--source") { Description = "Only this source's series (unmerged)" };
        var all = new Option<bool>("--all-sources") { Description = "Every source's price of each day, not only the one used" };
        cmd.Arguments.Add(asset);
        foreach (var o in new Option[] { fiat, from, to, source, all })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            var a = PriceTickers.Normalize(parse.GetValue(asset)!, "asset");
            var f = parse.GetValue(fiat) is { } ft ? PriceTickers.Normalize(ft, "--fiat") : null;
            var fromDay = parse.GetValue(from) is { } fd ? PriceTickers.ParseDay(fd, "--from") : (DateOnly?)null;
            var toDay = parse.GetValue(to) is { } td ? PriceTickers.ParseDay(td, "--to") : (DateOnly?)null;
            using var store = ctx.OpenStore(parse, create: false);
            var rows = new PriceStore(store.Meta).Points(a, f, parse.GetValue(source), fromDay, toDay);
            if (!parse.GetValue(all))
            {
                // rows come in precedence order within a day: the first is the one valuation uses
                rows = rows.Where((r, i) => i == 0 || rows[i - 1].Fiat != r.Fiat || rows[i - 1].Date != r.Date).ToList();
            }

            if (ctx.Json(parse))
            {
                ctx.WriteJson(rows.Select(r => new { r.Asset, r.Fiat, r.Date, Price = r.Price.ToString(CultureInfo.InvariantCulture), r.Source, r.TimeUtc }));
                return 0;
            }

            if (rows.Count == 0)
            {
                throw new UserErrorException($"no prices of {a}{(f is null ? "" : "-" + f)} in that range; see: ashiato prices list");
            }

            var table = new Table().AddColumns("date", "asset", "fiat", "price", "source", "time (UTC)");
            foreach (var r in rows)
            {
                table.AddRow(r.Date, r.Asset, r.Fiat, r.Price.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Source), r.TimeUtc ?? "");
            }

            ctx.Console.Write(table);
            return 0;
        });
        return cmd;
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
