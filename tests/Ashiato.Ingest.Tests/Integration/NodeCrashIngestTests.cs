using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>Its own node: the test kills it in the middle of an ingest.</summary>
public sealed class NodeCrashIngestTests
{
    private const int KillAtHeight = 120;

    [Fact]
    public async Task NodeKilledMidIngest_FailsNamingNodeUrl_KeepsCommittedBlocks_NextRunResumesToSameResultAsFreshIngest()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var node = await LitecoindNode.StartAsync(ct);
        await node.CreateWalletAsync("w", ct);
        var mining = await node.GetNewAddressAsync("w", "bech32", ct);
        await node.GenerateToAddressAsync(101, mining, ct);
        for (var i = 0; i < 4; i++)
        {
            await Node.SendAsync(node, "w", await node.GetNewAddressAsync("w", i % 2 == 0 ? "legacy" : "p2sh-segwit", ct), 50_000_000, ct);
            await node.GenerateToAddressAsync(30, mining, ct);
        }

        var tip = await Node.HeightAsync(node, ct);
        Assert.Equal(221, tip);
        await node.FlushAsync(ct); // so the node comes back with every block after the kill

        using var store = new TempStore();
        var killed = false;
        var probe = new ProgressProbe(p =>
        {
            if (!killed && p.Stage == "ingesting" && p.Height >= KillAtHeight)
            {
                killed = true;
                node.KillAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
        });
        var quickFailure = new RpcClientOptions { MaxRetries = 1, FirstBackoff = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(5) };
        var everyBatch = new IngestOptions { CommitBytes = 1 };

        var error = await Assert.ThrowsAsync<UserErrorException>(
            () => store.IngestRpcAsync(node, null, tip, ct, quickFailure, everyBatch, probe, batchSize: 10));

        Assert.True(killed);
        Assert.Contains(node.RpcUrl.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("committed", error.Message, StringComparison.Ordinal);
        var partial = store.Shape();
        Assert.Equal(0, partial.BaseHeight);
        Assert.InRange(partial.TipHeight, KillAtHeight, tip - 1);
        Assert.Contains($"tip is now {partial.TipHeight}", error.Message, StringComparison.Ordinal);

        await node.RestartAsync(ct);
        Assert.Equal(tip, await Node.HeightAsync(node, ct));
        var resumed = await store.IngestRpcAsync(node, null, null, ct);

        Assert.Equal((partial.TipHeight + 1, tip), (resumed.FromHeight, resumed.TipHeight));
        Assert.Equal(tip - partial.TipHeight, resumed.BlocksAdded);
        Assert.Equal((0L, 0L), (resumed.UnresolvedInputs, resumed.NodeResolvedInputs));
        using var fresh = new TempStore();
        await fresh.IngestRpcAsync(node, null, null, ct);
        Assert.Equal(fresh.Shape(), store.Shape());
        ExportAssert.SameExports(fresh, store, "fresh vs resumed");
    }

    [Fact]
    public async Task BlockFiles_AfterCrashLeftStaleRecords_IngestTheNodesBestChainLikeRpc()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var node = await LitecoindNode.StartAsync(ct);
        await node.CreateWalletAsync("w", ct);
        await node.GenerateToAddressAsync(30, await node.GetNewAddressAsync("w", "bech32", ct), ct);
        await node.FlushAsync(ct);
        var lost = await node.GenerateToAddressAsync(5, await node.GetNewAddressAsync("w", "bech32", ct), ct);

        await node.KillAsync(ct);
        await node.RestartAsync(ct);
        Assert.Equal(30, await Node.HeightAsync(node, ct));
        // Same-size blocks on top of block 30: they overwrite the first three lost records; lost blocks 34 and 35 stay
        // in the file behind them, whole, with their parents gone.
        await node.GenerateToAddressAsync(3, await node.GetNewAddressAsync("w", "bech32", ct), ct);
        await node.FlushAsync(ct);
        var tip = await Node.HeightAsync(node, ct);

        using var viaFiles = new TempStore();
        using var viaRpc = new TempStore();
        var files = await viaFiles.IngestBlockFilesAsync(node.BlocksDir, ct);
        await viaRpc.IngestRpcAsync(node, null, null, ct);

        Assert.Equal((0, tip), (files.FromHeight, files.TipHeight));
        Assert.True(files.StaleBlocks >= 2, $"{files.StaleBlocks} stale blocks");
        var nodeHashes = new List<string>();
        for (var h = 0; h <= tip; h++)
        {
            nodeHashes.Add(await Node.BlockHashAsync(node, h, ct));
        }

        Assert.Equal(nodeHashes, viaFiles.Read(u => Enumerable.Range(0, tip + 1).Select(h => u.GetBlockHash(h).ToString()).ToList()));
        Assert.DoesNotContain(lost[^1], nodeHashes);
        Assert.Equal(viaRpc.Shape(), viaFiles.Shape());
        ExportAssert.SameExports(viaRpc, viaFiles, "RPC vs block files with stale records");
    }
}
