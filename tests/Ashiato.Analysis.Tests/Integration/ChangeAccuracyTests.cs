using System.Diagnostics;
using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Rpc;
using Ashiato.Core;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Ashiato.TestSupport;
using Xunit.Abstractions;

namespace Ashiato.Analysis.Tests.Integration;

/// <summary>
/// Change-heuristic precision and recall on real Litecoin Core wallet transactions: a workload of several wallets on the
/// regtest node, ingested over RPC the normal way, every change heuristic run over the store, each guess compared with the
/// sending wallet's own view of its change. The table goes to the test output (docs/accuracy.md says how to regenerate it);
/// the assertions check that the measurement is real, not what the figures are.
/// </summary>
[Collection(LitecoindCollection.Name)]
public sealed class ChangeAccuracyTests(LitecoindFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Chain = "litecoin-regtest";
    private const int Rounds = 60;
    private const int Seed = 5;

    private readonly string _storePath = Path.Combine(Path.GetTempPath(), "ashiato-change-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Change_heuristics_scored_against_the_wallets_own_change_on_litecoin_core_transactions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = cts.Token;
        var clock = Stopwatch.StartNew();
        var node = fixture.Node;
        var workload = await new WalletWorkload(node, fixture.MinerAddress, Seed).RunAsync(Rounds, ct);
        var built = clock.Elapsed;

        using (var store = StoreDirectory.Open(_storePath, create: true))
        using (var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
        {
            var rpc = new BitcoinRpcClient(http, node.RpcUrl, node.RpcUser, node.RpcPassword);
            await new RpcIngestor(store, rpc, new IngestOptions())
                .RunAsync(new RpcIngestRequest(null, null, false, TimeSpan.Zero), Chain, Network.LitecoinRegtest, null, ct);
        }

        var ingested = clock.Elapsed;
        using var dir = StoreDirectory.Open(_storePath, create: false);
        using var chain = dir.OpenUtxoChain(Chain, null, create: false);

        // The truth by store transaction: every wallet transaction must be in the store with the node's output count.
        var truth = new Dictionary<long, int>();
        foreach (var s in workload.Sent)
        {
            var id = chain.FindTx(Hash256.Parse(s.TxId));
            Assert.True(id >= 0, $"wallet transaction {s.TxId} ({s.Wallet}, {s.Kind}) is not in the store");
            Assert.Equal(s.OutputCount, chain.GetTx(id).OutputCount);
            Assert.True(truth.TryAdd(id, s.ChangeOutput), $"{s.TxId} sent twice");
        }

        var guesses = ChangeMeasurement.Guess(chain, truth.Keys.ToHashSet());
        var scores = ChangeMeasurement.Score(guesses, truth);
        var measured = clock.Elapsed;
        AssertBuilderAgrees(chain, guesses, truth.Keys.ToHashSet());

        var version = (await node.RpcAsync("getnetworkinfo", ct)).GetProperty("subversion").GetString();
        output.WriteLine($"{version}; {workload.Sent.Count} wallet transactions ({workload.Skipped} payments skipped for want of funds) " +
                         $"in {workload.Blocks} blocks; store tip {chain.TipHeight}, {chain.TxCount} transactions");
        foreach (var kind in workload.Sent.GroupBy(s => s.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind.Key}: {kind.Count()} tx, {kind.Count(s => s.ChangeOutput >= 0)} with change, " +
                             $"{kind.Count(s => s.OutputCount == 2)} with two outputs");
        }

        output.WriteLine("");
        output.WriteLine(ChangeMeasurement.Table(scores));
        output.WriteLine("correct/guesses by kind of wallet transaction:");
        var kindOf = workload.Sent.ToDictionary(s => chain.FindTx(Hash256.Parse(s.TxId)), s => s.Kind);
        foreach (var kind in kindOf.Values.Distinct().Order(StringComparer.Ordinal))
        {
            var cells = guesses.Select(g =>
            {
                var mine = g.Value.Where(kv => kindOf[kv.Key] == kind).ToList();
                return $"{g.Key} {mine.Count(kv => truth[kv.Key] == kv.Value)}/{mine.Count}";
            });
            output.WriteLine($"  {kind}: {string.Join(", ", cells)}");
        }

        output.WriteLine("fingerprints of the wallet transactions:");
        var history = new StoreChainHistory(chain);
        var prints = kindOf.GroupBy(kv => (kv.Value, Print: history.FingerprintOf(history.Read(kv.Key)).ToString()))
            .OrderBy(g => g.Key.Value, StringComparer.Ordinal).ThenBy(g => g.Key.Print, StringComparer.Ordinal).ToList();
        foreach (var g in prints)
        {
            output.WriteLine($"  {g.Key.Value}: {g.Key.Print}: {g.Count()}");
        }

        output.WriteLine($"timing: workload {built.TotalSeconds:0.0} s, ingest {(ingested - built).TotalSeconds:0.0} s, " +
                         $"heuristics {(measured - ingested).TotalSeconds:0.0} s");

        // The measurement is real: a few hundred transactions of every kind, most of them with a change output.
        Assert.True(workload.Sent.Count >= 300, $"only {workload.Sent.Count} wallet transactions");
        Assert.All(new[] { "payment", "multi-input", "peel", "sendmany", "payment-changetype-legacy", "payment-changetype-p2sh-segwit" },
            k => Assert.Contains(workload.Sent, s => s.Kind == k));
        Assert.True(prints.Select(g => g.Key.Print).Distinct().Count() >= 2, "the wallets' transactions all have one fingerprint");
        var withChange = truth.Values.Count(c => c >= 0);
        Assert.True(withChange >= workload.Sent.Count * 8 / 10, $"only {withChange} of {workload.Sent.Count} transactions have a change output");
        Assert.Equal(HeuristicSet.All.Count(h => h.IsChange) + 1, scores.Count);
        Assert.All(scores, s =>
        {
            Assert.Equal(truth.Count, s.Judged);
            Assert.InRange(s.Correct, 0, s.Guesses);
            Assert.InRange(s.Guesses, 0, s.Judged);
        });

        // Guesses that did happen are of an output that exists, and the heuristics that fire at all on this wallet do fire.
        Assert.All(guesses.SelectMany(g => g.Value), g => Assert.InRange(g.Value, 0, chain.GetTx(g.Key).OutputCount - 1));
        Assert.All(new[] { "change-address-type", "change-fresh-address", "change-round-amount", "change-peeling-chain", "change-fingerprint" },
            name => Assert.True(guesses[name].Count > 0, $"{name} made no guess"));
    }

    /// <summary>The measurement feeds the heuristics as the cluster builder does: every change merge the builder logs for a
    /// judged transaction (one change heuristic on, multi-input off) is the output the measurement says that heuristic guessed.
    /// (The fingerprint heuristic judges earlier transactions; the builder does not call it yet.)</summary>
    private static void AssertBuilderAgrees(UtxoChainStore chain, Dictionary<string, Dictionary<long, int>> guesses, IReadOnlySet<long> judged)
    {
        foreach (var h in HeuristicSet.All.Where(h => h.IsChange && !h.JudgesEarlier))
        {
            ClusterBuilder.Run(chain, new HeuristicSet(new Dictionary<string, bool> { ["multi-input"] = false, [h.Name] = true }),
                new ClusterOptions { Rebuild = true });
            var merges = ClusterFiles.ReadArray<MergeRecord>(ClusterFiles.DirectoryOf(chain.Directory), ClusterFiles.Log)
                .Where(m => judged.Contains(m.TxId)).ToList();
            Assert.NotEmpty(merges);
            Assert.All(merges, m =>
            {
                Assert.Equal(h.Id, m.Heuristic);
                Assert.True(guesses[h.Name].TryGetValue(m.TxId, out var output), $"{h.Name}: the builder merged at tx {m.TxId}, the measurement has no guess");
                Assert.Equal(chain.GetOutput(chain.GetTx(m.TxId).FirstOutput + output).AddressId, m.B);
            });
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_storePath))
        {
            Directory.Delete(_storePath, recursive: true);
        }
    }
}
