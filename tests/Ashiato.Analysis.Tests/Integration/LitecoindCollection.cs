using Ashiato.TestSupport;

namespace Ashiato.Analysis.Tests.Integration;

/// <summary>The tests of this assembly that share one pre-mined Litecoin Core regtest node (xunit finds collection
/// definitions only in the test assembly itself).</summary>
[CollectionDefinition(Name)]
public sealed class LitecoindCollection : ICollectionFixture<LitecoindFixture>
{
    public const string Name = "litecoind";
}
