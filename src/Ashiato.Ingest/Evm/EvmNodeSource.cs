using System.Globalization;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;

namespace Ashiato.Ingest.Evm;

/// <summary>How a node gives internal calls: Parity-style <c>trace_block</c>, geth's <c>debug_traceBlockByNumber</c>, or not at all.</summary>
public enum EvmTraceMode
{
    Parity,
    Geth,
    None,
}

/// <summary>How a node gives receipts: a whole block at once, or one call per transaction.</summary>
public enum EvmReceiptMode
{
    ByBlock,
    ByTransaction,
}

/// <summary>
/// What ingest fetches from an EVM node, one batch of blocks at a time: blocks with transactions, their receipts and
/// their traces, decoded into the model. Detects once which receipt and trace methods the node has.
/// </summary>
public sealed class EvmNodeSource(EvmRpcClient rpc)
{
    private static readonly object CallTracer = new Dictionary<string, object> { ["tracer"] = "callTracer" };

    public EvmRpcClient Rpc => rpc;

    public EvmReceiptMode? ReceiptMode { get; private set; }

    public EvmTraceMode? TraceMode { get; private set; }

    public async Task<long> GetChainIdAsync(CancellationToken ct)
    {
        var r = await rpc.CallAsync("eth_chainId", [], ct).ConfigureAwait(false);
        return ParseQuantity(r, "eth_chainId");
    }

    public async Task<long> GetTipAsync(CancellationToken ct)
    {
        var r = await rpc.CallAsync("eth_blockNumber", [], ct).ConfigureAwait(false);
        return ParseQuantity(r, "eth_blockNumber");
    }

    /// <summary>The hash the node has at a height now, or null if it has no block there.</summary>
    public async Task<EvmHash?> GetBlockHashAsync(long height, CancellationToken ct)
    {
        var r = await rpc.CallAsync("eth_getBlockByNumber", [Quantity(height), false], ct).ConfigureAwait(false);
        if (r.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var source = $"eth_getBlockByNumber {Quantity(height)}";
        if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("hash", out var h) || h.GetString() is not { } s || !EvmHash.TryParse(s, out var hash))
        {
            throw new EvmDataException(source, "hash", "missing or not a 32-byte hash");
        }

        return hash;
    }

    /// <summary>Decides which trace method to use: the one that answers for <paramref name="probeHeight"/>.</summary>
    public async Task DetectTraceModeAsync(long probeHeight, bool wantTraces, CancellationToken ct)
    {
        if (!wantTraces)
        {
            TraceMode = EvmTraceMode.None;
            return;
        }

        // One method at a time: geth's callTracer can take seconds on a large block, so it is only asked when trace_block
        // is missing.
        var parity = (await rpc.BatchAsync([new EvmRpcCall("trace_block", [Quantity(probeHeight)])], ct).ConfigureAwait(false))[0];
        if (parity.Error is null)
        {
            TraceMode = EvmTraceMode.Parity;
            return;
        }

        var geth = (await rpc.BatchAsync([new EvmRpcCall("debug_traceBlockByNumber", [Quantity(probeHeight), CallTracer])], ct).ConfigureAwait(false))[0];
        if (geth.Error is null)
        {
            TraceMode = EvmTraceMode.Geth;
            return;
        }

        throw new UserErrorException(
            $"the node at {rpc.DisplayUrl} gives no traces: trace_block answered '{parity.Error.Message}' and debug_traceBlockByNumber " +
            $"answered '{geth.Error.Message}'. Internal transfers (value moved by contracts) need traces; run with --no-traces to ingest " +
            "without them (the gap is recorded and shown by 'ashiato status').");
    }

