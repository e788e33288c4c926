using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace Ashiato.Storage.Files;

/// <summary>
/// An on-disk open-addressing hash table from a 64-bit key hash to a dense id (txid → tx id,
/// address → address id), memory-mapped and updated in place. It is derived data: an entry counts only
/// if its id is below the bound the caller passes (the committed count plus what the current batch has
/// added), so entries left behind by a crash or removed by a reorg are ignored and later overwritten.
/// This is safe with linear probing because ids are inserted in increasing order: an entry that became
/// invalid was inserted after every valid one and so never lies inside a valid entry's probe path.
/// Slot layout: bits 63..24 = id + 1 (40 bits), bits 23..0 = a 24-bit tag of the key hash; 0 = empty.
/// </summary>
public sealed unsafe class HashIndex : IDisposable
{
    public const long MaxId = (1L << 40) - 2;
    private const int HeaderBytes = 64;
    private const ulong Magic = 0x3158444948534141; // "AASHIDX1"
    private MemoryMappedFile _map = null!;
    private MemoryMappedViewAccessor _view = null!;
    private ulong* _slots;
    private long _mask;

    private HashIndex(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public long Capacity { get; private set; }

    /// <summary>Opens an existing table; returns null if the file is missing or not a table of this capacity.</summary>
    public static HashIndex? TryOpen(string path, long capacity)
    {
        if (!File.Exists(path) || new FileInfo(path).Length != HeaderBytes + (capacity * 8))
        {
            return null;
        }

        var index = new HashIndex(path);
        index.Map(capacity);
        if (*(ulong*)(index._slots - (HeaderBytes / 8)) != Magic)
        {
            index.Dispose();
            return null;
        }

        return index;
    }

    public static HashIndex Create(string path, long capacity)
    {
        if (capacity < 1024 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentException("capacity must be a power of two >= 1024", nameof(capacity));
        }

        using (var fs = new FileStream(path, FileMode.Create, FileAccess.ReadWrite))
        {
            fs.SetLength(HeaderBytes + (capacity * 8));
            Span<byte> header = stackalloc byte[HeaderBytes];
            BitConverter.TryWriteBytes(header, Magic);
            BitConverter.TryWriteBytes(header[8..], capacity);
            fs.Write(header);
        }

        var index = new HashIndex(path);
        index.Map(capacity);
        return index;
    }

    private void Map(long capacity)
    {
        Capacity = capacity;
        _mask = capacity - 1;
        _map = MemoryMappedFile.CreateFromFile(Path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _map.CreateViewAccessor(0, HeaderBytes + (capacity * 8), MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _slots = (ulong*)(p + _view.PointerOffset + HeaderBytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(ulong hash) => (uint)(hash >> 40) & 0xFFFFFF;

    /// <summary>
    /// Finds ids whose key hash matches and for which <paramref name="matches"/> confirms the full key.
    /// Returns the highest such id (duplicates, such as Bitcoin's two BIP30 coinbase txids, resolve to the latest), or -1.
    /// </summary>
    public long Find<TMatcher>(ulong hash, long validBound, ref TMatcher matches)
        where TMatcher : struct, IKeyMatcher
    {
        var tag = Tag(hash);
        var i = (long)hash & _mask;
        long found = -1;
        while (true)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                return found;
            }

            var id = (long)(slot >> 24) - 1;
            if (id >= validBound)
            {
                return found; // stale entry: treated as empty
            }

            if ((slot & 0xFFFFFF) == tag && id > found && matches.Matches(id))
            {
                found = id;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Inserts an id (which must be the highest so far) at the first empty or stale slot.</summary>
    public void Insert(ulong hash, long id, long validBound)
    {
        if (id > MaxId)
        {
            throw new InvalidOperationException("hash index id space exhausted");
        }

        var i = (long)hash & _mask;
        while (true)
        {
            var slot = _slots[i];
            if (slot == 0 || (long)(slot >> 24) - 1 >= validBound)
            {
                _slots[i] = ((ulong)(id + 1) << 24) | Tag(hash);
                return;
            }

            i = (i + 1) & _mask;
        }
    }

    public void Flush() => _view.Flush();

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

    /// <summary>64-bit mix (splitmix64 finaliser) for keys that are not already uniform.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        x ^= x >> 31;
        return x;
    }
}

/// <summary>Confirms that the key stored under an id equals the key being looked up.</summary>
public interface IKeyMatcher
{
    bool Matches(long id);
}
