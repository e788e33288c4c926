using System.Diagnostics;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Clustering;

public sealed record ClusterOptions
{
    /// <summary>Last height to cover (default: the chain tip).</summary>
    public int? ToHeight { get; init; }

    /// <summary>Ignore stored clusters and start from the first block.</summary>
    public bool Rebuild { get; init; }

    /// <summary>Called now and then with (height done, target height).</summary>
    public Action<int, int>? Progress { get; init; }

    /// <summary>The supercluster guard's input (from the tags: <c>ChainTags.Load(...).Guard</c>); null: no tags, nothing is refused.</summary>
    public ClusterGuard? Guard { get; init; }
}

/// <summary>
/// The input of the supercluster guard: the party (actor, else entity) of each tagged address of the chain, and a digest of it
/// over the address texts (stored in clusters.json: other tags, other clusters).
/// </summary>
public sealed record ClusterGuard(string Digest, IReadOnlyList<(uint Address, string Party)> Parties)
{
    /// <summary>No tags: the digest of an empty input.</summary>
    public static ClusterGuard None { get; } = new(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([])), []);

    /// <summary>Party names by key (1 … n, in ordinal order of the names; 0 = none).</summary>
    public IReadOnlyList<string> Keys() => ["", .. Parties.Select(p => p.Party).Distinct().Order(StringComparer.Ordinal)];
}

public sealed record ClusterResult(ClusterMeta Meta, bool Incremental, string? RebuildReason, int FromHeight, int Blocks, long Transactions,
    long NewMerges, TimeSpan Elapsed)
{
    public long NewRefusals { get; init; }
}

/// <summary>
/// Builds clusters over a UTXO chain in chain order, or continues stored ones for new blocks. A continuation does exactly
/// the unions a full rebuild does after the stored height (heuristics read only the transaction and which address ids
/// were seen before it), and the files hold only order-independent results (cluster id = smallest member, merges in
/// order), so both give the same bytes.
/// </summary>
public static class ClusterBuilder
{
    public static ClusterResult Run(UtxoChainStore store, HeuristicSet heuristics, ClusterOptions? options = null)
    {
        options ??= new ClusterOptions();
        var sw = Stopwatch.StartNew();
        var dir = ClusterFiles.DirectoryOf(store.Directory);
        var target = Math.Min(options.ToHeight ?? store.TipHeight, store.TipHeight);
        var settings = heuristics.Settings();
        var guard = options.Guard ?? ClusterGuard.None;

        UnionFind uf;
        List<MergeRecord> log;
        List<CoinJoinRecord> coinJoins;
        List<RefusalRecord> refusals;
        long txCount = 0;
        var from = store.BaseHeight;
        var incremental = false;
        string? reason = null;
        var stored = options.Rebuild ? null : ClusterFiles.ReadMeta(dir);
        if (options.Rebuild)
        {
            reason = "--rebuild";
        }
        else if (stored is null)
        {
            reason = "no stored clusters";
        }
        else if (stored.Format != ClusterFiles.Format || stored.Chain != store.ChainName)
        {
            reason = "stored clusters are of another format or chain";
        }
        else if (!stored.Heuristics.SequenceEqual(settings))
        {
            reason = "heuristic settings changed";
        }
        else if (stored.TagsDigest != guard.Digest)
        {
            reason = "tags changed (the supercluster guard's input)";
        }
        else if (stored.Height > target || stored.Height < store.BaseHeight - 1
                 || (stored.Height >= store.BaseHeight && store.GetBlockHash(stored.Height).ToString() != stored.TipHash))
        {
            reason = "the chain changed below the stored height (reorg or a lower target)";
        }
        else
        {
            incremental = true;
        }

        // each stored file read once, checked against its size and digest as it is read
        var storedIds = incremental ? DerivedFiles.ReadVerified<uint>(dir, ClusterFiles.Ids, stored!.Files) : null;
        var storedLog = storedIds is null ? null : DerivedFiles.ReadVerified<MergeRecord>(dir, ClusterFiles.Log, stored!.Files);
        var storedCoinJoins = storedLog is null ? null : DerivedFiles.ReadVerified<CoinJoinRecord>(dir, ClusterFiles.CoinJoins, stored!.Files);
        var storedRefusals = storedCoinJoins is null ? null : DerivedFiles.ReadVerified<RefusalRecord>(dir, ClusterFiles.Refused, stored!.Files);
        if (incremental && storedRefusals is null)
        {
            incremental = false;
            reason = "stored files do not match clusters.json";
        }

        if (incremental)
        {
            uf = UnionFind.FromClusterIds(storedIds!);
            log = [.. storedLog!];
            coinJoins = [.. storedCoinJoins!];
            refusals = [.. storedRefusals!];
            txCount = stored!.TxCount;
            from = stored.Height + 1;
        }
        else
        {
            uf = new UnionFind(0);
            log = [];
            coinJoins = [];
            refusals = [];
        }

        var addressCount = AddressCountAfter(store, target);
        uf.Grow((int)addressCount);
        var keys = guard.Keys();
        var keyOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 1; k < keys.Count; k++)
        {
            keyOf[keys[k]] = k;
        }

