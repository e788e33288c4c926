using System.Globalization;

namespace Ashiato.Chains.Evm.Encoding;

/// <summary>"0x"-prefixed hex as JSON-RPC uses it: DATA (even-length bytes) and QUANTITY (no leading zeros).</summary>
public static class Hex
{
    /// <summary>Decodes "0x…" DATA. An odd number of digits is accepted as if left-padded with one zero.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        {
            return false;
        }

        var digits = text[2..];
        if (digits.Length % 2 == 1)
        {
            Span<char> padded = digits.Length < 512 ? stackalloc char[digits.Length + 1] : new char[digits.Length + 1];
            padded[0] = '0';
            digits.CopyTo(padded[1..]);
            return TryDecodeDigits(padded, out bytes);
        }

        return TryDecodeDigits(digits, out bytes);
    }

    private static bool TryDecodeDigits(ReadOnlySpan<char> digits, out byte[] bytes)
    {
        bytes = new byte[digits.Length / 2];
        return Convert.FromHexString(digits, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == bytes.Length;
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out var b) ? b : throw new FormatException($"'{Shorten(text)}' is not 0x-prefixed hex data");

    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Parses a QUANTITY that fits in 64 bits ("0x0", "0x1a").</summary>
    public static bool TryParseQuantity(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        {
            return false;
        }

        return ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    public static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "…";
}
