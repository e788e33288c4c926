using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Rpc;

/// <summary>
/// JSON-RPC 2.0 client for an EVM node (geth, erigon, reth, nethermind, hosted providers).
/// </summary>
/// <remarks>
/// <para>Batches: <see cref="BatchAsync"/> splits a call list into batches of <see cref="EvmRpcOptions.BatchSize"/>, sent in
/// parallel; answers are matched by id, in any order. At most <see cref="EvmRpcOptions.MaxConcurrency"/> HTTP requests are in
/// flight at once across all callers. A node that refuses batches (answers one with a single error object, a "batch" error
/// for every call, or HTTP 400/413) is from then on sent single calls.</para>
/// <para>Retries, with exponential backoff and jitter: HTTP 429 (honouring Retry-After), 5xx and 408, timeouts, refused or
/// reset connections, malformed or incomplete JSON answers, and JSON-RPC errors that mean "rate limited" (-32005, 429,
/// "rate limit", "too many requests"; only those calls are sent again). An ordinary JSON-RPC error is an answer: it is
/// returned (<see cref="BatchAsync"/>) or thrown (<see cref="CallAsync"/>), never retried.</para>
/// <para>User name and password in the URL are sent as HTTP basic auth and never printed (<see cref="DisplayUrl"/>).</para>
/// </remarks>
public sealed class EvmRpcClient
{
    private const int BodySnippetLength = 200;

    private readonly HttpClient _http;
    private readonly Uri _requestUrl;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly EvmRpcOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate;
    private long _nextId;
    private long _requestCount;
    private long _callCount;
    private long _retryCount;
    private long _bytesReceived;
    private long _bytesSent;
    private volatile bool _batchesRefused;

