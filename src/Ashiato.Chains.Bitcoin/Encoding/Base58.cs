namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>Plain Base58 (Bitcoin alphabet), as Bitcoin Core's EncodeBase58/DecodeBase58, without whitespace tolerance.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int StackLimit = 512;

    private static readonly sbyte[] _digitOf = BuildDigitTable();

    // 58^5: the encoder works in limbs of 5 base-58 digits (less than 2^30), so a limb times 2^24 plus a carry fits 64 bits
    private const ulong Limb = 656_356_768;

    /// <summary>
    /// Base58 text of <paramref name="data"/>: a '1' per leading zero byte, then the rest as a big-endian number in base 58. The
    /// number is built in limbs of 5 base-58 digits, taking the input 3 bytes at a time (≈ 1/12 of the divisions of the
    /// digit-by-digit, byte-by-byte method of Bitcoin Core's EncodeBase58; same output, tested against it on random input).
    /// </summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        var rest = data[zeros..];

        // log(256) / log(58) < 1.38 digits per byte; 5 digits per limb
        var maxLimbs = ((rest.Length * 138 / 100) + 1) / 5 + 2;
        var limbs = maxLimbs <= 64 ? stackalloc ulong[maxLimbs] : new ulong[maxLimbs];
        var used = 0;
        var i = 0;
        while (i < rest.Length)
        {
            // the first group takes the bytes above a multiple of 3, every later one 3
            var take = i == 0 && rest.Length % 3 != 0 ? rest.Length % 3 : 3;
            ulong carry = 0;
            for (var k = 0; k < take; k++)
            {
                carry = (carry << 8) | rest[i + k];
            }

            i += take;
            var shift = 8 * take;
            for (var j = 0; j < used; j++)
            {
                // limb < 58^5 and carry ≤ 2^shift, so t < 58^5 · 2^24 + 2^24 < 2^54
                var t = (limbs[j] << shift) + carry;
                limbs[j] = t % Limb;
                carry = t / Limb;
            }

            while (carry > 0)
            {
                limbs[used++] = carry % Limb;
                carry /= Limb;
            }
        }

        var topDigits = 0;
        if (used > 0)
        {
            for (var top = limbs[used - 1]; top > 0; top /= 58)
            {
                topDigits++;
            }
        }

        var total = zeros + topDigits + (used > 0 ? 5 * (used - 1) : 0);
        var chars = total <= StackLimit ? stackalloc char[total] : new char[total];
        chars[..zeros].Fill('1');
        var pos = total;
        for (var j = 0; j < used; j++)
        {
            var limb = limbs[j];
            var digits = j == used - 1 ? topDigits : 5;
            for (var d = 0; d < digits; d++)
            {
                chars[--pos] = Alphabet[(int)(limb % 58)];
                limb /= 58;
            }
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
