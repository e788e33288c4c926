using System.Text.Json;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Intel.Incidents;
using Ashiato.Simulation.Evm;
using Ashiato.Storage;

namespace Ashiato.Intel.Tests.Incidents;

/// <summary>A small simulated world with both its chains ingested (as the demo names them), shared by the tests below.</summary>
public sealed class SimulatedWorldFixture : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public SimulatedWorldFixture()
    {
        Simulation.Simulation.Run(5, 2000, World);
        using var store = StoreDirectory.Open(StorePath, create: true);
        new BlockFileIngestor(store, new IngestOptions())
            .RunAsync(Path.Combine(World, "bitcoin", "blocks"), "sim-bitcoin", Network.BitcoinRegtest, null, CancellationToken.None).GetAwaiter().GetResult();
        var node = SimulatedEvmNode.Load(World);
        try
        {
            node.Start(0);
            new EvmIngestor(store, new EvmNodeSource(new EvmRpcClient(Http, node.Url!)), new IngestOptions())
                .RunAsync(new EvmIngestRequest("sim-evm", node.ChainId, null, null, false, true, TimeSpan.FromSeconds(1)), null, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        finally
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ashiato-incidents-sim-" + Guid.NewGuid().ToString("N"));

    public string World => Path.Combine(Root, "world");

    public string StorePath => Path.Combine(Root, "store");

    public string Pack => Path.Combine(World, "incidents", "incidents.yaml");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SimulatedIncidentsTests(SimulatedWorldFixture world) : IClassFixture<SimulatedWorldFixture>
{
    private static JsonElement Json(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void The_simulated_pack_imports_cleanly_and_every_theft_transaction_is_in_the_ingested_chains()
    {
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        var incidents = new IncidentStore(store.Meta);
        var report = new IncidentImporter(incidents, store).Import([world.Pack]);
        Assert.Empty(report.Rejections);
        Assert.Empty(report.Warnings);
        Assert.Equal(0, report.TransactionsMissing);
        Assert.Equal(0, report.TransactionsNotChecked);
        var all = incidents.List();
        Assert.Equal(all.Sum(i => i.Chains.Sum(c => c.Transactions.Count)), report.TransactionsFound);

        // against the ground truth: every Bitcoin theft, its transaction outputs, addresses and loss; every EVM theft and its transactions
        var truth = Json(Path.Combine(world.World, "truth", "ground-truth.json"));
        var btcThefts = truth.GetProperty("thefts").EnumerateArray().ToList();
        Assert.NotEmpty(btcThefts);
        foreach (var t in btcThefts)
        {
            var incident = incidents.Get(t.GetProperty("id").GetString()!)!;
            Assert.Equal(t.GetProperty("date").GetString(), incident.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            var btc = incident.Chains.Single(c => c.Chain.Value == "sim-bitcoin");
            Assert.Equal((ChainFamily.Utxo, "bitcoin-regtest"), (btc.Family, btc.Network));
            var outputs = t.GetProperty("stolen_outputs").EnumerateArray().Select(o => o.GetString()!).ToList();
            Assert.Equal(outputs, btc.Transactions.Select(x => $"{x.TxId}:{x.OutputIndex}"));
            Assert.All(btc.Transactions, x => Assert.Equal(t.GetProperty("txid").GetString(), x.TxId));
            Assert.Equal(outputs.Count, btc.Addresses.Count);
            var loss = incident.Losses.Single(l => l.Asset == "BTC");
            Assert.Equal(t.GetProperty("loss_sat").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), loss.Amount.ToString());
            Assert.Equal(8, loss.Decimals);
            Assert.NotNull(loss.Usd);
            Assert.Equal(t.GetProperty("actor").GetString(), incident.AttributedActor);
            Assert.Equal("centralised_exchange", incident.VictimType);
            Assert.NotNull(incident.VictimCountry);
        }

        var evmTruth = Json(Path.Combine(world.World, "truth", "evm-ground-truth.json"));
        var evmThefts = evmTruth.GetProperty("thefts").EnumerateArray().ToList();
        Assert.Contains(evmThefts, t => t.GetProperty("victim").GetString() == "crescent-lending");
        using var evm = store.OpenEvmChain("sim-evm", null, writer: false);
        foreach (var t in evmThefts)
        {
            var incident = incidents.Get(t.GetProperty("id").GetString()!)!;
            var chain = incident.Chains.Single(c => c.Chain.Value == "sim-evm");
            Assert.Equal(ChainFamily.Evm, chain.Family);
            Assert.NotEmpty(chain.Transactions);
            var named = t.GetProperty("transactions").EnumerateArray().Select(x => x.GetString()!.ToLowerInvariant()).ToHashSet();
            Assert.All(chain.Transactions, x => Assert.Contains(x.TxId, named));
            Assert.All(chain.Transactions, x => Assert.True(evm.FindTransaction(Chains.Evm.EvmHash.Parse(x.TxId)) >= 0, x.TxId));
            Assert.Contains(incident.Losses, l => l.Chain?.Value == "sim-evm" && l.Asset == "ETH" && l.Decimals == 18);
        }

        var defi = incidents.Get("hack-2022-crescent")!;
        Assert.Equal(("defi_protocol", "US", "lazarus"), (defi.VictimType, defi.VictimCountry, defi.AttributedActor));
        var usdt = defi.Losses.Single(l => l.Asset == "USDT");
        Assert.Equal(6, usdt.Decimals);
        Assert.NotNull(usdt.Token);
        // valued with the world's USDT-USD series (1 USD ± 0.2 %) of the incident's date, which the source names
        var face = (decimal)usdt.Amount.ToBigInteger() / 1_000_000m;
        Assert.InRange(usdt.Usd!.Value, decimal.Round(face * 0.998m, 2), decimal.Round(face * 1.002m, 2));
        Assert.Contains("usdt-usd.csv", usdt.UsdSource, StringComparison.Ordinal);
        Assert.Equal(all.Select(i => (i.Date, i.Id)).Order().Select(x => x.Id), all.Select(i => i.Id));
    }

    [Fact]
    public void An_incident_naming_a_transaction_the_store_lacks_is_kept_with_a_located_warning()
    {
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        var dir = Path.Combine(world.Root, "missing");
        Directory.CreateDirectory(dir);
        var pack = Path.Combine(dir, "missing.yaml");
        const string Absent = "00000000000000000000000000000000000000000000000000000000000000ff";
        const string AbsentEvm = "0x00000000000000000000000000000000000000000000000000000000000000ff";
        File.WriteAllText(pack, "title: Missing\nincidents:\n- id: test-missing\n  title: Not on chain\n  date: 2020-01-01\n  chains:\n" +
            $"  - chain: sim-bitcoin\n    network: bitcoin-regtest\n    transactions:\n    - {Absent}\n  - chain: sim-evm\n    network: evm\n    transactions:\n    - {AbsentEvm}\n" +
            $"  - chain: bitcoin\n    transactions:\n    - {Absent}\n");
        var incidents = new IncidentStore(store.Meta);
        var report = new IncidentImporter(incidents, store).Import([pack]);
        Assert.Equal((1, 0), (report.Imported, report.Rejected));
        Assert.Equal((0, 2, 1), (report.TransactionsFound, report.TransactionsMissing, report.TransactionsNotChecked));
        Assert.Contains(report.Warnings, w => w.Contains($"missing.yaml:10:7: incident 'test-missing': theft transaction {Absent} is not in chain 'sim-bitcoin'", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains($"missing.yaml:14:7: incident 'test-missing': theft transaction {AbsentEvm} is not in chain 'sim-evm'", StringComparison.Ordinal));
        Assert.NotNull(incidents.Get("test-missing"));

        using var lookup = new TheftTxLookup(store);
        var i = incidents.Get("test-missing")!;
        Assert.Equal(TxPresence.Missing, lookup.Check(i.Chains[0], i.Chains[0].Transactions[0]).Presence);
        Assert.Equal(TxPresence.ChainNotInStore, lookup.Check(i.Chains[2], i.Chains[2].Transactions[0]).Presence);
        Assert.True(incidents.Delete("test-missing"));
    }
}
