using System.Buffers.Binary;

namespace Ashiato.Chains.Bitcoin.Serialization;

/// <summary>Where <see cref="BlockFileWriter.Append"/> put a block: file number and offset of the block's first byte.</summary>
public readonly record struct BlockFilePosition(int File, long Offset);

/// <summary>
/// Writes Bitcoin Core block files into a directory: <c>blk00000.dat</c>, <c>blk00001.dat</c>, … each a sequence of
/// records (network magic, uint32 little-endian block length, block), a new file started when the next record would
/// pass <see cref="MaxFileBytes"/>. With an XOR key (Bitcoin Core 28+), writes <c>xor.dat</c> and obfuscates every
/// byte of the files with key[file offset % 8]. Files are not pre-allocated (no zero tails).
/// </summary>
public sealed class BlockFileWriter : IDisposable
{
    /// <summary>Bitcoin Core's MAX_BLOCKFILE_SIZE (128 MiB).</summary>
    public const long DefaultMaxFileBytes = 128L * 1024 * 1024;

    private const int RecordHeaderSize = 8;
    private readonly Network _network;
    private readonly byte[]? _xorKey;
    private readonly List<string> _files = [];
    private FileStream? _current;
    private long _position;
    private byte[] _scratch = [];

    /// <param name="xorKey">8 bytes: written to <c>xor.dat</c> and applied to the files (all zeros = no obfuscation, as Core
    /// writes when obfuscation is off); null writes no <c>xor.dat</c>.</param>
    public BlockFileWriter(string directory, Network network, byte[]? xorKey = null, long maxFileBytes = DefaultMaxFileBytes)
    {
        if (xorKey is not null && xorKey.Length != 8)
        {
            throw new ArgumentException($"the XOR key has 8 bytes, got {xorKey.Length}", nameof(xorKey));
        }

        if (maxFileBytes < RecordHeaderSize + BlockSerializer.HeaderSize + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFileBytes), "too small for any block");
        }

        Directory.CreateDirectory(directory);
        DirectoryPath = directory;
        _network = network;
        MaxFileBytes = maxFileBytes;
        if (xorKey is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, "xor.dat"), xorKey);
            _xorKey = xorKey.Any(b => b != 0) ? (byte[])xorKey.Clone() : null;
        }
    }

    public string DirectoryPath { get; }

    public long MaxFileBytes { get; }

    /// <summary>The block files written so far, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Bytes written to all files (record headers included).</summary>
    public long TotalBytes { get; private set; }

    public static string FileName(int index) => $"blk{index:D5}.dat";

    /// <summary>Appends one serialized block as a record; starts a new file if this one would grow past the limit.</summary>
    public BlockFilePosition Append(ReadOnlySpan<byte> block)
    {
        var record = RecordHeaderSize + (long)block.Length;
        if (record > MaxFileBytes)
        {
            throw new ArgumentException($"a block of {block.Length} bytes does not fit in a file of {MaxFileBytes}", nameof(block));
        }

        if (_current is null || _position + record > MaxFileBytes)
        {
            StartFile();
        }

        if (_scratch.Length < record)
        {
            _scratch = new byte[Math.Max(record, _scratch.Length * 2)];
        }

        var buffer = _scratch.AsSpan(0, (int)record);
        _network.Magic.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], (uint)block.Length);
        block.CopyTo(buffer[RecordHeaderSize..]);
        if (_xorKey is not null)
        {
            Xor(buffer, _xorKey, _position);
        }

        _current!.Write(buffer);
        var at = new BlockFilePosition(_files.Count - 1, _position + RecordHeaderSize);
        _position += record;
        TotalBytes += record;
        return at;
    }

    /// <summary>XORs <paramref name="data"/>, which sits at <paramref name="fileOffset"/> in its file, with key[offset % 8].</summary>
    public static void Xor(Span<byte> data, ReadOnlySpan<byte> key8, long fileOffset)
    {
        Span<byte> rotated = stackalloc byte[8];
        for (var i = 0; i < 8; i++)
        {
            rotated[i] = key8[(int)((fileOffset + i) & 7)];
        }

        var k = BinaryPrimitives.ReadUInt64LittleEndian(rotated);
        var i8 = 0;
        for (; i8 + 8 <= data.Length; i8 += 8)
        {
            var v = BinaryPrimitives.ReadUInt64LittleEndian(data[i8..]);
            BinaryPrimitives.WriteUInt64LittleEndian(data[i8..], v ^ k);
        }

        for (; i8 < data.Length; i8++)
        {
            data[i8] ^= rotated[i8 & 7];
        }
    }

    public void Flush() => _current?.Flush();

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
    }

    private void StartFile()
    {
        _current?.Dispose();
        var path = Path.Combine(DirectoryPath, FileName(_files.Count));
        _current = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 20);
        _files.Add(path);
        _position = 0;
    }
}
