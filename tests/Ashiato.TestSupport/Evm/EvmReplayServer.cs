using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Ashiato.TestSupport.Evm;

/// <summary>A fault the EVM replay server answers instead of the recording (see <see cref="EvmReplayServer.FailNext"/>).</summary>
public enum EvmReplayFault
{
    /// <summary>HTTP 429 Too Many Requests with <c>Retry-After: 0</c> and a plain-text body (a rate-limited provider).</summary>
    Http429,

    /// <summary>HTTP 500 with a plain-text body (no JSON).</summary>
    Http500,

    /// <summary>HTTP 200, application/json, the normal answer cut in half.</summary>
    MalformedJson,

    /// <summary>
    /// No answer: the connection is held open until the client gives up (then dropped after
    /// <see cref="EvmReplayServer.TimeoutHold"/>, or at once when the server is disposed).
    /// </summary>
    Timeout,
}

/// <summary>
/// A JSON-RPC 2.0 server on 127.0.0.1 that answers Ethereum calls from ethereum-etl's recordings
/// (<see cref="EvmRecordings"/>), shaped like geth: <c>{"jsonrpc":"2.0","id":…,"result":…}</c>, errors as
/// <c>{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}</c> with HTTP 200; single calls and batches
/// (answered in call order).
/// </summary>
/// <remarks>
/// An unrecorded call is answered <c>-32601 "the method X does not exist/is not available"</c> when nothing at
/// all is recorded for its method (as a node without the trace or debug API answers), or a disabled method
/// (<see cref="DisableMethods"/>); otherwise <c>-32000 "no recording for …"</c>. Requests and calls are counted,
/// faulted ones included.
/// </remarks>
public sealed class EvmReplayServer : IAsyncDisposable
{
    public const int MethodNotFoundCode = -32601;
    public const int NoRecordingCode = -32000;

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly Queue<EvmReplayFault> _faults = new();
    private readonly HashSet<string> _disabled = new(StringComparer.Ordinal);
    private readonly List<IReadOnlyList<string>> _requests = [];
    private readonly Dictionary<string, int> _callCounts = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _inFlight = [];
    private readonly Task _acceptLoop;

    private EvmReplayServer(EvmRecordings recordings, HttpListener listener, Uri url)
    {
        Recordings = recordings;
        _listener = listener;
        Url = url;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    public EvmRecordings Recordings { get; }

    /// <summary>Answered for <c>eth_chainId</c> (as a quantity) when the recordings hold none. Null: not answered.</summary>
    public ulong? ChainId { get; set; }

    /// <summary>How long a <see cref="EvmReplayFault.Timeout"/> holds its connection at most (default 60 s).</summary>
    public TimeSpan TimeoutHold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>HTTP requests received (a batch is one request), faulted ones included.</summary>
    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Every method called, in arrival order, batches flattened.</summary>
    public IReadOnlyList<string> MethodsCalled
    {
        get
        {
            lock (_gate)
            {
                return _requests.SelectMany(methods => methods).ToArray();
            }
        }
    }

    /// <summary>The methods of each HTTP request, in arrival order: a batch of n calls is one entry of n.</summary>
    public IReadOnlyList<IReadOnlyList<string>> MethodsByRequest
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Calls received per method (batch members counted one by one).</summary>
    public IReadOnlyDictionary<string, int> CallCounts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_callCounts, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Serves the recordings of the case folders (see <see cref="EvmRecordings.CaseDir"/>) on a free 127.0.0.1 port.</summary>
    public static EvmReplayServer Start(params string[] recordingDirs)
    {
        var recordings = EvmRecordings.Load(recordingDirs);
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new EvmReplayServer(recordings, listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken after it was picked: pick another.
                listener.Close();
            }
        }
    }

