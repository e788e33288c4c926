using System.Numerics;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Tests.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.Chain;

/// <summary>Best-chain selection over real block files: in order, shuffled, split across files, and btcd's reorg set.</summary>
public class ChainSelectorTests
{
    private const string Genesis = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
    private const string Block1 = "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048";
    private const string Block599 = "0000000042844571bc6bce8e1c0fbec99466971eaff89fef8c0d123582181d4d";

    // btcd reorganization test chain (synthetic, only genesis is mainnet): 0-1-2-3-4 and the side chain 3A-4A-5A
    // forking after block 2. TestReorganization feeds blk_0_to_4, 4A, 5A, 3A and expects the longer A chain to win.
    private const string Reorg2 = "00000000952ccb1bf9b799fcd0cc654dd48363f76781f8b1c61dbf1696c39f97";
    private const string Reorg3 = "00000000bc3589303953766cc9364130cb97bc3749bae170f476d45f1e23f850";
    private const string Reorg4 = "000000002f264d6504013e73b9c913de9098d4d771c1bb219af475d2a01b128e";
    private const string Reorg3A = "00000000474284d20067a4d33f6a02284e6ef70764a3a26d6a5b9df52ef663dd";
    private const string Reorg4A = "00000000551dc04c148242d1f648802577df8cf7d4e1b469211016280204a2bf";
    private const string Reorg5A = "00000000195f85184e77c18914bd0febd11278d950f5e4731a38f71ed79f044e";

    private static ChainPlan<BlockLocation> Select(IReadOnlyList<BlockLocation> blocks, IStoredChain? store = null) =>
        ChainSelector.Select(blocks, b => b.Hash, b => b.Header, store ?? FakeStoredChain.Empty, Network.BitcoinMain.GenesisHash);

    private static TempDir NBitcoinDir()
    {
        var dir = new TempDir();
        dir.Copy(TestData.Path("nbitcoin", "blk00000.dat"));
        dir.Copy(TestData.Path("nbitcoin", "blk00001.dat"));
        return dir;
    }

    private static TempDir ReorgDir(params string[] files)
    {
        var dir = new TempDir();
        foreach (var f in files)
        {
            dir.Copy(TestData.Path("btcd", f));
        }

        return dir;
    }

    [Fact]
    public void Work_GenesisBits_IsCoreChainworkOfGenesis()
    {
        // Bitcoin Core reports chainwork 0x100010001 for the genesis block (bits 1d00ffff).
        Assert.Equal(new BigInteger(0x100010001), ChainSelector.Work(0x1d00ffff));
        Assert.Equal(new BigInteger(0xffff) << 208, ChainSelector.CompactToTarget(0x1d00ffff));
    }

    [Fact]
    public void Work_NegativeOrZeroTarget_IsZero()
    {
        Assert.Equal(BigInteger.Zero, ChainSelector.Work(0x1d800000)); // sign bit set
        Assert.Equal(BigInteger.Zero, ChainSelector.Work(0x01003456)); // shifts to zero
    }

    [Fact]
    public void Select_NBitcoinDirectory_GivesHeights0To599InOrder()
    {
        using var dir = NBitcoinDir();
        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        Assert.Null(source.Fault);
        Assert.Equal(600, source.Blocks.Count);

        var plan = Select(source.Blocks);

        Assert.Equal(600, plan.Blocks.Count);
        Assert.True(plan.Anchored);
        Assert.Equal(-1, plan.ForkHeight);
        Assert.Equal(0, plan.StaleBlocks);
        Assert.Equal(Genesis, plan.Blocks[0].Hash.ToString());
        Assert.Equal(Block1, plan.Blocks[1].Hash.ToString());
        Assert.Equal(Block599, plan.Blocks[599].Hash.ToString());
        for (var h = 1; h < plan.Blocks.Count; h++)
        {
            Assert.Equal(plan.Blocks[h - 1].Hash, plan.Blocks[h].Header.PrevHash);
        }

        // The chain crosses from blk00000.dat (heights 0-299) to blk00001.dat (300-599).
        Assert.Equal(0, plan.Blocks[299].FileIndex);
        Assert.Equal(1, plan.Blocks[300].FileIndex);
    }

