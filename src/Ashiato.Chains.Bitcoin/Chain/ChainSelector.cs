using System.Numerics;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Chain;

/// <summary>What the store already holds, as the chain selector needs it.</summary>
public interface IStoredChain
{
    int BlockCount { get; }

    int TipHeight { get; }

    int? HeightOf(Hash256 hash);

    /// <summary>Summed proof-of-work of stored blocks above <paramref name="height"/>.</summary>
    BigInteger WorkAbove(int height);
}

/// <summary>The blocks to apply: roll the store back to <see cref="ForkHeight"/> (if below its tip), then apply <see cref="Blocks"/> in order.</summary>
public sealed record ChainPlan<T>(IReadOnlyList<T> Blocks, int ForkHeight, bool Anchored, int StaleBlocks);

/// <summary>
/// Picks the best chain among headers found in block files (any order, stale branches included) by
/// prev-hash links and cumulative work, starting from the store's chain or the network's genesis.
/// </summary>
public static class ChainSelector
{
    public static BigInteger Work(uint bits)
    {
        var target = CompactToTarget(bits);
        return target.Sign <= 0 ? BigInteger.Zero : (BigInteger.One << 256) / (target + 1);
    }

    public static BigInteger CompactToTarget(uint bits)
    {
        var size = (int)(bits >> 24);
        var word = bits & 0x007fffff;
        if ((bits & 0x00800000) != 0)
        {
            return BigInteger.Zero; // negative targets are invalid
        }

        return size <= 3 ? new BigInteger(word >> (8 * (3 - size))) : new BigInteger(word) << (8 * (size - 3));
    }

    /// <param name="blocks">Candidate blocks in file order.</param>
    /// <param name="hashOf">Block hash.</param>
    /// <param name="headerOf">Block header.</param>
    /// <param name="stored">The store's chain.</param>
    /// <param name="genesis">The network's genesis hash (a block with a zero prev-hash must be it).</param>
    public static ChainPlan<T> Select<T>(IReadOnlyList<T> blocks, Func<T, Hash256> hashOf, Func<T, BlockHeader> headerOf,
        IStoredChain stored, Hash256 genesis)
    {
        var byHash = new Dictionary<Hash256, int>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            var h = hashOf(blocks[i]);
            if (stored.HeightOf(h) is null)
            {
                byHash.TryAdd(h, i);
            }
        }

        // anchor: height of the stored block (or -1 for genesis, int.MinValue for an unanchored island root)
        var anchor = new int[blocks.Count];
        var work = new BigInteger[blocks.Count];
        var depth = new int[blocks.Count];
        var state = new byte[blocks.Count]; // 0 = todo, 1 = done
        var stack = new Stack<int>();
        foreach (var start in byHash.Values)
        {
            if (state[start] == 1)
            {
                continue;
            }

            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Peek();
                var header = headerOf(blocks[i]);
                var selfWork = Work(header.Bits);
                if (byHash.TryGetValue(header.PrevHash, out var parent))
                {
                    if (state[parent] == 0)
                    {
                        stack.Push(parent);
                        continue;
                    }

                    anchor[i] = anchor[parent];
                    work[i] = work[parent] + selfWork;
                    depth[i] = depth[parent] + 1;
                }
                else if (stored.HeightOf(header.PrevHash) is { } h)
                {
                    anchor[i] = h;
                    work[i] = selfWork;
                    depth[i] = 1;
                }
                else if (header.PrevHash.IsZero && hashOf(blocks[i]) == genesis && stored.BlockCount == 0)
                {
                    anchor[i] = -1;
                    work[i] = selfWork;
                    depth[i] = 1;
                }
                else
                {
                    anchor[i] = int.MinValue; // parent unknown
                    work[i] = selfWork;
                    depth[i] = 1;
                }

                state[i] = 1;
                stack.Pop();
            }
        }

        // Anchored chains (extending the store or starting at genesis) must carry more work than what the store
        // holds above their fork point. Islands (parent unknown) are taken only into an empty store. Ties: first seen.
        var best = -1;
        var bestScore = BigInteger.Zero;
        foreach (var i in byHash.Values.Order())
        {
            if (anchor[i] == int.MinValue)
            {
                continue;
            }

            var score = work[i] - (anchor[i] >= 0 ? stored.WorkAbove(anchor[i]) : BigInteger.Zero);
            if (score > bestScore || (best < 0 && score > 0))
            {
                best = i;
                bestScore = score;
            }
        }

        if (best < 0 && stored.BlockCount == 0)
        {
            foreach (var i in byHash.Values.Order())
            {
                if (anchor[i] == int.MinValue && (best < 0 || work[i] > bestScore))
                {
                    best = i;
                    bestScore = work[i];
                }
            }
        }

        if (best < 0)
        {
            return new ChainPlan<T>([], stored.TipHeight, true, byHash.Count);
        }

        var chain = new List<T>(depth[best]);
        var cur = best;
        while (true)
        {
            chain.Add(blocks[cur]);
            if (!byHash.TryGetValue(headerOf(blocks[cur]).PrevHash, out var parent))
            {
                break;
            }

            cur = parent;
        }

        chain.Reverse();
        var fork = anchor[best] == int.MinValue ? int.MinValue : anchor[best];
        return new ChainPlan<T>(chain, fork, anchor[best] != int.MinValue, byHash.Count - chain.Count);
    }
}
