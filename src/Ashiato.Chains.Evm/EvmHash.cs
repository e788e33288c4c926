using System.Buffers.Binary;
using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.Chains.Evm;

/// <summary>A 32-byte Keccak hash (block hash, transaction hash, log topic), in the order it is printed ("0x…").</summary>
public readonly struct EvmHash : IEquatable<EvmHash>
{
    public const int Size = 32;
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public EvmHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a hash has {Size} bytes, got {bytes.Length}", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public static EvmHash Zero => default;

    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>A well-mixed 64-bit value for hash-table slots (bytes 24..31; Keccak output is uniform).</summary>
    public ulong Low64 => _d;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToBytes()
    {
        var b = new byte[Size];
        WriteTo(b);
        return b;
    }

    public static bool TryParse(ReadOnlySpan<char> text, out EvmHash hash)
    {
        hash = default;
        if (text.Length != 66 || !Hex.TryDecode(text, out var bytes))
        {
            return false;
        }

        hash = new EvmHash(bytes);
        return true;
    }

    public static EvmHash Parse(string text) =>
        TryParse(text, out var h) ? h : throw new FormatException($"'{Hex.Shorten(text)}' is not a 32-byte hash (0x + 64 hex digits)");

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Size];
        WriteTo(b);
        return "0x" + Convert.ToHexStringLower(b);
    }

    public bool Equals(EvmHash other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is EvmHash o && Equals(o);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(EvmHash a, EvmHash b) => a.Equals(b);

    public static bool operator !=(EvmHash a, EvmHash b) => !a.Equals(b);
}
