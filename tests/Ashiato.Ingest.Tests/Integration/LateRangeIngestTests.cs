using System.Text.Json;
using Ashiato.Ingest.Tests.Fixtures;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>
/// A range ingested without its history: inputs spending outputs before the range are resolved through the node
/// (txindex), inputs spending outputs inside it through the store; nothing stays unknown.
/// </summary>
[Collection(LitecoindCollection.Name)]
public sealed class LateRangeIngestTests(LitecoindFixture fixture)
{
    private const string Wallet = "late-range";

    [Fact]
    public async Task LateRange_InputsSpendingOlderOutputs_AreResolvedThroughTheNode_AndExportLikeAFullIngest()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        var node = fixture.Node;
        await node.CreateWalletAsync(Wallet, ct);
        var mining = await node.GetNewAddressAsync(Wallet, "bech32", ct);
        await Node.MineAsync(node, 105, mining, LitecoindFixture.MinerWallet, ct);

        // tip-3: spends old coinbases.
        var legacy = await node.GetNewAddressAsync(Wallet, "legacy", ct);
        var first = await Node.SendAsync(node, Wallet, legacy, 300_000_000, ct);
        await node.GenerateToAddressAsync(1, mining, ct);

        // tip-2: spends the output made at tip-3, inside the range.
        var firstTx = await Node.TxAsync(node, first, ct);
        var vout = Array.FindIndex(firstTx.Outputs, o => o.Addresses.SequenceEqual([legacy]));
        var p2sh = await node.GetNewAddressAsync(Wallet, "p2sh-segwit", ct);
        var raw = await node.RpcAsync("createrawtransaction", ct,
            new object[] { new Dictionary<string, object> { ["txid"] = first, ["vout"] = vout } },
            new Dictionary<string, string> { [p2sh] = "2.99990000" });
        var signed = await node.WalletRpcAsync(Wallet, "signrawtransactionwithwallet", ct, raw.GetString()!);
        Assert.True(signed.GetProperty("complete").GetBoolean(), signed.GetRawText());
        var second = (await node.RpcAsync("sendrawtransaction", ct, signed.GetProperty("hex").GetString()!)).GetString()!;
        await node.GenerateToAddressAsync(1, mining, ct);

        // tip-1: several outputs, funded by whatever the wallet picks.
        var third = (await node.WalletRpcAsync(Wallet, "sendmany", ct, "", new Dictionary<string, string>
        {
            [await node.GetNewAddressAsync(Wallet, "bech32", ct)] = "1.00000000",
            [await node.GetNewAddressAsync(Wallet, "legacy", ct)] = "2.50000000",
        })).GetString()!;
        await node.GenerateToAddressAsync(2, mining, ct);

        var tip = await Node.HeightAsync(node, ct);
        var from = tip - 3;
        var nodeTxs = new Dictionary<string, NodeTx>();
        var expectedNodeResolved = 0;
        for (var h = from; h <= tip; h++)
        {
            foreach (var txid in await Node.BlockTxidsAsync(node, await Node.BlockHashAsync(node, h, ct), ct))
            {
                var tx = await Node.TxAsync(node, txid, ct);
                nodeTxs[txid] = tx;
                foreach (var input in tx.Inputs.OfType<NodeInput>())
                {
                    nodeTxs.TryAdd(input.TxId, await Node.TxAsync(node, input.TxId, ct));
                    if (await Node.TxHeightAsync(node, input.TxId, ct) < from)
                    {
                        expectedNodeResolved++;
                    }
                }
            }
        }

        Assert.Contains(first, nodeTxs.Keys);
        Assert.True(expectedNodeResolved >= 2, $"only {expectedNodeResolved} inputs spend outputs before the range");

        using var late = new TempStore();
        var result = await late.IngestRpcAsync(node, from, tip, ct);

        Assert.Equal((from, tip, 4), (result.FromHeight, result.TipHeight, result.BlocksAdded));
        Assert.Equal(0, result.UnresolvedInputs);
        Assert.Equal(expectedNodeResolved, result.NodeResolvedInputs);
        Assert.Equal(from, late.Shape().BaseHeight);

        var (lateBlocks, lateTxs) = late.Export();
        var checkedInputs = 0;
        var seen = new HashSet<string>();
        foreach (var line in lateTxs.TrimEnd('\n').Split('\n'))
        {
            using var doc = JsonDocument.Parse(line);
            var tx = doc.RootElement;
            var txid = tx.GetProperty("hash").GetString()!;
            seen.Add(txid);
            if (tx.GetProperty("is_coinbase").GetBoolean())
            {
                continue;
            }

            var nodeTx = nodeTxs[txid];
            long inputTotal = 0;
            foreach (var input in tx.GetProperty("inputs").EnumerateArray())
            {
                var index = input.GetProperty("index").GetInt32();
                var spent = nodeTxs[nodeTx.Inputs[index]!.TxId].Outputs[nodeTx.Inputs[index]!.Vout];
                Assert.Equal(nodeTx.Inputs[index]!.TxId, input.GetProperty("spent_transaction_hash").GetString());
                Assert.Equal(JsonValueKind.Number, input.GetProperty("value").ValueKind);
                Assert.Equal(spent.Value, input.GetProperty("value").GetInt64());
                var addresses = input.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray();
                if (spent.Addresses.Length == 0)
                {
                    // bitcoin-etl: an output without addresses is "nonstandard" with one "nonstandard…" address
                    Assert.Equal("nonstandard", input.GetProperty("type").GetString());
                    Assert.StartsWith("nonstandard", Assert.Single(addresses), StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(spent.Addresses, addresses);
                }

                inputTotal += spent.Value;
                checkedInputs++;
            }

            var outputTotal = nodeTx.Outputs.Sum(o => o.Value);
            Assert.Equal(inputTotal, tx.GetProperty("input_value").GetInt64());
            Assert.Equal(outputTotal, tx.GetProperty("output_value").GetInt64());
            Assert.Equal(inputTotal - outputTotal, tx.GetProperty("fee").GetInt64());
        }

        Assert.Superset(new HashSet<string> { first, second, third }, seen);
        Assert.True(checkedInputs >= expectedNodeResolved + 1, $"{checkedInputs} inputs checked");

        await NodeFidelity.AssertExportMatchesNodeAsync(node, late, from, tip, ct);

        // The node-resolved rows export exactly like rows resolved from full history.
        using var full = new TempStore();
        await full.IngestRpcAsync(node, null, tip, ct);
        var (fullBlocks, fullTxs) = full.Export(from, tip);
        ExportAssert.Identical(fullBlocks, lateBlocks, "exported blocks (full history vs late range)");
        ExportAssert.Identical(fullTxs, lateTxs, "exported transactions (full history vs late range)");
    }
}
