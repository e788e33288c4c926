using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Fixtures;

public sealed class RpcReplayServerTests
{
    private const string Hash50001 = "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141";
    private const string Hash50002 = "000000002066d7f9b134c30b5005b7bf5fbfa52f279883f1fde793dcdc964266";
    private const string Txid50001Coinbase = "0d37522b89f991f8433b80f709ad31862a54435cd003f25732fe405e9db93216";

    private static readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(90) };
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GetBlockHash50001_ReturnsRecordedHash()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var (status, body) = await PostAsync(server, """{"jsonrpc":"1.0","id":7,"method":"getblockhash","params":[50001]}""", cts.Token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($$"""{"result":"{{Hash50001}}","error":null,"id":7}""", body);
        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(["getblockhash"], server.MethodsCalled);
    }

    [Fact]
    public async Task Batch_OfTwo_AnswersBothInOrderInOneRequest()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var (status, body) = await PostAsync(
            server,
            """[{"jsonrpc":"2.0","id":"a","method":"getblockhash","params":[50002]},{"jsonrpc":"2.0","id":"b","method":"getblockhash","params":[50001]}]""",
            cts.Token);

        Assert.Equal(HttpStatusCode.OK, status);
        using var answers = JsonDocument.Parse(body);
        var replies = answers.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, replies.Length);
        Assert.Equal(("a", Hash50002), (replies[0].GetProperty("id").GetString(), replies[0].GetProperty("result").GetString()));
        Assert.Equal(("b", Hash50001), (replies[1].GetProperty("id").GetString(), replies[1].GetProperty("result").GetString()));
        Assert.Equal(1, server.RequestCount);
        Assert.Equal([["getblockhash", "getblockhash"]], server.MethodsByRequest);
    }

    [Fact]
    public async Task UnrecordedCall_AnswersNoRecordingError()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var (status, body) = await PostAsync(server, """{"id":1,"method":"getblockhash","params":[7]}""", cts.Token);

        Assert.Equal(HttpStatusCode.NotFound, status); // as Bitcoin Core answers -32601
        Assert.Equal("""{"result":null,"error":{"code":-32601,"message":"no recording for getblockhash 7"},"id":1}""", body);
    }

    [Fact]
    public async Task GetBlock_UnrecordedVerbosity_AnswersInvalidParameter()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var error = await CallErrorAsync(server, "getblock", $"\"{Hash50001}\", 0", cts.Token);

        Assert.Equal(-8, error.GetProperty("code").GetInt32());
        Assert.Contains("verbosity 2", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBlock_Verbosity2_ReturnsRecordedBlockWithNumbersAsWritten()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var (status, body) = await PostAsync(server, Call("getblock", $"\"{Hash50001}\", 2"), cts.Token);

        Assert.Equal(HttpStatusCode.OK, status);
        using var answer = JsonDocument.Parse(body);
        var block = answer.RootElement.GetProperty("result");
        Assert.Equal(50001, block.GetProperty("height").GetInt32());
        Assert.Equal(3, block.GetProperty("tx").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, block.GetProperty("tx")[0].ValueKind);
        Assert.Contains("\"value\":50.0}", body, StringComparison.Ordinal);
        Assert.Contains("\"difficulty\":6.085476906000794", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBlock_WithoutVerbosity_AnswersTheNoneRecording()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.Stream50001To50002);
        var hash500000 = (await CallResultAsync(server, "getblockhash", "500000", cts.Token)).GetString();

        var withoutVerbosity = await CallResultAsync(server, "getblock", $"\"{hash500000}\"", cts.Token);
        var verbosity1 = await CallResultAsync(server, "getblock", $"\"{hash500000}\", 1", cts.Token);

        Assert.Equal(500000, withoutVerbosity.GetProperty("height").GetInt32());
        Assert.Equal(withoutVerbosity.GetRawText(), verbosity1.GetRawText());
    }

    [Fact]
    public async Task GetBlock_TrueRecording_AnswersVerbosity1()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BitcoinCashDuplicateTxid);
        var hash = (await CallResultAsync(server, "getblockhash", "91722", cts.Token)).GetString();

        var asTrue = await CallResultAsync(server, "getblock", $"\"{hash}\", true", cts.Token);
        var as1 = await CallResultAsync(server, "getblock", $"\"{hash}\", 1", cts.Token);

        Assert.Equal(JsonValueKind.String, asTrue.GetProperty("tx")[0].ValueKind);
        Assert.Equal(asTrue.GetRawText(), as1.GetRawText());
    }

    [Fact]
    public async Task GetRawTransaction_Verbose1_ReturnsRecording_HexRequestIsUnrecorded()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.Stream50001To50002);

        var verbose = await CallResultAsync(server, "getrawtransaction", $"\"{Txid50001Coinbase}\", 1", cts.Token);
        var hexError = await CallErrorAsync(server, "getrawtransaction", $"\"{Txid50001Coinbase}\"", cts.Token);

        Assert.Equal(Txid50001Coinbase, verbose.GetProperty("txid").GetString());
        Assert.Equal(-32601, hexError.GetProperty("code").GetInt32());
        Assert.Contains("verbose=1", hexError.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBlockCount_WithoutParams_ReturnsRecording()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.Stream50001To50002);

        var count = await CallResultAsync(server, "getblockcount", "", cts.Token);

        Assert.Equal(500000, count.GetInt32());
    }

    [Fact]
    public async Task Fault_Http500_FailsTheCountedRequestsThenAnswers()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);
        server.FailNextRequests(2, ReplayFault.Http500);
        var call = Call("getblockhash", "50001");

        var first = await PostAsync(server, call, cts.Token);
        var second = await PostAsync(server, call, cts.Token);
        var third = await PostAsync(server, call, cts.Token);

        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Status);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(first.Body));
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task Fault_MalformedJson_AnswersTruncatedBody()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);
        var call = Call("getblock", $"\"{Hash50001}\", 2");
        var whole = await PostAsync(server, call, cts.Token);
        server.FailNextRequests(1, ReplayFault.MalformedJson);

        var (status, body) = await PostAsync(server, call, cts.Token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        Assert.StartsWith(body, whole.Body, StringComparison.Ordinal);
        Assert.True(body.Length < whole.Body.Length);
    }

    [Fact]
    public async Task Fault_Timeout_HoldsTheRequest_OtherRequestsStillAnswered()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);
        server.FailNextRequests(1, ReplayFault.Timeout);
        var call = Call("getblockhash", "50001");

        using var clientTimeout = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        clientTimeout.CancelAfter(TimeSpan.FromSeconds(2));
        var held = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PostAsync(server, call, clientTimeout.Token));
        Assert.True(held.Elapsed >= TimeSpan.FromSeconds(1.9), $"answered after {held.Elapsed}");

        var (status, _) = await PostAsync(server, call, cts.Token);
        Assert.Equal(HttpStatusCode.OK, status);

        var disposing = Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {disposing.Elapsed}");
    }

    [Fact]
    public async Task Fault_RpcError_AnswersWarmupErrorForSingleAndEachBatchedCall()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);
        server.FailNextRequests(2, ReplayFault.RpcError);

        var single = await PostAsync(server, Call("getblockhash", "50001"), cts.Token);
        var batch = await PostAsync(server, $"[{Call("getblockhash", "50001")},{Call("getblockhash", "50002")}]", cts.Token);

        Assert.Equal(HttpStatusCode.InternalServerError, single.Status);
        Assert.Equal("""{"result":null,"error":{"code":-28,"message":"Loading block index..."},"id":1}""", single.Body);
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        using var answers = JsonDocument.Parse(batch.Body);
        Assert.All(answers.RootElement.EnumerateArray(), a => Assert.Equal(-28, a.GetProperty("error").GetProperty("code").GetInt32()));
        Assert.Equal(2, answers.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task InvalidRequests_AnswerLikeBitcoinCore()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = RpcReplayServer.Start(Recordings.BlockWithTransactions);

        var notJson = await PostAsync(server, """{"method":"getblockhash",""", cts.Token);
        var noMethod = await PostAsync(server, """{"id":3,"params":[]}""", cts.Token);
        using var get = await _http.GetAsync(server.Url, cts.Token);

        Assert.Equal(HttpStatusCode.InternalServerError, notJson.Status);
        Assert.Contains("\"code\":-32700", notJson.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noMethod.Status);
        Assert.Contains("\"code\":-32600", noMethod.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    private static string Call(string method, string paramsInside) =>
        $$"""{"jsonrpc":"1.0","id":1,"method":"{{method}}","params":[{{paramsInside}}]}""";

    private static async Task<JsonElement> CallResultAsync(RpcReplayServer server, string method, string paramsInside, CancellationToken ct)
    {
        var (status, body) = await PostAsync(server, Call(method, paramsInside), ct);
        Assert.True(status == HttpStatusCode.OK, $"HTTP {(int)status}: {body}");
        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.GetProperty("result").Clone();
    }

    private static async Task<JsonElement> CallErrorAsync(RpcReplayServer server, string method, string paramsInside, CancellationToken ct)
    {
        var (_, body) = await PostAsync(server, Call(method, paramsInside), ct);
        using var answer = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Null, answer.RootElement.GetProperty("result").ValueKind);
        return answer.RootElement.GetProperty("error").Clone();
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(RpcReplayServer server, string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(server.Url, content, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }
}
