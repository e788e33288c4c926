using System.Text.Json;

namespace Ashiato.Simulation.Tests.Evm;

/// <summary>eth_getLogs of the simulated node: the logs of the receipts, filtered as geth filters them.</summary>
public sealed class SimulatedEvmLogsTests(SimulatedEvmFixture fixture) : IClassFixture<SimulatedEvmFixture>
{
    private const string TransferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

    [Fact]
    public void GetLogs_ByAddressAndTopic_EqualsTheReceiptsLogsFilteredByHand()
    {
        var node = fixture.Node;
        var to = node.Tip;
        var all = LogsFromReceipts(0, to);
        Assert.NotEmpty(all);

        // the contract emitting most Transfer logs, and its Transfer logs only
        var contract = all.Where(l => l.GetProperty("topics")[0].GetString() == TransferTopic).GroupBy(l => l.GetProperty("address").GetString())
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key!;
        Assert.Contains(all, l => l.GetProperty("address").GetString() != contract); // the address filter has something to drop
        var expected = all.Where(l => l.GetProperty("address").GetString() == contract && l.GetProperty("topics")[0].GetString() == TransferTopic)
            .Select(l => l.GetRawText()).ToList();
        Assert.NotEmpty(expected);

        var got = Result($"{{\"fromBlock\":\"0x0\",\"toBlock\":\"0x{to:x}\",\"address\":\"{contract.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}\",\"topics\":[\"{TransferTopic}\"]}}");
        Assert.Equal(expected, got.EnumerateArray().Select(l => l.GetRawText()).ToList());

        // no filter but the range: every log, in block and log order
        var every = Result($"{{\"fromBlock\":\"0x0\",\"toBlock\":\"0x{to:x}\"}}");
        Assert.Equal(all.Select(l => l.GetRawText()), every.EnumerateArray().Select(l => l.GetRawText()));
    }

    [Fact]
    public void GetLogs_TopicPositions_NullIsAnyAndListsAreAlternatives()
    {
        var node = fixture.Node;
        var to = node.Tip;
        var all = LogsFromReceipts(0, to);
        var transfer = all.First(l => l.GetProperty("topics")[0].GetString() == TransferTopic && l.GetProperty("topics").GetArrayLength() == 3);
        var sender = transfer.GetProperty("topics")[1].GetString()!;

        // [null, sender]: any event whose first indexed argument is the sender
        var expected = all.Where(l => l.GetProperty("topics").GetArrayLength() > 1 && l.GetProperty("topics")[1].GetString() == sender).Select(l => l.GetRawText()).ToList();
        var got = Result($"{{\"fromBlock\":\"0x0\",\"toBlock\":\"0x{to:x}\",\"topics\":[null,\"{sender}\"]}}");
        Assert.Equal(expected, got.EnumerateArray().Select(l => l.GetRawText()).ToList());

        // [[Transfer, other]]: either event
        var otherTopic = all.Select(l => l.GetProperty("topics")[0].GetString()!).First(t => t != TransferTopic);
        var either = all.Where(l => l.GetProperty("topics")[0].GetString() is { } t && (t == TransferTopic || t == otherTopic)).Select(l => l.GetRawText()).ToList();
        var got2 = Result($"{{\"fromBlock\":\"0x0\",\"toBlock\":\"0x{to:x}\",\"topics\":[[\"{TransferTopic}\",\"{otherTopic}\"]]}}");
        Assert.Equal(either, got2.EnumerateArray().Select(l => l.GetRawText()).ToList());

        // by block hash: that block's logs only
        var blockHash = transfer.GetProperty("blockHash").GetString()!;
        var inBlock = all.Where(l => l.GetProperty("blockHash").GetString() == blockHash).Select(l => l.GetRawText()).ToList();
        var got3 = Result($"{{\"blockHash\":\"{blockHash}\"}}");
        Assert.Equal(inBlock, got3.EnumerateArray().Select(l => l.GetRawText()).ToList());
    }

    [Theory]
    [InlineData("{\"fromBlock\":\"0x10\",\"toBlock\":\"0x1\"}", -32602, "invalid block range")]
    [InlineData("{\"blockHash\":\"0x0000000000000000000000000000000000000000000000000000000000000001\"}", -32000, "unknown block")]
    [InlineData("{\"blockHash\":\"0x0000000000000000000000000000000000000000000000000000000000000001\",\"fromBlock\":\"0x1\"}", -32602, "cannot specify both")]
    [InlineData("{\"address\":\"0x12\"}", -32602, "length 40")]
    [InlineData("{\"topics\":\"0x12\"}", -32602, "topics must be an array")]
    [InlineData("\"latest\"", -32602, "filter object")]
    public void GetLogs_BadFilter_ErrorsLikeANode(string filter, int code, string message)
    {
        using var doc = JsonDocument.Parse(fixture.Node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\",\"params\":[{filter}]}}"));
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private JsonElement Result(string filter)
    {
        using var doc = JsonDocument.Parse(fixture.Node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\",\"params\":[{filter}]}}"));
        Assert.False(doc.RootElement.TryGetProperty("error", out var e), e.ToString());
        return doc.RootElement.GetProperty("result").Clone();
    }

    private List<JsonElement> LogsFromReceipts(long from, long to)
    {
        var logs = new List<JsonElement>();
        for (var n = from; n <= to; n++)
        {
            using var doc = JsonDocument.Parse(fixture.Node.Handle($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockReceipts\",\"params\":[\"0x{n:x}\"]}}"));
            foreach (var r in doc.RootElement.GetProperty("result").EnumerateArray())
            {
                logs.AddRange(r.GetProperty("logs").EnumerateArray().Select(l => l.Clone()));
            }
        }

        return logs;
    }
}
