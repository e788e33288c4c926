namespace Ashiato.TestSupport;

/// <summary>
/// One pre-mined regtest node shared by a test collection: wallet <see cref="MinerWallet"/> holds
/// 101 blocks mined to <see cref="MinerAddress"/>, so the first coinbase (50 LTC) is spendable.
/// </summary>
/// <remarks>
/// xunit only finds <c>[CollectionDefinition]</c> in the test assembly itself, so each test project
/// declares its own:
/// <code>
/// [CollectionDefinition(Name)]
/// public sealed class LitecoindCollection : ICollectionFixture&lt;LitecoindFixture&gt;
/// {
///     public const string Name = "litecoind";
/// }
/// </code>
/// and its tests take the fixture through <c>[Collection(LitecoindCollection.Name)]</c> and a
/// constructor parameter. Tests in one collection run one after another and share the chain: assert
/// on what a test made itself (its own wallet, addresses, block hashes), not on absolute heights.
/// </remarks>
public sealed class LitecoindFixture : IAsyncLifetime
{
    public const string MinerWallet = "miner";

    private static readonly TimeSpan _setUpTimeout = TimeSpan.FromMinutes(2);

    private LitecoindNode? _node;

    public LitecoindNode Node => _node ?? throw new InvalidOperationException("The fixture has not started its node.");

    /// <summary>A bech32 address of <see cref="MinerWallet"/> that received the 101 pre-mined blocks.</summary>
    public string MinerAddress { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(_setUpTimeout);
        _node = await LitecoindNode.StartAsync(timeout.Token);
        await _node.CreateWalletAsync(MinerWallet, timeout.Token);
        MinerAddress = await _node.GetNewAddressAsync(MinerWallet, "bech32", timeout.Token);
        await _node.GenerateToAddressAsync(101, MinerAddress, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }
}
