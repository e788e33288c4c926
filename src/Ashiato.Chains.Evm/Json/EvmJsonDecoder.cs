using System.Text.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Json;

/// <summary>
/// Turns the <c>result</c> of EVM JSON-RPC answers into the model. Every required field must be present and well
/// formed, or an <see cref="EvmDataException"/> names the request (<c>source</c>) and the field's JSON path;
/// optional fields (post-London, Shanghai, Cancun, L2) that are absent or null stay null, never zero. Fields the
/// model does not keep (signature v/r/s/yParity, accessList, chainId, mixHash, …) are ignored.
/// </summary>
public static class EvmJsonDecoder
{
    /// <summary>
    /// Options for <see cref="JsonDocument.Parse(string, JsonDocumentOptions)"/> that admit the deepest call trees
    /// (the EVM allows 1024 nested calls; each level is two JSON levels in a callTracer answer).
    /// </summary>
    public static JsonDocumentOptions DocumentOptions => new() { MaxDepth = 2100 };

    /// <summary>An <c>eth_getBlockByNumber(n, true)</c> / <c>eth_getBlockByHash(h, true)</c> result (transactions as objects).</summary>
    public static EvmBlock DecodeBlock(JsonElement block, string source)
    {
        var b = JsonField.Root(block, source).NotNull().ExpectObject();
        var number = b.Req("number").I64();
        var hash = b.Req("hash").Hash();
        var txs = b.Req("transactions");
        var transactions = new EvmTransaction[txs.ArrayLength()];
        for (var i = 0; i < transactions.Length; i++)
        {
            transactions[i] = DecodeTransaction(txs.Item(i), i, number, hash);
        }

        IReadOnlyList<EvmWithdrawal>? withdrawals = null;
        if (b.Opt("withdrawals") is { } ws)
        {
            var list = new EvmWithdrawal[ws.ArrayLength()];
            for (var i = 0; i < list.Length; i++)
            {
                var w = ws.Item(i).NotNull().ExpectObject();
                list[i] = new EvmWithdrawal(w.Req("index").U64(), w.Req("validatorIndex").U64(), w.Req("address").Address(), w.Req("amount").U64());
            }

            withdrawals = list;
        }

        return new EvmBlock
        {
            Number = number,
            Hash = hash,
            ParentHash = b.Req("parentHash").Hash(),
            Nonce = b.Opt("nonce")?.Data(),
            Sha3Uncles = b.Req("sha3Uncles").Hash(),
            LogsBloom = b.Req("logsBloom").Data(),
            TransactionsRoot = b.Req("transactionsRoot").Hash(),
            StateRoot = b.Req("stateRoot").Hash(),
            ReceiptsRoot = b.Req("receiptsRoot").Hash(),
            Miner = b.Req("miner").Address(),
            Difficulty = b.Req("difficulty").U256(),
            TotalDifficulty = b.Opt("totalDifficulty")?.U256(),
            Size = b.Req("size").I64(),
            ExtraData = b.Req("extraData").Data(),
            GasLimit = b.Req("gasLimit").I64(),
            GasUsed = b.Req("gasUsed").I64(),
            Timestamp = b.Req("timestamp").I64(),
            BaseFeePerGas = b.Opt("baseFeePerGas")?.U256(),
            WithdrawalsRoot = b.Opt("withdrawalsRoot")?.Hash(),
            Withdrawals = withdrawals,
            BlobGasUsed = b.Opt("blobGasUsed")?.I64(),
            ExcessBlobGas = b.Opt("excessBlobGas")?.I64(),
            ParentBeaconBlockRoot = b.Opt("parentBeaconBlockRoot")?.Hash(),
            Uncles = b.Req("uncles").HashList(),
            Transactions = transactions,
        };
    }

    /// <summary>An <c>eth_getTransactionReceipt</c> result, with its logs.</summary>
    public static EvmReceipt DecodeReceipt(JsonElement receipt, string source) =>
        DecodeReceipt(JsonField.Root(receipt, source));

    /// <summary>An <c>eth_getBlockReceipts</c> result: an array of receipts in transaction order.</summary>
    public static IReadOnlyList<EvmReceipt> DecodeReceipts(JsonElement receipts, string source)
    {
        var root = JsonField.Root(receipts, source).NotNull();
        var list = new EvmReceipt[root.ArrayLength()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = DecodeReceipt(root.Item(i));
        }

        return list;
    }

