using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.Parsing;

/// <summary>Parser edge cases on blocks and transactions built byte by byte.</summary>
public class HandBuiltBlockTests
{
    [Fact]
    public void Parse_HandBuiltLegacyBlock_VerifiesIndependentMerkleRoot()
    {
        var txs = new[] { HandBlock.SimpleCoinbase(), HandBlock.Spend(0x11), HandBlock.Spend(0x22) };
        var raw = HandBlock.Build(txs);

        var block = new BlockParser().Parse(raw, "hand", 0);

        Assert.Equal(3, block.TxCount);
        Assert.Equal(TestData.Display(TestData.MerkleRoot(txs.Select(t => t.TxId()).ToList())), block.Header.MerkleRoot.ToString());
        for (var i = 0; i < txs.Length; i++)
        {
            Assert.Equal(TestData.Display(txs[i].TxId()), block.Txs[i].TxId.ToString());
        }

        Assert.Equal(raw.Length, block.Size);
        Assert.Equal(raw.Length, block.StrippedSize);
        Assert.Equal(0, block.MwebExtensionLength);
    }

    [Fact]
    public void ParseTransaction_WitnessFlagWithAllEmptyStacks_IsSuperfluousWitness()
    {
        var tx = HandBlock.Spend(0x33, flags: 0x01);
        tx.Witnesses.Add([]); // one input, empty stack

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().ParseTransaction(tx.Serialize(), "lone"));

