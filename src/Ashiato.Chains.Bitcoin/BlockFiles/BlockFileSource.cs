using System.Buffers.Binary;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.BlockFiles;

/// <summary>Where one block's bytes are: a file, an offset and a length (before XOR de-obfuscation).</summary>
public sealed record BlockLocation(int FileIndex, long Offset, int Length, Hash256 Hash, BlockHeader Header);

/// <summary>
/// Reads blocks from what users have on disk: a Bitcoin Core <c>blocks/</c> directory (blk*.dat, blocks in any
/// order, stale blocks, zero-padded pre-allocated tails, XOR obfuscation with <c>xor.dat</c>), a single blk file,
/// a raw serialized block, or a hex file (one block per line). Scanning stops at the first fault and keeps
/// the fault, so what came before it can still be ingested.
/// </summary>
public sealed class BlockFileSource : IDisposable
{
    private readonly List<string> _files = [];
    private readonly Dictionary<int, byte[]> _hexBlocks = [];
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;
    private int _handleFile = -1;
    private byte[]? _xorKey;
    private bool _framedOnly;

    private BlockFileSource()
    {
    }

    public IReadOnlyList<string> Files => _files;

    public IReadOnlyList<BlockLocation> Blocks { get; private set; } = [];

    /// <summary>The first framing fault met while scanning (blocks before it are in <see cref="Blocks"/>).</summary>
    public DataFormatException? Fault { get; private set; }

    /// <summary>Networks whose magic the framed files carry (empty for raw and hex input).</summary>
    public IReadOnlyList<Network> MagicNetworks { get; private set; } = [];

    public long TotalBytes { get; private set; }

    public bool Obfuscated => _xorKey is not null;

    public static BlockFileSource Open(string path, Network? network)
    {
        var source = new BlockFileSource();
        if (Directory.Exists(path))
        {
            var dir = path;
            if (!Directory.EnumerateFiles(dir, "blk*.dat").Any() && Directory.Exists(Path.Combine(dir, "blocks")))
            {
                dir = Path.Combine(dir, "blocks");
            }

            source._files.AddRange(Directory.EnumerateFiles(dir, "blk*.dat").Order(StringComparer.Ordinal));
            source._framedOnly = true; // a blocks directory holds Bitcoin Core block files only
            if (source._files.Count == 0)
            {
                throw new UserErrorException($"{path}: no blk*.dat files in this directory");
            }

            source.LoadXorKey(dir);
        }
        else if (File.Exists(path))
        {
            source._files.Add(Path.GetFullPath(path));
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (Path.GetFileName(path).StartsWith("blk", StringComparison.Ordinal))
            {
                source.LoadXorKey(dir);
            }

            // blk*.dat is Bitcoin Core's block file: framed records, never a raw or hex block.
            var name = Path.GetFileName(path);
            source._framedOnly = name.StartsWith("blk", StringComparison.Ordinal) && name.EndsWith(".dat", StringComparison.Ordinal);
        }
        else
        {
            throw new UserErrorException($"{path}: no such file or directory");
        }

        source.Scan(network);
        return source;
    }

    /// <summary>Reads one block's bytes (de-obfuscated).</summary>
    public byte[] Read(BlockLocation location)
    {
        if (location.FileIndex == -1 && _hexBlocks.TryGetValue((int)location.Offset, out var hexBlock))
        {
            return hexBlock;
        }

        var buffer = new byte[location.Length];
        ReadInto(location, buffer);
        return buffer;
    }

    /// <summary>Reads one block's bytes (de-obfuscated) into <paramref name="destination"/>, which must hold Length bytes.</summary>
    public void ReadInto(BlockLocation location, Span<byte> destination)
    {
        if (location.FileIndex == -1)
        {
            _hexBlocks[(int)location.Offset].CopyTo(destination);
            return;
        }

        if (_handleFile != location.FileIndex)
        {
            _handle?.Dispose();
            _handle = File.OpenHandle(_files[location.FileIndex]);
            _handleFile = location.FileIndex;
        }

        var target = destination[..location.Length];
        var read = RandomAccess.Read(_handle!, target, location.Offset);
        if (read != location.Length)
        {
            throw new DataFormatException(_files[location.FileIndex], location.Offset, $"block of {location.Length} bytes could not be read (file changed?)");
        }

        Deobfuscate(target, location.Offset);
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        _handleFile = -1;
    }

