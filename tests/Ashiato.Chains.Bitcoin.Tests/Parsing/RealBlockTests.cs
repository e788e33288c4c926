using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.Parsing;

/// <summary>
/// Every real block in the shared data parses to its known hash, merkle root and transaction count.
/// Sources of the expected values are noted per row.
/// </summary>
public class RealBlockTests
{
    /// <summary>folder, file, hash, merkle root, tx count, BIP34 height (null: version 1 block, no commitment).</summary>
    public static TheoryData<string, string, string, string, int, int?> RawBlocks() => new()
    {
        // Block 1: bitcoinj Block.getHashAsString() javadoc ("block 1 in the mainnet chain you will get 00000000839a…");
        // its single txid is the merkle root.
        { "bcoin", "block1.raw", "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
            "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098", 1, null },

        // bcoin test/block-test.js: rhash() of 300025, 461 transactions.
        { "bcoin", "block300025.raw", "0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c",
            "af193f375fc1aeede6d781c0a563c1a66b4f69723d558438ba80f45ad3c1be28", 461, 300025 },
        { "bcoin", "block426884.raw", "00000000000000000431d0ead6e0bd9f90ff0d469e9b05d51e3d04971f472973",
            "7f973e382b2151667eba21e657a7d4900fdddcb214cb9dfbca88a322910d403b", 409, 426884 },

        // bcoin test/block-test.js lists 12 transactions for 482683.
        { "bcoin", "block482683.raw", "000000000000000000c238240ef6dcb26c37e75e16514e6ffc0aef7eee73e747",
            "0888bc2983c7a07818586346a6da7b0596310166de538cfbcf2fe37694aecf9f", 12, 482683 },

        // bitcoinj BlockTest: hashes of 169482, 227835, 227836, 363703, 370661, 383616 in comments/asserts.
        { "bitcoinj", "block169482.dat", "0000000000000756935f1ee9d5987857b604046f846d3df56d024cdb5f368665",
            "75bba35e9336ca26dfcc6ccb084a1d43d6c1e15e35928052de979091bc947912", 14, null },
        { "bitcoinj", "block227835.dat", "00000000000001aa077d7aa84c532a4d69bdbff519609d1da0835261b7a74eb6",
            "9412a507ab9e366362ecf282ec22146a7861e6e72216fe5bdf593e0ee54c0003", 122, null },
        { "bitcoinj", "block227836.dat", "00000000000000d0dfd4c9d588d325dce4f32c1b31b7c0064cba7025a9b9adcc",
            "38a2518423d8ea76e716d1dc86d742b9e7f3febda7bf9a3e18bcd6c8ad55ff45", 100, 227836 },
        { "bitcoinj", "block363703.dat", "0000000000000000011b2a4cb91b63886ffe0d2263fd17ac5a9b902a219e0a14",
            "dd93c8b442fa84b826883815dd8e9aca05b79046d0db83b1805a341ba4a9885a", 587, 363703 },
        { "bitcoinj", "block370661.dat", "00000000000000001416a613602d73bbe5c79170fd8f39d509896b829cf9021e",
            "3c7b591dfcf99424d884541ab8441e319370274716491f9955aa7787f2b7f216", 708, 370661 },
        { "bitcoinj", "block383616.dat", "00000000000000000aab6a2b34e979b09ca185584bd1aecf204f24d150ff55e9",
            "763529f5401d9967078c0c7a5ad88745807c4a797ff8c4bd20c7f6655e90568c", 1731, 383616 },

        // bitcoinj BlockTest.testBlock481815_witnessCommitmentInCoinbase: 2097 transactions and this merkle root.
        { "bitcoinj", "block481815.dat", "000000000000000000893c019d81f2d48ee33892c12428f3121bbd16ed6db926",
            "f115afa8134171a0a686bfbe9667b60ae6fb5f6a439e0265789babc315333262", 2097, 481815 },

        // bitcoinj BlockTest.testBlock481829_witnessTransactions: 2020 transactions and this merkle root.
        { "bitcoinj", "block481829.dat", "000000000000000000917cba69f69b758fe396c8e30ae97bbcf08c4eb975e726",
            "f06f697be2cac7af7ed8cd0b0b81eaa1a39e444c6ebd3697e35ab34461b6c58d", 2020, 481829 },

        // bitcoinj BlockTest: testnet3 700000 (setUp), 21066 and 32768 (testCoinbaseHeightTestnet).
        { "bitcoinj", "block_testnet21066.dat", "0000000004053156021d8e42459d284220a7f6e087bf78f30179c3703ca4eefa",
            "098ea07ab8f9642bb463093fcc6083381016fe66b3a64872cb5beafc4c93a3f7", 2, 21066 },
        { "bitcoinj", "block_testnet32768.dat", "000000007590ba495b58338a5806c2b6f10af921a70dbd814e0da3c6957c0c03",
            "a8bcb12f044b98699599a656c5dd6a06ea73b76fc5d3e1b10d749359f85658cf", 5, 32768 },
        { "bitcoinj", "block_testnet700000.dat", "000000000000406178b12a4dea3b27e13b3c4fe4510994fd667d7c1e6a3f4dc1",
            "da5c25f7444cc92059dec0098dc589f5f9b010493f2b31490344736c74a7a6e7", 4, 700000 },
    };

