using System.Text;
using System.Text.Json;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Intel;
using Ashiato.Simulation.Evm;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Evm;

/// <summary>
/// A small simulated world whose EVM chain is served by <see cref="SimulatedEvmNode"/> and ingested over JSON-RPC, with the
/// exchanges' EVM hot wallets imported as a TagPack. The simulator's own TagPacks carry only the Bitcoin hot wallets, so the
/// fixture publishes the EVM ones the same way (label, actor, category exchange) from the addresses whose role is "hot" —
/// only the hot wallets: the deposit addresses must be found by the heuristic.
/// </summary>
public sealed class SimulatedEvmWorld : IDisposable
{
    public const string Chain = "sim-evm";
#pragma warning disable RS0030 // one client for the fixture
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030

    public SimulatedEvmWorld()
    {
        Root = Path.Combine(Path.GetTempPath(), "ashiato-evmcluster-" + Guid.NewGuid().ToString("N"));
        Out = Path.Combine(Root, "world");
        StorePath = Path.Combine(Root, "store");
        Simulation.Simulation.Run(3, 3000, Out);
        foreach (var line in File.ReadLines(Path.Combine(Out, "truth", "evm-addresses.csv")).Skip(1))
        {
            var p = line.Split(',');
            Truth.Add((EvmAddress.Parse(p[0]), p[1], p[2]));
        }

        var pack = new StringBuilder("title: Simulated exchange EVM hot wallets\ncreator: test fixture\nis_public: true\nlastmod: 2025-01-01\n")
            .Append("currency: ETH\ncategory: exchange\nconfidence: service_data\nsource: https://example.invalid/ashiato-simulation/exchanges-evm\ntags:\n");
        foreach (var (address, entity, _) in Truth.Where(t => t.Role == "hot"))
        {
            pack.Append("- address: ").Append(address.ToString()).Append("\n  label: '").Append(entity).Append(" hot wallet'\n  actor: ").Append(entity).Append('\n');
        }

        var packFile = Path.Combine(Root, "evm-hot-wallets.yaml");
        File.WriteAllText(packFile, pack.ToString());
        using var store = StoreDirectory.Open(StorePath, create: true);
        new IntelImporter(new TagStore(store.Meta)).Import([packFile]);
        IngestAsync(store).GetAwaiter().GetResult();
    }

    private async Task IngestAsync(StoreDirectory store)
    {
        await using var node = SimulatedEvmNode.Load(Out);
        node.Start(0);
        var rpc = new EvmRpcClient(Http, node.Url!);
        await new EvmIngestor(store, new EvmNodeSource(rpc), new IngestOptions())
            .RunAsync(new EvmIngestRequest(Chain, node.ChainId, null, null, false, true, TimeSpan.FromSeconds(1)), null, CancellationToken.None);
    }

    public string Root { get; }

    public string Out { get; }

    public string StorePath { get; }

    /// <summary>(address, entity, role) of every EVM address of the world.</summary>
    public List<(EvmAddress Address, string Entity, string Role)> Truth { get; } = [];

    /// <summary>Runs the EVM heuristics with the store's tags; returns the result and the derived files' bytes.</summary>
    public (EvmClusterResult Result, Dictionary<string, byte[]> Files) Cluster(EvmClusterSettings settings)
    {
        using var store = StoreDirectory.Open(StorePath, create: false);
        using var chain = store.OpenEvmChain(Chain, null, writer: false);
        var result = EvmClusterBuilder.Run(chain, EvmTag.Load(new TagStore(store.Meta)), settings);
        var dir = EvmClusterFiles.DirectoryOf(chain.Directory);
        return (result, EvmClusterFiles.DataFiles.Append(EvmClusterFiles.Meta).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(dir, f))));
    }

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

