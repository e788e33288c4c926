using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Model;
using Ashiato.Storage.Evm;

namespace Ashiato.Export.Evm;

/// <summary>The ethereum-etl tables an EVM chain in the store can be exported as.</summary>
public enum EvmTable
{
    Blocks,
    Transactions,
    Receipts,
    Logs,
    TokenTransfers,
    Traces,
    Tokens,
}

/// <summary>
/// Exports a height range of an EVM chain in the store as one ethereum-etl table: each block's stored bundle is decoded
/// (one at a time, so memory does not grow with the range) and handed to <see cref="EthereumEtlExporter"/>. Blocks
/// stored without traces contribute no trace rows (<see cref="EvmChainStore.TraceGaps"/> lists them).
/// </summary>
public sealed class EvmStoreExport(EvmChainStore chain, EthereumEtlExporter exporter)
{
    public static bool TryParseTable(string name, out EvmTable table)
    {
        switch (name)
        {
            case "blocks": table = EvmTable.Blocks; return true;
            case "transactions": table = EvmTable.Transactions; return true;
            case "receipts": table = EvmTable.Receipts; return true;
            case "logs": table = EvmTable.Logs; return true;
            case "token_transfers": table = EvmTable.TokenTransfers; return true;
            case "traces": table = EvmTable.Traces; return true;
            case "tokens": table = EvmTable.Tokens; return true;
            default: table = default; return false;
        }
    }

    public void Write(TextWriter output, EvmTable table, long from, long to, EthereumEtlFormat format)
    {
        var bundles = Bundles(from, to);
        switch (table)
        {
            case EvmTable.Blocks:
                exporter.WriteBlocks(output, bundles.Select(b => b.Block), format);
                break;
            case EvmTable.Transactions:
                exporter.WriteTransactions(output, bundles.Select(b => b.Block), format);
                break;
            case EvmTable.Receipts:
                exporter.WriteReceipts(output, bundles.SelectMany(b => b.Receipts), format);
                break;
            case EvmTable.Logs:
                exporter.WriteLogs(output, bundles.SelectMany(b => b.Receipts).SelectMany(r => r.Logs), format);
                break;
            case EvmTable.TokenTransfers:
                exporter.WriteTokenTransfers(output, bundles.SelectMany(b => b.Receipts).SelectMany(r => r.Logs), format);
                break;
            case EvmTable.Traces:
                exporter.WriteTraces(output, bundles.SelectMany(b => b.Traces ?? []), format);
                break;
            case EvmTable.Tokens:
                exporter.WriteTokens(output, bundles.SelectMany(b => b.NewTokens), format);
                break;
        }
    }

    /// <summary>Decoded bundles of the range, in height order.</summary>
    public IEnumerable<EvmBlockBundle> Bundles(long from, long to)
    {
        for (var h = from; h <= to; h++)
        {
            yield return EvmBundleCodec.Decode(chain.Bundle(h), $"chain '{chain.ChainName}' block {h}");
        }
    }
}
