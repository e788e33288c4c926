using Ashiato.Analysis.Tracing.Utxo;

namespace Ashiato.Analysis.Tests.Tracing;

public sealed class SpentByIndexTests
{
    private static byte[] Bytes(TinyChain c) => File.ReadAllBytes(Path.Combine(SpentByIndex.DirectoryOf(c.Chain), SpentByIndex.Data));

    private static byte[] InValueBytes(TinyChain c) => File.ReadAllBytes(Path.Combine(SpentByIndex.DirectoryOf(c.Chain), SpentByIndex.InValues));

    private static void Build(TinyChain c, int upTo)
    {
        var steps = new Action[]
        {
            () => c.Coinbase("a", ("A", 1000), ("B", 500)),
            () => c.Tx("t1", ["a:0"], [("C", 900), ("D", 90)]),
            () => c.Tx("t2", ["a:1", "t1:1"], [("E", 580)]),
            () => c.Tx("t3", ["t1:0"], [("F", 800), ("G", 99)]),
        };
        for (var i = 0; i < upTo; i++)
        {
            steps[i]();
        }

        c.Commit();
    }

    [Fact]
    public void Maps_each_output_to_its_spending_input()
    {
        using var c = new TinyChain();
        Build(c, 4);
        var index = SpentByIndex.LoadOrEnsure(c.Chain, null, out var result);
        Assert.Equal("rebuilt", result.Action);
        for (long o = 0; o < c.Chain.OutputCount; o++)
        {
            var spender = index.SpendingInput(o);
            if (spender >= 0)
            {
                Assert.Equal(o, c.Chain.GetInput(spender).Prev);
            }
        }

        Assert.Equal(4, result.Meta.Spent); // a:0, a:1, t1:0, t1:1
        Assert.Equal(-1, index.SpendingInput(c.Chain.OutputCount - 1));
        SpentByIndex.LoadOrEnsure(c.Chain, null, out var again);
        Assert.Equal("current", again.Action);

        // the digest is taken when the file is written, with the file's last-write time; a file written since is hashed
        // again on open: one written with the same size and other bytes is found out and rebuilt
        var path = Path.Combine(SpentByIndex.DirectoryOf(c.Chain), SpentByIndex.Data);
        Assert.Equal(File.GetLastWriteTimeUtc(path).Ticks, again.Meta.DataWriteTicks);
        index.Dispose();
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, new DateTime(again.Meta.DataWriteTicks, DateTimeKind.Utc).AddSeconds(1));
        SpentByIndex.LoadOrEnsure(c.Chain, null, out var repaired).Dispose();
        Assert.Equal("rebuilt", repaired.Action);
        Assert.Contains("digest", repaired.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Extending_after_new_blocks_gives_the_bytes_of_a_full_build_and_a_reorg_rebuilds()
    {
        using var full = new TinyChain();
        Build(full, 4);
        SpentByIndex.Load(full.Chain);
        var expected = Bytes(full);
        var expectedInValues = InValueBytes(full);

        using var grown = new TinyChain();
        Build(grown, 2);
        var lines = new List<string>();
        SpentByIndex.Load(grown.Chain, lines.Add);
        grown.Tx("t2", ["a:1", "t1:1"], [("E", 580)]).Tx("t3", ["t1:0"], [("F", 800), ("G", 99)]).Commit();
        SpentByIndex.LoadOrEnsure(grown.Chain, lines.Add, out var ext);
        Assert.Equal("extended", ext.Action);
        Assert.Equal(expected, Bytes(grown));
        Assert.Equal(expectedInValues, InValueBytes(grown));
        Assert.Contains(lines, l => l.Contains("extending", StringComparison.Ordinal));

        // a reorg below the covered height: the stored index no longer matches the chain's block there
        grown.Chain.Truncate(1);
        SpentByIndex.LoadOrEnsure(grown.Chain, null, out var after);
        Assert.Equal("rebuilt", after.Action);
        Assert.Contains("reorg", after.Reason, StringComparison.Ordinal);

        // a damaged file is rebuilt
        File.WriteAllBytes(Path.Combine(SpentByIndex.DirectoryOf(full.Chain), SpentByIndex.Data), new byte[expected.Length]);
        SpentByIndex.LoadOrEnsure(full.Chain, null, out var repaired);
        Assert.Equal("rebuilt", repaired.Action);
        Assert.Equal(expected, Bytes(full));
    }
    [Fact]
    public void Spender_transactions_and_spent_coin_values_equal_the_chains()
    {
        using var c = new TinyChain();
        Build(c, 4);
        using var index = SpentByIndex.LoadOrEnsure(c.Chain, null, out _);
        var chain = c.Chain;
        for (long t = 0; t < chain.TxCount; t++)
        {
            var tx = chain.GetTx(t);
            var inputs = new long[tx.OutputCount];
            var txs = new long[tx.OutputCount];
            index.Spenders(tx.FirstOutput, inputs, txs);
            for (var j = 0; j < tx.OutputCount; j++)
            {
                var (input, spenderTx) = index.Spender(tx.FirstOutput + j);
                Assert.Equal((input, spenderTx), (inputs[j], txs[j]));
                Assert.Equal(input < 0 ? -1 : chain.TxOfInput(input), spenderTx);
                Assert.Equal(input, index.SpendingInput(tx.FirstOutput + j));
            }

            // the spent coin's value per input: the spent output's value; 0 for the coinbase input
            var values = new long[tx.InputCount];
            long expectedSum = 0;
            for (var i = 0; i < tx.InputCount; i++)
            {
                var prev = chain.GetInput(tx.FirstInput + i).Prev;
                var expected = prev >= 0 ? chain.GetOutput(prev).Value : 0;
                Assert.Equal(expected, index.InputValue(tx.FirstInput + i));
                expectedSum += expected;
            }

            Assert.Equal(expectedSum, index.InputValues(tx.FirstInput, values));
        }

        // t2 spends a:1 (500) and t1:1 (90)
        var t2 = chain.GetTx(chain.FindTx(Ashiato.Core.Hash256.Parse(c.TxId("t2"))));
        Assert.Equal(590, index.InputValues(t2.FirstInput, new long[2]));
    }

    [Fact]
    public void A_damaged_input_values_file_is_found_by_its_digest_and_rebuilt_to_the_same_bytes()
    {
        using var c = new TinyChain();
        Build(c, 4);
        SpentByIndex.LoadOrEnsure(c.Chain, null, out var first).Dispose();
        var path = Path.Combine(SpentByIndex.DirectoryOf(c.Chain), SpentByIndex.InValues);
        var expected = File.ReadAllBytes(path);
        Assert.Equal(c.Chain.InputCount * sizeof(long), expected.Length);

        var damaged = (byte[])expected.Clone();
        damaged[^8] ^= 0x40;
        File.WriteAllBytes(path, damaged);
        File.SetLastWriteTimeUtc(path, new DateTime(first.Meta.InValueWriteTicks, DateTimeKind.Utc).AddSeconds(1));
        SpentByIndex.LoadOrEnsure(c.Chain, null, out var repaired).Dispose();
        Assert.Equal("rebuilt", repaired.Action);
        Assert.Contains(SpentByIndex.InValues, repaired.Reason, StringComparison.Ordinal);
        Assert.Equal(expected, File.ReadAllBytes(path));

        // a truncated file does not match the meta's size
        File.WriteAllBytes(path, expected[..^8]);
        SpentByIndex.LoadOrEnsure(c.Chain, null, out var again).Dispose();
        Assert.Equal("rebuilt", again.Action);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }
}
