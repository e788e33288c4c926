using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Ashiato.Analysis.Clustering;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.CoinJoin;

/// <summary>
/// The CoinJoin verdicts the clustering run stored (clusters.coinjoin): <see cref="CoinJoinDetectors.Detect"/> applied to every
/// transaction up to the clusters' height, flagged ones kept in chain order. A reader that needs a verdict for a transaction at
/// or below <see cref="Height"/> takes it from here (a binary search) instead of reading the transaction's inputs and
/// running the detectors again; above it (blocks ingested after clustering) it must detect itself. The detectors are pure
/// functions of one transaction read the same way (<see cref="TxFacts"/>), so both give the same verdict; only the reason
/// text is not stored (<see cref="CoinJoinMatch.Reason"/> names the file instead). Confidences are stored as 32-bit floats
/// and given back rounded to 2 decimals, as every detector's confidence is.
/// </summary>
public sealed class StoredCoinJoins
{
    // Transactions per bucket of the look-up index (a power of two): bucket b starts at _bucketStart[b] in _txIds, the first
    // flagged id ≥ b · 1024. A look-up searches one bucket (a few entries, one or two cache lines) instead of the whole array
    // (a binary search over tens of thousands of ids misses the cache at most of its steps); 4 bytes per 1024 transactions.
    private const int BucketShift = 10;

    private readonly long[] _txIds;
    private readonly CoinJoinMatch[] _matches;
    private readonly int[] _bucketStart;

    // one bit per transaction id up to the last flagged one: set when flagged. Most look-ups are of unflagged transactions
    // and end at this bit (an eighth of a byte per transaction: 1.25 MB for 10 M transactions, stays in cache) without
    // touching the id array.
    private readonly ulong[] _flagged;

    private StoredCoinJoins(int height, long[] txIds, CoinJoinMatch[] matches)
    {
        Height = height;
        _txIds = txIds;
        _matches = matches;
        var buckets = txIds.Length == 0 ? 0 : (int)(txIds[^1] >> BucketShift) + 1;
        _bucketStart = new int[buckets + 1];
        var k = 0;
        for (var b = 0; b <= buckets; b++)
        {
            while (k < txIds.Length && txIds[k] >> BucketShift < b)
            {
                k++;
            }

            _bucketStart[b] = k;
        }

        _flagged = new ulong[txIds.Length == 0 ? 0 : (txIds[^1] >> 6) + 1];
        foreach (var id in txIds)
        {
            _flagged[id >> 6] |= 1UL << (int)(id & 63);
        }
    }

    /// <summary>The last block height whose transactions the verdicts cover.</summary>
    public int Height { get; }

    /// <summary>Flagged transactions (mixes and Whirlpool Tx0s).</summary>
    public int Count => _txIds.Length;

    /// <summary>
    /// The verdicts of <paramref name="view"/> when its clusters were built on <paramref name="chain"/> as it is now (the block
    /// hash at the clusters' height is unchanged); null otherwise (no clusters, or a reorg below their height).
    /// </summary>
    public static StoredCoinJoins? Of(UtxoChainStore chain, ClusterView? view)
    {
        if (view is null || view.Meta.Chain != chain.ChainName || view.Meta.Height < chain.BaseHeight || view.Meta.Height > chain.TipHeight
            || chain.GetBlockHash(view.Meta.Height).ToString() != view.Meta.TipHash)
        {
            return null;
        }

        var records = view.CoinJoins;
        var ids = new long[records.Count];
        var matches = new CoinJoinMatch[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (i > 0 && r.TxId <= ids[i - 1])
            {
                return null; // not in chain order: not a file the clustering wrote; detect instead
            }

            ids[i] = r.TxId;
            matches[i] = new CoinJoinMatch(r.Kind, Math.Round((double)r.Confidence, 2), "flagged by clustering (clusters.coinjoin)");
        }

        return new StoredCoinJoins(view.Meta.Height, ids, matches);
    }

    /// <summary>
    /// The stored verdict of transaction <paramref name="txId"/> at <paramref name="height"/>: true with the match (null = not a
    /// CoinJoin) when the height is covered; false when it is above <see cref="Height"/> and the caller must detect.
    /// </summary>
    public bool TryGet(long txId, int height, out CoinJoinMatch? match)
    {
        if (height > Height)
        {
            match = null;
            return false;
        }

        match = Covered(txId);
        return true;
    }

    /// <summary>Hints the CPU to fetch the bit <see cref="Covered"/> will test for <paramref name="txId"/> (see <see cref="Storage.Files.MappedFile.Prefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(long txId)
    {
        var w = (ulong)txId >> 6;
        if (Sse.IsSupported && w < (ulong)_flagged.Length)
        {
            // a hint only: the array is large (not moved by the collector in practice), and a stale address cannot fault
            Sse.Prefetch0(Unsafe.AsPointer(ref _flagged[w]));
        }
    }

    /// <summary>The stored verdict of a transaction the caller knows to be at or below <see cref="Height"/> (null = not a CoinJoin).</summary>
    public CoinJoinMatch? Covered(long txId)
    {
        var w = (ulong)txId >> 6;
        if (w >= (ulong)_flagged.Length || (_flagged[w] & (1UL << (int)(txId & 63))) == 0)
        {
            return null;
        }

        var b = txId >> BucketShift;

        var start = _bucketStart[b];
        var i = _txIds.AsSpan(start, _bucketStart[b + 1] - start).BinarySearch(txId);
        return i >= 0 ? _matches[start + i] : null;
    }
}
