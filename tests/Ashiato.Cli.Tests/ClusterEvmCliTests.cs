using System.Text.Json;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

/// <summary><c>ashiato cluster --chain sim-evm</c>, <c>cluster show</c>, <c>explain</c> and <c>evaluate</c> on the demo world's EVM chain.</summary>
public sealed class ClusterEvmCliTests
{
    [Fact]
    public async Task ClusterEvm_DemoWorld_FindsDepositAddressesExplainsThemAndEvaluateScoresThem()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("demo");
        Assert.True(code == 0, err);
        var world = Path.Combine(cli.StoreDir, "world");
        var truth = File.ReadLines(Path.Combine(world, "truth", "evm-addresses.csv")).Skip(1).Select(l => l.Split(',')).ToList();

        // the world's EVM TagPack tags the exchanges' EVM hot wallets (and services), never a deposit address
        var evmPack = File.ReadAllText(Path.Combine(world, "tags", "evm.yaml"));
        foreach (var t in truth.Where(t => t[2] is "hot" or "wallet" or "fresh" || t[2].StartsWith("deposit:", StringComparison.Ordinal)))
        {
            Assert.Equal(t[2] == "hot", evmPack.Contains(t[0], StringComparison.OrdinalIgnoreCase));
        }

        string output;
        (code, output, err) = await cli.RunAsync("cluster", "--chain", "sim-evm", "--json");
        Assert.True(code == 0, err);
        var meta = JsonDocument.Parse(output).RootElement.GetProperty("meta");
        var trueDeposits = truth.Count(t => t[2].StartsWith("deposit:", StringComparison.Ordinal));
        Assert.Equal(trueDeposits, meta.GetProperty("deposits").GetInt64());
        Assert.Equal(trueDeposits, meta.GetProperty("merges_by_heuristic").GetProperty("deposit-address").GetInt64());

        var deposits = truth.Where(t => t[2].StartsWith("deposit:", StringComparison.Ordinal)).GroupBy(t => t[1]).First(g => g.Count() >= 2).ToList();
        var exchange = deposits[0][1];
        (code, output, err) = await cli.RunAsync("cluster", "show", deposits[0][0], "--chain", "sim-evm", "--limit", "2");
        Assert.True(code == 0, err);
        Assert.Contains($"the cluster of exchange {exchange}: hot wallet", output);
        Assert.Contains($"deposit address of {exchange}:", output);
        Assert.Contains("qualifying forward(s)", output);

        (code, output, err) = await cli.RunAsync("explain", deposits[0][0], deposits[1][0], "--chain", "sim-evm");
        Assert.True(code == 0, err);
        Assert.Contains("2 merge(s)", output);
        Assert.Contains($"by deposit-address (0.90) in tx 0x", output);
        Assert.Contains($"forwarded to {exchange}'s hot wallet", output);

        // a token contract: creator and metadata
        var usdt = JsonDocument.Parse(File.ReadAllText(Path.Combine(world, "evm", "chain.json"))).RootElement.GetProperty("contracts").EnumerateArray()
            .First(c => c.TryGetProperty("symbol", out var s) && s.GetString() == "USDT").GetProperty("address").GetString()!;
        (code, output, err) = await cli.RunAsync("cluster", "show", usdt, "--chain", "sim-evm");
        Assert.True(code == 0, err);
        Assert.Contains("contract created by 0x", output);
        Assert.Contains("(USDT)", output);

        (code, output, err) = await cli.RunAsync("heuristics", "list", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("deposit-address", JsonDocument.Parse(output).RootElement.GetProperty("evm_heuristics").ToString());

        var report = Path.Combine(cli.WorkDir, "accuracy.md");
        (code, output, err) = await cli.RunAsync("evaluate", "--truth", world, "--out", report);
        Assert.True(code == 0, err);
        Assert.Matches(@"\| clustering \(EVM chain `sim-evm`\) \| [^|]+\| deposit addresses: precision 1\.0000 \(\d+ of \d+ detected\), recall 1\.0000", output);

        // bad input: a clear message naming the option
        (code, _, err) = await cli.RunAsync("cluster", "--chain", "sim-evm", "--evm-window", "12x");
        Assert.Equal(1, code);
        Assert.Contains("--evm-window 12x", err);
        (code, _, err) = await cli.RunAsync("cluster", "--chain", "sim-evm", "--heuristic", "multi-input");
        Assert.Equal(1, code);
        Assert.Contains("unknown EVM heuristic 'multi-input'", err);
        (code, _, err) = await cli.RunAsync("explain", deposits[0][0], "0x1234", "--chain", "sim-evm");
        Assert.Equal(1, code);
        Assert.Contains("'0x1234' is not a valid EVM address", err);
    }
}
