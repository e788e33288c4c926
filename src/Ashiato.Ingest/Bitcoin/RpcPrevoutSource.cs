using System.Text.Json;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;

namespace Ashiato.Ingest.Bitcoin;

/// <summary>
/// Resolves spent outputs that are not in the store through the node (<c>getrawtransaction txid 1</c>, as bitcoin-etl
/// does), parsing the transaction's hex for exact values. Transactions the node does not know (no txindex) stay unresolved.
/// </summary>
public sealed class RpcPrevoutSource(BitcoinRpcClient rpc) : IPrevoutSource
{
    private readonly BlockParser _parser = new();

    public async Task<IReadOnlyDictionary<(Hash256 TxId, uint Vout), ExternalOutput>> FetchAsync(
        IReadOnlyCollection<(Hash256 TxId, uint Vout)> outpoints, CancellationToken ct)
    {
        var txids = outpoints.Select(o => o.TxId).Distinct().ToList();
        var found = new Dictionary<(Hash256, uint), ExternalOutput>();
        foreach (var chunk in txids.Chunk(100))
        {
            var results = await rpc.BatchAsync([.. chunk.Select(t => ("getrawtransaction", new object?[] { t.ToString(), 1 }))], ct)
                .ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (results[i].IsError)
                {
                    if (results[i].ErrorCode is -5 or -8 or -32601)
                    {
                        continue; // not known to the node (no txindex, or no getrawtransaction): stays unresolved
                    }

                    throw new RpcException("getrawtransaction", results[i].ErrorCode!.Value, $"{results[i].ErrorMessage} (tx {chunk[i]})");
                }

                var r = results[i].Result;
                var hex = r.ValueKind == JsonValueKind.String ? r.GetString()
                    : r.ValueKind == JsonValueKind.Object && r.TryGetProperty("hex", out var h) ? h.GetString() : null;
                if (hex is null)
                {
                    throw new UserErrorException($"malformed answer to getrawtransaction for {chunk[i]}: no hex");
                }

                var tx = _parser.ParseTransaction(Convert.FromHexString(hex), $"getrawtransaction {chunk[i]}");
                if (tx.Txs[0].TxId != chunk[i])
                {
                    throw new UserErrorException($"getrawtransaction {chunk[i]} returned transaction {tx.Txs[0].TxId}");
                }

                for (var o = 0; o < tx.Txs[0].OutputCount; o++)
                {
                    var output = tx.Outputs[tx.Txs[0].FirstOutput + o];
                    found[(chunk[i], (uint)o)] = new ExternalOutput(output.Value, tx.Script(output).ToArray());
                }
            }
        }

        return found;
    }
}
