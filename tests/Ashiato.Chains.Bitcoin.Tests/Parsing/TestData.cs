using System.Buffers.Binary;
using System.Security.Cryptography;
using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Bitcoin.Tests.Parsing;

/// <summary>Paths of the shared real block data and small byte helpers written independently of the parser.</summary>
public static class TestData
{
    public static string Path(params string[] parts) => SharedData.PathTo(["bitcoin", .. parts]);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    /// <summary>The blocks of a blk-framed file (magic, length, block), read here without BlockFileSource.</summary>
    public static List<byte[]> FramedBlocks(byte[] file)
    {
        var blocks = new List<byte[]>();
        var pos = 0;
        while (pos + 8 <= file.Length && BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos)) != 0)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 4));
            blocks.Add(file.AsSpan(pos + 8, size).ToArray());
            pos += 8 + size;
        }

        return blocks;
    }

    /// <summary>Frames blocks as Bitcoin Core writes them to blk files: magic, 4-byte little-endian length, block.</summary>
    public static byte[] Frame(IEnumerable<byte[]> blocks, byte[]? magic = null)
    {
        magic ??= [0xf9, 0xbe, 0xb4, 0xd9];
        var output = new MemoryStream();
        var length = new byte[4];
        foreach (var block in blocks)
        {
            output.Write(magic);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)block.Length);
            output.Write(length);
            output.Write(block);
        }

        return output.ToArray();
    }

    public static byte[] DoubleSha256(ReadOnlySpan<byte> data) => SHA256.HashData(SHA256.HashData(data));

    /// <summary>Block hash in display order, computed from the first 80 bytes.</summary>
    public static string HeaderHash(byte[] block) => Display(DoubleSha256(block.AsSpan(0, 80)));

    /// <summary>Reverses internal byte order into the hex form explorers print.</summary>
    public static string Display(ReadOnlySpan<byte> internalOrder)
    {
        var copy = internalOrder.ToArray();
        Array.Reverse(copy);
        return Convert.ToHexStringLower(copy);
    }

    public static Hash256 ToHash(byte[] internalOrder) => new(internalOrder);

    /// <summary>Bitcoin's merkle root over txids (internal order): pairwise double SHA-256, duplicating an odd last node.</summary>
    public static byte[] MerkleRoot(IReadOnlyList<byte[]> txids)
    {
        var level = txids.Select(t => (byte[])t.Clone()).ToList();
        while (level.Count > 1)
        {
            if (level.Count % 2 == 1)
            {
                level.Add(level[^1]);
            }

            var next = new List<byte[]>();
            for (var i = 0; i < level.Count; i += 2)
            {
                next.Add(DoubleSha256([.. level[i], .. level[i + 1]]));
            }

            level = next;
        }

        return level[0];
    }
}

/// <summary>A per-test temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Root = Directory.CreateTempSubdirectory("ashiato-parse-").FullName;
    }

    public string Root { get; }

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public string Write(string name, byte[] bytes)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Copy(string source, string? name = null)
    {
        var path = File(name ?? System.IO.Path.GetFileName(source));
        System.IO.File.Copy(source, path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
