using System.Text.Json;
using System.Text.Json.Nodes;
using Ashiato.Chains.Evm.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Evm.Tests.Json;

public class EvmJsonDecoderTests
{
    private const string Source = "eth_getBlockByNumber 0x76250";

    [Fact]
    public void Block_Recording_DecodesEveryField()
    {
        var block = EvmJsonDecoder.DecodeBlock(Element(BlockWithLogs()), Source);

        Assert.Equal(483920, block.Number);
        Assert.Equal(EvmHash.Parse("0x246edb4b351d93c27926f4649bcf6c24366e2a7c7c718dc9158eea20c03bc6ae"), block.Hash);
        Assert.Equal(EvmAddress.Parse("0x52bc44d5378309ee2abf1539bf71de1b7d7be3b5"), block.Miner);
        Assert.Equal(UInt256.Parse("7298514125186"), block.Difficulty);
        Assert.Equal(UInt256.Parse("2571481026230204460"), block.TotalDifficulty);
        Assert.Equal("0x57a633e01197dc86", Encoding.Hex.Encode(block.Nonce!));
        Assert.Null(block.BaseFeePerGas);
        Assert.Null(block.Withdrawals);
        Assert.Null(block.WithdrawalsRoot);
        Assert.Null(block.BlobGasUsed);
        Assert.Empty(block.Uncles);
        Assert.Equal(4, block.Transactions.Count);
        var tx = block.Transactions[3];
        Assert.Equal(3, tx.TransactionIndex);
        Assert.Equal(20085UL, tx.Nonce);
        Assert.Equal(UInt256.Parse("1530219620000000000"), tx.Value);
        Assert.Equal(0, tx.Type);
        Assert.Null(tx.MaxFeePerGas);
        Assert.Equal(block.Hash, tx.BlockHash);
    }

    [Fact]
    public void Block_ValueNotHex_ThrowsNamingTransactionPath()
    {
        var json = BlockWithLogs();
        json["transactions"]![3]!["value"] = "0xzz";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal(Source, e.Source);
        Assert.Equal("transactions[3].value", e.Field);
        Assert.Equal("eth_getBlockByNumber 0x76250, field transactions[3].value: expected a 256-bit hex quantity, got \"0xzz\"", e.Message);
        Assert.IsAssignableFrom<UserErrorException>(e);
    }

    [Fact]
    public void Block_MissingHash_ThrowsNamingField()
    {
        var json = BlockWithLogs();
        json.Remove("hash");

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("hash", e.Field);
        Assert.Equal("missing", e.Problem);
    }

    [Fact]
    public void Block_TransactionHashNull_ThrowsNamingField()
    {
        var json = BlockWithLogs();
        json["transactions"]![1]!["hash"] = null;

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("transactions[1].hash", e.Field);
        Assert.Equal("is null", e.Problem);
    }

