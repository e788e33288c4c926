using System.Globalization;
using System.Text;
using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Export;

public enum ExportFormat
{
    /// <summary>JSON lines, field for field as blockchain-etl's export_blocks_and_transactions writes them.</summary>
    Json,

    /// <summary>CSV with the same columns; nested inputs/outputs as JSON text in their cells.</summary>
    Csv,
}

/// <summary>
/// Writes blocks and transactions in the blockchain-etl (BigQuery crypto dataset) schemas. Inputs whose spent output
/// is unknown get null type/value and an empty address list, as bitcoin-etl prints unenriched inputs; where bitcoin-etl
/// would then print a negative fee (inputs counted as 0), we print null for input_value and fee: never a guessed number.
/// </summary>
public sealed class BitcoinEtlExporter(UtxoViews views, bool streamFields = false)
{
    public static readonly string[] BlockColumns =
    [
        "hash", "size", "stripped_size", "weight", "number", "version", "merkle_root", "timestamp", "nonce", "bits",
        "coinbase_param", "transaction_count",
    ];

    public static readonly string[] TransactionColumns =
    [
        "hash", "size", "virtual_size", "version", "lock_time", "block_number", "block_hash", "block_timestamp", "is_coinbase",
        "index", "inputs", "outputs", "input_count", "output_count", "input_value", "output_value", "fee",
    ];

    private readonly PyJsonWriter _json = new();

    public void WriteBlocks(TextWriter output, int fromHeight, int toHeight, ExportFormat format)
    {
        if (format == ExportFormat.Csv)
        {
            output.Write(string.Join(',', BlockColumns) + "\n");
        }

        for (var h = fromHeight; h <= toHeight; h++)
        {
            var b = views.Block(h);
            if (format == ExportFormat.Csv)
            {
                output.Write(Csv(b.Hash.ToString(), N(b.Size), N(b.StrippedSize), N(b.Weight), N(b.Number), N(b.Version),
                    b.MerkleRoot.ToString(), N(b.Timestamp), b.Nonce.ToString("x", CultureInfo.InvariantCulture), b.Bits.ToString("x8", CultureInfo.InvariantCulture),
                    Convert.ToHexStringLower(b.CoinbaseParam), N(b.TransactionCount)));
                continue;
            }

            _json.BeginObject();
            if (streamFields)
            {
                _json.String("type", "block");
            }

            _json.String("hash", b.Hash.ToString());
            _json.Number("size", b.Size);
            _json.Number("stripped_size", b.StrippedSize);
            _json.Number("weight", b.Weight);
            _json.Number("number", b.Number);
            _json.Number("version", b.Version);
            _json.String("merkle_root", b.MerkleRoot.ToString());
            _json.Number("timestamp", b.Timestamp);
            _json.String("nonce", b.Nonce.ToString("x", CultureInfo.InvariantCulture));
            _json.String("bits", b.Bits.ToString("x8", CultureInfo.InvariantCulture));
            _json.String("coinbase_param", Convert.ToHexStringLower(b.CoinbaseParam));
            _json.Number("transaction_count", b.TransactionCount);
            if (streamFields)
            {
                _json.String("item_id", "block_" + b.Hash);
            }

            _json.EndObject();
            output.Write(_json.TakeLine() + "\n");
        }
    }

    public void WriteTransactions(TextWriter output, int fromHeight, int toHeight, ExportFormat format)
    {
        if (format == ExportFormat.Csv)
        {
            output.Write(string.Join(',', TransactionColumns) + "\n");
        }

        for (var h = fromHeight; h <= toHeight; h++)
        {
            var b = views.Block(h);
            for (var t = 0; t < b.TransactionCount; t++)
            {
                var tx = views.Tx(b.FirstTx + t);
                if (format == ExportFormat.Csv)
                {
                    output.Write(Csv(tx.TxId.ToString(), N(tx.Size), N(tx.VirtualSize), N(tx.Version), N(tx.LockTime), N(tx.BlockNumber),
                        tx.BlockHash.ToString(), N(tx.BlockTimestamp), tx.IsCoinbase ? "true" : "false", N(tx.Index),
                        InputsJson(tx), OutputsJson(tx), N(tx.SpendingInputs.Count()), N(tx.Outputs.Count), N(tx.InputValue),
                        N(tx.OutputValue), N(tx.Fee)));
                    continue;
                }

                _json.BeginObject();
                if (streamFields)
                {
                    _json.String("type", "transaction");
                }

                WriteTxFields(tx);
                if (streamFields)
                {
                    _json.String("item_id", "transaction_" + tx.TxId);
                }

                _json.EndObject();
                output.Write(_json.TakeLine() + "\n");
            }
        }
    }

