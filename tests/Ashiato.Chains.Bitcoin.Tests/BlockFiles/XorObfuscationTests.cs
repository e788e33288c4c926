using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Tests.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.BlockFiles;

/// <summary>
/// Bitcoin Core ≥ 28 XORs every byte of its blk files with key[fileOffset % 8], key = the 8 bytes of blocks/xor.dat.
/// Pre-allocated space is written as plain zeros outside that XOR (FlatFileSeq::Allocate on the raw file).
/// </summary>
public class XorObfuscationTests
{
    private static string Blk0 => TestData.Path("nbitcoin", "blk00000.dat");

    private static byte[] Xor(byte[] data, byte[] key, long startOffset = 0)
    {
        var result = new byte[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ key[(int)((startOffset + i) % 8)]);
        }

        return result;
    }

    private static byte[] RandomKey()
    {
        var key = new byte[8];
        do
        {
            RandomNumberGenerator.Fill(key);
        }
        while (key.Any(b => b == 0));

        return key;
    }

    [Fact]
    public void Open_ObfuscatedBlocksDir_SameBlocksAndParsedHashesAsPlainFile()
    {
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        var plainBytes = File.ReadAllBytes(Blk0);
        var obfuscated = Xor(plainBytes, key);
        Assert.NotEqual(plainBytes.AsSpan(0, 4).ToArray(), obfuscated.AsSpan(0, 4).ToArray());
        dir.Write("blk00000.dat", obfuscated);

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        var plain = BlockFileSource.Open(Blk0, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.True(source.Obfuscated);
        Assert.Equal([Network.BitcoinMain], source.MagicNetworks);
        Assert.Equal(plain.Blocks.Select(b => (b.Offset, b.Length, b.Hash, b.Header)), source.Blocks.Select(b => (b.Offset, b.Length, b.Hash, b.Header)));
        var parser = new BlockParser();
        for (var i = 0; i < plain.Blocks.Count; i++)
        {
            var raw = source.Read(source.Blocks[i]);
            Assert.Equal(plain.Read(plain.Blocks[i]), raw);
            Assert.Equal(plain.Blocks[i].Hash, parser.Parse(raw, "xor", source.Blocks[i].Offset).Hash);
        }
    }

    [Fact]
    public void Open_ObfuscatedBlkFileGivenDirectly_UsesXorDatBesideIt()
    {
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        var path = dir.Write("blk00000.dat", Xor(File.ReadAllBytes(Blk0), key));

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.True(source.Obfuscated);
        Assert.Equal(300, source.Blocks.Count);
        Assert.Equal(Network.BitcoinMain.GenesisHash, source.Blocks[0].Hash);
    }

    [Fact]
    public void Open_AllZeroXorKey_IsTreatedAsNotObfuscated()
    {
        using var dir = new TempDir();
        dir.Write("xor.dat", new byte[8]);
        dir.Copy(Blk0);

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.False(source.Obfuscated);
        Assert.Equal(300, source.Blocks.Count);
        Assert.Equal(File.ReadAllBytes(Blk0).AsSpan(8, 285).ToArray(), source.Read(source.Blocks[0]));
    }

    [Fact]
    public void Open_XorDatOfWrongLength_IsDataFormatError()
    {
        using var dir = new TempDir();
        dir.Write("xor.dat", [1, 2, 3]);
        dir.Copy(Blk0);

        var e = Assert.Throws<DataFormatException>(() => BlockFileSource.Open(dir.Root, null));

        Assert.Equal(dir.File("xor.dat"), e.Source);
    }

    [Fact]
    public void Open_ObfuscatedFileRawZeroPreallocatedTail_NoFault()
    {
        // Core writes blocks through the XOR stream but pre-allocates with plain zeros on the raw file.
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        dir.Write("blk00000.dat", [.. Xor(File.ReadAllBytes(Blk0), key), .. new byte[1024 * 1024]]);

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_ObfuscatedFileWithXoredZeroTail_NoFault()
    {
        // A tail of zeros written through the XOR stream (raw bytes = the key pattern) also reads as padding.
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        var plain = File.ReadAllBytes(Blk0);
        dir.Write("blk00000.dat", Xor([.. plain, .. new byte[4096]], key));

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_ObfuscatedDirWithUnwrittenPreallocatedFile_NoFault()
    {
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        dir.Write("blk00000.dat", Xor(File.ReadAllBytes(Blk0), key));
        dir.Write("blk00001.dat", new byte[1024 * 1024]); // pre-allocated, nothing written yet

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_ObfuscatedTwoFiles_BlocksOfBothFilesChainAcrossTheBoundary()
    {
        using var dir = new TempDir();
        var key = RandomKey();
        dir.Write("xor.dat", key);
        dir.Write("blk00000.dat", Xor(File.ReadAllBytes(Blk0), key));
        dir.Write("blk00001.dat", Xor(TestData.Bytes("nbitcoin", "blk00001.dat"), key));

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(600, source.Blocks.Count);
        Assert.Equal(source.Blocks[299].Hash, source.Blocks[300].Header.PrevHash);
        Assert.Equal(1, source.Blocks[300].FileIndex);
        var parsed = new BlockParser().Parse(source.Read(source.Blocks[599]), "xor", 0);
        Assert.Equal("0000000042844571bc6bce8e1c0fbec99466971eaff89fef8c0d123582181d4d", parsed.Hash.ToString());
    }

    [Fact]
    public void Open_ObfuscatedFileWithWrongKey_FaultsAtOffsetZero()
    {
        using var dir = new TempDir();
        var key = RandomKey();
        var other = (byte[])key.Clone();
        other[0] ^= 0x5a;
        dir.Write("xor.dat", other);
        dir.Write("blk00000.dat", Xor(File.ReadAllBytes(Blk0), key));
        dir.Write("blk00001.dat", Xor(TestData.Bytes("nbitcoin", "blk00001.dat"), key));

        var source = BlockFileSource.Open(dir.Root, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(0, fault.Offset);
        Assert.Empty(source.Blocks);
    }
}
