using System.Diagnostics;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;

namespace Ashiato.Bench;

/// <summary>Seconds per stage of one single-threaded ingest.</summary>
internal sealed record StageTimes(
    double Scan,
    double Read,
    double Parse,
    double Write,
    double Commit,
    int Commits,
    double Total,
    int Gen2)
{
    /// <summary>The producer thread of <see cref="BlockFileIngestor"/>: read and parse.</summary>
    public double Producer => Read + Parse;

    /// <summary>The consumer thread: write rows and commit segments.</summary>
    public double Consumer => Write + Commit;
}

/// <summary>
/// The ingest pipeline of <see cref="BlockFileIngestor"/> (same calls, same commit rule) run on one thread with a
/// stopwatch around each stage, to see where the time goes. The real ingest overlaps read+parse with write+commit.
/// </summary>
internal static class StagedIngest
{
    public static async Task<StageTimes> RunAsync(string blocks, string storeDir, Network? network)
    {
        var options = new IngestOptions();
        var gen2 = GC.CollectionCount(2);
        var total = Stopwatch.StartNew();
        var sw = Stopwatch.StartNew();
        using var source = BlockFileSource.Open(blocks, network);
        var net = network ?? source.MagicNetworks[0];
        var scan = sw.Elapsed.TotalSeconds;

        using var store = StoreDirectory.Open(storeDir, create: true);
        using var utxo = store.OpenUtxoChain(net.Name, net, create: true, options.KeepInputScripts);
        var plan = ChainSelector.Select(source.Blocks, b => b.Hash, b => b.Header, new EmptyStore(), net.GenesisHash);
        var parser = new BlockParser();
        var writer = new BlockWriter(net);
        var batch = utxo.BeginBatch();
        var lastCommit = Stopwatch.StartNew();
        double read = 0, parse = 0, write = 0, commit = 0;
        var commits = 0;
        foreach (var loc in plan.Blocks)
        {
            sw.Restart();
            var raw = source.Read(loc);
            read += sw.Elapsed.TotalSeconds;

            sw.Restart();
            var parsed = parser.Parse(raw, source.Describe(loc), loc.Offset); // a new ParsedBlock per block, as the ingest does
            parse += sw.Elapsed.TotalSeconds;

            sw.Restart();
            await writer.WriteAsync(batch, parsed, null, CancellationToken.None);
            write += sw.Elapsed.TotalSeconds;

            if (batch.BlockBytes >= options.CommitBytes || lastCommit.Elapsed >= options.CommitInterval)
            {
                sw.Restart();
                utxo.Commit(batch);
                commit += sw.Elapsed.TotalSeconds;
                commits++;
                batch = utxo.BeginBatch();
                lastCommit.Restart();
            }
        }

        sw.Restart();
        utxo.Commit(batch);
        commit += sw.Elapsed.TotalSeconds;
        commits++;
        return new StageTimes(scan, read, parse, write, commit, commits, total.Elapsed.TotalSeconds, GC.CollectionCount(2) - gen2);
    }

    private sealed class EmptyStore : IStoredChain
    {
        public int BlockCount => 0;

        public int TipHeight => -1;

        public int? HeightOf(Hash256 hash) => null;

        public System.Numerics.BigInteger WorkAbove(int height) => 0;
    }
}
