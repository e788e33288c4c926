namespace Ashiato.Intel;

/// <summary>One attribution tag as stored in the <c>tags</c> table of meta.sqlite.</summary>
public sealed record TagRow
{
    public required string Address { get; init; }

    /// <summary>Ticker as given by the source, upper-case (BTC, ETH, USDT…; OFAC's XBT is stored as BTC).</summary>
    public required string Currency { get; init; }

    public required string Label { get; init; }

    public required string Source { get; init; }

    /// <summary>The network the address was validated on ("bitcoin", "litecoin", "evm"), or null when not validated.</summary>
    public string? Network { get; init; }

    public string? Category { get; init; }

    public string? Abuse { get; init; }

    public string? Actor { get; init; }

    public string? Entity { get; init; }

    public string? Confidence { get; init; }

    public int? ConfidenceLevel { get; init; }

    public bool IsClusterDefiner { get; init; }

    /// <summary>Comma-separated concept ids.</summary>
    public string? Concepts { get; init; }

    public string? Context { get; init; }

    public string? TagPackFile { get; init; }

    public string? TagPackTitle { get; init; }

    public string? LastMod { get; init; }

    /// <summary>For tags from a list that is re-published (OFAC SDN): the list; its later editions delist what they drop.</summary>
    public string? ListKey { get; init; }

    public string? ValidFrom { get; init; }

    /// <summary>The date of the first edition of the list that no longer had the address; null while listed.</summary>
    public string? ValidTo { get; init; }
}

/// <summary>One actor (ActorPack entry).</summary>
public sealed record ActorRow
{
    public required string Id { get; init; }

    public required string Label { get; init; }

    /// <summary>ISO 3166-1 alpha-2 codes.</summary>
    public IReadOnlyList<string> Jurisdictions { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public string? Uri { get; init; }

    /// <summary>The context mapping as JSON.</summary>
    public string? Context { get; init; }

    public string? Source { get; init; }
}

/// <summary>An entity of the registry: a named party (for instance an OFAC SDN profile), its category, country and actor.</summary>
public sealed record EntityRow(string Id, string Name, string? Category, string? Country, string? Actor, string? Source);

/// <summary>
/// Warnings (the item kept) and rejections (the item dropped) of an import, each message located; the first
/// <see cref="MaxMessages"/> of each are kept, all are counted.
/// </summary>
public abstract class ImportMessages
{
    public const int MaxMessages = 1000;

    private readonly List<string> _warnings = [];
    private readonly List<string> _rejections = [];
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public long Rejected { get; private set; }

    public long WarningCount { get; private set; }

    /// <summary>The first <see cref="MaxMessages"/> warnings.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The first <see cref="MaxMessages"/> rejections, each naming file, line and the reason.</summary>
    public IReadOnlyList<string> Rejections => _rejections;

    /// <summary>Records a warning; the same message twice (a header field inherited by many items) counts once.</summary>
    public void Warn(string message)
    {
        if (!_warned.Add(message))
        {
            return;
        }

        WarningCount++;
        if (_warnings.Count < MaxMessages)
        {
            _warnings.Add(message);
        }
    }

    public void Reject(string message)
    {
        Rejected++;
        if (_rejections.Count < MaxMessages)
        {
            _rejections.Add(message);
        }
    }
}

/// <summary>What a tag import did: counts, warnings (tag kept) and rejections (tag dropped), each message located.</summary>
public sealed class ImportReport : ImportMessages
{
    public int Files { get; set; }

    public long TagsRead { get; set; }

    public long TagsImported { get; set; }

    public long Duplicates { get; set; }

    public int ActorsImported { get; set; }

    public int EntitiesImported { get; set; }

    public long Delisted { get; set; }

    /// <summary>List entries already listed by an earlier edition (kept, not duplicated).</summary>
    public long StillListed { get; set; }

    public long YamlBytes { get; set; }

    /// <summary>Seconds spent parsing and checking YAML (TagPacks, ActorPacks).</summary>
    public double ReadSeconds { get; set; }

    /// <summary>Seconds spent writing what the YAML gave to SQLite.</summary>
    public double StoreSeconds { get; set; }
}

/// <summary>
/// Which entity (a named real-world party) a tag names, and the party it belongs to; the same rules fill the entity
/// registry and label clusters (docs/clustering.md, "Entities and labels").
/// </summary>
public static class EntityRules
{
    public const string ActorPrefix = "actor:";
    public const string LabelPrefix = "label:";

    /// <summary>
    /// The tag's entity id: its explicit entity (OFAC <c>ofac:N</c>, a TagPack's <c>entity</c> field), else
    /// <c>actor:ID</c> for a tag with an actor, else <c>label:</c> + the label (trimmed, lower case). A tag of a list without
    /// party names (OFAC per-asset lists: list key, no entity, no actor) names no entity: null.
    /// </summary>
    public static string? EntityId(TagRow t)
    {
        if (t.Entity is { Length: > 0 } e)
        {
            return e;
        }

        if (t.Actor is { Length: > 0 } a)
        {
            return ActorPrefix + a;
        }

        return t.ListKey is not null ? null : LabelPrefix + t.Label.Trim().ToLowerInvariant();
    }

    /// <summary>The party a tag attributes its address to: the actor when it has one (entities of one actor are one party),
    /// else its entity; null when it names none. Two different parties in one cluster are a conflict; the supercluster
    /// guard refuses a merge that would cause one.</summary>
    public static string? PartyKey(TagRow t) => t.Actor is { Length: > 0 } a ? ActorPrefix + a : EntityId(t);

    /// <summary>An actor's country: its one jurisdiction; none or several give null (never guessed).</summary>
    public static string? CountryOf(ActorRow? actor) => actor is { Jurisdictions.Count: 1 } ? actor.Jurisdictions[0] : null;

    /// <summary>Orders tags best first: cluster definers, then higher confidence level (unknown lowest), then source, label, address.</summary>
    public static int CompareBestFirst(TagRow x, TagRow y)
    {
        var c = y.IsClusterDefiner.CompareTo(x.IsClusterDefiner);
        if (c == 0)
        {
            c = (y.ConfidenceLevel ?? -1).CompareTo(x.ConfidenceLevel ?? -1);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Source, y.Source);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Label, y.Label);
        }

        return c != 0 ? c : string.CompareOrdinal(x.Address, y.Address);
    }
}