public sealed class SimulatedEvmClusterTests(SimulatedEvmWorld world, ITestOutputHelper output) : IClassFixture<SimulatedEvmWorld>
{
    [Fact]
    public void Deposit_addresses_of_the_simulated_exchanges_are_found_with_high_precision_and_recall()
    {
        var (result, _) = world.Cluster(new EvmClusterSettings());
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        using var chain = store.OpenEvmChain(SimulatedEvmWorld.Chain, null, writer: false);
        var view = EvmClusterView.Open(chain.Directory) ?? throw new InvalidOperationException("no clusters written");

        var owner = new Dictionary<long, string>();
        var labelled = new List<(uint, string)>();
        foreach (var (address, entity, _) in world.Truth)
        {
            var id = chain.FindAddress(address);
            if (id >= 0)
            {
                owner[id] = entity;
                labelled.Add((view.ClusterOf(id), entity));
            }
        }

        var hotCluster = world.Truth.Where(t => t.Role == "hot").ToDictionary(t => t.Entity, t => view.ClusterOf(chain.FindAddress(t.Address)));
        var trueDeposits = world.Truth.Where(t => t.Role.StartsWith("deposit:", StringComparison.Ordinal)).Select(t => (Id: chain.FindAddress(t.Address), t.Entity))
            .Where(t => t.Id >= 0).ToList();
        var right = view.Deposits.Count(d => owner[d.Address] == owner[d.HotWallet]);
        var found = trueDeposits.Count(d => view.ClusterOf(d.Id) == hotCluster[d.Entity]);
        var precision = (double)right / view.Deposits.Count;
        var recall = (double)found / trueDeposits.Count;
        var score = ClusterScoring.Score(labelled);
        output.WriteLine($"deposits detected {view.Deposits.Count}, right {right}, true {trueDeposits.Count}, found {found}: precision {precision:0.0000}, recall {recall:0.0000}");
        output.WriteLine($"pairs: precision {score.PairPrecision:0.0000}, recall {score.PairRecall:0.0000}, completeness {score.MeanCompleteness:0.0000}; " +
            $"candidates {result.Meta.Candidates}, conflicts {result.Meta.Conflicts}, {result.Elapsed.TotalMilliseconds:0} ms");

        Assert.True(trueDeposits.Count > 100, $"the world has {trueDeposits.Count} deposit addresses");
        Assert.True(precision >= 0.99, $"deposit precision {precision}");
        Assert.True(recall >= 0.95, $"deposit recall {recall}");
        Assert.True(score.PairPrecision >= 0.99, $"pair precision {score.PairPrecision}");

        // no cluster holds two exchanges' hot wallets
        Assert.Equal(hotCluster.Count, hotCluster.Values.Distinct().Count());

        // every step of a deposit's merge names the forward, the hot wallet and the exchange of its tag
        var deposit = view.Deposits[0];
        var path = view.Explain(deposit.Address, deposit.HotWallet);
        var step = Assert.Single(path!);
        Assert.Equal(EvmHeuristicId.DepositAddress, step.Merge.Heuristic);
        Assert.Equal(owner[deposit.HotWallet], result.Meta.Exchanges[(int)step.Merge.Via].Entity);
        Assert.Equal(chain.Transfer(step.Merge.TransferId).ToId, deposit.HotWallet);
        Assert.Equal(chain.Transfer(step.Merge.TransferId).FromId, deposit.Address);
    }

    [Fact]
    public void Without_hot_wallet_tags_nothing_is_merged()
    {
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        using var chain = store.OpenEvmChain(SimulatedEvmWorld.Chain, null, writer: false);
        var result = EvmClusterBuilder.Run(chain, [], new EvmClusterSettings());
        Assert.Equal(0, result.Meta.Deposits);
        Assert.Empty(result.Meta.MergesByHeuristic);
        Assert.Equal(result.Meta.AddressCount, result.Meta.Clusters);
    }

    [Fact]
    public void Two_runs_give_the_same_bytes_and_other_settings_other_bytes()
    {
        var (_, a) = world.Cluster(new EvmClusterSettings());
        var (_, b) = world.Cluster(new EvmClusterSettings());
        foreach (var (name, bytes) in a)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs between two runs");
        }

