using Ashiato.Analysis.Tracing.Utxo;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>The tracer's column view reads what the store's accessors read, across segments (each commit of the tiny chain is one).</summary>
public sealed class UtxoChainViewTests : IDisposable
{
    private readonly TinyChain _c = new();

    public void Dispose() => _c.Dispose();

    [Fact]
    public void Block_times_heights_and_spenders_equal_the_stores_across_segments()
    {
        _c.Coinbase("a", ("A", 1000), ("B", 500)).Commit();
        _c.Tx("t1", ["a:0"], [("C", 900), ("D", 90)]).Tx("t2", ["a:1", "t1:1"], [("E", 580)]).Commit();
        _c.Tx("t3", ["t1:0"], [("F", 800), ("G", 99)]).Commit();
        _c.Tx("t4", ["t3:0", "t3:1", "t2:0"], [("H", 1400)]).Commit();
        var chain = _c.Chain;
        Assert.True(chain.Segments.Count >= 4);
        var view = new UtxoChainView(chain);
        for (var h = chain.BaseHeight; h <= chain.TipHeight; h++)
        {
            Assert.Equal(chain.GetBlockHeader(h).Time, view.BlockTime(h));
            Assert.Equal(_c.TimeOfBlock(h).ToUnixTimeSeconds(), view.BlockTime(h));
        }

        for (long t = 0; t < chain.TxCount; t++)
        {
            Assert.Equal(chain.HeightOfTx(t), view.HeightOfTx(t));
        }

        for (long i = 0; i < chain.InputCount; i++)
        {
            Assert.Equal(chain.TxOfInput(i), view.TxOfInput(i));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => view.BlockTime(chain.TipHeight + 1));

        // rows, outputs and txids through the segment directory (all of these segments fall in its first block of ids)
        for (long t = 0; t < chain.TxCount; t++)
        {
            var row = view.GetRow(t);
            var stored = chain.GetTx(t);
            Assert.Equal((stored.FirstInput, stored.InputCount, stored.FirstOutput, stored.OutputCount), (row.FirstInput, row.InputCount, row.FirstOutput, row.OutputCount));
            Assert.Equal(chain.GetTxId(t), view.TxId(t));
        }

        for (long o = 0; o < chain.OutputCount; o++)
        {
            var stored = chain.GetOutput(o);
            Assert.Equal((stored.Value, stored.AddressId), view.Output(o));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => view.GetRow(chain.TxCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Output(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.InPrev(chain.InputCount));

        // a commit replaces the segment list: the view says it is stale (the tracer then makes a new one)
        for (long o = 0; o < chain.OutputCount; o++)
        {
            Assert.Equal(chain.TxOfOutput(o), view.TxOfOutput(o));
        }

        Assert.True(view.IsCurrent());
        _c.Tx("t5", ["t4:0"], [("I", 1300)]).Commit();
        Assert.False(view.IsCurrent());
        Assert.Equal(chain.GetTx(chain.TxCount - 1).FirstOutput, new UtxoChainView(chain).GetRow(chain.TxCount - 1).FirstOutput);
    }

    [Fact]
    public void The_transaction_of_an_input_or_output_is_the_stores_in_segments_of_very_uneven_blocks()
    {
        // many blocks per segment, their outputs and inputs spread very unevenly (a probe at the "even spread" estimate
        // lands far from the answer): the view's search must still give the store's binary search's answer
        var random = new Random(3);
        var unspent = new List<string>();
        for (var batch = 0; batch < 3; batch++)
        {
            for (var i = 0; i < 120; i++)
            {
                var name = $"b{batch}t{i}";
                var outputs = random.Next(10) == 0 ? 60 + random.Next(200) : 1 + random.Next(2);
                var inputs = unspent.Count > 0 && random.Next(6) == 0 ? unspent.Take(Math.Min(unspent.Count, 1 + random.Next(40))).ToArray() : [];
                unspent.RemoveRange(0, inputs.Length);
                _c.Tx(name, inputs, [.. Enumerable.Range(0, outputs).Select(k => ((string?)$"{name}o{k % 5}", 1000L + k))], coinbase: inputs.Length == 0);
                unspent.AddRange(Enumerable.Range(0, outputs).Select(k => $"{name}:{k}"));
            }

            _c.Commit();
        }

        var chain = _c.Chain;
        var view = new UtxoChainView(chain);
        Assert.True(chain.Segments.Count >= 3);
        Assert.True(chain.InputCount > 200, $"{chain.InputCount} inputs");
        for (long o = 0; o < chain.OutputCount; o++)
        {
            Assert.Equal(chain.TxOfOutput(o), view.TxOfOutput(o));
        }

        for (long i = 0; i < chain.InputCount; i++)
        {
            Assert.Equal(chain.TxOfInput(i), view.TxOfInput(i));
        }
    }
}
