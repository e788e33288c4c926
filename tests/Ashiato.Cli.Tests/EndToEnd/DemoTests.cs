using System.Text.Json;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary><c>ashiato demo</c>: the README's first command.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_SimulatesAndIngestsTheSmallWorld_TwiceWithoutChange()
    {
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("demo");
        Assert.True(code == 0, err);
        Assert.Contains("1/7 simulated a small economy (seed 1)", output);
        Assert.Contains("2/7 ingested chain 'sim-bitcoin'", output);
        Assert.Contains("5/7 ingested chain 'sim-evm' (chain id 31338)", output);
        Assert.Contains("4/7 clustered 'sim-bitcoin'", output);
        Assert.Matches(@"3/7 imported the world's TagPacks: [1-9][\d,]* tags", output);
        Assert.Matches(@"clustered 'sim-evm': [1-9][\d,]* exchange deposit addresses", output);
        // every incident traced, at least one bridge hop followed into the EVM chain, one hack's path printed
        Assert.Matches(@"6/7 traced 7 incidents forward from their theft transactions .*: [1-9][\d,]* edges, [1-9]\d* bridge hop", output);
        Assert.Contains("one hack's path: Kaiyo Exchange", output);
        // one row per party over both chains, by USD: a party reached on both chains shows both (the shares add up to ≤ 100 %)
        var hackRows = System.Text.RegularExpressions.Regex.Matches(output, @"^     (\S+) +USD +[\d,]+ +(\d+\.\d\d) %   (.+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.InRange(hackRows.Count, 2, 6);
        Assert.InRange(hackRows.Sum(m => decimal.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)), 1m, 100.01m);
        Assert.Contains(hackRows, m => m.Groups[3].Value.Contains("(sim-bitcoin); ", StringComparison.Ordinal) && m.Groups[3].Value.EndsWith("(sim-evm)", StringComparison.Ordinal));
        Assert.DoesNotContain("units of 0x", output);
        // the headline table: Lazarus's thefts by victim country with reported and measured values and shares
        Assert.Contains("7/7 stolen value by victim country, actor Lazarus Group", output);
        // (reported JPY converted from the reported USD; measured on both chains)
        Assert.Matches(@"\| JP \| 1 \| USD [\d,]+\.\d\d \| JPY [\d,]+ \| [\d.]+ BTC \(sim-bitcoin\); [^|]*ETH \(sim-evm\) \| USD [\d,]+\.\d\d \| JPY [\d,]+ \| \d+\.\d\d %", output);
        // the same table measured from Lazarus's tagged addresses alone (backward trace): its thefts' victim countries, both chains
        Assert.Matches(@"traced backward from the [1-9]\d* addresses tagged Lazarus, by source country:", output);
        // the backward trace finds what the forward trace of the incidents measured for SG, and on Bitcoin exactly what the
        // truth says was stolen there
        var forwardSg = System.Text.RegularExpressions.Regex.Match(output, @"\| SG \| 1 \| USD [\d,.]+ \| JPY [\d,]+ \| ([^|]+) \|");
        var backwardSg = System.Text.RegularExpressions.Regex.Match(output, @"\| SG \| ([^|]+) \| USD [\d,]+\.\d\d \| JPY [\d,]+ \| \d+\.\d\d % \|");
        Assert.True(forwardSg.Success && backwardSg.Success, output);
        Assert.Equal(forwardSg.Groups[1].Value.Trim(), backwardSg.Groups[1].Value.Trim());
        var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.StoreDir, "world", "truth", "ground-truth.json"))).RootElement;
        var sgVictims = truth.GetProperty("entities").EnumerateArray().Where(e => e.GetProperty("country").GetString() == "SG")
            .Select(e => e.GetProperty("id").GetString()).ToHashSet();
        var sgStolen = truth.GetProperty("thefts").EnumerateArray()
            .Where(t => t.GetProperty("actor").GetString() == "lazarus" && sgVictims.Contains(t.GetProperty("victim").GetString()))
            .Sum(t => t.GetProperty("stolen_sat").GetInt64());
        Assert.True(sgStolen > 0);
        Assert.StartsWith((sgStolen / 100_000_000m).ToString("#,0.00000000", System.Globalization.CultureInfo.InvariantCulture) + " BTC (sim-bitcoin); ", backwardSg.Groups[1].Value.Trim());
        Assert.Matches(@"USDT \(sim-evm\); [\d,.]+ ETH \(sim-evm\)$", backwardSg.Groups[1].Value.Trim());
        Assert.True(File.Exists(Path.Combine(cli.StoreDir, "reports", "actor-lazarus.html")));
        Assert.Contains("not yet in the demo", output); // says what is missing rather than pretending
        var ledger = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.StoreDir, "world", "ledger.json"))).RootElement;

        (code, var status, err) = await cli.RunAsync("status", "--json");
        Assert.True(code == 0, err);
        var evmChain = JsonDocument.Parse(status).RootElement.GetProperty("evm_chains")[0];
        Assert.Equal("sim-evm", evmChain.GetProperty("chain").GetString());
        Assert.Equal(0, evmChain.GetProperty("blocks_without_traces").GetArrayLength());
        var chain = JsonDocument.Parse(status).RootElement.GetProperty("chains")[0];
        Assert.Equal("sim-bitcoin", chain.GetProperty("chain").GetString());
        Assert.Equal(ledger.GetProperty("transactions").GetInt64(), chain.GetProperty("transactions").GetInt64());

        (code, output, err) = await cli.RunAsync("demo");
        Assert.True(code == 0, err);
        Assert.Contains("sim-bitcoin': +0 blocks", output);
        Assert.Contains("from the simulated node: +0 blocks", output);
    }

    [Fact]
    public async Task Demo_WithRealBlockFiles_IngestsBitcoinHeights0To599()
    {
        using var cli = new CliRunner();
        var (code, output, err) = await cli.RunAsync("demo", "--data", CliRunner.Data("bitcoin", "nbitcoin"));
        Assert.True(code == 0, err);
        Assert.Contains("bitcoin heights 0..599, 616 tx", output);
    }
}