        foreach (var (address, party) in guard.Parties)
        {
            uf.Label((int)address, keyOf[party]);
        }

        var mergesBefore = log.Count;
        var refusalsBefore = refusals.Count;
        var facts = new TxFacts();
        Func<long, bool> isPeelOutput = output => IsPeelOutput(store, output);
        // heuristics that judge a payment when its output is first spent look spenders up in the spent-by index (built or extended here)
        using var spentBy = heuristics.JudgesEarlier ? Tracing.Utxo.SpentByIndex.LoadOrEnsure(store, null, out _) : null;
        var history = spentBy is not null ? new StoreChainHistory(store, spentBy) : null;
        long txs = 0;
        for (var h = from; h <= target; h++)
        {
            var bm = store.GetBlockMeta(h);
            var watermark = (uint)bm.FirstAddress;
            for (var t = bm.FirstTx; t < bm.FirstTx + bm.TxCount; t++)
            {
                TxFacts.Read(store, t, h, facts);
                Apply(facts, heuristics, new HeuristicContext(watermark, isPeelOutput, history), uf, log, coinJoins, refusals);
                watermark = Math.Max(watermark, MaxAddress(facts) + 1);
                txs++;
            }

            if (((h - from) & 1023) == 1023)
            {
                options.Progress?.Invoke(h, target);
            }
        }

        options.Progress?.Invoke(target, target);
        txCount += txs;
        var ids = uf.ClusterIds();
        var meta = Summarise(store, settings, target, txCount, ids, log, coinJoins) with
        {
            TagsDigest = guard.Digest,
            GuardedAddresses = guard.Parties.Count(p => p.Address < ids.Length),
            Refusals = refusals.Count,
        };
        if (!incremental || from <= target)
        {
            ClusterFiles.Write(dir, ids, log.ToArray(), coinJoins.ToArray(), refusals.ToArray(), files => meta with { Files = files });
        }

