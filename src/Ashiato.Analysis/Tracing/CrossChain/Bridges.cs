namespace Ashiato.Analysis.Tracing.CrossChain;

/// <summary>
/// Where value that entered a bridge continues on the other chain. <see cref="Confidence"/> is 1 for a pairing proven
/// by the bridge's own event (the release names the deposit), lower for a match by amount and time; <see cref="Method"/>
/// says which (<c>event</c>, <c>amount-time</c>).
/// </summary>
public sealed record BridgePairing(string Bridge, TraceSeed Continuation, decimal Confidence, string Method, string Detail);

/// <summary>
/// Pairs bridge deposits with releases for one bridge. <see cref="Claims"/> says whether an edge enters (forward) or
/// leaves (backward) this bridge; <see cref="Pair"/> lists the candidate continuations, best first (the cross-chain
/// tracer takes the first one no other edge took). An empty list with <paramref name="reason"/> = unpaired.
/// </summary>
public interface IBridgePairer
{
    string Bridge { get; }

    bool Claims(TraceEdge edge, TraceNode? from, TraceNode? to, TraceDirection direction);

    IReadOnlyList<BridgePairing> Pair(TraceEdge edge, TraceDirection direction, out string reason, CancellationToken cancellationToken = default);
}