/// <summary><c>ashiato evaluate</c> against the demo world's ground truth.</summary>
public sealed class EvaluateTests
{
    [Fact]
    public async Task Evaluate_DemoWorld_ReportsMissingStagesAndAWholeChain()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("demo", "--no-serve"); // accepted; the demo exits either way until a UI server exists
        Assert.True(code == 0, err);
        var report = Path.Combine(cli.WorkDir, "accuracy.md");
        (code, var output, err) = await cli.RunAsync("evaluate", "--truth", Path.Combine(cli.StoreDir, "world"), "--out", report);
        Assert.True(code == 0, err);
        Assert.Equal(output, File.ReadAllText(report));
        // The demo clusters, so clustering is scored; the stages that do not exist are missing, never a made-up score.
        Assert.Matches(@"\| clustering \| [^|]+\| pair precision \d\.\d{4}, pair recall \d\.\d{4}, mean completeness \d\.\d{4}", output);
        // Tracing is scored from the thefts of the truth, traced forward from their theft transactions.
        Assert.Matches(@"\| tracing \| [^|]+\| \d+ thefts traced forward [^|]*recall by value \d\.\d{4}, precision by value \d\.\d{4}", output);
        // The EVM thefts too, per asset against the truth's lots: the laundering accounts hold only stolen value (gas top-ups
        // aside), so a haircut trace that stops at the tagged exchanges, OTC desk and mixer finds nearly all of it.
        var evm = System.Text.RegularExpressions.Regex.Match(output, @"\| tracing \(EVM thefts\) \| [^|]+\| 7 EVM thefts traced forward [^|]*per asset: ETH (\d\.\d{4})/(\d\.\d{4}) [^|]*USDT (\d\.\d{4})/(\d\.\d{4})");
        Assert.True(evm.Success, output);
        Assert.All(Enumerable.Range(1, 4), g => Assert.InRange(decimal.Parse(evm.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture), 0.95m, 1m));
        // Attribution: on chain (cluster labels of the theft's inputs and stolen outputs) and reported (imported incidents).
        // The demo world's TagPacks tag every victim's wallets and name the thieves' receiving addresses (sanctions), so
        // each route attributes every stolen satoshi of the 5 Bitcoin thefts.
        Assert.Matches(@"\| attribution \| [^|]+\| on chain [^|]*victim 1\.0000, victim country 1\.0000 [^|]*5 of 5 theft transactions [^|]*actor 1\.0000 [^|]*reported [^|]*1\.0000", output);
        // EVM thefts, by USD: the incidents name every theft transaction; on chain the victims' hot wallets and protocols and
        // the thieves' receiving addresses are tagged (the world's EVM TagPack), so each route attributes every stolen dollar.
        Assert.Matches(@"\| attribution \(EVM thefts\) \| [^|]+\| on chain [^|]*victim 1\.0000, victim country 1\.0000 [^|]*actor 1\.0000 [^|]*reported [^|]*1\.0000; shares of USD [\d,]+ stolen in 7 EVM thefts", output);
        Assert.Contains("| typologies |", output);
        Assert.Contains("the store holds no typologies results", output);

        var addresses = System.Text.RegularExpressions.Regex.Match(output, @"found in the store \| ([\d,]+) of ([\d,]+) ");
        Assert.True(addresses.Success, output);
        Assert.Equal(addresses.Groups[2].Value, addresses.Groups[1].Value);
        Assert.Matches(@"theft transactions found \| (\d+) of \1 \|", output);
        Assert.Contains("| lazarus |", output);

        (code, var again, _) = await cli.RunAsync("evaluate", "--truth", Path.Combine(cli.StoreDir, "world"), "--out", report);
        Assert.Equal(0, code);
        Assert.Equal(output, again); // deterministic

        // a truth that names an address the store lacks: the data check counts it and names it
        var copy = Path.Combine(cli.WorkDir, "world-copy");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(cli.StoreDir, "world", "truth")))
        {
            Directory.CreateDirectory(Path.Combine(copy, "truth"));
            File.Copy(file, Path.Combine(copy, "truth", Path.GetFileName(file)));
        }

        File.AppendAllText(Path.Combine(copy, "truth", "addresses.csv"), "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080,nobody,receive\n");
        (code, var missing, err) = await cli.RunAsync("evaluate", "--truth", copy, "--out", Path.Combine(cli.WorkDir, "missing.md"));
        Assert.True(code == 0, err);
        Assert.Matches(@"found in the store \| ([\d,]+) of ([\d,]+) \([\d.]+ %\); not found: bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080 \(nobody\) \|", missing);
    }

    [Fact]
    public async Task Evaluate_NoTruthThere_ExitsOneNamingThePath()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("evaluate", "--truth", cli.WorkDir);
        Assert.Equal(1, code);
        Assert.Contains("no ground truth here", err);
    }
}
