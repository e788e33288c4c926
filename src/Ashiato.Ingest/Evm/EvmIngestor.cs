using System.Diagnostics;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Tokens;
using Ashiato.Chains.Evm.Transfers;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.Storage.Evm;

namespace Ashiato.Ingest.Evm;

/// <summary>What to ingest from an EVM node.</summary>
public sealed record EvmIngestRequest(
    string Chain,
    long? ChainId,
    long? From,
    long? To,
    bool Follow,
    bool Traces,
    TimeSpan PollInterval,
    int BatchSize = 20);

/// <summary>What an EVM ingest run did.</summary>
public sealed record EvmIngestResult(
    string Chain,
    long ChainId,
    int BlocksAdded,
    long FromHeight,
    long TipHeight,
    long Transactions,
    long Transfers,
    long Tokens,
    int RolledBack,
    string TraceMode,
    string ReceiptMode,
    long BlocksWithoutTraces,
    long RpcRequests,
    long RpcRetries,
    long RpcBytes,
    TimeSpan Elapsed);

/// <summary>
/// <c>ingest evm</c>: fetches blocks, receipts and traces from an EVM node in batches (the next batch is fetched while
/// the current one is written), turns them into transfers, reads metadata of token contracts the first time they move
/// value, and commits segments. Resumes from the store's tip; with --follow tails new blocks and rolls back to the fork
/// on a reorg. Every block is checked to link to the one before it.
/// </summary>
public sealed class EvmIngestor(StoreDirectory store, EvmNodeSource node, IngestOptions options, EvmTransferExtractor? extractor = null)
{
    private EvmTransferExtractor _extractor = extractor ?? new EvmTransferExtractor();
    private readonly TokenMetadataReader _tokens = new(node.Rpc);
    private int _committedBlocks;

