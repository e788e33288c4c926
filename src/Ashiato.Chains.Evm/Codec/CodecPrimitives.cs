using System.Buffers;
using System.Text.Unicode;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Codec;

/// <summary>Appends the codec's primitives to a growing buffer.</summary>
internal sealed class CodecWriter(int capacity)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(capacity, 64));

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Unsigned LEB128: 7 bits a byte, low bits first, high bit = more.</summary>
    public void VarUInt(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }

    /// <summary>Signed integers as zigzag LEB128 (small magnitudes of either sign stay short).</summary>
    public void VarInt(long value) => VarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void Count(int count) => VarUInt((ulong)count);

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        VarUInt((ulong)bytes.Length);
        Raw(bytes);
    }

    public void Hash(EvmHash hash)
    {
        hash.WriteTo(_buffer.GetSpan(EvmHash.Size));
        _buffer.Advance(EvmHash.Size);
    }

    public void Address(EvmAddress address)
    {
        address.WriteTo(_buffer.GetSpan(EvmAddress.Size));
        _buffer.Advance(EvmAddress.Size);
    }

    /// <summary>A length byte (0…32) and the value's big-endian bytes without leading zeros (zero is one byte: 0).</summary>
    public void UInt256(UInt256 value)
    {
        Span<byte> be = stackalloc byte[Core.UInt256.Size];
        value.WriteBigEndian(be);
        var first = be.IndexOfAnyExcept((byte)0);
        var minimal = first < 0 ? ReadOnlySpan<byte>.Empty : be[first..];
        Byte((byte)minimal.Length);
        Raw(minimal);
    }

    /// <summary>
    /// A varint header (byte length × 2, + 1 when the text is UTF-16LE) and the bytes: UTF-8 normally; UTF-16 only for
    /// text with an unpaired surrogate, which UTF-8 cannot carry (so nothing is ever replaced).
    /// </summary>
    public void String(string text)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var status = Utf8.FromUtf16(text, rented, out _, out var written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
            {
                VarUInt((ulong)written << 1);
                Raw(rented.AsSpan(0, written));
                return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        var utf16 = System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the bundle codec writes UTF-16 on little-endian machines only");
        }

        VarUInt(((ulong)utf16.Length << 1) | 1);
        Raw(utf16);
    }
}

/// <summary>
/// Reads the codec's primitives with bounds checks: truncated or impossible data throws <see cref="DataFormatException"/>
/// naming the source, the byte offset and the field being read.
/// </summary>
internal ref struct CodecReader(ReadOnlySpan<byte> data, string source)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private readonly string _source = source;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly DataFormatException Error(string problem, int? offset = null) => new(_source, offset ?? _position, problem);

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining)
        {
            throw Error($"truncated: {field} needs {count} bytes, {Remaining} left");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte Byte(string field) => Take(1, field)[0];

    public ulong VarUInt(string field)
    {
        var start = _position;
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Error($"truncated: {field} (a varint) ends early", _position);
            }

            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                throw Error($"{field}: varint overflows 64 bits", start);
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    public long VarInt(string field)
    {
        var u = VarUInt(field);
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    public int Int(string field)
    {
        var start = _position;
        var v = VarInt(field);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Error($"{field}: {v} is outside the 32-bit range", start);
    }

    /// <summary>A list length; each element takes at least <paramref name="minElementSize"/> bytes, so a corrupt count cannot allocate much.</summary>
    public int Count(string field, int minElementSize = 1)
    {
        var start = _position;
        var n = VarUInt(field);
        if (n > (ulong)Remaining / (ulong)Math.Max(1, minElementSize))
        {
            throw Error($"{field}: count {n} cannot fit in the {Remaining} bytes left", start);
        }

        return (int)n;
    }

    public ulong Flags(string field, ulong known)
    {
        var start = _position;
        var flags = VarUInt(field);
        if ((flags & ~known) != 0)
        {
            throw Error($"{field}: unknown flag bits 0x{flags & ~known:x} (corrupt, or written by a newer version)", start);
        }

        return flags;
    }

    public byte[] Bytes(string field)
    {
        var n = Count(field);
        return Take(n, field).ToArray();
    }

    public EvmHash Hash(string field) => new(Take(EvmHash.Size, field));

    public EvmAddress Address(string field) => new(Take(EvmAddress.Size, field));

    public UInt256 UInt256(string field)
    {
        var start = _position;
        var length = Byte(field);
        if (length > Core.UInt256.Size)
        {
            throw Error($"{field}: a 256-bit number cannot have {length} bytes", start);
        }

        var bytes = Take(length, field);
        if (length > 0 && bytes[0] == 0)
        {
            throw Error($"{field}: number with a leading zero byte (not canonical)", start);
        }

        return Core.UInt256.FromBigEndianShort(bytes);
    }

    public string String(string field)
    {
        var start = _position;
        var header = VarUInt(field);
        var isUtf16 = (header & 1) != 0;
        var length = header >> 1;
        if (length > (ulong)Remaining)
        {
            throw Error($"truncated: {field} needs {length} bytes, {Remaining} left", start);
        }

        var bytes = Take((int)length, field);
        if (isUtf16)
        {
            if (length % 2 != 0)
            {
                throw Error($"{field}: UTF-16 text with an odd byte count", start);
            }

            return new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(bytes));
        }

        return Utf8.IsValid(bytes)
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : throw Error($"{field}: invalid UTF-8", start);
    }
}