    /// <summary>One log object (as inside a receipt, or an item of <c>eth_getLogs</c>/<c>eth_getFilterLogs</c>).</summary>
    public static EvmLog DecodeLog(JsonElement log, string source) => DecodeLog(JsonField.Root(log, source));

    /// <summary>An <c>eth_getLogs</c> / <c>eth_getFilterLogs</c> result: an array of logs.</summary>
    public static IReadOnlyList<EvmLog> DecodeLogs(JsonElement logs, string source)
    {
        var root = JsonField.Root(logs, source).NotNull();
        var list = new EvmLog[root.ArrayLength()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = DecodeLog(root.Item(i));
        }

        return list;
    }

    /// <summary>
    /// A <c>trace_block</c> result (Parity/OpenEthereum/Erigon/Nethermind flat traces). A create's
    /// <c>result.address</c> becomes <see cref="EvmTrace.To"/> and its init code/deployed code Input/Output; a
    /// suicide's destroyed contract, beneficiary and balance become From, To and Value; a reward's author becomes To.
    /// Gas comes from <c>action.gas</c>, gas used and output from <c>result</c> (absent when the trace failed).
    /// </summary>
    public static IReadOnlyList<EvmTrace> DecodeParityTraces(JsonElement traces, string source)
    {
        var root = JsonField.Root(traces, source).NotNull();
        var list = new EvmTrace[root.ArrayLength()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = DecodeParityTrace(root.Item(i).NotNull().ExpectObject());
        }

        return list;
    }

    /// <summary>
    /// A <c>debug_traceBlockByNumber(n, {"tracer": "callTracer"})</c> result, one call tree per transaction of
    /// <paramref name="block"/> in block order (items <c>{"txHash", "result"}</c>, or bare call frames from older
    /// geth), flattened depth-first into the <c>trace_block</c> shape: trace address = the child indices on the way
    /// down, subtraces = number of children. CALL/STATICCALL/DELEGATECALL/CALLCODE become calls with the lower-case
    /// call type, CREATE/CREATE2 creates (To = the created contract), SELFDESTRUCT suicides (From = the destroyed
    /// contract, To = the beneficiary, Value = the balance sent; no gas/input/output, as in <c>trace_block</c>).
    /// Values are kept as geth reports them (including a DELEGATECALL's inherited value). Parse the answer with
    /// <see cref="DocumentOptions"/>: deep call trees exceed System.Text.Json's default depth of 64.
    /// </summary>
    public static IReadOnlyList<EvmTrace> DecodeGethCallTraces(JsonElement traces, EvmBlock block, string source)
    {
        var root = JsonField.Root(traces, source).NotNull();
        var count = root.ArrayLength();
        if (count != block.Transactions.Count)
        {
            throw root.Error($"{count} call traces for the {block.Transactions.Count} transactions of block {block.Number}");
        }

        var list = new List<EvmTrace>(count * 2);
        for (var i = 0; i < count; i++)
        {
            var item = root.Item(i).NotNull().ExpectObject();
            var tx = block.Transactions[i];
            var frame = item;
            if (!item.Has("type") && (item.Has("result") || item.Has("txHash") || item.Has("error")))
            {
                if (item.Opt("txHash") is { } txHash && txHash.Hash() != tx.Hash)
                {
                    throw txHash.Error($"{txHash.String()} is not transaction {i} of block {block.Number} ({tx.Hash})");
                }

                if (item.Opt("error") is { } error)
                {
                    throw error.Error($"the tracer failed on transaction {tx.Hash}: {error.Element.GetRawText()}");
                }

                frame = item.Req("result").ExpectObject();
            }

            AddGethFrame(list, frame, [], block.Number, tx.Hash, i);
        }

        return list;
    }

