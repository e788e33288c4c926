using Ashiato.Analysis.Entities;
using Ashiato.Intel;

namespace Ashiato.Analysis.Tests.Entities;

public sealed class LabelDerivationTests
{
    private static readonly Dictionary<string, EntityRow> NoEntities = [];
    private static readonly Dictionary<string, ActorRow> NoActors = [];

    private static ChainTag Tag(uint address, string label, string? actor = null, string? category = "exchange", int? level = 80, bool definer = false,
        string source = "src", string? entity = null, string? listKey = null)
    {
        var row = new TagRow
        {
            Address = "addr" + address, Currency = "BTC", Label = label, Source = source, Actor = actor, Category = category, ConfidenceLevel = level,
            IsClusterDefiner = definer, Entity = entity, ListKey = listKey,
        };
        return new ChainTag(address, row, EntityRules.EntityId(row), EntityRules.PartyKey(row));
    }

    [Fact]
    public void A_cluster_definer_beats_a_higher_confidence_and_the_other_party_is_listed_as_a_conflict()
    {
        var label = LabelDerivation.Derive(3, 10,
            [Tag(3, "Big Exchange", actor: "big", level: 90), Tag(7, "Small Exchange wallet", actor: "small", level: 50, definer: true)], NoEntities, NoActors);

        Assert.Equal("actor:small", label.Label.Entity);
        Assert.True(label.Label.IsDefiner);
        Assert.Equal(50, label.Label.Confidence);
        Assert.Equal(7u, label.Label.Address);
        var conflict = Assert.Single(label.Conflicts);
        Assert.Equal("actor:big", conflict.Entity);
        Assert.Equal(90, conflict.Confidence);
        Assert.Equal(2, label.TaggedAddresses);
    }

    [Fact]
    public void Without_definers_the_highest_confidence_wins_and_every_other_entity_actor_or_category_is_kept()
    {
        var tags = new[]
        {
            Tag(1, "mixer", actor: "tumble", category: "mixing_service", level: 20),
            Tag(2, "Hot wallet", actor: "kaiyo", level: 80),
            Tag(3, "Kaiyo cold", actor: "kaiyo", category: "cold_wallet", level: 80),
            Tag(4, "some label", actor: null, category: "exchange", level: 30),
        };
        var label = LabelDerivation.Derive(1, 4, tags, NoEntities, NoActors);

        Assert.Equal("actor:kaiyo", label.Label.Entity);
        Assert.Equal(3, label.Conflicts.Count);
        Assert.Contains(label.Conflicts, c => c.Entity == "actor:kaiyo" && c.Category != label.Label.Category); // same actor, other category
        Assert.Contains(label.Conflicts, c => c.Entity == "label:some label" && c.Actor is null);
        Assert.Equal("actor:tumble", label.Conflicts[^1].Entity); // lowest confidence last
        Assert.All(label.Conflicts, c => Assert.NotEmpty(c.Tags));
    }

    [Fact]
    public void Tags_of_one_party_and_category_make_one_label_with_all_their_tags_best_first()
    {
        var label = LabelDerivation.Derive(5, 3,
            [Tag(6, "Kaiyo hot 2", actor: "kaiyo", level: 60), Tag(5, "Kaiyo hot 1", actor: "kaiyo", level: 80)], NoEntities, NoActors);

        Assert.Empty(label.Conflicts);
        Assert.False(label.HasConflicts);
        Assert.Equal([5u, 6u], label.Label.Tags.Select(t => t.Address));
        Assert.Equal("Kaiyo hot 1", label.Label.Best.Tag.Label);
    }

    [Fact]
    public void The_label_does_not_depend_on_the_order_of_the_tags()
    {
        var tags = Enumerable.Range(0, 12)
            .Select(i => Tag((uint)i, $"label {i % 4}", actor: i % 3 == 0 ? null : $"actor{i % 3}", level: (i * 37) % 101, definer: i == 7, source: $"s{i % 2}"))
            .ToList();
        var expected = LabelDerivation.Derive(0, 12, tags, NoEntities, NoActors);
        var rng = new Random(11);
        for (var round = 0; round < 20; round++)
        {
            var shuffled = tags.OrderBy(_ => rng.Next()).ToList();
            var actual = LabelDerivation.Derive(0, 12, shuffled, NoEntities, NoActors);
            Assert.Equal(Summary(expected), Summary(actual));
        }

        static string Summary(ClusterLabel c) => string.Join(" | ",
            new[] { c.Label }.Concat(c.Conflicts).Select(l => $"{l.Entity}/{l.Category}/{l.Address}/{string.Join(',', l.Tags.Select(t => t.Address))}"));
    }

    [Fact]
    public void Name_and_country_come_from_the_registry_else_the_actors_single_jurisdiction_never_a_guess()
    {
        var actors = new Dictionary<string, ActorRow>
        {
            ["kaiyo"] = new() { Id = "kaiyo", Label = "Kaiyo Exchange", Jurisdictions = ["JP"] },
            ["multi"] = new() { Id = "multi", Label = "Multi", Jurisdictions = ["JP", "US"] },
        };
        var entities = new Dictionary<string, EntityRow> { ["ofac:1"] = new("ofac:1", "Some Party", "sanction", "KP", null, "OFAC SDN 2025-11-19") };

        var kaiyo = LabelDerivation.Derive(1, 1, [Tag(1, "hot", actor: "kaiyo")], entities, actors).Label;
        Assert.Equal(("Kaiyo Exchange", "JP"), (kaiyo.Name, kaiyo.Country));
        var multi = LabelDerivation.Derive(1, 1, [Tag(1, "hot", actor: "multi")], entities, actors).Label;
        Assert.Null(multi.Country);
        var ofac = LabelDerivation.Derive(1, 1, [Tag(1, "SOME PARTY", category: "sanction", entity: "ofac:1", level: 90)], entities, actors).Label;
        Assert.Equal(("ofac:1", "Some Party", "KP"), (ofac.Entity, ofac.Name, ofac.Country));
        var unknown = LabelDerivation.Derive(1, 1, [Tag(1, "Nobody Known")], entities, actors).Label;
        Assert.Equal(("label:nobody known", "Nobody Known"), (unknown.Entity, unknown.Name));
        Assert.Null(unknown.Country);
    }

    [Fact]
    public void A_list_entry_without_a_party_name_names_no_entity_and_no_party()
    {
        var listed = Tag(4, "OFAC SDN listed address", category: "sanction", level: 90, listKey: "ofac-sdn");
        Assert.Null(listed.Entity);
        Assert.Null(listed.Party);
        var label = LabelDerivation.Derive(4, 1, [listed], NoEntities, NoActors);
        Assert.Null(label.Label.Entity);
        Assert.Equal("sanction", label.Label.Category);
    }

    [Fact]
    public void Entities_of_one_actor_are_one_party()
    {
        var ofac = Tag(1, "LAZARUS GROUP", actor: "lazarusgroup", category: "sanction", entity: "ofac:27307", level: 90);
        var pack = Tag(2, "Lazarus", actor: "lazarusgroup", category: "sanction", level: 50);
        Assert.NotEqual(ofac.Entity, pack.Entity);
        Assert.Equal(ofac.Party, pack.Party);
        var label = LabelDerivation.Derive(1, 2, [pack, ofac], NoEntities, NoActors);
        Assert.Equal("ofac:27307", label.Label.Entity);
        Assert.Empty(label.Conflicts);
    }
}
