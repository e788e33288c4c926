namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>Plain Base58 (Bitcoin alphabet), as Bitcoin Core's EncodeBase58/DecodeBase58, without whitespace tolerance.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int StackLimit = 512;

    private static readonly sbyte[] _digitOf = BuildDigitTable();

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256) / log(58) < 1.38: enough base-58 digits for the rest.
        var size = (data.Length - zeros) * 138 / 100 + 1;
        var b58 = size <= StackLimit ? stackalloc byte[size] : new byte[size];
        b58.Clear();
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            var j = 0;
            for (var k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 256 * b58[k];
                b58[k] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        var start = size - length;
        while (start < size && b58[start] == 0)
        {
            start++;
        }

        var total = zeros + size - start;
        var chars = total <= StackLimit ? stackalloc char[total] : new char[total];
        chars[..zeros].Fill('1');
        for (var i = start; i < size; i++)
        {
            chars[zeros + i - start] = Alphabet[b58[i]];
        }

        return new string(chars);
    }

    public static bool TryDecode(string? text, out byte[] data)
    {
        data = [];
        if (text is null)
        {
            return false;
        }

        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // log(58) / log(256) < 0.733: enough bytes for the rest.
        var size = (text.Length - zeros) * 733 / 1000 + 1;
        var b256 = size <= StackLimit ? stackalloc byte[size] : new byte[size];
        b256.Clear();
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= 128 || _digitOf[c] < 0)
            {
                return false;
            }

            int carry = _digitOf[c];
            var j = 0;
            for (var k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 58 * b256[k];
                b256[k] = (byte)(carry & 0xff);
                carry >>= 8;
            }

            length = j;
        }

        var start = size - length;
        while (start < size && b256[start] == 0)
        {
            start++;
        }

        data = new byte[zeros + size - start];
        b256[start..].CopyTo(data.AsSpan(zeros));
        return true;
    }

    private static sbyte[] BuildDigitTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (sbyte)i;
        }

        return table;
    }
}
