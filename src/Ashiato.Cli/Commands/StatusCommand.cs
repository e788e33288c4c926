using System.CommandLine;
using Ashiato.Storage.Utxo;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato status</c>: chains in the store, heights, counts and sizes on disk, last ingest runs.</summary>
public static class StatusCommand
{
    public sealed record ChainStatus(string Chain, string Network, int BaseHeight, int TipHeight, string TipHash, int Blocks, long Transactions,
        long Inputs, long Outputs, long Addresses, int Segments, long BytesOnDisk, bool InputScripts, string? LastRun, string? LastRunStatus, string? LastRunMessage);

    public sealed record EvmChainStatus(string Chain, long ChainId, long BaseHeight, long? TipHeight, string TipHash, long Blocks, long Transactions,
        long Transfers, long Addresses, int Segments, long BytesOnDisk, IReadOnlyList<HeightRange> BlocksWithoutTraces, string? LastRun,
        string? LastRunStatus, string? LastRunMessage);

    public sealed record HeightRange(long From, long To);

    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("status", "Chains in the store: heights, counts, sizes on disk, last ingest runs");
        cmd.SetAction(parse =>
        {
            using var store = ctx.OpenStore(parse, create: false);
            var list = new List<ChainStatus>();
            var evmList = new List<EvmChainStatus>();
            foreach (var name in store.Chains())
            {
                if (store.ChainFamily(name) == "evm")
                {
                    using var evm = store.OpenEvmChain(name, null, writer: false);
                    var evmRun = store.Meta.Runs(name, 1).FirstOrDefault();
                    evmList.Add(new EvmChainStatus(name, evm.ChainId, evm.BaseHeight, evm.TipHeight, evm.TipHeight is { } t ? evm.BlockHash(t).ToString() : "",
                        evm.BlockCount, evm.TxCount, evm.TransferCount, evm.AddressCount, evm.Segments.Count, evm.SizeOnDisk,
                        evm.TraceGaps().Select(g => new HeightRange(g.From, g.To)).ToList(), evmRun?.FinishedUtc ?? evmRun?.StartedUtc, evmRun?.Status,
                        evmRun?.Message));
                    continue;
                }

                using var utxo = store.OpenUtxoChain(name, null, create: false);
                var run = store.Meta.Runs(name, 1).FirstOrDefault();
                list.Add(new ChainStatus(name, utxo.Network.Name, utxo.BaseHeight, utxo.TipHeight, utxo.BlockCount == 0 ? "" : utxo.TipHash.ToString(),
                    utxo.BlockCount, utxo.TxCount, utxo.InputCount, utxo.OutputCount, utxo.AddressCount, utxo.Segments.Count, utxo.SizeOnDisk,
                    utxo.KeepInputScripts, run?.FinishedUtc ?? run?.StartedUtc, run?.Status, run?.Message));
            }

            if (ctx.Json(parse))
            {
                ctx.WriteJson(new { store = store.Path, chains = list, evm_chains = evmList });
                return 0;
            }

            ctx.Out.WriteLine($"store {store.Path}");
            if (list.Count == 0 && evmList.Count == 0)
            {
                ctx.Out.WriteLine("no chains yet: run 'ashiato ingest bitcoin --blocks DIR' or '--rpc URL', or 'ashiato ingest evm --rpc URL --chain NAME'");
                return 0;
            }

            if (evmList.Count > 0)
            {
                var evmTable = new Table().AddColumns("chain", "chain id", "heights", "tx", "transfers", "addresses", "segments", "on disk", "without traces", "last ingest");
                foreach (var c in evmList)
                {
                    var gaps = c.BlocksWithoutTraces.Count == 0 ? "none"
                        : string.Join(", ", c.BlocksWithoutTraces.Select(g => g.From == g.To ? $"{g.From}" : $"{g.From}..{g.To}"));
                    evmTable.AddRow(c.Chain, $"{c.ChainId}", c.TipHeight is { } tip ? $"{c.BaseHeight}..{tip}" : "empty", $"{c.Transactions:N0}", $"{c.Transfers:N0}",
                        $"{c.Addresses:N0}", $"{c.Segments}", Format.Bytes(c.BytesOnDisk), Markup.Escape(gaps),
                        Markup.Escape($"{c.LastRunStatus} {c.LastRun}{(c.LastRunMessage is null ? "" : ": " + c.LastRunMessage)}"));
                }

                ctx.Console.Write(evmTable);
                if (list.Count == 0)
                {
                    return 0;
                }
            }

            var table = new Table().AddColumns("chain", "network", "heights", "tx", "inputs", "outputs", "addresses", "segments", "on disk", "last ingest");
            foreach (var c in list)
            {
                table.AddRow(c.Chain, c.Network, c.Blocks == 0 ? "empty" : $"{c.BaseHeight}..{c.TipHeight}", $"{c.Transactions:N0}", $"{c.Inputs:N0}",
                    $"{c.Outputs:N0}", $"{c.Addresses:N0}", $"{c.Segments}", Format.Bytes(c.BytesOnDisk),
                    Markup.Escape($"{c.LastRunStatus} {c.LastRun}{(c.LastRunMessage is null ? "" : ": " + c.LastRunMessage)}"));
            }

            ctx.Console.Write(table);
            return 0;
        });
        return cmd;
    }
}

internal static class Format
{
    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / 1024.0 / 1024:0.0} MiB",
        _ => $"{n / 1024.0 / 1024 / 1024:0.00} GiB",
    };

    public static string Coins(long? sats) => sats is { } s ? $"{s / 100_000_000m:0.00000000}" : "unknown";

    public static string Time(uint unix) => DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
