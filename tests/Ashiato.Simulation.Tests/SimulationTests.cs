using System.Text.Json;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;

namespace Ashiato.Simulation.Tests;

/// <summary>One small simulation, ingested once into a temp store, shared by the tests of <see cref="SimulationTests"/>.</summary>
public sealed class SimulatedChain : IDisposable
{
    public const ulong Seed = 42;

    public SimulatedChain()
    {
        Root = Path.Combine(Path.GetTempPath(), "ashiato-sim-" + Guid.NewGuid().ToString("N"));
        Out = Path.Combine(Root, "out");
        StorePath = Path.Combine(Root, "store");
        Result = Simulation.Run(Seed, 6000, Out);
        using var store = StoreDirectory.Open(StorePath, create: true);
        Ingest = new BlockFileIngestor(store, new IngestOptions())
            .RunAsync(Path.Combine(Out, "bitcoin", "blocks"), "sim", Network.BitcoinRegtest, null, CancellationToken.None).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public string Out { get; }

    public string StorePath { get; }

    public SimulationResult Result { get; }

    public IngestResult Ingest { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SimulationTests(SimulatedChain sim) : IClassFixture<SimulatedChain>
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_does_not()
    {
        var root = Path.Combine(Path.GetTempPath(), "ashiato-sim-det-" + Guid.NewGuid().ToString("N"));
        try
        {
            Simulation.Run(7, 2000, Path.Combine(root, "a"));
            Simulation.Run(7, 2000, Path.Combine(root, "b"));
            Simulation.Run(8, 2000, Path.Combine(root, "c"));
            var a = File.ReadAllText(Path.Combine(root, "a", "manifest.json"));
            var b = File.ReadAllText(Path.Combine(root, "b", "manifest.json"));
            var c = File.ReadAllText(Path.Combine(root, "c", "manifest.json"));
            Assert.Equal(a, b);
            Assert.NotEqual(a.Replace("\"seed\": 7", "", StringComparison.Ordinal), c.Replace("\"seed\": 8", "", StringComparison.Ordinal));
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", "bitcoin", "blocks", "blk00000.dat")),
                File.ReadAllBytes(Path.Combine(root, "b", "bitcoin", "blocks", "blk00000.dat")));

            // a previous output is overwritten; a foreign non-empty directory is refused
            Simulation.Run(7, 2000, Path.Combine(root, "a"));
            Assert.Equal(a, File.ReadAllText(Path.Combine(root, "a", "manifest.json")));
            Directory.CreateDirectory(Path.Combine(root, "d"));
            File.WriteAllText(Path.Combine(root, "d", "x.txt"), "mine");
            Assert.Throws<UserErrorException>(() => Simulation.Run(7, 2000, Path.Combine(root, "d")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_blocks_ingest_cleanly_and_value_is_conserved()
    {
        var ledger = Json(Path.Combine(sim.Out, "ledger.json"));
        Assert.Equal(ledger.GetProperty("blocks").GetInt64(), sim.Ingest.TipHeight + 1L);
        Assert.Equal(0, sim.Ingest.UnresolvedInputs);
        using var store = StoreDirectory.Open(sim.StorePath, create: false);
        using var utxo = store.OpenUtxoChain("sim", null, create: false);
        Assert.Equal(ledger.GetProperty("tip_hash").GetString(), utxo.TipHash.ToString());
        Assert.Equal(ledger.GetProperty("transactions").GetInt64(), utxo.TxCount);
        Assert.Equal(ledger.GetProperty("inputs").GetInt64(), utxo.InputCount);
        Assert.Equal(ledger.GetProperty("outputs").GetInt64(), utxo.OutputCount);
        Assert.True(utxo.TxCount >= 6000 * 9 / 10, $"only {utxo.TxCount} transactions");

        long coinbase = 0, fees = 0, created = 0, spent = 0;
        var spentOutputs = new HashSet<long>();
        for (long t = 0; t < utxo.TxCount; t++)
        {
            var tx = utxo.GetTx(t);
            long outs = 0, ins = 0;
            for (var o = 0; o < tx.OutputCount; o++)
            {
                outs += utxo.GetOutput(tx.FirstOutput + o).Value;
            }

            created += outs;
            if (tx.IsCoinbase)
            {
                coinbase += outs;
                continue;
            }

            for (var i = 0; i < tx.InputCount; i++)
            {
                var input = utxo.GetInput(tx.FirstInput + i);
                Assert.True(input.Prev >= 0, "every input spends an output of the chain");
                Assert.True(spentOutputs.Add(input.Prev), "no output is spent twice");
                ins += utxo.GetOutput(input.Prev).Value;
            }

            spent += ins;
            Assert.True(ins >= outs, $"tx {tx.TxId} creates value");
            fees += ins - outs;
        }

        Assert.Equal(ledger.GetProperty("coinbase_value_sat").GetInt64(), coinbase);
        Assert.Equal(ledger.GetProperty("fees_sat").GetInt64(), fees);
        Assert.Equal(ledger.GetProperty("subsidy_sat").GetInt64() + fees, coinbase);
        Assert.Equal(ledger.GetProperty("utxo_value_sat").GetInt64(), created - spent);
        Assert.Equal(ledger.GetProperty("subsidy_sat").GetInt64(), created - spent);
        Assert.Equal(ledger.GetProperty("utxo_count").GetInt64(), utxo.OutputCount - spentOutputs.Count);
    }

    [Fact]
    public void The_ground_truth_is_consistent_with_the_chain()
    {
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(sim.Out, "truth", "addresses.csv")).Skip(1))
        {
            var parts = line.Split(',');
            entities[parts[0]] = parts[1];
        }

        using var store = StoreDirectory.Open(sim.StorePath, create: false);
        using var utxo = store.OpenUtxoChain("sim", null, create: false);
        for (long t = 1; t < utxo.TxCount; t++) // 0 is the genesis coinbase (pay-to-pubkey, nobody's)
        {
            var tx = utxo.GetTx(t);
            for (var o = 0; o < tx.OutputCount; o++)
            {
                var output = utxo.GetOutput(tx.FirstOutput + o);
                if (output.HasAddress && !(tx.IsCoinbase && output.Value == 0)) // skip witness commitments (OP_RETURN)
                {
                    var address = utxo.FormatAddress(output.AddressId);
                    Assert.True(entities.ContainsKey(address), $"{address} has no entity in the ground truth");
                }
            }
        }

        // and the other way round: every address the truth names is paid on the chain (none made and left unused)
        var unused = entities.Keys.Where(a => !AddressCodec.TryParse(utxo.Network, a, out var kind, out var payload) || utxo.FindAddress(kind, payload) < 0).ToList();
        Assert.True(unused.Count == 0, $"{unused.Count} address(es) of the truth are not on the chain, e.g. {string.Join(", ", unused.Take(3).Select(a => $"{a} ({entities[a]})"))}");

        var truth = Json(Path.Combine(sim.Out, "truth", "ground-truth.json"));
        var thefts = truth.GetProperty("thefts").EnumerateArray().ToList();
        Assert.True(thefts.Count >= 4, $"only {thefts.Count} thefts");
        Assert.Contains(thefts, t => t.GetProperty("actor").GetString() == "lazarus");
        var endpointKinds = new HashSet<string>();
        foreach (var theft in thefts)
        {
            var segments = theft.GetProperty("segments").EnumerateArray().ToList();
            Assert.Equal("theft", segments[0].GetProperty("kind").GetString());
            Assert.Equal(theft.GetProperty("stolen_sat").GetInt64(), segments[0].GetProperty("amount_in_sat").GetInt64());
            Assert.Equal(theft.GetProperty("loss_sat").GetInt64(), theft.GetProperty("stolen_sat").GetInt64() + theft.GetProperty("theft_fee_sat").GetInt64());
            Assert.True(utxo.FindTx(Hash256.Parse(theft.GetProperty("txid").GetString()!)) >= 0);
            foreach (var seg in segments)
            {
                long ends = 0;
                foreach (var end in seg.GetProperty("endpoints").EnumerateArray())
                {
                    var amount = end.GetProperty("amount_sat").GetInt64();
                    ends += amount;
                    endpointKinds.Add(end.GetProperty("kind").GetString()!);
                    var outpoint = end.GetProperty("outpoint").GetString()!.Split(':');
                    var txRow = utxo.FindTx(Hash256.Parse(outpoint[0]));
                    Assert.True(txRow >= 0, $"endpoint tx {outpoint[0]} is not in the chain");
                    var tx = utxo.GetTx(txRow);
                    var output = utxo.GetOutput(tx.FirstOutput + int.Parse(outpoint[1], System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(amount, output.Value);
                    var owner = end.GetProperty("entity").GetString();
                    Assert.Equal(owner, entities[utxo.FormatAddress(output.AddressId)]);
                }

                Assert.Equal(seg.GetProperty("amount_in_sat").GetInt64(),
                    ends + seg.GetProperty("mining_fees_sat").GetInt64() + seg.GetProperty("service_fees_sat").GetInt64());
            }
        }

        Assert.Contains("exchange", endpointKinds);
    }

    [Fact]
    public void Bridge_returns_are_released_from_the_custody_to_the_destination_their_burn_names()
    {
        var entities = File.ReadLines(Path.Combine(sim.Out, "truth", "addresses.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var truth = Json(Path.Combine(sim.Out, "truth", "ground-truth.json"));
        var returns = truth.GetProperty("bridge_returns").EnumerateArray().ToList();
        Assert.NotEmpty(returns);
        var segments = truth.GetProperty("thefts").EnumerateArray()
            .SelectMany(t => t.GetProperty("segments").EnumerateArray().Select(s => (Theft: t.GetProperty("id").GetString(), Segment: s)))
            .ToDictionary(x => x.Segment.GetProperty("index").GetInt32());
        using var store = StoreDirectory.Open(sim.StorePath, create: false);
        using var utxo = store.OpenUtxoChain("sim", null, create: false);
        var released = 0;
        foreach (var r in returns)
        {
            if (r.GetProperty("btc_release_outpoint").ValueKind == JsonValueKind.Null)
            {
                continue; // burned too late for the chain to release (never expected: burns stop days before the end)
            }

            released++;
            var burned = r.GetProperty("burned").GetInt64();
            var amount = r.GetProperty("btc_released_sat").GetInt64();
            Assert.Equal(burned - r.GetProperty("bridge_fee_sat").GetInt64(), amount);
            Assert.Equal(burned / 1000, r.GetProperty("bridge_fee_sat").GetInt64());
            var outpoint = r.GetProperty("btc_release_outpoint").GetString()!.Split(':');
            var tx = utxo.GetTx(utxo.FindTx(Hash256.Parse(outpoint[0])));
            var output = utxo.GetOutput(tx.FirstOutput + int.Parse(outpoint[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(amount, output.Value);
            Assert.Equal(r.GetProperty("btc_destination").GetString(), utxo.FormatAddress(output.AddressId));
            Assert.Equal(r.GetProperty("hacker").GetString(), entities[utxo.FormatAddress(output.AddressId)]);
            Assert.Equal(r.GetProperty("btc_release_height").GetInt32(), tx.Height);
            for (var i = 0; i < tx.InputCount; i++)
            {
                var prev = utxo.GetOutput(utxo.GetInput(tx.FirstInput + i).Prev);
                Assert.Equal("shoreline-bridge", entities[utxo.FormatAddress(prev.AddressId)]);
            }

            var (theft, segment) = segments[r.GetProperty("segment").GetInt32()];
            Assert.Equal(r.GetProperty("theft").GetString(), theft);
            Assert.Equal("bridge_release", segment.GetProperty("kind").GetString());
            Assert.Equal("evm:" + r.GetProperty("evm_burn_tx").GetString(), segment.GetProperty("parent").GetString());
            Assert.Equal(amount, segment.GetProperty("amount_in_sat").GetInt64());
            Assert.Equal(r.GetProperty("btc_release_outpoint").GetString(), Assert.Single(segment.GetProperty("sources").EnumerateArray()).GetString());
        }

        Assert.Equal(returns.Count, released);
    }

    [Fact]
    public void The_publications_are_written()
    {
        foreach (var f in new[] { "prices/btc-usd.csv", "prices/btc-jpy.csv", "tags/exchanges.yaml", "tags/sanctions.yaml", "tags/services.yaml", "incidents/incidents.yaml" })
        {
            Assert.True(File.Exists(Path.Combine(sim.Out, f)), f);
        }

        var usd = File.ReadAllLines(Path.Combine(sim.Out, "prices", "btc-usd.csv"));
        Assert.Equal("date,price", usd[0]);
        Assert.Equal(SimCalendar.Days + 1, usd.Length);
        foreach (var asset in new[] { "eth", "usdt", "sbtc" })
        {
            foreach (var fiat in new[] { "usd", "jpy" })
            {
                var lines = File.ReadAllLines(Path.Combine(sim.Out, "prices", $"{asset}-{fiat}.csv"));
                Assert.Equal(SimCalendar.Days + 1, lines.Length);
                Assert.All(lines.Skip(1), l => Assert.True(decimal.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, l));
            }
        }

        // sBTC is the bridge's 1:1 token: its series is BTC's; USDT stays within 0.2 % of a dollar
        Assert.Equal(usd, File.ReadAllLines(Path.Combine(sim.Out, "prices", "sbtc-usd.csv")));
        Assert.All(File.ReadAllLines(Path.Combine(sim.Out, "prices", "usdt-usd.csv")).Skip(1),
            l => Assert.InRange(decimal.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 0.998m, 1.002m));
        Assert.Contains("actor: lazarus", File.ReadAllText(Path.Combine(sim.Out, "tags", "sanctions.yaml")), StringComparison.Ordinal);
        Assert.Contains("attributed_actor: lazarus", File.ReadAllText(Path.Combine(sim.Out, "incidents", "incidents.yaml")), StringComparison.Ordinal);
    }
}
