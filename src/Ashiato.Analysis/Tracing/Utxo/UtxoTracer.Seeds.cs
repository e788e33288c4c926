using System.Globalization;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

public sealed partial class UtxoTracer
{
    /// <summary>Address id of <paramref name="text"/> on this chain; a clear error for malformed, wrong-network or unseen addresses.</summary>
    public static uint ResolveAddress(UtxoChainStore chain, string text)
    {
        if (!AddressCodec.TryParse(chain.Network, text, out var kind, out var payload))
        {
            var other = Network.All.FirstOrDefault(n => n != chain.Network && AddressCodec.TryParse(n, text, out _, out _));
            throw new UserErrorException(other is not null
                ? $"address '{text}' is a {other.Name} address; chain '{chain.ChainName}' is {chain.Network.Name}"
                : Chains.Evm.EvmAddress.TryParse(text, out _)
                    ? $"'{text}' is an EVM address; chain '{chain.ChainName}' is a Bitcoin-family chain ({chain.Network.Name}): trace it on an EVM chain"
                    : $"'{text}' is not a valid {chain.Network.Name} address");
        }

        var id = chain.FindAddress(kind, payload);
        if (id < 0)
        {
            throw new UserErrorException($"address '{text}' does not occur on chain '{chain.ChainName}'");
        }

        return (uint)id;
    }

    public static long ResolveTx(UtxoChainStore chain, string text)
    {
        if (!Hash256.TryParse(text.Trim(), out var hash))
        {
            throw new UserErrorException($"'{text}' is not a transaction id (64 hex digits)");
        }

        var id = chain.FindTx(hash);
        if (id < 0)
        {
            throw new UserErrorException($"transaction '{text}' is not on chain '{chain.ChainName}'");
        }

        return id;
    }

    /// <summary>Output id of <c>txid:n</c>; a clear error for a malformed reference, an unknown transaction or an index out of range.</summary>
    public static long ResolveOutput(UtxoChainStore chain, string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !uint.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new UserErrorException($"'{text}' is not an output reference (expected TXID:N, e.g. 4a5e…3b:0)");
        }

        var tx = chain.GetTx(ResolveTx(chain, text[..colon]));
        if (n >= tx.OutputCount)
        {
            throw new UserErrorException($"output '{text}': transaction {text[..colon]} has {tx.OutputCount} output(s) (0..{tx.OutputCount - 1})");
        }

        return tx.FirstOutput + n;
    }

    /// <summary>The outputs a seed stands for, in output id order (backward and forward alike: seeds are tainted outputs).</summary>
    private List<long> SeedOutputs(TraceSeed seed)
    {
        var outputs = new List<long>();
        switch (seed.Kind)
        {
            case TraceSeedKind.Transaction:
            {
                var tx = _view!.GetRow(ResolveTx(_chain, seed.Value));
                for (var j = 0; j < tx.OutputCount; j++)
                {
                    outputs.Add(tx.FirstOutput + j);
                }

                break;
            }

            case TraceSeedKind.Output:
                outputs.Add(ResolveOutput(_chain, seed.Value));
                break;
            case TraceSeedKind.Address:
                AddReceived(ResolveAddress(_chain, seed.Value), outputs);
                break;
            case TraceSeedKind.Cluster:
            {
                foreach (var member in ClusterMembers(seed.Value))
                {
                    AddReceived(member, outputs);
                }

                outputs.Sort();
                break;
            }

            default:
                throw new UserErrorException($"unknown seed kind {seed.Kind}");
        }

        return outputs;
    }

    private void AddReceived(uint address, List<long> outputs)
    {
        foreach (var p in _chain.GetPostings(address))
        {
            if (!p.IsInput)
            {
                outputs.Add(p.Id);
            }
        }
    }

    /// <summary>Members of the cluster given by a member address or by its cluster id (the smallest member address id).</summary>
    private List<uint> ClusterMembers(string value)
    {
        if (_labels is null || _chain.AddressCount == 0 || _labels.ClusterOf(0) is null)
        {
            throw new UserErrorException($"cannot seed cluster '{value}': chain '{Chain}' has no clusters: run 'ashiato cluster --chain {Chain}' first");
        }

        long cluster;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            if (id >= _chain.AddressCount || _labels.ClusterOf(id) != id)
            {
                throw new UserErrorException($"'{value}' is not a cluster id of chain '{Chain}' (a cluster id is its smallest member's address id)");
            }

            cluster = id;
        }
        else
        {
            cluster = _labels.ClusterOf(ResolveAddress(_chain, value)) ?? throw new UserErrorException($"address '{value}' has no cluster");
        }

        return [.. _labels.MembersOf(cluster, _chain.AddressCount).Select(a => (uint)a)];
    }
}