    private static EvmTransaction DecodeTransaction(JsonField item, int position, long blockNumber, EvmHash blockHash)
    {
        if (item.Element.ValueKind == JsonValueKind.String)
        {
            throw item.Error("a transaction hash, not a transaction object (ask for the block with full transactions: eth_getBlockByNumber(n, true))");
        }

        var t = item.NotNull().ExpectObject();
        var txBlockHash = t.Req("blockHash");
        if (txBlockHash.Hash() != blockHash)
        {
            throw txBlockHash.Error($"{txBlockHash.String()} differs from the block's hash {blockHash}");
        }

        var txBlockNumber = t.Req("blockNumber");
        if (txBlockNumber.I64() != blockNumber)
        {
            throw txBlockNumber.Error($"{txBlockNumber.I64()} differs from the block's number {blockNumber}");
        }

        var index = t.Req("transactionIndex");
        if (index.I32() != position)
        {
            throw index.Error($"{index.I32()}, but the transaction is at position {position} in the block");
        }

        return new EvmTransaction
        {
            Hash = t.Req("hash").Hash(),
            Nonce = t.Req("nonce").U64(),
            BlockHash = blockHash,
            BlockNumber = blockNumber,
            TransactionIndex = position,
            From = t.Req("from").Address(),
            To = t.Opt("to")?.Address(),
            Value = t.Req("value").U256(),
            Gas = t.Req("gas").I64(),
            GasPrice = t.Opt("gasPrice")?.U256(),
            Input = t.Req("input").Data(),
            MaxFeePerGas = t.Opt("maxFeePerGas")?.U256(),
            MaxPriorityFeePerGas = t.Opt("maxPriorityFeePerGas")?.U256(),
            Type = t.Opt("type")?.I32(),
            MaxFeePerBlobGas = t.Opt("maxFeePerBlobGas")?.U256(),
            BlobVersionedHashes = t.Opt("blobVersionedHashes")?.HashList(),
        };
    }

    private static EvmReceipt DecodeReceipt(JsonField field)
    {
        var r = field.NotNull().ExpectObject();
        var logs = r.Req("logs");
        var logList = new EvmLog[logs.ArrayLength()];
        for (var i = 0; i < logList.Length; i++)
        {
            logList[i] = DecodeLog(logs.Item(i));
        }

        int? status = null;
        if (r.Opt("status") is { } s)
        {
            var v = s.U64();
            status = v <= 1 ? (int)v : throw s.Error($"expected 0x0 (failed) or 0x1 (succeeded), got {s.Element.GetRawText()}");
        }

        return new EvmReceipt
        {
            TransactionHash = r.Req("transactionHash").Hash(),
            TransactionIndex = r.Req("transactionIndex").I32(),
            BlockHash = r.Req("blockHash").Hash(),
            BlockNumber = r.Req("blockNumber").I64(),
            CumulativeGasUsed = r.Req("cumulativeGasUsed").I64(),
            GasUsed = r.Req("gasUsed").I64(),
            ContractAddress = r.Opt("contractAddress")?.Address(),
            Root = r.Opt("root")?.Hash(),
            Status = status,
            EffectiveGasPrice = r.Opt("effectiveGasPrice")?.U256(),
            L1Fee = r.Opt("l1Fee")?.U256(),
            L1GasUsed = r.Opt("l1GasUsed")?.I64(),
            L1GasPrice = r.Opt("l1GasPrice")?.U256(),
            L1FeeScalar = r.Opt("l1FeeScalar")?.DecimalText(),
            BlobGasUsed = r.Opt("blobGasUsed")?.I64(),
            BlobGasPrice = r.Opt("blobGasPrice")?.U256(),
            Logs = logList,
        };
    }

    private static EvmLog DecodeLog(JsonField field)
    {
        var l = field.NotNull().ExpectObject();
        return new EvmLog
        {
            LogIndex = l.Req("logIndex").I32(),
            TransactionHash = l.Req("transactionHash").Hash(),
            TransactionIndex = l.Req("transactionIndex").I32(),
            BlockHash = l.Req("blockHash").Hash(),
            BlockNumber = l.Req("blockNumber").I64(),
            Address = l.Req("address").Address(),
            Data = l.Req("data").Data(),
            Topics = l.Req("topics").HashList(),
        };
    }

