using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Rpc;

/// <summary>A JSON-RPC error answered by the node (method, code, message).</summary>
public sealed class RpcException(string method, int code, string message)
    : UserErrorException($"node answered {method} with error {code}: {message}")
{
    public string Method { get; } = method;

    public int Code { get; } = code;

    public string NodeMessage { get; } = message;
}

public sealed record RpcClientOptions
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxRetries { get; init; } = 5;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>One call of a batch: the result, or the node's error for it.</summary>
public readonly record struct RpcResult(JsonElement Result, int? ErrorCode, string? ErrorMessage)
{
    public bool IsError => ErrorCode is not null;
}

/// <summary>
/// Bitcoin Core-compatible JSON-RPC client (bitcoind, litecoind, …): basic auth or cookie, batching,
/// retries with backoff on transport failures, 5xx without a JSON-RPC answer, malformed answers and
/// "warming up" (-28). Errors name the method and the node's code and message. Fetches bytes only; parsing is elsewhere.
/// </summary>
public sealed class BitcoinRpcClient
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly RpcClientOptions _options;
    private long _nextId;

    public BitcoinRpcClient(HttpClient http, Uri url, string? user, string? password, RpcClientOptions? options = null)
    {
        _http = http;
        _url = url;
        _options = options ?? new RpcClientOptions();
        if (user is not null)
        {
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
    }

    public Uri Url => _url;

    /// <summary>Reads user and password from a Bitcoin Core .cookie file.</summary>
    public static (string User, string Password) ReadCookie(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserErrorException($"{path}: cookie file not found");
        }

        var text = File.ReadAllText(path).Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new UserErrorException($"{path}: not a cookie file (expected user:password)");
        }

        return (text[..colon], text[(colon + 1)..]);
    }

    public async Task<JsonElement> CallAsync(string method, CancellationToken ct, params object?[] parameters)
    {
        var results = await BatchAsync([(method, parameters)], ct).ConfigureAwait(false);
        var r = results[0];
        if (r.IsError)
        {
            throw new RpcException(method, r.ErrorCode!.Value, r.ErrorMessage!);
        }

        return r.Result;
    }

    /// <summary>Sends calls as one JSON-RPC batch; results come back in call order.</summary>
    public async Task<RpcResult[]> BatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls, CancellationToken ct)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        var firstId = Interlocked.Add(ref _nextId, calls.Count) - calls.Count;
        var body = BuildBody(calls, firstId);
        var what = calls.Count == 1 ? calls[0].Method : $"batch of {calls.Count} ({calls[0].Method}…)";
        var delay = _options.FirstBackoff;
        for (var attempt = 0; ; attempt++)
        {
            string? failure;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.Timeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = _auth;
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized || response.StatusCode == HttpStatusCode.Forbidden)
                {
                    throw new UserErrorException($"node at {_url} refused the credentials (HTTP {(int)response.StatusCode})");
                }

                var parsed = TryParse(bytes, calls, firstId, out failure);
                if (parsed is not null)
                {
                    if (parsed.Any(r => r.ErrorCode == -28) && attempt < _options.MaxRetries)
                    {
                        failure = "node is warming up (-28)";
                    }
                    else
                    {
                        return parsed;
                    }
                }
                else
                {
                    failure = $"HTTP {(int)response.StatusCode}, {failure}";
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"no answer within {_options.Timeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }

            if (attempt >= _options.MaxRetries)
            {
                throw new UserErrorException($"node at {_url} failed on {what} after {attempt + 1} attempts: {failure}");
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private static byte[] BuildBody(IReadOnlyList<(string Method, object?[] Params)> calls, long firstId)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            for (var i = 0; i < calls.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("jsonrpc", "1.0");
                w.WriteNumber("id", firstId + i);
                w.WriteString("method", calls[i].Method);
                w.WritePropertyName("params");
                JsonSerializer.Serialize(w, calls[i].Params);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return ms.ToArray();
    }

    private static RpcResult[]? TryParse(byte[] bytes, IReadOnlyList<(string Method, object?[] Params)> calls, long firstId, out string? failure)
    {
        failure = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            failure = $"malformed JSON answer ({e.Message}; {bytes.Length} bytes)";
            return null;
        }

        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            // a single error object for the whole batch (e.g. a node that rejects batches or the request)
            if (root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object && calls.Count > 0)
            {
                var (code, message) = ReadError(err);
                return [.. calls.Select(_ => new RpcResult(default, code, message))];
            }

            failure = "answer is not a JSON-RPC batch";
            return null;
        }

        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != calls.Count)
        {
            failure = $"expected {calls.Count} answers, got {(root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : 0)}";
            return null;
        }

        var results = new RpcResult[calls.Count];
        var filled = new bool[calls.Count];
        foreach (var item in root.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var idEl) || !idEl.TryGetInt64(out var id)
                || id < firstId || id >= firstId + calls.Count)
            {
                failure = "answer with a missing or unknown id";
                return null;
            }

            var index = (int)(id - firstId);
            if (item.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
            {
                var (code, message) = ReadError(err);
                results[index] = new RpcResult(default, code, message);
            }
            else if (item.TryGetProperty("result", out var result))
            {
                results[index] = new RpcResult(result.Clone(), null, null);
            }
            else
            {
                failure = "answer without result or error";
                return null;
            }

            filled[index] = true;
        }

        if (filled.Any(f => !f))
        {
            failure = "answers missing for some calls";
            return null;
        }

        return results;
    }

    private static (int Code, string Message) ReadError(JsonElement err)
    {
        var code = err.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : -1;
        var message = err.TryGetProperty("message", out var m) ? m.ToString() : err.ToString();
        return (code, message);
    }
}
