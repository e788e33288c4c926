using System.Globalization;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Tokens;
using Ashiato.Export.Evm;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>
/// ethereum-etl's recorded node answers served over JSON-RPC by a local replay server, fetched with our EVM RPC client,
/// decoded and exported: the exports equal ethereum-etl's expected files. (The recordings are per job — blocks only,
/// traces only, receipts only — so these go through the fetch/decode/export path, not a full-block ingest; the full
/// ingest is tested against anvil.)
/// </summary>
public sealed class EthereumEtlReplayTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static TheoryData<string> BlockCases() => ["block_with_logs", "block_without_transactions", "blocks_with_transactions"];

    [Theory]
    [MemberData(nameof(BlockCases))]
    public async Task Blocks_ReplayedOverRpc_ExportEqualsExpectedBlocksAndTransactions(string testCase)
    {
        var dir = EvmRecordings.CaseDir("test_export_blocks_job", testCase);
        await using var server = EvmReplayServer.Start(dir);
        var rpc = EvmTempStore.Client(server.Url);
        var blocks = new List<EvmBlock>();
        foreach (var n in NumbersIn(dir, "eth_getBlockByNumber"))
        {
            var json = await rpc.CallAsync("eth_getBlockByNumber", ["0x" + n.ToString("x", CultureInfo.InvariantCulture), true], None);
            blocks.Add(EvmJsonDecoder.DecodeBlock(json, $"block {n}"));
        }

        var exporter = new EthereumEtlExporter();
        AssertSameFile(Path.Combine(dir, "expected_blocks.csv"), Write(w => exporter.WriteBlocks(w, blocks, EthereumEtlFormat.Csv)));
        AssertSameFile(Path.Combine(dir, "expected_transactions.csv"), Write(w => exporter.WriteTransactions(w, blocks, EthereumEtlFormat.Csv)));
    }

    public static TheoryData<string> TraceCases() => ["block_with_create", "block_with_error", "block_with_subtraces", "block_with_suicide", "block_without_transactions"];

    [Theory]
    [MemberData(nameof(TraceCases))]
    public async Task Traces_ReplayedOverRpc_ExportEqualsExpectedTraces(string testCase)
    {
        var dir = EvmRecordings.CaseDir("test_export_traces_job", testCase);
        await using var server = EvmReplayServer.Start(dir);
        var rpc = EvmTempStore.Client(server.Url);
        var traces = new List<EvmTrace>();
        foreach (var n in NumbersIn(dir, "trace_block"))
        {
            var json = await rpc.CallAsync("trace_block", ["0x" + n.ToString("x", CultureInfo.InvariantCulture)], None);
            traces.AddRange(EvmJsonDecoder.DecodeParityTraces(json, $"trace_block {n}"));
        }

        AssertSameFile(Path.Combine(dir, "expected_traces.csv"), Write(w => new EthereumEtlExporter().WriteTraces(w, traces, EthereumEtlFormat.Csv)));
    }

    [Fact]
    public async Task Receipts_ReplayedOverRpcAsOneBatch_ExportEqualsExpectedReceiptsAndLogs()
    {
        var dir = EvmRecordings.CaseDir("test_export_receipts_job", "receipts_with_logs");
        await using var server = EvmReplayServer.Start(dir);
        var rpc = EvmTempStore.Client(server.Url);
        foreach (var format in new[] { EthereumEtlFormat.Csv, EthereumEtlFormat.Json })
        {
            var ext = format == EthereumEtlFormat.Csv ? "csv" : "json";
            // ethereum-etl writes receipts in the order its worker threads finish; take that order from the expected file.
            var order = ExpectedTransactionHashes(Path.Combine(dir, $"expected_receipts.{ext}"), format);
            var results = await rpc.BatchAsync(order.Select(h => new Chains.Evm.Rpc.EvmRpcCall("eth_getTransactionReceipt", [h])).ToList(), None);
            var receipts = results.Select((r, i) => EvmJsonDecoder.DecodeReceipt(r.Result, order[i])).ToList();
            var exporter = new EthereumEtlExporter();
            AssertSameFile(Path.Combine(dir, $"expected_receipts.{ext}"), Write(w => exporter.WriteReceipts(w, receipts, format)));
            AssertSameFile(Path.Combine(dir, $"expected_logs.{ext}"),
                Write(w => exporter.WriteLogs(w, receipts.SelectMany(r => r.Logs).OrderBy(l => l.LogIndex), format)));
        }
    }

    [Fact]
    public async Task TokenTransfers_ReplayedThroughAFilter_ExportEqualsExpected()
    {
        var dir = EvmRecordings.CaseDir("test_export_token_transfers_job", "block_with_transfers");
        await using var server = EvmReplayServer.Start(dir);
        var rpc = EvmTempStore.Client(server.Url);
        var filter = new Dictionary<string, object>
        {
            ["fromBlock"] = "0x76250",
            ["toBlock"] = "0x76250",
            ["topics"] = new[] { "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef" },
        };
        var id = (await rpc.CallAsync("eth_newFilter", [filter], None)).GetString()!;
        var logs = EvmJsonDecoder.DecodeLogs(await rpc.CallAsync("eth_getFilterLogs", [id], None), "eth_getFilterLogs");
        AssertSameFile(Path.Combine(dir, "expected_token_transfers.csv"),
            Write(w => new EthereumEtlExporter().WriteTokenTransfers(w, logs, EthereumEtlFormat.Csv)));
    }

    public static TheoryData<string, string> TokenCases() => new()
    {
        { "token_with_alternative_return_type", "0x86fa049857e0209aa7d9e616f7eb3b3b78ecfdb0" },
        { "token_with_invalid_data", "0xf763be8b3263c268e9789abfb3934564a7b80054" },
    };

    [Theory]
    [MemberData(nameof(TokenCases))]
    public async Task Tokens_ReadWithEthCallOverRpc_ExportEqualsExpected(string testCase, string address)
    {
        var dir = EvmRecordings.CaseDir("test_export_tokens_job", testCase);
        await using var server = EvmReplayServer.Start(dir);
        var reader = new TokenMetadataReader(EvmTempStore.Client(server.Url));
        var tokens = await reader.ReadAsync([EvmAddress.Parse(address)], null, None);
        AssertSameFile(Path.Combine(dir, "expected_tokens.csv"), Write(w => new EthereumEtlExporter().WriteTokens(w, tokens, EthereumEtlFormat.Csv)));
    }

    private static IEnumerable<long> NumbersIn(string dir, string method) =>
        Directory.GetFiles(dir, $"web3_response.{method}_*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f).Split('_').First(p => p.StartsWith("0x", StringComparison.Ordinal)))
            .Select(h => long.Parse(h.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
            .Order();

    private static List<string> ExpectedTransactionHashes(string path, EthereumEtlFormat format) =>
        format == EthereumEtlFormat.Csv
            ? File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[0]).ToList()
            : File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("transaction_hash").GetString()!).ToList();

    private static string Write(Action<StringWriter> write)
    {
        var w = new StringWriter { NewLine = "\n" };
        write(w);
        return w.ToString();
    }

    /// <summary>
    /// Byte equality, except that some of ethereum-etl's expected files lack the final newline every real run writes
    /// (their test compares lines); only that one trailing "\n" is forgiven.
    /// </summary>
    private static void AssertSameFile(string expectedPath, string actual)
    {
        var expected = File.ReadAllText(expectedPath);
        if (expected.Length > 0 && !expected.EndsWith('\n') && actual == expected + "\n")
        {
            return;
        }

        Assert.Equal(expected, actual);
    }
}
