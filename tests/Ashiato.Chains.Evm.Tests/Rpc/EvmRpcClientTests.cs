using System.Diagnostics;
using System.Text.Json;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Evm.Tests.Rpc;

public sealed class EvmRpcClientTests
{
    private static readonly EvmRpcOptions _fast = new() { InitialBackoff = TimeSpan.FromMilliseconds(1), MaxRetries = 3, RequestTimeout = TimeSpan.FromSeconds(5) };

    private static EvmRpcCall[] Calls(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new EvmRpcCall("eth_getBlockByNumber", ["0x" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture), false]))];

    private static string Expected(int i) => $"eth_getBlockByNumber:0x{i:x}";

    [Fact]
    public async Task Batch_AnsweredOutOfOrder_ResultsComeBackInCallOrder()
    {
        await using var server = FakeRpcServer.Start(req =>
        {
            var answer = FakeRpcServer.AnswerEach(req, FakeRpcServer.Echo);
            // reverse the batch
            var items = JsonDocument.Parse(answer.Body).RootElement.EnumerateArray().Select(e => e.GetRawText()).Reverse();
            return FakeAnswer.Json("[" + string.Join(",", items) + "]");
        });
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var results = await client.BatchAsync(Calls(7), CancellationToken.None);

        Assert.Equal(7, results.Count);
        for (var i = 0; i < 7; i++)
        {
            Assert.Null(results[i].Error);
            Assert.Equal(Expected(i), results[i].Result.GetString());
            Assert.Equal($"\"{Expected(i)}\"", System.Text.Encoding.UTF8.GetString(results[i].RawResult.Span));
        }

        Assert.Single(server.Requests);
        Assert.True(server.Requests[0].IsBatch);
        Assert.Equal(1, client.RequestCount);
        Assert.Equal(7, client.CallCount);
        Assert.Equal(0, client.RetryCount);
        Assert.True(client.BytesReceived > 0);
    }

    [Fact]
    public async Task Batch_LongerThanBatchSize_IsSplitAndStillInOrder()
    {
        await using var server = FakeRpcServer.Start(req => FakeRpcServer.AnswerEach(req, FakeRpcServer.Echo));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast with { BatchSize = 4 });

        var results = await client.BatchAsync(Calls(10), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 10).Select(Expected), results.Select(r => r.Result.GetString()));
        Assert.Equal([4, 4, 2], server.Requests.Select(r => r.Calls.Count).Order().Reverse());
    }

    [Fact]
    public async Task RateLimitStorm_429WithRetryAfterZero_SucceedsAndCountsRetries()
    {
        const int storm = 5;
        await using var server = FakeRpcServer.Start(req => req.Number <= storm
            ? new FakeAnswer(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "0" })
            : FakeRpcServer.AnswerEach(req, _ => "\"0x10\""));
        using var http = new HttpClient();
        // a long backoff proves that Retry-After: 0 is what the client waited
        var client = new EvmRpcClient(http, server.Url, new EvmRpcOptions { InitialBackoff = TimeSpan.FromSeconds(30) });
        var sw = Stopwatch.StartNew();

        var result = await client.CallAsync("eth_blockNumber", [], CancellationToken.None);

        Assert.Equal("0x10", result.GetString());
        Assert.Equal(storm, client.RetryCount);
        Assert.Equal(storm + 1, client.RequestCount);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task JsonRpcRateLimitError_OnlyTheLimitedCallIsSentAgain()
    {
        var limited = 0;
        await using var server = FakeRpcServer.Start(req =>
        {
            var answers = req.Calls.Select(c =>
            {
                var id = c.GetProperty("id").GetRawText();
                return c.GetProperty("params")[0].GetString() == "0x1" && Interlocked.Increment(ref limited) <= 2
                    ? $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32005,\"message\":\"daily request count exceeded, request rate limited\"}}}}"
                    : $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{FakeRpcServer.Echo(c)}}}";
            }).ToList();
            return FakeAnswer.Json(req.IsBatch ? "[" + string.Join(",", answers) + "]" : answers[0]);
        });
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var results = await client.BatchAsync(Calls(3), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 3).Select(Expected), results.Select(r => r.Result.GetString()));
        Assert.Equal([3, 1, 1], server.Requests.Select(r => r.Calls.Count));
        Assert.Equal(2, client.RetryCount);
    }

    [Fact]
    public async Task Permanent500_ThrowsAfterMaxRetries_NamingUrlMethodAndStatus_WithoutCredentials()
    {
        await using var server = FakeRpcServer.Start(_ => new FakeAnswer(500, "upstream exploded\nstack trace follows"));
        using var http = new HttpClient();
        var url = new Uri($"http://alice:s3cret@127.0.0.1:{server.Url.Port}/");
        var client = new EvmRpcClient(http, url, _fast with { MaxRetries = 3 });

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("eth_blockNumber", [], CancellationToken.None));

        Assert.Contains($"http://127.0.0.1:{server.Url.Port}/", e.Message);
        Assert.Contains("eth_blockNumber", e.Message);
        Assert.Contains("4 attempts", e.Message);
        Assert.Contains("HTTP 500", e.Message);
        Assert.Contains("upstream exploded stack trace", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
        Assert.IsAssignableFrom<UserErrorException>(e);
        Assert.Equal(500, e.HttpStatus);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(3, client.RetryCount);
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:s3cret")), server.Requests[0].Authorization);
    }

    [Fact]
    public async Task LongErrorBody_IsCutTo200Characters()
    {
        await using var server = FakeRpcServer.Start(_ => new FakeAnswer(404, new string('x', 1000)));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("eth_chainId", [], CancellationToken.None));

        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains(new string('x', 200) + "…", e.Message);
        Assert.DoesNotContain(new string('x', 201), e.Message);
        Assert.Single(server.Requests); // 404 is not retried
    }

    [Fact]
    public async Task MalformedJson_ThrowsWithTheByteOffset()
    {
        const string body = "{\"jsonrpc\":\"2.0\",\"id\":1,\n\"result\":{\"a\":1,,\"b\":2}}";
        await using var server = FakeRpcServer.Start(_ => FakeAnswer.Json(body));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast with { MaxRetries = 1 });

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("eth_getBlockByNumber", ["latest", true], CancellationToken.None));

        var offset = body.IndexOf(",,", StringComparison.Ordinal) + 1;
        var column = offset - body.IndexOf('\n', StringComparison.Ordinal);
        Assert.Contains($"malformed JSON answer at byte {offset} (line 2, column {column}; {body.Length} bytes in all)", e.Message);
        Assert.Contains("eth_getBlockByNumber", e.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task JsonRpcError_IsNotRetried_AndIsSurfaced()
    {
        await using var server = FakeRpcServer.Start(req => FakeAnswer.Json(
            $"{{\"jsonrpc\":\"2.0\",\"id\":{req.Calls[0].GetProperty("id").GetRawText()},\"error\":{{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x08c379a0\"}}}}"));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("eth_call", [new Dictionary<string, object?> { ["to"] = EvmAddress.Zero }, "latest"], CancellationToken.None));
        Assert.Contains("error 3: execution reverted", e.Message);
        Assert.Contains("eth_call", e.Message);
        Assert.Equal(3, e.Error!.Code);
        Assert.Equal("0x08c379a0", e.Error.Data!.Value.GetString());

        var results = await client.BatchAsync([new EvmRpcCall("eth_call", ["latest"])], CancellationToken.None);
        Assert.Equal("execution reverted", results[0].Error!.Message);
        Assert.False(results[0].Error!.IsRateLimited);

        Assert.Equal(2, client.RequestCount);
        Assert.Equal(0, client.RetryCount);
    }

    [Fact]
    public async Task Timeout_IsRetriedThenFailsWithAClearMessage()
    {
        await using var server = FakeRpcServer.Start(req => FakeRpcServer.AnswerEach(req, _ => "1") with { Delay = TimeSpan.FromSeconds(10) });
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast with { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxRetries = 1 });
        var sw = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("trace_block", ["0x1"], CancellationToken.None));

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), sw.Elapsed.ToString());
        Assert.Contains("trace_block", e.Message);
        Assert.Contains("failed after 2 attempts", e.Message);
        Assert.Contains("no answer within 0.3 s", e.Message);
        Assert.Equal(1, client.RetryCount);
    }

    [Fact]
    public async Task ConnectionRefused_IsRetriedThenFails()
    {
        using var http = new HttpClient();
        var port = FreeTcpPort.Pick(); // nothing listens there
        var client = new EvmRpcClient(http, new Uri($"http://127.0.0.1:{port}/"), _fast with { MaxRetries = 2 });

        var e = await Assert.ThrowsAsync<EvmRpcException>(() => client.CallAsync("eth_chainId", [], CancellationToken.None));

        Assert.Contains("failed after 3 attempts", e.Message);
        Assert.Contains("connection failed", e.Message);
        Assert.Equal(2, client.RetryCount);
    }

    [Theory]
    [InlineData("error-object")]
    [InlineData("http-413")]
    [InlineData("http-400")]
    [InlineData("batch-error-per-call")]
    public async Task BatchRefusingNode_FallsBackToSingleCalls(string how)
    {
        await using var server = FakeRpcServer.Start(req =>
        {
            if (!req.IsBatch)
            {
                return FakeRpcServer.AnswerEach(req, FakeRpcServer.Echo);
            }

            return how switch
            {
                "error-object" => FakeAnswer.Json("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch requests are disabled\"}}"),
                "http-413" => new FakeAnswer(413, "request entity too large"),
                "http-400" => new FakeAnswer(400, "bad request"),
                _ => FakeAnswer.Json("[" + string.Join(",", req.Calls.Select(c =>
                    $"{{\"jsonrpc\":\"2.0\",\"id\":{c.GetProperty("id").GetRawText()},\"error\":{{\"code\":-32005,\"message\":\"batch size too large\"}}}}".Replace("-32005", "-32600", StringComparison.Ordinal))) + "]"),
            };
        });
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var results = await client.BatchAsync(Calls(4), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 4).Select(Expected), results.Select(r => r.Result.GetString()));
        Assert.True(client.BatchesRefused);
        Assert.True(server.Requests[0].IsBatch);
        Assert.Equal(5, server.Requests.Count);

        // from now on, single calls only
        var again = await client.BatchAsync(Calls(3), CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 3).Select(Expected), again.Select(r => r.Result.GetString()));
        Assert.Equal(8, server.Requests.Count);
        Assert.All(server.Requests.Skip(1), r => Assert.False(r.IsBatch));
    }

    [Fact]
    public async Task Concurrency_NeverExceedsMaxConcurrency()
    {
        await using var server = FakeRpcServer.Start(req => FakeRpcServer.AnswerEach(req, FakeRpcServer.Echo) with { Delay = TimeSpan.FromMilliseconds(40) });
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast with { MaxConcurrency = 3, BatchSize = 2 });

        // two callers at once share the limit
        var a = client.BatchAsync(Calls(16), CancellationToken.None);
        var b = client.BatchAsync(Calls(8), CancellationToken.None);
        var results = await Task.WhenAll(a, b);

        Assert.Equal(Enumerable.Range(0, 16).Select(Expected), results[0].Select(r => r.Result.GetString()));
        Assert.Equal(12, server.Requests.Count);
        Assert.InRange(server.MaxInFlight, 2, 3);
    }

    [Fact]
    public async Task CallRawAsync_ReturnsTheResultBytesAsSent()
    {
        await using var server = FakeRpcServer.Start(req => FakeAnswer.Json(
            $"{{\"id\":{req.Calls[0].GetProperty("id").GetRawText()},\"jsonrpc\":\"2.0\",\"result\": {{\"number\" : \"0x1\", \"x\":[1, 2]}} }}"));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);

        var raw = await client.CallRawAsync("eth_getBlockByNumber", ["0x1", true], CancellationToken.None);

        Assert.Equal("{\"number\" : \"0x1\", \"x\":[1, 2]}", System.Text.Encoding.UTF8.GetString(raw.Span));
    }

    [Fact]
    public async Task Parameters_AreWrittenAsJsonRpcValues()
    {
        await using var server = FakeRpcServer.Start(req => FakeRpcServer.AnswerEach(req, _ => "null"));
        using var http = new HttpClient();
        var client = new EvmRpcClient(http, server.Url, _fast);
        var address = EvmAddress.Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");

        await client.CallAsync("x", [address, new UInt256(255), new byte[] { 1, 0xab }, 7L, null, new Dictionary<string, object> { ["tracer"] = "callTracer" }, new[] { "a" }], CancellationToken.None);

        var p = server.Requests[0].Json.GetProperty("params").GetRawText();
        Assert.Equal("[\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\",\"0xff\",\"0x01ab\",7,null,{\"tracer\":\"callTracer\"},[\"a\"]]", p);
        Assert.Equal("2.0", server.Requests[0].Json.GetProperty("jsonrpc").GetString());
    }

    [Theory]
    [InlineData(-32601, "the method trace_block does not exist/is not available", true)]
    [InlineData(-32004, "whatever", true)]
    [InlineData(-32000, "Method not found", true)]
    [InlineData(-32000, "trace_block is not supported", true)]
    [InlineData(-32000, "unsupported method", true)]
    [InlineData(-32000, "execution reverted", false)]
    [InlineData(-32602, "invalid argument 0: hex string without 0x prefix", false)]
    public void MethodUnsupported_IsRecognised(int code, string message, bool unsupported)
    {
        Assert.Equal(unsupported, new EvmRpcError(code, message).IsMethodUnsupported);
    }

    [Theory]
    [InlineData(-32005, "limit exceeded", true)]
    [InlineData(429, "x", true)]
    [InlineData(-32000, "Rate limit reached", true)]
    [InlineData(-32000, "Too Many Requests", true)]
    [InlineData(-32000, "execution reverted", false)]
    public void RateLimited_IsRecognised(int code, string message, bool limited)
    {
        Assert.Equal(limited, new EvmRpcError(code, message).IsRateLimited);
    }
}