    private void WriteTxFields(TxView tx)
    {
        _json.String("hash", tx.TxId.ToString());
        _json.Number("size", tx.Size);
        _json.Number("virtual_size", tx.VirtualSize);
        _json.Number("version", tx.Version);
        _json.Number("lock_time", tx.LockTime);
        _json.Number("block_number", tx.BlockNumber);
        _json.String("block_hash", tx.BlockHash.ToString());
        _json.Number("block_timestamp", tx.BlockTimestamp);
        _json.Bool("is_coinbase", tx.IsCoinbase);
        _json.Number("index", tx.Index);
        WriteInputs(tx);
        WriteOutputs(tx);
        _json.Number("input_count", tx.SpendingInputs.Count());
        _json.Number("output_count", tx.Outputs.Count);
        _json.Number("input_value", tx.InputValue);
        _json.Number("output_value", tx.OutputValue);
        _json.Number("fee", tx.Fee);
    }

    private void WriteInputs(TxView tx)
    {
        _json.BeginArray("inputs");
        var index = 0;
        foreach (var i in tx.SpendingInputs)
        {
            _json.BeginObject();
            _json.Number("index", index++);
            _json.String("spent_transaction_hash", i.SpentTxId.ToString());
            _json.Number("spent_output_index", i.SpentIndex);
            _json.String("script_asm", i.Script is null ? null : ScriptAsm.ToAsm(i.Script, attemptSighashDecode: true));
            _json.String("script_hex", i.Script is null ? null : Convert.ToHexStringLower(i.Script));
            _json.Number("sequence", i.Sequence);
            _json.Number("required_signatures", i.RequiredSignatures);
            _json.String("type", i.Type);
            _json.StringArray("addresses", i.Addresses);
            _json.Number("value", i.Value);
            _json.EndObject();
        }

        _json.EndArray();
    }

    private void WriteOutputs(TxView tx)
    {
        _json.BeginArray("outputs");
        foreach (var o in tx.Outputs)
        {
            _json.BeginObject();
            _json.Number("index", o.Index);
            _json.String("script_asm", ScriptAsm.ToAsm(o.Script, attemptSighashDecode: false));
            _json.String("script_hex", Convert.ToHexStringLower(o.Script));
            _json.Number("required_signatures", o.RequiredSignatures);
            _json.String("type", o.Type);
            _json.StringArray("addresses", o.Addresses);
            _json.Number("value", o.Value);
            _json.EndObject();
        }

        _json.EndArray();
    }

    private string InputsJson(TxView tx) => NestedJson("inputs", w => w.WriteInputs(tx));

    private string OutputsJson(TxView tx) => NestedJson("outputs", w => w.WriteOutputs(tx));

    /// <summary>The JSON array one field would hold, for a CSV cell.</summary>
    private string NestedJson(string field, Action<BitcoinEtlExporter> write)
    {
        var w = new BitcoinEtlExporter(views);
        w._json.BeginObject();
        write(w);
        w._json.EndObject();
        return w._json.TakeLine()[$"{{\"{field}\": ".Length..^1];
    }

    private static string N(long? v) => v is { } x ? x.ToString(CultureInfo.InvariantCulture) : "";

    private static string Csv(params string[] cells)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var c = cells[i];
            if (c.Contains(',') || c.Contains('"') || c.Contains('\n'))
            {
                sb.Append('"').Append(c.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('\n').ToString();
    }
}
