using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace Ashiato.Core;

/// <summary>
/// An unsigned 256-bit integer: EVM amounts (wei, token units), token ids and quantities. Arithmetic is
/// checked: overflow and underflow throw, so a wrong amount can never wrap silently.
/// </summary>
public readonly struct UInt256 : IEquatable<UInt256>, IComparable<UInt256>
{
    public const int Size = 32;

    // Little-endian limbs: _u0 is the least significant 64 bits.
    private readonly ulong _u0;
    private readonly ulong _u1;
    private readonly ulong _u2;
    private readonly ulong _u3;

    public UInt256(ulong u0, ulong u1 = 0, ulong u2 = 0, ulong u3 = 0)
    {
        _u0 = u0;
        _u1 = u1;
        _u2 = u2;
        _u3 = u3;
    }

    public static UInt256 Zero => default;

    public static UInt256 One => new(1);

    public static UInt256 MaxValue => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    public bool IsZero => (_u0 | _u1 | _u2 | _u3) == 0;

    /// <summary>True when the value fits in 64 bits.</summary>
    public bool FitsUInt64 => (_u1 | _u2 | _u3) == 0;

    public ulong Low64 => _u0;

    public static implicit operator UInt256(ulong value) => new(value);

    public static explicit operator ulong(UInt256 value) =>
        value.FitsUInt64 ? value._u0 : throw new OverflowException($"{value} does not fit in 64 bits");

    /// <summary>Reads 32 bytes, most significant first (the ABI / RLP order).</summary>
    public static UInt256 FromBigEndian(ReadOnlySpan<byte> bytes32)
    {
        if (bytes32.Length != Size)
        {
            throw new ArgumentException($"a 256-bit word has {Size} bytes, got {bytes32.Length}", nameof(bytes32));
        }

        return new UInt256(
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32));
    }

    /// <summary>Reads up to 32 bytes, most significant first, left-padding with zeros.</summary>
    public static UInt256 FromBigEndianShort(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Size)
        {
            throw new OverflowException($"{bytes.Length} bytes do not fit in 256 bits");
        }

        Span<byte> word = stackalloc byte[Size];
        word.Clear();
        bytes.CopyTo(word[(Size - bytes.Length)..]);
        return FromBigEndian(word);
    }

    public void WriteBigEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _u3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _u2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _u1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _u0);
    }

    public static UInt256 FromLittleEndian(ReadOnlySpan<byte> bytes32) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes32),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes32[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes32[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes32[24..]));

    public void WriteLittleEndian(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _u0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _u1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _u2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _u3);
    }

    /// <summary>Parses a JSON-RPC quantity ("0x1a", "0x0"); leading zeros are accepted, at most 64 hex digits.</summary>
    public static bool TryParseHex(ReadOnlySpan<char> text, out UInt256 value)
    {
        value = default;
        if (text.Length < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        {
            return false;
        }

        var digits = text[2..];
        while (digits.Length > 1 && digits[0] == '0')
        {
            digits = digits[1..];
        }

        if (digits.Length > 64)
        {
            return false;
        }

        Span<ulong> limbs = stackalloc ulong[4];
        limbs.Clear();
        for (var i = 0; i < digits.Length; i++)
        {
            var c = digits[digits.Length - 1 - i];
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                return false;
            }

            limbs[i / 16] |= (ulong)d << (4 * (i % 16));
        }

        value = new UInt256(limbs[0], limbs[1], limbs[2], limbs[3]);
        return true;
    }

    public static UInt256 ParseHex(string text) =>
        TryParseHex(text, out var v) ? v : throw new FormatException($"'{text}' is not a 256-bit hex quantity");

    public static bool TryParse(ReadOnlySpan<char> decimalText, out UInt256 value)
    {
        value = default;
        if (decimalText.IsEmpty || decimalText.Length > 78)
        {
            return false;
        }

        foreach (var c in decimalText)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var big = BigInteger.Parse(decimalText, NumberStyles.None, CultureInfo.InvariantCulture);
        if (big.GetByteCount(isUnsigned: true) > Size)
        {
            return false;
        }

        value = FromBigInteger(big);
        return true;
    }

    public static UInt256 Parse(string decimalText) =>
        TryParse(decimalText, out var v) ? v : throw new FormatException($"'{decimalText}' is not a 256-bit decimal integer");

    public static UInt256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > Size)
        {
            throw new OverflowException($"{value} is outside 0 … 2^256-1");
        }

        Span<byte> le = stackalloc byte[Size];
        le.Clear();
        value.TryWriteBytes(le, out _, isUnsigned: true, isBigEndian: false);
        return FromLittleEndian(le);
    }

    public BigInteger ToBigInteger()
    {
        Span<byte> le = stackalloc byte[Size];
        WriteLittleEndian(le);
        return new BigInteger(le, isUnsigned: true, isBigEndian: false);
    }

    public static UInt256 operator +(UInt256 a, UInt256 b)
    {
        var r0 = a._u0 + b._u0;
        var c = r0 < a._u0 ? 1UL : 0UL;
        var (r1, c1) = AddCarry(a._u1, b._u1, c);
        var (r2, c2) = AddCarry(a._u2, b._u2, c1);
        var (r3, c3) = AddCarry(a._u3, b._u3, c2);
        if (c3 != 0)
        {
            throw new OverflowException("256-bit addition overflowed");
        }

        return new UInt256(r0, r1, r2, r3);
    }

    public static UInt256 operator -(UInt256 a, UInt256 b)
    {
        if (a < b)
        {
            throw new OverflowException("256-bit subtraction went below zero");
        }

        var r0 = a._u0 - b._u0;
        var borrow = a._u0 < b._u0 ? 1UL : 0UL;
        var (r1, b1) = SubBorrow(a._u1, b._u1, borrow);
        var (r2, b2) = SubBorrow(a._u2, b._u2, b1);
        var (r3, _) = SubBorrow(a._u3, b._u3, b2);
        return new UInt256(r0, r1, r2, r3);
    }

    public static UInt256 operator *(UInt256 a, UInt256 b)
    {
        if (a.FitsUInt64 && b.FitsUInt64)
        {
            var hi = Math.BigMul(a._u0, b._u0, out var lo);
            return new UInt256(lo, hi);
        }

        return FromBigInteger(a.ToBigInteger() * b.ToBigInteger());
    }

    private static (ulong Sum, ulong Carry) AddCarry(ulong a, ulong b, ulong carry)
    {
        var s = a + b;
        var c = s < a ? 1UL : 0UL;
        var s2 = s + carry;
        c += s2 < s ? 1UL : 0UL;
        return (s2, c);
    }

    private static (ulong Diff, ulong Borrow) SubBorrow(ulong a, ulong b, ulong borrow)
    {
        var d = a - b;
        var br = a < b ? 1UL : 0UL;
        var d2 = d - borrow;
        br += d < borrow ? 1UL : 0UL;
        return (d2, br);
    }

    public int CompareTo(UInt256 other)
    {
        if (_u3 != other._u3)
        {
            return _u3.CompareTo(other._u3);
        }

        if (_u2 != other._u2)
        {
            return _u2.CompareTo(other._u2);
        }

        return _u1 != other._u1 ? _u1.CompareTo(other._u1) : _u0.CompareTo(other._u0);
    }

    public static bool operator <(UInt256 a, UInt256 b) => a.CompareTo(b) < 0;

    public static bool operator >(UInt256 a, UInt256 b) => a.CompareTo(b) > 0;

    public static bool operator <=(UInt256 a, UInt256 b) => a.CompareTo(b) <= 0;

    public static bool operator >=(UInt256 a, UInt256 b) => a.CompareTo(b) >= 0;

    public static bool operator ==(UInt256 a, UInt256 b) => a.Equals(b);

    public static bool operator !=(UInt256 a, UInt256 b) => !a.Equals(b);

    public bool Equals(UInt256 other) => _u0 == other._u0 && _u1 == other._u1 && _u2 == other._u2 && _u3 == other._u3;

    public override bool Equals(object? obj) => obj is UInt256 o && Equals(o);

    public override int GetHashCode() => HashCode.Combine(_u0, _u1, _u2, _u3);

    /// <summary>Decimal digits, no separators (as ethereum-etl prints amounts).</summary>
    public override string ToString() =>
        FitsUInt64 ? _u0.ToString(CultureInfo.InvariantCulture) : ToBigInteger().ToString(CultureInfo.InvariantCulture);

    /// <summary>"0x…" quantity form, no leading zeros ("0x0" for zero).</summary>
    public string ToHexQuantity()
    {
        if (FitsUInt64)
        {
            return "0x" + _u0.ToString("x", CultureInfo.InvariantCulture);
        }

        Span<byte> be = stackalloc byte[Size];
        WriteBigEndian(be);
        var hex = Convert.ToHexStringLower(be).TrimStart('0');
        return "0x" + (hex.Length == 0 ? "0" : hex);
    }
}
