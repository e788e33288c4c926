using System.Numerics;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary>The test collection sharing one anvil node (and one scenario run) in this assembly.</summary>
[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilFixture>
{
    public const string Name = "anvil";
}

/// <summary><c>ashiato show block|tx|address</c> on an EVM chain, end to end against a real anvil node.</summary>
public sealed class CliEvmShowTests
{
    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    private static BigInteger Big(JsonElement e) => BigInteger.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ShowAddressTxBlock_AfterEthTransfers_GiveExactAmountsFeesAndHashes()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions());
        var recipient = EvmScenario.FreshAddress(7);
        var first = await node.SendTransactionAsync(node.Accounts[0], recipient, new UInt256(3_000_000_000_000UL)); // block 1
        var second = await node.SendTransactionAsync(node.Accounts[1], recipient, new UInt256(500)); // block 2
        await node.SendTransactionAsync(node.Accounts[2], EvmScenario.FreshAddress(8), new UInt256(1)); // block 3
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "anvil");
        Assert.True(code == 0, err);

        // address: exact received and balance, first/last seen, activity oldest first (lower-case input, EIP-55 output)
        (code, output, err) = await cli.RunAsync("show", "address", recipient.ToString(), "--json");
        Assert.True(code == 0, err);
        var address = Json(output);
        Assert.Equal(recipient.ToChecksumString(), address.GetProperty("address").GetString());
        var native = Assert.Single(address.GetProperty("assets").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, native.GetProperty("asset").ValueKind);
        Assert.Equal("ETH", native.GetProperty("symbol").GetString());
        Assert.Equal("3000000000500", native.GetProperty("received").GetString());
        Assert.Equal("0", native.GetProperty("sent").GetString());
        Assert.Equal("3000000000500", native.GetProperty("balance").GetString());
        Assert.Equal(2, native.GetProperty("transfers").GetInt32());
        Assert.Equal(1, native.GetProperty("first_seen").GetProperty("height").GetInt64());
        Assert.Equal(2, native.GetProperty("last_seen").GetProperty("height").GetInt64());
        Assert.EndsWith("Z", native.GetProperty("first_seen").GetProperty("time").GetString());
        var activity = address.GetProperty("activity").EnumerateArray().ToList();
        Assert.Equal(2, activity.Count);
        Assert.Equal(first.ToString(), activity[0].GetProperty("tx_hash").GetString());
        Assert.Equal("Native", activity[0].GetProperty("kind").GetString());
        Assert.Equal("in", activity[0].GetProperty("direction").GetString());
        Assert.Equal(node.Accounts[0].ToChecksumString(), activity[0].GetProperty("counterparty").GetString());
        Assert.Equal("3000000000000", activity[0].GetProperty("amount").GetString());
        Assert.Equal(second.ToString(), activity[1].GetProperty("tx_hash").GetString());
        Assert.Equal(0, address.GetProperty("notes").GetArrayLength());

        (code, output, err) = await cli.RunAsync("show", "address", recipient.ToString(), "--page", "2", "--page-size", "1", "--json");
        Assert.True(code == 0, err);
        address = Json(output);
        Assert.Equal(2, address.GetProperty("pages").GetInt32());
        Assert.Equal(second.ToString(), Assert.Single(address.GetProperty("activity").EnumerateArray()).GetProperty("tx_hash").GetString());

        (code, output, err) = await cli.RunAsync("show", "address", recipient.ToChecksumString());
        Assert.True(code == 0, err);
        Assert.Contains($"address {recipient.ToChecksumString()} (anvil)", output);
        Assert.Contains("ETH (native): balance 0.0000030000000005  received 0.0000030000000005  sent 0  transfers 2  first seen 1 ", output);
        Assert.Contains(second.ToString(), output);
        Assert.Contains("page 1 of 1 (2 transfers, oldest first)", output);

        // a pre-funded sender: more sent than received, explained by a note
        (code, output, err) = await cli.RunAsync("show", "address", node.Accounts[0].ToString(), "--json");
        Assert.True(code == 0, err);
        address = Json(output);
        Assert.True(Big(address.GetProperty("assets")[0].GetProperty("balance")) < 0);
        Assert.Contains("genesis allocation", address.GetProperty("notes")[0].GetString());

        // tx: the value, its fee split into burnt + tip, and the fee equals gas used × effective price
        (code, output, err) = await cli.RunAsync("show", "tx", first.ToString(), "--json");
        Assert.True(code == 0, err);
        var tx = Json(output);
        Assert.Equal(1, tx.GetProperty("block_number").GetInt64());
        Assert.Equal(0, tx.GetProperty("index").GetInt32());
        Assert.Equal(node.Accounts[0].ToChecksumString(), tx.GetProperty("from").GetString());
        Assert.Equal(recipient.ToChecksumString(), tx.GetProperty("to").GetString());
        Assert.Equal("3000000000000", tx.GetProperty("value").GetString());
        Assert.Equal(1, tx.GetProperty("status").GetInt32());
        var transfers = tx.GetProperty("transfers").EnumerateArray().ToList();
        var value = Assert.Single(transfers, t => t.GetProperty("kind").GetString() == "Native");
        Assert.Equal("3000000000000", value.GetProperty("amount").GetString());
        Assert.Equal(recipient.ToChecksumString(), value.GetProperty("to").GetString());
        var burnt = Assert.Single(transfers, t => t.GetProperty("kind").GetString() == "FeeBurnt");
        Assert.Equal(JsonValueKind.Null, burnt.GetProperty("to").ValueKind);
        var fees = transfers.Where(t => t.GetProperty("kind").GetString() is "FeeBurnt" or "FeeTip").Aggregate(BigInteger.Zero, (sum, t) => sum + Big(t.GetProperty("amount")));
        Assert.Equal(Big(tx.GetProperty("fee")), fees);
        Assert.Equal(tx.GetProperty("gas_used").GetInt64() * Big(tx.GetProperty("effective_gas_price")), fees);

        (code, output, err) = await cli.RunAsync("show", "tx", first.ToString());
        Assert.True(code == 0, err);
        Assert.Contains($"tx {first}", output);
        Assert.Contains("status success", output);
        Assert.Contains("value 0.000003 ETH (3000000000000 wei)", output);
        Assert.Contains("Native", output);
        Assert.Contains("FeeBurnt", output);
        Assert.Contains("(burnt)", output);

        // block: by number and by hash
        (code, output, err) = await cli.RunAsync("show", "block", "1", "--json");
        Assert.True(code == 0, err);
        var block = Json(output);
        Assert.Equal(1, block.GetProperty("number").GetInt64());
        Assert.Equal(first.ToString(), Assert.Single(block.GetProperty("transactions").EnumerateArray()).GetString());
        Assert.Equal(1, block.GetProperty("transaction_count").GetInt32());
        Assert.True(block.GetProperty("transfer_count").GetInt32() >= 2);
        Assert.Equal("stored", block.GetProperty("traces").GetString());
        Assert.True(EvmAddress.TryParse(block.GetProperty("miner").GetString(), out _));
        var hash = block.GetProperty("hash").GetString()!;

        (code, output, err) = await cli.RunAsync("show", "block", hash);
        Assert.True(code == 0, err);
        Assert.Contains(first.ToString(), output);
        Assert.Matches(@"number\s+1\b", output);
        Assert.Matches(@"time\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", output);
    }

    [Fact]
    public async Task Show_BadOrUnknownInput_ExitsOneWithOneLine()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions());
        await node.SendTransactionAsync(node.Accounts[0], EvmScenario.FreshAddress(1), new UInt256(1));
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "anvil");
        Assert.True(code == 0, err);

        var mixed = EvmScenario.FreshAddress(1).ToChecksumString();
        var badChecksum = "0x" + new string(mixed[2..].Select(c => char.IsLetter(c) ? (char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c).ToArray());
        var cases = new (string[] Args, string Message)[]
        {
            (["show", "address", "0x1234"], "is not an EVM address"),
            (["show", "address", badChecksum], "EIP-55"),
            (["show", "address", EvmScenario.FreshAddress(99).ToString()], "is not in the store"),
            (["show", "tx", "0xzz"], "is not a transaction hash"),
            (["show", "tx", "0x" + new string('0', 64)], "is not in the store"),
            (["show", "block", "99"], "block 99 is not in chain 'anvil'"),
            (["show", "block", "latest"], "neither a block number nor a block hash"),
            (["show", "block", "0x" + new string('a', 64)], "is not in the store"),
        };
        foreach (var (args, message) in cases)
        {
            (code, var output, err) = await cli.RunAsync(args);
            Assert.True(code == 1, $"{string.Join(' ', args)}: exit {code}, {output}{err}");
            Assert.Contains(message, err);
            Assert.Single(err.Trim().Split('\n'));
            Assert.StartsWith("error: ", err);
        }
    }
}