    /// <summary>Calls of <paramref name="method"/> received so far.</summary>
    public int CallCount(string method)
    {
        lock (_gate)
        {
            return _callCounts.GetValueOrDefault(method);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> HTTP requests get <paramref name="fault"/> instead of their answer.
    /// Faults queue up: <c>FailNext(Http429); FailNext(Timeout)</c> fails the next request with 429 and the one after with a timeout.
    /// </summary>
    public void FailNext(EvmReplayFault fault, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(fault);
            }
        }
    }

    /// <summary>Calls of these methods are answered -32601 from now on, recorded or not (a node without that API).</summary>
    public void DisableMethods(params string[] methods)
    {
        lock (_gate)
        {
            _disabled.UnionWith(methods);
        }
    }

    /// <summary>Undoes <see cref="DisableMethods"/> for these methods.</summary>
    public void EnableMethods(params string[] methods)
    {
        lock (_gate)
        {
            _disabled.ExceptWith(methods);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync();
        _listener.Close();
        await _acceptLoop;
        Task[] inFlight;
        lock (_gate)
        {
            inFlight = _inFlight.ToArray();
        }

        await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(10));
        _shutdown.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException &&
                                      _shutdown.IsCancellationRequested)
            {
                return;
            }

            var task = Task.Run(() => HandleAsync(context));
            lock (_gate)
            {
                _inFlight.Add(task);
            }

