using Ashiato.Core;
using Ashiato.Ingest.Tests.Fixtures;
using Ashiato.Storage.Utxo;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>Blocks from MWEB activation on: HogEx last, extension bytes kept, RPC and blk files agree.</summary>
[Collection(LitecoindCollection.Name)]
public sealed class MwebIngestTests(LitecoindFixture fixture)
{
    [Fact]
    public async Task MwebBlocks_HaveHogExAndExtension_RpcAndBlockFileStoresExportIdentically()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        var node = fixture.Node;
        var height = await Node.HeightAsync(node, ct);
        if (height < Node.MwebActivationHeight - 1)
        {
            await node.GenerateToAddressAsync(Node.MwebActivationHeight - 1 - height, fixture.MinerAddress, ct);
        }

        // At 431 the peg-in lets block 432 be mined; past it (another test crossed first) it is one more MWEB transaction.
        var pegIn = await node.PegInToMwebAsync(LitecoindFixture.MinerWallet, 150_000_000, ct);
        await node.GenerateToAddressAsync(Math.Max(1, 440 - Math.Max(height, Node.MwebActivationHeight - 1)), fixture.MinerAddress, ct);
        var tip = await Node.HeightAsync(node, ct);
        Assert.True(tip >= 440, $"tip {tip}");
        var pegInHeight = await Node.TxHeightAsync(node, pegIn, ct);

        using var viaRpc = new TempStore();
        using var viaFiles = new TempStore();
        await viaRpc.IngestRpcAsync(node, null, tip, ct);
        await node.FlushAsync(ct);
        var files = await viaFiles.IngestBlockFilesAsync(node.BlocksDir, ct);
        Assert.Equal(tip, files.TipHeight);

        var nodeSizes = new Dictionary<int, int>();
        for (var h = Node.MwebActivationHeight - 2; h <= tip; h++)
        {
            var block = await node.RpcAsync("getblock", ct, await Node.BlockHashAsync(node, h, ct), 1);
            nodeSizes[h] = block.GetProperty("size").GetInt32();
        }

        foreach (var store in new[] { viaFiles, viaRpc })
        {
            store.Read(utxo =>
            {
                for (var h = Node.MwebActivationHeight - 2; h <= tip; h++)
                {
                    var meta = utxo.GetBlockMeta(h);
                    var last = utxo.GetTx(meta.FirstTx + meta.TxCount - 1);
                    var mweb = h >= Node.MwebActivationHeight;
                    Assert.True(mweb == ((last.Meta.Flags & TxFlags.HogEx) != 0), $"block {h}: last tx flags {last.Meta.Flags}");
                    Assert.True(mweb == (meta.MwebExtensionLength > 0), $"block {h}: MWEB extension of {meta.MwebExtensionLength} bytes");
                    Assert.True(nodeSizes[h] == meta.Size, $"block {h}: size {meta.Size}, node says {nodeSizes[h]}");
                    for (var t = 0; t < meta.TxCount - 1; t++)
                    {
                        Assert.Equal(TxFlags.None, utxo.GetTx(meta.FirstTx + t).Meta.Flags & TxFlags.HogEx);
                    }
                }

                var pegInTx = utxo.FindTx(Hash256.Parse(pegIn));
                Assert.True(pegInTx >= 0, "the peg-in is not in the store");
                Assert.Equal(pegInHeight, utxo.GetTx(pegInTx).Height);
                return 0;
            });
        }

        Assert.Equal(viaFiles.Shape(), viaRpc.Shape());
        var (fileBlocks, fileTxs) = viaFiles.Export();
        var (rpcBlocks, rpcTxs) = viaRpc.Export();
        ExportAssert.Identical(fileBlocks, rpcBlocks, "exported blocks (block files vs RPC)");
        ExportAssert.Identical(fileTxs, rpcTxs, "exported transactions (block files vs RPC)");

        await NodeFidelity.AssertExportMatchesNodeAsync(node, viaRpc, Node.MwebActivationHeight - 2, tip, ct);
        var pegInNode = await Node.TxAsync(node, pegIn, ct);
        var pegInLine = rpcTxs.Split('\n').Single(l => l.Contains($"\"hash\": \"{pegIn}\"", StringComparison.Ordinal));
        foreach (var output in pegInNode.Outputs)
        {
            Assert.Contains($"\"value\": {output.Value}}}", pegInLine, StringComparison.Ordinal);
        }
    }
}
