using System.CommandLine;
using Ashiato.Chains.Bitcoin;
using Ashiato.Core;
using Ashiato.Export;
using Ashiato.Ingest.Bitcoin;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato demo</c>: ingests a small real chain (Bitcoin mainnet blocks 0–599 from Bitcoin Core block files) into the
/// store and summarises it. Later issues replace the data with the simulated economy and add every analysis stage.
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("demo", "Ingest a small real chain (Bitcoin blocks 0–599) into the store and summarise it");
        var data = new Option<string?>("--data") { Description = "Directory with blk*.dat files (default: ../shared/data/bitcoin/nbitcoin beside the repository)" };
        cmd.Options.Add(data);
        cmd.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(data) ?? FindDefaultData()
                ?? throw new UserErrorException("demo data not found: pass --data DIR (a directory with blk00000.dat)");
            var blockFiles = Directory.EnumerateFiles(dir, "blk0000?.dat").Where(f => !f.Contains("incomplete", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (blockFiles.Count == 0)
            {
                throw new UserErrorException($"{dir}: no blk0000N.dat files");
            }

            using var store = ctx.OpenStore(parse, create: true);
            var ingestor = new BlockFileIngestor(store, new IngestOptions());
            IngestResult? last = null;
            foreach (var file in blockFiles)
            {
                last = await ingestor.RunAsync(file, "bitcoin", Network.BitcoinMain, null, ct).ConfigureAwait(false);
                ctx.Out.WriteLine($"ingested {Path.GetFileName(file)}: +{last.BlocksAdded} blocks, tip {last.TipHeight}");
            }

            using var utxo = store.OpenUtxoChain("bitcoin", null, create: false);
            var views = new UtxoViews(utxo);
            ctx.Out.WriteLine($"store {store.Path}: bitcoin heights {utxo.BaseHeight}..{utxo.TipHeight}, {utxo.TxCount} tx, {utxo.InputCount} inputs, {utxo.OutputCount} outputs, {utxo.AddressCount} addresses");
            var first = utxo.FindTx(Hash256.Parse("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"));
            if (first >= 0)
            {
                var tx = views.Tx(first);
                ctx.Out.WriteLine($"first person-to-person payment, block {tx.BlockNumber}: {string.Join(", ", tx.Inputs[0].Addresses)} paid " +
                    string.Join(" and ", tx.Outputs.Select(o => $"{Format.Coins(o.Value)} to {string.Join(",", o.Addresses)}")));
            }

            ctx.Out.WriteLine("next: ./ashiato status | ./ashiato show tx <txid> | ./ashiato show address <address> | ./ashiato export transactions");
            return 0;
        });
        return cmd;
    }

    private static string? FindDefaultData()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "bitcoin", "nbitcoin");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
