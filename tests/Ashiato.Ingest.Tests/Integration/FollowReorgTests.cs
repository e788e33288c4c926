using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>Its own node: the test rewrites the node's chain.</summary>
public sealed class FollowReorgTests
{
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan _catchUp = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Follow_NodeReorgsThreeBlocks_StoreEndsOnNodesBestChainWithoutOrphanedTransactions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var node = await LitecoindNode.StartAsync(ct);
        await node.CreateWalletAsync("w", ct);
        var first = await node.GetNewAddressAsync("w", "bech32", ct);
        var second = await node.GetNewAddressAsync("w", "legacy", ct);
        await node.GenerateToAddressAsync(101, first, ct);

        using var store = new TempStore();
        var probe = new ProgressProbe();
        using var stopFollowing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var following = Task.Run(() => store.FollowRpcAsync(node, _poll, probe, stopFollowing.Token), ct);
        await probe.WaitForAsync(p => p is { Stage: "following", Height: 101 }, _catchUp, following, ct);

        var payment = await Node.SendAsync(node, "w", second, 100_000_000, ct);
        var orphaned = await node.GenerateToAddressAsync(3, first, ct); // heights 102..104; the payment is in 102
        await probe.WaitForAsync(p => p is { Stage: "following", Height: 104 }, _catchUp, following, ct);
        var orphanedCoinbases = new List<string>();
        foreach (var hash in orphaned)
        {
            orphanedCoinbases.Add((await Node.BlockTxidsAsync(node, hash, ct))[0]);
        }

        await node.RpcAsync("invalidateblock", ct, orphaned[0]);
        Assert.Equal(101, await Node.HeightAsync(node, ct));
        await node.GenerateToAddressAsync(5, second, ct); // heights 102..106 on the new branch; the payment is mined again
        var tip = await Node.HeightAsync(node, ct);
        Assert.Equal(106, tip);
        await probe.WaitForAsync(p => p is { Stage: "following", Height: 106 }, _catchUp, following, ct);

        await stopFollowing.CancelAsync();
        var result = await following;

        Assert.Equal(3, result.RolledBack);
        Assert.Equal(106, result.TipHeight);
        var nodeHashes = new List<string>();
        for (var h = 0; h <= tip; h++)
        {
            nodeHashes.Add(await Node.BlockHashAsync(node, h, ct));
        }

        var paymentHeight = await Node.TxHeightAsync(node, payment, ct);
        store.Read(utxo =>
        {
            Assert.Equal((0, tip), (utxo.BaseHeight, utxo.TipHeight));
            Assert.Equal(nodeHashes, Enumerable.Range(0, tip + 1).Select(h => utxo.GetBlockHash(h).ToString()).ToList());
            foreach (var coinbase in orphanedCoinbases)
            {
                Assert.Equal(-1, utxo.FindTx(Hash256.Parse(coinbase)));
            }

            var paymentTx = utxo.FindTx(Hash256.Parse(payment));
            Assert.True(paymentTx >= 0, "the re-mined payment is not in the store");
            Assert.Equal(paymentHeight, utxo.GetTx(paymentTx).Height);
            return 0;
        });

        // The store holds exactly the node's chain: a fresh ingest of it exports the same.
        using var fresh = new TempStore();
        await fresh.IngestRpcAsync(node, null, tip, ct);
        Assert.Equal(fresh.Shape(), store.Shape());
        ExportAssert.SameExports(fresh, store, "fresh vs followed");
    }

    [Fact]
    public async Task Follow_NodeChainShrinksWhileARangeIsFetched_RecoversAndEndsOnNodesBestChain()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await using var node = await LitecoindNode.StartAsync(ct);
        await node.CreateWalletAsync("w", ct);
        var first = await node.GetNewAddressAsync("w", "bech32", ct);
        var second = await node.GetNewAddressAsync("w", "legacy", ct);
        var hashes = await node.GenerateToAddressAsync(60, first, ct);

        // While block 25 is written, the node drops blocks 20..60 (as if seen in the middle of a reorg): the batch 20..29
        // is already fetched, and the next batch asks for heights the node no longer has.
        using var store = new TempStore();
        var shrunk = false;
        var probe = new ProgressProbe(p =>
        {
            if (!shrunk && p is { Stage: "ingesting", Height: 25 })
            {
                shrunk = true;
                node.RpcAsync("invalidateblock", CancellationToken.None, hashes[19]).GetAwaiter().GetResult();
            }
        });
        using var stopFollowing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var following = Task.Run(() => store.FollowRpcAsync(node, _poll, probe, stopFollowing.Token, batchSize: 10), ct);
        await probe.WaitForAsync(p => p is { Stage: "following", Height: 19 }, _catchUp, following, ct);

        await node.GenerateToAddressAsync(45, second, ct);
        var tip = await Node.HeightAsync(node, ct);
        await probe.WaitForAsync(p => p is { Stage: "following" } && p.Height == tip, _catchUp, following, ct);
        await stopFollowing.CancelAsync();
        var result = await following;

        Assert.True(shrunk);
        Assert.Equal(10, result.RolledBack); // blocks 20..29 of the first batch that reached them
        Assert.Equal(tip, result.TipHeight);
        var nodeHashes = new List<string>();
        for (var h = 0; h <= tip; h++)
        {
            nodeHashes.Add(await Node.BlockHashAsync(node, h, ct));
        }

        Assert.Equal(nodeHashes, store.Read(u => Enumerable.Range(0, tip + 1).Select(h => u.GetBlockHash(h).ToString()).ToList()));
        using var fresh = new TempStore();
        await fresh.IngestRpcAsync(node, null, tip, ct);
        Assert.Equal(fresh.Shape(), store.Shape());
    }
}
