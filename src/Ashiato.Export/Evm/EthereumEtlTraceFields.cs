using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Export.Evm;

/// <summary>
/// The two trace columns ethereum-etl computes rather than reads (trace_status_calculator.py and
/// trace_id_calculator.py), for the traces of one block.
/// </summary>
public static class EthereumEtlTraceFields
{
    public static string TypeName(EvmTraceType type) => type switch
    {
        EvmTraceType.Call => "call",
        EvmTraceType.Create => "create",
        EvmTraceType.Suicide => "suicide",
        EvmTraceType.Reward => "reward",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown trace type"),
    };

    /// <summary>
    /// <para>
    /// <b>status</b>: 0 if the trace has an error, else 1; then, within each transaction, a call or create whose parent
    /// call/create (trace address minus its last index) has status 0 gets 0 too, parents first. As in ethereum-etl, only
    /// calls and creates take their parent's failure: a suicide keeps the status of its own error.
    /// </para>
    /// <para>
    /// <b>trace_id</b>: for a trace of a transaction <c>{type}_{transaction hash}_{trace address joined by "_"}</c>
    /// (so "call_0x…_" for the top call); for a trace without transaction (rewards) <c>{type}_{block}_{n}</c>, n the
    /// position among the block's traces of that type ordered by (reward type, from, to, value).
    /// </para>
    /// </summary>
    /// <exception cref="UserErrorException">A call or create whose parent trace is missing (ethereum-etl fails there too).</exception>
    public static (int[] Status, string[] TraceId) Compute(IReadOnlyList<EvmTrace> blockTraces)
    {
        var n = blockTraces.Count;
        var status = new int[n];
        var ids = new string[n];
        var byTransaction = new Dictionary<EvmHash, List<int>>();
        var byType = new Dictionary<EvmTraceType, List<int>>();
        for (var i = 0; i < n; i++)
        {
            var t = blockTraces[i];
            status[i] = string.IsNullOrEmpty(t.Error) ? 1 : 0;
            if (t.TransactionHash is { } hash)
            {
                ids[i] = $"{TypeName(t.TraceType)}_{hash}_{string.Join('_', t.TraceAddress)}";
                if (t.TraceType is EvmTraceType.Call or EvmTraceType.Create)
                {
                    Add(byTransaction, hash, i);
                }
            }
            else
            {
                Add(byType, t.TraceType, i);
            }
        }

        foreach (var (hash, members) in byTransaction)
        {
            // Stable sort by depth, like Python's sorted(); a later duplicate address replaces an earlier one, like its dict.
            var sorted = members.OrderBy(i => blockTraces[i].TraceAddress.Count).ToList();
            var byAddress = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var i in sorted)
            {
                byAddress[string.Join(',', blockTraces[i].TraceAddress)] = i;
            }

            foreach (var i in sorted)
            {
                var address = blockTraces[i].TraceAddress;
                if (address.Count == 0)
                {
                    continue;
                }

                var parentKey = string.Join(',', address.Take(address.Count - 1));
                if (!byAddress.TryGetValue(parentKey, out var parent))
                {
                    throw new UserErrorException(
                        $"traces of block {blockTraces[i].BlockNumber}: trace [{string.Join(',', address)}] of transaction {hash} has no parent trace");
                }

                if (status[parent] == 0)
                {
                    status[i] = 0;
                }
            }
        }

        foreach (var (type, members) in byType)
        {
            var ordered = members
                .OrderBy(i => blockTraces[i].RewardType, StringComparer.Ordinal)
                .ThenBy(i => blockTraces[i].From?.ToString(), StringComparer.Ordinal)
                .ThenBy(i => blockTraces[i].To?.ToString(), StringComparer.Ordinal)
                .ThenBy(i => blockTraces[i].Value ?? UInt256.Zero)
                .ThenBy(i => blockTraces[i].Value.HasValue)
                .ToList();
            for (var k = 0; k < ordered.Count; k++)
            {
                var i = ordered[k];
                ids[i] = $"{TypeName(type)}_{blockTraces[i].BlockNumber}_{k}";
            }
        }

        return (status, ids);
    }

    private static void Add<TKey>(Dictionary<TKey, List<int>> groups, TKey key, int index)
        where TKey : notnull
    {
        if (!groups.TryGetValue(key, out var list))
        {
            list = [];
            groups[key] = list;
        }

        list.Add(index);
    }
}
