using System.Buffers.Binary;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Tests.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.BlockFiles;

/// <summary>Framing, faults and input kinds of <see cref="BlockFileSource"/> on the real NBitcoin/bitcoinj/bcoin/btcd files.</summary>
public class BlockFileSourceTests
{
    private const string Block299 = "00000000b9b003c04b2fe21b4f7a2fa809eb643852573c3a1748653e2019f01c";
    private const string Block599 = "0000000042844571bc6bce8e1c0fbec99466971eaff89fef8c0d123582181d4d";

    private static string Blk0 => TestData.Path("nbitcoin", "blk00000.dat");

    private static string Blk1 => TestData.Path("nbitcoin", "blk00001.dat");

    [Fact]
    public void Open_NBitcoinBlk00000_Has300BlocksAtTheirFrameOffsets()
    {
        var source = BlockFileSource.Open(Blk0, null);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
        Assert.Equal([Network.BitcoinMain], source.MagicNetworks);
        Assert.False(source.Obfuscated);
        Assert.Equal(new FileInfo(Blk0).Length, source.TotalBytes);
        Assert.Equal(8, source.Blocks[0].Offset);
        Assert.Equal(285, source.Blocks[0].Length); // the genesis block is 285 bytes
        Assert.Equal(8 + 285 + 8, source.Blocks[1].Offset);
        Assert.Equal(Network.BitcoinMain.GenesisHash, source.Blocks[0].Hash);
        Assert.Equal(Block299, source.Blocks[^1].Hash.ToString());
        var last = source.Blocks[^1];
        Assert.Equal(new FileInfo(Blk0).Length, last.Offset + last.Length);
    }

    [Fact]
    public void Open_IncompleteBlk_FaultNamesFileAndOffsetAndKeepsBlocksBefore()
    {
        // incompleteblk.dat = blk00001.dat (300 blocks, 70449 bytes), one stray zero byte, a re-framed copy of
        // block 598, then zero padding. The stray byte shifts the next magic by one: 00 f9 be b4.
        var path = TestData.Path("nbitcoin", "incompleteblk.dat");

        var source = BlockFileSource.Open(path, Network.BitcoinMain);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(path, fault.Source);
        Assert.Equal(70449, fault.Offset);
        Assert.Equal(new FileInfo(Blk1).Length, fault.Offset);
        Assert.Contains("wrong magic 00f9beb4", fault.Problem);
        Assert.Equal(300, source.Blocks.Count);
        Assert.Equal(Block599, source.Blocks[^1].Hash.ToString());
        Assert.Equal(
            BlockFileSource.Open(Blk1, Network.BitcoinMain).Blocks.Select(b => (b.Offset, b.Length, b.Hash)),
            source.Blocks.Select(b => (b.Offset, b.Length, b.Hash)));
    }

