using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Chains.Bitcoin;
using Ashiato.Core;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Simulation;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests;

/// <summary>A small simulated world, ingested once, with its ground truth resolved to address ids.</summary>
public sealed class SimulatedWorld : IDisposable
{
    public SimulatedWorld()
    {
        Root = Path.Combine(Path.GetTempPath(), "ashiato-cluster-" + Guid.NewGuid().ToString("N"));
        Out = Path.Combine(Root, "out");
        StorePath = Path.Combine(Root, "store");
        Simulation.Simulation.Run(3, 5000, Out);
        using (var store = StoreDirectory.Open(StorePath, create: true))
        {
            new BlockFileIngestor(store, new IngestOptions())
                .RunAsync(Path.Combine(Out, "bitcoin", "blocks"), "sim", Network.BitcoinRegtest, null, CancellationToken.None).GetAwaiter().GetResult();
        }

        Truth = GroundTruthFile.Load(Out);
        using var chain = OpenChain();
        foreach (var line in File.ReadLines(Path.Combine(Out, "truth", "addresses.csv")).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length < 3 || !AddressCodec.TryParse(chain.Network, parts[0], out var kind, out var payload))
            {
                continue;
            }

            var id = chain.FindAddress(kind, payload);
            if (id >= 0)
            {
                Addresses.Add(((uint)id, parts[1], parts[2]));
            }
        }
    }

    public string Root { get; }

    public string Out { get; }

    public string StorePath { get; }

    public GroundTruthFile Truth { get; }

    /// <summary>(address id, entity, role) for every truth address the chain holds.</summary>
    public List<(uint Id, string Entity, string Role)> Addresses { get; } = [];

    public UtxoChainStore OpenChain()
    {
        using var store = StoreDirectory.Open(StorePath, create: false);
        return store.OpenUtxoChain("sim", null, create: false);
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

public sealed class SimulatedWorldTests(SimulatedWorld world, ITestOutputHelper output) : IClassFixture<SimulatedWorld>
{
    private static readonly string[] Files = [ClusterFiles.Ids, ClusterFiles.Log, ClusterFiles.CoinJoins, ClusterFiles.Meta];

    private static Dictionary<string, byte[]> ReadFiles(UtxoChainStore chain) =>
        Files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(ClusterFiles.DirectoryOf(chain.Directory), f)));

    [Fact]
    public void The_tracers_column_view_finds_every_inputs_and_outputs_transaction_as_the_store_does()
    {
        using var chain = world.OpenChain();
        var view = new Ashiato.Analysis.Tracing.Utxo.UtxoChainView(chain);
        for (long o = 0; o < chain.OutputCount; o++)
        {
            Assert.Equal(chain.TxOfOutput(o), view.TxOfOutput(o));
        }

        for (long i = 0; i < chain.InputCount; i++)
        {
            Assert.Equal(chain.TxOfInput(i), view.TxOfInput(i));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Continuing_stored_clusters_block_by_block_gives_the_bytes_of_a_full_rebuild(bool allHeuristics)
    {
        using var chain = world.OpenChain();
        var set = allHeuristics ? new HeuristicSet(HeuristicSet.All.ToDictionary(h => h.Name, _ => true)) : new HeuristicSet();
        var full = ClusterBuilder.Run(chain, set, new ClusterOptions { Rebuild = true });
        Assert.False(full.Incremental);
        Assert.True(full.Meta.MergesByHeuristic.Values.Sum() > 0);
        var expected = ReadFiles(chain);

        var tip = chain.TipHeight;
        ClusterBuilder.Run(chain, set, new ClusterOptions { Rebuild = true, ToHeight = tip / 3 });
        var step = ClusterBuilder.Run(chain, set, new ClusterOptions { ToHeight = (tip * 2) / 3 });
        Assert.True(step.Incremental);
        Assert.Equal((tip / 3) + 1, step.FromHeight);
        for (var h = ((tip * 2) / 3) + 1; h <= tip; h += Math.Max(1, (tip - h) / 3))
        {
            Assert.True(ClusterBuilder.Run(chain, set, new ClusterOptions { ToHeight = h }).Incremental);
        }

        var last = ClusterBuilder.Run(chain, set);
        Assert.True(last.Incremental);
        var actual = ReadFiles(chain);
        foreach (var f in Files)
        {
            Assert.True(expected[f].AsSpan().SequenceEqual(actual[f]), $"{f} differs from the full rebuild");
        }

        // other settings: the stored clusters are not continued
        var other = ClusterBuilder.Run(chain, allHeuristics ? new HeuristicSet() : new HeuristicSet(new Dictionary<string, bool> { ["change-round-amount"] = true }));
        Assert.False(other.Incremental);
        Assert.Equal("heuristic settings changed", other.RebuildReason);

        // damaged files are detected and rebuilt
        File.WriteAllBytes(Path.Combine(ClusterFiles.DirectoryOf(chain.Directory), ClusterFiles.Log), [1, 2, 3]);
        var repaired = ClusterBuilder.Run(chain, new HeuristicSet(other.Meta.Heuristics));
        Assert.False(repaired.Incremental);
        Assert.Equal("stored files do not match clusters.json", repaired.RebuildReason);
    }

    [Fact]
    public void CoinJoins_of_the_simulated_world_are_detected_and_never_merged()
    {
        using var chain = world.OpenChain();
        var result = ClusterBuilder.Run(chain, new HeuristicSet(HeuristicSet.All.ToDictionary(h => h.Name, _ => true)), new ClusterOptions { Rebuild = true });
        var dir = ClusterFiles.DirectoryOf(chain.Directory);
        var flagged = ClusterFiles.ReadArray<CoinJoinRecord>(dir, ClusterFiles.CoinJoins).ToDictionary(c => c.TxId, c => c.Kind);
        var log = ClusterFiles.ReadArray<MergeRecord>(dir, ClusterFiles.Log);
        output.WriteLine("coinjoins flagged: " + string.Join(", ", result.Meta.CoinJoins.Select(kv => $"{kv.Key} {kv.Value}")));

        // the simulator's own labels: Wasabi-shaped outputs "coinjoin", Whirlpool mix outputs "postmix", Tx0 outputs "premix"
        var expected = new Dictionary<long, string>();
        foreach (var (id, _, role) in world.Addresses.Where(a => a.Role is "coinjoin" or "postmix" or "premix"))
        {
            var first = chain.GetPostings(id).First(p => !p.IsInput);
            expected.TryAdd(chain.TxOfOutput(first.Id), role);
        }

        var byRole = expected.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).ToList());
        foreach (var (role, txs) in byRole)
        {
            var kinds = txs.GroupBy(t => flagged.TryGetValue(t, out var k) ? CoinJoinDetectors.Name(k) : "not flagged").Select(g => $"{g.Key} {g.Count()}");
            output.WriteLine($"simulator {role} transactions: {txs.Count}: {string.Join(", ", kinds)}");
        }

        Assert.True(byRole.GetValueOrDefault("coinjoin")?.Count > 0, "the world has Wasabi-shaped rounds");
        Assert.All(byRole["coinjoin"], t => Assert.True(flagged.TryGetValue(t, out var k) && k is CoinJoinKind.Wasabi1 or CoinJoinKind.GenericEqualOutput or CoinJoinKind.JoinMarket, Describe(chain, t)));
        Assert.All(byRole.GetValueOrDefault("postmix") ?? [], t => Assert.Equal(CoinJoinKind.WhirlpoolMix, flagged.GetValueOrDefault(t)));
        Assert.All(byRole.GetValueOrDefault("premix") ?? [], t => Assert.Equal(CoinJoinKind.WhirlpoolTx0, flagged.GetValueOrDefault(t)));

        // no merge of any heuristic comes from a mix
        var mixes = flagged.Where(kv => kv.Value != CoinJoinKind.WhirlpoolTx0).Select(kv => kv.Key).ToHashSet();
        Assert.DoesNotContain(log, m => mixes.Contains(m.TxId));
    }

    [Fact]
    public void Clusters_are_precise_on_the_ground_truth()
    {
        using var chain = world.OpenChain();
        var kinds = world.Truth.Entities.ToDictionary(e => e.Id, e => e.Kind);
        var rows = new List<string>();
        ClusterScore? defaults = null;
        var settings = new (string Name, Dictionary<string, bool> Set)[]
        {
            ("defaults (multi-input)", []),
            ("+ change-address-type", new() { ["change-address-type"] = true }),
            ("+ change-fresh-address", new() { ["change-fresh-address"] = true }),
            ("+ change-round-amount", new() { ["change-round-amount"] = true }),
            ("+ change-optimal", new() { ["change-optimal"] = true }),
            ("+ change-peeling-chain", new() { ["change-peeling-chain"] = true }),
            ("all", HeuristicSet.All.ToDictionary(h => h.Name, _ => true)),
        };
        foreach (var (name, set) in settings)
        {
            ClusterBuilder.Run(chain, new HeuristicSet(set), new ClusterOptions { Rebuild = true });
            var view = ClusterView.Open(chain.Directory)!;
            var score = ClusterScoring.Score(world.Addresses.Select(a => (view.ClusterOf(a.Id), a.Entity)));
            defaults ??= score;
            rows.Add($"| {name} | {score.PairPrecision:0.0000} | {score.PairRecall:0.0000} | {score.MeanCompleteness:0.0000} | {view.Meta.Clusters} | {view.Meta.LargestCluster} |");

            if (name.StartsWith("defaults", StringComparison.Ordinal))
            {
                // no cluster holds two exchanges, or an exchange and a retail user
                var entitiesByCluster = world.Addresses.GroupBy(a => view.ClusterOf(a.Id)).Select(g => g.Select(a => a.Entity).Distinct().ToList());
                foreach (var entities in entitiesByCluster)
                {
                    var exchanges = entities.Count(e => kinds.GetValueOrDefault(e) == "exchange");
                    Assert.True(exchanges <= 1, $"a cluster mixes exchanges: {string.Join(", ", entities.Take(10))}");
                    Assert.False(exchanges == 1 && entities.Any(e => kinds.GetValueOrDefault(e) == "retail"),
                        $"a cluster mixes an exchange with a retail user: {string.Join(", ", entities.Take(10))}");
                }
            }
        }

        output.WriteLine($"addresses with truth: {defaults!.Addresses}, entities: {defaults.Entities}");
        output.WriteLine("| heuristics | pair precision | pair recall | completeness | clusters | largest |");
        rows.ForEach(output.WriteLine);
        Assert.True(defaults.PairPrecision > 0.9, $"multi-input precision {defaults.PairPrecision}");
        Assert.InRange(defaults.PairRecall, 0.001, 1.0);
    }

    [Fact]
    public void Explain_gives_the_chain_of_merges_or_not_linked()
    {
        using var chain = world.OpenChain();
        ClusterBuilder.Run(chain, new HeuristicSet(), new ClusterOptions { Rebuild = true });
        var view = ClusterView.Open(chain.Directory)!;
        var big = (uint)view.Meta.LargestClusterId;
        var members = view.Members(big).ToList();
        Assert.True(members.Count >= 3);
        var far = members[^1];
        var path = view.Explain(big, far)!;
        Assert.NotEmpty(path);
        Assert.Equal(big, path[0].From);
        Assert.Equal(far, path[^1].To);
        for (var i = 1; i < path.Count; i++)
        {
            Assert.Equal(path[i - 1].To, path[i].From);
        }

        Assert.All(path, p => Assert.Equal(HeuristicId.MultiInput, p.Merge.Heuristic));
        var outsider = Enumerable.Range(0, (int)view.AddressCount).Select(i => (uint)i).First(i => view.ClusterOf(i) != big);
        Assert.Null(view.Explain(big, outsider));
        Assert.Empty(view.Explain(far, far)!);

        // the merge log is read on first use: a damaged log leaves the clusters usable and makes Explain say what is wrong;
        // damaged cluster ids make the clusters unusable (no view)
        var dir = ClusterFiles.DirectoryOf(chain.Directory);
        var log = File.ReadAllBytes(Path.Combine(dir, ClusterFiles.Log));
        log[^1] ^= 1;
        File.WriteAllBytes(Path.Combine(dir, ClusterFiles.Log), log);
        var damaged = ClusterView.Open(chain.Directory)!;
        Assert.Equal(big, damaged.ClusterOf(far));
        var e = Assert.Throws<UserErrorException>(() => damaged.Explain(big, far));
        Assert.Contains(ClusterFiles.Log, e.Message);
        Assert.Contains("does not match", e.Message);
        var ids = File.ReadAllBytes(Path.Combine(dir, ClusterFiles.Ids));
        File.WriteAllBytes(Path.Combine(dir, ClusterFiles.Ids), ids[..^4]);
        Assert.Null(ClusterView.Open(chain.Directory));
        ClusterBuilder.Run(chain, new HeuristicSet(), new ClusterOptions { Rebuild = true });
    }

    [Fact]
    public async Task Cli_cluster_heuristics_explain_and_show()
    {
        async Task<(int Code, string Out, string Err)> Run(params string[] args)
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            var code = await Ashiato.Cli.CliApp.RunAsync(["--store", world.StorePath, .. args], o, e);
            return (code, o.ToString(), e.ToString());
        }

        var list = await Run("heuristics", "list");
        Assert.Equal(0, list.Code);
        Assert.All(HeuristicSet.All, h => Assert.Contains(h.Name, list.Out));
        Assert.Contains("whirlpool-tx0", list.Out);

        var built = await Run("cluster", "--rebuild", "--heuristic", "change-address-type=on");
        Assert.True(built.Code == 0, built.Err);
        Assert.Contains("built clusters (--rebuild)", built.Out);
        Assert.Contains("change-address-type=on", built.Out);
        Assert.Contains("wasabi-1", built.Out);
        var again = await Run("cluster", "--heuristic", "change-address-type");
        Assert.Contains("up to date", again.Out);
        Assert.Equal(1, (await Run("cluster", "--heuristic", "nope")).Code);

        using var chain = world.OpenChain();
        var view = ClusterView.Open(chain.Directory)!;
        var big = (uint)view.Meta.LargestClusterId;
        var far = view.Members(big).Last();
        var outsider = Enumerable.Range(0, (int)view.AddressCount).Select(i => (uint)i).First(i => view.ClusterOf(i) != big);
        var (a, b, c) = (chain.FormatAddress(big), chain.FormatAddress(far), chain.FormatAddress(outsider));
        var explained = await Run("explain", a, b);
        Assert.True(explained.Code == 0, explained.Err);
        Assert.Contains($"are in cluster {big}", explained.Out);
        Assert.Contains(" in tx ", explained.Out);
        Assert.Contains("not linked", (await Run("explain", a, c)).Out);
        var json = await Run("explain", a, b, "--json");
        Assert.Contains("\"linked\": true", json.Out);
        var show = await Run("cluster", "show", b, "--limit", "2");
        Assert.Contains($"cluster {big}", show.Out);
        output.WriteLine(built.Out);
        output.WriteLine(explained.Out);
    }

    [Fact]
    public async Task A_rollback_below_the_stored_height_rebuilds_and_new_blocks_continue()
    {
        var root = Path.Combine(world.Root, "reorg-" + Guid.NewGuid().ToString("N"));
        var blocks = Path.Combine(world.Out, "bitcoin", "blocks");
        using var store = StoreDirectory.Open(root, create: true);
        await new BlockFileIngestor(store, new IngestOptions()).RunAsync(blocks, "sim", Network.BitcoinRegtest, null, CancellationToken.None);
        var set = new HeuristicSet(new Dictionary<string, bool> { ["change-fresh-address"] = true });
        Dictionary<string, byte[]> atTip;
        int cut;
        using (var chain = store.OpenUtxoChain("sim", null, create: false))
        {
            ClusterBuilder.Run(chain, set);
            atTip = ReadFiles(chain);
            cut = chain.TipHeight - 20;
            chain.Truncate(cut);
            var after = ClusterBuilder.Run(chain, set);
            Assert.False(after.Incremental);
            Assert.Equal("the chain changed below the stored height (reorg or a lower target)", after.RebuildReason);
            Assert.Equal(cut, after.Meta.Height);
        }

        // the same blocks again: the stored clusters are continued and end as they were
        await new BlockFileIngestor(store, new IngestOptions()).RunAsync(blocks, "sim", Network.BitcoinRegtest, null, CancellationToken.None);
        using (var chain = store.OpenUtxoChain("sim", null, create: false))
        {
            var resumed = ClusterBuilder.Run(chain, set);
            Assert.True(resumed.Incremental);
            Assert.Equal(cut + 1, resumed.FromHeight);
            var files = ReadFiles(chain);
            Assert.All(Files, f => Assert.True(atTip[f].AsSpan().SequenceEqual(files[f]), f));
        }
    }

    private static string Describe(Storage.Utxo.UtxoChainStore chain, long txId)
    {
        var tx = chain.GetTx(txId);
        var outputs = Enumerable.Range(0, tx.OutputCount).Select(o => chain.GetOutput(tx.FirstOutput + o).Value);
        return $"tx {tx.TxId} (height {tx.Height}): {tx.InputCount} inputs, outputs {string.Join(" ", outputs)}";
    }
}
