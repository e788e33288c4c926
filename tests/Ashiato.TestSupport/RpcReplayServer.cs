using System.Net;
using System.Text;
using System.Text.Json;

namespace Ashiato.TestSupport;

/// <summary>A fault the replay server answers instead of the recording (see <see cref="RpcReplayServer.FailNextRequests"/>).</summary>
public enum ReplayFault
{
    /// <summary>HTTP 500 with a plain-text body (no JSON).</summary>
    Http500,

    /// <summary>HTTP 200, application/json, the normal answer cut in half.</summary>
    MalformedJson,

    /// <summary>No answer for 60 s (the connection is held open), then the connection is dropped.</summary>
    Timeout,

    /// <summary>Every call answers JSON-RPC error -28 "Loading block index..." (a node warming up).</summary>
    RpcError,
}

/// <summary>
/// A JSON-RPC server on 127.0.0.1 that answers from blockchain-etl recordings
/// (<see cref="RpcRecordings"/>), shaped and status-coded like litecoind/Bitcoin Core 0.21.
/// </summary>
/// <remarks>
/// Accepts single calls and batches, JSON-RPC 1.0 and 2.0 shapes; answers
/// <c>{"result":…,"error":null,"id":…}</c> (Core 0.21 answers 2.0 requests in that shape too).
/// As Core does, a single call that fails is answered with HTTP 404 (-32601) or 500 (other codes)
/// and the JSON body; a batch is always HTTP 200 with one answer per call, in order. Any basic-auth
/// credentials are accepted.
/// </remarks>
public sealed class RpcReplayServer : IAsyncDisposable
{
    public const int WarmupCode = -28;
    public const string WarmupMessage = "Loading block index...";

    private static readonly TimeSpan _holdTime = TimeSpan.FromSeconds(60);

    private readonly RpcRecordings _recordings;
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly Queue<ReplayFault> _faults = new();
    private readonly List<IReadOnlyList<string>> _requests = [];
    private readonly HashSet<Task> _inFlight = [];
    private readonly Task _acceptLoop;