        var (_, c) = world.Cluster(new EvmClusterSettings { DepositSenderReuse = true, MinForwards = 2 });
        Assert.False(a[EvmClusterFiles.Meta].AsSpan().SequenceEqual(c[EvmClusterFiles.Meta]));
        Assert.False(a[EvmClusterFiles.Deposits].AsSpan().SequenceEqual(c[EvmClusterFiles.Deposits]));
    }

    [Fact]
    public void Sender_reuse_merges_only_non_exchange_addresses_and_keeps_precision()
    {
        var (result, _) = world.Cluster(new EvmClusterSettings { DepositSenderReuse = true });
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        using var chain = store.OpenEvmChain(SimulatedEvmWorld.Chain, null, writer: false);
        var view = EvmClusterView.Open(chain.Directory)!;
        var labelled = world.Truth.Select(t => (Id: chain.FindAddress(t.Address), t.Entity)).Where(t => t.Id >= 0).Select(t => (view.ClusterOf(t.Id), t.Entity)).ToList();
        var score = ClusterScoring.Score(labelled);
        output.WriteLine($"with deposit-sender-reuse: merges {string.Join(", ", result.Meta.MergesByHeuristic.Select(kv => $"{kv.Key}={kv.Value}"))}; " +
            $"pair precision {score.PairPrecision:0.0000}, recall {score.PairRecall:0.0000}, completeness {score.MeanCompleteness:0.0000}");
        Assert.True(score.PairPrecision >= 0.99, $"pair precision {score.PairPrecision}");
        Assert.Equal("on", result.Meta.Settings["deposit-sender-reuse"]);
    }

    [Fact]
    public void Contracts_created_on_the_chain_are_listed_with_their_creator_and_token_metadata()
    {
        var (result, files) = world.Cluster(new EvmClusterSettings());
        using var info = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(world.Out, "evm", "chain.json")));
        var expected = info.RootElement.GetProperty("contracts").EnumerateArray().ToList();
        var lines = Encoding.UTF8.GetString(files[EvmClusterFiles.Contracts]).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected.Count, result.Meta.Contracts);
        Assert.Equal(expected.Count, lines.Count);
        var deployers = world.Truth.Where(t => t.Role is "deployer" or "bridge-operator").ToDictionary(t => t.Address.ToString(), t => t.Entity);
        foreach (var c in expected)
        {
            var line = Assert.Single(lines, l => l.GetProperty("contract").GetString() == c.GetProperty("address").GetString());
            Assert.Equal("eoa", line.GetProperty("creator_kind").GetString());
            Assert.Equal(c.GetProperty("block").GetInt64(), line.GetProperty("height").GetInt64());
            Assert.Equal(c.GetProperty("entity").GetString(), deployers[line.GetProperty("creator").GetString()!]); // the creator is the entity's deployer
            if (c.TryGetProperty("symbol", out var symbol))
            {
                Assert.Equal(symbol.GetString(), line.GetProperty("token_symbol").GetString());
                Assert.Equal(c.GetProperty("name").GetString(), line.GetProperty("token_name").GetString());
            }
            else
            {
                Assert.False(line.TryGetProperty("token_symbol", out _));
            }

            Assert.False(line.TryGetProperty("entity", out _)); // no deployer is tagged in this world: no entity is claimed
        }
    }

    [Fact]
    public void A_cluster_seed_is_one_account_seeded_with_what_came_from_outside()
    {
        world.Cluster(new EvmClusterSettings());
        using var store = StoreDirectory.Open(world.StorePath, create: false);
        using var chain = store.OpenEvmChain(SimulatedEvmWorld.Chain, null, writer: false);
        var view = EvmClusterView.Open(chain.Directory) ?? throw new InvalidOperationException("no clusters written");
        var tracer = new Ashiato.Analysis.Tracing.Evm.EvmTracer(chain, null, new Ashiato.Analysis.Tracing.Evm.EvmTraceLabels(chain, new TagStore(store.Meta)));

        // an exchange's cluster: its hot wallet and the deposit addresses the heuristic found (they sweep to the hot wallet)
        var hot = world.Truth.First(t => t.Role == "hot" && view.Members(view.ClusterOf(chain.FindAddress(t.Address))).Count() >= 3);
        var cluster = view.ClusterOf(chain.FindAddress(hot.Address));
        var members = view.Members(cluster).Select(m => (long)m).Order().ToList();
        var inCluster = members.ToHashSet();
        var options = new Ashiato.Analysis.Tracing.TraceOptions { Direction = Ashiato.Analysis.Tracing.TraceDirection.Backward, Model = Ashiato.Analysis.Tracing.TaintModel.Haircut, MaxHops = 2, Fiats = [] };
        static List<string> Edges(Ashiato.Analysis.Tracing.TraceResult r) =>
            r.Edges.Select(e => $"{e.Tx}|{e.Ref}|{e.From}|{e.To}|{e.Asset}|{e.Amount}|{e.Tainted}|{e.Hop}|{e.Rule}").ToList();
        static Dictionary<string, System.Numerics.BigInteger> Seeded(Ashiato.Analysis.Tracing.TraceResult r) =>
            r.Summary.Seeded.Where(x => !x.Tainted.IsZero).ToDictionary(x => x.Asset, x => x.Tainted.ToBigInteger());

        var byAddress = tracer.Run([new Ashiato.Analysis.Tracing.TraceSeed(SimulatedEvmWorld.Chain, Ashiato.Analysis.Tracing.TraceSeedKind.Cluster, hot.Address.ToString())], options);
        var byId = tracer.Run([new Ashiato.Analysis.Tracing.TraceSeed(SimulatedEvmWorld.Chain, Ashiato.Analysis.Tracing.TraceSeedKind.Cluster, cluster.ToString(System.Globalization.CultureInfo.InvariantCulture))], options);
        Assert.NotEmpty(byAddress.Edges);
        Assert.Equal(Edges(byAddress), Edges(byId));

        // seeded = what the members received from outside the cluster, per asset (worked out from the postings here)
        var expected = new Dictionary<string, System.Numerics.BigInteger>();
        foreach (var m in members)
        {
            foreach (var (id, outgoing) in chain.Postings(m))
            {
                var t = chain.Transfer(id);
                if (!outgoing && t.FromId != t.ToId && !inCluster.Contains(t.FromId) && !t.Amount.IsZero)
                {
                    var asset = t.IsNative ? "ETH" : chain.Address(t.AssetId).ToString();
                    expected[asset] = expected.GetValueOrDefault(asset) + t.Amount.ToBigInteger();
                }
            }
        }

        var seeded = Seeded(byAddress);
        Assert.Equal(expected.OrderBy(kv => kv.Key), seeded.OrderBy(kv => kv.Key));

        // every seed edge (hop 0 into a member) comes from outside; seeding the members one by one instead also seeds the
        // sweeps between them — the same value counted twice
        var names = members.Select(m => SimulatedEvmWorld.Chain + ":" + chain.Address(m)).ToHashSet();
        Assert.DoesNotContain(byAddress.Edges, e => e.Hop == 0 && names.Contains(e.From) && names.Contains(e.To) && e.Rule != Ashiato.Analysis.Tracing.TraceRules.Fee);
        var oneByOne = tracer.Run(members.Select(m => new Ashiato.Analysis.Tracing.TraceSeed(SimulatedEvmWorld.Chain, Ashiato.Analysis.Tracing.TraceSeedKind.Address, chain.Address(m).ToString())).ToList(), options);
        Assert.True(Seeded(oneByOne)["ETH"] > seeded["ETH"], "the members' sweeps are internal");
        output.WriteLine($"cluster {cluster} of {hot.Entity}: {members.Count} members, seeded {string.Join(", ", seeded.Select(kv => $"{kv.Value} {kv.Key}"))} " +
            $"(one by one: {string.Join(", ", Seeded(oneByOne).Select(kv => $"{kv.Value} {kv.Key}"))}), {byAddress.Edges.Count} edges backward (2 hops)");

        // bad input: not a cluster id, an amount on a cluster
        var member = members.First(m => m != cluster);
        var notId = Assert.Throws<Ashiato.Core.UserErrorException>(() => tracer.Run([new Ashiato.Analysis.Tracing.TraceSeed(SimulatedEvmWorld.Chain, Ashiato.Analysis.Tracing.TraceSeedKind.Cluster, member.ToString(System.Globalization.CultureInfo.InvariantCulture))], options));
        Assert.Contains("not a cluster id", notId.Message, StringComparison.Ordinal);
        var amount = Assert.Throws<Ashiato.Core.UserErrorException>(() => tracer.Run([new Ashiato.Analysis.Tracing.TraceSeed(SimulatedEvmWorld.Chain, Ashiato.Analysis.Tracing.TraceSeedKind.Cluster, hot.Address.ToString()) { Amount = new Ashiato.Core.UInt256(1) }], options));
        Assert.Contains("seed a member address instead", amount.Message, StringComparison.Ordinal);
    }
}
