using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Export.Evm;
using static Ashiato.Chains.Evm.Tests.Export.EtlResources;

namespace Ashiato.Chains.Evm.Tests.Export;

/// <summary>Value formats the recordings do not reach, with the expected text written from Python's rules.</summary>
public class EthereumEtlFormatTests
{
    private const string Token = "0x86fa049857e0209aa7d9e616f7eb3b3b78ecfdb0";
    private const string Validator = "0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f";
    private static readonly string Hash1 = "0x" + new string('1', 64);
    private static readonly string Hash2 = "0x" + new string('2', 64);

    [Fact]
    public void Tokens_HandMadeToken_WrittenAsEthereumEtlWritesIt()
    {
        // Name with a comma, a quote, a tab and a non-ASCII letter; unreadable symbol; unknown block.
        var token = new EvmToken(EvmAddress.Parse(Token), null, "Foo, \"Bar\"\t\u00e9", 18, UInt256.Parse("1000000000000000000000000000"), null);

        var csv = Write(w => Exporter.WriteTokens(w, [token], EthereumEtlFormat.Csv));
        var json = Write(w => Exporter.WriteTokens(w, [token], EthereumEtlFormat.Json));

        Assert.Equal(
            "address,symbol,name,decimals,total_supply,block_number\n" +
            $"{Token},,\"Foo, \"\"Bar\"\"\t\u00e9\",18,1000000000000000000000000000,\n",
            csv);
        Assert.Equal(
            $"{{\"address\": \"{Token}\", \"symbol\": null, \"name\": \"Foo, \\\"Bar\\\"\\t\\u00e9\", \"decimals\": 18, " +
            "\"total_supply\": 1000000000000000000000000000, \"block_number\": null}\n",
            json);
    }