            _ = task.ContinueWith(
                done =>
                {
                    lock (_gate)
                    {
                        _inFlight.Remove(done);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            if (context.Request.HttpMethod != "POST")
            {
                await WriteAsync(context, HttpStatusCode.MethodNotAllowed, "text/plain", "method not allowed"u8.ToArray());
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _shutdown.Token);
            var request = ParsedRequest.Parse(body.ToArray());

            EvmReplayFault? fault;
            lock (_gate)
            {
                _requests.Add(request.Methods);
                foreach (var method in request.Methods)
                {
                    _callCounts[method] = _callCounts.GetValueOrDefault(method) + 1;
                }

                fault = _faults.Count > 0 ? _faults.Dequeue() : null;
            }

            switch (fault)
            {
                case EvmReplayFault.Http429:
                    context.Response.Headers["Retry-After"] = "0";
                    await WriteAsync(context, HttpStatusCode.TooManyRequests, "text/plain", "replay fault: HTTP 429 Too Many Requests"u8.ToArray());
                    break;

                case EvmReplayFault.Http500:
                    await WriteAsync(context, HttpStatusCode.InternalServerError, "text/plain", "replay fault: HTTP 500"u8.ToArray());
                    break;

                case EvmReplayFault.Timeout:
                    try
                    {
                        await Task.Delay(TimeoutHold, _shutdown.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // Shutting down: drop the held connection now.
                    }

                    context.Response.Abort();
                    break;

                case EvmReplayFault.MalformedJson:
                    var whole = request.Answer(Answer);
                    await WriteAsync(context, HttpStatusCode.OK, "application/json", whole[..Math.Max(1, whole.Length / 2)]);
                    break;

                default:
                    await WriteAsync(context, HttpStatusCode.OK, "application/json", request.Answer(Answer));
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the server is shutting down.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>The answer to one call: the recording, the chain id override, or an error.</summary>
    private Reply Answer(string method, IReadOnlyList<JsonElement> parameters)
    {
        bool disabled;
        lock (_gate)
        {
            disabled = _disabled.Contains(method);
        }

        if (disabled)
        {
            return Reply.Error(MethodNotFoundCode, $"the method {method} does not exist/is not available");
        }

        if (Recordings.Find(method, parameters) is { } recorded)
        {
            return recorded.IsError ? new Reply(null, recorded.Json) : new Reply(recorded.Json, null);
        }

        if (method == "eth_chainId" && ChainId is { } chainId)
        {
            return new Reply(JsonSerializer.Serialize("0x" + chainId.ToString("x", CultureInfo.InvariantCulture)), null);
        }

        return Recordings.HasMethod(method)
            ? Reply.Error(NoRecordingCode, $"no recording for {method} (web3_response.{EvmRecordings.KeyFor(method, parameters)}.json)")
            : Reply.Error(MethodNotFoundCode, $"the method {method} does not exist/is not available");
    }

    private static async Task WriteAsync(HttpListenerContext context, HttpStatusCode status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = (int)status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    /// <summary>A call's answer: the result JSON, or the error object JSON.</summary>
    private sealed record Reply(string? ResultJson, string? ErrorJson)
    {
        public static Reply Error(int code, string message)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("code", code);
                writer.WriteString("message", message);
                writer.WriteEndObject();
            }

            return new Reply(null, Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }

    /// <summary>A request body: a single call, a batch, or something that is not a JSON-RPC request.</summary>
    private sealed class ParsedRequest
    {
        private readonly JsonElement? _root;

        private ParsedRequest(JsonElement? root, IReadOnlyList<string> methods)
        {
            _root = root;
            Methods = methods;
        }

        public IReadOnlyList<string> Methods { get; }

        public static ParsedRequest Parse(byte[] body)
        {
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(body);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return new ParsedRequest(null, []);
            }

            var calls = root.ValueKind switch
            {
                JsonValueKind.Object => [root],
                JsonValueKind.Array => root.EnumerateArray().ToArray(),
                _ => Array.Empty<JsonElement>(),
            };
            var methods = calls
                .Select(call => call.ValueKind == JsonValueKind.Object &&
                                call.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String
                    ? m.GetString()!
                    : "")
                .ToArray();
            return new ParsedRequest(root, methods);
        }

        /// <summary>The response body, each call answered by <paramref name="answer"/>.</summary>
        public byte[] Answer(Func<string, IReadOnlyList<JsonElement>, Reply> answer)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                switch (_root)
                {
                    case { ValueKind: JsonValueKind.Object } single:
                        WriteCall(writer, single, answer);
                        break;

                    case { ValueKind: JsonValueKind.Array } batch when batch.GetArrayLength() == 0:
                        WriteReply(writer, default, Reply.Error(-32600, "empty batch"));
                        break;

                    case { ValueKind: JsonValueKind.Array } batch:
                        writer.WriteStartArray();
                        foreach (var call in batch.EnumerateArray())
                        {
                            WriteCall(writer, call, answer);
                        }

                        writer.WriteEndArray();
                        break;

                    case null:
                        WriteReply(writer, default, Reply.Error(-32700, "parse error"));
                        break;

                    default:
                        WriteReply(writer, default, Reply.Error(-32600, "invalid request"));
                        break;
                }
            }

            return buffer.ToArray();
        }

        private static void WriteCall(Utf8JsonWriter writer, JsonElement call, Func<string, IReadOnlyList<JsonElement>, Reply> answer)
        {
            if (call.ValueKind != JsonValueKind.Object)
            {
                WriteReply(writer, default, Reply.Error(-32600, "invalid request"));
                return;
            }

            var id = call.TryGetProperty("id", out var i) ? i : default;
            if (!call.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String)
            {
                WriteReply(writer, id, Reply.Error(-32600, "invalid request: no method"));
                return;
            }

            var hasParams = call.TryGetProperty("params", out var parameters);
            var reply = parameters.ValueKind switch
            {
                _ when !hasParams => answer(method.GetString()!, []),
                JsonValueKind.Null => answer(method.GetString()!, []),
                JsonValueKind.Array => answer(method.GetString()!, parameters.EnumerateArray().ToArray()),
                _ => Reply.Error(-32602, "invalid params: expected an array"),
            };
            WriteReply(writer, id, reply);
        }

        private static void WriteReply(Utf8JsonWriter writer, JsonElement id, Reply reply)
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            if (id.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                id.WriteTo(writer);
            }

            if (reply.ErrorJson is { } error)
            {
                writer.WritePropertyName("error");
                writer.WriteRawValue(error, skipInputValidation: true);
            }
            else
            {
                writer.WritePropertyName("result");
                writer.WriteRawValue(reply.ResultJson ?? "null", skipInputValidation: true);
            }

            writer.WriteEndObject();
        }
    }
}