    public async Task<EvmIngestResult> RunAsync(EvmIngestRequest request, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var nodeChainId = await node.GetChainIdAsync(ct).ConfigureAwait(false);
        var expected = request.ChainId ?? EvmChains.Find(request.Chain)?.ChainId;
        if (expected is { } e && e != nodeChainId)
        {
            throw new UserErrorException(
                $"wrong chain: the node at {node.Rpc.DisplayUrl} is on chain id {nodeChainId}" +
                (EvmChains.FindById(nodeChainId) is { } k ? $" ({k.Name})" : "") +
                $", but chain '{request.Chain}' is chain id {e}");
        }

        if (extractor is null && EvmChains.Find(request.Chain) is { WrappedNative: not null } known)
        {
            _extractor = new EvmTransferExtractor(new EvmTransferOptions { WrapperContracts = known.Wrappers });
        }

        using var chain = store.OpenEvmChain(request.Chain, new EvmChainCreate(request.Chain, nodeChainId, request.From ?? 0), writer: true);
        chain.CommitThreshold = options.CommitBytes;
        var run = store.Meta.StartRun(request.Chain, $"rpc:{node.Rpc.DisplayUrl}");
        var startTx = chain.TxCount;
        var startTransfers = chain.TransferCount;
        long tokens = 0;
        var fromHeight = chain.TipHeight is { } tip0 ? tip0 + 1 : request.From ?? 0;
        var added = 0;
        var rolledBack = 0;
        try
        {
            await node.DetectTraceModeAsync(fromHeight, request.Traces, ct).ConfigureAwait(false);
            while (true)
            {
                rolledBack += await ReconcileAsync(chain, ct).ConfigureAwait(false);
                var next = chain.TipHeight is { } t ? t + 1 : request.From ?? 0;
                var nodeTip = await node.GetTipAsync(ct).ConfigureAwait(false);
                if (chain.TipHeight is null && request.From is { } f && f > nodeTip)
                {
                    throw new UserErrorException($"--from {f} is above the node's tip {nodeTip}");
                }

                var last = request.To is { } to ? Math.Min(to, nodeTip) : nodeTip;
                if (next <= last)
                {
                    var (n, tk, reorged) = await IngestRangeAsync(chain, next, last, request, progress, ct).ConfigureAwait(false);
                    added += n;
                    tokens += tk;
                    if (reorged)
                    {
                        continue;
                    }
                }

                if (!request.Follow || (request.To is { } stop && chain.TipHeight >= stop))
                {
                    break;
                }

                progress?.Report(new IngestProgress("following", added, added, (int)(chain.TipHeight ?? 0)));
                await Task.Delay(request.PollInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (request.Follow && ct.IsCancellationRequested)
        {
            // following ends on Ctrl+C; every committed block stays
        }
        catch (Exception ex)
        {
            store.Meta.FinishRun(run, "error", (int)fromHeight, (int)(chain.TipHeight ?? -1), added, ex.Message);
            if (ex is UserErrorException u && _committedBlocks > 0)
            {
                throw new UserErrorException($"{u.Message} ({_committedBlocks} blocks before it were committed; tip is now {chain.TipHeight})", u);
            }

            throw;
        }

        var gaps = chain.TraceGaps().Sum(g => g.To - g.From + 1);
        var message = gaps > 0 ? $"{gaps} blocks stored without traces (no internal transfers for them)" : null;
        store.Meta.FinishRun(run, "ok", (int)fromHeight, (int)(chain.TipHeight ?? -1), added, message);
        return new EvmIngestResult(request.Chain, chain.ChainId, added, fromHeight, chain.TipHeight ?? -1, chain.TxCount - startTx,
            chain.TransferCount - startTransfers, tokens, rolledBack, (node.TraceMode ?? EvmTraceMode.None).ToString().ToLowerInvariant(),
            node.ReceiptMode?.ToString() ?? "-", gaps, node.Rpc.RequestCount, node.Rpc.RetryCount, node.Rpc.BytesReceived, sw.Elapsed);
    }

    /// <summary>If the node no longer has our tip on its chain, rolls the store back to the last block both share.</summary>
    private async Task<int> ReconcileAsync(EvmChainStore chain, CancellationToken ct)
    {
        if (chain.TipHeight is not { } tip)
        {
            return 0;
        }

        var h = tip;
        while (h >= chain.BaseHeight)
        {
            var nodeHash = await node.GetBlockHashAsync(h, ct).ConfigureAwait(false);
            if (nodeHash == chain.BlockHash(h))
            {
                break;
            }

            h--;
        }

        if (h < chain.BaseHeight)
        {
            throw new UserErrorException($"the node's chain shares no block with the store's '{chain.ChainName}' (from height {chain.BaseHeight})");
        }

        if (h < tip)
        {
            chain.Truncate(h);
            return (int)(tip - h);
        }

        return 0;
    }

    private async Task<(int Added, long Tokens, bool Reorged)> IngestRangeAsync(EvmChainStore chain, long from, long to, EvmIngestRequest request,
        IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var added = 0;
        long tokens = 0;
        var lastCommit = Stopwatch.StartNew();
        var batch = Math.Max(1, request.BatchSize);
        Task<IReadOnlyList<EvmBlockBundle>>? prefetch = node.GetBundlesAsync(from, (int)Math.Min(batch, to - from + 1), ct);
        var next = from;
        try
        {
            while (prefetch is not null)
            {
                var bundles = await prefetch.ConfigureAwait(false);
                next += bundles.Count;
                prefetch = bundles.Count > 0 && next <= to ? node.GetBundlesAsync(next, (int)Math.Min(batch, to - next + 1), ct) : null;
                if (bundles.Count == 0)
                {
                    break;
                }

                foreach (var raw in bundles)
                {
                    var block = raw.Block;
                    if (chain.PendingTipHeight is { } last && block.ParentHash != chain.BlockHash(last))
                    {
                        // The node's chain changed under us: keep what links, reconcile, continue.
                        await DrainAsync(prefetch).ConfigureAwait(false);
                        CommitCounting(chain);
                        return (added, tokens, true);
                    }

                    var transfers = _extractor.Extract(raw);
                    var newTokens = await ReadNewTokensAsync(chain, transfers, block.Number, ct).ConfigureAwait(false);
                    tokens += newTokens.Count;
                    var bundle = new EvmBlockBundle { Block = block, Receipts = raw.Receipts, Traces = raw.Traces, NewTokens = newTokens };
                    chain.Append(new EvmStoredBlock
                    {
                        Number = block.Number,
                        Hash = block.Hash,
                        ParentHash = block.ParentHash,
                        Timestamp = block.Timestamp,
                        TracesMissing = raw.Traces is null,
                        Bundle = EvmBundleCodec.Encode(bundle),
                        TransactionHashes = block.Transactions.Select(x => x.Hash).ToArray(),
                        Transfers = transfers,
                    });
                    added++;
                    progress?.Report(new IngestProgress("ingesting", block.Number - from + 1, to - from + 1, (int)block.Number));
                }

                if (chain.ShouldCommit || lastCommit.Elapsed >= options.CommitInterval)
                {
                    CommitCounting(chain);
                    lastCommit.Restart();
                }
            }

            CommitCounting(chain);
        }
        catch
        {
            await DrainAsync(prefetch).ConfigureAwait(false);
            CommitCounting(chain); // every complete block appended before the failure is kept
            throw;
        }

        return (added, tokens, false);
    }

    private static async Task DrainAsync(Task? pending)
    {
        if (pending is null)
        {
            return;
        }

        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // the prefetch of blocks we no longer want; its failure does not matter
        }
    }

    private async Task<IReadOnlyList<EvmToken>> ReadNewTokensAsync(EvmChainStore chain, IReadOnlyList<EvmTransfer> transfers, long block, CancellationToken ct)
    {
        var fresh = new List<EvmAddress>();
        var seen = new HashSet<EvmAddress>();
        foreach (var t in transfers)
        {
            if (t.Asset is { } asset && seen.Add(asset) && !chain.IsKnownAsset(asset))
            {
                fresh.Add(asset);
            }
        }

        if (fresh.Count == 0)
        {
            return [];
        }

        var tokens = (await _tokens.ReadAsync(fresh, block, ct).ConfigureAwait(false)).ToList();

        // A node without archive state cannot answer eth_call at an old block: every field comes back empty. Read those
        // tokens again at the latest block (what ethereum-etl does always); a contract that answers nothing stays empty.
        var unanswered = tokens.Where(t => t.Name is null && t.Symbol is null && t.Decimals is null && t.TotalSupply is null).Select(t => t.Address).ToList();
        if (unanswered.Count > 0)
        {
            var latest = (await _tokens.ReadAsync(unanswered, null, ct).ConfigureAwait(false)).ToDictionary(t => t.Address);
            for (var i = 0; i < tokens.Count; i++)
            {
                if (latest.TryGetValue(tokens[i].Address, out var l) && (l.Name ?? l.Symbol ?? (object?)l.Decimals ?? l.TotalSupply) is not null)
                {
                    tokens[i] = l;
                }
            }
        }

        return tokens;
    }

    private void CommitCounting(EvmChainStore chain)
    {
        _committedBlocks += chain.PendingBlockCount;
        chain.Commit();
    }
}
