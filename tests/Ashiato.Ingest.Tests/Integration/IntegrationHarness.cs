using System.Globalization;
using System.Text.Json;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Export;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Integration;

/// <summary>A temp store directory per test, deleted on dispose.</summary>
internal sealed class TempStore : IDisposable
{
    public const string Chain = "litecoin-regtest";

    public TempStore()
    {
        // The store wants a missing or empty directory.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ashiato-it-" + Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    /// <summary>Ingests heights <paramref name="from"/>..<paramref name="to"/> (null: genesis / node tip) over RPC.</summary>
    public async Task<IngestResult> IngestRpcAsync(LitecoindNode node, int? from, int? to, CancellationToken ct,
        RpcClientOptions? rpcOptions = null, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, int batchSize = 50)
    {
        using var store = StoreDirectory.Open(Path, create: true);
        using var http = Node.NewHttpClient();
        var ingestor = new RpcIngestor(store, Node.Client(http, node, rpcOptions), options ?? new IngestOptions());
        return await ingestor.RunAsync(new RpcIngestRequest(from, to, false, TimeSpan.Zero, batchSize), Chain, Network.LitecoinRegtest,
            progress, ct);
    }

    /// <summary>Follows the node (Follow=true) until <paramref name="ct"/> is cancelled, then returns what the run did.</summary>
    public async Task<IngestResult> FollowRpcAsync(LitecoindNode node, TimeSpan pollInterval, IProgress<IngestProgress> progress,
        CancellationToken ct, int batchSize = 50)
    {
        using var store = StoreDirectory.Open(Path, create: true);
        using var http = Node.NewHttpClient();
        var ingestor = new RpcIngestor(store, Node.Client(http, node), new IngestOptions());
        return await ingestor.RunAsync(new RpcIngestRequest(null, null, true, pollInterval, batchSize), Chain, Network.LitecoinRegtest,
            progress, ct);
    }

    /// <summary>Ingests a node's blk files (flush the node first so they are complete).</summary>
    public async Task<IngestResult> IngestBlockFilesAsync(string blocksDir, CancellationToken ct)
    {
        using var store = StoreDirectory.Open(Path, create: true);
        var ingestor = new BlockFileIngestor(store, new IngestOptions());
        return await ingestor.RunAsync(blocksDir, Chain, Network.LitecoinRegtest, null, ct);
    }

    /// <summary>Runs <paramref name="read"/> on the committed chain (the store must not be open for writing).</summary>
    public T Read<T>(Func<UtxoChainStore, T> read)
    {
        using var store = StoreDirectory.Open(Path, create: false);
        using var utxo = store.OpenUtxoChain(Chain, null, create: false);
        return read(utxo);
    }

    /// <summary>bitcoin-etl JSON lines of blocks and transactions for a height range (default: the whole chain).</summary>
    public (string Blocks, string Transactions) Export(int? from = null, int? to = null) => Read(utxo =>
    {
        var exporter = new BitcoinEtlExporter(new UtxoViews(utxo));
        var blocks = new StringWriter(CultureInfo.InvariantCulture);
        var txs = new StringWriter(CultureInfo.InvariantCulture);
        exporter.WriteBlocks(blocks, from ?? utxo.BaseHeight, to ?? utxo.TipHeight, ExportFormat.Json);
        exporter.WriteTransactions(txs, from ?? utxo.BaseHeight, to ?? utxo.TipHeight, ExportFormat.Json);
        return (blocks.ToString(), txs.ToString());
    });

    public StoreShape Shape() => Read(u => new StoreShape(u.BaseHeight, u.TipHeight, u.TipHash.ToString(), u.TxCount, u.InputCount,
        u.OutputCount, u.AddressCount));

    public void Dispose()
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 3)
            {
                Thread.Sleep(50);
            }
        }
    }
}

internal readonly record struct StoreShape(int BaseHeight, int TipHeight, string TipHash, long Txs, long Inputs, long Outputs, long Addresses);

/// <summary>Node-side helpers: RPC clients for the ingester and the node's own view of transactions.</summary>
internal static class Node
{
    /// <summary>
    /// A client per ingest run, disposed after it: litecoind's <c>stop</c> waits for idle keep-alive connections to
    /// close, so a long-lived pool would hold every node's shutdown until its stop timeout kills it.
    /// </summary>
    public static HttpClient NewHttpClient() => new() { Timeout = Timeout.InfiniteTimeSpan };

