namespace Ashiato.TestSupport;

/// <summary>A JSON-RPC error answered by litecoind: the node's error code and message.</summary>
public sealed class LitecoindRpcException : Exception
{
    public LitecoindRpcException(string method, int code, string rpcMessage, string? hint = null)
        : base($"litecoind RPC '{method}' failed with code {code}: {rpcMessage}" + (hint is null ? "" : " " + hint))
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
    }

    public string Method { get; }

    /// <summary>The node's error code, e.g. -8 (invalid parameter), -28 (warming up).</summary>
    public int Code { get; }

    /// <summary>The node's error message, unchanged.</summary>
    public string RpcMessage { get; }
}
