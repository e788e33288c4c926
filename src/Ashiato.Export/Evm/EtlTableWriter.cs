using System.Globalization;
using System.Text;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Export.Evm;

/// <summary>
/// Writes the rows of one ethereum-etl table, one value per column in column order, as CSV or JSON lines. A table's
/// fields are listed once and come out the way ethereum-etl's CsvItemExporter / JsonLinesItemExporter print the same
/// Python values: None is an empty cell or <c>null</c>; a list is joined with "," in CSV (a dict in it as compact
/// JSON) and a JSON array otherwise. The CSV header is written with the first row, so an empty table is an empty file.
/// </summary>
internal sealed class EtlTableWriter(TextWriter output, EthereumEtlFormat format, IReadOnlyList<string> columns, string csvNewLine)
{
    private readonly StringBuilder _sb = new(1024);
    private bool _headerWritten;
    private int _column;

    private bool Json => format == EthereumEtlFormat.Json;

    public void BeginRow()
    {
        _sb.Clear();
        _column = 0;
        if (Json)
        {
            _sb.Append('{');
        }
    }

    public void EndRow()
    {
        if (_column != columns.Count)
        {
            throw new InvalidOperationException($"row has {_column} values for {columns.Count} columns");
        }

        if (Json)
        {
            _sb.Append("}\n");
        }
        else
        {
            if (!_headerWritten)
            {
                output.Write(string.Join(',', columns) + csvNewLine);
                _headerWritten = true;
            }

            _sb.Append(csvNewLine);
        }

        output.Write(_sb);
    }

    public void String(string? value)
    {
        Next();
        if (value is null)
        {
            Null();
        }
        else if (Json)
        {
            PyFormat.AppendJsonString(_sb, value);
        }
        else
        {
            PyFormat.AppendCsvCell(_sb, value);
        }
    }

    public void Int(long? value)
    {
        Next();
        if (value is { } v)
        {
            _sb.Append(v.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            Null();
        }
    }

    public void Int(UInt256? value)
    {
        Next();
        if (value is { } v)
        {
            _sb.Append(v.ToString());
        }
        else
        {
            Null();
        }
    }

    /// <summary>A Python float (printed with <c>repr</c> in both formats).</summary>
    public void Float(double? value)
    {
        Next();
        if (value is { } v)
        {
            _sb.Append(PyFormat.FloatRepr(v));
        }
        else
        {
            Null();
        }
    }

    public void StringList(IEnumerable<string> values)
    {
        Next();
        if (Json)
        {
            _sb.Append('[');
            var first = true;
            foreach (var v in values)
            {
                if (!first)
                {
                    _sb.Append(", ");
                }

                PyFormat.AppendJsonString(_sb, v);
                first = false;
            }

            _sb.Append(']');
        }
        else
        {
            PyFormat.AppendCsvCell(_sb, string.Join(',', values));
        }
    }

    public void IntList(IReadOnlyList<int> values)
    {
        Next();
        var joined = string.Join(Json ? ", " : ",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (Json)
        {
            _sb.Append('[').Append(joined).Append(']');
        }
        else
        {
            PyFormat.AppendCsvCell(_sb, joined);
        }
    }

    /// <summary>The block's withdrawals: a list of dicts (index, validator_index, address, amount in gwei).</summary>
    public void Withdrawals(IReadOnlyList<EvmWithdrawal> withdrawals)
    {
        Next();
        var item = Json ? ", " : ",";
        var key = Json ? ": " : ":";
        var sb = new StringBuilder(withdrawals.Count * 110);
        for (var i = 0; i < withdrawals.Count; i++)
        {
            var w = withdrawals[i];
            if (i > 0)
            {
                sb.Append(item);
            }

            sb.Append("{\"index\"").Append(key).Append(w.Index.ToString(CultureInfo.InvariantCulture))
                .Append(item).Append("\"validator_index\"").Append(key).Append(w.ValidatorIndex.ToString(CultureInfo.InvariantCulture))
                .Append(item).Append("\"address\"").Append(key).Append('"').Append(w.Address.ToString()).Append('"')
                .Append(item).Append("\"amount\"").Append(key).Append(w.AmountGwei.ToString(CultureInfo.InvariantCulture))
                .Append('}');
        }

        if (Json)
        {
            _sb.Append('[').Append(sb).Append(']');
        }
        else
        {
            PyFormat.AppendCsvCell(_sb, sb.ToString());
        }
    }

    private void Next()
    {
        if (_column >= columns.Count)
        {
            throw new InvalidOperationException($"more values than the {columns.Count} columns");
        }

        if (Json)
        {
            if (_column > 0)
            {
                _sb.Append(", ");
            }

            PyFormat.AppendJsonString(_sb, columns[_column]);
            _sb.Append(": ");
        }
        else if (_column > 0)
        {
            _sb.Append(',');
        }

        _column++;
    }

    private void Null()
    {
        if (Json)
        {
            _sb.Append("null");
        }
    }
}
