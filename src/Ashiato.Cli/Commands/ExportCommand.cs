using System.CommandLine;
using Ashiato.Core;
using Ashiato.Export;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato export blocks|transactions</c> in the blockchain-etl schemas (JSON lines or CSV).</summary>
public static class ExportCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("export", "Export chain data in community schemas");
        var what = new Argument<string>("what") { Description = "blocks or transactions" };
        what.AcceptOnlyFromAmong("blocks", "transactions");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)" };
        var format = new Option<string>("--format") { Description = "bitcoin-etl (JSON lines) or csv", DefaultValueFactory = _ => "bitcoin-etl" };
        format.AcceptOnlyFromAmong("bitcoin-etl", "json", "csv");
        var from = new Option<int?>("--from") { Description = "First height (default: the first in the store)" };
        var to = new Option<int?>("--to") { Description = "Last height (default: the tip)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var stream = new Option<bool>("--stream-fields") { Description = "Add \"type\" and \"item_id\" as bitcoin-etl's stream command does" };
        cmd.Arguments.Add(what);
        foreach (var o in new Option[] { chain, format, from, to, output, stream })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var name = CliContext.ResolveChain(store, parse.GetValue(chain));
            using var utxo = store.OpenUtxoChain(name, null, create: false);
            if (utxo.BlockCount == 0)
            {
                throw new UserErrorException($"chain '{name}' has no blocks");
            }

            var first = parse.GetValue(from) ?? utxo.BaseHeight;
            var last = parse.GetValue(to) ?? utxo.TipHeight;
            if (first < utxo.BaseHeight || last > utxo.TipHeight || first > last)
            {
                throw new UserErrorException($"heights {first}..{last} are not in the store ({utxo.BaseHeight}..{utxo.TipHeight})");
            }

            var fmt = parse.GetValue(format) == "csv" ? ExportFormat.Csv : ExportFormat.Json;
            var exporter = new BitcoinEtlExporter(new UtxoViews(utxo), parse.GetValue(stream));
            var path = parse.GetValue(output);
            var writer = path is null ? ctx.Out : new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            try
            {
                if (parse.GetValue(what) == "blocks")
                {
                    exporter.WriteBlocks(writer, first, last, fmt);
                }
                else
                {
                    exporter.WriteTransactions(writer, first, last, fmt);
                }
            }
            finally
            {
                writer.Flush();
                if (path is not null)
                {
                    writer.Dispose();
                }
            }

            return 0;
        });
        return cmd;
    }
}
