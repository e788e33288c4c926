using System.Globalization;
using System.Text;

namespace Ashiato.Export.Evm;

/// <summary>How Python prints the values ethereum-etl exports: <c>json.dumps</c> strings, <c>repr(float)</c>, <c>csv</c> cells.</summary>
internal static class PyFormat
{
    /// <summary>A JSON string as <c>json.dumps</c> with <c>ensure_ascii=True</c> writes it.</summary>
    public static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        // .NET strings are UTF-16 like the \u escapes, so a surrogate pair comes out as Python writes it.
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>A cell as Python's <c>csv.writer</c> (excel dialect, minimal quoting) writes it.</summary>
    public static void AppendCsvCell(StringBuilder sb, string s)
    {
        if (s.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            sb.Append(s);
            return;
        }

        sb.Append('"').Append(s.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    /// <summary>
    /// <c>repr(float(text))</c>: the shortest digits that round-trip, positional for decimal exponents −4 … 15 (with
    /// ".0" if integral), otherwise <c>d.ddde±XX</c>.
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "only finite numbers are exported");
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits and the decimal exponent, from .NET's own shortest form ("R": 0.684, 1E-05, 1.5E+20).
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var digits = dot < 0 ? mantissa : intPart + mantissa[(dot + 1)..];

        // value = 0.DIGITS × 10^decpt
        var decpt = intPart.Length + exponent;
        var lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decpt -= lead;

        var sb = new StringBuilder(32);
        if (value < 0)
        {
            sb.Append('-');
        }

        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var x = decpt - 1;
            sb.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt < digits.Length)
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        else
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }

        return sb.ToString();
    }
}
