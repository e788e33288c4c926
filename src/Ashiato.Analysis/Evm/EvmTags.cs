using Ashiato.Chains.Evm;
using Ashiato.Intel;

namespace Ashiato.Analysis.Evm;

/// <summary>An attribution tag on an EVM address, as the EVM heuristics use it (from meta.sqlite's tags table).</summary>
/// <param name="Address">The tagged address.</param>
/// <param name="Entity">Who it names: the tag's entity, else its actor, else its label.</param>
/// <param name="Label">The tag's label.</param>
/// <param name="Category">The tag's category (exchange, mixing_service, …), or null.</param>
/// <param name="Source">Where the tag came from.</param>
/// <param name="Confidence">The tag's confidence level ÷ 100 (0.5 when the tag has none).</param>
/// <param name="Actor">The tag's actor id, or null.</param>
public sealed record EvmTag(EvmAddress Address, string Entity, string Label, string? Category, string Source, double Confidence, string? Actor = null)
{
    public bool IsExchange => string.Equals(Category, "exchange", StringComparison.OrdinalIgnoreCase);

    /// <summary>Active tags on EVM addresses (network "evm"), in a stable order (address, source, label).</summary>
    public static List<EvmTag> Load(TagStore tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var list = new List<EvmTag>();
        foreach (var t in tags.List(new TagQuery(IncludeDelisted: false, Limit: 0)))
        {
            if (t.Network != "evm" || !EvmAddress.TryParse(t.Address, out var address))
            {
                continue;
            }

            list.Add(new EvmTag(address, t.Entity ?? t.Actor ?? t.Label, t.Label, t.Category, t.Source,
                t.ConfidenceLevel is { } level ? Math.Clamp(level / 100.0, 0, 1) : 0.5, t.Actor));
        }

        return [.. list.OrderBy(t => t.Address).ThenBy(t => t.Source, StringComparer.Ordinal).ThenBy(t => t.Label, StringComparer.Ordinal)];
    }
}
