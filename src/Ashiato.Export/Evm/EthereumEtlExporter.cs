using System.Globalization;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Export.Evm;

/// <summary>
/// Writes the tables of <a href="https://github.com/blockchain-etl/ethereum-etl">ethereum-etl</a> (the schemas of the
/// BigQuery <c>crypto_ethereum</c> dataset) from model objects: blocks, transactions, receipts, logs,
/// token_transfers, traces and tokens, as CSV or JSON lines, value for value as ethereum-etl prints them (see
/// docs/formats/ethereum-etl.md). Rows stream out as the input is enumerated; only traces are held back, one block
/// at a time, because their status and trace_id depend on the other traces of the block.
/// </summary>
/// <param name="version">Whose columns to write; the default matches ethereum-etl 2.3's recorded outputs.</param>
/// <param name="csvNewLine">
/// CSV row terminator. "\n" (the default) is what ethereum-etl's recorded expected files contain; Python's csv
/// module itself ends rows with "\r\n", so pass that to get the bytes an ethereum-etl run writes.
/// </param>
public sealed class EthereumEtlExporter(EthereumEtlVersion version = EthereumEtlVersion.V2_3, string csvNewLine = "\n")
{
    private static readonly string[] BlockColumns23 =
    [
        "number", "hash", "parent_hash", "nonce", "sha3_uncles", "logs_bloom", "transactions_root", "state_root", "receipts_root",
        "miner", "difficulty", "total_difficulty", "size", "extra_data", "gas_limit", "gas_used", "timestamp", "transaction_count",
        "base_fee_per_gas", "withdrawals_root", "withdrawals",
    ];

    private static readonly string[] TransactionColumns23 =
    [
        "hash", "nonce", "block_hash", "block_number", "transaction_index", "from_address", "to_address", "value", "gas",
        "gas_price", "input", "block_timestamp", "max_fee_per_gas", "max_priority_fee_per_gas", "transaction_type",
    ];

    private static readonly string[] ReceiptColumns23 =
    [
        "transaction_hash", "transaction_index", "block_hash", "block_number", "cumulative_gas_used", "gas_used",
        "contract_address", "root", "status", "effective_gas_price", "l1_fee", "l1_gas_used", "l1_gas_price", "l1_fee_scalar",
    ];

    private static readonly string[] LogColumnList =
        ["log_index", "transaction_hash", "transaction_index", "block_hash", "block_number", "address", "data", "topics"];

    private static readonly string[] TokenTransferColumnList =
        ["token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number"];

    private static readonly string[] TraceColumnList =
    [
        "block_number", "transaction_hash", "transaction_index", "from_address", "to_address", "value", "input", "output",
        "trace_type", "call_type", "reward_type", "gas", "gas_used", "subtraces", "trace_address", "error", "status", "trace_id",
    ];

    private static readonly string[] TokenColumnList = ["address", "symbol", "name", "decimals", "total_supply", "block_number"];

    private bool V24 => version == EthereumEtlVersion.V2_4;

    public IReadOnlyList<string> BlockColumns => V24 ? [.. BlockColumns23, "blob_gas_used", "excess_blob_gas"] : BlockColumns23;

    public IReadOnlyList<string> TransactionColumns =>
        V24 ? [.. TransactionColumns23, "max_fee_per_blob_gas", "blob_versioned_hashes"] : TransactionColumns23;

    public IReadOnlyList<string> ReceiptColumns => V24 ? [.. ReceiptColumns23, "blob_gas_price", "blob_gas_used"] : ReceiptColumns23;

    public IReadOnlyList<string> LogColumns => LogColumnList;

    public IReadOnlyList<string> TokenTransferColumns => TokenTransferColumnList;

    public IReadOnlyList<string> TraceColumns => TraceColumnList;

    public IReadOnlyList<string> TokenColumns => TokenColumnList;