    public static BitcoinRpcClient Client(HttpClient http, LitecoindNode node, RpcClientOptions? options = null) =>
        new(http, node.RpcUrl, node.RpcUser, node.RpcPassword, options);

    /// <summary>Regtest height at which MWEB activates: its block needs a peg-in in the mempool.</summary>
    public const int MwebActivationHeight = 432;

    /// <summary>
    /// Mines <paramref name="blocks"/> blocks to <paramref name="address"/>; when they cross the MWEB activation height, first
    /// pegs a little of <paramref name="pegInWallet"/> into MWEB so the activation block can be mined.
    /// </summary>
    public static async Task MineAsync(LitecoindNode node, int blocks, string address, string pegInWallet, CancellationToken ct)
    {
        var height = await HeightAsync(node, ct);
        if (height < MwebActivationHeight && height + blocks >= MwebActivationHeight)
        {
            var before = MwebActivationHeight - 1 - height;
            if (before > 0)
            {
                await node.GenerateToAddressAsync(before, address, ct);
            }

            await node.PegInToMwebAsync(pegInWallet, 10_000_000, ct);
            blocks -= before;
        }

        await node.GenerateToAddressAsync(blocks, address, ct);
    }

    public static async Task<int> HeightAsync(LitecoindNode node, CancellationToken ct) =>
        (await node.RpcAsync("getblockcount", ct)).GetInt32();

    public static async Task<string> BlockHashAsync(LitecoindNode node, int height, CancellationToken ct) =>
        (await node.RpcAsync("getblockhash", ct, height)).GetString()!;

    /// <summary>The txids of a block, in order.</summary>
    public static async Task<string[]> BlockTxidsAsync(LitecoindNode node, string blockHash, CancellationToken ct)
    {
        var block = await node.RpcAsync("getblock", ct, blockHash, 1);
        return block.GetProperty("tx").EnumerateArray().Select(t => t.GetString()!).ToArray();
    }

    public static async Task<int> TxHeightAsync(LitecoindNode node, string txid, CancellationToken ct)
    {
        var tx = await node.RpcAsync("getrawtransaction", ct, txid, true);
        var header = await node.RpcAsync("getblockheader", ct, tx.GetProperty("blockhash").GetString()!);
        return header.GetProperty("height").GetInt32();
    }

    /// <summary><c>getrawtransaction txid true</c>: each output's value and addresses as the node prints them.</summary>
    public static async Task<NodeTx> TxAsync(LitecoindNode node, string txid, CancellationToken ct)
    {
        var tx = await node.RpcAsync("getrawtransaction", ct, txid, true);
        var outputs = tx.GetProperty("vout").EnumerateArray()
            .Select(o => new NodeOutput(ToLitoshis(o.GetProperty("value")), Addresses(o.GetProperty("scriptPubKey"))))
            .ToArray();
        var inputs = tx.GetProperty("vin").EnumerateArray()
            .Select(i => i.TryGetProperty("coinbase", out _) ? null : new NodeInput(i.GetProperty("txid").GetString()!, i.GetProperty("vout").GetInt32()))
            .ToArray();
        return new NodeTx(txid, inputs, outputs);
    }

    /// <summary>The addresses of a scriptPubKey as litecoind prints them (<c>address</c>, or the pre-22 <c>addresses</c> list).</summary>
    public static string[] Addresses(JsonElement scriptPubKey)
    {
        if (scriptPubKey.TryGetProperty("address", out var one))
        {
            return [one.GetString()!];
        }

        return scriptPubKey.TryGetProperty("addresses", out var many)
            ? many.EnumerateArray().Select(a => a.GetString()!).ToArray()
            : [];
    }

    public static long ToLitoshis(JsonElement amount) => decimal.ToInt64(amount.GetDecimal() * 100_000_000m);

    public static string Amount(long litoshis) =>
        string.Create(CultureInfo.InvariantCulture, $"{litoshis / 100_000_000}.{litoshis % 100_000_000:D8}");

