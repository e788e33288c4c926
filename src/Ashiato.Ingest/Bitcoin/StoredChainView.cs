using System.Numerics;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Ingest.Bitcoin;

/// <summary>The store's chain as the chain selector sees it.</summary>
internal sealed class StoredChainView(UtxoChainStore store) : IStoredChain
{
    private BigInteger[]? _workThrough; // _workThrough[i] = work of stored blocks BaseHeight..BaseHeight+i

    public int BlockCount => store.BlockCount;

    public int TipHeight => store.TipHeight;

    public int? HeightOf(Hash256 hash) => store.FindBlock(hash);

    /// <summary>Work above a height, from prefix sums built once (a blocks directory has many stale blocks to compare).</summary>
    public BigInteger WorkAbove(int height)
    {
        if (store.BlockCount == 0 || height >= store.TipHeight)
        {
            return BigInteger.Zero;
        }

        if (_workThrough is null)
        {
            var sums = new BigInteger[store.BlockCount];
            var sum = BigInteger.Zero;
            for (var i = 0; i < sums.Length; i++)
            {
                sum += ChainSelector.Work(store.GetBlockHeader(store.BaseHeight + i).Bits);
                sums[i] = sum;
            }

            _workThrough = sums;
        }

        var total = _workThrough[^1];
        var index = height - store.BaseHeight;
        return index < 0 ? total : total - _workThrough[index];
    }
}
