using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>What the proxy answers instead of forwarding a request.</summary>
public enum ProxyFault
{
    /// <summary>HTTP 429 Too Many Requests with Retry-After: 0.</summary>
    Http429,

    /// <summary>HTTP 502 with a plain-text body.</summary>
    Http502,

    /// <summary>The node's real answer cut in half (HTTP 200, application/json).</summary>
    MalformedJson,

    /// <summary>No answer until the client gives up.</summary>
    Timeout,
}

/// <summary>
/// A JSON-RPC proxy on 127.0.0.1 in front of a real node (anvil): forwards every request and answer unchanged, except
/// that it can answer chosen methods with "method not found" (a node without traces or block receipts) and inject
/// faults into the next N requests or into every request from the Kth on.
/// </summary>
public sealed class EvmFaultProxy : IAsyncDisposable
{
#pragma warning disable RS0030
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };
#pragma warning restore RS0030
    private readonly Uri _target;
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Queue<ProxyFault> _next = new();
    private readonly HashSet<string> _disabled = [];
    private readonly Task _loop;
    private (long FromRequest, ProxyFault Fault)? _permanent;
    private long _requests;

    public EvmFaultProxy(Uri target)
    {
        _target = target;
        var port = FreeTcpPort.Pick();
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Answers these methods with JSON-RPC error -32601, as a node that lacks them does.</summary>
    public void Disable(params string[] methods)
    {
        lock (_gate)
        {
            _disabled.UnionWith(methods);
        }
    }

    public void FailNext(ProxyFault fault, int count)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _next.Enqueue(fault);
            }
        }
    }

    /// <summary>Every request from the <paramref name="afterRequests"/>-th one on (counting from now) fails with the fault.</summary>
    public void FailFrom(long afterRequests, ProxyFault fault)
    {
        lock (_gate)
        {
            _permanent = (Requests + afterRequests, fault);
        }
    }

    public void Heal()
    {
        lock (_gate)
        {
            _next.Clear();
            _permanent = null;
            _disabled.Clear();
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            var n = Interlocked.Increment(ref _requests);
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            ProxyFault? fault = null;
            HashSet<string> disabled;
            lock (_gate)
            {
                if (_next.Count > 0)
                {
                    fault = _next.Dequeue();
                }
                else if (_permanent is { } p && n > p.FromRequest)
                {
                    fault = p.Fault;
                }

                disabled = [.. _disabled];
            }

            switch (fault)
            {
                case ProxyFault.Http429:
                    context.Response.StatusCode = 429;
                    context.Response.AddHeader("Retry-After", "0");
                    await WriteAsync(context, "text/plain", "Too Many Requests").ConfigureAwait(false);
                    return;
                case ProxyFault.Http502:
                    context.Response.StatusCode = 502;
                    await WriteAsync(context, "text/plain", "Bad Gateway").ConfigureAwait(false);
                    return;
                case ProxyFault.Timeout:
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    context.Response.Abort();
                    return;
            }

            var answer = await ForwardAsync(body, disabled).ConfigureAwait(false);
            if (fault == ProxyFault.MalformedJson)
            {
                answer = answer[..(answer.Length / 2)];
            }

            await WriteAsync(context, "application/json", answer).ConfigureAwait(false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task<string> ForwardAsync(string body, HashSet<string> disabled)
    {
        if (disabled.Count == 0)
        {
            return await PostAsync(body).ConfigureAwait(false);
        }

        var node = JsonNode.Parse(body)!;
        var calls = node is JsonArray a ? a.Select(x => x!).ToList() : [node];
        var answers = new JsonNode?[calls.Count];
        var forward = new JsonArray();
        var forwardIndex = new List<int>();
        for (var i = 0; i < calls.Count; i++)
        {
            var method = calls[i]["method"]?.GetValue<string>() ?? "";
            if (disabled.Contains(method))
            {
                answers[i] = new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = calls[i]["id"]?.DeepClone(),
                    ["error"] = new JsonObject { ["code"] = -32601, ["message"] = $"the method {method} does not exist/is not available" },
                };
            }
            else
            {
                forward.Add(calls[i].DeepClone());
                forwardIndex.Add(i);
            }
        }

        if (forward.Count > 0)
        {
            var got = JsonNode.Parse(await PostAsync(forward.ToJsonString()).ConfigureAwait(false))!.AsArray();
            for (var k = 0; k < forwardIndex.Count; k++)
            {
                answers[forwardIndex[k]] = got[k]!.DeepClone();
            }
        }

        return node is JsonArray ? new JsonArray(answers).ToJsonString() : answers[0]!.ToJsonString();
    }

    private async Task<string> PostAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(_target, content, _stop.Token).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(_stop.Token).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpListenerContext context, string type, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentType = type;
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