    [Fact]
    public void Tokens_ControlCharactersAndAstralLetters_EscapedAsPythonJsonDumps()
    {
        var token = new EvmToken(EvmAddress.Parse(Token), "\b\f\u0001\u007f", "\U0001F600\r\n", 0, UInt256.Zero, 5);

        var json = Write(w => Exporter.WriteTokens(w, [token], EthereumEtlFormat.Json));
        var csv = Write(w => Exporter.WriteTokens(w, [token], EthereumEtlFormat.Csv));

        Assert.Contains("\"symbol\": \"\\b\\f\\u0001\\u007f\", \"name\": \"\\ud83d\\ude00\\r\\n\"", json, StringComparison.Ordinal);
        Assert.EndsWith($"{Token},\b\f\u0001\u007f,\"\U0001F600\r\n\",0,0,5\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_WithNoRows_AreEmptyFilesWithoutHeader()
    {
        Assert.Equal("", Write(w => Exporter.WriteTokens(w, [], EthereumEtlFormat.Csv)));
        Assert.Equal("", Write(w => Exporter.WriteTraces(w, [], EthereumEtlFormat.Csv)));
        Assert.Equal("", Write(w => Exporter.WriteLogs(w, [], EthereumEtlFormat.Json)));
    }

    [Fact]
    public void Blocks_Withdrawals_CsvCellIsCompactJsonDictsJoinedByComma_JsonIsAList()
    {
        var block = Block(withdrawals:
        [
            new EvmWithdrawal(2210752, 540230, EvmAddress.Parse(Validator), 45762059),
            new EvmWithdrawal(2210753, 540231, EvmAddress.Parse(Validator), 12420714),
        ]);

        var csv = Write(w => Exporter.WriteBlocks(w, [block], EthereumEtlFormat.Csv));
        var json = Write(w => Exporter.WriteBlocks(w, [block], EthereumEtlFormat.Json));

        Assert.EndsWith(
            $",\"{{\"\"index\"\":2210752,\"\"validator_index\"\":540230,\"\"address\"\":\"\"{Validator}\"\",\"\"amount\"\":45762059}}," +
            $"{{\"\"index\"\":2210753,\"\"validator_index\"\":540231,\"\"address\"\":\"\"{Validator}\"\",\"\"amount\"\":12420714}}\"\n",
            csv,
            StringComparison.Ordinal);
        Assert.EndsWith(
            $"\"withdrawals\": [{{\"index\": 2210752, \"validator_index\": 540230, \"address\": \"{Validator}\", \"amount\": 45762059}}, " +
            $"{{\"index\": 2210753, \"validator_index\": 540231, \"address\": \"{Validator}\", \"amount\": 12420714}}]}}\n",
            json,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_PreShanghai_WithdrawalsEmptyCellAndEmptyJsonList_NullsForAbsentFields()
    {
        var block = Block(withdrawals: null);

        var json = Write(w => Exporter.WriteBlocks(w, [block], EthereumEtlFormat.Json));

        Assert.Contains("\"nonce\": null,", json, StringComparison.Ordinal);
        Assert.Contains("\"total_difficulty\": null,", json, StringComparison.Ordinal);
        Assert.EndsWith("\"transaction_count\": 0, \"base_fee_per_gas\": null, \"withdrawals_root\": null, \"withdrawals\": []}\n", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test_export_blocks_job", "blocks_with_transactions_and_withdrawals", "expected_blocks.csv")]
    [InlineData("test_export_blocks_job", "blocks_with_transactions_and_withdrawals", "expected_transactions.csv")]
    [InlineData("test_export_receipts_job", "receipts_with_logs", "expected_receipts.csv")]
    [InlineData("test_export_receipts_job", "receipts_with_logs", "expected_logs.csv")]
    [InlineData("test_export_traces_job", "block_with_create", "expected_traces.csv")]
    [InlineData("test_export_token_transfers_job", "block_with_transfers", "expected_token_transfers.csv")]
    public void Columns_EqualEthereumEtlHeaders(string job, string testCase, string file)
    {
        var header = File.ReadAllLines(Path.Combine(Dir(job, testCase), file))[0];
        var columns = file switch
        {
            "expected_blocks.csv" => Exporter.BlockColumns,
            "expected_transactions.csv" => Exporter.TransactionColumns,
            "expected_receipts.csv" => Exporter.ReceiptColumns,
            "expected_logs.csv" => Exporter.LogColumns,
            "expected_traces.csv" => Exporter.TraceColumns,
            _ => Exporter.TokenTransferColumns,
        };

        Assert.Equal(header, string.Join(',', columns));
    }

    [Fact]
    public void Version24_AddsBlobColumnsAtTheEnd()
    {
        var exporter = new EthereumEtlExporter(EthereumEtlVersion.V2_4);
        var block = Block(withdrawals: null, blobGasUsed: 131072, transactions:
        [
            new EvmTransaction
            {
                Hash = EvmHash.Parse(Hash1),
                BlockNumber = 19_000_000,
                Type = 3,
                MaxFeePerBlobGas = new UInt256(7),
                BlobVersionedHashes = [EvmHash.Parse(Hash1), EvmHash.Parse(Hash2)],
            },
        ]);

        var blocks = Write(w => exporter.WriteBlocks(w, [block], EthereumEtlFormat.Csv));
        var txCsv = Write(w => exporter.WriteTransactions(w, [block], EthereumEtlFormat.Csv));
        var txJson = Write(w => exporter.WriteTransactions(w, [block], EthereumEtlFormat.Json));
        var receipts = Write(w => exporter.WriteReceipts(w, [new EvmReceipt { BlobGasUsed = 131072, BlobGasPrice = UInt256.One }], EthereumEtlFormat.Csv));

        Assert.EndsWith(",withdrawals,blob_gas_used,excess_blob_gas", blocks.Split('\n')[0], StringComparison.Ordinal);
        Assert.EndsWith(",,131072,\n", blocks, StringComparison.Ordinal);
        Assert.EndsWith(",transaction_type,max_fee_per_blob_gas,blob_versioned_hashes", txCsv.Split('\n')[0], StringComparison.Ordinal);
        Assert.EndsWith($",3,7,\"{Hash1},{Hash2}\"\n", txCsv, StringComparison.Ordinal);
        Assert.EndsWith($"\"transaction_type\": 3, \"max_fee_per_blob_gas\": 7, \"blob_versioned_hashes\": [\"{Hash1}\", \"{Hash2}\"]}}\n", txJson, StringComparison.Ordinal);
        Assert.EndsWith(",l1_fee_scalar,blob_gas_price,blob_gas_used", receipts.Split('\n')[0], StringComparison.Ordinal);
        Assert.EndsWith(",1,131072\n", receipts, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_WithCrLfNewLine_EndsEveryRowLikePythonCsvModule()
    {
        var exporter = new EthereumEtlExporter(csvNewLine: "\r\n");
        var token = new EvmToken(EvmAddress.Parse(Token), "EOS", null, 18, null, null);

        var csv = Write(w => exporter.WriteTokens(w, [token, token], EthereumEtlFormat.Csv));

        Assert.Equal($"address,symbol,name,decimals,total_supply,block_number\r\n{Token},EOS,,18,,\r\n{Token},EOS,,18,,\r\n", csv);
    }

    [Theory]
    [InlineData("0.684", "0.684")]
    [InlineData("1", "1.0")]
    [InlineData("1.50", "1.5")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("1000000000000000", "1000000000000000.0")]
    [InlineData("1e16", "1e+16")]
    [InlineData("123456789012345678", "1.2345678901234568e+17")]
    [InlineData("0", "0.0")]
    public void Receipts_L1FeeScalar_PrintedAsPythonFloatRepr(string scalar, string printed)
    {
        var receipt = new EvmReceipt { L1FeeScalar = scalar };

        var csv = Write(w => Exporter.WriteReceipts(w, [receipt], EthereumEtlFormat.Csv));
        var json = Write(w => Exporter.WriteReceipts(w, [receipt], EthereumEtlFormat.Json));

        Assert.EndsWith($",{printed}\n", csv, StringComparison.Ordinal);
        Assert.EndsWith($"\"l1_fee_scalar\": {printed}}}\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenTransfers_Erc721FourTopics_ValueIsTokenId()
    {
        var log = Log([EthereumEtlTokenTransfer.TransferTopic, Word(0xa1), Word(0xb2), Word(0x34)], []);

        var t = EthereumEtlTokenTransfer.FromLog(log);

        Assert.NotNull(t);
        Assert.Equal(EvmAddress.Parse("0x00000000000000000000000000000000000000a1"), t.FromAddress);
        Assert.Equal(EvmAddress.Parse("0x00000000000000000000000000000000000000b2"), t.ToAddress);
        Assert.Equal(new UInt256(0x34), t.Value);
    }

    [Fact]
    public void TokenTransfers_UnindexedParameters_TakenFromDataWords()
    {
        var data = new byte[96];
        data[31] = 0xa1;
        data[63] = 0xb2;
        data[95] = 0x07;

        var t = EthereumEtlTokenTransfer.FromLog(Log([EthereumEtlTokenTransfer.TransferTopic], data));

        Assert.NotNull(t);
        Assert.Equal(EvmAddress.Parse("0x00000000000000000000000000000000000000a1"), t.FromAddress);
        Assert.Equal(new UInt256(7), t.Value);
    }

    [Fact]
    public void TokenTransfers_NotFourWordsOrOtherTopic_AreSkipped()
    {
        EvmHash[] erc20Topics = [EthereumEtlTokenTransfer.TransferTopic, Word(0xa1), Word(0xb2)];
        var logs = new[]
        {
            Log(erc20Topics, new byte[64]), // 5 words
            Log(erc20Topics, []), // 3 words
            Log([Word(0x99), Word(0xa1), Word(0xb2)], new byte[32]), // another event
            Log([], new byte[32]), // anonymous
        };

        Assert.All(logs, l => Assert.Null(EthereumEtlTokenTransfer.FromLog(l)));
        Assert.Equal("", Write(w => Exporter.WriteTokenTransfers(w, logs, EthereumEtlFormat.Csv)));
    }

    [Fact]
    public void TokenTransfers_ShortValueWord_ReadAsBigEndianNumber()
    {
        var t = EthereumEtlTokenTransfer.FromLog(Log([EthereumEtlTokenTransfer.TransferTopic, Word(0xa1), Word(0xb2)], [0x01, 0x00]));

        Assert.Equal(new UInt256(256), t!.Value);
    }

    [Fact]
    public void Traces_RewardIds_NumberedPerTypeInRewardTypeToValueOrder()
    {
        EvmTrace Reward(string type, char to, ulong value) => new()
        {
            BlockNumber = 100,
            TraceType = EvmTraceType.Reward,
            RewardType = type,
            To = EvmAddress.Parse("0x" + new string(to, 40)),
            Value = new UInt256(value),
        };

        var csv = Write(w => Exporter.WriteTraces(w, [Reward("uncle", 'b', 1), Reward("block", 'c', 5), Reward("uncle", 'a', 2), Reward("uncle", 'a', 1)], EthereumEtlFormat.Csv));

        var ids = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')[^1]);
        Assert.Equal(["reward_100_3", "reward_100_0", "reward_100_2", "reward_100_1"], ids);
    }

    [Fact]
    public void Traces_SuicideUnderFailedCall_KeepsItsOwnStatusAsEthereumEtlDoes()
    {
        var hash = EvmHash.Parse(Hash1);
        EvmTrace Trace(EvmTraceType type, int[] address, string? error) => new()
        {
            BlockNumber = 7,
            TransactionHash = hash,
            TransactionIndex = 0,
            TraceType = type,
            TraceAddress = address,
            Error = error,
        };

        var csv = Write(w => Exporter.WriteTraces(w,
            [Trace(EvmTraceType.Call, [], "Reverted"), Trace(EvmTraceType.Call, [0], null), Trace(EvmTraceType.Suicide, [1], null)],
            EthereumEtlFormat.Csv));

        var status = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')[^2]);
        Assert.Equal(["0", "0", "1"], status);
    }

    [Fact]
    public void Traces_CallWithoutParent_Throws()
    {
        var orphan = new EvmTrace { BlockNumber = 7, TransactionHash = EvmHash.Parse(Hash1), TraceType = EvmTraceType.Call, TraceAddress = [0, 1] };

        Assert.Throws<UserErrorException>(() => Write(w => Exporter.WriteTraces(w, [orphan], EthereumEtlFormat.Csv)));
    }

    [Fact]
    public void Traces_BlockSplitInTwoRuns_Throws()
    {
        EvmTrace Reward(long block) => new() { BlockNumber = block, TraceType = EvmTraceType.Reward, RewardType = "block", To = EvmAddress.Zero, Value = UInt256.One };

        Assert.Throws<ArgumentException>(() => Write(w => Exporter.WriteTraces(w, [Reward(1), Reward(2), Reward(1)], EthereumEtlFormat.Csv)));
    }

    private static EvmBlock Block(IReadOnlyList<EvmWithdrawal>? withdrawals, long? blobGasUsed = null, IReadOnlyList<EvmTransaction>? transactions = null) => new()
    {
        Number = 19_000_000,
        Hash = EvmHash.Parse(Hash1),
        ParentHash = EvmHash.Parse(Hash2),
        Miner = EvmAddress.Parse(Validator),
        Withdrawals = withdrawals,
        BlobGasUsed = blobGasUsed,
        Transactions = transactions ?? [],
    };

    private static EvmLog Log(IReadOnlyList<EvmHash> topics, byte[] data) => new()
    {
        LogIndex = 3,
        TransactionHash = EvmHash.Parse(Hash1),
        BlockNumber = 19_000_000,
        Address = EvmAddress.Parse(Token),
        Topics = topics,
        Data = data,
    };

    private static EvmHash Word(byte low)
    {
        var b = new byte[32];
        b[31] = low;
        return new EvmHash(b);
    }
}
