using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Bench;

/// <summary>
/// Blocks to benchmark: block files on disk (what the ingest reads) and the same blocks in memory, in chain order
/// (what the limit and parse-only passes read), with every transaction's span found by one untimed parse.
/// </summary>
internal sealed class Dataset
{
    public required string Key { get; init; }

    public required string Title { get; init; }

    public required string BlocksPath { get; init; }

    public required Network? Network { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public required List<byte[]> Blocks { get; init; }

    public List<string> Notes { get; } = [];

    public (int Block, int Offset, int Length)[] TxSpans { get; private set; } = [];

    /// <summary>Every block's txids in order (for the merkle-only pass).</summary>
    public List<Hash256[]> TxIdsByBlock { get; } = [];

    public long TxCount { get; private set; }

    public long InputCount { get; private set; }

    public long OutputCount { get; private set; }

    public long WitnessTxCount { get; private set; }

    public long TxBytes { get; private set; }

    public long BlockBytes { get; private set; }

    public long FileBytes => Files.Sum(f => new FileInfo(f).Length);

    /// <summary>Parses every block once (untimed) to count and to find transaction spans.</summary>
    public void Index()
    {
        var parser = new BlockParser();
        var block = new ParsedBlock();
        var spans = new List<(int, int, int)>();
        for (var b = 0; b < Blocks.Count; b++)
        {
            parser.Parse(Blocks[b], Key, 0, block);
            BlockBytes += Blocks[b].Length;
            InputCount += block.InputCount;
            TxIdsByBlock.Add([.. block.Txs.Take(block.TxCount).Select(t => t.TxId)]);
            OutputCount += block.OutputCount;
            for (var t = 0; t < block.TxCount; t++)
            {
                ref readonly var tx = ref block.Txs[t];
                spans.Add((b, tx.Offset, tx.Size));
                TxBytes += tx.Size;
                if (tx.HasWitness)
                {
                    WitnessTxCount++;
                }
            }
        }

        TxSpans = [.. spans];
        TxCount = spans.Count;
    }

    /// <summary>Block files in a directory, loaded into memory in best-chain order (as the ingest selects it).</summary>
    public static Dataset FromBlockFiles(string key, string title, string blocksPath, Network? network)
    {
        using var source = BlockFileSource.Open(blocksPath, network);
        if (source.Fault is not null)
        {
            throw source.Fault;
        }

        var net = network ?? (source.MagicNetworks.Count == 1 ? source.MagicNetworks[0] : throw new InvalidOperationException("ambiguous magic"));
        var plan = ChainSelector.Select(source.Blocks, b => b.Hash, b => b.Header, new EmptyChain(), net.GenesisHash);
        var blocks = plan.Blocks.Select(source.Read).ToList();
        var ds = new Dataset
        {
            Key = key,
            Title = title,
            BlocksPath = blocksPath,
            Network = network,
            Files = source.Files,
            Blocks = blocks,
        };
        if (plan.StaleBlocks > 0)
        {
            ds.Notes.Add($"{plan.StaleBlocks} stale blocks in the files are not part of the best chain");
        }

        return ds;
    }

    private sealed class EmptyChain : IStoredChain
    {
        public int BlockCount => 0;

        public int TipHeight => -1;

        public int? HeightOf(Hash256 hash) => null;

        public System.Numerics.BigInteger WorkAbove(int height) => 0;
    }
}
