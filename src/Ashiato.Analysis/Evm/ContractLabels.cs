using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Model;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Evm;

/// <summary>A contract created on the chain: by an EOA (a create transaction) or by a contract (a factory's create/create2 trace).</summary>
public sealed record ContractCreation(EvmAddress Contract, EvmAddress Creator, bool ByFactory, EvmHash Tx, long Height, EvmToken? Token);

/// <summary>A contract with its creator and, where it can be said, the entity it belongs to and why.</summary>
public sealed record ContractLabel(ContractCreation Creation, string? Entity, double Confidence, string? Reason);

/// <summary>
/// Finds the contracts created on a stored EVM chain and labels them. A contract is created by a successful transaction
/// without a recipient (the receipt's contract address; creator = the sender, an EOA) or by a create/create2 call inside a
/// transaction (the trace; creator = the calling contract, a factory), when neither it nor a call above it failed. Token
/// metadata (name, symbol, decimals) is what ingest read with <c>eth_call</c>. Entity: a contract whose creator carries a
/// tag is that tag's entity's contract, with 0.8 × the tag's confidence; a creator in a cluster whose hot wallet names an
/// exchange gives 0.8 × the cluster's confidence; a contract created by a labelled contract (factory) inherits its label
/// with 0.8 × its confidence. The reason says which.
/// </summary>
public static class ContractLabels
{
    /// <summary>The discount of a label derived through the creator, against the evidence it comes from.</summary>
    public const double CreatorDiscount = 0.8;

    /// <summary>Contract creations of the committed blocks from <paramref name="fromHeight"/> to <paramref name="toHeight"/>, in chain order.</summary>
    public static List<ContractCreation> Find(EvmChainStore store, long fromHeight, long toHeight)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = new List<ContractCreation>();
        var seen = new HashSet<EvmAddress>();
        var tokens = new Dictionary<EvmAddress, EvmToken>();
        for (var h = fromHeight; h <= toHeight; h++)
        {
            var bundle = EvmBundleCodec.Decode(store.Bundle(h), $"chain '{store.ChainName}' block {h}");
            list.AddRange(FromBundle(bundle, seen));
            foreach (var t in bundle.NewTokens)
            {
                tokens.TryAdd(t.Address, t);
            }
        }

        // ingest reads a token's metadata in the block where it first moves value, often after its creation
        return [.. list.Select(c => c.Token is null && tokens.TryGetValue(c.Contract, out var t) ? c with { Token = t } : c)];
    }

    /// <summary>The creations of one block (top-level creates from the receipts, then factory creates from the traces, in order).</summary>
    public static IEnumerable<ContractCreation> FromBundle(EvmBlockBundle bundle, HashSet<EvmAddress> seen)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var tokens = bundle.NewTokens.ToDictionary(t => t.Address);
        var txs = bundle.Block.Transactions;
        var failed = new HashSet<int>();
        foreach (var r in bundle.Receipts)
        {
            if (r.Status == 0)
            {
                failed.Add(r.TransactionIndex);
            }
        }

        var creations = new List<(int TxIndex, int Order, ContractCreation C)>();
        foreach (var r in bundle.Receipts)
        {
            if (r.ContractAddress is { } c && r.Status != 0 && r.TransactionIndex < txs.Count)
            {
                var tx = txs[r.TransactionIndex];
                creations.Add((r.TransactionIndex, -1, new ContractCreation(c, tx.From, false, tx.Hash, bundle.Block.Number, tokens.GetValueOrDefault(c))));
            }
        }

        if (bundle.Traces is { } traces)
        {
            var errors = new HashSet<(int, string)>();
            foreach (var t in traces)
            {
                if (t.Error is not null && t.TransactionIndex is { } i)
                {
                    errors.Add((i, string.Join(',', t.TraceAddress)));
                }
            }

            for (var k = 0; k < traces.Count; k++)
            {
                var t = traces[k];
                if (t.TraceType != EvmTraceType.Create || t.TraceAddress.Count == 0 || t.Error is not null || t.To is not { } created
                    || t.From is not { } factory || t.TransactionIndex is not { } i || failed.Contains(i) || UnderError(errors, i, t.TraceAddress)
                    || i >= txs.Count)
                {
                    continue;
                }

                creations.Add((i, k, new ContractCreation(created, factory, true, txs[i].Hash, bundle.Block.Number, tokens.GetValueOrDefault(created))));
            }
        }

        foreach (var (_, _, c) in creations.OrderBy(x => x.TxIndex).ThenBy(x => x.Order))
        {
            if (seen.Add(c.Contract))
            {
                yield return c;
            }
        }
    }

    private static bool UnderError(HashSet<(int, string)> errors, int tx, IReadOnlyList<int> address)
    {
        for (var n = 0; n < address.Count; n++)
        {
            if (errors.Contains((tx, string.Join(',', address.Take(n)))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Labels creations (in chain order, so a factory is labelled before what it creates). <paramref name="clusterEntity"/>
    /// gives, for an address, the exchange its cluster belongs to and the confidence of that (null: none).
    /// </summary>
    public static List<ContractLabel> Label(IReadOnlyList<ContractCreation> creations, IReadOnlyList<EvmTag> tags,
        Func<EvmAddress, (string Entity, double Confidence, string Why)?> clusterEntity)
    {
        ArgumentNullException.ThrowIfNull(creations);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(clusterEntity);
        var tagged = new Dictionary<EvmAddress, EvmTag>();
        foreach (var t in tags)
        {
            // the most confident tag of an address decides (ties: the first in the stable order)
            if (!tagged.TryGetValue(t.Address, out var have) || t.Confidence > have.Confidence)
            {
                tagged[t.Address] = t;
            }
        }

        var labelled = new Dictionary<EvmAddress, ContractLabel>();
        var result = new List<ContractLabel>(creations.Count);
        foreach (var c in creations)
        {
            ContractLabel label;
            if (tagged.TryGetValue(c.Creator, out var tag))
            {
                label = new ContractLabel(c, tag.Entity, Round(CreatorDiscount * tag.Confidence),
                    $"created by {c.Creator}, tagged '{tag.Label}' ({tag.Source})");
            }
            else if (c.ByFactory && labelled.TryGetValue(c.Creator, out var factory) && factory.Entity is not null)
            {
                label = new ContractLabel(c, factory.Entity, Round(CreatorDiscount * factory.Confidence),
                    $"created by factory {c.Creator}, which is {factory.Entity}'s ({factory.Reason})");
            }
            else if (clusterEntity(c.Creator) is { } cl)
            {
                label = new ContractLabel(c, cl.Entity, Round(CreatorDiscount * cl.Confidence), $"created by {c.Creator}, {cl.Why}");
            }
            else
            {
                label = new ContractLabel(c, null, 0, null);
            }

            labelled[c.Contract] = label;
            result.Add(label);
        }

        return result;
    }

    private static double Round(double x) => Math.Round(x, 4, MidpointRounding.ToEven);
}