    private RpcReplayServer(RpcRecordings recordings, HttpListener listener, Uri url)
    {
        _recordings = recordings;
        _listener = listener;
        Url = url;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Distinct calls the recordings can answer.</summary>
    public int RecordingCount => _recordings.Count;

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

    /// <summary>Serves the <c>rpc_response_*.json</c> recordings of the folders on a free 127.0.0.1 port.</summary>
    public static RpcReplayServer Start(params string[] recordingDirs)
    {
        var recordings = RpcRecordings.Load(recordingDirs);
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new RpcReplayServer(recordings, listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken after it was picked: pick another.
                listener.Close();
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> HTTP requests get <paramref name="fault"/> instead of their
    /// answer. Calls queue up: <c>FailNextRequests(1, Http500); FailNextRequests(1, Timeout)</c>
    /// fails the next request with 500 and the one after with a timeout.
    /// </summary>
    public void FailNextRequests(int count, ReplayFault fault)
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
                await WriteAsync(context, HttpStatusCode.MethodNotAllowed, "text/plain", "JSONRPC server handles only POST requests"u8.ToArray());
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _shutdown.Token);
            var request = ParsedRequest.Parse(body.ToArray());

            ReplayFault? fault;
            lock (_gate)
            {
                _requests.Add(request.Methods);
                fault = _faults.Count > 0 ? _faults.Dequeue() : null;
            }

            switch (fault)
            {
                case ReplayFault.Http500:
                    await WriteAsync(context, HttpStatusCode.InternalServerError, "text/plain", "replay fault: HTTP 500"u8.ToArray());
                    break;

                case ReplayFault.Timeout:
                    try
                    {
                        await Task.Delay(_holdTime, _shutdown.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // Shutting down: drop the held connection now.
                    }

                    context.Response.Abort();
                    break;

                case ReplayFault.RpcError:
                    var (warmupStatus, warmup) = request.Answer((_, _) => new ReplayAnswer.Failed(WarmupCode, WarmupMessage));
                    await WriteAsync(context, warmupStatus, "application/json", warmup);
                    break;

                case ReplayFault.MalformedJson:
                    var (_, whole) = request.Answer(_recordings.Find);
                    await WriteAsync(context, HttpStatusCode.OK, "application/json", whole[..Math.Max(1, whole.Length / 2)]);
                    break;

                default:
                    var (status, answer) = request.Answer(_recordings.Find);
                    await WriteAsync(context, status, "application/json", answer);
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

    private static async Task WriteAsync(HttpListenerContext context, HttpStatusCode status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = (int)status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
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

        /// <summary>The HTTP status and body a node answers, each call answered by <paramref name="answer"/>.</summary>
        public (HttpStatusCode Status, byte[] Body) Answer(Func<string, IReadOnlyList<JsonElement>, ReplayAnswer> answer)
        {
            using var buffer = new MemoryStream();
            using var writer = new Utf8JsonWriter(buffer);
            HttpStatusCode status;
            switch (_root)
            {
                case { ValueKind: JsonValueKind.Object } single:
                    status = WriteCall(writer, single, answer);
                    break;

                case { ValueKind: JsonValueKind.Array } batch:
                    writer.WriteStartArray();
                    foreach (var call in batch.EnumerateArray())
                    {
                        WriteCall(writer, call, answer);
                    }

                    writer.WriteEndArray();
                    status = HttpStatusCode.OK;
                    break;

                case null:
                    status = WriteReply(writer, default, new ReplayAnswer.Failed(-32700, "Parse error"));
                    break;

                default:
                    status = WriteReply(writer, default, new ReplayAnswer.Failed(-32700, "Top-level object parse error"));
                    break;
            }

            writer.Flush();
            return (status, buffer.ToArray());
        }

        private static HttpStatusCode WriteCall(
            Utf8JsonWriter writer, JsonElement call, Func<string, IReadOnlyList<JsonElement>, ReplayAnswer> answer)
        {
            if (call.ValueKind != JsonValueKind.Object)
            {
                return WriteReply(writer, default, new ReplayAnswer.Failed(-32600, "Invalid Request object"));
            }

            var id = call.TryGetProperty("id", out var i) ? i : default;
            if (!call.TryGetProperty("method", out var method))
            {
                return WriteReply(writer, id, new ReplayAnswer.Failed(-32600, "Missing method"));
            }

            if (method.ValueKind != JsonValueKind.String)
            {
                return WriteReply(writer, id, new ReplayAnswer.Failed(-32600, "Method must be a string"));
            }

            var hasParams = call.TryGetProperty("params", out var parameters);
            var reply = parameters.ValueKind switch
            {
                _ when !hasParams => answer(method.GetString()!, []),
                JsonValueKind.Null => answer(method.GetString()!, []),
                JsonValueKind.Array => answer(method.GetString()!, parameters.EnumerateArray().ToArray()),
                JsonValueKind.Object => new ReplayAnswer.Failed(
                    RpcRecordings.NoRecordingCode,
                    $"no recording for {method.GetString()} with named params {parameters.GetRawText()}"),
                _ => new ReplayAnswer.Failed(-32600, "Params must be an array or object"),
            };
            return WriteReply(writer, id, reply);
        }

        private static HttpStatusCode WriteReply(Utf8JsonWriter writer, JsonElement id, ReplayAnswer reply)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            if (reply is ReplayAnswer.Recorded recorded)
            {
                writer.WriteRawValue(recorded.ResultJson, skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WritePropertyName("error");
            var status = HttpStatusCode.OK;
            if (reply is ReplayAnswer.Failed failed)
            {
                writer.WriteStartObject();
                writer.WriteNumber("code", failed.Code);
                writer.WriteString("message", failed.Message);
                writer.WriteEndObject();
                status = failed.Code switch
                {
                    -32600 => HttpStatusCode.BadRequest,
                    -32601 => HttpStatusCode.NotFound,
                    _ => HttpStatusCode.InternalServerError,
                };
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WritePropertyName("id");
            if (id.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                id.WriteTo(writer);
            }

            writer.WriteEndObject();
            return status;
        }
    }
}
