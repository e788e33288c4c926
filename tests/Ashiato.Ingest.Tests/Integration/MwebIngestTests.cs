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
        var pegInWallet = LitecoindFixture.MinerWallet;
        if (height < Node.MwebActivationHeight)
        {
            // Before activation nobody holds MWEB coins: the miner's peg-in is a canonical transaction.
            if (height < Node.MwebActivationHeight - 1)
            {
                await node.GenerateToAddressAsync(Node.MwebActivationHeight - 1 - height, fixture.MinerAddress, ct);
            }
        }
        else
        {
            // Another test crossed first, and the miner's peg-in change went into MWEB: a wallet with MWEB coins pays an MWEB
            // address inside MWEB, not with a canonical peg-in. Peg in from a wallet that never held MWEB coins.
            pegInWallet = "mweb-pegin";
            await node.CreateWalletAsync(pegInWallet, ct);
            await node.GenerateToAddressAsync(101, await node.GetNewAddressAsync(pegInWallet, "bech32", ct), ct);
        }

        var pegIn = await node.PegInToMwebAsync(pegInWallet, 150_000_000, ct);
        await node.GenerateToAddressAsync(9, fixture.MinerAddress, ct); // to 440 when the peg-in activated MWEB
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

                    if (mweb)
                    {
                        // the HogAddr output (witness v8) has no address on the node: stored as nonstandard, never as a made-up address
                        var hogAddr = utxo.GetOutput(last.FirstOutput);
                        Assert.Equal(Ashiato.Chains.Bitcoin.Scripts.ScriptType.Nonstandard, hogAddr.Type);
                        Assert.Equal(Ashiato.Chains.Bitcoin.Scripts.AddressKind.Nonstandard, utxo.GetAddress(hogAddr.AddressId).Kind);
                    }
                }

                var pegInTx = utxo.FindTx(Hash256.Parse(pegIn));
                Assert.True(pegInTx >= 0, "the peg-in is not in the store");
                Assert.Equal(pegInHeight, utxo.GetTx(pegInTx).Height);
                return 0;
            });
        }

        Assert.Equal(viaFiles.Shape(), viaRpc.Shape());
        ExportAssert.SameExports(viaFiles, viaRpc, "block files vs RPC");

        // Sizes, weights, the HogEx and peg-in outputs (no address on the node: bitcoin-etl's "nonstandard") as the node says.
        await NodeFidelity.AssertExportMatchesNodeAsync(node, viaRpc, Node.MwebActivationHeight - 2, tip, ct);
    }
}