    [Theory]
    [InlineData("gasLimit", "0x", "expected a hex quantity")]
    [InlineData("gasLimit", "0x10000000000000000", "does not fit in 64 bits")]
    [InlineData("miner", "0x52bc44d5378309ee2abf1539bf71de1b7d7be3", "expected a 20-byte address")]
    [InlineData("parentHash", "0x1234", "expected a 32-byte hash")]
    [InlineData("extraData", "d783", "expected 0x-prefixed hex data")]
    public void Block_MalformedField_ThrowsNamingField(string field, string value, string problem)
    {
        var json = BlockWithLogs();
        json[field] = value;

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_NumberAsJsonNumberWhereStringExpected_ThrowsNamingField()
    {
        var json = BlockWithLogs();
        json["transactions"]![0]!["from"] = 5;

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("transactions[0].from", e.Field);
        Assert.Equal("expected an address as a string, got the number 5", e.Problem);
    }

    [Fact]
    public void Block_TransactionsAsHashesOnly_ThrowsAskingForFullTransactions()
    {
        var json = BlockWithLogs();
        json["transactions"] = new JsonArray("0x04cbcb236043d8fb7839e07bbc7f5eed692fb2ca55d897f1101eac3e3ad4fab8");

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("transactions[0]", e.Field);
        Assert.Contains("full transactions", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_TransactionFromAnotherBlock_Throws()
    {
        var json = BlockWithLogs();
        json["transactions"]![2]!["blockNumber"] = "0x76251";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("transactions[2].blockNumber", e.Field);
    }

    [Fact]
    public void Block_NodeOmitsOptionalFieldsAndAddsOthers_DecodesThemAsNullAndIgnoresTheRest()
    {
        var json = BlockWithLogs();
        json.Remove("totalDifficulty");
        json.Remove("nonce");
        var tx = json["transactions"]![0]!.AsObject();
        tx.Remove("type");
        tx.Remove("gasPrice");
        tx["to"] = null;
        tx["chainId"] = "0x1";
        tx["yParity"] = "0x1";
        tx["v"] = "0x1";
        tx["accessList"] = new JsonArray(new JsonObject { ["address"] = "0x00", ["storageKeys"] = new JsonArray() });

        var block = EvmJsonDecoder.DecodeBlock(Element(json), Source);

        Assert.Null(block.TotalDifficulty);
        Assert.Null(block.Nonce);
        Assert.Null(block.Transactions[0].Type);
        Assert.Null(block.Transactions[0].To);
        Assert.Null(block.Transactions[0].GasPrice);
    }

    [Fact]
    public void Block_PostLondonShanghaiCancunFields_AreDecoded()
    {
        var json = BlockWithLogs();
        json["baseFeePerGas"] = "0x12d430ac57";
        json["withdrawalsRoot"] = "0x062c83ae15778644bec99605c108058158bbee3e943dc64015ef9180e3710b9e";
        json["withdrawals"] = new JsonArray(new JsonObject
        {
            ["index"] = "0x21bbc0",
            ["validatorIndex"] = "0x83e46",
            ["address"] = "0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f",
            ["amount"] = "0x2ba460b",
        });
        json["blobGasUsed"] = "0x20000";
        json["excessBlobGas"] = "0x0";
        json["parentBeaconBlockRoot"] = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
        json["uncles"] = new JsonArray("0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
        var tx = json["transactions"]![0]!.AsObject();
        tx["type"] = "0x3";
        tx["maxFeePerGas"] = "0x1";
        tx["maxPriorityFeePerGas"] = "0x2";
        tx["maxFeePerBlobGas"] = "0x3";
        tx["blobVersionedHashes"] = new JsonArray("0x01a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");

        var block = EvmJsonDecoder.DecodeBlock(Element(json), Source);

        Assert.Equal(UInt256.Parse("80869370967"), block.BaseFeePerGas);
        Assert.Equal(EvmHash.Parse("0x062c83ae15778644bec99605c108058158bbee3e943dc64015ef9180e3710b9e"), block.WithdrawalsRoot);
        var w = Assert.Single(block.Withdrawals!);
        Assert.Equal(new EvmWithdrawal(2210752, 540230, EvmAddress.Parse("0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f"), 45762059), w);
        Assert.Equal(131072, block.BlobGasUsed);
        Assert.Equal(0, block.ExcessBlobGas);
        Assert.NotNull(block.ParentBeaconBlockRoot);
        Assert.Single(block.Uncles);
        var t = block.Transactions[0];
        Assert.Equal(3, t.Type);
        Assert.Equal(UInt256.One, t.MaxFeePerGas);
        Assert.Equal(new UInt256(2), t.MaxPriorityFeePerGas);
        Assert.Equal(new UInt256(3), t.MaxFeePerBlobGas);
        Assert.Single(t.BlobVersionedHashes!);
    }

    [Fact]
    public void Block_WithdrawalAmountMissing_ThrowsNamingWithdrawalPath()
    {
        var json = BlockWithLogs();
        json["withdrawals"] = new JsonArray(
            new JsonObject { ["index"] = "0x1", ["validatorIndex"] = "0x2", ["address"] = "0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f", ["amount"] = "0x3" },
            new JsonObject { ["index"] = "0x1", ["validatorIndex"] = "0x2", ["address"] = "0xb9d7934878b5fb9610b3fe8a5e441e8fad7e293f" });

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(json), Source));

        Assert.Equal("withdrawals[1].amount", e.Field);
    }

    [Fact]
    public void Block_ResultNull_ThrowsNamingResult()
    {
        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeBlock(Element(JsonNode.Parse("null")), Source));

        Assert.Equal("result", e.Field);
    }

    [Fact]
    public void Receipt_L2Fields_AreDecoded()
    {
        var json = Receipt();
        json["status"] = "0x1";
        json["l1Fee"] = "0x1d0f0a6a3a2";
        json["l1GasUsed"] = "0x9c4";
        json["l1GasPrice"] = "0x3b9aca00";
        json["l1FeeScalar"] = "0.684";
        json["blobGasUsed"] = "0x20000";
        json["blobGasPrice"] = "0x1";

        var r = EvmJsonDecoder.DecodeReceipt(Element(json), "eth_getTransactionReceipt 0x04cb");

        Assert.Equal(1, r.Status);
        Assert.Equal(UInt256.ParseHex("0x1d0f0a6a3a2"), r.L1Fee);
        Assert.Equal(2500, r.L1GasUsed);
        Assert.Equal(new UInt256(1_000_000_000), r.L1GasPrice);
        Assert.Equal("0.684", r.L1FeeScalar);
        Assert.Equal(131072, r.BlobGasUsed);
        Assert.Equal(UInt256.One, r.BlobGasPrice);
        Assert.Single(r.Logs);
    }

    [Fact]
    public void Receipt_PreByzantium_HasRootAndNoStatus()
    {
        var r = EvmJsonDecoder.DecodeReceipt(Element(Receipt()), "eth_getTransactionReceipt 0x04cb");

        Assert.Null(r.Status);
        Assert.Equal(EvmHash.Parse("0x2ec017656e20275e92cbd1cdee9aeb43c1a090a5e217797da7c58dbf5be50e5b"), r.Root);
        Assert.Null(r.ContractAddress);
        Assert.Null(r.L1Fee);
        Assert.Null(r.L1FeeScalar);
    }

    [Theory]
    [InlineData("status", "0x2", "status")]
    [InlineData("l1FeeScalar", "zero point six", "l1FeeScalar")]
    [InlineData("contractAddress", "0x", "contractAddress")]
    public void Receipt_MalformedField_ThrowsNamingField(string field, string value, string path)
    {
        var json = Receipt();
        json[field] = value;

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeReceipt(Element(json), "eth_getTransactionReceipt 0x04cb"));

        Assert.Equal(path, e.Field);
    }

