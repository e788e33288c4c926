using System.Text.Json;
using Ashiato.Chains.Evm.Json;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Export.Evm;

namespace Ashiato.Chains.Evm.Tests.Json;

public class GethCallTracerTests
{
    private const string Source = "debug_traceBlockByNumber 0x121eac0 callTracer";
    private const string A = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "0xcccccccccccccccccccccccccccccccccccccccc";
    private const string D = "0xdddddddddddddddddddddddddddddddddddddddd";
    private const string E = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    private const string F = "0xffffffffffffffffffffffffffffffffffffffff";
    private const string G = "0x1111111111111111111111111111111111111111";
    private const string H = "0x2222222222222222222222222222222222222222";
    private static readonly string Tx0 = "0x" + new string('1', 64);
    private static readonly string Tx1 = "0x" + new string('2', 64);

    // Transaction 0: A calls B, which delegatecalls C (which staticcalls D), calls E (reverted; E had called F),
    // creates G with CREATE2 and self-destructs to A. Transaction 1: A creates H.
    private static readonly string Tree0 = $$"""
        {"type": "CALL", "from": "{{A}}", "to": "{{B}}", "value": "0x10", "gas": "0x30000", "gasUsed": "0x20000", "input": "0x12345678", "output": "0x",
         "calls": [
           {"type": "DELEGATECALL", "from": "{{B}}", "to": "{{C}}", "value": "0x10", "gas": "0x1000", "gasUsed": "0x800", "input": "0xabcdef01", "output": "0x01",
            "calls": [{"type": "STATICCALL", "from": "{{B}}", "to": "{{D}}", "gas": "0x500", "gasUsed": "0x100", "input": "0x", "output": "0x"}]},
           {"type": "CALL", "from": "{{B}}", "to": "{{E}}", "value": "0x1", "gas": "0x1000", "gasUsed": "0x1000", "input": "0x",
            "error": "execution reverted", "revertReason": "nope",
            "calls": [{"type": "CALL", "from": "{{E}}", "to": "{{F}}", "value": "0x0", "gas": "0x100", "gasUsed": "0x50", "input": "0x"}]},
           {"type": "CREATE2", "from": "{{B}}", "to": "{{G}}", "value": "0x5", "gas": "0x2000", "gasUsed": "0x1500", "input": "0x6060", "output": "0x6080"},
           {"type": "SELFDESTRUCT", "from": "{{B}}", "to": "{{A}}", "value": "0x7", "gas": "0x0", "gasUsed": "0x0", "input": "0x"}
         ]}
        """;

    private static readonly string Tree1 = $$"""
        {"type": "CREATE", "from": "{{A}}", "to": "{{H}}", "value": "0x0", "gas": "0x10", "gasUsed": "0x10", "input": "0x60", "output": "0x"}
        """;

    private static readonly EvmBlock Block = new()
    {
        Number = 19_000_000,
        Transactions =
        [
            new EvmTransaction { Hash = EvmHash.Parse(Tx0), BlockNumber = 19_000_000, TransactionIndex = 0 },
            new EvmTransaction { Hash = EvmHash.Parse(Tx1), BlockNumber = 19_000_000, TransactionIndex = 1 },
        ],
    };

    [Fact]
    public void CallTracer_NestedTree_FlattensDepthFirstIntoParityShape()
    {
        var traces = EvmJsonDecoder.DecodeGethCallTraces(Parse(Wrapped(Tree0, Tree1)), Block, Source);

        var expected = new (int[] Address, int Subtraces, EvmTraceType Type, string? CallType, string From, string? To, long? Value)[]
        {
            ([], 4, EvmTraceType.Call, "call", A, B, 16),
            ([0], 1, EvmTraceType.Call, "delegatecall", B, C, 16),
            ([0, 0], 0, EvmTraceType.Call, "staticcall", B, D, null),
            ([1], 1, EvmTraceType.Call, "call", B, E, 1),
            ([1, 0], 0, EvmTraceType.Call, "call", E, F, 0),
            ([2], 0, EvmTraceType.Create, null, B, G, 5),
            ([3], 0, EvmTraceType.Suicide, null, B, A, 7),
            ([], 0, EvmTraceType.Create, null, A, H, 0),
        };
        Assert.Equal(expected.Length, traces.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var (address, subtraces, type, callType, from, to, value) = expected[i];
            var t = traces[i];
            Assert.Equal(address, t.TraceAddress);
            Assert.Equal(subtraces, t.Subtraces);
            Assert.Equal(type, t.TraceType);
            Assert.Equal(callType, t.CallType);
            Assert.Equal(EvmAddress.Parse(from), t.From);
            Assert.Equal(to is null ? null : EvmAddress.Parse(to), t.To);
            Assert.Equal(value is { } v ? new UInt256((ulong)v) : null, t.Value);
            Assert.Equal(19_000_000, t.BlockNumber);
            Assert.Equal(i < 7 ? 0 : 1, t.TransactionIndex);
            Assert.Equal(EvmHash.Parse(i < 7 ? Tx0 : Tx1), t.TransactionHash);
        }

        Assert.Equal("execution reverted", traces[3].Error);
        Assert.All(traces.Where((_, i) => i != 3), t => Assert.Null(t.Error));
        Assert.Equal("0x6060", Encoding.Hex.Encode(traces[5].Input!));
        Assert.Equal("0x6080", Encoding.Hex.Encode(traces[5].Output!));
        Assert.Equal(0x2000, traces[5].Gas);
        Assert.Null(traces[6].Gas);
        Assert.Null(traces[6].Input);
        Assert.Null(traces[4].Output);
    }

