using Ashiato.Intel;

namespace Ashiato.Analysis.Entities;

/// <summary>
/// One attribution of a cluster: the party and category its tags give, with the tags (best first) and the address of
/// the best tag — the answer to "why is this cluster X?".
/// </summary>
/// <param name="Entity">Entity id (<see cref="EntityRules.EntityId"/>) of the best tag; null for tags naming no party (OFAC lists without names).</param>
/// <param name="Name">The entity's registry name, else the best tag's label.</param>
/// <param name="Category">The tags' category (tags of one party with different categories are different labels).</param>
/// <param name="Country">The entity's country from the registry, else its actor's single jurisdiction, else null.</param>
/// <param name="Actor">The best tag's actor, else the entity's.</param>
/// <param name="Confidence">Confidence level of the best tag (0–100), null when unknown.</param>
/// <param name="IsDefiner">The best tag is a cluster definer.</param>
/// <param name="Address">The address of the best tag.</param>
/// <param name="Tags">Every tag of the cluster giving this label, best first.</param>
public sealed record EntityLabel(string? Entity, string Name, string? Category, string? Country, string? Actor, int? Confidence, bool IsDefiner,
    uint Address, IReadOnlyList<ChainTag> Tags)
{
    public ChainTag Best => Tags[0];

    public string? Party => Best.Party;
}

/// <summary>The label of a cluster (or of a single tagged address outside any cluster): the best label and every other one, listed.</summary>
/// <param name="Cluster">Cluster id (smallest member), or the address itself when it is in no stored cluster.</param>
/// <param name="Size">Addresses in the cluster.</param>
/// <param name="Label">The label: cluster-definer tags first, then the highest confidence level.</param>
/// <param name="Conflicts">The other labels (another entity, actor or category), best first; never dropped.</param>
/// <param name="TaggedAddresses">Addresses of the cluster with at least one tag.</param>
public sealed record ClusterLabel(uint Cluster, long Size, EntityLabel Label, IReadOnlyList<EntityLabel> Conflicts, int TaggedAddresses)
{
    public bool HasConflicts => Conflicts.Count > 0;
}

/// <summary>Derives labels from tags. Pure and deterministic: the same tags give the same label whatever their order.</summary>
public static class LabelDerivation
{
    /// <summary>
    /// Groups the tags by (party, category): each group is one candidate label, represented by its best tag (definer, then
    /// confidence level, then source, label, address). The best candidate is the label; the others are its conflicts.
    /// </summary>
    public static ClusterLabel Derive(uint cluster, long size, IEnumerable<ChainTag> tags, IReadOnlyDictionary<string, EntityRow> entities,
        IReadOnlyDictionary<string, ActorRow> actors)
    {
        var groups = new SortedDictionary<(string Party, string Category), List<ChainTag>>();
        var addresses = new HashSet<uint>();
        foreach (var t in tags)
        {
            addresses.Add(t.Address);
            var key = (t.Party ?? "unnamed:" + t.Tag.Label, t.Tag.Category ?? "");
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(t);
        }

        if (groups.Count == 0)
        {
            throw new ArgumentException("a label needs at least one tag", nameof(tags));
        }

        var labels = new List<EntityLabel>();
        foreach (var list in groups.Values)
        {
            list.Sort(Compare);
            labels.Add(LabelOf(list, entities, actors));
        }

        labels.Sort((x, y) => Compare(x.Best, y.Best));
        return new ClusterLabel(cluster, size, labels[0], labels.Skip(1).ToList(), addresses.Count);
    }

    /// <summary>Best first: cluster definers, higher confidence level, then source, label, address text, address id.</summary>
    public static int Compare(ChainTag x, ChainTag y)
    {
        var c = EntityRules.CompareBestFirst(x.Tag, y.Tag);
        return c != 0 ? c : x.Address.CompareTo(y.Address);
    }

    private static EntityLabel LabelOf(List<ChainTag> tags, IReadOnlyDictionary<string, EntityRow> entities, IReadOnlyDictionary<string, ActorRow> actors)
    {
        var best = tags[0];
        var entity = best.Entity is null ? null : entities.GetValueOrDefault(best.Entity);
        var actorId = best.Tag.Actor ?? entity?.Actor;
        var actor = actorId is null ? null : actors.GetValueOrDefault(actorId);
        var name = entity?.Name ?? (best.Entity is { } e && e.StartsWith(EntityRules.ActorPrefix, StringComparison.Ordinal) ? actor?.Label : null) ?? best.Tag.Label;
        var country = entity?.Country ?? EntityRules.CountryOf(actor);
        return new EntityLabel(best.Entity, name, best.Tag.Category, country, actorId, best.Tag.ConfidenceLevel, best.Tag.IsClusterDefiner, best.Address, tags);
    }
}
