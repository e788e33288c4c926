using System.Diagnostics;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Fixtures;

/// <summary>Each test runs its own node: these check the node's life cycle itself.</summary>
public sealed class LitecoindNodeTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Start_MineToBech32_WritesBlockFileAndStopEndsProcess()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = await LitecoindNode.StartAsync(cts.Token);
        try
        {
            Assert.Equal("127.0.0.1", node.RpcUrl.Host);
            Assert.True(IsRunning(node.Pid));

            await node.CreateWalletAsync("w1", cts.Token);
            var address = await node.GetNewAddressAsync("w1", "bech32", cts.Token);
            var hashes = await node.GenerateToAddressAsync(101, address, cts.Token);

            Assert.StartsWith("rltc1", address, StringComparison.Ordinal);
            Assert.Equal(101, hashes.Length);
            Assert.Equal(101, (await node.RpcAsync("getblockcount", cts.Token)).GetInt32());
            var blockFile = Path.Combine(node.BlocksDir, "blk00000.dat");
            Assert.Equal([0xfa, 0xbf, 0xb5, 0xda], await ReadPrefixAsync(blockFile, 4, cts.Token));

            var pid = node.Pid;
            await node.StopAsync(cts.Token);

            Assert.False(IsRunning(pid));
        }
        finally
        {
            await node.DisposeAsync();
        }

        Assert.False(Directory.Exists(node.DataDir));
    }

    [Fact]
    public async Task GetNewAddress_EachType_HasRegtestPrefix()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var node = await LitecoindNode.StartAsync(cts.Token);
        await node.CreateWalletAsync("w", cts.Token);

        var legacy = await node.GetNewAddressAsync("w", "legacy", cts.Token);
        var p2shSegwit = await node.GetNewAddressAsync("w", "p2sh-segwit", cts.Token);
        var bech32 = await node.GetNewAddressAsync("w", "bech32", cts.Token);
        var mweb = await node.GetNewAddressAsync("w", "mweb", cts.Token);

        Assert.Matches("^[mn]", legacy);
        Assert.Matches("^Q", p2shSegwit);
        Assert.StartsWith("rltc1q", bech32, StringComparison.Ordinal);
        Assert.StartsWith("tmweb1", mweb, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PegInToMweb_LetsMiningPassActivationHeight432()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var node = await LitecoindNode.StartAsync(cts.Token);
        await node.CreateWalletAsync("w", cts.Token);
        var address = await node.GetNewAddressAsync("w", "bech32", cts.Token);
        await node.GenerateToAddressAsync(431, address, cts.Token);

        var withoutPegIn = await Assert.ThrowsAsync<LitecoindRpcException>(
            () => node.GenerateToAddressAsync(1, address, cts.Token));
        Assert.Contains("PegInToMwebAsync", withoutPegIn.Message, StringComparison.Ordinal);
        Assert.Equal(431, (await node.RpcAsync("getblockcount", cts.Token)).GetInt32());

        var pegIn = await node.PegInToMwebAsync("w", 150_000_000, cts.Token);
        await node.GenerateToAddressAsync(9, address, cts.Token);

        Assert.Equal(440, (await node.RpcAsync("getblockcount", cts.Token)).GetInt32());
        var hash432 = (await node.RpcAsync("getblockhash", cts.Token, 432)).GetString();
        var block432 = await node.RpcAsync("getblock", cts.Token, hash432, 1);
        var txids = block432.GetProperty("tx").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Contains(pegIn, txids);
        Assert.Equal(3, txids.Length); // coinbase, peg-in, HogEx
        Assert.True(block432.TryGetProperty("mweb", out _));
        var hash431 = (await node.RpcAsync("getblockhash", cts.Token, 431)).GetString();
        Assert.False((await node.RpcAsync("getblock", cts.Token, hash431, 1)).TryGetProperty("mweb", out _));
    }

    [Fact]
    public async Task Restart_AfterStop_KeepsChainWalletPortsAndExtraConf()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var node = await LitecoindNode.StartAsync(cts.Token, extraConf: "blockfilterindex=1");
        await node.CreateWalletAsync("w", cts.Token);
        var address = await node.GetNewAddressAsync("w", "legacy", cts.Token);
        await node.GenerateToAddressAsync(10, address, cts.Token);
        var (url, firstPid) = (node.RpcUrl, node.Pid);

        await node.RestartAsync(cts.Token);

        Assert.Equal(url, node.RpcUrl);
        Assert.NotEqual(firstPid, node.Pid);
        Assert.False(IsRunning(firstPid));
        Assert.Equal(10, (await node.RpcAsync("getblockcount", cts.Token)).GetInt32());
        var walletInfo = await node.WalletRpcAsync("w", "getwalletinfo", cts.Token);
        Assert.Equal("w", walletInfo.GetProperty("walletname").GetString());
        var indexes = await node.RpcAsync("getindexinfo", cts.Token);
        Assert.True(indexes.TryGetProperty("basic block filter index", out _), indexes.GetRawText());
    }

    [Fact]
    public async Task Kill_ThenRestart_NodeIsBackAtLastFlushedHeight()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var node = await LitecoindNode.StartAsync(cts.Token);
        await node.CreateWalletAsync("w", cts.Token);
        var address = await node.GetNewAddressAsync("w", "bech32", cts.Token);
        await node.GenerateToAddressAsync(20, address, cts.Token);
        await node.FlushAsync(cts.Token);
        await node.GenerateToAddressAsync(5, address, cts.Token);
        var pid = node.Pid;

        await node.KillAsync(cts.Token);

        Assert.False(IsRunning(pid));
        await Assert.ThrowsAsync<HttpRequestException>(() => node.RpcAsync("getblockcount", cts.Token));

        await node.RestartAsync(cts.Token);

        // The 5 blocks mined after the flush were never indexed: the node has forgotten them.
        Assert.Equal(20, (await node.RpcAsync("getblockcount", cts.Token)).GetInt32());
    }

    [Fact]
    public async Task Start_NodeRefusesConf_ThrowsWithNodeErrorAndDeletesDataDir()
    {
        using var cts = new CancellationTokenSource(_timeout);
        const string refusedConf = "prune=550"; // litecoind refuses pruning together with txindex=1

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => LitecoindNode.StartAsync(cts.Token, extraConf: refusedConf));

        Assert.Contains("Prune mode is incompatible with -txindex", error.Message, StringComparison.Ordinal);
        Assert.Contains("debug.log", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(
            Directory.GetDirectories(Path.GetTempPath(), "ashiato-litecoind-*"),
            dir => File.Exists(Path.Combine(dir, "litecoin.conf")) &&
                   File.ReadAllText(Path.Combine(dir, "litecoin.conf")).Contains(refusedConf, StringComparison.Ordinal));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<byte[]> ReadPrefixAsync(string path, int length, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var prefix = new byte[length];
        await stream.ReadExactlyAsync(prefix, ct);
        return prefix;
    }
}
