using Ashiato.Analysis.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;

namespace Ashiato.Analysis.Tests.Evm;

/// <summary>Contract labels from their creators.</summary>
public sealed class ContractLabelTests
{
    private static EvmAddress A(byte b) => new(Enumerable.Repeat(b, 20).ToArray());

    private static ContractCreation Created(byte contract, byte creator, bool factory, long height) =>
        new(A(contract), A(creator), factory, new EvmHash(Enumerable.Repeat(contract, 32).ToArray()), height, null);

    [Fact]
    public void A_contract_of_a_tagged_creator_is_that_entitys_with_lower_confidence_and_its_factory_children_too()
    {
        var tags = new List<EvmTag> { new(A(1), "acme-exchange", "Acme deployer", "exchange", "test-pack", 0.8) };
        var labels = ContractLabels.Label(
            [Created(10, 1, false, 5), Created(11, 10, true, 6), Created(12, 2, false, 7)],
            tags, _ => null);

        Assert.Equal("acme-exchange", labels[0].Entity);
        Assert.Equal(0.64, labels[0].Confidence, 6); // 0.8 × the tag's 0.8
        Assert.Contains("tagged 'Acme deployer' (test-pack)", labels[0].Reason, StringComparison.Ordinal);
        Assert.Equal("acme-exchange", labels[1].Entity); // made by the labelled factory
        Assert.Equal(0.512, labels[1].Confidence, 6);
        Assert.Contains("factory", labels[1].Reason, StringComparison.Ordinal);
        Assert.Null(labels[2].Entity); // untagged creator: no entity, no confidence
        Assert.Equal(0, labels[2].Confidence);
    }

    [Fact]
    public void A_creator_in_an_exchange_cluster_labels_the_contract_through_the_cluster()
    {
        var labels = ContractLabels.Label([Created(20, 3, false, 9)], [],
            a => a == A(3) ? ("acme-exchange", 0.9, "in the cluster of acme-exchange's hot wallet") : null);
        Assert.Equal("acme-exchange", labels[0].Entity);
        Assert.Equal(0.72, labels[0].Confidence, 6);
        Assert.Contains("hot wallet", labels[0].Reason, StringComparison.Ordinal);
    }
}
