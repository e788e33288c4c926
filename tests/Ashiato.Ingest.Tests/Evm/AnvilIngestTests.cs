using System.Numerics;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Export.Evm;
using Ashiato.Ingest.Evm;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>
/// Ingest from a real anvil node after the scenario (ERC-20/721/1155, WETH, fan-out through internal calls, a failed
/// transaction, a reverted sub-call, CREATE2 with value, selfdestruct), checked against the node's own state.
/// </summary>
[Collection(AnvilCollection.Name)]
public sealed class AnvilIngestTests(AnvilFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Conservation against node state: for every block of the scenario and every (asset, holder) our transfers touch —
    /// plus every scenario address for the native coin — the balance change the node reports between block b-1 and b
    /// (<c>eth_getBalance</c>, ERC-20/721 <c>balanceOf(holder)</c>, ERC-1155 <c>balanceOf(holder, id)</c>) equals the
    /// sum of our transfers in minus out at block b. Both trace styles are checked (Parity trace_block, geth callTracer).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ingest_Scenario_TransfersEqualNodeBalanceChangesForEveryAddressAndBlock(bool gethTraces)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var scenario = await fixture.ScenarioAsync(cts.Token);
        using var store = new EvmTempStore();
        await using var proxy = new EvmFaultProxy(fixture.Node.RpcUrl);
        if (gethTraces)
        {
            proxy.Disable("trace_block");
        }

        var result = await store.IngestAsync(proxy.Url, 0, (long)scenario.LastBlock, cts.Token);
        Assert.Equal(gethTraces ? "geth" : "parity", result.TraceMode);
        Assert.Equal((long)scenario.LastBlock, result.TipHeight);

        var transfers = store.Read(evm => evm.Transfers(0, (long)scenario.LastBlock).Select(t => (t.Height, t.Kind,
            Asset: t.AssetId < 0 ? "" : evm.Address(t.AssetId).ToString(), From: t.FromId < 0 ? null : evm.Address(t.FromId).ToString(),
            To: t.ToId < 0 ? null : evm.Address(t.ToId).ToString(), t.Amount, t.TokenId)).ToList());
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Internal);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.SelfDestruct);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Create);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Erc20);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Erc721);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Erc1155);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Wrap);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.Unwrap);
        Assert.Contains(transfers, t => t.Kind == EvmTransferKind.FeeBurnt);

        // What the node's state must show, per block.
        var perBlock = new Dictionary<long, Ledger>();
        foreach (var t in transfers)
        {
            var ledger = perBlock.TryGetValue(t.Height, out var l) ? l : perBlock[t.Height] = new Ledger();
            var kind = t.Kind switch
            {
                EvmTransferKind.Erc721 => "721",
                EvmTransferKind.Erc1155 => "1155",
                _ => t.Asset.Length == 0 ? "native" : "20",
            };
            var asset = kind + ":" + t.Asset;
            var id = kind == "1155" ? t.TokenId.ToString() : "";
            var amount = t.Amount.ToBigInteger();
            if (t.From is { } from)
            {
                ledger.Add(asset, from, id, -amount);
            }

            if (t.To is { } to)
            {
                ledger.Add(asset, to, id, amount);
            }
        }

        // The universe of balances to check: every key any block touches, and every scenario address for the native coin.
        var keys = perBlock.Values.SelectMany(l => l.Deltas.Keys)
            .Concat(scenario.Addresses.Concat(scenario.FreshAddresses).Select(a => ("native:", a.ToString(), "")))
            .Distinct().OrderBy(k => k.Item1).ThenBy(k => k.Item2).ThenBy(k => k.Item3).ToList();
        var first = (long)scenario.FirstBlock;
        var last = (long)scenario.LastBlock;
        var balances = await QueryBalancesAsync(fixture.Node, keys, first - 1, last, cts.Token);
        var mismatches = new List<string>();
        var checkedPairs = 0;
        for (var b = first; b <= last; b++)
        {
            var ledger = perBlock.GetValueOrDefault(b) ?? new Ledger();
            foreach (var key in keys)
            {
                var nodeDelta = balances[(key, b)] - balances[(key, b - 1)];
                var ours = ledger.Get(key.Item1, key.Item2, key.Item3);
                checkedPairs++;
                if (nodeDelta != ours)
                {
                    mismatches.Add($"block {b} {key.Item1} {key.Item2} {key.Item3}: node {nodeDelta}, transfers {ours}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedPairs} balance changes differ:\n" + string.Join('\n', mismatches.Take(30)));
        Assert.True(checkedPairs > 1000, $"only {checkedPairs} balance changes checked");
    }

    [Fact]
    public async Task Ingest_Scenario_FailedTxPaysFeeOnly_RevertedSubcallMovesNothing_FanOutReachesEveryRecipient()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var scenario = await fixture.ScenarioAsync(cts.Token);
        using var store = new EvmTempStore();
        await store.IngestAsync(fixture.Node.RpcUrl, 0, (long)scenario.LastBlock, cts.Token);
        store.Read(evm =>
        {
            var failed = evm.FindTransaction(scenario.FailedTransaction);
            Assert.True(failed >= 0);
            var (height, index) = evm.TransactionLocation(failed);
            var kinds = evm.Transfers(height, height).Where(t => t.TransactionIndex == index).Select(t => t.Kind).ToList();
            Assert.Contains(EvmTransferKind.FeeBurnt, kinds);
            Assert.DoesNotContain(EvmTransferKind.Native, kinds);
            Assert.DoesNotContain(EvmTransferKind.Internal, kinds);

            foreach (var recipient in scenario.FanOutRecipients)
            {
                var id = evm.FindAddress(recipient);
                Assert.True(id >= 0, $"{recipient} not in the store");
                var incoming = evm.Postings(id).Where(p => !p.Outgoing).Select(p => evm.Transfer(p.TransferId)).ToList();
                Assert.Contains(incoming, t => t.Kind == EvmTransferKind.Internal && t.Amount == scenario.FanOutShare);
            }

            var child = evm.FindAddress(scenario.Create2Child);
            Assert.Contains(evm.Postings(child).Select(p => evm.Transfer(p.TransferId)),
                t => t.Kind == EvmTransferKind.Create && t.Amount == scenario.Create2Value && t.ToId == child);
            var beneficiary = evm.FindAddress(scenario.VaultBeneficiary);
            Assert.Contains(evm.Postings(beneficiary).Select(p => evm.Transfer(p.TransferId)),
                t => t.Kind == EvmTransferKind.SelfDestruct && t.Amount == scenario.VaultBalanceAtDestroy);
            return 0;
        });
    }

    /// <summary>Differential: what the store exports equals what the same node's answers export directly, for every table.</summary>
    [Fact]
    public async Task Export_FromStore_EqualsExportOfTheNodesAnswers_ForEveryTable()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var scenario = await fixture.ScenarioAsync(cts.Token);
        using var store = new EvmTempStore();
        await store.IngestAsync(fixture.Node.RpcUrl, 0, (long)scenario.LastBlock, cts.Token);

        var source = new EvmNodeSource(EvmTempStore.Client(fixture.Node.RpcUrl));
        await source.DetectTraceModeAsync(0, true, cts.Token);
        var bundles = new List<EvmBlockBundle>();
        for (long h = 0; h <= (long)scenario.LastBlock; h += 10)
        {
            bundles.AddRange(await source.GetBundlesAsync(h, (int)Math.Min(10, (long)scenario.LastBlock - h + 1), cts.Token));
        }

        var exporter = new EthereumEtlExporter();
        foreach (var format in new[] { EthereumEtlFormat.Json, EthereumEtlFormat.Csv })
        {
            string Direct(Action<StringWriter> write)
            {
                var w = new StringWriter { NewLine = "\n" };
                write(w);
                return w.ToString();
            }

            Assert.Equal(Direct(w => exporter.WriteBlocks(w, bundles.Select(b => b.Block), format)), store.Export(EvmTable.Blocks, format));
            Assert.Equal(Direct(w => exporter.WriteTransactions(w, bundles.Select(b => b.Block), format)), store.Export(EvmTable.Transactions, format));
            Assert.Equal(Direct(w => exporter.WriteReceipts(w, bundles.SelectMany(b => b.Receipts), format)), store.Export(EvmTable.Receipts, format));
            Assert.Equal(Direct(w => exporter.WriteLogs(w, bundles.SelectMany(b => b.Receipts).SelectMany(r => r.Logs), format)), store.Export(EvmTable.Logs, format));
            Assert.Equal(Direct(w => exporter.WriteTokenTransfers(w, bundles.SelectMany(b => b.Receipts).SelectMany(r => r.Logs), format)),
                store.Export(EvmTable.TokenTransfers, format));
            Assert.Equal(Direct(w => exporter.WriteTraces(w, bundles.SelectMany(b => b.Traces!), format)), store.Export(EvmTable.Traces, format));
        }

        // Tokens: each token contract once, with what its contract answers.
        var tokens = store.Export(EvmTable.Tokens, EthereumEtlFormat.Csv);
        Assert.Contains($"{scenario.Contracts["TestToken"]},", tokens);
        Assert.Contains($"{scenario.Contracts["Weth"]},", tokens);
        Assert.Equal(tokens.Split('\n').Distinct().Count(), tokens.Split('\n').Length);
        var testToken = tokens.Split('\n').Single(l => l.StartsWith(scenario.Contracts["TestToken"].ToString(), StringComparison.Ordinal));
        Assert.Matches(",18,", testToken);
    }

    private static async Task<Dictionary<((string, string, string) Key, long Block), BigInteger>> QueryBalancesAsync(AnvilNode node,
        IReadOnlyList<(string Asset, string Holder, string TokenId)> keys, long first, long last, CancellationToken ct)
    {
        var calls = new List<(string Method, IReadOnlyList<object?> Parameters)>();
        var slots = new List<((string, string, string), long)>();
        for (var b = Math.Max(0, first); b <= last; b++)
        {
            var tag = "0x" + b.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var key in keys)
            {
                var kind = key.Asset[..key.Asset.IndexOf(':', StringComparison.Ordinal)];
                var asset = key.Asset[(kind.Length + 1)..];
                var holder = EvmAddress.Parse(key.Holder);
                if (kind == "native")
                {
                    calls.Add(("eth_getBalance", [key.Holder, tag]));
                }
                else
                {
                    var data = kind == "1155"
                        ? Abi.EncodeCall("balanceOf(address,uint256)", holder, UInt256.Parse(key.TokenId))
                        : Abi.EncodeCall("balanceOf(address)", holder);
                    calls.Add(("eth_call", [new Dictionary<string, object> { ["to"] = asset, ["data"] = Hex.Encode(data) }, tag]));
                }

                slots.Add((key, b));
            }
        }

        var result = new Dictionary<((string, string, string), long), BigInteger>();
        for (var i = 0; i < calls.Count; i += 250)
        {
            var chunk = calls.Skip(i).Take(250).ToList();
            var replies = await node.Rpc.BatchAsync(chunk, ct);
            for (var k = 0; k < replies.Count; k++)
            {
                var reply = replies[k];
                BigInteger value;
                if (reply.Error is not null)
                {
                    value = BigInteger.Zero; // a contract that did not exist yet at that block holds nothing
                }
                else
                {
                    var hex = reply.Result.GetString()!;
                    value = hex is "0x" ? BigInteger.Zero : UInt256.ParseHex(hex.Length > 66 ? "0x" + hex[2..66] : hex).ToBigInteger();
                }

                result[slots[i + k]] = value;
            }
        }

        if (first < 0)
        {
            foreach (var key in keys)
            {
                result[(key, first)] = BigInteger.Zero;
            }
        }

        return result;
    }
}
