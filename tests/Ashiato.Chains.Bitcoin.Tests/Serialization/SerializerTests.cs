using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Serialization;
using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Bitcoin.Tests.Serialization;

public class SerializerTests
{
    private static readonly Hash256 GenesisMerkleRoot = Hash256.Parse("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");

    /// <summary>Bitcoin's genesis coinbase (the same transaction in every Bitcoin network's genesis block).</summary>
    private static Transaction GenesisCoinbase() => new(1,
        [TxInput.Coinbase(Convert.FromHexString(
            "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"))],
        [new TxOutput(50_0000_0000, Convert.FromHexString(
            "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac"))],
        0);

    [Fact]
    public void RegtestGenesisBlockHasTheKnownHashAndMerkleRoot()
    {
        var coinbase = GenesisCoinbase();
        Assert.Equal(GenesisMerkleRoot, TransactionSerializer.ComputeTxId(coinbase));
        Assert.Equal(GenesisMerkleRoot, BlockSerializer.ComputeMerkleRoot([coinbase]));
        var header = new BlockHeader(1, Hash256.Zero, GenesisMerkleRoot, 1296688602, 0x207fffff, 2);
        Assert.Equal(Network.BitcoinRegtest.GenesisHash, BlockSerializer.ComputeHash(header));
        var raw = BlockSerializer.Serialize(header, [coinbase]);
        Assert.Equal(285, raw.Length);
        var parsed = new BlockParser().Parse(raw, "genesis", 0);
        Assert.Equal(Network.BitcoinRegtest.GenesisHash, parsed.Hash);
        Assert.Equal(GenesisMerkleRoot, parsed.Txs[0].TxId);
    }

    [Fact]
    public void MerkleRootMatchesTheParserForOddAndEvenCounts()
    {
        for (var n = 1; n <= 9; n++)
        {
            var txs = Enumerable.Range(0, n).Select(i => i == 0 ? Coinbase(n) : Legacy(i)).ToList();
            var header = new BlockHeader(0x20000000, Hash256.Zero, BlockSerializer.ComputeMerkleRoot(txs), 1, 0x207fffff, 0);
            var parsed = new BlockParser().Parse(BlockSerializer.Serialize(header, txs), "test", 0); // verifies the merkle root
            Assert.Equal(n, parsed.TxCount);
        }
    }

    [Fact]
    public void SegwitBlockRoundTripsThroughTheParser()
    {
        var spend = new Transaction(2,
        [
            new TxInput(Hash(1), 0, [], 0xfffffffd, [Bytes(72, 1), Bytes(33, 2)]),
            new TxInput(Hash(2), 3, Bytes(107, 3), 0xffffffff), // legacy input in a segwit tx: empty witness stack
            new TxInput(Hash(3), 1, [], 0xfffffffd, [[], Bytes(71, 4), Bytes(72, 5), Bytes(105, 6)]),
        ],
        [new TxOutput(1000, P2Wpkh(7)), new TxOutput(2000, Bytes(300, 8))], 123);
        var legacy = Legacy(9);
        var reserved = new byte[32];
        var body = new List<Transaction> { spend, legacy };
        var commitment = BlockSerializer.ComputeWitnessCommitment([Coinbase(0), .. body], reserved);
        var coinbase = new Transaction(2, [TxInput.Coinbase([0x01, 0x05], witness: [reserved])],
            [new TxOutput(50_0000_0000, P2Wpkh(10)), new TxOutput(0, BlockSerializer.WitnessCommitmentScript(commitment))], 0);
        List<Transaction> txs = [coinbase, .. body];
        var header = new BlockHeader(0x20000000, Hash(99), BlockSerializer.ComputeMerkleRoot(txs), 1700000000, 0x207fffff, 7);
        var offsets = new int[txs.Count];
        var raw = BlockSerializer.Serialize(header, txs, offsets);

        var block = new BlockParser().Parse(raw, "test", 0);
        Assert.Equal(BlockSerializer.ComputeHash(header), block.Hash);
        Assert.Equal(BlockSerializer.GetSize(txs), block.Size);
        for (var t = 0; t < txs.Count; t++)
        {
            var tx = txs[t];
            ref readonly var p = ref block.Txs[t];
            Assert.Equal(TransactionSerializer.ComputeTxId(tx), p.TxId);
            Assert.Equal(offsets[t], p.Offset);
            Assert.Equal(TransactionSerializer.GetSize(tx), p.Size);
            Assert.Equal(TransactionSerializer.GetSize(tx, withWitness: false), p.StrippedSize);
            Assert.Equal(TransactionSerializer.GetWeight(tx), p.Weight);
            Assert.Equal(tx.HasWitness, p.HasWitness);
            Assert.Equal(TransactionSerializer.Serialize(tx), block.TxBytes(p).ToArray());
            Assert.Equal(Rebuild(block, t), TransactionSerializer.Serialize(tx));
        }

        Assert.NotEqual(TransactionSerializer.ComputeTxId(spend), TransactionSerializer.ComputeWitnessTxId(spend));
        Assert.Equal(TransactionSerializer.ComputeTxId(legacy), TransactionSerializer.ComputeWitnessTxId(legacy));
        Assert.Equal(Rebuild(block, 1), TransactionSerializer.Serialize(spend));
    }