    public static async Task<string> SendAsync(LitecoindNode node, string wallet, string address, long litoshis, CancellationToken ct) =>
        (await node.WalletRpcAsync(wallet, "sendtoaddress", ct, address, Amount(litoshis))).GetString()!;
}

internal sealed record NodeInput(string TxId, int Vout);

internal sealed record NodeOutput(long Value, string[] Addresses);

/// <summary>A transaction as the node reports it; coinbase inputs are null.</summary>
internal sealed record NodeTx(string TxId, NodeInput?[] Inputs, NodeOutput[] Outputs);

/// <summary>Records progress reports synchronously (no synchronization context), so tests can wait on them.</summary>
internal sealed class ProgressProbe : IProgress<IngestProgress>
{
    private readonly Lock _lock = new();
    private readonly List<IngestProgress> _reports = [];
    private readonly Action<IngestProgress>? _onReport;

    public ProgressProbe(Action<IngestProgress>? onReport = null) => _onReport = onReport;

    public IngestProgress? Last
    {
        get
        {
            lock (_lock)
            {
                return _reports.Count == 0 ? null : _reports[^1];
            }
        }
    }

    public void Report(IngestProgress value)
    {
        lock (_lock)
        {
            _reports.Add(value);
        }

        _onReport?.Invoke(value);
    }

    /// <summary>Polls until the latest report matches; fails the test with the last report after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<IngestProgress, bool> done, TimeSpan timeout, Task running, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        while (Last is not { } last || !done(last))
        {
            if (running.IsCompleted)
            {
                await running; // surfaces the ingester's exception
                Assert.Fail($"the ingester returned before reaching the expected state; last progress {Last}");
            }

            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"progress did not reach the expected state within {timeout}; last progress {Last}");
            }
        }
    }
}

internal static class ExportAssert
{
    /// <summary>Both stores export byte-identical blocks and transactions (bitcoin-etl JSON).</summary>
    public static void SameExports(TempStore expected, TempStore actual, string comparison)
    {
        var (expectedBlocks, expectedTxs) = expected.Export();
        var (actualBlocks, actualTxs) = actual.Export();
        Identical(expectedBlocks, actualBlocks, $"exported blocks ({comparison})");
        Identical(expectedTxs, actualTxs, $"exported transactions ({comparison})");
    }

    /// <summary>Byte-identical texts; on a difference, names the first differing line of both.</summary>
    public static void Identical(string expected, string actual, string what)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return;
        }

        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "(end)";
            var al = i < a.Length ? a[i] : "(end)";
            if (!string.Equals(el, al, StringComparison.Ordinal))
            {
                Assert.Fail($"{what} differ at line {i + 1} of {e.Length}/{a.Length}:\nexpected: {el}\nactual:   {al}");
            }
        }
    }
}

