using System.Text;
using Ashiato.Core;

namespace Ashiato.Intel;

/// <summary>
/// CSV tags (RFC 4180 quoting, UTF-8, header row): columns address, currency, label, category, actor, source, confidence
/// in any order; address, currency, label and source are required, other columns are ignored.
/// </summary>
public static class CsvTagReader
{
    public static readonly string[] ColumnNames = ["address", "currency", "label", "category", "actor", "source", "confidence"];

    public static List<TagRow> Read(TextReader reader, string display, ImportReport report)
    {
        var rows = new List<TagRow>();
        var line = 0;
        var header = ReadRecord(reader, ref line, display) ?? throw new UserErrorException($"{display}:1: empty CSV file (a header row is required)");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            index[header[i].Trim().ToLowerInvariant()] = i;
        }

        foreach (var required in (string[])["address", "currency", "label", "source"])
        {
            if (!index.ContainsKey(required))
            {
                throw new UserErrorException($"{display}:1: CSV header lacks column '{required}' (columns: {string.Join(",", ColumnNames)})");
            }
        }

        while (true)
        {
            var start = line + 1;
            var record = ReadRecord(reader, ref line, display);
            if (record is null)
            {
                break;
            }

            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }

            report.TagsRead++;
            string? Get(string column) => index.TryGetValue(column, out var i) && i < record.Count && record[i].Trim() is { Length: > 0 } v ? v : null;
            var where = $"{display}:{start}";
            var address = Get("address");
            var currencyText = Get("currency");
            var label = Get("label");
            var source = Get("source");
            if (address is null || currencyText is null || label is null || source is null)
            {
                report.Reject($"{where}: row lacks {(address is null ? "address" : currencyText is null ? "currency" : label is null ? "label" : "source")}");
                continue;
            }

            var currency = AddressRules.NormalizeCurrency(currencyText);
            if (!AddressRules.TryCanonicalize(currency, address, out var canonical, out var network, out var reason))
            {
                report.Reject($"{where}: {reason}; tag rejected");
                continue;
            }

            var category = Get("category");
            if (category is not null && !Taxonomy.IsKnownCategory(category))
            {
                report.Warn($"{where}: unknown category '{category}' (tag kept)");
            }

            var confidence = Get("confidence");
            var level = Taxonomy.Level(confidence);
            if (confidence is not null && level is null)
            {
                report.Warn($"{where}: unknown confidence '{confidence}' (tag kept, no level)");
            }

            rows.Add(new TagRow
            {
                Address = canonical,
                Currency = currency,
                Network = network,
                Label = label,
                Source = source,
                Category = category,
                Actor = Get("actor"),
                Confidence = confidence,
                ConfidenceLevel = level,
                TagPackFile = display,
            });
        }

        return rows;
    }

    private static List<string>? ReadRecord(TextReader reader, ref int line, string display)
    {
        var first = reader.Peek();
        if (first < 0)
        {
            return null;
        }

        line++;
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        var startLine = line;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                if (quoted)
                {
                    throw new UserErrorException($"{display}:{startLine}: unterminated quoted field");
                }

                fields.Add(sb.ToString());
                return fields;
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        sb.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    sb.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(sb.ToString());
                    sb.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(sb.ToString());
                    return fields;
                default:
                    sb.Append((char)c);
                    break;
            }
        }
    }
}
