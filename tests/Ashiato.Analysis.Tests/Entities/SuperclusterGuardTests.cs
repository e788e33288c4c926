using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Analysis.Tests.Entities;

public sealed class SuperclusterGuardTests
{
    [Fact]
    public void Clusters_of_different_parties_are_not_merged_and_a_merged_cluster_keeps_its_party()
    {
        var uf = new UnionFind(10);
        uf.Label(1, 1); // party 1
        uf.Label(2, 2); // party 2
        uf.Label(5, 1);

        Assert.Equal(UnionOutcome.Merged, uf.TryUnion(1, 3, out _, out _)); // unlabelled joins party 1
        Assert.Equal((1, 1), uf.LabelOf(3));
        Assert.Equal(UnionOutcome.Refused, uf.TryUnion(3, 2, out var a, out var b));
        Assert.Equal(((1, 1), (2, 2)), (a, b));
        Assert.NotEqual(uf.ClusterId(3), uf.ClusterId(2));
        Assert.Equal(UnionOutcome.Merged, uf.TryUnion(5, 3, out _, out _)); // same party
        Assert.Equal((1, 1), uf.LabelOf(5));
        Assert.Equal(UnionOutcome.Same, uf.TryUnion(1, 5, out _, out _));
        Assert.Equal(UnionOutcome.Merged, uf.TryUnion(7, 8, out _, out _)); // no labels at all
        Assert.Equal((0, -1), uf.LabelOf(7));
        Assert.Equal(UnionOutcome.Merged, uf.TryUnion(7, 2, out _, out _));
        Assert.Equal(UnionOutcome.Refused, uf.TryUnion(8, 1, out a, out b));
        Assert.Equal(((2, 2), (1, 1)), (a, b));
    }

    [Fact]
    public void A_label_given_before_the_address_exists_applies_when_it_is_added()
    {
        var uf = new UnionFind(3);
        uf.Label(1, 1);
        uf.Label(5, 2);
        uf.Grow(6);
        Assert.Equal((2, 5), uf.LabelOf(5));
        Assert.Equal(UnionOutcome.Refused, uf.TryUnion(1, 5, out _, out _));
        Assert.Equal(UnionOutcome.Merged, uf.TryUnion(4, 5, out _, out _));
        Assert.Equal((2, 5), uf.LabelOf(4));
    }

    [Fact]
    public void Apply_records_a_refused_multi_input_union_with_transaction_heuristic_addresses_and_labels_and_merges_the_rest()
    {
        var uf = new UnionFind(10);
        uf.Label(0, 1);
        uf.Label(4, 2);
        uf.TryUnion(4, 6, out _, out _); // address 6 is in party 2's cluster, labelled by address 4
        var tx = TxFacts.Build(
            [new InputFact(0, 1000, ScriptType.WitnessV0KeyHash), new InputFact(6, 1000, ScriptType.WitnessV0KeyHash), new InputFact(2, 1000, ScriptType.WitnessV0KeyHash)],
            [new OutputFact(9, 2500, ScriptType.WitnessV0KeyHash)], txId: 42);
        var log = new List<MergeRecord>();
        var refusals = new List<RefusalRecord>();
        ClusterBuilder.Apply(tx, new HeuristicSet(), new HeuristicContext(10), uf, log, [], refusals);

        var r = Assert.Single(refusals);
        Assert.Equal((42L, 0u, 6u, HeuristicId.MultiInput, 0u, 4u), (r.TxId, r.A, r.B, r.Heuristic, r.LabelledA, r.LabelledB));
        var m = Assert.Single(log);
        Assert.Equal((0u, 2u), (m.A, m.B));
        Assert.Equal(uf.ClusterId(0), uf.ClusterId(2));
        Assert.NotEqual(uf.ClusterId(0), uf.ClusterId(6));
    }

    [Fact]
    public void Without_labels_the_guard_changes_nothing()
    {
        var rng = new Random(3);
        var plain = new UnionFind(500);
        var guarded = new UnionFind(500);
        for (var i = 0; i < 800; i++)
        {
            var (x, y) = (rng.Next(500), rng.Next(500));
            Assert.Equal(plain.Union(x, y), guarded.TryUnion(x, y, out _, out _) == UnionOutcome.Merged);
        }

        Assert.Equal(plain.ClusterIds(), guarded.ClusterIds());
    }
}