/// <summary>
/// <c>ashiato show</c> after the scenario (ERC-20/721/1155, WETH, internal transfers, selfdestruct): token balances and
/// symbols, checked against the scenario's ledgers.
/// </summary>
[Collection(AnvilCollection.Name)]
public sealed class CliEvmShowTestsWithTokens(AnvilFixture fixture)
{
    [Fact]
    public async Task ShowAddressAndTx_AfterTheScenario_MatchTheLedgers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var scenario = await fixture.ScenarioAsync(cts.Token);
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("ingest", "evm", "--rpc", fixture.Node.RpcUrl.ToString(), "--chain", "anvil", "--to", $"{scenario.LastBlock}");
        Assert.True(code == 0, err);

        var token = scenario.Contracts["TestToken"].ToChecksumString();
        foreach (var (holder, expected) in scenario.ExpectedTokenBalances)
        {
            (code, output, err) = await cli.RunAsync("show", "address", holder.ToString(), "--json");
            Assert.True(code == 0, err);
            var entry = JsonDocument.Parse(output).RootElement.GetProperty("assets").EnumerateArray().Single(a => a.GetProperty("asset").GetString() == token);
            Assert.Equal("TST", entry.GetProperty("symbol").GetString());
            Assert.True(expected.ToString() == entry.GetProperty("balance").GetString(), $"TST balance of {holder}: {entry}");
        }

