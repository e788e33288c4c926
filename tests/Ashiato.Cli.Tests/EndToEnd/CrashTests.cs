using System.Diagnostics;
using System.Text.Json;
using Ashiato.Core;
using Ashiato.Storage;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary>SIGKILL during ingest: the store opens consistently, resumes, and ends as an uninterrupted run does.</summary>
public sealed class CrashTests
{
    [Fact]
    public async Task Ingest_KilledMidWriteTwice_StoreOpensConsistently_AndResumesToTheSameState()
    {
        using var cli = new CliRunner();
        var blocks = Path.Combine(cli.WorkDir, "blocks");
        GeneratedChain.Write(blocks, blocks: 400, txPerBlock: 250, maxFileBytes: 8 * 1024 * 1024);
        string[] ingest = ["ingest", "bitcoin", "--blocks", blocks, "--network", "bitcoin-regtest", "--commit-mb", "1"];

        var killedAt = new List<int>();
        foreach (var segmentsBeforeKill in new[] { 2, 6 })
        {
            var (exited, segments) = await RunAndKillAsync(cli.StoreDir, ingest, segmentsBeforeKill);
            Assert.False(exited, "ingest finished before it could be killed; make the chain larger");
            Assert.True(segments >= segmentsBeforeKill);

            // the store opens: every committed block is whole and findable
            using var store = StoreDirectory.Open(cli.StoreDir, create: false);
            using var utxo = store.OpenUtxoChain("bitcoin-regtest", null, create: false);
            Assert.InRange(utxo.TipHeight, 1, 399);
            var tipMeta = utxo.GetBlockMeta(utxo.TipHeight);
            Assert.Equal(utxo.TxCount, tipMeta.FirstTx + tipMeta.TxCount);
            for (var t = tipMeta.FirstTx; t < utxo.TxCount; t++)
            {
                Assert.Equal(t, utxo.FindTx(utxo.GetTxId(t)));
            }

            killedAt.Add(utxo.TipHeight);
        }

        Assert.True(killedAt[1] >= killedAt[0]);
        var (code, _, err) = await cli.RunAsync(ingest);
        Assert.True(code == 0, err);
        var (_, status, _) = await cli.RunAsync("status", "--json");
        Assert.Equal(400, JsonDocument.Parse(status).RootElement.GetProperty("chains")[0].GetProperty("tip_height").GetInt32());
        var (_, resumed, _) = await cli.RunAsync("export", "transactions");

        using var fresh = new CliRunner();
        var (freshCode, _, freshErr) = await fresh.RunAsync(ingest);
        Assert.True(freshCode == 0, freshErr);
        var (_, expected, _) = await fresh.RunAsync("export", "transactions");
        Assert.Equal(expected.Length, resumed.Length);
        Assert.True(expected == resumed, "export after kills and resume differs from an uninterrupted ingest");
    }

    [Fact]
    public async Task IngestEvm_KilledMidWriteTwice_StoreOpensConsistently_AndResumesToTheSameExports()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions());
        for (var i = 0; i < 6; i++)
        {
            await node.SendTransactionAsync(node.Accounts[i % 3], EvmScenario.FreshAddress(i), new UInt256((ulong)(i + 1)));
        }

        // long enough that the second run is still writing when its kill comes (the first kill can land a few segments
        // late: the test polls the store's directory; with 2 500 blocks the second run sometimes finished first)
        await node.MineAsync(6000);
        var tip = (long)await node.BlockNumberAsync();
        using var cli = new CliRunner();
        string[] ingest = ["ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "anvil", "--commit-mb", "0.05", "--batch", "10"];
        var killedAt = new List<long>();
        foreach (var segmentsBeforeKill in new[] { 2, 6 })
        {
            var (exited, segments) = await RunAndKillAsync(cli.StoreDir, ingest, segmentsBeforeKill, "anvil");
            Assert.False(exited, "ingest finished before it could be killed; make the chain longer");
            Assert.True(segments >= segmentsBeforeKill);
            using var store = StoreDirectory.Open(cli.StoreDir, create: false);
            using var evm = store.OpenEvmChain("anvil", null, writer: false);
            Assert.NotNull(evm.TipHeight);
            Assert.InRange(evm.TipHeight!.Value, 1, tip - 1);
            for (var t = 0L; t < evm.TxCount; t++)
            {
                Assert.Equal(t, evm.FindTransaction(evm.TransactionHash(t)));
            }

            killedAt.Add(evm.TipHeight.Value);
        }

        var (code, _, err) = await cli.RunAsync(ingest);
        Assert.True(code == 0, err);
        using var fresh = new CliRunner();
        (code, _, err) = await fresh.RunAsync(ingest);
        Assert.True(code == 0, err);
        foreach (var table in new[] { "blocks", "transactions", "receipts", "traces" })
        {
            var (_, resumed, _) = await cli.RunAsync("export", table, "--format", "csv");
            var (_, expected, _) = await fresh.RunAsync("export", table, "--format", "csv");
            Assert.True(expected == resumed, $"{table}: export after kills and resume differs from an uninterrupted ingest");
        }
    }

    /// <summary>Runs the CLI as a child process and SIGKILLs it once the store has the given number of segment directories.</summary>
    private static async Task<(bool Exited, int Segments)> RunAndKillAsync(string storeDir, string[] args, int segments, string chain = "bitcoin-regtest")
    {
        var cliDll = Path.Combine(AppContext.BaseDirectory, "ashiato.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cliDll);
        psi.ArgumentList.Add("--store");
        psi.ArgumentList.Add(storeDir);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var chainDir = Path.Combine(storeDir, "chains", chain);
        // count segment directories made by this run, by name: compaction merges small tail segments into one, so the
        // number of directories can fall while the run writes (then a count difference never reached the target and the
        // run sometimes finished before its kill); names are generation-numbered and never reused
        var seen = new HashSet<string>(SegmentNames(chainDir), StringComparer.Ordinal);
        var made = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                return (true, 0);
            }

            foreach (var name in SegmentNames(chainDir))
            {
                if (seen.Add(name))
                {
                    made++;
                }
            }

            if (made >= segments)
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux
                await process.WaitForExitAsync();
                return (false, made);
            }

            await Task.Delay(5);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("ingest made no progress in 120 s");
    }

    private static string[] SegmentNames(string chainDir)
    {
        try
        {
            return Directory.Exists(chainDir) ? Directory.GetDirectories(chainDir, "seg-*").Select(d => Path.GetFileName(d)).ToArray() : [];
        }
        catch (DirectoryNotFoundException)
        {
            return []; // the chain directory is being made
        }
    }
}
