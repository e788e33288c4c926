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

        // tip-3: spends a coinbase from before the range.
        var legacy = await node.GetNewAddressAsync(Wallet, "legacy", ct);
        var first = await Node.SendAsync(node, Wallet, legacy, 300_000_000, ct);
        await node.GenerateToAddressAsync(1, mining, ct);

        // tip-2: spends the output made at tip-3, inside the range.
        var firstTx = await Node.TxAsync(node, first, ct);
        var vout = Array.FindIndex(firstTx.Outputs, o => o.Addresses.SequenceEqual([legacy]));
        var second = await SpendAsync(node, [(first, vout)],
            new() { [await node.GetNewAddressAsync(Wallet, "p2sh-segwit", ct)] = 300_000_000 - 10_000 }, ct);
        await node.GenerateToAddressAsync(1, mining, ct);

        // tip-1: two coinbases from before the range, several outputs.
        var unspent = await node.WalletRpcAsync(Wallet, "listunspent", ct, 3, 9_999_999, new[] { mining });
        var old = unspent.EnumerateArray().Take(2)
            .Select(u => (TxId: u.GetProperty("txid").GetString()!, Vout: u.GetProperty("vout").GetInt32(), Value: Node.ToLitoshis(u.GetProperty("amount"))))
            .ToArray();
        Assert.Equal(2, old.Length);
        var third = await SpendAsync(node, [.. old.Select(o => (o.TxId, o.Vout))], new()
        {
            [await node.GetNewAddressAsync(Wallet, "bech32", ct)] = 100_000_000,
            [await node.GetNewAddressAsync(Wallet, "legacy", ct)] = 250_000_000,
            [await node.GetNewAddressAsync(Wallet, "p2sh-segwit", ct)] = old.Sum(o => o.Value) - 350_000_000 - 20_000,
        }, ct);
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
        Assert.True(expectedNodeResolved >= 3, $"only {expectedNodeResolved} inputs spend outputs before the range");

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

    /// <summary>Spends exactly <paramref name="inputs"/> (signed by the wallet) to <paramref name="outputs"/>; returns the txid.</summary>
    private static async Task<string> SpendAsync(LitecoindNode node, (string TxId, int Vout)[] inputs, Dictionary<string, long> outputs,
        CancellationToken ct)
    {
        var raw = await node.RpcAsync("createrawtransaction", ct,
            inputs.Select(i => new Dictionary<string, object> { ["txid"] = i.TxId, ["vout"] = i.Vout }).ToArray(),
            outputs.ToDictionary(o => o.Key, o => Node.Amount(o.Value)));
        var signed = await node.WalletRpcAsync(Wallet, "signrawtransactionwithwallet", ct, raw.GetString()!);
        Assert.True(signed.GetProperty("complete").GetBoolean(), signed.GetRawText());
        return (await node.RpcAsync("sendrawtransaction", ct, signed.GetProperty("hex").GetString()!)).GetString()!;
    }
}