    /// <summary>
    /// blocks: <c>transaction_count</c> is the number of transactions; a block without withdrawals (pre-Shanghai)
    /// prints an empty list, as ethereum-etl does.
    /// </summary>
    public void WriteBlocks(TextWriter output, IEnumerable<EvmBlock> blocks, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, BlockColumns, csvNewLine);
        foreach (var b in blocks)
        {
            w.BeginRow();
            w.Int(b.Number);
            w.String(b.Hash.ToString());
            w.String(b.ParentHash.ToString());
            w.String(Data(b.Nonce));
            w.String(b.Sha3Uncles.ToString());
            w.String(Hex.Encode(b.LogsBloom));
            w.String(b.TransactionsRoot.ToString());
            w.String(b.StateRoot.ToString());
            w.String(b.ReceiptsRoot.ToString());
            w.String(b.Miner.ToString());
            w.Int(b.Difficulty);
            w.Int(b.TotalDifficulty);
            w.Int(b.Size);
            w.String(Hex.Encode(b.ExtraData));
            w.Int(b.GasLimit);
            w.Int(b.GasUsed);
            w.Int(b.Timestamp);
            w.Int(b.Transactions.Count);
            w.Int(b.BaseFeePerGas);
            w.String(b.WithdrawalsRoot?.ToString());
            w.Withdrawals(b.Withdrawals ?? []);
            if (V24)
            {
                w.Int(b.BlobGasUsed);
                w.Int(b.ExcessBlobGas);
            }

            w.EndRow();
        }
    }

    /// <summary>transactions of the given blocks, in block order (<c>block_timestamp</c> comes from the block).</summary>
    public void WriteTransactions(TextWriter output, IEnumerable<EvmBlock> blocks, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, TransactionColumns, csvNewLine);
        foreach (var b in blocks)
        {
            foreach (var t in b.Transactions)
            {
                w.BeginRow();
                w.String(t.Hash.ToString());
                w.Int(t.Nonce);
                w.String(t.BlockHash.ToString());
                w.Int(t.BlockNumber);
                w.Int(t.TransactionIndex);
                w.String(t.From.ToString());
                w.String(t.To?.ToString());
                w.Int(t.Value);
                w.Int(t.Gas);
                w.Int(t.GasPrice);
                w.String(Hex.Encode(t.Input));
                w.Int(b.Timestamp);
                w.Int(t.MaxFeePerGas);
                w.Int(t.MaxPriorityFeePerGas);
                w.Int(t.Type);
                if (V24)
                {
                    w.Int(t.MaxFeePerBlobGas);
                    w.StringList((t.BlobVersionedHashes ?? []).Select(h => h.ToString()));
                }

                w.EndRow();
            }
        }
    }

    /// <summary>receipts; <c>l1_fee_scalar</c> is printed as the Python float ethereum-etl makes of it.</summary>
    public void WriteReceipts(TextWriter output, IEnumerable<EvmReceipt> receipts, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, ReceiptColumns, csvNewLine);
        foreach (var r in receipts)
        {
            w.BeginRow();
            w.String(r.TransactionHash.ToString());
            w.Int(r.TransactionIndex);
            w.String(r.BlockHash.ToString());
            w.Int(r.BlockNumber);
            w.Int(r.CumulativeGasUsed);
            w.Int(r.GasUsed);
            w.String(r.ContractAddress?.ToString());
            w.String(r.Root?.ToString());
            w.Int(r.Status);
            w.Int(r.EffectiveGasPrice);
            w.Int(r.L1Fee);
            w.Int(r.L1GasUsed);
            w.Int(r.L1GasPrice);
            w.Float(ParseScalar(r));
            if (V24)
            {
                w.Int(r.BlobGasPrice);
                w.Int(r.BlobGasUsed);
            }

            w.EndRow();
        }
    }

    /// <summary>logs; <c>topics</c> is a list (joined with "," in CSV).</summary>
    public void WriteLogs(TextWriter output, IEnumerable<EvmLog> logs, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, LogColumns, csvNewLine);
        foreach (var l in logs)
        {
            w.BeginRow();
            w.Int(l.LogIndex);
            w.String(l.TransactionHash.ToString());
            w.Int(l.TransactionIndex);
            w.String(l.BlockHash.ToString());
            w.Int(l.BlockNumber);
            w.String(l.Address.ToString());
            w.String(Hex.Encode(l.Data));
            w.StringList(l.Topics.Select(t => t.ToString()));
            w.EndRow();
        }
    }

    /// <summary>token_transfers: the logs that <see cref="EthereumEtlTokenTransfer.FromLog"/> takes, others skipped.</summary>
    public void WriteTokenTransfers(TextWriter output, IEnumerable<EvmLog> logs, EthereumEtlFormat format) =>
        WriteTokenTransfers(output, logs.Select(EthereumEtlTokenTransfer.FromLog).OfType<EthereumEtlTokenTransfer>(), format);

    public void WriteTokenTransfers(TextWriter output, IEnumerable<EthereumEtlTokenTransfer> transfers, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, TokenTransferColumns, csvNewLine);
        foreach (var t in transfers)
        {
            w.BeginRow();
            w.String(t.TokenAddress.ToString());
            w.String(t.FromAddress.ToString());
            w.String(t.ToAddress.ToString());
            w.Int(t.Value);
            w.String(t.TransactionHash.ToString());
            w.Int(t.LogIndex);
            w.Int(t.BlockNumber);
            w.EndRow();
        }
    }

    /// <summary>
    /// traces, with ethereum-etl's computed <c>status</c> and <c>trace_id</c> (see <see cref="EthereumEtlTraceFields"/>).
    /// The traces of a block must come together (blocks in any order); each block is held until its last trace.
    /// </summary>
    public void WriteTraces(TextWriter output, IEnumerable<EvmTrace> traces, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, TraceColumns, csvNewLine);
        var block = new List<EvmTrace>();
        var done = new HashSet<long>();
        foreach (var t in traces)
        {
            if (block.Count > 0 && t.BlockNumber != block[0].BlockNumber)
            {
                WriteTraceBlock(w, block);
                done.Add(block[0].BlockNumber);
                block.Clear();
            }

            if (done.Contains(t.BlockNumber))
            {
                throw new ArgumentException($"the traces of block {t.BlockNumber} are not together: trace_id and status are computed per block", nameof(traces));
            }

            block.Add(t);
        }

        if (block.Count > 0)
        {
            WriteTraceBlock(w, block);
        }
    }

    /// <summary>tokens (name/symbol/decimals/total supply as read from the contract; null when unreadable).</summary>
    public void WriteTokens(TextWriter output, IEnumerable<EvmToken> tokens, EthereumEtlFormat format)
    {
        var w = new EtlTableWriter(output, format, TokenColumns, csvNewLine);
        foreach (var t in tokens)
        {
            w.BeginRow();
            w.String(t.Address.ToString());
            w.String(t.Symbol);
            w.String(t.Name);
            w.Int(t.Decimals);
            w.Int(t.TotalSupply);
            w.Int(t.BlockNumber);
            w.EndRow();
        }
    }

    private static void WriteTraceBlock(EtlTableWriter w, IReadOnlyList<EvmTrace> traces)
    {
        var (status, ids) = EthereumEtlTraceFields.Compute(traces);
        for (var i = 0; i < traces.Count; i++)
        {
            var t = traces[i];
            w.BeginRow();
            w.Int(t.BlockNumber);
            w.String(t.TransactionHash?.ToString());
            w.Int(t.TransactionIndex);
            w.String(t.From?.ToString());
            w.String(t.To?.ToString());
            w.Int(t.Value);
            w.String(Data(t.Input));
            w.String(Data(t.Output));
            w.String(EthereumEtlTraceFields.TypeName(t.TraceType));
            w.String(t.CallType);
            w.String(t.RewardType);
            w.Int(t.Gas);
            w.Int(t.GasUsed);
            w.Int(t.Subtraces);
            w.IntList(t.TraceAddress);
            w.String(t.Error);
            w.Int(status[i]);
            w.String(ids[i]);
            w.EndRow();
        }
    }

    private static string? Data(byte[]? bytes) => bytes is null ? null : Hex.Encode(bytes);

    private static double? ParseScalar(EvmReceipt r)
    {
        if (r.L1FeeScalar is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d
            : throw new UserErrorException($"receipt {r.TransactionHash}: l1FeeScalar \"{text}\" is not a decimal number");
    }
}