    [Theory]
    [MemberData(nameof(RawBlocks))]
    public void Parse_RealRawBlock_HasKnownHashMerkleRootTxCountAndBip34Height(
        string folder, string file, string hash, string merkleRoot, int txCount, int? bip34Height)
    {
        var raw = TestData.Bytes(folder, file);
        var block = new BlockParser().Parse(raw, file, 0);

        Assert.Equal(hash, block.Hash.ToString());
        Assert.Equal(hash, TestData.HeaderHash(raw)); // an independent double SHA-256 of the header agrees
        Assert.Equal(merkleRoot, block.Header.MerkleRoot.ToString());
        Assert.Equal(txCount, block.TxCount);
        Assert.Equal(raw.Length, block.Size);
        Assert.Equal(bip34Height, block.Bip34Height);
        Assert.True(block.Txs[0].IsCoinbase(block));
        for (var t = 1; t < block.TxCount; t++)
        {
            Assert.False(block.Txs[t].IsCoinbase(block));
        }

        // Transactions tile the block exactly: each starts where the previous one ended.
        var expectedOffset = 80 + BlockParser.CompactSizeLength((ulong)txCount);
        for (var t = 0; t < block.TxCount; t++)
        {
            Assert.Equal(expectedOffset, block.Txs[t].Offset);
            expectedOffset += block.Txs[t].Size;
        }

        Assert.Equal(raw.Length, expectedOffset);
    }

    [Fact]
    public void Parse_Block227836_PrevHashIsBlock227835()
    {
        var parser = new BlockParser();
        var b835 = parser.Parse(TestData.Bytes("bitcoinj", "block227835.dat"), "227835", 0);
        var b836 = new BlockParser().Parse(TestData.Bytes("bitcoinj", "block227836.dat"), "227836", 0);

        Assert.Equal(b835.Hash, b836.Header.PrevHash);
        Assert.Equal(1, b835.Header.Version); // bitcoinj: "last version 1 block"
        Assert.Equal(2, b836.Header.Version); // bitcoinj: "version 2 block"
        Assert.Null(b835.Bip34Height);
        Assert.Equal(227836, b836.Bip34Height);
    }

    [Fact]
    public void Parse_Block277647FromBtcd_Has213Transactions()
    {
        var framed = TestData.Bytes("btcd", "277647.dat");
        var raw = Assert.Single(TestData.FramedBlocks(framed));
        var block = new BlockParser().Parse(raw, "277647.dat", 8);

        Assert.Equal("0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8", block.Hash.ToString());
        Assert.Equal("36ac31298eb05c23be1f775d635104705e4560c6532b95c158023c6dc9af06c3", block.Header.MerkleRoot.ToString());
        Assert.Equal(213, block.TxCount); // README: 213 tx
        Assert.Equal(277647, block.Bip34Height);
        Assert.Equal(149164, block.Size);
    }

