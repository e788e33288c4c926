using Ashiato.Core;

namespace Ashiato.Chains.Evm;

/// <summary>
/// A node's JSON answer that does not decode: names the call it answered (<see cref="Source"/>, e.g.
/// "eth_getBlockByNumber 0x76250"), the JSON path of the bad field (<see cref="Field"/>, e.g.
/// "transactions[3].value") and what is wrong with it.
/// </summary>
public sealed class EvmDataException : UserErrorException
{
    public EvmDataException(string source, string field, string problem)
        : base($"{source}, field {field}: {problem}")
    {
        Source = source;
        Field = field;
        Problem = problem;
    }

    /// <summary>The request whose answer is bad (method and parameters).</summary>
    public new string Source { get; }

    /// <summary>JSON path of the bad field inside the answer's result ("transactions[3].value", "[2].action.to").</summary>
    public string Field { get; }

    public string Problem { get; }
}