/// <summary>Our bitcoin-etl export, field by field, against what the node itself reports (<c>getblock hash 2</c>).</summary>
internal static class NodeFidelity
{
    /// <summary>
    /// Block size, stripped size and weight; every transaction's size and vsize; every output's value, script, type and
    /// addresses (bitcoin-etl rewrites an output without addresses to type "nonstandard" and one "nonstandard…" address);
    /// every input's outpoint. Fails listing every difference.
    /// </summary>
    public static async Task AssertExportMatchesNodeAsync(LitecoindNode node, TempStore store, int from, int to, CancellationToken ct)
    {
        var (blocks, txs) = store.Export(from, to);
        var blockLines = blocks.TrimEnd('\n').Split('\n');
        var txLines = new Queue<string>(txs.TrimEnd('\n').Split('\n'));
        var differences = new List<string>();
        void Check(bool same, string difference)
        {
            if (!same)
            {
                differences.Add(difference);
            }
        }

        Assert.Equal(to - from + 1, blockLines.Length);
        for (var h = from; h <= to; h++)
        {
            var nodeBlock = await node.RpcAsync("getblock", ct, await Node.BlockHashAsync(node, h, ct), 2);
            using var ours = JsonDocument.Parse(blockLines[h - from]);
            var b = ours.RootElement;
            Assert.Equal(nodeBlock.GetProperty("hash").GetString(), b.GetProperty("hash").GetString());
            foreach (var (field, nodeField) in new[] { ("size", "size"), ("stripped_size", "strippedsize"), ("weight", "weight") })
            {
                Check(nodeBlock.GetProperty(nodeField).GetInt64() == b.GetProperty(field).GetInt64(),
                    $"block {h}: {field} {b.GetProperty(field).GetInt64()}, node says {nodeBlock.GetProperty(nodeField).GetInt64()}");
            }

            foreach (var nodeTx in nodeBlock.GetProperty("tx").EnumerateArray())
            {
                using var txDoc = JsonDocument.Parse(txLines.Dequeue());
                var tx = txDoc.RootElement;
                var txid = nodeTx.GetProperty("txid").GetString();
                var where = $"block {h} tx {txid}";
                Assert.Equal(txid, tx.GetProperty("hash").GetString());
                Check(nodeTx.GetProperty("size").GetInt64() == tx.GetProperty("size").GetInt64(),
                    $"{where}: size {tx.GetProperty("size")}, node says {nodeTx.GetProperty("size")}");
                Check(nodeTx.GetProperty("vsize").GetInt64() == tx.GetProperty("virtual_size").GetInt64(),
                    $"{where}: virtual_size {tx.GetProperty("virtual_size")}, node says {nodeTx.GetProperty("vsize")}");

                var outputs = tx.GetProperty("outputs").EnumerateArray().ToArray();
                var nodeOutputs = nodeTx.GetProperty("vout").EnumerateArray().ToArray();
                Assert.Equal(nodeOutputs.Length, outputs.Length);
                for (var o = 0; o < outputs.Length; o++)
                {
                    var spk = nodeOutputs[o].GetProperty("scriptPubKey");
                    var addresses = outputs[o].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray();
                    var type = outputs[o].GetProperty("type").GetString();
                    var nodeAddresses = Node.Addresses(spk);
                    Check(Node.ToLitoshis(nodeOutputs[o].GetProperty("value")) == outputs[o].GetProperty("value").GetInt64(),
                        $"{where} output {o}: value {outputs[o].GetProperty("value")}, node says {nodeOutputs[o].GetProperty("value")}");
                    Check(spk.GetProperty("hex").GetString() == outputs[o].GetProperty("script_hex").GetString(),
                        $"{where} output {o}: script {outputs[o].GetProperty("script_hex")}, node says {spk.GetProperty("hex")}");
                    if (nodeAddresses.Length == 0)
                    {
                        Check(type == "nonstandard" && addresses.Length == 1 && addresses[0].StartsWith("nonstandard", StringComparison.Ordinal),
                            $"{where} output {o}: node prints type {spk.GetProperty("type")} without address; we print {type} [{string.Join(", ", addresses)}]");
                    }
                    else
                    {
                        Check(spk.GetProperty("type").GetString() == type && nodeAddresses.SequenceEqual(addresses),
                            $"{where} output {o}: node prints {spk.GetProperty("type")} [{string.Join(", ", nodeAddresses)}]; we print {type} [{string.Join(", ", addresses)}]");
                    }
                }

                var inputs = tx.GetProperty("inputs").EnumerateArray().ToArray();
                var nodeInputs = nodeTx.GetProperty("vin").EnumerateArray().Where(i => !i.TryGetProperty("coinbase", out _)).ToArray();
                Assert.Equal(nodeInputs.Length, inputs.Length);
                for (var i = 0; i < inputs.Length; i++)
                {
                    Check(nodeInputs[i].GetProperty("txid").GetString() == inputs[i].GetProperty("spent_transaction_hash").GetString()
                          && nodeInputs[i].GetProperty("vout").GetInt64() == inputs[i].GetProperty("spent_output_index").GetInt64(),
                        $"{where} input {i}: spends {inputs[i].GetProperty("spent_transaction_hash")}:{inputs[i].GetProperty("spent_output_index")}, node says {nodeInputs[i].GetProperty("txid")}:{nodeInputs[i].GetProperty("vout")}");
                }
            }
        }

        Assert.Empty(txLines);
        Assert.True(differences.Count == 0,
            $"{differences.Count} differences from the node:\n{string.Join('\n', differences.Take(30))}");
    }
}