    public string Describe(BlockLocation location) => location.FileIndex >= 0 ? _files[location.FileIndex] : _files[0];

    private void LoadXorKey(string dir)
    {
        var xorPath = Path.Combine(dir, "xor.dat");
        if (!File.Exists(xorPath))
        {
            return;
        }

        var key = File.ReadAllBytes(xorPath);
        if (key.Length != 8)
        {
            throw new DataFormatException(xorPath, 0, $"xor.dat has {key.Length} bytes, expected 8");
        }

        if (key.Any(b => b != 0))
        {
            _xorKey = key;
        }
    }

    private void Deobfuscate(Span<byte> data, long fileOffset)
    {
        if (_xorKey is null)
        {
            return;
        }

        // the key repeats every 8 bytes of the file: XOR 8 bytes at a time with the key rotated to this offset
        Span<byte> rotated = stackalloc byte[8];
        for (var i = 0; i < 8; i++)
        {
            rotated[i] = _xorKey[(int)((fileOffset + i) & 7)];
        }

        var k = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(rotated);
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] ^= k;
        }

        for (var i = data.Length & ~7; i < data.Length; i++)
        {
            data[i] ^= rotated[i & 7];
        }
    }

    private void Scan(Network? network)
    {
        var blocks = new List<BlockLocation>();
        var magics = new HashSet<Network>();
        Span<byte> head = stackalloc byte[8];
        try
        {
            for (var f = 0; f < _files.Count; f++)
            {
                var file = _files[f];
                var length = new FileInfo(file).Length;
                TotalBytes += length;
                using var handle = File.OpenHandle(file);
                var got = RandomAccess.Read(handle, head, 0);
                var head4 = head[..Math.Min(got, 4)].ToArray();
                var zeroHead = got >= 4 && head4.All(b => b == 0);
                Deobfuscate(head4, 0);
                var framed = got >= 4 && (zeroHead || head4.All(b => b == 0) || Network.ByMagic(head4).Any());
                if (framed)
                {
                    // A file starting with zeros is pre-allocated and not written yet (Core writes the zeros raw, outside
                    // the XOR obfuscation); ScanFramed accepts it if it is all zeros and faults otherwise.
                    ScanFramed(f, file, handle, length, network, blocks, magics);
                }
                else if (_files.Count == 1 && !_framedOnly)
                {
                    ScanSingle(file, length, blocks);
                }
                else
                {
                    throw new DataFormatException(file, 0,
                        $"does not start with a known network magic (found {Convert.ToHexStringLower(head4)})");
                }
            }
        }
        catch (DataFormatException e)
        {
            Fault = e;
        }

        Blocks = blocks;
        MagicNetworks = [.. magics];
    }

    private void ScanFramed(int f, string file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length, Network? network,
        List<BlockLocation> blocks, HashSet<Network> magics)
    {
        Span<byte> frame = stackalloc byte[8 + BlockParser.HeaderSize];
        ReadOnlySpan<byte> zeroMagic = [0, 0, 0, 0];
        long pos = 0;
        while (pos < length)
        {
            if (length - pos < 8)
            {
                if (AllZero(handle, pos, length, null) || (_xorKey is not null && AllZero(handle, pos, length, _xorKey)))
                {
                    return;
                }

                throw new DataFormatException(file, pos, $"truncated record header: {length - pos} bytes left, need 8");
            }

            var got = RandomAccess.Read(handle, frame, pos);
            var rawZeroMagic = frame[..4].SequenceEqual(zeroMagic);
            Deobfuscate(frame[..got], pos);
            var magic = frame[..4];
            if (rawZeroMagic || magic.SequenceEqual(zeroMagic))
            {
                // Bitcoin Core pre-allocates blk files with zeros: the data ends here. It writes them to the raw file,
                // outside the XOR obfuscation, so they are zeros on disk; zeros written through the XOR are accepted too.
                if (AllZero(handle, pos, length, rawZeroMagic ? null : _xorKey))
                {
                    return;
                }

                throw new DataFormatException(file, pos, "zero magic followed by non-zero data (corrupt or partly written file)");
            }

            var nets = Network.ByMagic(magic).ToList();
            if (nets.Count == 0)
            {
                throw new DataFormatException(file, pos, $"wrong magic {Convert.ToHexStringLower(magic)}");
            }

            if (network is not null && !nets.Contains(network))
            {
                throw new DataFormatException(file, pos,
                    $"magic {Convert.ToHexStringLower(magic)} belongs to {string.Join("/", nets)}, not to --network {network}");
            }

            foreach (var n in nets)
            {
                magics.Add(n);
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(frame[4..]);
            if (size < BlockParser.HeaderSize + 1 || size > 64 * 1024 * 1024)
            {
                throw new DataFormatException(file, pos + 4, $"corrupt block length {size}");
            }

            if (pos + 8 + size > length)
            {
                throw new DataFormatException(file, pos,
                    $"truncated block: record says {size} bytes, only {length - pos - 8} left in the file");
            }

            if (got < 8 + BlockParser.HeaderSize)
            {
                throw new DataFormatException(file, pos, "truncated block header");
            }

            var header = frame.Slice(8, BlockParser.HeaderSize);
            blocks.Add(new BlockLocation(f, pos + 8, (int)size, BlockParser.HashHeader(header), BlockParser.ReadHeader(header)));
            pos += 8 + size;
        }
    }

    /// <summary>True if the bytes from <paramref name="from"/> to the end are zero (after XOR with <paramref name="xorKey"/> if given).</summary>
    private static bool AllZero(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long length, byte[]? xorKey)
    {
        var buffer = new byte[64 * 1024];
        var pos = from;
        while (pos < length)
        {
            var n = RandomAccess.Read(handle, buffer, pos);
            if (n <= 0)
            {
                break;
            }

            if (xorKey is not null)
            {
                for (var i = 0; i < n; i++)
                {
                    buffer[i] ^= xorKey[(int)((pos + i) & 7)];
                }
            }

            if (buffer.AsSpan(0, n).ContainsAnyExcept((byte)0))
            {
                return false;
            }

            pos += n;
        }

        return true;
    }

    private void ScanSingle(string file, long length, List<BlockLocation> blocks)
    {
        var bytes = File.ReadAllBytes(file);
        if (IsHexText(bytes))
        {
            var lines = System.Text.Encoding.ASCII.GetString(bytes).Split('\n');
            var lineNo = 0;
            long lineStart = 0;
            foreach (var text in lines)
            {
                lineNo++;
                var at = lineStart;
                lineStart += text.Length + 1;

                // IsHexText admits spaces and tabs: they separate digit groups and are not part of the data.
                var line = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.Length % 2 != 0)
                {
                    throw new DataFormatException(file, at, $"line {lineNo}: odd number of hex digits");
                }

                AddRaw(file, Convert.FromHexString(line), blocks, lineNo, at);
            }

            return;
        }

        AddRaw(file, bytes, blocks, 0, 0);
    }

    private void AddRaw(string file, byte[] raw, List<BlockLocation> blocks, int key, long offset)
    {
        if (raw.Length < BlockParser.HeaderSize + 1)
        {
            throw new DataFormatException(file, offset, $"{raw.Length} bytes is too short for a block");
        }

        _hexBlocks[key] = raw;
        var header = raw.AsSpan(0, BlockParser.HeaderSize);
        blocks.Add(new BlockLocation(-1, key, raw.Length, BlockParser.HashHeader(header), BlockParser.ReadHeader(header)));
    }

    private static bool IsHexText(byte[] bytes)
    {
        if (bytes.Length < 2 * BlockParser.HeaderSize)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            var ok = b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F')
                or (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
