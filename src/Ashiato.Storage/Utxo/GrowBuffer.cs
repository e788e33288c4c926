using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ashiato.Storage.Utxo;

/// <summary>An append-only byte buffer for building a column in memory before it is written.</summary>
internal sealed class GrowBuffer
{
    private byte[] _data;

    public GrowBuffer(int capacity = 4096)
    {
        _data = new byte[capacity];
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add<T>(T value)
        where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        Ensure(size);
        Unsafe.WriteUnaligned(ref _data[Length], value);
        Length += size;
    }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_data.AsSpan(Length));
        Length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get<T>(long index)
        where T : unmanaged => Unsafe.ReadUnaligned<T>(ref _data[index * Unsafe.SizeOf<T>()]);

    public ReadOnlySpan<byte> Slice(int start, int length) => _data.AsSpan(start, length);

    public Span<T> As<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(_data.AsSpan(0, Length));

    public void Clear() => Length = 0;

    /// <summary>Drops everything from <paramref name="length"/> on (rolling back rows appended last).</summary>
    public void Shrink(int length)
    {
        if ((uint)length > (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"cannot shrink {Length} bytes to {length}");
        }

        Length = length;
    }

    /// <summary>Empties the buffer, keeping its capacity, and returns it.</summary>
    public GrowBuffer Cleared()
    {
        Length = 0;
        return this;
    }

    private void Ensure(int extra)
    {
        if (Length + extra > _data.Length)
        {
            var size = Math.Max(_data.Length * 2, Length + extra);
            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException("segment column larger than 2 GB; commit more often");
            }

            Array.Resize(ref _data, size);
        }
    }
}

/// <summary>A variable-length column: u32 offsets (n + 1) and the concatenated data.</summary>
internal sealed class BlobColumn
{
    public GrowBuffer Offsets { get; } = new();

    public GrowBuffer Data { get; } = new(64 * 1024);

    public int Count => Math.Max(0, (Offsets.Length / 4) - 1);

    /// <summary>Empties the column, keeping its capacity, and returns it.</summary>
    public BlobColumn Cleared()
    {
        Offsets.Clear();
        Data.Clear();
        return this;
    }

    public void Add(ReadOnlySpan<byte> item)
    {
        if (Offsets.Length == 0)
        {
            Offsets.Add(0u);
        }

        Data.Add(item);
        Offsets.Add((uint)Data.Length);
    }

    public ReadOnlySpan<byte> Get(long index)
    {
        var s = Offsets.Get<uint>(index);
        var e = Offsets.Get<uint>(index + 1);
        return Data.Slice((int)s, (int)(e - s));
    }
}
