using System.Text.Json;
using Ashiato.Core;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary><c>ashiato ingest evm</c>, <c>status</c> and <c>export</c> of an EVM chain, end to end against a real anvil node.</summary>
public sealed class CliEvmTests
{
    private static async Task<AnvilNode> NodeWithTransfersAsync(int count)
    {
        var node = await AnvilNode.StartAsync(new AnvilOptions());
        for (var i = 0; i < count; i++)
        {
            await node.SendTransactionAsync(node.Accounts[i % 3], EvmScenario.FreshAddress(i), new UInt256((ulong)(i + 1) * 1_000_000_000_000UL));
        }

        return node;
    }

    [Fact]
    public async Task IngestEvm_ThenStatusAndExport_ShowTheChainInEthereumEtlSchemas()
    {
        await using var node = await NodeWithTransfersAsync(4);
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "anvil");
        Assert.True(code == 0, err);
        Assert.Contains("anvil (chain id 31337): +5 blocks (0..4), 4 tx", output);
        Assert.Contains("traces: parity", output);

        (code, output, err) = await cli.RunAsync("status", "--json");
        Assert.True(code == 0, err);
        var evm = JsonDocument.Parse(output).RootElement.GetProperty("evm_chains")[0];
        Assert.Equal("anvil", evm.GetProperty("chain").GetString());
        Assert.Equal(4, evm.GetProperty("tip_height").GetInt64());
        Assert.Equal(0, evm.GetProperty("blocks_without_traces").GetArrayLength());

        (code, output, err) = await cli.RunAsync("export", "blocks", "--chain", "anvil", "--format", "ethereum-etl");
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal(4, JsonDocument.Parse(lines[4]).RootElement.GetProperty("number").GetInt64());

        var file = Path.Combine(cli.WorkDir, "tx.csv");
        (code, _, err) = await cli.RunAsync("export", "transactions", "--format", "csv", "--from", "1", "--to", "4", "-o", file);
        Assert.True(code == 0, err);
        var rows = File.ReadAllLines(file);
        Assert.StartsWith("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,", rows[0]);
        Assert.Equal(5, rows.Length);
        Assert.Contains(rows, r => r.Contains($",{EvmScenario.FreshAddress(3)},4000000000000,", StringComparison.Ordinal));

        (code, _, err) = await cli.RunAsync("export", "blocks", "--chain", "anvil", "--format", "bitcoin-etl");
        Assert.Equal(1, code);
        Assert.Contains("EVM chain", err);
    }

    [Fact]
    public async Task IngestEvm_NoTraces_StatusListsTheGap_ThenResumeAddsNewBlocks()
    {
        await using var node = await NodeWithTransfersAsync(2);
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "devnet", "--chain-id", "31337", "--no-traces");
        Assert.True(code == 0, err);
        Assert.Contains("3 blocks are stored without traces", output);

        await node.SendTransactionAsync(node.Accounts[0], EvmScenario.FreshAddress(50), new UInt256(1));
        (code, output, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "devnet");
        Assert.True(code == 0, err);
        Assert.Contains("+1 blocks (3..3)", output);

        (code, output, _) = await cli.RunAsync("status");
        Assert.Equal(0, code);
        Assert.Contains("0..2", output); // the range stored without traces
        Assert.Contains("devnet", output);
    }

    [Fact]
    public async Task IngestEvm_NodeOnAnotherChain_ExitsOneNamingBothChainIds()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions());
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("ingest", "evm", "--rpc", node.RpcUrl.ToString(), "--chain", "bsc");
        Assert.Equal(1, code);
        Assert.Contains("chain id 31337", err);
        Assert.Contains("'bsc' is chain id 56", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task IngestEvm_NoNodeListening_ExitsOneNamingTheUrl()
    {
        using var cli = new CliRunner();
        var url = $"http://127.0.0.1:{Ashiato.TestSupport.FreeTcpPort.Pick()}/";
        var (code, _, err) = await cli.RunAsync("ingest", "evm", "--rpc", url, "--chain", "anvil", "--rpc-retries", "1");
        Assert.Equal(1, code);
        Assert.Contains(url.TrimEnd('/'), err);
    }
}