        foreach (var (holder, expected) in scenario.ExpectedEthBalances.Where(e => scenario.FreshAddresses.Contains(e.Key) && !e.Value.IsZero))
        {
            (code, output, err) = await cli.RunAsync("show", "address", holder.ToString(), "--json");
            Assert.True(code == 0, err);
            var native = JsonDocument.Parse(output).RootElement.GetProperty("assets")[0];
            Assert.Equal(JsonValueKind.Null, native.GetProperty("asset").ValueKind);
            Assert.True(expected.ToString() == native.GetProperty("balance").GetString(), $"ETH balance of {holder}: {native}");
        }

        // an ERC-20 transfer: the token's contract and symbol; text labels the asset by its symbol
        var erc20 = scenario.OfKind(EvmScenarioKind.Erc20Transfer).First();
        (code, output, err) = await cli.RunAsync("show", "tx", erc20.Hash.ToString(), "--json");
        Assert.True(code == 0, err);
        var moved = JsonDocument.Parse(output).RootElement.GetProperty("transfers").EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "Erc20");
        Assert.Equal(token, moved.GetProperty("asset").GetString());
        Assert.Equal("TST", moved.GetProperty("asset_symbol").GetString());
        Assert.Equal(18, moved.GetProperty("asset_decimals").GetInt32());

        (code, output, err) = await cli.RunAsync("show", "tx", erc20.Hash.ToString());
        Assert.True(code == 0, err);
        Assert.Contains("Erc20", output);
        Assert.Contains($"TST = {token}", output);

        // an NFT transfer carries its token id
        var nft = scenario.OfKind(EvmScenarioKind.Erc721Transfer).First();
        (code, output, err) = await cli.RunAsync("show", "tx", nft.Hash.ToString(), "--json");
        Assert.True(code == 0, err);
        var item = JsonDocument.Parse(output).RootElement.GetProperty("transfers").EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "Erc721");
        Assert.Equal("1", item.GetProperty("amount").GetString());
        Assert.Equal(JsonValueKind.String, item.GetProperty("token_id").ValueKind);
        Assert.Equal("TNFT", item.GetProperty("asset_symbol").GetString());
    }
}
