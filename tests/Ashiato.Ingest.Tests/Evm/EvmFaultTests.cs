using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>
/// Bad input from an EVM node — missing trace or receipt methods, 429 storms, malformed JSON, timeouts, a wrong chain —
/// with a real anvil behind a fault-injecting proxy: clear errors, committed blocks kept, resume to the same store.
/// </summary>
[Collection(AnvilCollection.Name)]
public sealed class EvmFaultTests(AnvilFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly EvmRpcOptions FastRetries = new()
    {
        MaxRetries = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromMilliseconds(1500),
    };

    private async Task<(long Last, IReadOnlyList<string> Reference)> ReferenceAsync(CancellationToken ct)
    {
        var scenario = await fixture.ScenarioAsync(ct);
        using var clean = new EvmTempStore();
        await clean.IngestAsync(fixture.Node.RpcUrl, 0, (long)scenario.LastBlock, ct);
        return ((long)scenario.LastBlock, clean.TransferLines());
    }

    [Fact]
    public async Task Ingest_NodeWithoutTraceMethods_RefusesWithClearMessage_AndNoTracesRecordsTheGap()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (last, _) = await ReferenceAsync(cts.Token);
        await using var proxy = new EvmFaultProxy(fixture.Node.RpcUrl);
        proxy.Disable("trace_block", "debug_traceBlockByNumber");
        using var store = new EvmTempStore();

        var e = await Assert.ThrowsAsync<UserErrorException>(() => store.IngestAsync(proxy.Url, 0, last, cts.Token));
        Assert.Contains("trace_block", e.Message);
        Assert.Contains("debug_traceBlockByNumber", e.Message);
        Assert.Contains("--no-traces", e.Message);

        var result = await store.IngestAsync(proxy.Url, 0, last, cts.Token, traces: false);
        Assert.Equal(last, result.TipHeight);
        Assert.Equal(last + 1, result.BlocksWithoutTraces);
        var gaps = store.Read(evm => evm.TraceGaps());
        Assert.Equal([(0L, last)], gaps.Select(g => (g.From, g.To)).ToList());
        var kinds = store.TransferLines().Select(l => l.Split(' ')[3]).ToHashSet();
        Assert.DoesNotContain("Internal", kinds);
        Assert.Contains("Erc20", kinds);
    }

    [Fact]
    public async Task Ingest_NodeWithoutBlockReceipts_FallsBackToPerTransactionReceipts_SameTransfers()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (last, reference) = await ReferenceAsync(cts.Token);
        await using var proxy = new EvmFaultProxy(fixture.Node.RpcUrl);
        proxy.Disable("eth_getBlockReceipts");
        using var store = new EvmTempStore();
        var result = await store.IngestAsync(proxy.Url, 0, last, cts.Token);
        Assert.Equal("ByTransaction", result.ReceiptMode);
        Assert.Equal(reference, store.TransferLines());
    }

    [Fact]
    public async Task Ingest_429StormAndTimeouts_AreRetried_SameTransfers()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (last, reference) = await ReferenceAsync(cts.Token);
        await using var proxy = new EvmFaultProxy(fixture.Node.RpcUrl);
        using var store = new EvmTempStore();
        proxy.FailNext(ProxyFault.Http429, 2);
        proxy.FailNext(ProxyFault.Timeout, 1);
        proxy.FailNext(ProxyFault.Http502, 2);
        var result = await store.IngestAsync(proxy.Url, 0, last, cts.Token, rpc: FastRetries with { MaxRetries = 6 });
        Assert.True(result.RpcRetries >= 5, $"{result.RpcRetries} retries");
        Assert.Equal(reference, store.TransferLines());
    }

    [Theory]
    [InlineData(ProxyFault.MalformedJson, "malformed JSON")]
    [InlineData(ProxyFault.Http429, "429")]
    [InlineData(ProxyFault.Timeout, "no answer within")]
    public async Task Ingest_PersistentFaultMidway_ClearErrorKeepsCommittedBlocks_ThenResumesToTheSameStore(ProxyFault fault, string expected)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (last, reference) = await ReferenceAsync(cts.Token);
        await using var proxy = new EvmFaultProxy(fixture.Node.RpcUrl);
        using var store = new EvmTempStore();
        proxy.FailFrom(12, fault);

        var e = await Assert.ThrowsAnyAsync<UserErrorException>(() => store.IngestAsync(proxy.Url, 0, last, cts.Token, rpc: FastRetries, batch: 2));
        Assert.Contains("blocks before it were committed", e.Message);
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(proxy.Url.Authority, e.Message);
        var kept = store.Read(evm => evm.TipHeight);
        Assert.NotNull(kept);
        Assert.True(kept < last, $"tip {kept} of {last}");

        proxy.Heal();
        var resumed = await store.IngestAsync(proxy.Url, null, last, cts.Token);
        Assert.Equal(kept + 1, resumed.FromHeight);
        Assert.Equal(reference, store.TransferLines());
    }

    [Fact]
    public async Task Ingest_WrongChainId_RefusedBeforeAnythingIsWritten()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var store = new EvmTempStore();
        var e = await Assert.ThrowsAsync<UserErrorException>(() => store.IngestAsync(fixture.Node.RpcUrl, 0, 1, cts.Token, chain: "ethereum"));
        Assert.Contains("chain id 31337", e.Message);
        Assert.Contains("'ethereum' is chain id 1", e.Message);
        var e2 = await Assert.ThrowsAsync<UserErrorException>(() => store.IngestAsync(fixture.Node.RpcUrl, 0, 1, cts.Token, chainId: 56));
        Assert.Contains("56", e2.Message);
        Assert.False(Directory.Exists(Path.Combine(store.Path, "chains", "ethereum")));
    }
}
