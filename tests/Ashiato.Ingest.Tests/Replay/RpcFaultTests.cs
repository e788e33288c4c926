using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Replay;

/// <summary>Bad answers from a node: retried where transient, otherwise a clear error, committed blocks kept, resume works.</summary>
public sealed class RpcFaultTests
{
    private static readonly RpcClientOptions Fast = new() { Timeout = TimeSpan.FromSeconds(1), MaxRetries = 2, FirstBackoff = TimeSpan.FromMilliseconds(10) };

    [Theory]
    [InlineData(ReplayFault.Http500)]
    [InlineData(ReplayFault.MalformedJson)]
    [InlineData(ReplayFault.RpcError)]
    [InlineData(ReplayFault.Timeout)]
    public async Task TransientFault_IsRetried_AndIngestCompletes(ReplayFault fault)
    {
        await using var replay = ReplayIngest.Start("stream_50001_50002");
        replay.Server.FailNextRequests(2, fault);
        var result = await replay.IngestAsync(50001, 50002, Fast);
        Assert.Equal(50002, result.TipHeight);
        var (blocks, _) = replay.Export(streamFields: true);
        Assert.Equal(ReplayIngest.Expected("stream_50001_50002", "expected_blocks.json"), blocks);
    }

    [Theory]
    [InlineData(ReplayFault.Http500, "HTTP 500")]
    [InlineData(ReplayFault.MalformedJson, "malformed JSON")]
    [InlineData(ReplayFault.Timeout, "no answer within")]
    public async Task PersistentFault_AfterFirstBlock_NamesTheNode_KeepsCommittedBlock_AndNextRunResumes(ReplayFault fault, string expected)
    {
        await using var replay = ReplayIngest.Start("stream_50001_50002");
        var e = await Assert.ThrowsAsync<UserErrorException>(async () =>
        {
            using var store = StoreDirectory.Open(replay.StoreDir, create: true);
            var ingestor = new RpcIngestor(store, replay.Client(Fast), new IngestOptions());
            var failAfterFirst = new SyncProgress(p =>
            {
                if (p.Height == 50001)
                {
                    replay.Server.FailNextRequests(Fast.MaxRetries + 1, fault); // exactly the attempts of one call
                }
            });
            await ingestor.RunAsync(new RpcIngestRequest(50001, 50002, false, TimeSpan.Zero, BatchSize: 1), "bitcoin", Network.BitcoinMain,
                failAfterFirst, CancellationToken.None);
        });
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(replay.Server.Url.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("1 blocks before it were committed", e.Message, StringComparison.Ordinal);

        using (var store = StoreDirectory.Open(replay.StoreDir, create: false))
        using (var utxo = store.OpenUtxoChain("bitcoin", null, create: false))
        {
            Assert.Equal(50001, utxo.TipHeight);
        }

        await Task.Delay(1100); // let a held (timeout) connection go
        var resumed = await replay.IngestAsync(50001, 50002, Fast);
        Assert.Equal(1, resumed.BlocksAdded);
        var (blocks, txs) = replay.Export(streamFields: true);
        Assert.Equal(ReplayIngest.Expected("stream_50001_50002", "expected_blocks.json"), blocks);
        Assert.Equal(ReplayIngest.Expected("stream_50001_50002", "expected_transactions.json"), txs);
    }

    [Fact]
    public async Task UnknownBlock_ReportsTheNodeErrorWithHeight()
    {
        await using var replay = ReplayIngest.Start("block_1");
        var e = await Assert.ThrowsAsync<RpcException>(() => replay.IngestAsync(7, 7, Fast));
        Assert.Equal("getblockhash", e.Method);
        Assert.Contains("height 7", e.Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<IngestProgress> action) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => action(value);
    }
}