    [Fact]
    public void Select_NBitcoinDirectory_Has616TxsAndOutputsMatchSubsidiesAndSpentValues()
    {
        using var dir = NBitcoinDir();
        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        var plan = Select(source.Blocks);
        var parser = new BlockParser();

        long txCount = 0;
        long totalOutputs = 0;
        long coinbaseOutputs = 0;
        long nonCoinbaseOutputs = 0;
        long spentValue = 0;
        var unspent = new Dictionary<(Hash256, uint), long>();
        for (var height = 0; height < plan.Blocks.Count; height++)
        {
            var block = parser.Parse(source.Read(plan.Blocks[height]), source.Describe(plan.Blocks[height]), plan.Blocks[height].Offset);
            Assert.Null(block.Bip34Height); // version 1 blocks carry no height
            txCount += block.TxCount;
            for (var t = 0; t < block.TxCount; t++)
            {
                var tx = block.Txs[t];
                if (t > 0)
                {
                    for (var i = 0; i < tx.InputCount; i++)
                    {
                        var input = block.Inputs[tx.FirstInput + i];
                        Assert.True(unspent.Remove((input.PrevTxId, input.PrevIndex), out var value),
                            $"input of {tx.TxId} spends an unknown output");
                        spentValue += value;
                    }
                }

                for (var o = 0; o < tx.OutputCount; o++)
                {
                    var value = block.Outputs[tx.FirstOutput + o].Value;
                    totalOutputs += value;
                    if (t == 0)
                    {
                        coinbaseOutputs += value;
                    }
                    else
                    {
                        nonCoinbaseOutputs += value;
                    }

                    unspent[(tx.TxId, (uint)o)] = value;
                }
            }
        }

        const long Coin = 100_000_000;
        Assert.Equal(616, txCount); // README / NBitcoin: 616 tx in heights 0-599
        // No fees in 2009: every coinbase claims exactly the 50 BTC subsidy ...
        Assert.Equal(600 * 50 * Coin, coinbaseOutputs);
        // ... and the 16 other transactions pay out exactly what they spend (all spent outputs are in these blocks).
        Assert.Equal(spentValue, nonCoinbaseOutputs);
        Assert.Equal(740 * Coin, nonCoinbaseOutputs);
        Assert.Equal(30_740 * Coin, totalOutputs);
    }