    [Fact]
    public void Parse_Block481829_HasSegwitWeight()
    {
        var block = new BlockParser().Parse(TestData.Bytes("bitcoinj", "block481829.dat"), "481829", 0);

        Assert.Equal(998318, block.Size);
        Assert.Equal(998282, block.StrippedSize);
        Assert.Equal(3993164, block.Weight);
        Assert.Equal((3 * block.StrippedSize) + block.Size, block.Weight);

        // bitcoinj BlockTest: the coinbase txid, and a witness that is the 32-byte zero reserved value.
        var coinbase = block.Txs[0];
        Assert.Equal("9c1ab453283035800c43eb6461eb46682b81be110a0cb89ee923882a5fd9daa4", coinbase.TxId.ToString());
        Assert.True(coinbase.HasWitness);
        var witness = block.Witness(block.Inputs[coinbase.FirstInput]);
        Assert.Equal([0x01, 0x20, .. new byte[32]], witness.ToArray());

        // Only the coinbase has a witness here: marker + flag + stack count + item length + 32 bytes = 36.
        Assert.Equal(36, block.Size - block.StrippedSize);
        Assert.Equal(1, Enumerable.Range(0, block.TxCount).Count(t => block.Txs[t].HasWitness));
    }

    [Fact]
    public void Parse_Block481815_HasNoWitnessesAndKnownCoinbaseTxId()
    {
        var block = new BlockParser().Parse(TestData.Bytes("bitcoinj", "block481815.dat"), "481815", 0);

        // bitcoinj BlockTest: "This block has no witnesses", coinbase txid == wtxid 919a0df2….
        Assert.Equal("919a0df2253172a55bebcb9002dbe775b8511f84955b282ca6dae826fdd94f90", block.Txs[0].TxId.ToString());
        Assert.All(Enumerable.Range(0, block.TxCount), t => Assert.False(block.Txs[t].HasWitness));
        Assert.Equal(block.Size, block.StrippedSize);
        Assert.Equal(4 * block.Size, block.Weight);
    }

    [Fact]
    public void Parse_Block482683_TransactionOffsetsAndSizesMatchBcoin()
    {
        var raw = TestData.Bytes("bcoin", "block482683.raw");
        var block = new BlockParser().Parse(raw, "482683", 0);

        // bcoin test/block-test.js "should deserialize with offset positions for txs (witness)".
        (int Offset, int Size)[] expected =
        [
            (81, 217), (298, 815), (1113, 192), (1305, 259), (1564, 223), (1787, 1223),
            (3010, 486), (3496, 665), (4161, 3176), (7337, 225), (7562, 1223), (8785, 503),
        ];
        Assert.Equal(expected.Length, block.TxCount);
        for (var t = 0; t < expected.Length; t++)
        {
            Assert.Equal(expected[t], (block.Txs[t].Offset, block.Txs[t].Size));
        }

        Assert.Equal(expected.Sum(e => e.Size) + 81, block.Size);
        Assert.Equal(9288, block.Size);
        Assert.Equal(8809, block.StrippedSize);
        Assert.Equal(35715, block.Weight);
        Assert.True(block.StrippedSize < block.Size);
        Assert.True(block.Txs[0].HasWitness);
    }

    [Fact]
    public void Parse_Block300025_WeightAndCoinbaseValueMatchBcoin()
    {
        var block = new BlockParser().Parse(TestData.Bytes("bcoin", "block300025.raw"), "300025", 0);

        // bcoin test/block-test.js "should verify a historical block": weight 1136924, no witness, coinbase output 0
        // equals subsidy + fees = 2507773345; first tx at offset 83.
        Assert.Equal(1136924, block.Weight);
        Assert.Equal(block.Size, block.StrippedSize);
        Assert.Equal(2507773345, block.Outputs[block.Txs[0].FirstOutput].Value);
        Assert.Equal(83, block.Txs[0].Offset);
    }

    [Fact]
    public void Parse_SegwitTransaction_TxIdExcludesWitnessAndStandaloneParseAgrees()
    {
        var raw = TestData.Bytes("bcoin", "block482683.raw");
        var block = new BlockParser().Parse(raw, "482683", 0);
        var witnessTxs = Enumerable.Range(0, block.TxCount).Where(t => block.Txs[t].HasWitness).ToList();
        Assert.NotEmpty(witnessTxs);

        foreach (var t in witnessTxs)
        {
            var tx = block.Txs[t];
            var bytes = block.TxBytes(tx).ToArray();
            var lone = new BlockParser().ParseTransaction(bytes, "tx");
            Assert.Equal(tx.TxId, lone.Txs[0].TxId);
            Assert.Equal(tx.Size, lone.Txs[0].Size);
            Assert.Equal(tx.StrippedSize, lone.Txs[0].StrippedSize);
            Assert.True(tx.StrippedSize < tx.Size);
            Assert.True(tx.Weight < 4 * tx.Size);
            Assert.Equal((tx.Weight + 3) / 4, tx.VirtualSize);

            // Independent txid: strip marker/flag and witnesses by hand.
            var legacy = new List<byte>();
            legacy.AddRange(bytes.AsSpan(0, 4).ToArray());
            var bodyLength = tx.StrippedSize - 8;
            legacy.AddRange(bytes.AsSpan(6, bodyLength).ToArray());
            legacy.AddRange(bytes.AsSpan(bytes.Length - 4).ToArray());
            Assert.Equal(TestData.Display(TestData.DoubleSha256([.. legacy])), tx.TxId.ToString());
        }
    }

