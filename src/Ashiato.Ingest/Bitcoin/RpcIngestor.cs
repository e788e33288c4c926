using System.Diagnostics;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Ingest.Bitcoin;

public sealed record RpcIngestRequest(int? From, int? To, bool Follow, TimeSpan PollInterval, int BatchSize = 50);

/// <summary>
/// <c>ingest bitcoin --rpc</c>: fetches blocks from a Bitcoin Core-compatible node in batches, resumes from the store's
/// tip, resolves inputs whose history is not in the store through the node, and with --follow tails new blocks,
/// detecting reorgs (roll back to the fork, replay).
/// </summary>
public sealed class RpcIngestor(StoreDirectory store, BitcoinRpcClient rpc, IngestOptions options)
{
    private readonly RpcBlockFetcher _fetcher = new(rpc);
    private readonly BlockParser _parser = new();
    private int _committedBlocks;

    public async Task<IngestResult> RunAsync(RpcIngestRequest request, string? chain, Network? network, IProgress<IngestProgress>? progress,
        CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        network ??= await DetectNetworkAsync(chain, ct).ConfigureAwait(false);
        chain ??= network.Name;
        using var utxo = store.OpenUtxoChain(chain, network, create: true, options.KeepInputScripts);
        var run = store.Meta.StartRun(chain, $"rpc:{rpc.Url}");
        var startTx = utxo.TxCount;
        var startIn = utxo.InputCount;
        var startOut = utxo.OutputCount;
        var fromHeight = utxo.BlockCount == 0 ? request.From ?? 0 : utxo.TipHeight + 1;
        var writer = new BlockWriter(utxo.Network);
        var prevouts = new RpcPrevoutSource(rpc);
        var added = 0;
        var rolledBack = 0;
        long bytes = 0;
        try
        {
            while (true)
            {
                rolledBack += await ReconcileAsync(utxo, ct).ConfigureAwait(false);
                var next = utxo.BlockCount == 0 ? request.From ?? 0 : utxo.TipHeight + 1;
                int last;
                if (request.To is { } to && !request.Follow)
                {
                    last = to; // a fixed range: the node answers for each height or says it has none
                }
                else
                {
                    var nodeTip = await _fetcher.GetBlockCountAsync(ct).ConfigureAwait(false);
                    last = request.To is { } t2 ? Math.Min(t2, nodeTip) : nodeTip;
                    if (utxo.BlockCount == 0 && request.From is { } f && f > nodeTip)
                    {
                        throw new UserErrorException($"--from {f} is above the node's tip {nodeTip}");
                    }
                }

                if (next <= last)
                {
                    var (n, b, reorged) = await IngestRangeAsync(utxo, writer, prevouts, next, last, request, progress, ct).ConfigureAwait(false);
                    added += n;
                    bytes += b;
                    if (reorged)
                    {
                        continue; // reconcile and go on
                    }
                }

                if (!request.Follow || (request.To is { } t && utxo.TipHeight >= t))
                {
                    break;
                }

                progress?.Report(new IngestProgress("following", added, added, utxo.TipHeight));
                await Task.Delay(request.PollInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (request.Follow && ct.IsCancellationRequested)
        {
            // following ends on Ctrl+C; every committed block stays
        }
        catch (Exception e)
        {
            store.Meta.FinishRun(run, "error", fromHeight, utxo.TipHeight, added, e.Message);
            if (e is UserErrorException u && _committedBlocks > 0)
            {
                throw new UserErrorException($"{u.Message} ({_committedBlocks} blocks before it were committed; tip is now {utxo.TipHeight})", u);
            }

            throw;
        }

        store.Meta.FinishRun(run, "ok", fromHeight, utxo.TipHeight, added, null);
        return new IngestResult(chain, added, fromHeight, utxo.TipHeight, utxo.TxCount - startTx, utxo.InputCount - startIn,
            utxo.OutputCount - startOut, writer.UnresolvedInputs, writer.NodeResolvedInputs, rolledBack, 0, bytes, sw.Elapsed);
    }

    private void CommitCounting(UtxoChainStore utxo, WriteBatch batch)
    {
        var n = batch.BlockCount;
        utxo.Commit(batch);
        _committedBlocks += n;
    }

    private async Task<Network> DetectNetworkAsync(string? chain, CancellationToken ct)
    {
        if (chain is not null && store.Chains().Contains(chain))
        {
            using var existing = store.OpenUtxoChain(chain, null, create: false);
            return existing.Network;
        }

        var genesis = await _fetcher.GetBlockHashAsync(0, ct).ConfigureAwait(false);
        return Network.All.FirstOrDefault(n => n.GenesisHash == genesis)
            ?? throw new UserErrorException($"the node's genesis block {genesis} is not a known network; pass --network");
    }

    /// <summary>If the node no longer has our tip on its best chain, rolls the store back to the fork point.</summary>
    private async Task<int> ReconcileAsync(UtxoChainStore utxo, CancellationToken ct)
    {
        if (utxo.BlockCount == 0)
        {
            return 0;
        }

        var nodeTip = await _fetcher.GetBlockCountAsync(ct).ConfigureAwait(false);
        var h = Math.Min(utxo.TipHeight, nodeTip);
        var rolled = utxo.TipHeight - h;
        while (h >= utxo.BaseHeight)
        {
            Hash256 nodeHash;
            try
            {
                nodeHash = await _fetcher.GetBlockHashAsync(h, ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.Code == -8)
            {
                h--; // the node's chain got shorter since getblockcount (a reorg in progress): look lower
                continue;
            }

            if (nodeHash == utxo.GetBlockHash(h))
            {
                break;
            }

            h--;
        }

        if (h < utxo.BaseHeight)
        {
            throw new UserErrorException($"the node's chain shares no block with the store's {utxo.ChainName} (from height {utxo.BaseHeight})");
        }

        if (h < utxo.TipHeight)
        {
            rolled = utxo.TipHeight - h;
            utxo.Truncate(h);
            return rolled;
        }

        return 0;
    }

    private async Task<(int Added, long Bytes, bool Reorged)> IngestRangeAsync(UtxoChainStore utxo, BlockWriter writer, RpcPrevoutSource prevouts,
        int from, int to, RpcIngestRequest request, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var batch = utxo.BeginBatch();
        if (utxo.BlockCount == 0)
        {
            utxo.SetBaseHeight(from, batch);
        }

        var added = 0;
        long bytes = 0;
        var lastCommit = Stopwatch.StartNew();
        try
        {
            for (var start = from; start <= to; start += request.BatchSize)
            {
                var heights = Enumerable.Range(start, Math.Min(request.BatchSize, to - start + 1)).ToArray();
                Hash256[] hashes;
                try
                {
                    hashes = await _fetcher.GetBlockHashesAsync(heights, ct).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.Code == -8)
                {
                    // "Block height out of range": the node's chain got shorter under us (a reorg in progress).
                    // Keep what links, reconcile, continue.
                    utxo.Commit(batch);
                    return (added, bytes, true);
                }

                var blocks = await _fetcher.GetBlocksAsync(heights, hashes, ct).ConfigureAwait(false);
                foreach (var fetched in blocks)
                {
                    var block = _parser.Parse(fetched.Raw, $"block {fetched.Height} from {rpc.Url}", 0);
                    if (block.Hash != fetched.Hash)
                    {
                        throw new UserErrorException($"block {fetched.Height} from the node hashes to {block.Hash}, not {fetched.Hash}");
                    }

                    if (fetched.ReportedSize is { } size)
                    {
                        block.UseReportedSizes(size, fetched.ReportedStrippedSize ?? size);
                    }

                    if (utxo.BlockCount + batch.BlockCount > 0 && block.Header.PrevHash != batch.TipHash)
                    {
                        // the node's chain changed under us: keep what links, reconcile, continue
                        CommitCounting(utxo, batch);
                        return (added, bytes, true);
                    }

                    await writer.WriteAsync(batch, block, prevouts, ct).ConfigureAwait(false);
                    added++;
                    bytes += fetched.Raw.Length;
                    progress?.Report(new IngestProgress("ingesting", fetched.Height - from + 1, to - from + 1, fetched.Height));
                }

                if (batch.BlockBytes >= options.CommitBytes || lastCommit.Elapsed >= options.CommitInterval)
                {
                    CommitCounting(utxo, batch);
                    batch = utxo.BeginBatch();
                    lastCommit.Restart();
                }
            }

            CommitCounting(utxo, batch);
        }
        catch
        {
            // keep every complete block fetched before the failure (a half-written block is dropped whole)
            if (batch.InBlock)
            {
                utxo.Abandon(batch);
            }
            else
            {
                CommitCounting(utxo, batch);
            }

            throw;
        }

        return (added, bytes, false);
    }
}