    [Fact]
    public void Select_BlocksWrittenInReverseOrderAcrossTwoFiles_GivesTheSameChain0To299()
    {
        using var dir = new TempDir();
        var blocks = TestData.FramedBlocks(TestData.Bytes("nbitcoin", "blk00000.dat"));
        Assert.Equal(300, blocks.Count);
        dir.Write("blk00000.dat", TestData.Frame(blocks.Skip(150).Reverse()));
        dir.Write("blk00001.dat", TestData.Frame(blocks.Take(150).Reverse()));

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        var plan = Select(source.Blocks);

        Assert.Null(source.Fault);
        Assert.Equal("00000000b9b003c04b2fe21b4f7a2fa809eb643852573c3a1748653e2019f01c", source.Blocks[0].Hash.ToString()); // height 299 first
        var inOrder = Select(BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), null).Blocks);
        Assert.Equal(inOrder.Blocks.Select(b => b.Hash), plan.Blocks.Select(b => b.Hash));
        Assert.Equal(300, plan.Blocks.Count);
        Assert.Equal(Genesis, plan.Blocks[0].Hash.ToString());
        Assert.Equal(0, plan.StaleBlocks);
        Assert.Equal(-1, plan.ForkHeight);
    }

    [Fact]
    public void Select_SameBlocksInTwoFiles_DuplicatesAreNotStale()
    {
        using var dir = new TempDir();
        dir.Copy(TestData.Path("nbitcoin", "blk00000.dat"), "blk00000.dat");
        dir.Copy(TestData.Path("nbitcoin", "blk00000.dat"), "blk00001.dat");

        var plan = Select(BlockFileSource.Open(dir.Root, null).Blocks);

        Assert.Equal(300, plan.Blocks.Count);
        Assert.Equal(0, plan.StaleBlocks);
        Assert.All(plan.Blocks, b => Assert.Equal(0, b.FileIndex)); // first seen wins
    }

    [Fact]
    public void Select_BtcdReorgFiles_LongerSideChainWinsAndTheOldTipIsStale()
    {
        using var dir = ReorgDir("blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat", "blk_5A.dat");
        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        Assert.Null(source.Fault);
        Assert.Equal(8, source.Blocks.Count);

        var plan = Select(source.Blocks);

        Assert.Equal(
            [Genesis, "00000000ebe5ec3e94d8dfe18100e5c0f3b1955bc6107fbe24d95732b814551b", Reorg2, Reorg3A, Reorg4A, Reorg5A],
            plan.Blocks.Select(b => b.Hash.ToString()));
        Assert.Equal(2, plan.StaleBlocks); // blocks 3 and 4 of the first chain
        Assert.Equal(-1, plan.ForkHeight);
        Assert.True(plan.Anchored);
    }

    [Fact]
    public void Select_BtcdReorgWithoutTheSideChainTip_OriginalChainWins()
    {
        // 3A-4A alone ties 3-4 on work; the first seen chain keeps the tip.
        using var dir = ReorgDir("blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat");
        var plan = Select(BlockFileSource.Open(dir.Root, Network.BitcoinMain).Blocks);

        Assert.Equal(5, plan.Blocks.Count);
        Assert.Equal(Reorg4, plan.Blocks[^1].Hash.ToString());
        Assert.Equal(2, plan.StaleBlocks);
    }

    [Fact]
    public void Select_BtcdSideChainAgainstStoreHoldingTheMainChain_RollsBackToHeight2()
    {
        var main = BlockFileSource.Open(TestData.Path("btcd", "blk_0_to_4.dat"), Network.BitcoinMain).Blocks;
        var store = new FakeStoredChain(main.Select(b => (b.Hash, b.Header)));
        using var dir = ReorgDir("blk_3A.dat", "blk_4A.dat", "blk_5A.dat");
        var side = BlockFileSource.Open(dir.Root, Network.BitcoinMain).Blocks;

        var plan = Select(side, store);

        Assert.Equal([Reorg3A, Reorg4A, Reorg5A], plan.Blocks.Select(b => b.Hash.ToString()));
        Assert.Equal(2, plan.ForkHeight);
        Assert.True(plan.Anchored);
        Assert.Equal(0, plan.StaleBlocks);
    }

    [Fact]
    public void Select_SideChainWithEqualWorkAgainstStore_KeepsTheStore()
    {
        var main = BlockFileSource.Open(TestData.Path("btcd", "blk_0_to_4.dat"), Network.BitcoinMain).Blocks;
        var store = new FakeStoredChain(main.Select(b => (b.Hash, b.Header)));
        using var dir = ReorgDir("blk_3A.dat", "blk_4A.dat");
        var side = BlockFileSource.Open(dir.Root, Network.BitcoinMain).Blocks;

        var plan = Select(side, store);

        Assert.Empty(plan.Blocks);
        Assert.Equal(4, plan.ForkHeight); // the store's tip: nothing to roll back
        Assert.Equal(2, plan.StaleBlocks);
    }

    [Fact]
    public void Select_AllFilesAgainstPartialStore_AppliesOnlyWhatIsMissing()
    {
        var all = new List<BlockLocation>();
        using var dir = ReorgDir("blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat", "blk_5A.dat");
        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        all.AddRange(source.Blocks);
        var store = new FakeStoredChain(all.Take(3).Select(b => (b.Hash, b.Header))); // heights 0..2

        var plan = Select(all, store);

        Assert.Equal([Reorg3A, Reorg4A, Reorg5A], plan.Blocks.Select(b => b.Hash.ToString()));
        Assert.Equal(2, plan.ForkHeight);
        Assert.Equal(2, plan.StaleBlocks);
        Assert.Contains(all, b => b.Hash.ToString() == Reorg3);
    }

    [Fact]
    public void Select_SecondFileAgainstStoreHoldingTheFirst_ExtendsFromHeight299()
    {
        var first = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), Network.BitcoinMain).Blocks;
        var store = new FakeStoredChain(first.Select(b => (b.Hash, b.Header)));
        using var dir = NBitcoinDir();

        var plan = Select(BlockFileSource.Open(dir.Root, Network.BitcoinMain).Blocks, store);

        Assert.Equal(300, plan.Blocks.Count);
        Assert.Equal(299, plan.ForkHeight);
        Assert.Equal("0000000062b69e4a2c3312a5782d7798b0711e9ebac065cd5d19f946439f8609", plan.Blocks[0].Hash.ToString());
        Assert.Equal(Block599, plan.Blocks[^1].Hash.ToString());
    }

    [Fact]
    public void Select_NothingNewAgainstFullStore_IsEmptyPlanAtTip()
    {
        var first = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), Network.BitcoinMain).Blocks;
        var store = new FakeStoredChain(first.Select(b => (b.Hash, b.Header)));

        var plan = Select(first, store);

        Assert.Empty(plan.Blocks);
        Assert.Equal(299, plan.ForkHeight);
        Assert.Equal(0, plan.StaleBlocks);
    }

    [Fact]
    public void Select_OnlyBlocksWithoutGenesisIntoEmptyStore_IsUnanchoredIsland()
    {
        var blocks = BlockFileSource.Open(TestData.Path("btcd", "blocks1-256"), Network.BitcoinMain).Blocks;

        var plan = Select(blocks);

        Assert.False(plan.Anchored);
        Assert.Equal(int.MinValue, plan.ForkHeight);
        Assert.Equal(255, plan.Blocks.Count);
        Assert.Equal(Block1, plan.Blocks[0].Hash.ToString());
    }

    [Fact]
    public void Select_IslandAgainstNonEmptyStore_IsIgnored()
    {
        var genesisOnly = BlockFileSource.Open(TestData.Path("btcd", "blk_0_to_4.dat"), Network.BitcoinMain).Blocks.Take(1);
        var store = new FakeStoredChain(genesisOnly.Select(b => (b.Hash, b.Header)));
        var island = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00001.dat"), Network.BitcoinMain).Blocks; // 300..599

        var plan = Select(island, store);

        Assert.Empty(plan.Blocks);
        Assert.Equal(300, plan.StaleBlocks);
    }

    [Fact]
    public void Select_BitcoinjFirst439Blocks_ChainsFromGenesis()
    {
        var source = BlockFileSource.Open(TestData.Path("bitcoinj", "first-100k-blocks.dat"), Network.BitcoinMain);

        var plan = Select(source.Blocks);

        Assert.Equal(439, plan.Blocks.Count);
        Assert.Equal(Genesis, plan.Blocks[0].Hash.ToString());
        var nbitcoin = BlockFileSource.Open(TestData.Path("nbitcoin", "blk00000.dat"), null).Blocks;
        Assert.Equal(nbitcoin.Select(b => b.Hash), plan.Blocks.Take(300).Select(b => b.Hash));
    }

    [Fact]
    public void Select_ReorgTestHexDump_SideChainTip5AWins()
    {
        using var dir = new TempDir();
        foreach (var (name, bytes) in Ashiato.Chains.Bitcoin.Tests.BlockFiles.ReorgDump.Decode())
        {
            dir.Write(name, bytes);
        }

        var source = BlockFileSource.Open(dir.Root, Network.BitcoinMain);
        Assert.Null(source.Fault);
        Assert.Equal(8, source.Blocks.Count);
        var parser = new BlockParser();
        foreach (var location in source.Blocks)
        {
            Assert.Equal(location.Hash, parser.Parse(source.Read(location), "reorgtest.hex", location.Offset).Hash);
        }

        var plan = Select(source.Blocks);

        Assert.Equal(6, plan.Blocks.Count);
        Assert.Equal(Genesis, plan.Blocks[0].Hash.ToString());
        Assert.Equal("000000002b2ad01cafc2e18e4ca5e84acdfa2e9f9e1c6e1773899a7e0d1c35dc", plan.Blocks[^1].Hash.ToString());
        Assert.Equal(source.Blocks[5].Hash, plan.Blocks[3].Hash); // 3A follows block 2
        Assert.Equal(2, plan.StaleBlocks);
    }
}
