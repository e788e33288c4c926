using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Core;

namespace Ashiato.TestSupport.Evm;

/// <summary>A JSON-RPC error answered by an EVM node (or the replay server).</summary>
public sealed class TestRpcException : Exception
{
    public TestRpcException(string method, int code, string rpcMessage, string? data = null)
        : base($"EVM RPC '{method}' failed with code {code}: {rpcMessage}" + (data is null ? "" : $" (data: {data})"))
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        Data = data;
    }

    public string Method { get; }

    public int Code { get; }

    public string RpcMessage { get; }

    /// <summary>The error's <c>data</c> member as raw JSON (e.g. revert data), or null.</summary>
    public new string? Data { get; }
}

/// <summary>An HTTP answer as received: status, <c>Retry-After</c> and the body text.</summary>
public sealed record EvmHttpAnswer(HttpStatusCode Status, TimeSpan? RetryAfter, string Body);

/// <summary>
/// A minimal JSON-RPC 2.0 client for EVM nodes in tests, over one HttpClient shared by the whole test process.
/// </summary>
/// <remarks>
/// Parameters are written as JSON with these conversions: <see cref="EvmAddress"/> and <see cref="EvmHash"/> as
/// their hex strings, <see cref="UInt256"/> and <see cref="BigInteger"/> as quantities ("0x1a"), byte arrays as
/// data ("0x…"); other values go through System.Text.Json as they are (so an <c>int</c> stays a JSON number,
/// which some anvil methods want).
/// </remarks>
public sealed class TestRpcClient
{
    private long _nextId;

    public TestRpcClient(Uri url) => Url = url;

    /// <summary>The one HttpClient of the EVM test support (socket reuse; never disposed).</summary>
    public static HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };

    public Uri Url { get; }

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c>.</summary>
    /// <exception cref="TestRpcException">The node answered with an error.</exception>
    public Task<JsonElement> CallAsync(string method, params object?[] parameters) =>
        CallAsync(method, parameters, CancellationToken.None);

    /// <inheritdoc cref="CallAsync(string, object?[])"/>
    public async Task<JsonElement> CallAsync(string method, IReadOnlyList<object?> parameters, CancellationToken ct)
    {
        var answer = await PostAsync(SerializeCall(method, parameters), ct);
        using var document = Parse(method, answer);
        return Result(method, document.RootElement);
    }

    /// <summary>Sends the calls as one batch; returns each call's result or error, in call order (matched by id).</summary>
    public async Task<IReadOnlyList<TestRpcReply>> BatchAsync(
        IReadOnlyList<(string Method, IReadOnlyList<object?> Parameters)> calls, CancellationToken ct = default)
    {
        var ids = new long[calls.Count];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < calls.Count; i++)
            {
                ids[i] = WriteCall(writer, calls[i].Method, calls[i].Parameters);
            }

            writer.WriteEndArray();
        }

        var answer = await PostAsync(Encoding.UTF8.GetString(buffer.ToArray()), ct);
        using var document = Parse("batch", answer);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new HttpRequestException($"a batch was answered with a JSON {document.RootElement.ValueKind}: {Shorten(answer.Body)}");
        }

        var byId = document.RootElement.EnumerateArray()
            .Where(reply => reply.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
            .ToDictionary(reply => reply.GetProperty("id").GetInt64(), reply => reply.Clone());
        return ids.Select((id, i) => byId.TryGetValue(id, out var reply)
                ? TestRpcReply.From(calls[i].Method, reply)
                : throw new HttpRequestException($"the batch answer has no reply for call {i} ({calls[i].Method})"))
            .ToArray();
    }

    /// <summary>Posts a raw body (anything, even invalid JSON) and returns the HTTP answer as is.</summary>
    public async Task<EvmHttpAnswer> PostAsync(string body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        using var response = await Http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return new EvmHttpAnswer(response.StatusCode, response.Headers.RetryAfter?.Delta, text);
    }

    /// <summary>A JSON-RPC 2.0 call object with a fresh numeric id.</summary>
    public string SerializeCall(string method, IReadOnlyList<object?> parameters)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteCall(writer, method, parameters);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes a parameter value with the conversions described on the class.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case EvmAddress address:
                writer.WriteStringValue(address.ToString());
                break;
            case EvmHash hash:
                writer.WriteStringValue(hash.ToString());
                break;
            case UInt256 quantity:
                writer.WriteStringValue(quantity.ToHexQuantity());
                break;
            case BigInteger big:
                writer.WriteStringValue(UInt256.FromBigInteger(big).ToHexQuantity());
                break;
            case byte[] bytes:
                writer.WriteStringValue(Chains.Evm.Encoding.Hex.Encode(bytes));
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType());
                break;
        }
    }

    private long WriteCall(Utf8JsonWriter writer, string method, IReadOnlyList<object?> parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WriteNumber("id", id);
        writer.WriteString("method", method);
        writer.WriteStartArray("params");
        foreach (var parameter in parameters)
        {
            WriteValue(writer, parameter);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        return id;
    }

    private static JsonDocument Parse(string method, EvmHttpAnswer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            throw new HttpRequestException(
                $"'{method}' was answered with HTTP {(int)answer.Status} and no JSON body: {Shorten(answer.Body)}",
                null,
                answer.Status);
        }
    }

    private static JsonElement Result(string method, JsonElement reply)
    {
        var parsed = TestRpcReply.From(method, reply);
        return parsed.Error is { } error ? throw error : parsed.Result;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>One call's answer in a batch: a result, or the error it would have thrown.</summary>
public sealed record TestRpcReply(JsonElement Result, TestRpcException? Error)
{
    internal static TestRpcReply From(string method, JsonElement reply)
    {
        if (reply.ValueKind != JsonValueKind.Object)
        {
            throw new HttpRequestException($"'{method}' was answered with a JSON {reply.ValueKind}, not an object.");
        }

        if (reply.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : error.GetRawText();
            var data = error.TryGetProperty("data", out var d) ? d.GetRawText() : null;
            return new TestRpcReply(default, new TestRpcException(method, code, message, data));
        }

        return new TestRpcReply(reply.TryGetProperty("result", out var result) ? result.Clone() : default, null);
    }
}