    [Fact]
    public void AllEmptyWitnessesUseTheLegacyFormat()
    {
        var tx = new Transaction(2, [new TxInput(Hash(1), 0, Bytes(10, 1), 0, [])], [new TxOutput(1, P2Wpkh(2))], 0);
        Assert.False(tx.HasWitness);
        Assert.Equal(TransactionSerializer.Serialize(tx, withWitness: false), TransactionSerializer.Serialize(tx));
        Assert.Throws<ArgumentException>(() => TransactionSerializer.Serialize(tx with { Inputs = [] }));
    }

    [Fact]
    public void CompactSizeBoundaries()
    {
        foreach (var (n, hex) in new (long, string)[]
                 {
                     (0, "00"), (0xfc, "fc"), (0xfd, "fdfd00"), (0xffff, "fdffff"), (0x10000, "fe00000100"),
                     (0xffffffff, "feffffffff"), (0x100000000, "ff0000000001000000"),
                 })
        {
            var buffer = new byte[9];
            var len = CompactSize.Write(buffer, n);
            Assert.Equal(hex, Convert.ToHexStringLower(buffer, 0, len));
            Assert.Equal(len, CompactSize.Length(n));
        }
    }

    /// <summary>Every transaction and block of the NBitcoin sample files (mainnet, 2009) re-serializes to its exact bytes.</summary>
    [Fact]
    public void RealBlocksReserializeByteForByte()
    {
        var source = BlockFileSource.Open(SharedData.PathTo("bitcoin", "nbitcoin", "blk00000.dat"), Network.BitcoinMain);
        Assert.NotEmpty(source.Blocks);
        var parser = new BlockParser();
        foreach (var loc in source.Blocks)
        {
            var raw = source.Read(loc);
            var block = parser.Parse(raw, "nbitcoin", loc.Offset);
            var txs = Enumerable.Range(0, block.TxCount).Select(t => ToTransaction(block, t)).ToList();
            Assert.Equal(raw, BlockSerializer.Serialize(block.Header, txs));
            Assert.Equal(block.Header.MerkleRoot, BlockSerializer.ComputeMerkleRoot(txs));
            Assert.Equal(block.Hash, BlockSerializer.ComputeHash(block.Header));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlockFilesReadBackWithTheirHashes(bool obfuscate)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ashiato-blkwriter-{Guid.NewGuid():N}");
        try
        {
            var blocks = new List<(Hash256 Hash, byte[] Raw)>();
            var prev = Hash256.Zero;
            using (var writer = new BlockFileWriter(dir, Network.BitcoinRegtest, obfuscate ? [1, 2, 3, 4, 5, 6, 7, 0xfe] : null, 1000))
            {
                for (var h = 0; h < 12; h++)
                {
                    List<Transaction> txs = [Coinbase(h), Legacy(h + 100)];
                    var header = new BlockHeader(0x20000000, prev, BlockSerializer.ComputeMerkleRoot(txs), (uint)(1000 + h), 0x207fffff, 0);
                    var raw = BlockSerializer.Serialize(header, txs);
                    writer.Append(raw);
                    prev = BlockSerializer.ComputeHash(header);
                    blocks.Add((prev, raw));
                }

                Assert.True(writer.Files.Count > 1);
            }

            Assert.Equal(obfuscate, File.Exists(Path.Combine(dir, "xor.dat")));
            var source = BlockFileSource.Open(dir, Network.BitcoinRegtest);
            Assert.Null(source.Fault);
            Assert.Equal(obfuscate, source.Obfuscated);
            Assert.Equal(blocks.Select(b => b.Hash), source.Blocks.Select(b => b.Hash));
            for (var i = 0; i < blocks.Count; i++)
            {
                Assert.Equal(blocks[i].Raw, source.Read(source.Blocks[i]));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void XorMatchesTheBytewiseDefinitionAtAnyOffset()
    {
        byte[] key = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        var data = Bytes(37, 5);
        for (var offset = 0L; offset < 20; offset++)
        {
            var expected = data.Select((b, i) => (byte)(b ^ key[(int)((offset + i) % 8)])).ToArray();
            var actual = (byte[])data.Clone();
            BlockFileWriter.Xor(actual, key, offset);
            Assert.Equal(expected, actual);
        }
    }

    private static Transaction Coinbase(int height) =>
        new(1, [TxInput.Coinbase([0x02, (byte)height, (byte)(height >> 8)])], [new TxOutput(50_0000_0000, P2Wpkh(height))], 0);

    private static Transaction Legacy(int seed) =>
        new(1, [new TxInput(Hash(seed), (uint)seed, Bytes(106, seed), 0xffffffff)], [new TxOutput(seed, P2Wpkh(seed))], 0);

    private static byte[] P2Wpkh(int seed) => [0x00, 0x14, .. Bytes(20, seed)];

    private static Hash256 Hash(int seed) => new(Bytes(32, seed + 1000));

    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>A parsed transaction back as a <see cref="Transaction"/> (witness stacks decoded from the raw witness).</summary>
    private static Transaction ToTransaction(ParsedBlock block, int t)
    {
        ref readonly var tx = ref block.Txs[t];
        var inputs = new List<TxInput>();
        for (var i = 0; i < tx.InputCount; i++)
        {
            var input = block.Inputs[tx.FirstInput + i];
            inputs.Add(new TxInput(input.PrevTxId, input.PrevIndex, block.Script(input).ToArray(), input.Sequence,
                DecodeWitness(block.Witness(input))));
        }

        var outputs = new List<TxOutput>();
        for (var o = 0; o < tx.OutputCount; o++)
        {
            var output = block.Outputs[tx.FirstOutput + o];
            outputs.Add(new TxOutput(output.Value, block.Script(output).ToArray()));
        }

        return new Transaction(tx.Version, inputs, outputs, tx.LockTime);
    }

    private static byte[] Rebuild(ParsedBlock block, int t) => TransactionSerializer.Serialize(ToTransaction(block, t));

    private static List<byte[]> DecodeWitness(ReadOnlySpan<byte> w)
    {
        var items = new List<byte[]>();
        if (w.IsEmpty)
        {
            return items;
        }

        var pos = 0;
        var count = ReadCompact(w, ref pos);
        for (var k = 0; k < count; k++)
        {
            var len = (int)ReadCompact(w, ref pos);
            items.Add(w.Slice(pos, len).ToArray());
            pos += len;
        }

        Assert.Equal(w.Length, pos);
        return items;
    }

    private static long ReadCompact(ReadOnlySpan<byte> s, ref int pos)
    {
        var b = s[pos++];
        long v = b switch
        {
            0xfd => BitConverter.ToUInt16(s.Slice(pos, 2)),
            0xfe => BitConverter.ToUInt32(s.Slice(pos, 4)),
            0xff => (long)BitConverter.ToUInt64(s.Slice(pos, 8)),
            _ => b,
        };
        pos += b switch { 0xfd => 2, 0xfe => 4, 0xff => 8, _ => 0 };
        return v;
    }
}
