using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Fixtures;

/// <summary>
/// The test collection that shares one pre-mined regtest node in this assembly: put
/// <c>[Collection(LitecoindCollection.Name)]</c> on a test class and take a <see cref="LitecoindFixture"/>
/// in its constructor.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LitecoindCollection : ICollectionFixture<LitecoindFixture>
{
    public const string Name = "litecoind";
}
