using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Entities;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Intel;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tests.Entities;

/// <summary>
/// <see cref="ClusterLabels.IsLabelled"/> (one bit per address, asked first by the tracer's inner loop) says yes exactly for
/// the addresses <see cref="ClusterLabels.Lookup"/> labels, with and without stored clusters, on the simulated world (seed 3).
/// </summary>
public sealed class ClusterLabelBitsTests(SimulatedWorld world) : IClassFixture<SimulatedWorld>
{
    private static TagRow Row(UtxoChainStore chain, uint address, int i) => new()
    {
        Address = chain.FormatAddress(address), Currency = "BTC", Network = chain.Network.Name, Label = $"Service {i}", Source = "test",
        Actor = $"actor-{i}", Category = i % 2 == 0 ? "exchange" : "mixer", Confidence = "service_data", ConfidenceLevel = 80,
    };

    private static void AssertBitsMatchLookups(UtxoChainStore chain, ClusterLabels labels)
    {
        var traceLabels = new ClusterTraceLabels(chain, labels);
        var labelled = 0;
        for (uint a = 0; a < chain.AddressCount + 70; a++)
        {
            var expected = labels.Lookup(a) is not null;
            Assert.True(expected == labels.IsLabelled(a), $"address {a}: lookup {expected}, bit {!expected}");
            Assert.Equal(expected, traceLabels.MayHaveLabel(a));
            labelled += expected ? 1 : 0;
        }

        Assert.True(labelled > 0);
        Assert.False(labels.IsLabelled(uint.MaxValue));
        Assert.False(traceLabels.MayHaveLabel(-1));
    }

    [Fact]
    public void The_bit_set_says_labelled_exactly_where_the_lookup_finds_a_label()
    {
        using var chain = world.OpenChain();
        var step = (uint)Math.Max(1, chain.AddressCount / 25);
        var rows = new List<TagRow>();
        for (uint a = 3, i = 0; a < chain.AddressCount; a += step, i++)
        {
            rows.Add(Row(chain, a, (int)i));
        }

        rows.Add(Row(chain, (uint)chain.AddressCount - 1, 99)); // the last address: the top word of the bit set
        var tags = ChainTags.From(chain, rows, [], []);

        // no stored clusters: every address is its own cluster, the tagged ones are labelled
        var single = ClusterLabels.Open(chain, tags);
        Assert.Null(single.ClusterHeight);
        AssertBitsMatchLookups(chain, single);

        // stored clusters: every member of a tagged address's cluster is labelled
        ClusterBuilder.Run(chain, new HeuristicSet(), new ClusterOptions { Rebuild = true });
        var clustered = ClusterLabels.Open(chain, tags);
        Assert.NotNull(clustered.ClusterHeight);
        AssertBitsMatchLookups(chain, clustered);
        var members = Enumerable.Range(0, (int)chain.AddressCount).Count(a => clustered.IsLabelled((uint)a));
        Assert.True(members > rows.Count, $"{members} labelled addresses from {rows.Count} tags: clusters spread the labels");
    }
}