    /// <summary>
    /// Fetches and decodes complete bundles for consecutive heights. A height the node does not have ends the list early.
    /// Blocks, receipts and traces are asked for at the same time (all three only need the heights); if the receipts
    /// then belong to other blocks (the chain moved between the calls), the batch is fetched again.
    /// </summary>
    public async Task<IReadOnlyList<EvmBlockBundle>> GetBundlesAsync(long from, int count, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchBundlesAsync(from, count, ct).ConfigureAwait(false);
            }
            catch (ChainMovedException) when (attempt < 3)
            {
                // fetch the batch again: the node's chain changed between the calls
            }
            catch (ChainMovedException e)
            {
                throw new EvmDataException(e.Source, e.Field, e.Problem + " (three times in a row)");
            }
        }
    }

    private async Task<IReadOnlyList<EvmBlockBundle>> FetchBundlesAsync(long from, int count, CancellationToken ct)
    {
        var heights = Enumerable.Range(0, count).Select(i => from + i).ToArray();
        var blockTask = rpc.BatchAsync(heights.Select(h => new EvmRpcCall("eth_getBlockByNumber", [Quantity(h), true])).ToArray(), ct);
        var receiptTask = ReceiptMode != EvmReceiptMode.ByTransaction
            ? rpc.BatchAsync(heights.Select(h => new EvmRpcCall("eth_getBlockReceipts", [Quantity(h)])).ToArray(), ct)
            : null;
        var traceTask = TraceMode is EvmTraceMode.Parity or EvmTraceMode.Geth
            ? rpc.BatchAsync(heights.Select(h => TraceCall(h)).ToArray(), ct)
            : null;
        try
        {
            await Task.WhenAll(new Task?[] { blockTask, receiptTask, traceTask }.OfType<Task>()).ConfigureAwait(false);
        }
        catch
        {
            // the first failure is rethrown below by awaiting the tasks in order
        }

        var blockResults = await blockTask.ConfigureAwait(false);
        var blocks = new List<EvmBlock>(count);
        for (var i = 0; i < count; i++)
        {
            var source = $"eth_getBlockByNumber {Quantity(heights[i])}";
            var result = Unwrap(blockResults[i], source);
            if (result.ValueKind == JsonValueKind.Null)
            {
                break; // the node has no block at this height (yet)
            }

            var block = EvmJsonDecoder.DecodeBlock(result, source);
            if (block.Number != heights[i])
            {
                throw new EvmDataException(source, "number", $"the node answered block {block.Number}");
            }

            blocks.Add(block);
        }

        if (blocks.Count == 0)
        {
            return [];
        }

        var receipts = await GetReceiptsAsync(blocks, receiptTask is null ? null : await receiptTask.ConfigureAwait(false), ct).ConfigureAwait(false);
        var traces = traceTask is null ? null : DecodeTraces(blocks, await traceTask.ConfigureAwait(false));
        var bundles = new List<EvmBlockBundle>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            bundles.Add(new EvmBlockBundle { Block = blocks[i], Receipts = receipts[i], Traces = traces?[i] });
        }

        return bundles;
    }

    private EvmRpcCall TraceCall(long height) => TraceMode == EvmTraceMode.Parity
        ? new EvmRpcCall("trace_block", [Quantity(height)])
        : new EvmRpcCall("debug_traceBlockByNumber", [Quantity(height), CallTracer]);

    private async Task<IReadOnlyList<EvmReceipt>[]> GetReceiptsAsync(List<EvmBlock> blocks, IReadOnlyList<EvmRpcResult>? byBlock, CancellationToken ct)
    {
        var receipts = new IReadOnlyList<EvmReceipt>[blocks.Count];
        if (byBlock is not null)
        {
            if (byBlock.Take(blocks.Count).Any(r => r.Error is { IsMethodUnsupported: true }))
            {
                ReceiptMode = EvmReceiptMode.ByTransaction; // fall back for good
            }
            else
            {
                ReceiptMode = EvmReceiptMode.ByBlock;
                for (var i = 0; i < blocks.Count; i++)
                {
                    var source = $"eth_getBlockReceipts {Quantity(blocks[i].Number)}";
                    var result = Unwrap(byBlock[i], source);
                    if (result.ValueKind == JsonValueKind.Null)
                    {
                        throw new ChainMovedException(source, "result", $"no receipts for block {blocks[i].Number}, which the node just gave");
                    }

                    receipts[i] = EvmJsonDecoder.DecodeReceipts(result, source);
                    CheckReceipts(blocks[i], receipts[i], source);
                }

                return receipts;
            }
        }

        var txCalls = blocks.SelectMany(b => b.Transactions).Select(t => new EvmRpcCall("eth_getTransactionReceipt", [t.Hash.ToString()])).ToArray();
        var txResults = txCalls.Length == 0 ? [] : await rpc.BatchAsync(txCalls, ct).ConfigureAwait(false);
        var k = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            var list = new List<EvmReceipt>(blocks[i].Transactions.Count);
            foreach (var tx in blocks[i].Transactions)
            {
                var source = $"eth_getTransactionReceipt {tx.Hash}";
                var result = Unwrap(txResults[k++], source);
                if (result.ValueKind == JsonValueKind.Null)
                {
                    throw new ChainMovedException(source, "result", "the node has no receipt for a transaction of block " + blocks[i].Number);
                }

                list.Add(EvmJsonDecoder.DecodeReceipt(result, source));
            }

            receipts[i] = list;
            CheckReceipts(blocks[i], list, $"receipts of block {blocks[i].Number}");
        }

        return receipts;
    }

    private static void CheckReceipts(EvmBlock block, IReadOnlyList<EvmReceipt> receipts, string source)
    {
        if (receipts.Count != block.Transactions.Count)
        {
            throw new EvmDataException(source, "result", $"{receipts.Count} receipts for {block.Transactions.Count} transactions");
        }

        for (var i = 0; i < receipts.Count; i++)
        {
            if (receipts[i].TransactionHash != block.Transactions[i].Hash || receipts[i].BlockHash != block.Hash)
            {
                throw new ChainMovedException(source, $"[{i}].transactionHash",
                    $"receipt {receipts[i].TransactionHash} in block {receipts[i].BlockHash} does not belong to transaction {block.Transactions[i].Hash} of block {block.Hash} (the chain moved during the fetch?)");
            }
        }
    }

    private IReadOnlyList<EvmTrace>[] DecodeTraces(List<EvmBlock> blocks, IReadOnlyList<EvmRpcResult> results)
    {
        var traces = new IReadOnlyList<EvmTrace>[blocks.Count];
        for (var i = 0; i < blocks.Count; i++)
        {
            var source = $"{TraceCall(blocks[i].Number).Method} {Quantity(blocks[i].Number)}";
            var result = Unwrap(results[i], source);
            traces[i] = TraceMode == EvmTraceMode.Parity
                ? EvmJsonDecoder.DecodeParityTraces(result, source)
                : EvmJsonDecoder.DecodeGethCallTraces(result, blocks[i], source);
        }

        return traces;
    }

    private JsonElement Unwrap(EvmRpcResult result, string source) =>
        result.Error is { } e
            ? throw new UserErrorException($"{rpc.DisplayUrl}: {source} failed: {e.Message} (code {e.Code})")
            : result.Result;

    public static string Quantity(long n) => "0x" + n.ToString("x", CultureInfo.InvariantCulture);

    private static long ParseQuantity(JsonElement e, string source)
    {
        if (e.ValueKind == JsonValueKind.String && e.GetString() is { } s && Chains.Evm.Encoding.Hex.TryParseQuantity(s, out var v) && v <= long.MaxValue)
        {
            return (long)v;
        }

        throw new EvmDataException(source, "result", $"expected a hex quantity, got {e.GetRawText()}");
    }
}

/// <summary>Receipts that do not belong to the block just fetched: the node's chain changed between two calls.</summary>
internal sealed class ChainMovedException(string source, string field, string problem) : Exception($"{source}, field {field}: {problem}")
{
    public new string Source { get; } = source;

    public string Field { get; } = field;

    public string Problem { get; } = problem;
}