        Assert.Contains("superfluous witness", e.Problem);
        Assert.Equal("lone", e.Source);
    }

    [Fact]
    public void Parse_BlockWithSuperfluousWitnessTx_Throws()
    {
        var bad = HandBlock.Spend(0x33, flags: 0x01);
        bad.Witnesses.Add([]);
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), bad]);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "blk.dat", 1000));

        Assert.Contains("superfluous witness", e.Problem);
        Assert.Equal("blk.dat", e.Source);
        Assert.True(e.Offset > 1000 && e.Offset < 1000 + raw.Length);
    }

    [Fact]
    public void ParseTransaction_WitnessWithOneNonEmptyStack_IsAccepted()
    {
        var tx = HandBlock.Spend(0x44, flags: 0x01);
        tx.Witnesses.Add([[0xde, 0xad], [0xbe, 0xef, 0x01]]);
        var bytes = tx.Serialize();

        var parsed = new BlockParser().ParseTransaction(bytes, "lone");

        var p = parsed.Txs[0];
        Assert.True(p.HasWitness);
        Assert.Equal(TestData.Display(tx.TxId()), p.TxId.ToString());
        Assert.Equal(bytes.Length, p.Size);
        Assert.Equal(tx.Legacy().Length, p.StrippedSize);
        Assert.Equal([0x02, 0x02, 0xde, 0xad, 0x03, 0xbe, 0xef, 0x01], parsed.Witness(parsed.Inputs[0]).ToArray());
    }

    [Fact]
    public void ParseTransaction_UnknownFlag0x02_Throws()
    {
        var tx = HandBlock.Spend(0x55, flags: 0x02);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().ParseTransaction(tx.Serialize(), "lone"));

        Assert.Contains("unknown transaction flags 0x02", e.Problem);
    }

    [Fact]
    public void ParseTransaction_MarkerWithZeroFlag_Throws()
    {
        // version, marker 0x00, flag 0x00: neither a legacy tx (no inputs) nor an extended one.
        byte[] bytes = [0x01, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0];

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().ParseTransaction(bytes, "lone"));

        Assert.Contains("no inputs", e.Problem);
    }

    [Fact]
    public void Parse_TrailingBytesAfterLastTxInNonMwebBlock_ThrowsAtThatOffset()
    {
        var raw = TestData.Bytes("bcoin", "block1.raw");
        byte[] padded = [.. raw, 0xde, 0xad, 0xbe];

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(padded, "blk00000.dat", 5000));

        Assert.Equal(5000 + raw.Length, e.Offset);
        Assert.Contains("3 unexpected bytes after the last transaction", e.Problem);
        Assert.Equal("blk00000.dat", e.Source);
    }

    [Fact]
    public void Parse_TruncatedBlock_Throws()
    {
        var raw = TestData.Bytes("bcoin", "block1.raw");

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw.AsMemory(0, raw.Length - 1), "cut", 0));

        Assert.Contains("truncated", e.Problem);
    }

    [Fact]
    public void Parse_ShorterThanHeader_Throws()
    {
        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(new byte[80], "tiny", 42));

        Assert.Equal(42, e.Offset);
    }

    [Fact]
    public void Parse_ZeroTransactions_Throws()
    {
        var raw = TestData.Bytes("bcoin", "block1.raw").AsSpan(0, 81).ToArray();
        raw[80] = 0;

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "empty", 0));

        Assert.Contains("no transactions", e.Problem);
        Assert.Equal(81, e.Offset);
    }

    [Fact]
    public void Parse_HugeTransactionCount_ThrowsInsteadOfAllocating()
    {
        byte[] raw = [.. TestData.Bytes("bcoin", "block1.raw").AsSpan(0, 80), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, .. new byte[200]];

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "huge", 0));

        Assert.Contains("does not fit", e.Problem);
        Assert.Equal(80, e.Offset);
    }

    [Fact]
    public void Parse_ChangedTransactionByte_IsMerkleRootMismatch()
    {
        var raw = TestData.Bytes("bcoin", "block1.raw");
        raw[^5] ^= 0x01; // inside the output script of the coinbase

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "tampered", 0));

        Assert.Contains("merkle root mismatch", e.Problem);
    }

    [Fact]
    public void Parse_NonCanonicalTransactionCount_Throws()
    {
        // Bitcoin Core rejects "non-canonical ReadCompactSize()"; 1 written as fd 01 00 would also make StrippedSize wrong.
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase()], txCountOverride: [0xfd, 0x01, 0x00]);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "noncanonical", 0));

        Assert.Contains("non-canonical", e.Problem);
        Assert.Equal(80, e.Offset);
    }

    [Fact]
    public void Parse_LitecoinMwebBlock_HogExIsLastAndExtensionIsCounted()
    {
        var coinbase = HandBlock.SimpleCoinbase(2_265_984);

        // HogEx: spends the previous HogEx output, pays the new one to the witness v8 program; marker 0x00, flag 0x08,
        // then a null MWEB tx (0x00) before the lock time.
        var hogEx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            MwebBody = [0x00],
            Inputs = { (Enumerable.Repeat((byte)0xab, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (1_234_567_890, [0x58, 0x20, .. Enumerable.Repeat((byte)0xcd, 32)]) },
        };
        byte[] extension = [0x01, .. Enumerable.Range(0, 57).Select(i => (byte)(i * 7))];
        var raw = HandBlock.Build([coinbase, hogEx], trailing: extension);

        var block = new BlockParser().Parse(raw, "ltc", 0);

        Assert.Equal(2, block.TxCount);
        Assert.True(block.Txs[1].IsHogEx);
        Assert.False(block.Txs[0].IsHogEx);
        Assert.False(block.Txs[1].HasWitness);
        Assert.Equal(extension.Length, block.MwebExtensionLength);
        Assert.Equal(raw.Length, block.Size);

        // The HogEx txid hashes version | inputs | outputs | locktime, computed here with SHA-256 directly.
        var legacy = hogEx.Legacy();
        Assert.Equal(TestData.Display(TestData.DoubleSha256(legacy)), block.Txs[1].TxId.ToString());
        Assert.Equal(hogEx.Serialize().Length, block.Txs[1].Size);
        Assert.Equal(legacy.Length + 3, block.Txs[1].Size); // marker, flag, null MWEB byte
        Assert.Equal(legacy.Length, block.Txs[1].StrippedSize);

        // Stripped size leaves out the marker/flag/MWEB byte and the extension.
        Assert.Equal(80 + 1 + coinbase.Serialize().Length + legacy.Length, block.StrippedSize);

        // Litecoin Core weighs without MWEB data (SERIALIZE_NO_MWEB): with no witness anywhere, weight = 4 x stripped
        // (litecoind reports vsize 94 for a 97-byte HogEx of 94 stripped bytes).
        Assert.Equal(4 * legacy.Length, block.Txs[1].Weight);
        Assert.Equal(legacy.Length, block.Txs[1].VirtualSize);
        Assert.Equal(4 * block.StrippedSize, block.Weight);
    }

    [Fact]
    public void Parse_HogExWithWitness_WeightLeavesOutOnlyTheMwebByte()
    {
        var hogEx = new HandTx
        {
            Version = 2,
            Flags = 0x09,
            MwebBody = [0x00],
            Inputs = { (Enumerable.Repeat((byte)0x77, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (99, [0x58, 0x20, .. new byte[32]]) },
        };
        hogEx.Witnesses.Add([[0x01, 0x02, 0x03]]);
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), hogEx], trailing: [0x00]);

        var block = new BlockParser().Parse(raw, "ltc", 0);

        var tx = block.Txs[1];
        Assert.True(tx.IsHogEx);
        Assert.True(tx.HasWitness);
        Assert.Equal(TestData.Display(hogEx.TxId()), tx.TxId.ToString());
        Assert.Equal(hogEx.Serialize().Length, tx.Size);
        // NO_MWEB keeps marker, flag 0x01 and the witness; only the null MWEB body byte goes.
        Assert.Equal((3 * tx.StrippedSize) + tx.Size - 1, tx.Weight);
        Assert.Equal((3 * block.StrippedSize) + block.Size - 1 - 1, block.Weight);
    }

    [Fact]
    public void Weight_BitcoinSegwitBlock_IsThreeStrippedPlusSize()
    {
        var block = new BlockParser().Parse(TestData.Bytes("bcoin", "block482683.raw"), "482683", 0);

        Assert.Equal((3 * block.StrippedSize) + block.Size, block.Weight);
        Assert.Equal(Enumerable.Range(0, block.TxCount).Sum(t => block.Txs[t].Weight) + (4 * 81), block.Weight);
    }

    [Fact]
    public void Parse_LitecoinBlockWithNullMwebExtension_HasExtensionLengthOne()
    {
        var hogEx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            Inputs = { (Enumerable.Repeat((byte)0x01, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (5, [0x58, 0x20, .. new byte[32]]) },
        };
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), hogEx], trailing: [0x00]);

        var block = new BlockParser().Parse(raw, "ltc", 0);

        Assert.Equal(1, block.MwebExtensionLength);
    }

    [Fact]
    public void Parse_NullMwebExtensionFollowedByMoreBytes_Throws()
    {
        var hogEx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            Inputs = { (Enumerable.Repeat((byte)0x01, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (5, [0x58, 0x20, .. new byte[32]]) },
        };
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), hogEx], trailing: [0x00, 0x12, 0x34]);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "ltc", 0));

        Assert.Equal(raw.Length - 3, e.Offset);
    }

    [Fact]
    public void Parse_MwebExtensionWithBadPresenceByte_Throws()
    {
        var hogEx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            Inputs = { (Enumerable.Repeat((byte)0x01, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (5, [0x58, 0x20, .. new byte[32]]) },
        };
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), hogEx], trailing: [0x02, 0x00]);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "ltc", 0));

        Assert.Contains("expected 0x00 or 0x01", e.Problem);
    }

    [Fact]
    public void Parse_TransactionWithMwebBody_Throws()
    {
        var tx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            MwebBody = [0x01, 0x00],
            Inputs = { (Enumerable.Repeat((byte)0x01, 32).ToArray(), 0, [], 0xffffffff) },
            Outputs = { (5, [0x58, 0x20, .. new byte[32]]) },
        };

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().ParseTransaction(tx.Serialize(), "ltc-tx"));

        Assert.Contains("MWEB body", e.Problem);
    }

    [Fact]
    public void Parse_HogExWithoutOutputs_Throws()
    {
        var tx = new HandTx
        {
            Version = 2,
            Flags = 0x08,
            Inputs = { (Enumerable.Repeat((byte)0x01, 32).ToArray(), 0, [], 0xffffffff) },
        };

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().ParseTransaction(tx.Serialize(), "ltc-tx"));

        Assert.Contains("without outputs", e.Problem);
    }

    [Fact]
    public void Parse_ExtensionBytesWhenLastTxIsNotHogEx_AreUnexpected()
    {
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(), HandBlock.Spend(0x66)], trailing: [0x01, 0x02]);

        var e = Assert.Throws<DataFormatException>(() => new BlockParser().Parse(raw, "btc", 0));

        Assert.Contains("2 unexpected bytes", e.Problem);
    }

    [Theory]
    [InlineData(1, 0x51)]
    [InlineData(16, 0x60)]
    public void Bip34Height_SmallHeightsPushedAsOpN_AreRead(int height, byte opcode)
    {
        // Bitcoin Core's CreateNewBlock writes CScript() << nHeight: heights 1..16 become OP_1..OP_16
        // (regtest, signet and testnet4 blocks 1-16).
        var coinbase = HandTx.Coinbase([opcode, 0x00], 50_0000_0000, HandBlock.P2pkh(9));
        var raw = HandBlock.Build([coinbase], version: 0x20000000);

        var block = new BlockParser().Parse(raw, "regtest", 0);

        Assert.Equal(height, block.Bip34Height);
    }

    [Fact]
    public void Bip34Height_VersionOneBlock_IsNull()
    {
        var raw = HandBlock.Build([HandBlock.SimpleCoinbase(7)], version: 1);

        Assert.Null(new BlockParser().Parse(raw, "v1", 0).Bip34Height);
    }

    [Fact]
    public void Bip34Height_ThreeBytePush_IsLittleEndian()
    {
        var coinbase = HandTx.Coinbase([0x03, 0x40, 0x42, 0x0f, 0xaa], 1, HandBlock.P2pkh(9));
        var raw = HandBlock.Build([coinbase], version: 4);

        Assert.Equal(1_000_000, new BlockParser().Parse(raw, "v4", 0).Bip34Height);
    }
}
