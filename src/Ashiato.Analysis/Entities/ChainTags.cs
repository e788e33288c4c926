using System.Security.Cryptography;
using System.Text;
using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Intel;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Entities;

/// <summary>A tag on an address of one chain: the tag, the address id it resolved to, the entity it names and its party
/// (<see cref="EntityRules"/>).</summary>
public sealed record ChainTag(uint Address, TagRow Tag, string? Entity, string? Party);

/// <summary>
/// The tags of meta.sqlite that apply to one UTXO chain: currency of the chain's coin (BTC, LTC) and an address valid on
/// the chain's network; those whose address is in the store are resolved to its id. Delisted tags count too (a
/// delisting is a change of legal status, not of owner). Read from SQLite once; everything after works in memory.
/// </summary>
public sealed class ChainTags
{
    private ChainTags(string chain, List<ChainTag> tags, int unresolved, Dictionary<string, EntityRow> entities, Dictionary<string, ActorRow> actors,
        string digest, ClusterGuard guard)
    {
        Chain = chain;
        Tags = tags;
        Unresolved = unresolved;
        Entities = entities;
        Actors = actors;
        Digest = digest;
        Guard = guard;
    }

    public string Chain { get; }

    /// <summary>Resolved tags, by address id, best first per address (<see cref="EntityRules.CompareBestFirst"/>).</summary>
    public IReadOnlyList<ChainTag> Tags { get; }

    /// <summary>Tags for the chain whose address is not in the store (yet).</summary>
    public int Unresolved { get; }

    public IReadOnlyDictionary<string, EntityRow> Entities { get; }

    public IReadOnlyDictionary<string, ActorRow> Actors { get; }

    /// <summary>SHA-256 over every applicable tag (all fields labels use) and the registry rows they name: labels are rebuilt when it changes.</summary>
    public string Digest { get; }

    /// <summary>The input of the supercluster guard: each tagged address's party.</summary>
    public ClusterGuard Guard { get; }

    public static string Ticker(Network network) => network.Coin == "litecoin" ? "LTC" : "BTC";

    /// <summary>Reads the tags, entities and actors for <paramref name="chain"/> from <paramref name="tags"/>.</summary>
    public static ChainTags Load(UtxoChainStore chain, TagStore tags) =>
        From(chain, tags.List(new TagQuery(Currency: Ticker(chain.Network), Limit: 0)), tags.Entities(), tags.Actors());

    /// <summary>Resolves <paramref name="rows"/> against <paramref name="chain"/> (rows of other currencies or networks are skipped).</summary>
    public static ChainTags From(UtxoChainStore chain, IEnumerable<TagRow> rows, IEnumerable<EntityRow> entities, IEnumerable<ActorRow> actors)
    {
        var ticker = Ticker(chain.Network);
        var entityById = entities.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var actorById = actors.ToDictionary(a => a.Id, StringComparer.Ordinal);
        var applicable = new List<(string Text, TagRow Tag)>();
        foreach (var t in rows)
        {
            if (AddressRules.NormalizeCurrency(t.Currency) == ticker && AddressCodec.TryParse(chain.Network, t.Address, out _, out _))
            {
                applicable.Add((t.Address, t));
            }
        }

        applicable.Sort((x, y) =>
        {
            var c = string.CompareOrdinal(x.Text, y.Text);
            return c != 0 ? c : EntityRules.CompareBestFirst(x.Tag, y.Tag);
        });

        var resolved = new List<ChainTag>();
        var unresolved = 0;
        var usedEntities = new SortedSet<string>(StringComparer.Ordinal);
        var usedActors = new SortedSet<string>(StringComparer.Ordinal);
        var guardText = new StringBuilder();
        var guard = new List<(uint, string)>();
        var sb = new StringBuilder();
        string? guarded = null;
        foreach (var (text, t) in applicable)
        {
            var entity = EntityRules.EntityId(t);
            var party = EntityRules.PartyKey(t);
            Line(sb, t.Address, t.Label, t.Source, t.Category, t.Abuse, t.Actor, entity, t.Confidence, t.ConfidenceLevel?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                t.IsClusterDefiner ? "1" : "0", t.ValidTo, t.TagPackTitle);
            if (entity is not null)
            {
                usedEntities.Add(entity);
            }

            if (t.Actor is { } a)
            {
                usedActors.Add(a);
            }

            AddressCodec.TryParse(chain.Network, text, out var kind, out var payload);
            var id = chain.FindAddress(kind, payload);
            if (id < 0)
            {
                unresolved++;
            }
            else
            {
                resolved.Add(new ChainTag((uint)id, t, entity, party));
            }

            // the guard's party of an address: that of its best tag naming one (an address's tags come best first)
            if (party is not null && guarded != text)
            {
                guarded = text;
                Line(guardText, text, party);
                if (id >= 0)
                {
                    guard.Add(((uint)id, party));
                }
            }
        }

        foreach (var e in usedEntities)
        {
            if (entityById.TryGetValue(e, out var row))
            {
                Line(sb, "entity", row.Id, row.Name, row.Category, row.Country, row.Actor);
            }
        }

        foreach (var a in usedActors)
        {
            if (actorById.TryGetValue(a, out var row))
            {
                Line(sb, "actor", row.Id, row.Label, string.Join(',', row.Jurisdictions), string.Join(',', row.Categories));
            }
        }

        resolved.Sort((x, y) => x.Address != y.Address ? x.Address.CompareTo(y.Address) : EntityRules.CompareBestFirst(x.Tag, y.Tag));
        guard.Sort((x, y) => x.Item1.CompareTo(y.Item1));
        return new ChainTags(chain.ChainName, resolved, unresolved, entityById, actorById, Sha(sb), new ClusterGuard(Sha(guardText), guard));
    }

    /// <summary>Tags of one address id (best first), empty when it has none.</summary>
    public IEnumerable<ChainTag> Of(uint address) => Tags.Where(t => t.Address == address);

    private static void Line(StringBuilder sb, params string?[] fields)
    {
        foreach (var f in fields)
        {
            sb.Append(f ?? "\u0000").Append('\u001f');
        }

        sb.Append('\n');
    }

    private static string Sha(StringBuilder sb) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
}