    private static EvmTrace DecodeParityTrace(JsonField t)
    {
        var blockNumber = t.Req("blockNumber").I64();
        var txHash = t.Opt("transactionHash")?.Hash();
        var txIndex = t.Opt("transactionPosition")?.I32();
        var subtraces = t.Req("subtraces").I32();
        var traceAddress = t.Req("traceAddress");
        var address = new int[traceAddress.ArrayLength()];
        for (var i = 0; i < address.Length; i++)
        {
            address[i] = traceAddress.Item(i).NotNull().I32();
        }

        var error = t.Opt("error")?.String();
        if (error is { Length: 0 })
        {
            error = null;
        }

        var action = t.Req("action").ExpectObject();
        var result = t.Opt("result")?.ExpectObject();
        var typeField = t.Req("type");
        var type = typeField.String();
        switch (type)
        {
            case "call":
                return new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Call,
                    CallType = action.Req("callType").String(),
                    From = action.Req("from").Address(),
                    To = action.Req("to").Address(),
                    Value = action.Req("value").U256(),
                    Input = action.Req("input").Data(),
                    Output = result?.Opt("output")?.Data(),
                    Gas = action.Req("gas").I64(),
                    GasUsed = result?.Req("gasUsed").I64(),
                    Subtraces = subtraces,
                    TraceAddress = address,
                    Error = error,
                };
            case "create":
                return new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Create,
                    From = action.Req("from").Address(),
                    To = result?.Opt("address")?.Address(),
                    Value = action.Req("value").U256(),
                    Input = action.Req("init").Data(),
                    Output = result?.Opt("code")?.Data(),
                    Gas = action.Req("gas").I64(),
                    GasUsed = result?.Req("gasUsed").I64(),
                    Subtraces = subtraces,
                    TraceAddress = address,
                    Error = error,
                };
            case "suicide":
                return new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Suicide,
                    From = action.Req("address").Address(),
                    To = action.Req("refundAddress").Address(),
                    Value = action.Req("balance").U256(),
                    Subtraces = subtraces,
                    TraceAddress = address,
                    Error = error,
                };
            case "reward":
                return new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Reward,
                    RewardType = action.Req("rewardType").String(),
                    To = action.Req("author").Address(),
                    Value = action.Req("value").U256(),
                    Subtraces = subtraces,
                    TraceAddress = address,
                    Error = error,
                };
            default:
                throw typeField.Error($"unknown trace type \"{type}\" (expected call, create, suicide or reward)");
        }
    }

    private static void AddGethFrame(List<EvmTrace> output, JsonField frame, int[] traceAddress, long blockNumber, EvmHash txHash, int txIndex)
    {
        var typeField = frame.Req("type");
        var type = typeField.String().ToUpperInvariant();
        var calls = frame.Opt("calls");
        var childCount = calls?.ArrayLength() ?? 0;
        var error = frame.Opt("error")?.String();
        if (error is { Length: 0 })
        {
            error = null;
        }

        EvmTrace trace;
        switch (type)
        {
            case "CALL" or "STATICCALL" or "DELEGATECALL" or "CALLCODE":
                trace = new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Call,
                    CallType = type.ToLowerInvariant(),
                    From = frame.Req("from").Address(),
                    To = frame.Req("to").Address(),
                    Value = frame.Opt("value")?.U256(),
                    Input = frame.Req("input").Data(),
                    Output = frame.Opt("output")?.Data(),
                    Gas = frame.Req("gas").I64(),
                    GasUsed = frame.Req("gasUsed").I64(),
                    Subtraces = childCount,
                    TraceAddress = traceAddress,
                    Error = error,
                };
                break;
            case "CREATE" or "CREATE2":
                trace = new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Create,
                    From = frame.Req("from").Address(),
                    To = frame.Opt("to")?.Address(),
                    Value = frame.Opt("value")?.U256(),
                    Input = frame.Req("input").Data(),
                    Output = frame.Opt("output")?.Data(),
                    Gas = frame.Req("gas").I64(),
                    GasUsed = frame.Req("gasUsed").I64(),
                    Subtraces = childCount,
                    TraceAddress = traceAddress,
                    Error = error,
                };
                break;
            case "SELFDESTRUCT":
                trace = new EvmTrace
                {
                    BlockNumber = blockNumber,
                    TransactionHash = txHash,
                    TransactionIndex = txIndex,
                    TraceType = EvmTraceType.Suicide,
                    From = frame.Req("from").Address(),
                    To = frame.Req("to").Address(),
                    Value = frame.Opt("value")?.U256(),
                    Subtraces = childCount,
                    TraceAddress = traceAddress,
                    Error = error,
                };
                break;
            default:
                throw typeField.Error($"unknown call frame type \"{typeField.String()}\" (expected CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE, CREATE2 or SELFDESTRUCT)");
        }

        output.Add(trace);
        for (var c = 0; c < childCount; c++)
        {
            int[] childAddress = [.. traceAddress, c];
            AddGethFrame(output, calls!.Value.Item(c).NotNull().ExpectObject(), childAddress, blockNumber, txHash, txIndex);
        }
    }
}