    [Fact]
    public void Open_WrongMagicInTheMiddle_FaultAtThatRecordAndBlocksBeforeIt()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Blk0);
        var plain = BlockFileSource.Open(Blk0, null);
        var victim = plain.Blocks[123];
        var recordStart = victim.Offset - 8;
        bytes[recordStart] = 0xfa; // f9 be b4 d9 -> fa be b4 d9
        var path = dir.Write("blk00000.dat", bytes);

        var source = BlockFileSource.Open(path, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(path, fault.Source);
        Assert.Equal(recordStart, fault.Offset);
        Assert.Contains("wrong magic fabeb4d9", fault.Problem);
        Assert.Equal(123, source.Blocks.Count);
        Assert.Equal(plain.Blocks.Take(123).Select(b => b.Hash), source.Blocks.Select(b => b.Hash));
    }

    [Fact]
    public void Open_CorruptLengthField_FaultAtTheLengthField()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Blk0);
        var victim = BlockFileSource.Open(Blk0, null).Blocks[10];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)victim.Offset - 4), 0xFFFFFFFF);
        var path = dir.Write("blk00000.dat", bytes);

        var source = BlockFileSource.Open(path, Network.BitcoinMain);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(victim.Offset - 4, fault.Offset);
        Assert.Contains("corrupt block length 4294967295", fault.Problem);
        Assert.Equal(10, source.Blocks.Count);
    }

    [Fact]
    public void Open_LengthFieldPastEndOfFile_IsTruncatedBlock()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Blk0);
        var cut = bytes.AsSpan(0, bytes.Length - 100).ToArray();
        var path = dir.Write("blk00000.dat", cut);
        var lastRecord = BlockFileSource.Open(Blk0, null).Blocks[^1].Offset - 8;

        var source = BlockFileSource.Open(path, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(lastRecord, fault.Offset);
        Assert.Contains("truncated block", fault.Problem);
        Assert.Equal(299, source.Blocks.Count);
    }

    [Fact]
    public void Open_FileEndingInsideARecordHeader_IsTruncatedRecordHeader()
    {
        using var dir = new TempDir();
        byte[] bytes = [.. File.ReadAllBytes(Blk0), 0xf9, 0xbe, 0xb4];
        var path = dir.Write("blk00000.dat", bytes);

        var source = BlockFileSource.Open(path, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(new FileInfo(Blk0).Length, fault.Offset);
        Assert.Contains("truncated record header", fault.Problem);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_ZeroPaddedTail_NoFaultSameBlocks()
    {
        using var dir = new TempDir();
        var path = dir.Write("blk00000.dat", [.. File.ReadAllBytes(Blk0), .. new byte[1024 * 1024]]);

        var source = BlockFileSource.Open(path, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(
            BlockFileSource.Open(Blk0, null).Blocks.Select(b => (b.Offset, b.Length, b.Hash)),
            source.Blocks.Select(b => (b.Offset, b.Length, b.Hash)));
    }

    [Fact]
    public void Open_ShortZeroTailBelowRecordHeaderSize_NoFault()
    {
        using var dir = new TempDir();
        var path = dir.Write("blk00000.dat", [.. File.ReadAllBytes(Blk0), 0, 0, 0, 0, 0]);

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_ZeroMagicFollowedByNonZeroData_Faults()
    {
        using var dir = new TempDir();
        var plainLength = (int)new FileInfo(Blk0).Length;
        byte[] bytes = [.. File.ReadAllBytes(Blk0), .. new byte[4096], 0x01, .. new byte[100]];
        var path = dir.Write("blk00000.dat", bytes);

        var source = BlockFileSource.Open(path, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(plainLength, fault.Offset);
        Assert.Contains("zero magic followed by non-zero data", fault.Problem);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_DirectoryWithGarbageBlkFile_FaultsAtOffsetZero()
    {
        using var dir = new TempDir();
        var garbage = new byte[5000];
        new Random(1234).NextBytes(garbage);
        garbage[0] = 0x42; // not a magic, not zero
        var path = dir.Write("blk00000.dat", garbage);

        var source = BlockFileSource.Open(dir.Root, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(path, fault.Source);
        Assert.Equal(0, fault.Offset);
        Assert.Empty(source.Blocks);
    }

    [Fact]
    public void Open_DirectoryWithGoodThenGarbageFile_KeepsBlocksOfTheGoodFile()
    {
        using var dir = new TempDir();
        dir.Copy(Blk0);
        var garbage = new byte[300];
        new Random(99).NextBytes(garbage);
        garbage[0] = 0x13;
        var bad = dir.Write("blk00001.dat", garbage);

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(bad, fault.Source);
        Assert.Equal(0, fault.Offset);
        Assert.Contains("does not start with a known network magic", fault.Problem);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_GarbageBlkFileGivenDirectly_FaultsAtOffsetZero()
    {
        // A file named blk*.dat is a Bitcoin Core block file: it must be framed, it is never taken as a raw block.
        using var dir = new TempDir();
        var path = dir.Write("blk00000.dat", System.Text.Encoding.ASCII.GetBytes(new string('x', 4096)));

        var source = BlockFileSource.Open(path, Network.BitcoinMain);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(path, fault.Source);
        Assert.Equal(0, fault.Offset);
        Assert.Contains("does not start with a known network magic (found 78787878)", fault.Problem);
        Assert.Empty(source.Blocks);
    }

    [Fact]
    public void Open_GarbageFileGivenDirectly_IsTakenAsRawBlockThatFailsToParse()
    {
        using var dir = new TempDir();
        var garbage = new byte[5000];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x42;
        var path = dir.Write("mystery.bin", garbage);

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        var location = Assert.Single(source.Blocks);
        Assert.Empty(source.MagicNetworks);
        Assert.Throws<DataFormatException>(() => new BlockParser().Parse(source.Read(location), source.Describe(location), location.Offset));
    }

    [Fact]
    public void Open_PreAllocatedAllZeroBlkFileInDirectory_IsSkipped()
    {
        using var dir = new TempDir();
        dir.Copy(Blk0);
        dir.Write("blk00001.dat", new byte[1 << 20]);

        var source = BlockFileSource.Open(dir.Root, null);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_BlkFileStartingWithZerosThenData_FaultsInsteadOfBeingSkipped()
    {
        using var dir = new TempDir();
        dir.Copy(Blk0);
        var second = dir.Write("blk00001.dat", [.. new byte[64], .. File.ReadAllBytes(Blk1)]);

        var source = BlockFileSource.Open(dir.Root, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(second, fault.Source);
        Assert.Equal(0, fault.Offset);
        Assert.Contains("zero magic followed by non-zero data", fault.Problem);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_AllZeroBlkFileGivenDirectly_HasNoBlocksAndNoFault()
    {
        using var dir = new TempDir();
        var path = dir.Write("blk00003.dat", new byte[1 << 20]);

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.Empty(source.Blocks);
    }

    [Fact]
    public void Open_DirectoryWithBlocksSubfolder_FindsTheBlkFiles()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("blocks"));
        File.Copy(Blk0, Path.Combine(dir.Root, "blocks", "blk00000.dat"));

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Equal(300, source.Blocks.Count);
    }

    [Fact]
    public void Open_DirectoryWithoutBlkFiles_IsUserError()
    {
        using var dir = new TempDir();
        dir.Write("readme.txt", [0x41]);

        Assert.Throws<UserErrorException>(() => BlockFileSource.Open(dir.Root, null));
    }

    [Fact]
    public void Open_MissingPath_IsUserError()
    {
        using var dir = new TempDir();

        Assert.Throws<UserErrorException>(() => BlockFileSource.Open(dir.File("nope"), null));
    }

    [Fact]
    public void Open_MainnetFileWithTestnetNetwork_FaultsAtFirstRecord()
    {
        var source = BlockFileSource.Open(Blk0, Network.BitcoinTestnet3);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Equal(0, fault.Offset);
        Assert.Contains("f9beb4d9", fault.Problem);
        Assert.Empty(source.Blocks);
    }

    [Fact]
    public void Open_TestnetMagic_ReportsTestnet3()
    {
        using var dir = new TempDir();
        var raw = TestData.Bytes("bitcoinj", "block_testnet700000.dat");
        var path = dir.Write("blk00000.dat", TestData.Frame([raw], Network.BitcoinTestnet3.Magic));

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.Equal([Network.BitcoinTestnet3], source.MagicNetworks);
        Assert.Equal("000000000000406178b12a4dea3b27e13b3c4fe4510994fd667d7c1e6a3f4dc1", Assert.Single(source.Blocks).Hash.ToString());
    }

    [Fact]
    public void Open_RegtestMagic_IsSharedByBitcoinAndLitecoinRegtest()
    {
        using var dir = new TempDir();
        var path = dir.Write("blk00000.dat", TestData.Frame([TestData.Bytes("bcoin", "block1.raw")], Network.BitcoinRegtest.Magic));

        var source = BlockFileSource.Open(path, null);

        Assert.Equal(2, source.MagicNetworks.Count);
        Assert.Contains(Network.BitcoinRegtest, source.MagicNetworks);
        Assert.Contains(Network.LitecoinRegtest, source.MagicNetworks);
    }

    [Theory]
    [InlineData("bcoin", "block1.raw", "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048")]
    [InlineData("bcoin", "block300025.raw", "0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c")]
    [InlineData("bcoin", "block482683.raw", "000000000000000000c238240ef6dcb26c37e75e16514e6ffc0aef7eee73e747")]
    [InlineData("bitcoinj", "block227836.dat", "00000000000000d0dfd4c9d588d325dce4f32c1b31b7c0064cba7025a9b9adcc")]
    [InlineData("bitcoinj", "block_testnet700000.dat", "000000000000406178b12a4dea3b27e13b3c4fe4510994fd667d7c1e6a3f4dc1")]
    [InlineData("nbitcoin", "block169482.txt", "0000000000000756935f1ee9d5987857b604046f846d3df56d024cdb5f368665")]
    public void Open_RawOrHexBlockFile_OneBlockNoMagicNetworks(string folder, string file, string hash)
    {
        var path = TestData.Path(folder, file);

        var source = BlockFileSource.Open(path, Network.BitcoinMain);

        Assert.Null(source.Fault);
        Assert.Empty(source.MagicNetworks);
        var location = Assert.Single(source.Blocks);
        Assert.Equal(hash, location.Hash.ToString());
        var raw = source.Read(location);
        Assert.Equal(hash, new BlockParser().Parse(raw, source.Describe(location), location.Offset).Hash.ToString());
        Assert.Equal(path, source.Describe(location));
    }

    [Fact]
    public void Open_HexBlock169482_ReadsTheSameBytesAsTheBitcoinjRawFile()
    {
        var hex = BlockFileSource.Open(TestData.Path("nbitcoin", "block169482.txt"), null);
        var raw = BlockFileSource.Open(TestData.Path("bitcoinj", "block169482.dat"), null);

        Assert.Equal(raw.Read(raw.Blocks[0]), hex.Read(hex.Blocks[0]));
    }

    [Fact]
    public void Open_HexFileWithSeveralLinesAndCrLf_GivesOneBlockPerLine()
    {
        using var dir = new TempDir();
        var b1 = TestData.Bytes("bcoin", "block1.raw");
        var b2 = TestData.Bytes("bitcoinj", "block_testnet21066.dat");
        var text = Convert.ToHexStringLower(b1) + "\r\n\r\n" + Convert.ToHexString(b2) + "\r\n";
        var path = dir.Write("blocks.hex", System.Text.Encoding.ASCII.GetBytes(text));

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.Equal(2, source.Blocks.Count);
        Assert.Equal(b1, source.Read(source.Blocks[0]));
        Assert.Equal(b2, source.Read(source.Blocks[1]));
        Assert.Equal("0000000004053156021d8e42459d284220a7f6e087bf78f30179c3703ca4eefa", source.Blocks[1].Hash.ToString());
    }

    [Fact]
    public void Open_HexFileWithSpacesInsideALine_ReadsTheBlock()
    {
        using var dir = new TempDir();
        var b1 = TestData.Bytes("bcoin", "block1.raw");
        var hex = Convert.ToHexStringLower(b1);
        var spaced = string.Join(' ', Enumerable.Range(0, hex.Length / 8).Select(i => hex.Substring(i * 8, 8))) + " " + hex[(hex.Length / 8 * 8)..];
        var path = dir.Write("block1.hex", System.Text.Encoding.ASCII.GetBytes(spaced.TrimEnd() + "\n"));

        var source = BlockFileSource.Open(path, null);

        Assert.Null(source.Fault);
        Assert.Equal(b1, source.Read(Assert.Single(source.Blocks)));
    }

    [Fact]
    public void Open_HexLineWithOddDigitCount_Faults()
    {
        using var dir = new TempDir();
        var hex = Convert.ToHexStringLower(TestData.Bytes("bcoin", "block1.raw"));
        var path = dir.Write("bad.hex", System.Text.Encoding.ASCII.GetBytes(hex + "\n" + hex[..^1] + "\n"));

        var source = BlockFileSource.Open(path, null);

        var fault = Assert.IsType<DataFormatException>(source.Fault);
        Assert.Contains("line 2", fault.Problem);
        Assert.Single(source.Blocks);
    }

    [Fact]
    public void Open_RawFileTooShortForABlock_Faults()
    {
        using var dir = new TempDir();
        var path = dir.Write("tiny.bin", [1, 2, 3]);

        var source = BlockFileSource.Open(path, null);

        Assert.NotNull(source.Fault);
        Assert.Empty(source.Blocks);
    }

    [Fact]
    public void Open_BtcdReorgDumpDecodedToBlkFiles_SameShapeAsTheDatFiles()
    {
        // reorgtest.hex is an annotated dump of another instance of the same test chain (the original forum post's
        // blocks): four files of the same sizes, the same genesis, different synthetic blocks after it.
        var files = ReorgDump.Decode();

        Assert.Equal(["blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat", "blk_5A.dat"], files.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in files)
        {
            var dat = TestData.Bytes("btcd", name);
            Assert.Equal(dat.Length, bytes.Length);
            Assert.Equal(TestData.FramedBlocks(dat).Select(b => b.Length), TestData.FramedBlocks(bytes).Select(b => b.Length));
        }

        Assert.Equal(TestData.Bytes("btcd", "blk_0_to_4.dat").AsSpan(0, 293).ToArray(), files["blk_0_to_4.dat"].AsSpan(0, 293).ToArray());
        Assert.NotEqual(TestData.Bytes("btcd", "blk_3A.dat"), files["blk_3A.dat"]);
    }

    [Fact]
    public void Open_AnnotatedReorgDumpGivenDirectly_IsNotABlock()
    {
        // Text with words that are not hex is taken as one raw block; its bytes do not parse.
        var source = BlockFileSource.Open(TestData.Path("btcd", "reorgtest.hex"), null);

        var location = Assert.Single(source.Blocks);
        Assert.Throws<DataFormatException>(() => new BlockParser().Parse(source.Read(location), "reorgtest.hex", 0));
    }
}

/// <summary>Decodes btcd's annotated reorgtest.hex ("File path: …", "Block 3A:", grouped hex words) into file bytes.</summary>
public static class ReorgDump
{
    public static Dictionary<string, byte[]> Decode()
    {
        var files = new Dictionary<string, List<byte>>();
        List<byte>? current = null;
        foreach (var line in File.ReadAllLines(TestData.Path("btcd", "reorgtest.hex")))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("File path:", StringComparison.Ordinal))
            {
                current = [];
                files[Path.GetFileName(trimmed["File path:".Length..].Trim())] = current;
            }
            else if (trimmed.Length > 0 && !trimmed.EndsWith(':'))
            {
                foreach (var word in trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    current!.AddRange(Convert.FromHexString(word));
                }
            }
        }

        return files.ToDictionary(f => f.Key, f => f.Value.ToArray());
    }
}
