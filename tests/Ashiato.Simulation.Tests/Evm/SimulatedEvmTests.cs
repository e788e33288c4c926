using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Simulation.Evm;
using Ashiato.Storage;

namespace Ashiato.Simulation.Tests.Evm;

/// <summary>One small simulated world shared by the EVM tests.</summary>
public sealed class SimulatedEvmFixture : IDisposable
{
    public SimulatedEvmFixture()
    {
        Result = Simulation.Run(Seed, 3000, Out);
        Node = SimulatedEvmNode.Load(Out);
    }

    public const ulong Seed = 21;

    public string Out { get; } = Path.Combine(Path.GetTempPath(), "ashiato-simevm-" + Guid.NewGuid().ToString("N"));

    public SimulationResult Result { get; }

    public SimulatedEvmNode Node { get; }

    public JsonElement Truth(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Out, "truth", file)));
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        if (Directory.Exists(Out))
        {
            Directory.Delete(Out, recursive: true);
        }
    }
}

public sealed class SimulatedEvmTests(SimulatedEvmFixture fixture) : IClassFixture<SimulatedEvmFixture>
{
    private const string Chain = "sim-evm";
#pragma warning disable RS0030
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030

    [Fact]
    public void Evm_SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        var root = Path.Combine(Path.GetTempPath(), "ashiato-simevm-det-" + Guid.NewGuid().ToString("N"));
        try
        {
            Simulation.Run(4, 2000, Path.Combine(root, "a"));
            Simulation.Run(4, 2000, Path.Combine(root, "b"));
            Simulation.Run(5, 2000, Path.Combine(root, "c"));
            string[] files = ["evm/chain.jsonl", "evm/state.csv", "evm/chain.json", "truth/evm-addresses.csv", "truth/evm-ground-truth.json", "manifest.json"];
            foreach (var f in files)
            {
                var a = File.ReadAllBytes(Path.Combine(root, "a", f));
                Assert.True(a.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, "b", f))), $"{f} differs for the same seed");
                Assert.False(a.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(root, "c", f))), $"{f} is the same for another seed");
            }

            var manifest = File.ReadAllText(Path.Combine(root, "a", "manifest.json"));
            Assert.Contains("\"evm/chain.jsonl\"", manifest, StringComparison.Ordinal);
            Assert.Contains("\"evm/state.csv\"", manifest, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>
    /// The same conservation check as AnvilIngestTests, against the simulated node: ingest with <see cref="EvmIngestor"/>, then
    /// for every (asset, holder) our transfers touch, the node's balance change (eth_getBalance, balanceOf) at every block
    /// the key is touched equals the sum of our transfers there; over a window of blocks around the DeFi hack every key is
    /// checked at every block; and the node's final balance equals block 0's plus all our transfers.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Ingest_SimulatedNode_TransfersEqualNodeBalanceChanges(bool gethTraces, bool receiptsByTransaction)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var node = SimulatedEvmNode.Load(fixture.Out);
        await using var _ = node;
        if (gethTraces)
        {
            node.DisabledMethods.Add("trace_block");
        }

        if (receiptsByTransaction)
        {
            node.DisabledMethods.Add("eth_getBlockReceipts");
        }

        node.Start();
        var storePath = Path.Combine(Path.GetTempPath(), "ashiato-simevm-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            EvmIngestResult result;
            using (var store = StoreDirectory.Open(storePath, create: true))
            {
                var ingestor = new EvmIngestor(store, new EvmNodeSource(new EvmRpcClient(Http, node.Url!)), new IngestOptions { CommitInterval = TimeSpan.Zero });
                result = await ingestor.RunAsync(new EvmIngestRequest(Chain, EvmChainBuilder.ChainId, 0, null, false, true, TimeSpan.FromMilliseconds(100), 20), null, cts.Token);
            }

            Assert.Equal(gethTraces ? "geth" : "parity", result.TraceMode);
            Assert.Equal(receiptsByTransaction ? "ByTransaction" : "ByBlock", result.ReceiptMode);
            Assert.Equal(node.Tip, result.TipHeight);
            Assert.Equal(fixture.Result.Evm!.Transactions, result.Transactions);

            List<(long Height, EvmTransferKind Kind, string Asset, string? From, string? To, BigInteger Amount)> transfers;
            using (var store = StoreDirectory.Open(storePath, create: false))
            using (var evm = store.OpenEvmChain(Chain, null, writer: false))
            {
                transfers = evm.Transfers(0, node.Tip).Select(t => (t.Height, t.Kind, Asset: t.AssetId < 0 ? "" : evm.Address(t.AssetId).ToString(),
                    From: t.FromId < 0 ? null : evm.Address(t.FromId).ToString(), To: t.ToId < 0 ? null : evm.Address(t.ToId).ToString(),
                    Amount: t.Amount.ToBigInteger())).ToList();
            }

            foreach (var kind in new[] { EvmTransferKind.Native, EvmTransferKind.FeeTip, EvmTransferKind.FeeBurnt, EvmTransferKind.Internal, EvmTransferKind.Erc20, EvmTransferKind.Wrap, EvmTransferKind.Unwrap })
            {
                Assert.Contains(transfers, t => t.Kind == kind);
            }

            // our deltas per block and key ("native:" or "20:token", holder)
            var perBlock = new Dictionary<long, Dictionary<(string, string), BigInteger>>();
            foreach (var t in transfers)
            {
                var ledger = perBlock.TryGetValue(t.Height, out var l) ? l : perBlock[t.Height] = [];
                var asset = t.Asset.Length == 0 ? "native:" : "20:" + t.Asset;
                if (t.From is { } from)
                {
                    ledger[(asset, from)] = ledger.GetValueOrDefault((asset, from)) - t.Amount;
                }

                if (t.To is { } to)
                {
                    ledger[(asset, to)] = ledger.GetValueOrDefault((asset, to)) + t.Amount;
                }
            }

            var keys = perBlock.Values.SelectMany(l => l.Keys).Distinct().OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal).ToList();
            var hackBlock = SimCalendar.DayIndex(new DateOnly(2022, 3, 29)) + 1L;
            var window = Enumerable.Range(0, 12).Select(i => hackBlock - 4 + i).ToList();
            var slots = new HashSet<((string, string) Key, long Block)>();
            foreach (var (b, ledger) in perBlock)
            {
                foreach (var key in ledger.Keys)
                {
                    slots.Add((key, b));
                    slots.Add((key, b - 1));
                }
            }

            foreach (var key in keys)
            {
                slots.Add((key, 0));
                slots.Add((key, node.Tip));
                foreach (var b in window)
                {
                    slots.Add((key, b));
                    slots.Add((key, b - 1));
                }
            }

            var balances = await QueryAsync(node.Url!, slots.Where(s => s.Block >= 0).ToList(), cts.Token);
            BigInteger At((string, string) key, long b) => b < 0 ? BigInteger.Zero : balances[(key, b)];
            var mismatches = new List<string>();
            var checkedPairs = 0;
            foreach (var (b, ledger) in perBlock)
            {
                foreach (var (key, ours) in ledger)
                {
                    checkedPairs++;
                    var nodeDelta = At(key, b) - At(key, b - 1);
                    if (nodeDelta != ours)
                    {
                        mismatches.Add($"block {b} {key}: node {nodeDelta}, transfers {ours}");
                    }
                }
            }

            foreach (var b in window)
            {
                foreach (var key in keys)
                {
                    checkedPairs++;
                    var ours = perBlock.GetValueOrDefault(b)?.GetValueOrDefault(key) ?? BigInteger.Zero;
                    if (At(key, b) - At(key, b - 1) != ours)
                    {
                        mismatches.Add($"window block {b} {key}: node {At(key, b) - At(key, b - 1)}, transfers {ours}");
                    }
                }
            }

            foreach (var key in keys)
            {
                checkedPairs++;
                var sum = perBlock.Where(p => p.Key > 0).Aggregate(BigInteger.Zero, (s, p) => s + p.Value.GetValueOrDefault(key));
                if (At(key, node.Tip) - At(key, 0) != sum)
                {
                    mismatches.Add($"whole chain {key}: node {At(key, node.Tip) - At(key, 0)}, transfers {sum}");
                }
            }

            Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedPairs} balance changes differ:\n" + string.Join('\n', mismatches.Take(30)));
            Assert.True(checkedPairs > 5000, $"only {checkedPairs} balance changes checked");
        }
        finally
        {
            if (Directory.Exists(storePath))
            {
                Directory.Delete(storePath, recursive: true);
            }
        }
    }

    private static async Task<Dictionary<((string, string) Key, long Block), BigInteger>> QueryAsync(Uri url, List<((string Asset, string Holder) Key, long Block)> slots, CancellationToken ct)
    {
        var rpc = new EvmRpcClient(Http, url);
        var result = new Dictionary<((string, string), long), BigInteger>();
        for (var i = 0; i < slots.Count; i += 500)
        {
            var chunk = slots.Skip(i).Take(500).ToList();
            var calls = chunk.Select(s =>
            {
                var tag = "0x" + s.Block.ToString("x", CultureInfo.InvariantCulture);
                return s.Key.Asset == "native:"
                    ? new EvmRpcCall("eth_getBalance", [s.Key.Holder, tag])
                    : new EvmRpcCall("eth_call", [new Dictionary<string, object> { ["to"] = s.Key.Asset[3..], ["data"] = "0x70a08231000000000000000000000000" + s.Key.Holder[2..] }, tag]);
            }).ToList();
            var replies = await rpc.BatchAsync(calls, ct);
            for (var k = 0; k < replies.Count; k++)
            {
                var hex = replies[k].Error is null ? replies[k].Result.GetString()! : throw new InvalidOperationException(replies[k].Error!.Message);
                result[chunk[k]] = hex is "0x" ? BigInteger.Zero : BigInteger.Parse("0" + hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return result;
    }

    [Fact]
    public void Node_AnswersLikeARealNode()
    {
        var node = fixture.Node;
        using var chainId = JsonDocument.Parse(node.Handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"));
        Assert.Equal("0x7a6a", chainId.RootElement.GetProperty("result").GetString());
        Assert.Equal(1, chainId.RootElement.GetProperty("id").GetInt32());

        using var unknown = JsonDocument.Parse(node.Handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_foo\",\"params\":[]}"));
        Assert.Equal(-32601, unknown.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        using var bad = JsonDocument.Parse(node.Handle("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0xzz\",false]}"));
        Assert.Equal(-32602, bad.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        using var parse = JsonDocument.Parse(node.Handle("{not json"));
        Assert.Equal(-32700, parse.RootElement.GetProperty("error").GetProperty("code").GetInt32());

        using var batch = JsonDocument.Parse(node.Handle(
            "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_blockNumber\"},{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false]}," +
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x1\",true]},{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0xffffff\",true]}]"));
        var answers = batch.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, answers.Count);
        Assert.Equal("0x" + node.Tip.ToString("x", CultureInfo.InvariantCulture), answers[0].GetProperty("result").GetString());
        var latest = answers[1].GetProperty("result");
        Assert.Equal(answers[0].GetProperty("result").GetString(), latest.GetProperty("number").GetString());
        Assert.All(latest.GetProperty("transactions").EnumerateArray(), t => Assert.Equal(JsonValueKind.String, t.ValueKind));
        var block1 = answers[2].GetProperty("result");
        Assert.True(block1.GetProperty("transactions").GetArrayLength() > 5);
        Assert.Equal(JsonValueKind.Null, answers[3].GetProperty("result").ValueKind);

        // block 1 deploys the contracts: receipts with contractAddress, tokens answer eth_call at that block, not before
        var firstTx = block1.GetProperty("transactions")[0].GetProperty("hash").GetString();
        using var receipt = JsonDocument.Parse(node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"eth_getTransactionReceipt\",\"params\":[\"{firstTx}\"]}}"));
        var usdt = receipt.RootElement.GetProperty("result").GetProperty("contractAddress").GetString();
        string Call(string data, string tag)
        {
            using var d = JsonDocument.Parse(node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"eth_call\",\"params\":[{{\"to\":\"{usdt}\",\"data\":\"{data}\"}},\"{tag}\"]}}"));
            return d.RootElement.GetProperty("result").GetString()!;
        }

        Assert.Equal("0x" + new string('0', 63) + "6", Call("0x313ce567", "latest"));
        Assert.Equal("0x", Call("0x313ce567", "0x0"));
        Assert.Contains("55534454", Call("0x95d89b41", "0x1"), StringComparison.Ordinal); // "USDT"
    }

    /// <summary>Every stolen lot on the EVM side ends somewhere; amounts are conserved; bridge hops exist on both chains.</summary>
    [Fact]
    public void GroundTruth_EveryStolenLotEndsSomewhere_BridgeHopsExistOnBothChains()
    {
        var truth = fixture.Truth("evm-ground-truth.json");
        var owners = File.ReadLines(Path.Combine(fixture.Out, "truth", "evm-addresses.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => p[1]);
        var lots = truth.GetProperty("lots").EnumerateArray().ToList();
        Assert.NotEmpty(lots);
        var thefts = truth.GetProperty("thefts").EnumerateArray().ToList();
        Assert.Contains(thefts, t => t.GetProperty("actor").GetString() == "lazarus" && t.GetProperty("victim").GetString() == "crescent-lending");
        Assert.True(thefts.Count >= 6, $"only {thefts.Count} EVM thefts");
        var endKinds = new HashSet<string>();
        foreach (var lot in lots)
        {
            var id = lot.GetProperty("id").GetInt32();
            var children = lot.GetProperty("children").EnumerateArray().Select(c => c.GetInt32()).ToList();
            var amount = BigInteger.Parse(lot.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
            var hasEnd = lot.TryGetProperty("end", out var end);
            Assert.True(children.Count > 0 || hasEnd, $"lot {id} neither continues nor ends");
            if (hasEnd)
            {
                endKinds.Add(end.GetProperty("kind").GetString()!);
                if (end.TryGetProperty("tx", out var endTx))
                {
                    Assert.Equal("0x1", Receipt(endTx.GetString()!).GetProperty("status").GetString());
                }
            }

            var childLots = children.Select(c => lots[c]).ToList();
            if (childLots.Count > 0 && childLots.All(c => c.GetProperty("origin").GetString() is "split" or "move" or "mixer_deposit" or "remainder"))
            {
                Assert.Equal(amount, childLots.Aggregate(BigInteger.Zero, (s, c) => s + BigInteger.Parse(c.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture)));
            }
            else if (childLots.Count == 1 && childLots[0].GetProperty("origin").GetString() == "mixer_withdrawal")
            {
                var fee = BigInteger.Parse(end.GetProperty("service_fee").GetString()!, CultureInfo.InvariantCulture);
                Assert.Equal(amount - fee, BigInteger.Parse(childLots[0].GetProperty("amount").GetString()!, CultureInfo.InvariantCulture));
            }

            var origin = lot.GetProperty("origin").GetString();
            var holder = lot.GetProperty("holder").GetString()!;
            Assert.Equal(origin == "mixer_deposit" ? "cyclone-mixer" : lot.GetProperty("hacker").GetString(), owners[holder]);
            if (lot.GetProperty("tx").GetString() is { Length: > 0 } tx)
            {
                Assert.Equal("0x1", Receipt(tx).GetProperty("status").GetString());
            }
        }

        Assert.Contains("exchange", endKinds);
        Assert.Contains("mixer", endKinds);

        // bridge hops: the BTC deposit is a bridge endpoint of the Bitcoin ground truth, the EVM mint a Transfer from 0x0
        var btcBridgeEndpoints = new HashSet<string>();
        foreach (var t in fixture.Truth("ground-truth.json").GetProperty("thefts").EnumerateArray())
        {
            foreach (var seg in t.GetProperty("segments").EnumerateArray())
            {
                foreach (var e in seg.GetProperty("endpoints").EnumerateArray())
                {
                    if (e.GetProperty("kind").GetString() == "bridge")
                    {
                        btcBridgeEndpoints.Add(e.GetProperty("outpoint").GetString()!);
                    }
                }
            }
        }

        var hops = truth.GetProperty("bridge_hops").EnumerateArray().ToList();
        Assert.NotEmpty(hops);
        foreach (var hop in hops)
        {
            Assert.Contains(hop.GetProperty("btc_outpoint").GetString()!, btcBridgeEndpoints);
            var receipt = Receipt(hop.GetProperty("evm_tx").GetString()!);
            var to = hop.GetProperty("evm_to").GetString()!;
            Assert.Contains(receipt.GetProperty("logs").EnumerateArray(), l =>
                l.GetProperty("topics").GetArrayLength() == 3 && l.GetProperty("topics")[1].GetString() == "0x" + new string('0', 64)
                && l.GetProperty("topics")[2].GetString()!.EndsWith(to[2..], StringComparison.Ordinal)
                && BigInteger.Parse("0" + l.GetProperty("data").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == BigInteger.Parse(hop.GetProperty("minted").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(hop.GetProperty("btc_amount_sat").GetInt64(),
                (long)(BigInteger.Parse(hop.GetProperty("minted").GetString()!, CultureInfo.InvariantCulture) + BigInteger.Parse(hop.GetProperty("bridge_fee").GetString()!, CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void GroundTruth_BridgeBurns_NameTheirBitcoinDestinationInTheirEvent()
    {
        var truth = fixture.Truth("evm-ground-truth.json");
        var lots = truth.GetProperty("lots").EnumerateArray().ToList();
        var returns = truth.GetProperty("bridge_returns").EnumerateArray().ToList();
        Assert.NotEmpty(returns);
        Assert.Equal(fixture.Truth("ground-truth.json").GetProperty("bridge_returns").GetRawText(), truth.GetProperty("bridge_returns").GetRawText());
        var topic = "0x" + Convert.ToHexStringLower(Ashiato.Chains.Evm.Encoding.Keccak256.Hash("BridgeBurn(address,uint256,bytes)"u8.ToArray()));
        foreach (var r in returns)
        {
            var lot = lots[r.GetProperty("evm_lot").GetInt32()];
            Assert.Equal("sBTC", lot.GetProperty("asset").GetString());
            Assert.Equal(r.GetProperty("burned").GetInt64().ToString(CultureInfo.InvariantCulture), lot.GetProperty("amount").GetString());
            Assert.Equal("bridge", lot.GetProperty("end").GetProperty("kind").GetString());
            Assert.Equal(r.GetProperty("evm_burn_tx").GetString(), lot.GetProperty("end").GetProperty("tx").GetString());
            Assert.True(Ashiato.Chains.Bitcoin.Scripts.AddressCodec.TryParse(Ashiato.Chains.Bitcoin.Network.BitcoinRegtest, r.GetProperty("btc_destination").GetString()!, out var kind, out var payload));
            var script = Ashiato.Chains.Bitcoin.Scripts.ScriptClassifier.BuildScript(kind, payload)!;
            var log = Assert.Single(Receipt(r.GetProperty("evm_burn_tx").GetString()!).GetProperty("logs").EnumerateArray(), l => l.GetProperty("topics")[0].GetString() == topic);
            var data = Convert.FromHexString(log.GetProperty("data").GetString()![2..]);
            Assert.Equal(r.GetProperty("burned").GetInt64(), (long)new BigInteger(data.AsSpan(0, 32), isUnsigned: true, isBigEndian: true));
            var offset = (int)new BigInteger(data.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
            var length = (int)new BigInteger(data.AsSpan(offset, 32), isUnsigned: true, isBigEndian: true);
            Assert.Equal(script, data.AsSpan(offset + 32, length).ToArray());
        }
    }

    private JsonElement Receipt(string hash)
    {
        using var doc = JsonDocument.Parse(fixture.Node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionReceipt\",\"params\":[\"{hash}\"]}}"));
        return doc.RootElement.GetProperty("result").Clone();
    }
}
