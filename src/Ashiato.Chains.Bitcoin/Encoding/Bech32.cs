namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>The two checksum variants: BIP173 bech32 and BIP350 bech32m.</summary>
public enum Bech32Variant : byte
{
    Bech32 = 1,
    Bech32m = 2,
}

/// <summary>
/// Bech32 strings and segregated-witness addresses: BIP173 bech32 for witness version 0,
/// BIP350 bech32m for versions 1 to 16.
/// </summary>
public static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const uint Bech32Constant = 1;
    private const uint Bech32mConstant = 0x2bc830a3;
    private const int MaxLength = 90;
    private const int MaxHrpLength = 83;
    private const int ChecksumLength = 6;
    private const int MinProgramLength = 2;
    private const int MaxProgramLength = 40;

    private static readonly sbyte[] _valueOf = BuildValueTable();

    /// <summary>Encodes a witness program; the result is lower case.</summary>
    /// <exception cref="ArgumentException">invalid HRP, version outside 0..16, or a program length BIP141 does not allow.</exception>
    public static string EncodeSegwit(string hrp, int witnessVersion, ReadOnlySpan<byte> program)
    {
        if (witnessVersion is < 0 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(witnessVersion), witnessVersion, "witness versions are 0..16");
        }

        if (program.Length is < MinProgramLength or > MaxProgramLength ||
            (witnessVersion == 0 && program.Length != 20 && program.Length != 32))
        {
            throw new ArgumentException(
                $"a version {witnessVersion} witness program cannot have {program.Length} bytes", nameof(program));
        }

        // Data part: version symbol, then the program regrouped from 8-bit to 5-bit groups (zero padded).
        Span<byte> values = stackalloc byte[1 + (program.Length * 8 + 4) / 5];
        values[0] = (byte)witnessVersion;
        var written = 1;
        uint acc = 0;
        var bits = 0;
        foreach (var b in program)
        {
            acc = (acc << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                values[written++] = (byte)((acc >> bits) & 31);
            }
        }

        if (bits > 0)
        {
            values[written] = (byte)((acc << (5 - bits)) & 31);
        }

        return Encode(hrp, values, witnessVersion == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m);
    }

    /// <summary>
    /// Decodes a segwit address per BIP173/BIP350: the right checksum variant for the version, a valid
    /// version (0..16) and program length (2..40; 20 or 32 for v0), padding of at most 4 zero bits, no mixed case.
    /// The HRP comes back in lower case; the caller checks it against the network.
    /// </summary>
    public static bool TryDecodeSegwit(string address, out string hrp, out int witnessVersion, out byte[] program)
    {
        witnessVersion = -1;
        program = [];
        if (!TryDecode(address, out hrp, out var data, out var variant))
        {
            hrp = string.Empty;
            return false;
        }

        if (data.Length < 1 || data[0] > 16 ||
            variant != (data[0] == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m))
        {
            hrp = string.Empty;
            return false;
        }

        // Regroup 5-bit symbols to bytes: at most 4 bits of padding, all zero.
        var symbols = data.AsSpan(1);
        var byteCount = symbols.Length * 5 / 8;
        int version = data[0];
        if (byteCount is < MinProgramLength or > MaxProgramLength ||
            (version == 0 && byteCount != 20 && byteCount != 32))
        {
            hrp = string.Empty;
            return false;
        }

        var bytes = new byte[byteCount];
        uint acc = 0;
        var bits = 0;
        var written = 0;
        foreach (var s in symbols)
        {
            acc = (acc << 5) | s;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)((acc >> bits) & 0xff);
            }
        }

        if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0)
        {
            hrp = string.Empty;
            return false;
        }

        witnessVersion = version;
        program = bytes;
        return true;
    }

    /// <summary>Encodes 5-bit values (each 0..31) under a lower-case HRP with the given checksum variant.</summary>
    public static string Encode(string hrp, ReadOnlySpan<byte> data5, Bech32Variant variant)
    {
        ArgumentNullException.ThrowIfNull(hrp);
        if (hrp.Length is 0 or > MaxHrpLength)
        {
            throw new ArgumentException($"the human-readable part has 1 to {MaxHrpLength} characters", nameof(hrp));
        }

        foreach (var c in hrp)
        {
            if (c < 33 || c > 126 || c is >= 'A' and <= 'Z')
            {
                throw new ArgumentException($"'{hrp}' is not a valid lower-case human-readable part", nameof(hrp));
            }
        }

        var total = hrp.Length + 1 + data5.Length + ChecksumLength;
        if (total > MaxLength)
        {
            throw new ArgumentException($"a bech32 string has at most {MaxLength} characters, this one would have {total}");
        }

        var chk = PolymodWithHrp(hrp, data5);
        for (var i = 0; i < ChecksumLength; i++)
        {
            chk = PolymodStep(chk, 0);
        }

        chk ^= variant == Bech32Variant.Bech32m ? Bech32mConstant : Bech32Constant;

        Span<char> chars = stackalloc char[total];
        hrp.AsSpan().CopyTo(chars);
        chars[hrp.Length] = '1';
        var pos = hrp.Length + 1;
        foreach (var v in data5)
        {
            if (v > 31)
            {
                throw new ArgumentException("bech32 data values are 5-bit (0..31)", nameof(data5));
            }

            chars[pos++] = Charset[v];
        }

        for (var i = 0; i < ChecksumLength; i++)
        {
            chars[pos++] = Charset[(int)((chk >> (5 * (5 - i))) & 31)];
        }

        return new string(chars);
    }

    /// <summary>
    /// Decodes any bech32/bech32m string (BIP173 rules: at most 90 characters, HRP characters 33..126,
    /// no mixed case, a 6-character checksum). Returns the lower-case HRP and the 5-bit data values without the checksum.
    /// </summary>
    public static bool TryDecode(string text, out string hrp, out byte[] data5, out Bech32Variant variant)
    {
        hrp = string.Empty;
        data5 = [];
        variant = default;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        bool hasLower = false, hasUpper = false;
        foreach (var c in text)
        {
            if (c < 33 || c > 126)
            {
                return false;
            }

            hasLower |= c is >= 'a' and <= 'z';
            hasUpper |= c is >= 'A' and <= 'Z';
        }

        if (hasLower && hasUpper)
        {
            return false;
        }

        var separator = text.LastIndexOf('1');
        if (separator < 1 || separator > MaxHrpLength || separator + 1 + ChecksumLength > text.Length)
        {
            return false;
        }

        var hrpText = text[..separator].ToLowerInvariant();
        var dataChars = text.AsSpan(separator + 1);
        Span<byte> values = stackalloc byte[dataChars.Length];
        for (var i = 0; i < dataChars.Length; i++)
        {
            var c = dataChars[i];
            if (c is >= 'A' and <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }

            var v = _valueOf[c];
            if (v < 0)
            {
                return false;
            }

            values[i] = (byte)v;
        }

        var residue = PolymodWithHrp(hrpText, values);
        if (residue == Bech32Constant)
        {
            variant = Bech32Variant.Bech32;
        }
        else if (residue == Bech32mConstant)
        {
            variant = Bech32Variant.Bech32m;
        }
        else
        {
            return false;
        }

        hrp = hrpText;
        data5 = values[..^ChecksumLength].ToArray();
        return true;
    }

    private static uint PolymodWithHrp(string hrp, ReadOnlySpan<byte> values)
    {
        uint chk = 1;
        foreach (var c in hrp)
        {
            chk = PolymodStep(chk, (uint)(c >> 5));
        }

        chk = PolymodStep(chk, 0);
        foreach (var c in hrp)
        {
            chk = PolymodStep(chk, (uint)(c & 31));
        }

        foreach (var v in values)
        {
            chk = PolymodStep(chk, v);
        }

        return chk;
    }

    // the generator's XOR for every 5-bit top value (BIP173's five conditional XORs, combined once): one load per step, no branches
    private static readonly uint[] GeneratorXor = BuildGeneratorXor();

    private static uint PolymodStep(uint chk, uint value) => (((chk & 0x1ffffff) << 5) ^ value) ^ GeneratorXor[(int)(chk >> 25)];

    private static uint[] BuildGeneratorXor()
    {
        uint[] gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        var table = new uint[32];
        for (var top = 0; top < 32; top++)
        {
            for (var b = 0; b < 5; b++)
            {
                if ((top & (1 << b)) != 0)
                {
                    table[top] ^= gen[b];
                }
            }
        }

        return table;
    }

    private static sbyte[] BuildValueTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Charset.Length; i++)
        {
            table[Charset[i]] = (sbyte)i;
        }

        return table;
    }
}
