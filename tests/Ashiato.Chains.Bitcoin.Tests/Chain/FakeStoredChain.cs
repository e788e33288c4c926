using System.Numerics;
using Ashiato.Chains.Bitcoin.Chain;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.Chain;

/// <summary>A handwritten store: the headers of heights 0..n-1 held in memory.</summary>
public sealed class FakeStoredChain : IStoredChain
{
    private readonly List<(Hash256 Hash, BlockHeader Header)> _blocks = [];

    public FakeStoredChain(IEnumerable<(Hash256 Hash, BlockHeader Header)> blocks)
    {
        _blocks.AddRange(blocks);
    }

    public static FakeStoredChain Empty => new([]);

    public int BlockCount => _blocks.Count;

    public int TipHeight => _blocks.Count - 1;

    public int? HeightOf(Hash256 hash)
    {
        var i = _blocks.FindIndex(b => b.Hash == hash);
        return i < 0 ? null : i;
    }

    public BigInteger WorkAbove(int height)
    {
        var sum = BigInteger.Zero;
        for (var h = height + 1; h < _blocks.Count; h++)
        {
            sum += ChainSelector.Work(_blocks[h].Header.Bits);
        }

        return sum;
    }
}
