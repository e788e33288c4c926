using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Rpc;

/// <summary>
/// One JSON-RPC call. Parameters may be strings, numbers, booleans, null, <see cref="EvmAddress"/>, <see cref="EvmHash"/>,
/// <see cref="UInt256"/> (written as a quantity), <c>byte[]</c> (written as 0x data), <see cref="JsonElement"/>,
/// dictionaries and lists of these; anything else is serialized with System.Text.Json.
/// </summary>
public readonly record struct EvmRpcCall(string Method, object?[] Params);

/// <summary>The error a node answered for one call (<c>{"code":…,"message":…,"data":…}</c>).</summary>
public sealed record EvmRpcError(int Code, string Message, JsonElement? Data = null)
{
    private static readonly string[] _unsupportedPhrases =
        ["method not found", "does not exist", "not supported", "not available", "unsupported"];

    private static readonly string[] _rateLimitPhrases = ["rate limit", "rate-limit", "ratelimit", "too many requests"];

    /// <summary>
    /// True when the node does not have the method (-32601, -32004, or a message such as "method not found",
    /// "does not exist", "not supported", "not available", "unsupported"): e.g. a node without trace methods.
    /// </summary>
    public bool IsMethodUnsupported =>
        Code is -32601 or -32004 || _unsupportedPhrases.Any(p => Message.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the node (or its provider) asks us to slow down: -32005, 429, "rate limit", "too many requests".</summary>
    public bool IsRateLimited =>
        Code is -32005 or 429 || _rateLimitPhrases.Any(p => Message.Contains(p, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"error {Code}: {Message}";
}

/// <summary>
/// The answer to one call of a batch: either <see cref="Result"/> (and its UTF-8 JSON text <see cref="RawResult"/>) or
/// <see cref="Error"/>.
/// </summary>
public readonly struct EvmRpcResult
{
    private EvmRpcResult(JsonElement result, ReadOnlyMemory<byte> raw, EvmRpcError? error)
    {
        Result = result;
        RawResult = raw;
        Error = error;
    }

    /// <summary>The result value (<c>default</c>, kind Undefined, for an error or a raw-only call).</summary>
    public JsonElement Result { get; }

    /// <summary>The result exactly as the node sent it (UTF-8 JSON, e.g. <c>"0x1b4"</c> with the quotes); empty for an error.</summary>
    public ReadOnlyMemory<byte> RawResult { get; }

    /// <summary>The node's error for this call, or null.</summary>
    public EvmRpcError? Error { get; }

    public bool IsError => Error is not null;

    public static EvmRpcResult Success(JsonElement result, ReadOnlyMemory<byte> raw) => new(result, raw, null);

    public static EvmRpcResult Failure(EvmRpcError error) => new(default, default, error);

    public override string ToString() => Error?.ToString() ?? System.Text.Encoding.UTF8.GetString(RawResult.Span);
}

/// <summary>
/// An EVM node could not be used: the message names the node's URL (without credentials), the method and what went
/// wrong (the node's error, an HTTP status with the start of the body, malformed JSON with its byte offset, or the
/// last cause after all retries).
/// </summary>
public sealed class EvmRpcException : UserErrorException
{
    public EvmRpcException(string url, string method, string problem, EvmRpcError? error = null, int? httpStatus = null, Exception? inner = null)
        : base($"{url}: {method}: {problem}", inner!)
    {
        Url = url;
        Method = method;
        Problem = problem;
        Error = error;
        HttpStatus = httpStatus;
    }

    /// <summary>The node's URL without user name and password.</summary>
    public string Url { get; }

    /// <summary>The method, or a description of the batch ("batch of 50 calls (eth_getBlockByNumber)").</summary>
    public string Method { get; }

    public string Problem { get; }

    /// <summary>The node's JSON-RPC error, when that is what failed.</summary>
    public EvmRpcError? Error { get; }

    /// <summary>The HTTP status of the last answer, when the failure was an HTTP one.</summary>
    public int? HttpStatus { get; }
}
