using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Export.Evm;

/// <summary>A row of ethereum-etl's token_transfers table: a <c>Transfer(address,address,uint256)</c> log.</summary>
public sealed record EthereumEtlTokenTransfer(
    EvmAddress TokenAddress,
    EvmAddress FromAddress,
    EvmAddress ToAddress,
    UInt256 Value,
    EvmHash TransactionHash,
    int LogIndex,
    long BlockNumber)
{
    /// <summary>keccak256("Transfer(address,address,uint256)"), the topic 0 of ERC-20 and ERC-721 transfers.</summary>
    public static readonly EvmHash TransferTopic = EvmHash.Parse("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

    /// <summary>
    /// ethereum-etl's rule (token_transfer_extractor.py): topic 0 is <see cref="TransferTopic"/> and the topics
    /// followed by the data cut into 32-byte words (the last one may be shorter) make exactly four words; from and
    /// to are the low 20 bytes of words 1 and 2 and the value is word 3. So ERC-20 (3 topics + 1 data word),
    /// ERC-721 (4 topics, value = token id) and old tokens with unindexed parameters (1 topic + 3 words) all count.
    /// Only the last word can be short (data not a multiple of 32 bytes), and that is the value, read as a big-endian
    /// number like ethereum-etl's <c>int(word, 16)</c>.
    /// </summary>
    public static EthereumEtlTokenTransfer? FromLog(EvmLog log)
    {
        if (log.Topics.Count < 1 || log.Topics[0] != TransferTopic)
        {
            return null;
        }

        var dataWords = (log.Data.Length + 31) / 32;
        if (log.Topics.Count + dataWords != 4)
        {
            return null;
        }

        var words = new byte[4][];
        for (var i = 0; i < 4; i++)
        {
            if (i < log.Topics.Count)
            {
                words[i] = log.Topics[i].ToBytes();
            }
            else
            {
                var start = (i - log.Topics.Count) * 32;
                words[i] = log.Data[start..Math.Min(start + 32, log.Data.Length)];
            }
        }

        return new EthereumEtlTokenTransfer(
            log.Address,
            EvmAddress.FromWord(words[1]),
            EvmAddress.FromWord(words[2]),
            UInt256.FromBigEndianShort(words[3]),
            log.TransactionHash,
            log.LogIndex,
            log.BlockNumber);
    }
}
