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
    private readonly long[] _txIds;
    private readonly CoinJoinMatch[] _matches;

    private StoredCoinJoins(int height, long[] txIds, CoinJoinMatch[] matches)
    {
        Height = height;
        _txIds = txIds;
        _matches = matches;
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

    /// <summary>The stored verdict of a transaction the caller knows to be at or below <see cref="Height"/> (null = not a CoinJoin).</summary>
    public CoinJoinMatch? Covered(long txId)
    {
        var i = Array.BinarySearch(_txIds, txId);
        return i >= 0 ? _matches[i] : null;
    }
}
