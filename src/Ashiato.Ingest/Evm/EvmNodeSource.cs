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

        var calls = new[]
        {
            new EvmRpcCall("trace_block", [Quantity(probeHeight)]),
            new EvmRpcCall("debug_traceBlockByNumber", [Quantity(probeHeight), CallTracer]),
        };
        var results = await rpc.BatchAsync(calls, ct).ConfigureAwait(false);
        if (results[0].Error is null)
        {
            TraceMode = EvmTraceMode.Parity;
        }
        else if (results[1].Error is null)
        {
            TraceMode = EvmTraceMode.Geth;
        }
        else
        {
            throw new UserErrorException(
                $"the node at {rpc.DisplayUrl} gives no traces: trace_block answered '{results[0].Error!.Message}' and debug_traceBlockByNumber " +
                $"answered '{results[1].Error!.Message}'. Internal transfers (value moved by contracts) need traces; run with --no-traces to ingest " +
                "without them (the gap is recorded and shown by 'ashiato status').");
        }
    }

    /// <summary>Fetches and decodes complete bundles for consecutive heights. A height the node does not have ends the list early.</summary>
    public async Task<IReadOnlyList<EvmBlockBundle>> GetBundlesAsync(long from, int count, CancellationToken ct)
    {
        var blockCalls = new EvmRpcCall[count];
        for (var i = 0; i < count; i++)
        {
            blockCalls[i] = new EvmRpcCall("eth_getBlockByNumber", [Quantity(from + i), true]);
        }

        var blockResults = await rpc.BatchAsync(blockCalls, ct).ConfigureAwait(false);
        var blocks = new List<EvmBlock>(count);
        for (var i = 0; i < count; i++)
        {
            var source = $"eth_getBlockByNumber {Quantity(from + i)}";
            var result = Unwrap(blockResults[i], source);
            if (result.ValueKind == JsonValueKind.Null)
            {
                break; // the node has no block at this height (yet)
            }

            var block = EvmJsonDecoder.DecodeBlock(result, source);
            if (block.Number != from + i)
            {
                throw new EvmDataException(source, "number", $"the node answered block {block.Number}");
            }

            blocks.Add(block);
        }

        if (blocks.Count == 0)
        {
            return [];
        }

        var receipts = await GetReceiptsAsync(blocks, ct).ConfigureAwait(false);
        var traces = await GetTracesAsync(blocks, ct).ConfigureAwait(false);
        var bundles = new List<EvmBlockBundle>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            bundles.Add(new EvmBlockBundle { Block = blocks[i], Receipts = receipts[i], Traces = traces?[i] });
        }

        return bundles;
    }

    private async Task<IReadOnlyList<EvmReceipt>[]> GetReceiptsAsync(List<EvmBlock> blocks, CancellationToken ct)
    {
        var receipts = new IReadOnlyList<EvmReceipt>[blocks.Count];
        if (ReceiptMode != EvmReceiptMode.ByTransaction)
        {
            var calls = blocks.Select(b => new EvmRpcCall("eth_getBlockReceipts", [Quantity(b.Number)])).ToArray();
            var results = await rpc.BatchAsync(calls, ct).ConfigureAwait(false);
            if (results.Any(r => r.Error is { IsMethodUnsupported: true }))
            {
                ReceiptMode = EvmReceiptMode.ByTransaction; // fall back for good
            }
            else
            {
                ReceiptMode = EvmReceiptMode.ByBlock;
                for (var i = 0; i < blocks.Count; i++)
                {
                    var source = $"eth_getBlockReceipts {Quantity(blocks[i].Number)}";
                    receipts[i] = EvmJsonDecoder.DecodeReceipts(Unwrap(results[i], source), source);
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
                    throw new EvmDataException(source, "result", "the node has no receipt for a transaction of block " + blocks[i].Number);
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
                throw new EvmDataException(source, $"[{i}].transactionHash",
                    $"receipt {receipts[i].TransactionHash} in block {receipts[i].BlockHash} does not belong to transaction {block.Transactions[i].Hash} of block {block.Hash} (the chain moved during the fetch?)");
            }
        }
    }

    private async Task<IReadOnlyList<EvmTrace>[]?> GetTracesAsync(List<EvmBlock> blocks, CancellationToken ct)
    {
        if (TraceMode is null or EvmTraceMode.None)
        {
            return null;
        }

        var parity = TraceMode == EvmTraceMode.Parity;
        var calls = blocks.Select(b => parity
            ? new EvmRpcCall("trace_block", [Quantity(b.Number)])
            : new EvmRpcCall("debug_traceBlockByNumber", [Quantity(b.Number), CallTracer])).ToArray();
        var results = await rpc.BatchAsync(calls, ct).ConfigureAwait(false);
        var traces = new IReadOnlyList<EvmTrace>[blocks.Count];
        for (var i = 0; i < blocks.Count; i++)
        {
            var source = $"{calls[i].Method} {Quantity(blocks[i].Number)}";
            var result = Unwrap(results[i], source);
            traces[i] = parity ? EvmJsonDecoder.DecodeParityTraces(result, source) : EvmJsonDecoder.DecodeGethCallTraces(result, blocks[i], source);
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
