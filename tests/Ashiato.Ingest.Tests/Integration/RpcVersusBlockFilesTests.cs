using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Export;
using Ashiato.Ingest.Tests.Fixtures;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>The same chain ingested over RPC and from the node's blk files: identical stores, and both agree with the node.</summary>
[Collection(LitecoindCollection.Name)]
public sealed class RpcVersusBlockFilesTests(LitecoindFixture fixture)
{
    private const long Coin = 100_000_000;
    private const string Wallet = "rpc-vs-files";

    [Fact]
    public async Task WalletTransactionsOfEveryKind_RpcAndBlockFileStores_ExportIdenticallyAndMatchTheNode()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        var node = fixture.Node;
        await node.CreateWalletAsync(Wallet, ct);
        var mining = await node.GetNewAddressAsync(Wallet, "bech32", ct);
        await Node.MineAsync(node, 110, mining, LitecoindFixture.MinerWallet, ct); // 10 mature coinbases

        var legacy = await node.GetNewAddressAsync(Wallet, "legacy", ct);
        var p2shSegwit = await node.GetNewAddressAsync(Wallet, "p2sh-segwit", ct);
        var bech32 = await node.GetNewAddressAsync(Wallet, "bech32", ct);
        var txids = new List<string>
        {
            await Node.SendAsync(node, Wallet, legacy, 150_000_000, ct),
            await Node.SendAsync(node, Wallet, p2shSegwit, 225_000_000, ct),
            await Node.SendAsync(node, Wallet, bech32, 75_000_000, ct),
        };
        await node.GenerateToAddressAsync(1, mining, ct);

        // More than any single UTXO: the wallet must combine inputs.
        var unspent = await node.WalletRpcAsync(Wallet, "listunspent", ct);
        var largest = unspent.EnumerateArray().Max(u => Node.ToLitoshis(u.GetProperty("amount")));
        var balance = Node.ToLitoshis(await node.WalletRpcAsync(Wallet, "getbalance", ct));
        var multiAmount = largest + Coin;
        Assert.True(balance > multiAmount + Coin, $"balance {balance} cannot pay {multiAmount}");
        var multiInput = await Node.SendAsync(node, Wallet, await node.GetNewAddressAsync(Wallet, "bech32", ct), multiAmount, ct);
        txids.Add(multiInput);
        await node.GenerateToAddressAsync(1, mining, ct);

        var sendMany = await node.WalletRpcAsync(Wallet, "sendmany", ct, "", new Dictionary<string, string>
        {
            [legacy] = "0.40000000",
            [await node.GetNewAddressAsync(Wallet, "p2sh-segwit", ct)] = "0.20000000",
            [await node.GetNewAddressAsync(Wallet, "bech32", ct)] = "0.30000000",
        });
        txids.Add(sendMany.GetString()!);
        await node.GenerateToAddressAsync(1, mining, ct);
        txids.Add(await Node.SendAsync(node, Wallet, legacy, 5_000_000, ct));
        await node.GenerateToAddressAsync(2, mining, ct);

        Assert.True((await Node.TxAsync(node, multiInput, ct)).Inputs.Length >= 2);
        var tip = await Node.HeightAsync(node, ct);
        var tipHash = await Node.BlockHashAsync(node, tip, ct);

        using var viaRpc = new TempStore();
        using var viaFiles = new TempStore();
        var rpcResult = await viaRpc.IngestRpcAsync(node, null, tip, ct);
        await node.FlushAsync(ct);
        var filesResult = await viaFiles.IngestBlockFilesAsync(node.BlocksDir, ct);

        Assert.Equal((0, tip, tip + 1), (rpcResult.FromHeight, rpcResult.TipHeight, rpcResult.BlocksAdded));
        Assert.Equal((0, tip, tip + 1), (filesResult.FromHeight, filesResult.TipHeight, filesResult.BlocksAdded));
        Assert.Equal((0L, 0L), (rpcResult.UnresolvedInputs, rpcResult.NodeResolvedInputs));
        Assert.Equal(0L, filesResult.UnresolvedInputs);
        var shape = viaRpc.Shape();
        Assert.Equal(shape, viaFiles.Shape());
        Assert.Equal(tipHash, shape.TipHash);
        Assert.Equal((rpcResult.Transactions, rpcResult.Inputs, rpcResult.Outputs), (shape.Txs, shape.Inputs, shape.Outputs));
        var (rpcBlocks, rpcTxs) = viaRpc.Export();
        var (fileBlocks, fileTxs) = viaFiles.Export();
        Assert.Equal(tip + 1, rpcBlocks.Count(c => c == '\n'));
        Assert.Equal(shape.Txs, rpcTxs.Count(c => c == '\n'));
        ExportAssert.Identical(fileBlocks, rpcBlocks, "exported blocks (block files vs RPC)");
        ExportAssert.Identical(fileTxs, rpcTxs, "exported transactions (block files vs RPC)");