        return new ClusterResult(ClusterFiles.ReadMeta(dir)!, incremental, reason, from, Math.Max(0, target - from + 1), txs, log.Count - mergesBefore,
            sw.Elapsed) { NewRefusals = refusals.Count - refusalsBefore };
    }

    /// <summary>Applies the detectors and the enabled heuristics to one transaction. A union the guard refuses (the two clusters carry
    /// different parties) is recorded in <paramref name="refusals"/> instead of the log.</summary>
    public static void Apply(TxFacts tx, HeuristicSet heuristics, HeuristicContext ctx, UnionFind uf, List<MergeRecord> log, List<CoinJoinRecord> coinJoins,
        List<RefusalRecord>? refusals = null)
    {
        if (tx.IsCoinbase)
        {
            return;
        }

        var cj = CoinJoinDetectors.Detect(tx);
        if (cj is not null)
        {
            coinJoins.Add(new CoinJoinRecord(tx.TxId, cj.Kind, 0, 0, (float)cj.Confidence));
        }

        var first = uint.MaxValue;
        foreach (var i in tx.Inputs)
        {
            if (i.HasAddress)
            {
                first = i.Address;
                break;
            }
        }

        if (first == uint.MaxValue)
        {
            return;
        }

        if (heuristics.MultiInput && cj is not { IsMix: true })
        {
            foreach (var i in tx.Inputs)
            {
                if (i.HasAddress && i.Address != first)
                {
                    Join(tx.TxId, first, i.Address, HeuristicId.MultiInput, uf, log, refusals);
                }
            }
        }

        if (cj is null)
        {
            var (change, by) = heuristics.FindChange(tx, ctx);
            if (change >= 0)
            {
                Join(tx.TxId, first, tx.Outputs[change].Address, by!.Id, uf, log, refusals);
            }

            // change of earlier transactions that this spend reveals (wallet fingerprint); logged under this transaction, so
            // the log stays in chain order and a continuation gives the bytes of a full rebuild
            if (ctx.History is not null)
            {
                var earlier = new List<EarlierChange>();
                heuristics.FindEarlierChanges(tx, ctx, earlier);
                foreach (var e in earlier)
                {
                    Join(tx.TxId, e.Owner, e.Change, e.By, uf, log, refusals);
                }
            }
        }
    }

    private static void Join(long txId, uint a, uint b, HeuristicId heuristic, UnionFind uf, List<MergeRecord> log, List<RefusalRecord>? refusals)
    {
        switch (uf.TryUnion((int)a, (int)b, out var la, out var lb))
        {
            case UnionOutcome.Merged:
                log.Add(new MergeRecord(txId, a, b, heuristic));
                break;
            case UnionOutcome.Refused:
                refusals?.Add(new RefusalRecord(txId, a, b, heuristic, (uint)la.Address, (uint)lb.Address));
                break;
        }
    }

    /// <summary>The output is the strictly larger output of a transaction with one input and two outputs.</summary>
    private static bool IsPeelOutput(UtxoChainStore store, long outputId)
    {
        var parent = store.GetTx(store.TxOfOutput(outputId));
        if (parent.InputCount != 1 || parent.OutputCount != 2 || parent.IsCoinbase)
        {
            return false;
        }

        var other = parent.FirstOutput + (outputId == parent.FirstOutput ? 1 : 0);
        return store.GetOutput(outputId).Value > store.GetOutput(other).Value;
    }

    private static uint MaxAddress(TxFacts tx)
    {
        long max = -1;
        foreach (var i in tx.Inputs)
        {
            if (i.HasAddress)
            {
                max = Math.Max(max, i.Address);
            }
        }

        foreach (var o in tx.Outputs)
        {
            if (o.HasAddress)
            {
                max = Math.Max(max, o.Address);
            }
        }

        return (uint)max;
    }

    private static long AddressCountAfter(UtxoChainStore store, int height) =>
        height < store.BaseHeight ? 0 : height >= store.TipHeight ? store.AddressCount : store.GetBlockMeta(height + 1).FirstAddress;

    private static ClusterMeta Summarise(UtxoChainStore store, SortedDictionary<string, bool> settings, int height, long txCount, uint[] ids,
        List<MergeRecord> log, List<CoinJoinRecord> coinJoins)
    {
        var sizes = new int[ids.Length];
        long clusters = 0, largest = 0, largestId = -1;
        for (var i = 0; i < ids.Length; i++)
        {
            var s = ++sizes[ids[i]];
            if (ids[i] == i)
            {
                clusters++;
            }

            if (s > largest)
            {
                (largest, largestId) = (s, ids[i]);
            }
        }

        var merges = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var m in log)
        {
            var name = HeuristicSet.ById(m.Heuristic).Name;
            merges[name] = merges.GetValueOrDefault(name) + 1;
        }

        var cj = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in coinJoins)
        {
            var name = CoinJoinDetectors.Name(c.Kind);
            cj[name] = cj.GetValueOrDefault(name) + 1;
        }

        var tip = height >= store.BaseHeight ? store.GetBlockHash(height).ToString() : "";
        return new ClusterMeta(ClusterFiles.Format, store.ChainName, settings, height, tip, txCount, ids.Length, clusters, largest, largestId, merges, cj,
            new SortedDictionary<string, FileDigest>(StringComparer.Ordinal));
    }
}
