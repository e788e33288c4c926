using System.Runtime.Intrinsics.X86;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace Ashiato.Storage.Files;

/// <summary>A read-only memory-mapped file (or an empty one). Values are read unaligned, little-endian.</summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _ptr;

    public MappedFile(string path, long length)
    {
        Path = path;
        Length = length;
        if (length == 0)
        {
            return;
        }

        var actual = new FileInfo(path).Length;
        if (actual < length)
        {
            throw new InvalidDataException($"{path}: {actual} bytes on disk, the manifest committed {length}");
        }

        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _ptr = p + _view.PointerOffset;
    }

    public string Path { get; }

    public long Length { get; }

    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        if ((ulong)offset + (ulong)length > (ulong)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: read of {length} at {offset} past {Length}");
        }

        return new ReadOnlySpan<byte>(_ptr + offset, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Read<T>(long index)
        where T : unmanaged
    {
        var offset = index * sizeof(T);
        if ((ulong)offset + (ulong)sizeof(T) > (ulong)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"{Path}: element {index} past {Length} bytes");
        }

        return Unsafe.ReadUnaligned<T>(_ptr + offset);
    }

    /// <summary>
    /// Hints the CPU to fetch the cache line holding <paramref name="offset"/> (no effect past the end, never a fault): a
    /// caller that knows several addresses it will read soon asks for all of them first, so that their misses overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(long offset)
    {
        if (Sse.IsSupported && (ulong)offset < (ulong)Length)
        {
            Sse.Prefetch0(_ptr + offset);
        }
    }

    public long Count<T>()
        where T : unmanaged => Length / sizeof(T);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
    }

    private bool _disposed;
}