    [Fact]
    public void Receipt_MalformedLogTopic_ThrowsNamingLogPath()
    {
        var json = Receipt();
        json["logs"]![0]!["topics"]![1] = "0x00";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeReceipt(Element(json), "eth_getTransactionReceipt 0x04cb"));

        Assert.Equal("logs[0].topics[1]", e.Field);
    }

    [Fact]
    public void Receipts_BlockReceiptsArray_DecodesEachAndNamesItemIndexOnError()
    {
        var good = Receipt();
        var bad = Receipt();
        bad.Remove("gasUsed");

        var receipts = EvmJsonDecoder.DecodeReceipts(Element(new JsonArray(Receipt(), Receipt())), "eth_getBlockReceipts 0x76250");
        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeReceipts(Element(new JsonArray(good, bad)), "eth_getBlockReceipts 0x76250"));

        Assert.Equal(2, receipts.Count);
        Assert.Equal("[1].gasUsed", e.Field);
        Assert.Equal("eth_getBlockReceipts 0x76250, field [1].gasUsed: missing", e.Message);
    }

    [Fact]
    public void ParityTraces_MalformedActionValue_ThrowsNamingTracePath()
    {
        var json = Traces("block_with_suicide", "web3_response.trace_block_0xf7105.json");
        json[1]!["action"]!["balance"] = "0xzz";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeParityTraces(Element(json), "trace_block 0xf7105"));

        Assert.Equal("[1].action.balance", e.Field);
    }

    [Fact]
    public void ParityTraces_UnknownType_Throws()
    {
        var json = Traces("block_with_suicide", "web3_response.trace_block_0xf7105.json");
        json[0]!["type"] = "teleport";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeParityTraces(Element(json), "trace_block 0xf7105"));

        Assert.Equal("[0].type", e.Field);
    }

    [Fact]
    public void ParityTraces_Recordings_MapActionAndResultFields()
    {
        var suicide = EvmJsonDecoder.DecodeParityTraces(Element(Traces("block_with_suicide", "web3_response.trace_block_0xf7105.json")), "s");
        var create = EvmJsonDecoder.DecodeParityTraces(Element(Traces("block_with_create", "web3_response.trace_block_0xf44f2.json")), "c");
        var error = EvmJsonDecoder.DecodeParityTraces(Element(Traces("block_with_error", "web3_response.trace_block_0xf45bf.json")), "e");

        Assert.Equal(EvmTraceType.Suicide, suicide[1].TraceType);
        Assert.Equal(EvmAddress.Parse("0x474faa5018639791952fae334e2911700ac7fe9b"), suicide[1].From);
        Assert.Equal(EvmAddress.Parse("0x83973747eec131bf9a08ac64fb1a518e891bdf4b"), suicide[1].To);
        Assert.Equal(UInt256.ParseHex("0xb1a2bc2ec50000"), suicide[1].Value);
        Assert.Equal([0], suicide[1].TraceAddress);
        Assert.Equal(EvmTraceType.Reward, suicide[2].TraceType);
        Assert.Equal("block", suicide[2].RewardType);
        Assert.Null(suicide[2].TransactionHash);
        Assert.Null(suicide[2].From);
        Assert.Equal(EvmAddress.Parse("0xa7e3cf952ea8d9438a26ee346c295f1ada328ae1"), create[1].To);
        Assert.Equal(160631, create[1].GasUsed);
        Assert.Equal("Out of gas", error[0].Error);
        Assert.Null(error[0].GasUsed);
        Assert.Null(error[0].Output);
        Assert.Equal(0, error[0].Gas);
    }

    [Fact]
    public void Logs_FilterLogsAnswer_DecodesEveryLog()
    {
        var dir = SharedData.PathTo("etl", "ethereum-etl", "tests", "resources", "test_export_token_transfers_job", "block_with_transfers");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "web3_response.eth_getFilterLogs_0x0.json")))!["result"]!;

        var logs = EvmJsonDecoder.DecodeLogs(Element(json), "eth_getFilterLogs 0x0");

        Assert.Equal(2, logs.Count);
        Assert.Equal(1, logs[1].LogIndex);
        Assert.Equal(3, logs[1].Topics.Count);
        Assert.Equal(32, logs[1].Data.Length);
    }

    [Fact]
    public void Exception_Message_NamesSourceFieldAndProblem()
    {
        var e = new EvmDataException("eth_getBlockByNumber 0x76250", "transactions[3].value", "bad");

        Assert.Equal("eth_getBlockByNumber 0x76250, field transactions[3].value: bad", e.Message);
        Assert.Equal("bad", e.Problem);
    }

    private static JsonElement Element(JsonNode? node)
    {
        using var doc = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return doc.RootElement.Clone();
    }

    private static JsonObject BlockWithLogs() =>
        Load("test_export_blocks_job", "block_with_logs", "web3_response.eth_getBlockByNumber_0x76250_true.json").AsObject();

    private static JsonObject Receipt() =>
        Load("test_export_receipts_job", "receipts_with_logs",
            "web3_response.eth_getTransactionReceipt_0x04cbcb236043d8fb7839e07bbc7f5eed692fb2ca55d897f1101eac3e3ad4fab8.json").AsObject();

    private static JsonArray Traces(string testCase, string file) => Load("test_export_traces_job", testCase, file).AsArray();

    private static JsonNode Load(string job, string testCase, string file)
    {
        var path = SharedData.PathTo("etl", "ethereum-etl", "tests", "resources", job, testCase, file);
        return JsonNode.Parse(File.ReadAllText(path))!["result"]!.DeepClone();
    }
}
