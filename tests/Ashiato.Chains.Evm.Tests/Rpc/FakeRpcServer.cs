using System.Net;
using System.Text.Json;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Evm.Tests.Rpc;

/// <summary>One HTTP request the fake server received.</summary>
public sealed record FakeRequest(int Number, string Body, JsonElement Json, string? Authorization)
{
    public bool IsBatch => Json.ValueKind == JsonValueKind.Array;

    public IReadOnlyList<JsonElement> Calls => IsBatch ? [.. Json.EnumerateArray()] : [Json];
}

/// <summary>What the fake server answers: status, body, extra headers, and an optional wait before answering.</summary>
public sealed record FakeAnswer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static FakeAnswer Json(string body) => new(200, body);
}

/// <summary>
/// A handwritten JSON-RPC node on 127.0.0.1 (HttpListener): every request goes to a handler that decides the answer.
/// Counts requests and the most requests in flight at once.
/// </summary>
public sealed class FakeRpcServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<FakeRequest, FakeAnswer> _handler;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly List<Task> _handlers = [];
    private readonly Task _acceptLoop;
    private int _inFlight;
    private int _maxInFlight;

    private FakeRpcServer(HttpListener listener, Uri url, Func<FakeRequest, FakeAnswer> handler)
    {
        _listener = listener;
        _handler = handler;
        Url = url;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri Url { get; }

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static FakeRpcServer Start(Func<FakeRequest, FakeAnswer> handler)
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new FakeRpcServer(listener, url, handler);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Answers every call with <paramref name="result"/>(call) as its JSON result, batches in order.</summary>
    public static FakeAnswer AnswerEach(FakeRequest request, Func<JsonElement, string> result)
    {
        var answers = request.Calls.Select(c => $"{{\"jsonrpc\":\"2.0\",\"id\":{c.GetProperty("id").GetRawText()},\"result\":{result(c)}}}").ToList();
        return FakeAnswer.Json(request.IsBatch ? "[" + string.Join(",", answers) + "]" : answers[0]);
    }

    /// <summary>The call's method and first parameter as a JSON string: "eth_x:0x1".</summary>
    public static string Echo(JsonElement call)
    {
        var p = call.GetProperty("params");
        var first = p.GetArrayLength() > 0 ? p[0].ToString() : string.Empty;
        return JsonSerializer.Serialize($"{call.GetProperty("method").GetString()}:{first}");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_shutdown.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            var task = Task.Run(() => HandleAsync(context));
            lock (_gate)
            {
                _handlers.Add(task);
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, now);
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, System.Text.Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync().ConfigureAwait(false);
            }

            FakeRequest request;
            lock (_gate)
            {
                request = new FakeRequest(_requests.Count + 1, body, JsonDocument.Parse(body).RootElement.Clone(), context.Request.Headers["Authorization"]);
                _requests.Add(request);
            }

            var answer = _handler(request);
            if (answer.Delay > TimeSpan.Zero)
            {
                await Task.Delay(answer.Delay, _shutdown.Token).ConfigureAwait(false);
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _shutdown.Token).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception) when (_shutdown.IsCancellationRequested)
        {
            context.Response.Abort();
        }
        catch (HttpListenerException)
        {
            // the client went away (e.g. it timed out)
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception)
        {
            // a handler bug: drop the connection so the client sees a failure instead of waiting
            try
            {
                context.Response.Abort();
            }
            catch (Exception)
            {
                // already gone
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Close();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // shutting down
        }

        Task[] handlers;
        lock (_gate)
        {
            handlers = [.. _handlers];
        }

        try
        {
            await Task.WhenAll(handlers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // a handler that failed while shutting down
        }

        _shutdown.Dispose();
    }
}
