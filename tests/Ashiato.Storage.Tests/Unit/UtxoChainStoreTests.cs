using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Tests.Unit;

public sealed class UtxoChainStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"ashiato-store-{Guid.NewGuid():N}");

    private UtxoChainStore Open() => UtxoChainStore.Open(_dir, "test", Network.BitcoinRegtest, create: true);

    private void Build(UtxoChainStore store, string seed, params int[] batches)
    {
        foreach (var n in batches)
        {
            var batch = store.BeginBatch();
            SyntheticChain.AddBlocks(store, batch, seed, n);
            store.Commit(batch);
        }
    }

    [Fact]
    public void Commit_Reopen_KeepsCountsIdsAndLookups()
    {
        using (var store = Open())
        {
            Build(store, "a", 10, 5, 7);
        }

        using var reopened = Open();
        Assert.Equal(22, reopened.BlockCount);
        Assert.Equal(21, reopened.TipHeight);
        Assert.Equal(3, reopened.Segments.Count);
        Assert.Equal(22 + 21, reopened.TxCount);
        Assert.Equal(22 + 21, reopened.InputCount);
        Assert.Equal(22 + 42, reopened.OutputCount);
        var id = reopened.FindTx(SyntheticChain.Hash("a", 15, "spend"));
        Assert.True(id >= 0);
        var tx = reopened.GetTx(id);
        Assert.Equal(15, tx.Height);
        var input = reopened.GetInput(tx.FirstInput);
        Assert.Equal(reopened.FindTx(SyntheticChain.Hash("a", 14, "coinbase")), reopened.TxOfOutput(input.Prev));
        Assert.Equal(SyntheticChain.Hash("a", 21, "block"), reopened.TipHash);
        Assert.Equal(7, reopened.FindBlock(SyntheticChain.Hash("a", 7, "block")));
    }

    [Fact]
    public void Postings_ListAnAddressesOutputsAndSpendsInChainOrder()
    {
        using var store = Open();
        Build(store, "a", 8, 8);
        var address = store.FindAddress(AddressKind.PubKeyHash, SyntheticChain.Payload(3));
        Assert.True(address >= 0);
        var postings = store.GetPostings((uint)address).ToList();
        // address 3 gets the coinbase of blocks 3 and 10, the change of the spends in blocks 3 and 10,
        // and spends the coinbases of 3 and 10 in blocks 4 and 11
        Assert.Equal(6, postings.Count);
        Assert.Equal(postings.OrderBy(p => p.IsInput ? store.TxOfInput(p.Id) : store.TxOfOutput(p.Id)).ToList(), postings);
        long balance = 0;
        foreach (var p in postings)
        {
            balance += p.IsInput ? -store.GetOutput(store.GetInput(p.Id).Prev).Value : store.GetOutput(p.Id).Value;
        }

        Assert.Equal(2 * 1_999_990_000L, balance);
    }

    [Fact]
    public void Open_AfterCrashLeftovers_RemovesUncommittedFiles()
    {
        using (var store = Open())
        {
            Build(store, "a", 5);
        }

        Directory.CreateDirectory(Path.Combine(_dir, "seg-99999999"));
        File.WriteAllText(Path.Combine(_dir, "seg-99999999", "tx.id"), "half written");
        File.WriteAllText(Path.Combine(_dir, Manifest.FileName + ".tmp"), "{");
        using var reopened = Open();
        Assert.False(Directory.Exists(Path.Combine(_dir, "seg-99999999")));
        Assert.False(File.Exists(Path.Combine(_dir, Manifest.FileName + ".tmp")));
        Assert.Equal(5, reopened.BlockCount);
    }

    [Fact]
    public void AbandonedBatch_LeavesNoTrace_AndIdsAreReused()
    {
        using var store = Open();
        Build(store, "a", 5);
        var batch = store.BeginBatch();
        SyntheticChain.AddBlocks(store, batch, "ghost", 3, parentSeed: "a");
        store.Abandon(batch);
        Assert.Equal(-1, store.FindTx(SyntheticChain.Hash("ghost", 6, "spend")));
        Build(store, "a", 3);
        Assert.Equal(8, store.BlockCount);
        Assert.Equal(-1, store.FindTx(SyntheticChain.Hash("ghost", 6, "spend")));
        Assert.True(store.FindTx(SyntheticChain.Hash("a", 6, "spend")) >= 0);
    }

    [Fact]
    public void Truncate_InsideASegment_DropsLaterRows_AndANewBranchReplaces_Them()
    {
        using var store = Open();
        Build(store, "a", 10, 10);
        var gone = SyntheticChain.Hash("a", 15, "spend");
        var oldAddress = store.FindAddress(AddressKind.PubKeyHash, SyntheticChain.Payload(115));
        Assert.True(oldAddress >= 0);
        store.Truncate(12);
        Assert.Equal(12, store.TipHeight);
        Assert.Equal(-1, store.FindTx(gone));
        Assert.Equal(-1, store.FindAddress(AddressKind.PubKeyHash, SyntheticChain.Payload(115)));
        Assert.Equal(13 + 12, store.TxCount);

        // the new branch builds on block 12 of "a"
        var batch = store.BeginBatch();
        for (var i = 0; i < 4; i++)
        {
            AddBranchBlock(store, batch);
        }

        store.Commit(batch);
        Assert.Equal(16, store.TipHeight);
        Assert.Equal(-1, store.FindTx(gone));
        Assert.Equal(SyntheticChain.Hash("b", 16, "block"), store.TipHash);
        var address3 = store.FindAddress(AddressKind.PubKeyHash, SyntheticChain.Payload(3));
        Assert.All(store.GetPostings((uint)address3), p => Assert.True(p.IsInput ? p.Id < store.InputCount : p.Id < store.OutputCount));
    }

    private static void AddBranchBlock(UtxoChainStore store, WriteBatch batch)
    {
        var n = batch.NextHeight;
        var header = new Ashiato.Chains.Bitcoin.Parsing.BlockHeader(1, batch.TipHash, SyntheticChain.Hash("b", n, "merkle"), 1, 0x207fffff, 0);
        batch.BeginBlock(SyntheticChain.Hash("b", n, "block"), header, 100, 100, 0);
        batch.BeginTx(SyntheticChain.Hash("b", n, "coinbase"), 1, 0, 100, 100, TxFlags.Coinbase);
        batch.AddCoinbaseInput([], uint.MaxValue, []);
        batch.AddOutput(1, ScriptType.PubKeyHash, AddressKind.PubKeyHash, SyntheticChain.Payload(3), []);
        batch.EndTx();
        batch.EndBlock();
        _ = store;
    }

    [Fact]
    public void DeletedIndex_IsRebuiltOnOpen()
    {
        using (var store = Open())
        {
            Build(store, "a", 30);
        }

        foreach (var idx in Directory.EnumerateFiles(_dir, "*.idx"))
        {
            File.Delete(idx);
        }

        using var reopened = Open();
        Assert.True(reopened.FindTx(SyntheticChain.Hash("a", 29, "spend")) >= 0);
        Assert.True(reopened.FindAddress(AddressKind.PubKeyHash, SyntheticChain.Payload(129)) >= 0);
    }

    [Fact]
    public void PostingsInATransactionRange_AreThePostingsOfThoseTransactions_AcrossSegments()
    {
        using var store = Open();
        Build(store, "a", 10, 5, 7);
        Assert.Equal(3, store.Segments.Count);
        long TxOf(Posting p) => p.IsInput ? store.TxOfInput(p.Id) : store.TxOfOutput(p.Id);
        var busiest = 0;
        for (uint a = 0; a < store.AddressCount; a++)
        {
            var all = store.GetPostings(a).ToList();
            busiest = Math.Max(busiest, all.Count);
            for (long from = 0; from <= store.TxCount + 1; from += 3)
            {
                foreach (var to in new[] { from, from + 1, from + 5, from + 17, store.TxCount, store.TxCount + 3 })
                {
                    var expected = all.Where(p => TxOf(p) >= from && TxOf(p) < to).ToList();
                    Assert.Equal(expected, store.GetPostings(a, from, to).ToList());
                }
            }
        }

        Assert.True(busiest >= 9, $"the busiest address has {busiest} postings: too few to test a range"); // address n % 7: coinbase, change and spends
    }

    [Fact]
    public void IndexesGrow_PastTheirFirstCapacity()
    {
        using (var store = Open())
        {
            Build(store, "a", 400, 400);
        }

        using var reopened = Open();
        for (var n = 1; n < 800; n += 37)
        {
            Assert.True(reopened.FindTx(SyntheticChain.Hash("a", n, "spend")) >= 0, $"spend of {n}");
        }
    }

    [Fact]
    public void ManySmallCommits_AreCompacted_AndReadExactlyLikeOneBigSegment()
    {
        using (var store = Open())
        {
            Build(store, "a", Enumerable.Repeat(2, 40).ToArray());
            Assert.True(store.Segments.Count < 40, $"{store.Segments.Count} segments: no compaction");
        }

        var other = Path.Combine(Path.GetTempPath(), $"ashiato-store-{Guid.NewGuid():N}");
        try
        {
            using var merged = Open();
            using var single = UtxoChainStore.Open(other, "test", Network.BitcoinRegtest, create: true);
            Build(single, "a", 80);
            Assert.Single(single.Segments);
            Assert.Equal(single.TxCount, merged.TxCount);
            Assert.Equal(single.AddressCount, merged.AddressCount);
            for (var n = 0; n < 80; n++)
            {
                Assert.Equal(single.GetBlockHash(n), merged.GetBlockHash(n));
                var id = merged.FindTx(SyntheticChain.Hash("a", n, "coinbase"));
                Assert.Equal(single.FindTx(SyntheticChain.Hash("a", n, "coinbase")), id);
                var (a, b) = (single.GetTx(id), merged.GetTx(id));
                Assert.Equal((a.TxId, a.FirstInput, a.InputCount, a.FirstOutput, a.OutputCount, a.Height, a.Meta.Version, a.Meta.Flags),
                    (b.TxId, b.FirstInput, b.InputCount, b.FirstOutput, b.OutputCount, b.Height, b.Meta.Version, b.Meta.Flags));
            }

            for (long o = 0; o < merged.OutputCount; o++)
            {
                Assert.Equal(single.GetOutput(o), merged.GetOutput(o));
            }

            for (long i = 0; i < merged.InputCount; i++)
            {
                Assert.Equal(single.GetInput(i).Prev, merged.GetInput(i).Prev);
                Assert.Equal(single.GetInputScript(i).ToArray(), merged.GetInputScript(i).ToArray());
            }

            for (uint a = 0; a < merged.AddressCount; a++)
            {
                Assert.Equal(single.GetAddress(a).Payload, merged.GetAddress(a).Payload);
                Assert.Equal(single.GetPostings(a).ToList(), merged.GetPostings(a).ToList());
            }
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void SecondWriter_IsRefused_AndAReaderLeavesTheWritersUnlistedSegmentAlone()
    {
        using var writer = Open();
        Build(writer, "a", 3);
        var inProgress = Path.Combine(_dir, "seg-77777777");
        Directory.CreateDirectory(inProgress); // as if the writer were between writing a segment and its manifest

        var e = Assert.Throws<UserErrorException>(() => Open());
        Assert.Contains("being written by another", e.Message, StringComparison.Ordinal);

        using (var reader = UtxoChainStore.Open(_dir, "test", null, create: false))
        {
            Assert.Equal(3, reader.BlockCount);
            Assert.True(reader.FindTx(SyntheticChain.Hash("a", 2, "spend")) >= 0);
        }

        Assert.True(Directory.Exists(inProgress));
        writer.Dispose();
        using var next = Open(); // the lock is free again; the leftover is tidied
        Assert.False(Directory.Exists(inProgress));
    }

    [Fact]
    public void WrongFormatVersion_IsAClearError()
    {
        using (var store = Open())
        {
            Build(store, "a", 2);
        }

        var path = Path.Combine(_dir, Manifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"format\": 1", "\"format\": 99", StringComparison.Ordinal));
        var e = Assert.Throws<UserErrorException>(() => Open());
        Assert.Contains("format 99", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
