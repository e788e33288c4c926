using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Ashiato.Core;

/// <summary>
/// A 32-byte hash (block hash, txid, merkle root) held in internal byte order (as on the wire).
/// <see cref="ToString"/> prints it the way Bitcoin Core does: bytes reversed, lower-case hex.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>
{
    public const int Size = 32;
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public Hash256(ReadOnlySpan<byte> internalOrder)
    {
        if (internalOrder.Length != Size)
        {
            throw new ArgumentException($"a hash has {Size} bytes, got {internalOrder.Length}", nameof(internalOrder));
        }

        _a = BinaryPrimitives.ReadUInt64LittleEndian(internalOrder);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(internalOrder[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(internalOrder[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(internalOrder[24..]);
    }

    public static Hash256 Zero => default;

    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>The first 8 bytes as a number: well mixed, used for hash-table slots.</summary>
    public ulong Low64 => _a;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses the display form (64 hex characters, reversed byte order).</summary>
    public static Hash256 Parse(string hex)
    {
        if (!TryParse(hex, out var hash))
        {
            throw new FormatException($"'{hex}' is not a 64-character hex hash");
        }

        return hash;
    }

    public static bool TryParse(string? hex, out Hash256 hash)
    {
        hash = default;
        if (hex is null || hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        bytes.Reverse();
        hash = new Hash256(bytes);
        return true;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        bytes.Reverse();
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(Hash256 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    /// <summary>Orders as 256-bit little-endian numbers (the order proof-of-work compares in).</summary>
    public int CompareTo(Hash256 other)
    {
        var c = _d.CompareTo(other._d);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _a.CompareTo(other._a);
    }

    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);
}
