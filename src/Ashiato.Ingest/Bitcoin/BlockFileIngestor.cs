using System.Diagnostics;
using System.Threading.Channels;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.BlockFiles;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Ingest.Bitcoin;

/// <summary>
/// <c>ingest bitcoin --blocks</c>: scans block files, picks the best chain, parses on one thread and writes
/// on another, commits segments as it goes. A fault in the files ends the run after committing every
/// block before it, then reports the fault (file and offset); the next run resumes from the store's tip.
/// </summary>
public sealed class BlockFileIngestor(StoreDirectory store, IngestOptions options)
{
    public async Task<IngestResult> RunAsync(string path, string? chain, Network? network, IProgress<IngestProgress>? progress,
        CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        progress?.Report(new IngestProgress("scanning", 0, 0, 0));
        using var source = BlockFileSource.Open(path, network);
        network ??= ResolveNetwork(source, chain);
        chain ??= network.Name;
        using var utxo = store.OpenUtxoChain(chain, network, create: true, options.KeepInputScripts);
        var run = store.Meta.StartRun(chain, $"blocks:{Path.GetFullPath(path)}");
        try
        {
            var result = await IngestAsync(source, utxo, progress, sw, ct).ConfigureAwait(false);
            if (source.Fault is not null)
            {
                throw new IngestFaultException(source.Fault, result);
            }

            store.Meta.FinishRun(run, "ok", result.FromHeight, result.TipHeight, result.BlocksAdded, null);
            return result;
        }
        catch (IngestFaultException e)
        {
            store.Meta.FinishRun(run, "fault", e.Partial.FromHeight, e.Partial.TipHeight, e.Partial.BlocksAdded, e.Fault.Message);
            throw;
        }
        catch (Exception e)
        {
            store.Meta.FinishRun(run, e is OperationCanceledException ? "cancelled" : "error", null, utxo.TipHeight, 0, e.Message);
            throw;
        }
    }

    private Network ResolveNetwork(BlockFileSource source, string? chain)
    {
        if (chain is not null && store.Chains().Contains(chain))
        {
            using var existing = store.OpenUtxoChain(chain, null, create: false);
            return existing.Network;
        }

        var candidates = source.MagicNetworks;
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        if (candidates.Count > 1)
        {
            // Shared magic (bitcoin and litecoin regtest): the genesis block tells them apart.
            var byGenesis = candidates.Where(n => source.Blocks.Any(b => b.Hash == n.GenesisHash)).ToList();
            if (byGenesis.Count == 1)
            {
                return byGenesis[0];
            }

            throw new UserErrorException(
                $"the block files' magic fits {string.Join(" and ", candidates)}; pass --network to choose");
        }

        if (source.Blocks.Count == 0 && source.Fault is not null)
        {
            throw source.Fault;
        }

        throw new UserErrorException("raw or hex blocks carry no network magic; pass --network (e.g. --network bitcoin)");
    }

    private async Task<IngestResult> IngestAsync(BlockFileSource source, UtxoChainStore utxo, IProgress<IngestProgress>? progress,
        Stopwatch sw, CancellationToken ct)
    {
        var plan = ChainSelector.Select(source.Blocks, b => b.Hash, b => b.Header, new StoredChainView(utxo), utxo.Network.GenesisHash);
        var rolledBack = 0;
        if (plan.Anchored && plan.Blocks.Count > 0 && plan.ForkHeight < utxo.TipHeight)
        {
            rolledBack = utxo.TipHeight - plan.ForkHeight;
            utxo.Truncate(plan.ForkHeight);
        }

        var startTx = utxo.TxCount;
        var startIn = utxo.InputCount;
        var startOut = utxo.OutputCount;
        var fromHeight = utxo.TipHeight + 1;
        var writer = new BlockWriter(utxo.Network);
        var channel = Channel.CreateBounded<(ParsedBlock Block, byte[] Buffer, long Bytes)>(
            new BoundedChannelOptions(32) { SingleReader = true, SingleWriter = true });
        var pool = new System.Collections.Concurrent.ConcurrentQueue<ParsedBlock>();
        Exception? parseFault = null;
        long bytesRead = 0;
        var producer = Task.Run(async () =>
        {
            var parser = new BlockParser();
            try
            {
                foreach (var loc in plan.Blocks)
                {
                    ct.ThrowIfCancellationRequested();
                    var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(loc.Length);
                    source.ReadInto(loc, buffer);
                    var reuse = pool.TryDequeue(out var free) ? free : null;
                    var parsed = parser.Parse(buffer.AsMemory(0, loc.Length), source.Describe(loc), loc.Offset, reuse);
                    await channel.Writer.WriteAsync((parsed, buffer, loc.Length), ct).ConfigureAwait(false);
                }
            }
            catch (DataFormatException e)
            {
                parseFault = e;
            }
            finally
            {
                channel.Writer.Complete();
            }
        }, ct);

        var batch = utxo.BeginBatch();
        var lastCommit = Stopwatch.StartNew();
        var added = 0;
        try
        {
            await foreach (var (block, buffer, bytes) in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (added == 0 && !plan.Anchored && utxo.BlockCount == 0)
                {
                    var height = options.StartHeight ?? block.Bip34Height ?? throw new UserErrorException(
                        $"block {block.Hash}: its parent is not in the store and it carries no BIP34 height; pass --start-height");
                    utxo.SetBaseHeight(height, batch);
                    fromHeight = height;
                }

                await writer.WriteAsync(batch, block, null, ct).ConfigureAwait(false);
                pool.Enqueue(block);
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                added++;
                bytesRead += bytes;
                progress?.Report(new IngestProgress("ingesting", added, plan.Blocks.Count, batch.NextHeight - 1));
                if (batch.BlockBytes >= options.CommitBytes || lastCommit.Elapsed >= options.CommitInterval)
                {
                    utxo.Commit(batch);
                    batch = utxo.BeginBatch();
                    lastCommit.Restart();
                }
            }

            utxo.Commit(batch);
        }
        catch
        {
            // keep every complete block (a half-written block is dropped whole)
            if (batch.InBlock)
            {
                utxo.Abandon(batch);
            }
            else
            {
                utxo.Commit(batch);
            }

            throw;
        }

        await producer.ConfigureAwait(false);
        var result = new IngestResult(utxo.ChainName, added, fromHeight, utxo.TipHeight, utxo.TxCount - startTx, utxo.InputCount - startIn,
            utxo.OutputCount - startOut, writer.UnresolvedInputs, writer.NodeResolvedInputs, rolledBack, plan.StaleBlocks, bytesRead, sw.Elapsed);
        if (parseFault is not null)
        {
            throw new IngestFaultException((DataFormatException)parseFault, result);
        }

        return result;
    }
}

/// <summary>The input had a fault; every block before it was committed (see <see cref="Partial"/>).</summary>
public sealed class IngestFaultException(DataFormatException fault, IngestResult partial)
    : UserErrorException($"{fault.Message} ({partial.BlocksAdded} blocks before it were committed; tip is now {partial.TipHeight})", fault)
{
    public IngestResult Partial { get; } = partial;

    public DataFormatException Fault { get; } = fault;
}
