using System.CommandLine;
using Ashiato.Core;
using Ashiato.Export;
using Ashiato.Export.Evm;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato export TABLE</c>: UTXO chains in the bitcoin-etl schemas (blocks, transactions), EVM chains in the
/// ethereum-etl schemas (blocks, transactions, receipts, logs, token_transfers, traces, tokens); JSON lines or CSV.
/// </summary>
public static class ExportCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("export", "Export chain data in community schemas");
        var what = new Argument<string>("what") { Description = "blocks or transactions; for EVM chains also receipts, logs, token_transfers, traces, tokens" };
        what.AcceptOnlyFromAmong("blocks", "transactions", "receipts", "logs", "token_transfers", "traces", "tokens");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)" };
        var format = new Option<string?>("--format") { Description = "bitcoin-etl or ethereum-etl (JSON lines, the chain's schema; the default), json, or csv" };
        format.AcceptOnlyFromAmong("bitcoin-etl", "ethereum-etl", "json", "csv");
        var from = new Option<long?>("--from") { Description = "First height (default: the first in the store)" };
        var to = new Option<long?>("--to") { Description = "Last height (default: the tip)" };
        var schema = new Option<string>("--etl-version") { Description = "EVM only: ethereum-etl column set, 2.3 (default) or 2.4 (adds blob gas columns)", DefaultValueFactory = _ => "2.3" };
        schema.AcceptOnlyFromAmong("2.3", "2.4");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var stream = new Option<bool>("--stream-fields") { Description = "Add \"type\" and \"item_id\" as bitcoin-etl's stream command does" };
        cmd.Arguments.Add(what);
        foreach (var o in new Option[] { chain, format, from, to, output, stream, schema })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var name = CliContext.ResolveChain(store, parse.GetValue(chain));
            var table = parse.GetValue(what)!;
            var formatName = parse.GetValue(format);
            if (store.ChainFamily(name) == "evm")
            {
                if (parse.GetValue(stream))
                {
                    throw new UserErrorException("--stream-fields applies to bitcoin-etl exports only");
                }

                return ExportEvm(ctx, store, name, table, formatName, parse.GetValue(from), parse.GetValue(to), parse.GetValue(output), parse.GetValue(schema)!);
            }

            if (table is not ("blocks" or "transactions"))
            {
                throw new UserErrorException($"'{table}' is an EVM table; chain '{name}' is a UTXO chain (blocks, transactions)");
            }

            if (formatName == "ethereum-etl")
            {
                throw new UserErrorException($"chain '{name}' is a UTXO chain: use --format bitcoin-etl, json or csv");
            }

            using var utxo = store.OpenUtxoChain(name, null, create: false);
            if (utxo.BlockCount == 0)
            {
                throw new UserErrorException($"chain '{name}' has no blocks");
            }

            var first = (int)(parse.GetValue(from) ?? utxo.BaseHeight);
            var last = (int)(parse.GetValue(to) ?? utxo.TipHeight);
            if (first < utxo.BaseHeight || last > utxo.TipHeight || first > last)
            {
                throw new UserErrorException($"heights {first}..{last} are not in the store ({utxo.BaseHeight}..{utxo.TipHeight})");
            }

            var fmt = formatName == "csv" ? ExportFormat.Csv : ExportFormat.Json;
            var exporter = new BitcoinEtlExporter(new UtxoViews(utxo), parse.GetValue(stream));
            var path = parse.GetValue(output);
            var writer = OpenOutput(ctx, path);
            try
            {
                if (table == "blocks")
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

    private static TextWriter OpenOutput(CliContext ctx, string? path) =>
        path is null ? ctx.Out : new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));

    private static int ExportEvm(CliContext ctx, Storage.StoreDirectory store, string name, string table, string? formatName,
        long? from, long? to, string? path, string schema)
    {
        if (formatName == "bitcoin-etl")
        {
            throw new UserErrorException($"chain '{name}' is an EVM chain: use --format ethereum-etl, json or csv");
        }

        using var evm = store.OpenEvmChain(name, null, writer: false);
        if (evm.TipHeight is not { } tip)
        {
            throw new UserErrorException($"chain '{name}' has no blocks");
        }

        var first = from ?? evm.BaseHeight;
        var last = to ?? tip;
        if (first < evm.BaseHeight || last > tip || first > last)
        {
            throw new UserErrorException($"heights {first}..{last} are not in the store ({evm.BaseHeight}..{tip})");
        }

        EvmStoreExport.TryParseTable(table, out var evmTable);
        var exporter = new EthereumEtlExporter(schema == "2.4" ? EthereumEtlVersion.V2_4 : EthereumEtlVersion.V2_3);
        var fmt = formatName == "csv" ? EthereumEtlFormat.Csv : EthereumEtlFormat.Json;
        var writer = OpenOutput(ctx, path);
        try
        {
            new EvmStoreExport(evm, exporter).Write(writer, evmTable, first, last, fmt);
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
    }
}
