using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Ashiato.Intel.Incidents;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato incidents import|list|show</c>: reported thefts (IncidentPacks) in the store's meta.sqlite; see
/// docs/formats/incidentpacks.md.
/// </summary>
public static class IncidentsCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("incidents", "Reported thefts: import IncidentPacks; list and show incidents with their theft transactions");
        cmd.Subcommands.Add(Import(ctx));
        cmd.Subcommands.Add(List(ctx));
        cmd.Subcommands.Add(Show(ctx));
        return cmd;
    }

    private static Command Import(CliContext ctx)
    {
        var cmd = new Command("import", "Import IncidentPacks (.yaml/.yml files, or directories searched recursively); an incident id imported again replaces the stored one");
        var paths = new Argument<string[]>("file") { Description = "IncidentPack files or directories", Arity = ArgumentArity.OneOrMore };
        var show = new Option<int>("--show") { Description = "How many warnings and rejections to print (default 20)", DefaultValueFactory = _ => 20 };
        cmd.Arguments.Add(paths);
        cmd.Options.Add(show);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: true);
            var incidents = new IncidentStore(store.Meta);
            var report = new IncidentImporter(incidents, store).Import(parse.GetValue(paths)!);
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    report.Files, report.Read, report.Imported, report.Replaced, report.Rejected, Warnings = report.WarningCount,
                    report.TransactionsFound, report.TransactionsMissing, report.TransactionsNotChecked, StoreIncidents = incidents.Count(),
                    WarningMessages = report.Warnings, RejectionMessages = report.Rejections,
                });
                return 0;
            }

            ctx.PrintImportMessages(report, parse.GetValue(show));

            ctx.Out.WriteLine($"{report.Files} files: {report.Read} incidents read, {report.Imported} imported ({report.Replaced} replaced an earlier import), " +
                $"{report.Rejected} rejected, {report.WarningCount} warnings; theft transactions: {report.TransactionsFound} found in the store, " +
                $"{report.TransactionsMissing} missing, {report.TransactionsNotChecked} on chains not in the store");
            ctx.Out.WriteLine($"store: {incidents.Count()} incidents");
            return 0;
        });
        return cmd;
    }

    private static Command List(CliContext ctx)
    {
        var cmd = new Command("list", "List incidents (ordered by date), filtered by attributed actor, victim country, year");
        var actor = new Option<string?>("--actor") { Description = "Attributed actor id (e.g. lazarusgroup)" };
        var country = new Option<string?>("--country") { Description = "Victim country, ISO 3166-1 alpha-2 (e.g. JP)" };
        var year = new Option<int?>("--year") { Description = "Year of the incident" };
        cmd.Options.Add(actor);
        cmd.Options.Add(country);
        cmd.Options.Add(year);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var rows = new IncidentStore(store.Meta).List(new IncidentQuery(parse.GetValue(actor), parse.GetValue(country), parse.GetValue(year)));
            if (ctx.Json(parse))
            {
                ctx.WriteJson(rows.Select(Json).ToList());
                return 0;
            }

            if (rows.Count == 0)
            {
                ctx.Out.WriteLine("no incidents");
                return 0;
            }

            var table = new Table().AddColumns("id", "date", "victim", "country", "type", "actor", "chains", "theft tx", "reported loss", "loss USD");
            foreach (var i in rows)
            {
                table.AddRow(Markup.Escape(i.Id), i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Markup.Escape(i.VictimName ?? i.Victim ?? ""),
                    i.VictimCountry ?? "", Markup.Escape(i.VictimType ?? ""), Markup.Escape(i.AttributedActor ?? ""),
                    Markup.Escape(string.Join(", ", i.Chains.Select(c => c.Chain.Value))), i.Chains.Sum(c => c.Transactions.Count).ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join("; ", i.Losses.Select(l => $"{Scaled(l)} {l.Asset}"))), Usd(i.LossUsd ?? SumUsd(i)));
            }

            ctx.Console.Write(table);
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliContext ctx)
    {
        var cmd = new Command("show", "Every field of an incident, and for each theft transaction whether the store has it");
        var id = new Argument<string>("id") { Description = "Incident id" };
        cmd.Arguments.Add(id);
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var incident = new IncidentStore(store.Meta).Get(parse.GetValue(id)!)
                ?? throw new Core.UserErrorException($"no incident '{parse.GetValue(id)}' in the store (see 'ashiato incidents list')");
            using var lookup = new TheftTxLookup(store);
            var checks = incident.Chains.SelectMany(c => c.Transactions.Select(t => (Chain: c, Tx: t, Check: lookup.Check(c, t)))).ToList();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    Incident = Json(incident),
                    Transactions = checks.Select(c => new
                    {
                        Chain = c.Chain.Chain.Value, c.Tx.TxId, Output = c.Tx.OutputIndex, c.Tx.LogIndex,
                        InStore = c.Check.Presence switch
                        {
                            TxPresence.Found => "found",
                            TxPresence.Missing => "missing",
                            TxPresence.ChainNotInStore => "chain-not-in-store",
                            _ => "not-checked",
                        },
                        c.Check.Detail,
                    }).ToList(),
                });
                return 0;
            }

            var o = ctx.Out;
            o.WriteLine($"{incident.Id}: {incident.Title}");
            o.WriteLine($"date:          {incident.Date:yyyy-MM-dd}");
            if (incident.Description is not null)
            {
                o.WriteLine($"description:   {incident.Description}");
            }

            o.WriteLine($"victim:        {incident.VictimName ?? "?"}{(incident.Victim is null ? "" : $" ({incident.Victim})")}, " +
                $"country {incident.VictimCountry ?? "not reported"}, type {incident.VictimType ?? "not reported"}");
            o.WriteLine($"attributed to: {incident.AttributedActor ?? "nobody"}" +
                (incident.AttributedActor is null ? "" : $" (confidence {incident.Confidence ?? "not given"}{(incident.ConfidenceLevel is { } lv ? $", level {lv}" : "")}; " +
                $"source {incident.AttributionSource ?? "not given"})"));
            foreach (var l in incident.Losses)
            {
                o.WriteLine($"loss:          {Scaled(l)} {l.Asset} ({l.Amount} base units, {l.Decimals} decimals{(l.Chain is { } ch ? $", chain {ch}" : "")}" +
                    $"{(l.Token is null ? "" : $", token {l.Token}")}){(l.Usd is { } u ? $" = USD {Usd(u)} (source {l.UsdSource})" : "")}");
            }

            if (incident.LossUsd is { } total)
            {
                o.WriteLine($"loss in USD:   {Usd(total)} as reported (source {incident.LossUsdSource})");
            }

            foreach (var c in incident.Chains)
            {
                o.WriteLine($"chain {c.Chain} ({IncidentStoreFamily(c)}):");
                foreach (var (_, tx, check) in checks.Where(x => x.Chain == c))
                {
                    var state = check.Presence switch
                    {
                        TxPresence.Found => "in store, " + check.Detail,
                        TxPresence.Missing => "NOT IN STORE: " + check.Detail,
                        _ => "not looked up: " + check.Detail,
                    };
                    o.WriteLine($"  theft tx {tx.TxId}{(tx.OutputIndex is { } oi ? $" output {oi}" : "")}{(tx.LogIndex is { } li ? $" log {li}" : "")}: {state}");
                }

                foreach (var a in c.Addresses)
                {
                    o.WriteLine($"  theft address {a}");
                }
            }

            foreach (var r in incident.References)
            {
                o.WriteLine($"reference:     {r}");
            }

            o.WriteLine($"from:          {incident.PackFile}{(incident.PackLine is { } line ? $":{line}" : "")} ({incident.PackTitle})");
            return 0;
        });
        return cmd;
    }

    private static string IncidentStoreFamily(IncidentChain c) => c.Family switch
    {
        ChainFamily.Utxo => $"Bitcoin-family, {c.Network}",
        ChainFamily.Evm => "EVM",
        _ => "family unknown, ids not checked",
    };

    private static decimal? SumUsd(Incident i) =>
        i.Losses.Count > 0 && i.Losses.All(l => l.Usd is not null) ? i.Losses.Sum(l => l.Usd!.Value) : null;

    private static string Usd(decimal? usd) => usd?.ToString("N2", CultureInfo.InvariantCulture) ?? "";

    /// <summary>The amount in whole units, exact (no rounding): base units / 10^decimals.</summary>
    private static string Scaled(ReportedLoss l)
    {
        var v = l.Amount.ToBigInteger();
        if (l.Decimals == 0)
        {
            return v.ToString(CultureInfo.InvariantCulture);
        }

        var scale = BigInteger.Pow(10, l.Decimals);
        var whole = BigInteger.DivRem(v, scale, out var frac);
        var f = frac.ToString(CultureInfo.InvariantCulture).PadLeft(l.Decimals, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + (f.Length == 0 ? "" : "." + f);
    }

    private static object Json(Incident i) => new
    {
        i.Id, i.Title, Date = i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), i.Description, i.Victim, i.VictimName, i.VictimCountry, i.VictimType,
        Chains = i.Chains.Select(c => new
        {
            Chain = c.Chain.Value, Family = c.Family.ToString().ToLowerInvariant(), c.Network,
            Transactions = c.Transactions.Select(t => new { t.TxId, Output = t.OutputIndex, t.LogIndex }).ToList(), c.Addresses,
        }).ToList(),
        Losses = i.Losses.Select(l => new
        {
            l.Asset, Chain = l.Chain?.Value, l.Token, Amount = l.Amount.ToString(), l.Decimals,
            Usd = l.Usd?.ToString(CultureInfo.InvariantCulture), l.UsdSource,
        }).ToList(),
        LossUsd = i.LossUsd?.ToString(CultureInfo.InvariantCulture), i.LossUsdSource, i.AttributedActor, i.AttributionSource, i.Confidence, i.ConfidenceLevel,
        i.References, i.PackFile, i.PackTitle, i.PackLine,
    };
}
