namespace Ashiato.Chains.Evm.Rpc;

/// <summary>How <see cref="EvmRpcClient"/> talks to a node: parallelism, batch size, retries and timeouts.</summary>
public sealed record EvmRpcOptions
{
    /// <summary>HTTP requests in flight at once, across all callers of one client.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Calls per JSON-RPC batch; a longer list is split into batches sent in parallel.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Retries of one request (so at most MaxRetries + 1 attempts) on 429, 5xx, timeouts, dropped connections and rate-limit errors.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First wait before a retry; doubled on each further retry (with jitter), up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two attempts (also caps a node's Retry-After).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for one HTTP answer, body included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Clock for timeouts and backoff; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
