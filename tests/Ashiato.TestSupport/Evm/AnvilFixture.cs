namespace Ashiato.TestSupport.Evm;

/// <summary>
/// One anvil node shared by a test collection (default <see cref="AnvilOptions"/>: automine on, fixed genesis
/// timestamp, fifo order), with the contracts compiled and the <see cref="EvmScenario"/> run at most once.
/// </summary>
/// <remarks>
/// xunit only finds <c>[CollectionDefinition]</c> in the test assembly itself, so each test project declares its own:
/// <code>
/// [CollectionDefinition(Name)]
/// public sealed class AnvilCollection : ICollectionFixture&lt;AnvilFixture&gt;
/// {
///     public const string Name = "anvil";
/// }
/// </code>
/// Tests in one collection run one after another and share the chain: assert on what a test made itself,
/// or on the scenario's result, not on absolute heights.
/// </remarks>
public sealed class AnvilFixture : IAsyncLifetime
{
    private static readonly TimeSpan _setUpTimeout = TimeSpan.FromMinutes(3);

    private readonly SemaphoreSlim _scenarioGate = new(1, 1);
    private AnvilNode? _node;
    private EvmScenarioResult? _scenario;

    public AnvilNode Node => _node ?? throw new InvalidOperationException("The fixture has not started its node.");

    public ContractArtifacts Artifacts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(_setUpTimeout);
        Artifacts = await ContractArtifacts.LoadAsync(timeout.Token);
        _node = await AnvilNode.StartAsync(new AnvilOptions(), timeout.Token);
    }

    /// <summary>The scenario's result, running it on <see cref="Node"/> the first time it is asked for.</summary>
    public async Task<EvmScenarioResult> ScenarioAsync(CancellationToken ct = default)
    {
        await _scenarioGate.WaitAsync(ct);
        try
        {
            return _scenario ??= await EvmScenario.RunAsync(Node, ct);
        }
        finally
        {
            _scenarioGate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        _scenarioGate.Dispose();
    }
}