    public EvmRpcClient(HttpClient http, Uri url, EvmRpcOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(url);
        _http = http;
        _options = options ?? new EvmRpcOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRetries, nameof(options));
        _time = _options.TimeProvider ?? TimeProvider.System;
        _gate = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);

        var builder = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty };
        _requestUrl = builder.Uri;
        DisplayUrl = _requestUrl.ToString();
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            _auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
    }

    /// <summary>The node's URL without user name and password: safe to print.</summary>
    public string DisplayUrl { get; }

    /// <summary>The URL requests go to (without user-info; credentials travel in the Authorization header).</summary>
    public Uri Url => _requestUrl;

    public EvmRpcOptions Options => _options;

    /// <summary>HTTP requests sent (a batch is one), retries included.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>JSON-RPC calls sent, counting every call of every batch and every resend.</summary>
    public long CallCount => Interlocked.Read(ref _callCount);

    /// <summary>Requests (or rate-limited calls) sent again after a failure.</summary>
    public long RetryCount => Interlocked.Read(ref _retryCount);

    /// <summary>HTTP body bytes received.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>HTTP body bytes sent.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>True once the node refused a batch: every call is then sent on its own.</summary>
    public bool BatchesRefused => _batchesRefused;

    /// <summary>Calls one method; a JSON-RPC error answer throws <see cref="EvmRpcException"/> with the node's code and message.</summary>
    public async Task<JsonElement> CallAsync(string method, object?[] parameters, CancellationToken ct)
    {
        var results = await RunAsync([new EvmRpcCall(method, parameters)], parseResults: true, ct).ConfigureAwait(false);
        return ThrowIfError(method, results[0]).Result;
    }

    /// <summary>
    /// Calls one method and returns its result as the UTF-8 JSON text the node sent, without building a DOM (for
    /// benchmarks and for decoders that read bytes). A JSON-RPC error throws <see cref="EvmRpcException"/>.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> CallRawAsync(string method, object?[] parameters, CancellationToken ct)
    {
        var results = await RunAsync([new EvmRpcCall(method, parameters)], parseResults: false, ct).ConfigureAwait(false);
        return ThrowIfError(method, results[0]).RawResult;
    }

    /// <summary>Sends calls in batches; one result per call, in call order. A call's JSON-RPC error is its result, not an exception.</summary>
    public Task<IReadOnlyList<EvmRpcResult>> BatchAsync(IReadOnlyList<EvmRpcCall> calls, CancellationToken ct) =>
        RunAsync(calls, parseResults: true, ct);

    /// <summary>As <see cref="BatchAsync"/>, but results carry only <see cref="EvmRpcResult.RawResult"/> (no JSON DOM is built).</summary>
    public Task<IReadOnlyList<EvmRpcResult>> BatchRawAsync(IReadOnlyList<EvmRpcCall> calls, CancellationToken ct) =>
        RunAsync(calls, parseResults: false, ct);

    private EvmRpcResult ThrowIfError(string method, EvmRpcResult result) =>
        result.Error is { } e
            ? throw new EvmRpcException(DisplayUrl, method, $"the node answered error {e.Code}: {e.Message}", e)
            : result;

    private async Task<IReadOnlyList<EvmRpcResult>> RunAsync(IReadOnlyList<EvmRpcCall> calls, bool parseResults, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0)
        {
            return [];
        }

        var results = new EvmRpcResult[calls.Count];
        var size = _options.BatchSize;
        var chunkCount = (calls.Count + size - 1) / size;
        if (chunkCount == 1)
        {
            await RunChunkAsync(calls, Enumerable.Range(0, calls.Count).ToArray(), results, parseResults, ct).ConfigureAwait(false);
            return results;
        }

        var chunks = new int[chunkCount][];
        for (var c = 0; c < chunkCount; c++)
        {
            var start = c * size;
            chunks[c] = Enumerable.Range(start, Math.Min(size, calls.Count - start)).ToArray();
        }

        await WhenAllFailFastAsync(chunks, (chunk, token) => RunChunkAsync(calls, chunk, results, parseResults, token), ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>Runs the tasks in parallel; the first failure cancels the others and is the one thrown.</summary>
    private static async Task WhenAllFailFastAsync<T>(IReadOnlyList<T> items, Func<T, CancellationToken, Task> run, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = new Task[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            tasks[i] = Guard(item);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch when (!ct.IsCancellationRequested)
        {
            var first = tasks.Where(t => t.IsFaulted)
                .SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
            {
                ExceptionDispatchInfo.Throw(first);
            }

            throw;
        }

        async Task Guard(T item)
        {
            try
            {
                await run(item, cts.Token).ConfigureAwait(false);
            }
            catch
            {
                await cts.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Sends one batch (or single call) until every call has an answer, retrying what is retryable.</summary>
    private async Task RunChunkAsync(IReadOnlyList<EvmRpcCall> calls, int[] indices, EvmRpcResult[] results, bool parseResults, CancellationToken ct)
    {
        var pending = indices;
        var failures = 0;
        while (true)
        {
            if (pending.Length > 1 && _batchesRefused)
            {
                await WhenAllFailFastAsync(pending, (i, token) => RunChunkAsync(calls, [i], results, parseResults, token), ct).ConfigureAwait(false);
                return;
            }

            var outcome = await SendOnceAsync(calls, pending, parseResults, ct).ConfigureAwait(false);
            string cause;
            TimeSpan? retryAfter = null;
            switch (outcome.Kind)
            {
                case OutcomeKind.Answered:
                {
                    var again = new List<int>();
                    EvmRpcError? limited = null;
                    for (var k = 0; k < pending.Length; k++)
                    {
                        var r = outcome.Results![k];
                        if (r.Error is { IsRateLimited: true } e)
                        {
                            again.Add(pending[k]);
                            limited = e;
                        }
                        else
                        {
                            results[pending[k]] = r;
                        }
                    }

                    if (again.Count == 0)
                    {
                        return;
                    }

                    cause = $"rate limited ({limited})";
                    pending = [.. again];
                    break;
                }

                case OutcomeKind.WholeError when outcome.WholeError!.IsRateLimited:
                    cause = $"rate limited ({outcome.WholeError})";
                    break;

                case OutcomeKind.WholeError when pending.Length == 1:
                    results[pending[0]] = EvmRpcResult.Failure(outcome.WholeError!);
                    return;

                case OutcomeKind.WholeError:
                case OutcomeKind.BatchRefused:
                    _batchesRefused = true;
                    continue;

                case OutcomeKind.Retry:
                    cause = outcome.Problem!;
                    retryAfter = outcome.RetryAfter;
                    break;

                default:
                    throw new EvmRpcException(DisplayUrl, Describe(calls, pending), outcome.Problem!, httpStatus: outcome.HttpStatus);
            }

            failures++;
            if (failures > _options.MaxRetries)
            {
                throw new EvmRpcException(DisplayUrl, Describe(calls, pending), $"failed after {failures} attempts; last: {cause}", httpStatus: outcome.HttpStatus);
            }

            Interlocked.Increment(ref _retryCount);
            await Task.Delay(Backoff(failures, retryAfter), _time, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var max = _options.MaxBackoff;
        if (retryAfter is { } ra)
        {
            return ra < TimeSpan.Zero ? TimeSpan.Zero : ra > max ? max : ra;
        }

        var exponential = _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        // "equal jitter": half fixed, half random, so parallel clients do not retry in lockstep
        return TimeSpan.FromMilliseconds(capped / 2 + (Random.Shared.NextDouble() * capped / 2));
    }

    private static string Describe(IReadOnlyList<EvmRpcCall> calls, int[] indices)
    {
        if (indices.Length == 1)
        {
            return calls[indices[0]].Method;
        }

        var methods = indices.Select(i => calls[i].Method).Distinct().ToList();
        var list = string.Join(", ", methods.Take(3)) + (methods.Count > 3 ? ", …" : string.Empty);
        return $"batch of {indices.Length} calls ({list})";
    }

    private async Task<Outcome> SendOnceAsync(IReadOnlyList<EvmRpcCall> calls, int[] pending, bool parseResults, CancellationToken ct)
    {
        var firstId = Interlocked.Add(ref _nextId, pending.Length) - pending.Length + 1;
        var body = BuildBody(calls, pending, firstId);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, _requestUrl) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = _auth;
            Interlocked.Increment(ref _requestCount);
            Interlocked.Add(ref _callCount, pending.Length);
            Interlocked.Add(ref _bytesSent, body.Length);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            Interlocked.Add(ref _bytesReceived, bytes.Length);
            return Interpret(response, bytes, pending.Length, firstId, parseResults);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Outcome.RetryWith($"no answer within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e)
        {
            return Outcome.RetryWith(DescribeTransport(e));
        }
        catch (IOException e)
        {
            return Outcome.RetryWith($"connection failed while reading the answer ({e.Message})");
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string DescribeTransport(HttpRequestException e)
    {
        var inner = e.InnerException is { } i && i.Message != e.Message ? $" ({i.Message})" : string.Empty;
        return $"connection failed: {e.Message}{inner}";
    }

    private Outcome Interpret(HttpResponseMessage response, byte[] bytes, int count, long firstId, bool parseResults)
    {
        var status = (int)response.StatusCode;
        var statusText = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return Outcome.Fail($"{statusText}: the node refused the credentials ({Snippet(bytes)})", status);
        }

        var parsed = ParseAnswer(bytes, count, firstId, parseResults);
        var ok = status is >= 200 and < 300;
        if (parsed.Results is not null)
        {
            // a JSON-RPC answer for every call: use it even under an error status (some nodes answer errors with 4xx/5xx)
            return status == 429 && parsed.Results.All(r => r.IsError) ? Outcome.RetryWith(statusText, RetryAfter(response), status) : Outcome.Answer(parsed.Results);
        }

        if (parsed.WholeError is { IsRateLimited: true } || status == 429)
        {
            return Outcome.RetryWith(parsed.WholeError is { } we && status != 429 ? $"rate limited ({we})" : statusText, RetryAfter(response), status);
        }

        if (ok)
        {
            return parsed.WholeError is { } e ? Outcome.Whole(e) : Outcome.RetryWith(parsed.Problem!, null, status);
        }

        if (count > 1 && (status is 400 or 413 || (parsed.WholeError is not null && status < 500)))
        {
            return Outcome.Refused();
        }

        if (status >= 500 || status == 408)
        {
            return Outcome.RetryWith($"{statusText}: {Snippet(bytes)}", RetryAfter(response), status);
        }

        return parsed.WholeError is { } single
            ? Outcome.Whole(single)
            : Outcome.Fail($"{statusText}: {Snippet(bytes)}", status);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            return date - _time.GetUtcNow();
        }

        return null;
    }

    /// <summary>The first 200 characters of a body, on one line.</summary>
    private static string Snippet(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return "empty body";
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, BodySnippetLength * 4));
        var cut = text.Length > BodySnippetLength;
        if (cut)
        {
            text = text[..BodySnippetLength];
        }

        var chars = text.Select(c => char.IsControl(c) ? ' ' : c).ToArray();
        return "body: " + new string(chars) + (cut ? "…" : string.Empty);
    }

    // ---- request body ----

    private static byte[] BuildBody(IReadOnlyList<EvmRpcCall> calls, int[] pending, long firstId)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * pending.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (pending.Length > 1)
            {
                w.WriteStartArray();
            }

            for (var k = 0; k < pending.Length; k++)
            {
                var call = calls[pending[k]];
                w.WriteStartObject();
                w.WriteString("jsonrpc", "2.0");
                w.WriteNumber("id", firstId + k);
                w.WriteString("method", call.Method);
                w.WritePropertyName("params");
                w.WriteStartArray();
                foreach (var p in call.Params ?? [])
                {
                    WriteValue(w, p);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            if (pending.Length > 1)
            {
                w.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case uint ui:
                w.WriteNumberValue(ui);
                break;
            case ulong ul:
                w.WriteNumberValue(ul);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            case EvmAddress a:
                w.WriteStringValue(a.ToString());
                break;
            case EvmHash h:
                w.WriteStringValue(h.ToString());
                break;
            case UInt256 u:
                w.WriteStringValue(u.ToHexQuantity());
                break;
            case byte[] bytes:
                w.WriteStringValue(Hex.Encode(bytes));
                break;
            case JsonElement e:
                e.WriteTo(w);
                break;
            case JsonDocument doc:
                doc.WriteTo(w);
                break;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dict)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(w, entry.Value);
                }

                w.WriteEndObject();
                break;
            case IEnumerable seq:
                w.WriteStartArray();
                foreach (var item in seq)
                {
                    WriteValue(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                JsonSerializer.Serialize(w, value, value.GetType());
                break;
        }
    }

    // ---- answer parsing ----

    private readonly record struct ParsedAnswer(EvmRpcResult[]? Results, EvmRpcError? WholeError, string? Problem);

    /// <summary>
    /// Reads a JSON-RPC answer in one pass: results are matched to calls by id; each result's JSON text is kept as a slice
    /// of <paramref name="bytes"/> (no copy) and, when asked, parsed into a standalone <see cref="JsonElement"/>.
    /// </summary>
    private static ParsedAnswer ParseAnswer(byte[] bytes, int count, long firstId, bool parseResults)
    {
        var results = new EvmRpcResult[count];
        var filled = new bool[count];
        var filledCount = 0;
        EvmRpcError? whole = null;
        var reader = new Utf8JsonReader(bytes);
        try
        {
            if (!reader.Read())
            {
                return new ParsedAnswer(null, null, "empty answer");
            }

            var isArray = reader.TokenType == JsonTokenType.StartArray;
            if (!isArray && reader.TokenType != JsonTokenType.StartObject)
            {
                return new ParsedAnswer(null, null, $"the answer is not a JSON-RPC object or batch ({Snippet(bytes)})");
            }

            while (true)
            {
                if (isArray)
                {
                    if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return new ParsedAnswer(null, null, $"batch answer item at byte {reader.TokenStartIndex} is not an object");
                    }
                }

                var itemStart = reader.TokenStartIndex;
                var (id, hasId, result, error, problem) = ReadResponseObject(ref reader, bytes, parseResults);
                if (problem is not null)
                {
                    return new ParsedAnswer(null, null, $"{problem} (answer at byte {itemStart})");
                }

                long index;
                if (id is { } v)
                {
                    index = v - firstId;
                    if (index < 0 || index >= count)
                    {
                        return new ParsedAnswer(null, null, $"answer with id {v}, which was not asked (ids {firstId}..{firstId + count - 1})");
                    }
                }
                else if (error is not null)
                {
                    whole = error; // an error about the request as a whole (id null)
                    if (!isArray)
                    {
                        break;
                    }

                    continue;
                }
                else if (!isArray && count == 1 && !hasId)
                {
                    index = 0; // a lenient node that leaves out the id of a single answer
                }
                else
                {
                    return new ParsedAnswer(null, null, $"answer without a usable id (answer at byte {itemStart})");
                }

                if (!filled[index])
                {
                    filled[index] = true;
                    filledCount++;
                }

                results[index] = error is not null ? EvmRpcResult.Failure(error) : result;
                if (!isArray)
                {
                    break;
                }
            }

            // the whole answer must be one JSON value: Read() throws on trailing garbage
            if (reader.Read())
            {
                return new ParsedAnswer(null, null, $"unexpected data after the answer at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            return new ParsedAnswer(null, null, DescribeMalformed(bytes, e));
        }

        if (filledCount == count)
        {
            // every call answered with the same "batch" complaint: the node refuses batches
            if (count > 1 && results.All(r => r.Error is { } er && er.Message.Contains("batch", StringComparison.OrdinalIgnoreCase)))
            {
                return new ParsedAnswer(null, results[0].Error, null);
            }

            return new ParsedAnswer(results, null, null);
        }

        return whole is not null
            ? new ParsedAnswer(null, whole, null)
            : new ParsedAnswer(null, null, $"no answer for {count - filledCount} of {count} calls");
    }

    private static (long? Id, bool HasId, EvmRpcResult Result, EvmRpcError? Error, string? Problem) ReadResponseObject(
        ref Utf8JsonReader reader, byte[] bytes, bool parseResults)
    {
        long? id = null;
        var hasId = false;
        var hasResult = false;
        EvmRpcResult result = default;
        EvmRpcError? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                hasId = true;
                id = reader.TokenType switch
                {
                    JsonTokenType.Number when reader.TryGetInt64(out var n) => n,
                    JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                    _ => null,
                };
                reader.Skip();
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                JsonElement element = default;
                if (parseResults)
                {
                    element = JsonElement.ParseValue(ref reader);
                }
                else
                {
                    reader.Skip();
                }

                var end = (int)reader.BytesConsumed;
                result = EvmRpcResult.Success(element, bytes.AsMemory(start, end - start));
                hasResult = true;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    error = ReadError(ref reader);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    var text = JsonElement.ParseValue(ref reader).ToString();
                    error = new EvmRpcError(0, text);
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (error is null && !hasResult)
        {
            return (id, hasId, result, null, "answer without result or error");
        }

        return (id, hasId, result, error, null);
    }

    private static EvmRpcError ReadError(ref Utf8JsonReader reader)
    {
        var code = 0;
        string? message = null;
        JsonElement? data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    code = reader.TryGetInt32(out var c) ? c
                        : reader.TryGetInt64(out var l) ? (int)Math.Clamp(l, int.MinValue, int.MaxValue)
                        : 0;
                }
                else if (reader.TokenType == JsonTokenType.String)
                {
                    _ = int.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out code);
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : JsonElement.ParseValue(ref reader).ToString();
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                data = JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new EvmRpcError(code, message ?? "(no message)", data);
    }

    /// <summary>"malformed JSON answer at byte 57 (line 1, column 58; 120 bytes in all): …", from the exception's line and byte position.</summary>
    private static string DescribeMalformed(byte[] bytes, JsonException e)
    {
        var line = e.LineNumber ?? 0;
        var column = e.BytePositionInLine ?? 0;
        long offset = 0;
        for (long l = 0; l < line && offset < bytes.Length; offset++)
        {
            if (bytes[offset] == (byte)'\n')
            {
                l++;
            }
        }

        offset += column;
        var reason = e.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut].TrimEnd();
        }

        var from = (int)Math.Clamp(offset - 20, 0, bytes.Length);
        var to = (int)Math.Clamp(offset + 20, 0, bytes.Length);
        var near = new string(System.Text.Encoding.UTF8.GetString(bytes, from, to - from).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return $"malformed JSON answer at byte {offset} (line {line + 1}, column {column + 1}; {bytes.Length} bytes in all): {reason} Near '{near}'.";
    }

    // ---- outcomes ----

    private enum OutcomeKind
    {
        Answered,
        WholeError,
        BatchRefused,
        Retry,
        Fatal,
    }

    private sealed record Outcome(OutcomeKind Kind, EvmRpcResult[]? Results, EvmRpcError? WholeError, string? Problem, TimeSpan? RetryAfter, int? HttpStatus)
    {
        public static Outcome Answer(EvmRpcResult[] results) => new(OutcomeKind.Answered, results, null, null, null, null);

        public static Outcome Whole(EvmRpcError error) => new(OutcomeKind.WholeError, null, error, null, null, null);

        public static Outcome Refused() => new(OutcomeKind.BatchRefused, null, null, null, null, null);

        public static Outcome RetryWith(string problem, TimeSpan? retryAfter = null, int? status = null) =>
            new(OutcomeKind.Retry, null, null, problem, retryAfter, status);

        public static Outcome Fail(string problem, int status) => new(OutcomeKind.Fatal, null, null, problem, null, status);
    }
}
