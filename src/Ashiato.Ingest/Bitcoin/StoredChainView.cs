using System.Numerics;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Ingest.Bitcoin;

/// <summary>The store's chain as the chain selector sees it.</summary>
internal sealed class StoredChainView(UtxoChainStore store) : IStoredChain
{
    public int BlockCount => store.BlockCount;

    public int TipHeight => store.TipHeight;

    public int? HeightOf(Hash256 hash) => store.FindBlock(hash);

    public BigInteger WorkAbove(int height)
    {
        var sum = BigInteger.Zero;
        for (var h = height + 1; h <= store.TipHeight; h++)
        {
            sum += ChainSelector.Work(store.GetBlockHeader(h).Bits);
        }

        return sum;
    }
}
