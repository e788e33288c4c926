using Ashiato.Core;

namespace Ashiato.Chains.Evm.Model;

/// <summary>
/// One flat trace in the Parity/OpenEthereum form (<c>trace_block</c>): a call, create, suicide (selfdestruct) or
/// reward, placed in its transaction's call tree by <see cref="TraceAddress"/>. Traces from geth's
/// <c>callTracer</c> are converted to this form, so everything downstream sees one shape.
/// </summary>
public sealed class EvmTrace
{
    public long BlockNumber { get; init; }

    public EvmHash? TransactionHash { get; init; }

    public int? TransactionIndex { get; init; }

    public EvmTraceType TraceType { get; init; }

    /// <summary>"call", "delegatecall", "staticcall", "callcode" for calls; null otherwise.</summary>
    public string? CallType { get; init; }

    /// <summary>"block" or "uncle" for rewards; null otherwise.</summary>
    public string? RewardType { get; init; }

    /// <summary>Caller; for suicide the destroyed contract; null for rewards.</summary>
    public EvmAddress? From { get; init; }

    /// <summary>Callee; for create the new contract; for suicide the beneficiary; for rewards the author.</summary>
    public EvmAddress? To { get; init; }

    /// <summary>Value moved (for suicide the balance sent to the beneficiary).</summary>
    public UInt256? Value { get; init; }

    public byte[]? Input { get; init; }

    public byte[]? Output { get; init; }

    public long? Gas { get; init; }

    public long? GasUsed { get; init; }

    public int Subtraces { get; init; }

    public IReadOnlyList<int> TraceAddress { get; init; } = [];

    public string? Error { get; init; }
}

public enum EvmTraceType : byte
{
    Call = 1,
    Create = 2,
    Suicide = 3,
    Reward = 4,
}
