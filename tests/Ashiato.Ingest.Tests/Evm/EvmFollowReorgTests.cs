using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>Follow mode on a real anvil node: new blocks arrive, a reorg (<c>anvil_reorg</c>) replaces the tip, the store follows the new branch.</summary>
public sealed class EvmFollowReorgTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Follow_AnvilReorgReplacesThreeBlocks_StoreRollsBackAndEndsOnTheNodesChain()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var node = await AnvilNode.StartAsync(new AnvilOptions(), cts.Token);
        var a = node.Accounts;
        var oldTxs = new List<EvmHash>();
        for (var i = 0; i < 6; i++)
        {
            oldTxs.Add(await node.SendTransactionAsync(a[0], EvmScenario.FreshAddress(100 + i), new UInt256(1_000_000_000UL * (ulong)(i + 1)), ct: cts.Token));
        }

        using var store = new EvmTempStore();
        using var follow = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var following = Task.Run(() => store.IngestAsync(node.RpcUrl, 0, null, follow.Token, follow: true, batch: 2), cts.Token);
        await WaitForAsync(() => StoreTip(store) == 6, following, cts.Token);

        // Replace blocks 4..6 with a branch carrying other transactions, then extend it.
        var replacementValue = new UInt256(777_000_000_000UL);
        await node.ReorgAsync(3, [new ReorgTransaction(a[1], EvmScenario.FreshAddress(200), replacementValue, 1)], cts.Token);
        await node.SendTransactionAsync(a[2], EvmScenario.FreshAddress(201), new UInt256(5), ct: cts.Token);
        await node.SendTransactionAsync(a[2], EvmScenario.FreshAddress(202), new UInt256(6), ct: cts.Token);
        // anvil answers the send before its block number moves on a loaded machine: wait (bounded) for the 8th block
        var nodeTip = (long)await node.BlockNumberAsync(cts.Token);
        for (var wait = 0; nodeTip < 8 && wait < 100; wait++)
        {
            await Task.Delay(100, cts.Token);
            nodeTip = (long)await node.BlockNumberAsync(cts.Token);
        }

        Assert.Equal(8, nodeTip);
        var nodeHashes = new List<string>();
        for (ulong h = 0; h <= (ulong)nodeTip; h++)
        {
            nodeHashes.Add((await node.GetBlockAsync(h, ct: cts.Token)).GetProperty("hash").GetString()!);
        }

        await WaitForAsync(() => StoreHashes(store).SequenceEqual(nodeHashes), following, cts.Token);
        await follow.CancelAsync();
        var result = await following;
        Assert.True(result.RolledBack >= 3, $"rolled back {result.RolledBack}");

        store.Read(evm =>
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(evm.FindTransaction(oldTxs[i]) >= 0, $"tx of block {i + 1} lost");
            }

            for (var i = 3; i < 6; i++)
            {
                Assert.Equal(-1, evm.FindTransaction(oldTxs[i])); // only on the replaced branch
            }

            var fresh = evm.FindAddress(EvmScenario.FreshAddress(200));
            Assert.True(fresh >= 0);
            Assert.Contains(evm.Postings(fresh).Select(p => evm.Transfer(p.TransferId)), t => t.Amount == replacementValue && !t.IsBlockLevel);
            var orphaned = evm.FindAddress(EvmScenario.FreshAddress(105));
            Assert.True(orphaned < 0 || !evm.Postings(orphaned).Any(), "a transfer of the replaced branch is still in the store");
            return 0;
        });
    }

    private static long? StoreTip(EvmTempStore store)
    {
        try
        {
            return store.Read(evm => evm.TipHeight);
        }
        catch (Exception e) when (e is UserErrorException or IOException or DirectoryNotFoundException)
        {
            return null; // not created yet
        }
    }

    private static List<string> StoreHashes(EvmTempStore store)
    {
        try
        {
            return store.Read(evm => evm.TipHeight is { } tip
                ? Enumerable.Range(0, (int)tip + 1).Select(h => evm.BlockHash(h).ToString()).ToList()
                : []);
        }
        catch (Exception e) when (e is UserErrorException or IOException)
        {
            return [];
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, Task following, CancellationToken ct)
    {
        while (!condition())
        {
            if (following.IsCompleted)
            {
                await following; // surfaces the ingest's failure
                throw new InvalidOperationException("the follow run ended early");
            }

            await Task.Delay(50, ct);
        }
    }
}
