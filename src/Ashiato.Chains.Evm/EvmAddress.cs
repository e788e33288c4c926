using System.Buffers.Binary;
using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.Chains.Evm;

/// <summary>
/// A 20-byte account address. Stored and compared canonically (the bytes); <see cref="ToString"/> gives
/// lower-case hex as ethereum-etl exports it, <see cref="ToChecksumString"/> the EIP-55 mixed-case form for display.
/// </summary>
public readonly struct EvmAddress : IEquatable<EvmAddress>, IComparable<EvmAddress>
{
    public const int Size = 20;
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    public EvmAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"an address has {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    public static EvmAddress Zero => default;

    public bool IsZero => (_a | _b | _c) == 0;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    public byte[] ToBytes()
    {
        var b = new byte[Size];
        WriteTo(b);
        return b;
    }

    /// <summary>Takes the low 20 bytes of a 32-byte ABI word or log topic.</summary>
    public static EvmAddress FromWord(ReadOnlySpan<byte> word32) => new(word32[12..32]);

    /// <summary>
    /// Parses "0x" + 40 hex digits. All-lower and all-upper are accepted as is; a mixed-case string must carry a
    /// valid EIP-55 checksum (a wrong one is a typo signal, so it is refused).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EvmAddress address)
    {
        address = default;
        if (text.Length != 42 || !Hex.TryDecode(text, out var bytes) || bytes.Length != Size)
        {
            return false;
        }

        address = new EvmAddress(bytes);
        var digits = text[2..];
        bool hasLower = false, hasUpper = false;
        foreach (var ch in digits)
        {
            hasLower |= ch is >= 'a' and <= 'f';
            hasUpper |= ch is >= 'A' and <= 'F';
        }

        return !(hasLower && hasUpper) || address.ToChecksumString().AsSpan(2).SequenceEqual(digits);
    }

    public static EvmAddress Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{Hex.Shorten(text)}' is not an EVM address (0x + 40 hex digits, valid EIP-55 checksum if mixed case)");

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Size];
        WriteTo(b);
        return "0x" + Convert.ToHexStringLower(b);
    }

    /// <summary>EIP-55: a hex digit is upper-cased when the matching nibble of keccak256(lower-case hex) is ≥ 8.</summary>
    public string ToChecksumString()
    {
        var lower = ToString()[2..];
        var hash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(lower));
        var chars = new char[42];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0F;
            var c = lower[i];
            chars[i + 2] = c is >= 'a' and <= 'f' && nibble >= 8 ? char.ToUpperInvariant(c) : c;
        }

        return new string(chars);
    }

    public bool Equals(EvmAddress other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is EvmAddress o && Equals(o);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public int CompareTo(EvmAddress other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }

        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public static bool operator ==(EvmAddress a, EvmAddress b) => a.Equals(b);

    public static bool operator !=(EvmAddress a, EvmAddress b) => !a.Equals(b);
}
