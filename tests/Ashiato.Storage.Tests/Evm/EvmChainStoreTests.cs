using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;
using static Ashiato.Storage.Tests.Evm.EvmTestChain;

namespace Ashiato.Storage.Tests.Evm;

public sealed class EvmChainStoreTests : IDisposable
{
    private static readonly EvmChainCreate Eth = new("eth", 1, 0);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"ashiato-evm-{Guid.NewGuid():N}");

    private string Dir(string name = "eth") => Path.Combine(_root, name);

    private EvmChainStore Open(string name = "eth", EvmChainCreate? create = null, bool writer = true) =>
        EvmChainStore.Open(Dir(name), create ?? Eth with { Chain = name }, writer);

    /// <summary>A store built in one commit from exactly these blocks.</summary>
    private string DirectDump(IReadOnlyList<EvmStoredBlock> blocks, string name = "direct")
    {
        using var direct = Open(name, Eth with { Chain = "eth" });
        AppendAndCommit(direct, blocks);
        return Dump(direct);
    }

    private static EvmStoredBlock Block(long number, EvmHash parent, IReadOnlyList<EvmTransfer>? transfers = null, int txs = 1,
        bool tracesMissing = false, byte[]? bundle = null, int seed = 0)
    {
        var r = new Random((int)number + (seed * 7919));
        return new EvmStoredBlock
        {
            Number = number,
            Hash = RandomHash(r),
            ParentHash = parent,
            Timestamp = 1_700_000_000 + number,
            TracesMissing = tracesMissing,
            Bundle = bundle ?? [(byte)number, 1, 2, 3],
            TransactionHashes = Enumerable.Range(0, txs).Select(_ => RandomHash(r)).ToList(),
            Transfers = transfers ?? [],
        };
    }

    private static EvmTransfer Native(EvmAddress? from, EvmAddress? to, UInt256 amount, int tx = 0, int pos = 0) =>
        new(EvmTransferKind.Native, tx, pos, null, from, to, amount, UInt256.Zero);

    private static EvmTransfer Token(EvmAddress asset, EvmAddress? from, EvmAddress? to, UInt256 amount, int tx = 0, int pos = 0) =>
        new(EvmTransferKind.Erc20, tx, pos, asset, from, to, amount, UInt256.Zero);

    [Fact]
    public void AppendCommitReopen_ReadsBackEverything()
    {
        var blocks = Blocks(1, 0, 60, EvmHash.Zero);
        var expected = Expected("eth", 1, 0, blocks);
        using (var store = Open())
        {
            AppendAndCommit(store, blocks);
            Assert.Equal(expected, Dump(store));
            Assert.Single(store.Segments);
        }

        using var reopened = Open(writer: false, create: null);
        Assert.Equal(expected, Dump(reopened));
        Assert.True(reopened.TransferCount > 100);
        Assert.Contains(Enumerable.Range(0, (int)reopened.TransferCount), i => reopened.Transfer(i).Amount == UInt256.MaxValue);
        Assert.Contains(Enumerable.Range(0, (int)reopened.TransferCount), i => reopened.Transfer(i).TokenId == UInt256.MaxValue);
    }

    [Fact]
    public void AmountsAndTokenIds_Keep256Bits()
    {
        var a = Address(1);
        var nft = Address(2);
        var big = UInt256.Parse("115792089237316195423570985008687907853269984665640564039457584007913129639934");
        var transfers = new List<EvmTransfer>
        {
            Native(a, Address(3), UInt256.MaxValue),
            new(EvmTransferKind.Erc721, 0, 1, nft, null, a, UInt256.One, UInt256.MaxValue),
            new(EvmTransferKind.Erc1155, 0, 2, nft, a, null, big, big),
            new(EvmTransferKind.Erc721, -1, 3, nft, a, a, UInt256.One, UInt256.Zero),
            new(EvmTransferKind.BlockReward, -1, 4, null, null, a, new UInt256(0, 0, 1), UInt256.Zero),
        };
        using (var store = Open())
        {
            store.Append(Block(0, EvmHash.Zero, transfers));
            store.Commit();
        }

        using var reopened = Open();
        var read = Enumerable.Range(0, 5).Select(i => reopened.Transfer(i)).ToList();
        Assert.Equal(transfers.Select(t => (t.Kind, t.TransactionIndex, t.Position, t.Amount, t.TokenId)),
            read.Select(t => (t.Kind, t.TransactionIndex, t.Position, t.Amount, t.TokenId)));
        Assert.Equal(UInt256.MaxValue, read[0].Amount);
        Assert.Equal(new UInt256(0, 0, 1), read[4].Amount);
        Assert.True(read[0].IsNative);
        Assert.Equal(-1, read[0].AssetId);
        Assert.Equal(-1, read[1].FromId);
        Assert.Equal(-1, read[2].ToId);
        Assert.Equal(0, read[2].TxId);
        Assert.Equal(-1, read[3].TxId);
        Assert.True(read[4].IsBlockLevel);
        Assert.Equal(a, reopened.Address(read[4].ToId));
        // ids by first appearance: a (from of #0), address 3, nft (asset of #1)
        Assert.Equal(0, reopened.FindAddress(a));
        Assert.Equal(1, reopened.FindAddress(Address(3)));
        Assert.Equal(2, reopened.FindAddress(nft));
    }

    [Fact]
    public void AddressIds_FollowFirstAppearance_AssetThenSenderThenRecipient()
    {
        var (asset, from, to) = (Address(10), Address(11), Address(12));
        using var store = Open();
        store.Append(Block(0, EvmHash.Zero, [Token(asset, from, to, 5)]));
        Assert.Equal(new[] { 0L, 1L, 2L }, new[] { store.FindAddress(asset), store.FindAddress(from), store.FindAddress(to) });
        store.Commit();
        Assert.Equal(3, store.AddressCount);
        Assert.Equal(asset, store.Address(0));
    }

    [Fact]
    public void Postings_AreInChainOrder_WithDirection_AcrossSegments()
    {
        var (a, b) = (Address(1), Address(2));
        using var store = Open();
        store.Append(Block(0, EvmHash.Zero, [Native(a, b, 1), Native(b, a, 2, pos: 1)]));
        store.Commit();
        var parent = store.BlockHash(0);
        store.Append(Block(1, parent, [Native(a, a, 3), Native(null, a, 4, pos: 1), Token(Address(3), a, null, 5, pos: 2)]));
        store.Commit();
        Assert.Equal(2, store.Segments.Count);

        Assert.Equal(new[] { (0L, true), (1L, false), (2L, true), (2L, false), (3L, false), (4L, true) }, store.Postings(store.FindAddress(a)));
        Assert.Equal(new[] { (0L, false), (1L, true) }, store.Postings(store.FindAddress(b)));
        Assert.Empty(store.Postings(store.FindAddress(Address(3)))); // an asset is no party to its transfers
    }

    [Fact]
    public void MultipleCommits_MakeSegments_ThatReadLikeOne()
    {
        var blocks = Blocks(2, 0, 50, EvmHash.Zero);
        using (var store = Open())
        {
            AppendAndCommit(store, blocks, 7, 1, 12, 5, 3);
            Assert.Equal(6, store.Segments.Count);
        }

        using var reopened = Open();
        Assert.Equal(DirectDump(blocks), Dump(reopened));
        Assert.Equal(Expected("eth", 1, 0, blocks), Dump(reopened));
    }

    [Fact]
    public void ManySmallCommits_AreCompacted_AndReadLikeOneSegment()
    {
        var blocks = Blocks(3, 0, 80, EvmHash.Zero);
        using (var store = Open())
        {
            AppendAndCommit(store, blocks, Enumerable.Repeat(2, 39).ToArray());
            Assert.True(store.Segments.Count < 40, $"{store.Segments.Count} segments: no compaction");
            Assert.Equal(store.Segments.Count, Directory.GetDirectories(Dir(), "seg-*").Length);
        }

        using var reopened = Open();
        Assert.Equal(Expected("eth", 1, 0, blocks), Dump(reopened));
    }

    [Fact]
    public void MergedSegment_IsByteIdenticalToOneWrittenDirectly()
    {
        var blocks = Blocks(4, 0, 30, EvmHash.Zero);
        using var merged = Open();
        AppendAndCommit(merged, blocks, 5, 5, 5, 5, 5);
        merged.Merge(0, merged.Segments.Count);
        using var single = Open("single", Eth);
        AppendAndCommit(single, blocks);
        Assert.Single(merged.Segments);
        foreach (var column in EvmColumns.All)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(single.Segments[0].Directory, column)),
                File.ReadAllBytes(Path.Combine(merged.Segments[0].Directory, column)));
        }
    }

    [Theory]
    [InlineData(14)] // inside the second segment
    [InlineData(19)] // at the end of the second segment
    [InlineData(9)] // at the end of the first segment
    [InlineData(0)] // after the first block
    [InlineData(28)] // inside the last segment
    public void Truncate_ThenFork_ReadsLikeAStoreBuiltWithTheNewChain(int keep)
    {
        var a = Blocks(5, 0, 30, EvmHash.Zero);
        var b = Blocks(6, keep + 1, 12, a[keep].Hash, pool: 500);
        var newChain = a.Take(keep + 1).Concat(b).ToList();
        using (var store = Open())
        {
            AppendAndCommit(store, a, 10, 10);
            store.Truncate(keep);
            Assert.Equal(keep, store.TipHeight);
            Assert.Equal(Expected("eth", 1, 0, a.Take(keep + 1).ToList()), Dump(store));
            Assert.Equal(store.Segments.Count, Directory.GetDirectories(Dir(), "seg-*").Length);
            AppendAndCommit(store, b, 5);
            Assert.Equal(Expected("eth", 1, 0, newChain), Dump(store));
        }

        using var reopened = Open();
        Assert.Equal(DirectDump(newChain), Dump(reopened));
    }

    [Fact]
    public void Truncate_RemovedTransactionsAndAddresses_AreNotFound()
    {
        var a = Blocks(7, 0, 30, EvmHash.Zero);
        var b = Blocks(8, 13, 10, a[12].Hash, pool: 500);
        var kept = a.Take(13).ToList();
        var goneTxs = a.Skip(13).SelectMany(x => x.TransactionHashes).ToList();
        var goneAddresses = Parties(a.Skip(13)).Except(Parties(kept)).Except(Parties(b)).ToList();
        Assert.NotEmpty(goneTxs);
        Assert.NotEmpty(goneAddresses);
        using (var store = Open())
        {
            AppendAndCommit(store, a, 10);
            store.Truncate(12);
            Assert.All(goneTxs, h => Assert.Equal(-1, store.FindTransaction(h)));
            Assert.All(goneAddresses, x => Assert.Equal(-1, store.FindAddress(x)));
            AppendAndCommit(store, b);
            Assert.All(goneTxs, h => Assert.Equal(-1, store.FindTransaction(h)));
            Assert.All(goneAddresses, x => Assert.Equal(-1, store.FindAddress(x)));
        }

        using var reopened = Open();
        Assert.All(goneTxs, h => Assert.Equal(-1, reopened.FindTransaction(h)));
        Assert.All(goneAddresses, x => Assert.Equal(-1, reopened.FindAddress(x)));
        Assert.All(b.SelectMany(x => x.TransactionHashes), h => Assert.True(reopened.FindTransaction(h) >= 0));
    }

    private static IEnumerable<EvmAddress> Parties(IEnumerable<EvmStoredBlock> blocks) =>
        blocks.SelectMany(x => x.Transfers).SelectMany(t => new[] { t.Asset, t.From, t.To }).OfType<EvmAddress>().Distinct();

    [Fact]
    public void Truncate_AmongPendingBlocks_KeepsTheEarlierPendingBlocks()
    {
        var a = Blocks(9, 0, 20, EvmHash.Zero);
        var b = Blocks(10, 16, 6, a[15].Hash, pool: 500);
        using var store = Open();
        AppendAndCommit(store, a.Take(10).ToList());
        foreach (var x in a.Skip(10))
        {
            store.Append(x);
        }

        store.Truncate(15);
        Assert.Equal(10, store.BlockCount);
        Assert.Equal(6, store.PendingBlockCount);
        Assert.Equal(15, store.PendingTipHeight);
        Assert.Equal(a[15].Hash, store.BlockHash(15));
        Assert.All(a.Skip(16).SelectMany(x => x.TransactionHashes), h => Assert.Equal(-1, store.FindTransaction(h)));
        foreach (var x in b)
        {
            store.Append(x);
        }

        store.Commit();
        Assert.Equal(Expected("eth", 1, 0, a.Take(16).Concat(b).ToList()), Dump(store));
    }

    [Fact]
    public void Truncate_BelowTheCommittedTip_DiscardsPendingBlocks()
    {
        var a = Blocks(11, 0, 20, EvmHash.Zero);
        using var store = Open();
        AppendAndCommit(store, a.Take(15).ToList(), 8);
        foreach (var x in a.Skip(15))
        {
            store.Append(x);
        }

        store.Truncate(4);
        Assert.Equal(0, store.PendingBlockCount);
        Assert.Equal(5, store.NextHeight);
        Assert.Equal(Expected("eth", 1, 0, a.Take(5).ToList()), Dump(store));
        Assert.All(a.Skip(5).SelectMany(x => x.TransactionHashes), h => Assert.Equal(-1, store.FindTransaction(h)));
    }

    [Fact]
    public void Truncate_BeforeTheFirstBlock_EmptiesTheChain()
    {
        var a = Blocks(12, 100, 10, EvmHash.Zero);
        using (var store = Open(create: Eth with { BaseHeight = 100 }))
        {
            AppendAndCommit(store, a, 4);
            Assert.Throws<UserErrorException>(() => store.Truncate(98));
            store.Truncate(99);
            Assert.Null(store.TipHeight);
            Assert.Equal(0, store.TxCount);
            Assert.Empty(store.Segments);
            AppendAndCommit(store, a);
        }

        using var reopened = Open(create: Eth with { BaseHeight = 100 });
        Assert.Equal(Expected("eth", 1, 100, a), Dump(reopened));
    }

    [Fact]
    public void Uncommitted_IsLostOnReopen_AndItsIdsAreReused()
    {
        var a = Blocks(13, 0, 10, EvmHash.Zero);
        var ghost = Blocks(14, 5, 5, a[4].Hash, pool: 900);
        using (var store = Open())
        {
            AppendAndCommit(store, a.Take(5).ToList());
            foreach (var x in ghost)
            {
                store.Append(x);
            }

            Assert.True(store.FindTransaction(ghost[^1].TransactionHashes.Concat(ghost[0].TransactionHashes).First()) >= 0);
        }

        using (var reopened = Open())
        {
            Assert.Equal(5, reopened.BlockCount);
            Assert.Equal(0, reopened.PendingBlockCount);
            Assert.All(ghost.SelectMany(x => x.TransactionHashes), h => Assert.Equal(-1, reopened.FindTransaction(h)));
            Assert.All(Parties(ghost).Except(Parties(a)), x => Assert.Equal(-1, reopened.FindAddress(x)));
            AppendAndCommit(reopened, a.Skip(5).ToList());
        }

        using var last = Open();
        Assert.Equal(Expected("eth", 1, 0, a), Dump(last));
        Assert.All(ghost.SelectMany(x => x.TransactionHashes), h => Assert.Equal(-1, last.FindTransaction(h)));
    }

    [Fact]
    public void DiscardPending_DropsThePendingBlocks()
    {
        var a = Blocks(15, 0, 6, EvmHash.Zero);
        using var store = Open();
        AppendAndCommit(store, a.Take(3).ToList());
        store.Append(a[3]);
        store.DiscardPending();
        Assert.Equal(3, store.NextHeight);
        Assert.All(a[3].TransactionHashes, h => Assert.Equal(-1, store.FindTransaction(h)));
        AppendAndCommit(store, a.Skip(3).ToList());
        Assert.Equal(Expected("eth", 1, 0, a), Dump(store));
    }

    [Fact]
    public void CrashLeftovers_AreTidiedOnOpen()
    {
        var a = Blocks(16, 0, 10, EvmHash.Zero);
        using (var store = Open())
        {
            AppendAndCommit(store, a);
        }

        Directory.CreateDirectory(Path.Combine(Dir(), "seg-99999999"));
        File.WriteAllText(Path.Combine(Dir(), "seg-99999999", EvmColumns.TxHash), "half written");
        File.WriteAllText(Path.Combine(Dir(), EvmManifest.FileName + ".tmp"), "{");
        File.WriteAllText(Path.Combine(Dir(), "tx.77.4096.idx"), "grown by a run that did not commit");
        using var reopened = Open();
        Assert.False(Directory.Exists(Path.Combine(Dir(), "seg-99999999")));
        Assert.False(File.Exists(Path.Combine(Dir(), EvmManifest.FileName + ".tmp")));
        Assert.False(File.Exists(Path.Combine(Dir(), "tx.77.4096.idx")));
        Assert.Equal(Expected("eth", 1, 0, a), Dump(reopened));
    }

    [Fact]
    public void CrashBeforeTheManifestRename_LeavesTheLastCommittedState()
    {
        var a = Blocks(17, 0, 20, EvmHash.Zero);
        var manifest = Path.Combine(Dir(), EvmManifest.FileName);
        byte[] committed;
        using (var store = Open())
        {
            AppendAndCommit(store, a.Take(10).ToList());
            committed = File.ReadAllBytes(manifest);
            AppendAndCommit(store, a.Skip(10).ToList());
        }

        // as if killed after the second segment and its index entries were written, before the manifest rename
        File.WriteAllBytes(manifest, committed);
        using (var reopened = Open())
        {
            Assert.Equal(10, reopened.BlockCount);
            Assert.Single(Directory.GetDirectories(Dir(), "seg-*"));
            Assert.All(a.Skip(10).SelectMany(x => x.TransactionHashes), h => Assert.Equal(-1, reopened.FindTransaction(h)));
            Assert.Equal(Expected("eth", 1, 0, a.Take(10).ToList()), Dump(reopened));
            AppendAndCommit(reopened, a.Skip(10).ToList()); // resume
        }

        using var last = Open();
        Assert.Equal(Expected("eth", 1, 0, a), Dump(last));
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("oversize")]
    [InlineData("truncate")]
    [InlineData("header")]
    public void DamagedIndexes_AreRebuiltFromTheSegments(string damage)
    {
        var a = Blocks(18, 0, 300, EvmHash.Zero); // enough rows to grow both indexes past their first capacity
        using (var store = Open())
        {
            AppendAndCommit(store, a, 100);
        }

        foreach (var idx in Directory.GetFiles(Dir(), "*.idx"))
        {
            switch (damage)
            {
                case "delete":
                    File.Delete(idx);
                    break;
                case "oversize":
                    using (var fs = new FileStream(idx, FileMode.Append))
                    {
                        fs.Write(new byte[4096]);
                    }

                    break;
                case "truncate":
                    using (var fs = new FileStream(idx, FileMode.Open))
                    {
                        fs.SetLength(fs.Length / 2);
                    }

                    break;
                default:
                    using (var fs = new FileStream(idx, FileMode.Open))
                    {
                        fs.Write(new byte[8]);
                    }

                    break;
            }
        }

        using var reopened = Open();
        Assert.Equal(Expected("eth", 1, 0, a), Dump(reopened));
        Assert.Equal(2, Directory.GetFiles(Dir(), "*.idx").Length);
    }

    [Fact]
    public void Indexes_GrowInsideAPendingBatch_AndStayValidAfterTruncateAndReopen()
    {
        var a = Blocks(22, 0, 400, EvmHash.Zero, maxTransfers: 12, maxAccounts: 5000);
        using (var store = Open())
        {
            AppendAndCommit(store, a.Take(40).ToList());
            foreach (var x in a.Skip(40).Take(300))
            {
                store.Append(x); // well past 1024 / 2 transactions and addresses: both indexes grow while pending
            }

            Assert.Contains(Directory.GetFiles(Dir(), "tx.*.idx"), f => !f.EndsWith(".1024.idx", StringComparison.Ordinal));
            Assert.Contains(Directory.GetFiles(Dir(), "addr.*.idx"), f => !f.EndsWith(".1024.idx", StringComparison.Ordinal));
            Assert.All(a.Take(340).SelectMany(x => x.TransactionHashes), h => Assert.True(store.FindTransaction(h) >= 0));
            store.Truncate(30); // the grown indexes are named by the new manifest; their later entries are stale
            Assert.Equal(Expected("eth", 1, 0, a.Take(31).ToList()), Dump(store));
        }

        using (var reopened = Open())
        {
            Assert.Equal(Expected("eth", 1, 0, a.Take(31).ToList()), Dump(reopened));
            foreach (var x in a.Skip(31).Take(300))
            {
                reopened.Append(x);
            }

            // not committed: the indexes grown again are left unreferenced, as after a crash
        }

        using (var again = Open())
        {
            Assert.Equal(2, Directory.GetFiles(Dir(), "*.idx").Length);
            Assert.Equal(Expected("eth", 1, 0, a.Take(31).ToList()), Dump(again));
            AppendAndCommit(again, a.Skip(31).ToList(), 150);
        }

        using var last = Open();
        Assert.Equal(Expected("eth", 1, 0, a), Dump(last));
        Assert.Equal(DirectDump(a), Dump(last));
    }

    [Fact]
    public void Append_OfAWrongHeight_OrAnotherParent_IsAClearError()
    {
        using var store = Open();
        store.Append(Block(0, EvmHash.Zero));
        var gap = Assert.Throws<InvalidOperationException>(() => store.Append(Block(2, store.BlockHash(0))));
        Assert.Contains("next height is 1", gap.Message, StringComparison.Ordinal);
        var again = Assert.Throws<InvalidOperationException>(() => store.Append(Block(0, EvmHash.Zero)));
        Assert.Contains("next height is 1", again.Message, StringComparison.Ordinal);
        var fork = Assert.Throws<InvalidOperationException>(() => store.Append(Block(1, EvmHash.Zero)));
        Assert.Contains("Truncate", fork.Message, StringComparison.Ordinal);
        var badTx = Assert.Throws<ArgumentException>(() => store.Append(Block(1, store.BlockHash(0), [Native(Address(1), Address(2), 1, tx: 3)])));
        Assert.Contains("transaction index 3", badTx.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.PendingBlockCount); // refused blocks leave nothing behind
        Assert.Equal(-1, store.FindAddress(Address(1)));
        store.Append(Block(1, store.BlockHash(0)));
        store.Commit();
        Assert.Equal(1, store.TipHeight);
    }

    [Fact]
    public void Open_WithAnotherChainId_IsAClearError()
    {
        using (var store = Open())
        {
            store.Append(Block(0, EvmHash.Zero));
            store.Commit();
        }

        var e = Assert.Throws<UserErrorException>(() => Open(create: Eth with { ChainId = 10 }));
        Assert.Contains("chain id 1, not 10", e.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<UserErrorException>(() => EvmChainStore.Open(Dir("nope"), null, writer: true));
        Assert.Contains("not in the store", missing.Message, StringComparison.Ordinal);
        using var reader = EvmChainStore.Open(Dir(), null, writer: false);
        Assert.Equal(1, reader.ChainId);
        Assert.Throws<InvalidOperationException>(() => reader.Append(Block(1, reader.BlockHash(0))));
    }

    [Fact]
    public void WrongFormatVersion_OrAUtxoManifest_IsAClearError()
    {
        using (var store = Open())
        {
            store.Append(Block(0, EvmHash.Zero));
            store.Commit();
        }

        var path = Path.Combine(Dir(), EvmManifest.FileName);
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text.Replace("\"format\": 1", "\"format\": 99", StringComparison.Ordinal));
        Assert.Contains("format 99", Assert.Throws<UserErrorException>(() => Open()).Message, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("\"family\": \"evm\",", "", StringComparison.Ordinal));
        Assert.Contains("not an EVM chain", Assert.Throws<UserErrorException>(() => Open()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondWriter_IsRefused_AndAReaderLeavesTheWritersUnlistedSegmentAlone()
    {
        var a = Blocks(19, 0, 5, EvmHash.Zero);
        using var writer = Open();
        AppendAndCommit(writer, a);
        var inProgress = Path.Combine(Dir(), "seg-77777777");
        Directory.CreateDirectory(inProgress);

        var e = Assert.Throws<UserErrorException>(() => Open());
        Assert.Contains("being written by another", e.Message, StringComparison.Ordinal);
        using (var reader = Open(writer: false))
        {
            Assert.Equal(5, reader.BlockCount);
            Assert.Equal(Expected("eth", 1, 0, a), Dump(reader));
        }

        Assert.True(Directory.Exists(inProgress));
        writer.Dispose();
        using var next = Open();
        Assert.False(Directory.Exists(inProgress));
    }

    [Fact]
    public void TraceGaps_AreTheRangesOfBlocksStoredWithoutTraces()
    {
        bool[] missing = [false, true, true, false, true, false, false, true, true, true];
        using var store = Open(create: Eth with { BaseHeight = 50 });
        var parent = EvmHash.Zero;
        for (var i = 0; i < missing.Length; i++)
        {
            var b = Block(50 + i, parent, tracesMissing: missing[i]);
            store.Append(b);
            parent = b.Hash;
            if (i is 2 or 6)
            {
                store.Commit(); // gaps continue across segments
            }
        }

        Assert.True(store.TracesMissing(58)); // pending
        store.Commit();
        Assert.Equal(new[] { (51L, 52L), (54L, 54L), (57L, 59L) }, store.TraceGaps());
        Assert.False(store.TracesMissing(50));
        Assert.True(store.TracesMissing(59));
    }

    [Fact]
    public void IsKnownAsset_SeesPendingAndCommittedAssets()
    {
        var (token, holder, later) = (Address(20), Address(21), Address(22));
        using (var store = Open())
        {
            store.Append(Block(0, EvmHash.Zero, [Native(later, holder, 1)]));
            Assert.False(store.IsKnownAsset(token));
            Assert.False(store.IsKnownAsset(later));
            store.Commit();
            var b1 = Block(1, store.BlockHash(0), [Token(token, null, holder, 100)]);
            store.Append(b1);
            Assert.True(store.IsKnownAsset(token)); // pending
            Assert.False(store.IsKnownAsset(holder));
            store.Commit();
            Assert.True(store.IsKnownAsset(token));
            store.Append(Block(2, b1.Hash, [Token(later, holder, null, 1)])); // an account first, an asset later
            Assert.True(store.IsKnownAsset(later));
            store.Commit();
        }

        using (var reopened = Open())
        {
            Assert.True(reopened.IsKnownAsset(token));
            Assert.True(reopened.IsKnownAsset(later));
            Assert.False(reopened.IsKnownAsset(holder));
            Assert.False(reopened.IsKnownAsset(Address(99)));
            reopened.Truncate(1);
            Assert.False(reopened.IsKnownAsset(later)); // its first use as an asset was rolled back
            Assert.True(reopened.IsKnownAsset(token));
            reopened.Truncate(0);
            Assert.False(reopened.IsKnownAsset(token));
        }
    }

    [Fact]
    public void PendingBlocks_AreReadable_ForReorgChecks()
    {
        var a = Blocks(20, 0, 8, EvmHash.Zero);
        using var store = Open();
        AppendAndCommit(store, a.Take(4).ToList());
        foreach (var x in a.Skip(4))
        {
            store.Append(x);
        }

        Assert.Equal(3, store.TipHeight);
        Assert.Equal(7, store.PendingTipHeight);
        Assert.Equal(8, store.NextHeight);
        Assert.Equal(a[7].Hash, store.BlockHash(7));
        Assert.Equal(a[7].ParentHash, store.ParentHash(7));
        Assert.Equal(a[6].Timestamp, store.Timestamp(6));
        Assert.Equal(a[5].Bundle, store.Bundle(5).ToArray());
        var tx = a.Skip(4).SelectMany((x, i) => x.TransactionHashes.Select((h, k) => (h, x.Number, k))).Last();
        var id = store.FindTransaction(tx.h);
        Assert.True(id >= store.TxCount);
        Assert.Equal((tx.Number, tx.k), store.TransactionLocation(id));
        Assert.Equal(tx.h, store.TransactionHash(id));
        var party = Parties(a.Skip(4)).Except(Parties(a.Take(4))).First();
        var addressId = store.FindAddress(party);
        Assert.True(addressId >= store.AddressCount);
        Assert.Equal(party, store.Address(addressId));
        Assert.Throws<UserErrorException>(() => store.BlockHash(8));
    }

    [Fact]
    public void ShouldCommit_OnceThePendingBundlesReachTheThreshold()
    {
        using var store = Open();
        store.CommitThreshold = 1000;
        Assert.False(store.ShouldCommit);
        store.Append(Block(0, EvmHash.Zero, bundle: new byte[600]));
        Assert.False(store.ShouldCommit);
        store.Append(Block(1, store.BlockHash(0), bundle: new byte[400]));
        Assert.True(store.ShouldCommit);
        Assert.Equal(1000, store.PendingBundleBytes);
        store.Commit();
        Assert.False(store.ShouldCommit);
        Assert.Equal(64L * 1024 * 1024, EvmChainStore.DefaultCommitBytes);
    }

    [Fact]
    public void SameBlocks_GiveByteIdenticalFiles()
    {
        var a = Blocks(21, 0, 60, EvmHash.Zero);
        foreach (var name in new[] { "one", "two" })
        {
            using var store = Open(name, Eth with { Chain = "eth" });
            AppendAndCommit(store, a, 20, 20);
            store.Truncate(45);
            AppendAndCommit(store, a.Skip(46).ToList());
        }

        var one = Directory.GetFiles(Dir("one"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Dir("one"), f)).Order().ToList();
        var two = Directory.GetFiles(Dir("two"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Dir("two"), f)).Order().ToList();
        Assert.Equal(one, two);
        Assert.Contains(one, f => f.EndsWith(EvmColumns.PostingEntries, StringComparison.Ordinal));
        foreach (var f in one.Where(f => f != "LOCK"))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(Dir("one"), f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Dir("two"), f))), f);
        }
    }

    [Fact]
    public void AnEmptyChain_StartsWhereTheFirstWriterSays()
    {
        using (var store = Open(create: Eth with { BaseHeight = 1000 }))
        {
            Assert.Null(store.TipHeight);
            Assert.Equal(1000, store.NextHeight);
        }

        using (var store = Open(create: Eth with { BaseHeight = 2000 }))
        {
            Assert.Equal(2000, store.NextHeight); // nothing stored yet: the new start is adopted
            store.Append(Block(2000, EvmHash.Zero));
            store.Commit();
        }

        using var reopened = Open(create: Eth with { BaseHeight = 0 });
        Assert.Equal(2000, reopened.BaseHeight); // blocks are stored: the base stays
        Assert.Equal(2001, reopened.NextHeight);
    }

    [Fact]
    public void StoreDirectory_RecognisesEvmChains()
    {
        using var dir = StoreDirectory.Open(Path.Combine(_root, "store"), create: true);
        using (var evm = dir.OpenEvmChain("eth", Eth, writer: true))
        {
            evm.Append(Block(0, EvmHash.Zero));
            evm.Commit();
        }

        Assert.Equal("evm", dir.ChainFamily("eth"));
        Assert.Null(dir.ChainFamily("other"));
        Assert.Equal(new[] { "eth" }, dir.Chains());
        var e = Assert.Throws<UserErrorException>(() => dir.OpenUtxoChain("eth", null, create: false));
        Assert.Contains("EVM chain", e.Message, StringComparison.Ordinal);
        using var reader = dir.OpenEvmChain("eth", null, writer: false);
        Assert.Equal(0, reader.TipHeight);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