    [Fact]
    public void CallTracer_OlderGethBareFrames_FlattenTheSame()
    {
        var wrapped = EvmJsonDecoder.DecodeGethCallTraces(Parse(Wrapped(Tree0, Tree1)), Block, Source);
        var bare = EvmJsonDecoder.DecodeGethCallTraces(Parse($"[{Tree0}, {Tree1}]"), Block, Source);

        Assert.Equal(wrapped.Select(Describe), bare.Select(Describe));
    }

    [Fact]
    public void CallTracer_Export_StatusFailsRevertedSubtreeAndIdsFollowTraceAddress()
    {
        var traces = EvmJsonDecoder.DecodeGethCallTraces(Parse(Wrapped(Tree0, Tree1)), Block, Source);
        var exporter = new EthereumEtlExporter();
        var csv = new StringWriter();
        var json = new StringWriter();

        exporter.WriteTraces(csv, traces, EthereumEtlFormat.Csv);
        exporter.WriteTraces(json, traces, EthereumEtlFormat.Json);

        var rows = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        Assert.Equal(["1", "1", "1", "0", "0", "1", "1", "1"], rows.Select(r => r[^2]));
        Assert.Equal(
            [$"call_{Tx0}_", $"call_{Tx0}_0", $"call_{Tx0}_0_0", $"call_{Tx0}_1", $"call_{Tx0}_1_0", $"create_{Tx0}_2", $"suicide_{Tx0}_3", $"create_{Tx1}_"],
            rows.Select(r => r[^1]));
        Assert.Equal(
            $"19000000,{Tx0},0,{E},{F},0,0x,,call,call,,256,80,0,\"1,0\",,0,call_{Tx0}_1_0",
            csv.ToString().Split('\n')[5]);
        Assert.Equal(
            $$"""{"block_number": 19000000, "transaction_hash": "{{Tx0}}", "transaction_index": 0, "from_address": "{{B}}", "to_address": "{{D}}", "value": null, "input": "0x", "output": "0x", "trace_type": "call", "call_type": "staticcall", "reward_type": null, "gas": 1280, "gas_used": 256, "subtraces": 0, "trace_address": [0, 0], "error": null, "status": 1, "trace_id": "call_{{Tx0}}_0_0"}""",
            json.ToString().Split('\n')[2]);
    }

    [Fact]
    public void CallTracer_TxHashNotTheBlocksTransaction_ThrowsNamingItem()
    {
        var answer = $$"""[{"txHash": "{{Tx0}}", "result": {{Tree0}}}, {"txHash": "{{Tx0}}", "result": {{Tree1}}}]""";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeGethCallTraces(Parse(answer), Block, Source));

        Assert.Equal("[1].txHash", e.Field);
    }

    [Fact]
    public void CallTracer_FewerTreesThanTransactions_Throws()
    {
        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeGethCallTraces(Parse($"[{Tree0}]"), Block, Source));

        Assert.Equal("result", e.Field);
        Assert.Contains("1 call traces for the 2 transactions", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CallTracer_TracerErrorForATransaction_Throws()
    {
        var answer = $$"""[{"txHash": "{{Tx0}}", "error": "execution timeout"}, {"txHash": "{{Tx1}}", "result": {{Tree1}}}]""";

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeGethCallTraces(Parse(answer), Block, Source));

        Assert.Equal("[0].error", e.Field);
    }

    [Theory]
    [InlineData("\"type\": \"STATICCALL\"", "\"type\": \"INVALID\"", "[0].result.calls[0].calls[0].type")]
    [InlineData("\"value\": \"0x5\"", "\"value\": \"0xzz\"", "[0].result.calls[2].value")]
    [InlineData("\"gasUsed\": \"0x50\", ", "", "[0].result.calls[1].calls[0].gasUsed")]
    public void CallTracer_MalformedFrame_ThrowsNamingNestedPath(string find, string replace, string path)
    {
        var answer = Wrapped(Tree0.Replace(find, replace, StringComparison.Ordinal), Tree1);

        var e = Assert.Throws<EvmDataException>(() => EvmJsonDecoder.DecodeGethCallTraces(Parse(answer), Block, Source));

        Assert.Equal(path, e.Field);
        Assert.Equal(Source, e.Source);
    }

    private static string Wrapped(string tree0, string tree1) =>
        $$"""[{"txHash": "{{Tx0}}", "result": {{tree0}}}, {"txHash": "{{Tx1}}", "result": {{tree1}}}]""";

    private static string Describe(EvmTrace t) =>
        $"{string.Join('.', t.TraceAddress)} {t.TraceType} {t.CallType} {t.From} {t.To} {t.Value} {t.Gas} {t.GasUsed} {t.Subtraces} {t.Error} {t.TransactionHash}";

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json, EvmJsonDecoder.DocumentOptions);
        return doc.RootElement.Clone();
    }
}