    [Fact]
    public void Parse_WithReusedInstance_ResetsCountsAndWitnessFlags()
    {
        var parser = new BlockParser();
        var segwit = parser.Parse(TestData.Bytes("bcoin", "block482683.raw"), "482683", 0);
        Assert.True(segwit.Txs[0].HasWitness);

        var again = parser.Parse(TestData.Bytes("bcoin", "block1.raw"), "block1", 0, segwit);

        Assert.Same(segwit, again);
        Assert.Equal(1, again.TxCount);
        Assert.Equal(1, again.InputCount);
        Assert.Equal(1, again.OutputCount);
        Assert.False(again.Txs[0].HasWitness);
        Assert.Equal(0, again.Inputs[0].WitnessLength);
        Assert.Equal(215, again.Size);
        Assert.Equal("00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048", again.Hash.ToString());
    }

    [Fact]
    public void Parse_NBitcoinHexBlock169482_EqualsBitcoinjRawBlock()
    {
        var hex = File.ReadAllText(TestData.Path("nbitcoin", "block169482.txt")).Trim();
        var fromHex = Convert.FromHexString(hex);
        Assert.Equal(TestData.Bytes("bitcoinj", "block169482.dat"), fromHex);

        var block = new BlockParser().Parse(fromHex, "block169482.txt", 0);
        Assert.Equal("0000000000000756935f1ee9d5987857b604046f846d3df56d024cdb5f368665", block.Hash.ToString());
        Assert.Equal(3973947400u, block.Header.Nonce); // bitcoinj BlockTest BLOCK_NONCE
    }

    /// <summary>The framed files: every block parses, its hash is the double SHA-256 of its header, blocks link by prev-hash.</summary>
    [Theory]
    [InlineData("nbitcoin", "blk00000.dat", 300, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")]
    [InlineData("nbitcoin", "blk00001.dat", 300, "0000000062b69e4a2c3312a5782d7798b0711e9ebac065cd5d19f946439f8609")]
    [InlineData("bitcoinj", "first-100k-blocks.dat", 439, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")]
    [InlineData("btcd", "blocks1-256", 255, "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048")]
    public void Parse_EveryBlockOfFramedFile_HashesAndLinks(string folder, string file, int count, string firstHash)
    {
        var source = BlockFileSource.Open(TestData.Path(folder, file), Network.BitcoinMain);
        Assert.Null(source.Fault);
        Assert.Equal(count, source.Blocks.Count);
        Assert.Equal(firstHash, source.Blocks[0].Hash.ToString());

        var parser = new BlockParser();
        Hash256? prev = null;
        foreach (var location in source.Blocks)
        {
            var raw = source.Read(location);
            var block = parser.Parse(raw, file, location.Offset);
            Assert.Equal(location.Hash, block.Hash);
            Assert.Equal(TestData.HeaderHash(raw), block.Hash.ToString());
            if (prev is { } p)
            {
                Assert.Equal(p, block.Header.PrevHash);
            }

            prev = block.Hash;
        }
    }

    [Fact]
    public void Parse_BtcdBlocks1To255_HaveTheSameHashesAsNBitcoinHeights1To255()
    {
        var btcd = BlockFileSource.Open(TestData.Path("btcd", "blocks1-256"), Network.BitcoinMain);
        var nbitcoin = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), Network.BitcoinMain);

        Assert.Equal(nbitcoin.Blocks.Skip(1).Take(255).Select(b => b.Hash), btcd.Blocks.Select(b => b.Hash));
    }
}
