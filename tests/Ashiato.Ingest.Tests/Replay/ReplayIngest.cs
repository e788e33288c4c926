using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Export;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Replay;

/// <summary>Ingests recorded node answers over RPC into a temp store and exports them.</summary>
internal sealed class ReplayIngest : IAsyncDisposable
{
    public static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private ReplayIngest(RpcReplayServer server, string storeDir)
    {
        Server = server;
        StoreDir = storeDir;
    }

    public RpcReplayServer Server { get; }

    public string StoreDir { get; }

    public static ReplayIngest Start(string caseDir)
    {
        var server = RpcReplayServer.Start(SharedData.PathTo("etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", "bitcoin", caseDir));
        var dir = Path.Combine(Path.GetTempPath(), "ashiato-replay-" + Guid.NewGuid().ToString("N"));
        return new ReplayIngest(server, dir);
    }

    public BitcoinRpcClient Client(RpcClientOptions? options = null) => new(Http, Server.Url, "user", "pass", options);

    public async Task<IngestResult> IngestAsync(int from, int to, RpcClientOptions? options = null, CancellationToken ct = default)
    {
        using var store = StoreDirectory.Open(StoreDir, create: true);
        var ingestor = new RpcIngestor(store, Client(options), new IngestOptions());
        return await ingestor.RunAsync(new RpcIngestRequest(from, to, false, TimeSpan.Zero), "bitcoin", Network.BitcoinMain, null, ct);
    }

    public (string Blocks, string Transactions) Export(bool streamFields)
    {
        using var store = StoreDirectory.Open(StoreDir, create: false);
        using var utxo = store.OpenUtxoChain("bitcoin", null, create: false);
        var exporter = new BitcoinEtlExporter(new UtxoViews(utxo), streamFields);
        var blocks = new StringWriter();
        var txs = new StringWriter();
        exporter.WriteBlocks(blocks, utxo.BaseHeight, utxo.TipHeight, ExportFormat.Json);
        exporter.WriteTransactions(txs, utxo.BaseHeight, utxo.TipHeight, ExportFormat.Json);
        return (blocks.ToString(), txs.ToString());
    }

    public static string Expected(string caseDir, string file) =>
        File.ReadAllText(SharedData.PathTo("etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", "bitcoin", caseDir, file));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (Directory.Exists(StoreDir))
        {
            Directory.Delete(StoreDir, recursive: true);
        }
    }
}
