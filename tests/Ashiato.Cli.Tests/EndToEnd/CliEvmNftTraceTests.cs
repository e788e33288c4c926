using System.Numerics;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary>
/// <c>ashiato trace</c> through an NFT, end to end against a real anvil node: stolen ETH buys an ERC-721 on a marketplace
/// contract, the token moves to another wallet, which sells it; the trace reaches the sale's proceeds.
/// </summary>
public sealed class CliEvmNftTraceTests
{
    private static readonly UInt256 Ether = new(1_000_000_000_000_000_000UL);

    [Fact]
    public async Task Trace_FollowsStolenEthIntoAnNftAndOutIntoItsSaleProceeds()
    {
        var artifacts = await ContractArtifacts.LoadAsync();
        await using var node = await AnvilNode.StartAsync(new AnvilOptions());
        var a = node.Accounts;
        var (deployer, victim, seller, wallet, buyer, thief) = (a[0], a[1], a[2], a[3], a[4], a[5]);
        var nft = await DeployAsync(node, deployer, artifacts["TestNft"]);
        var market = await DeployAsync(node, deployer, artifacts["NftMarket"]);

        // the thief's account starts empty, so every wei it spends is stolen
        await node.CallAsync("anvil_setBalance", thief.ToString(), "0x0");
        var theft = await SendAsync(node, victim, thief, Ether * 11, null);
        await SendAsync(node, seller, nft, UInt256.Zero, Abi.EncodeCall("mint(address,uint256)", seller, 7UL));
        await SendAsync(node, seller, nft, UInt256.Zero, Abi.EncodeCall("setApprovalForAll(address,bool)", market, true));
        var purchase = await SendAsync(node, thief, market, Ether * 10, Abi.EncodeCall("buy(address,uint256,address)", nft, 7UL, seller));
        var move = await SendAsync(node, thief, nft, UInt256.Zero, Abi.EncodeCall("transferFrom(address,address,uint256)", thief, wallet, 7UL));
        await SendAsync(node, wallet, nft, UInt256.Zero, Abi.EncodeCall("setApprovalForAll(address,bool)", market, true));
        var sale = await SendAsync(node, buyer, market, Ether * 25, Abi.EncodeCall("buy(address,uint256,address)", nft, 7UL, wallet));

        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "anvil");
        Assert.True(code == 0, err);
        var file = Path.Combine(cli.WorkDir, "trace.json");
        (code, _, err) = await cli.RunAsync("trace", "--chain", "anvil", "--tx", theft.ToString(), "--format", "json", "--out", file);
        Assert.True(code == 0, err);

        using var json = JsonDocument.Parse(File.ReadAllBytes(file));
        var edges = json.RootElement.GetProperty("edges").EnumerateArray().ToList();
        var token = $"{nft}#7";
        string Node(EvmAddress x) => $"anvil:{x}";
        static BigInteger Big(JsonElement e, string name) => BigInteger.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        JsonElement Edge(EvmHash tx, string asset, string rule) =>
            Assert.Single(edges, e => e.GetProperty("tx").GetString() == tx.ToString() && e.GetProperty("asset").GetString() == asset && e.GetProperty("rule").GetString() == rule);

        var ten = (BigInteger)10 * BigInteger.Pow(10, 18);
        var paid = Edge(purchase, "ETH", "swap:follow"); // the thief's 10 ETH, all of it stolen, buys the token
        Assert.Equal(Node(thief), paid.GetProperty("from").GetString());
        Assert.Equal(Node(market), paid.GetProperty("to").GetString());
        Assert.Equal(ten, Big(paid, "tainted"));
        var bought = Edge(purchase, token, "follow");
        Assert.Equal(Node(seller), bought.GetProperty("from").GetString());
        Assert.Equal(Node(thief), bought.GetProperty("to").GetString());
        Assert.Equal(ten, Big(bought, "amount"));
        Assert.Equal(ten, Big(bought, "tainted"));
        var moved = Edge(move, token, "follow");
        Assert.Equal(Node(wallet), moved.GetProperty("to").GetString());
        var sold = Edge(sale, token, "swap:follow");
        Assert.Equal(Node(buyer), sold.GetProperty("to").GetString());
        var proceeds = Edge(sale, "ETH", "follow"); // the market's internal payment to the selling wallet
        Assert.Equal(Node(market), proceeds.GetProperty("from").GetString());
        Assert.Equal(Node(wallet), proceeds.GetProperty("to").GetString());
        Assert.Equal((BigInteger)25 * BigInteger.Pow(10, 18), Big(proceeds, "tainted"));

        // the seller of the purchase is paid with the stolen ETH, but the taint went into the token, not to the seller
        Assert.DoesNotContain(edges, e => e.GetProperty("to").GetString() == Node(seller) && e.GetProperty("asset").GetString() == "ETH");
        Assert.False(json.RootElement.GetProperty("partial").GetBoolean());

        // --amount on an address seed: only 3 of the 11 stolen ETH the thief received are traced
        var three = Ether * 3;
        (code, var stdout, err) = await cli.RunAsync("trace", "--chain", "anvil", "--address", thief.ToString(), "--amount", three.ToString(), "--json");
        Assert.True(code == 0, err);
        using var limited = JsonDocument.Parse(stdout);
        var seeded = Assert.Single(limited.RootElement.GetProperty("summary").GetProperty("seeded").EnumerateArray());
        Assert.Equal("ETH", seeded.GetProperty("asset").GetString());
        Assert.Equal((BigInteger)3 * BigInteger.Pow(10, 18), Big(seeded, "tainted"));
    }

    private static async Task<EvmAddress> DeployAsync(AnvilNode node, EvmAddress from, ContractArtifact artifact)
    {
        var hash = await node.SendTransactionAsync(from, null, UInt256.Zero, artifact.DeployData(), 3_000_000);
        var receipt = await node.WaitForReceiptAsync(hash);
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return EvmAddress.Parse(receipt.GetProperty("contractAddress").GetString()!);
    }

    private static async Task<EvmHash> SendAsync(AnvilNode node, EvmAddress from, EvmAddress to, UInt256 value, byte[]? data)
    {
        var hash = await node.SendTransactionAsync(from, to, value, data, data is null ? null : 300_000UL);
        var receipt = await node.WaitForReceiptAsync(hash);
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return hash;
    }
}
