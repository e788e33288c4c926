using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Fixtures;

[Collection(LitecoindCollection.Name)]
public sealed class LitecoindFixtureTests(LitecoindFixture fixture)
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Fixture_StartsPreMinedNode_WithSpendableMinerBalance()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;

        var height = (await node.RpcAsync("getblockcount", cts.Token)).GetInt32();
        var balance = (await node.WalletRpcAsync(LitecoindFixture.MinerWallet, "getbalance", cts.Token)).GetDecimal();

        Assert.True(height >= 101, $"height {height}");
        Assert.StartsWith("rltc1", fixture.MinerAddress, StringComparison.Ordinal);
        Assert.True(balance >= 50m, $"balance {balance}");
    }

    [Fact]
    public async Task Rpc_UnknownMethod_ThrowsWithNodeCodeAndMessage()
    {
        using var cts = new CancellationTokenSource(_timeout);

        var error = await Assert.ThrowsAsync<LitecoindRpcException>(() => fixture.Node.RpcAsync("nosuchmethod", cts.Token));

        Assert.Equal(-32601, error.Code);
        Assert.Equal("Method not found", error.RpcMessage);
        Assert.Equal("nosuchmethod", error.Method);
    }

    [Fact]
    public async Task Rpc_InvalidParameter_ThrowsWithNodeCode()
    {
        using var cts = new CancellationTokenSource(_timeout);

        var error = await Assert.ThrowsAsync<LitecoindRpcException>(() => fixture.Node.RpcAsync("getblock", cts.Token, "00", 2));

        Assert.Equal(-8, error.Code);
        Assert.Contains("blockhash must be of length 64", error.RpcMessage, StringComparison.Ordinal);
    }
}