        await NodeFidelity.AssertExportMatchesNodeAsync(node, viaFiles, tip - 20, tip, ct);
        foreach (var txid in txids)
        {
            await AssertTxMatchesNodeAsync(node, viaFiles, txid, ct);
        }

        await AssertAddressTotalsMatchNodeAsync(node, viaRpc, legacy, ct);
        await AssertAddressTotalsMatchNodeAsync(node, viaFiles, p2shSegwit, ct);
    }

    /// <summary>Our stored outputs (value, address) and inputs (outpoints) of a transaction equal <c>getrawtransaction txid true</c>.</summary>
    private static async Task AssertTxMatchesNodeAsync(LitecoindNode node, TempStore store, string txid, CancellationToken ct)
    {
        var expected = await Node.TxAsync(node, txid, ct);
        var height = await Node.TxHeightAsync(node, txid, ct);
        store.Read(utxo =>
        {
            var id = utxo.FindTx(Hash256.Parse(txid));
            Assert.True(id >= 0, $"tx {txid} is not in the store");
            var tx = utxo.GetTx(id);
            Assert.Equal(height, tx.Height);
            Assert.Equal(expected.Outputs.Length, tx.OutputCount);
            var views = new UtxoViews(utxo);
            for (var o = 0; o < tx.OutputCount; o++)
            {
                var row = utxo.GetOutput(tx.FirstOutput + o);
                Assert.Equal(expected.Outputs[o].Value, row.Value);
                Assert.True(row.HasAddress, $"{txid}:{o} has no address");
                Assert.Equal(expected.Outputs[o].Addresses, new[] { utxo.FormatAddress(row.AddressId) });
                Assert.Equal(expected.Outputs[o].Addresses, views.Output(tx.FirstOutput + o, o).Addresses);
            }

            var view = views.Tx(id);
            Assert.Equal(expected.Inputs.Length, view.Inputs.Count);
            for (var i = 0; i < view.Inputs.Count; i++)
            {
                Assert.Equal(expected.Inputs[i]!.TxId, view.Inputs[i].SpentTxId.ToString());
                Assert.Equal((uint)expected.Inputs[i]!.Vout, view.Inputs[i].SpentIndex);
                Assert.True(view.Inputs[i].Resolved && view.Inputs[i].Value > 0, $"{txid} input {i} not resolved");
            }

            return 0;
        });
    }

    /// <summary>Received (all outputs to it) and unspent totals of an address equal the node's wallet.</summary>
    private static async Task AssertAddressTotalsMatchNodeAsync(LitecoindNode node, TempStore store, string address, CancellationToken ct)
    {
        var received = Node.ToLitoshis(await node.WalletRpcAsync(Wallet, "getreceivedbyaddress", ct, address, 0));
        var unspent = await node.WalletRpcAsync(Wallet, "listunspent", ct, 0, 9_999_999, new[] { address });
        var unspentTotal = unspent.EnumerateArray().Sum(u => Node.ToLitoshis(u.GetProperty("amount")));
        Assert.True(received > 0);
        Assert.True(AddressCodec.TryParse(Network.LitecoinRegtest, address, out var kind, out var payload));

        var (storeReceived, storeSpent, postings) = store.Read(utxo =>
        {
            var id = utxo.FindAddress(kind, payload);
            Assert.True(id >= 0, $"{address} is not in the store");
            long inTotal = 0, outTotal = 0;
            var count = 0;
            foreach (var posting in utxo.GetPostings((uint)id))
            {
                count++;
                if (posting.IsInput)
                {
                    var input = utxo.GetInput(posting.Id);
                    Assert.True(input.Prev >= 0, $"input {posting.Id} of {address} does not resolve in the store");
                    outTotal += utxo.GetOutput(input.Prev).Value;
                }
                else
                {
                    inTotal += utxo.GetOutput(posting.Id).Value;
                }
            }

            return (inTotal, outTotal, count);
        });

        Assert.True(postings >= 1);
        Assert.Equal(received, storeReceived);
        Assert.Equal(unspentTotal, storeReceived - storeSpent);
    }
}
