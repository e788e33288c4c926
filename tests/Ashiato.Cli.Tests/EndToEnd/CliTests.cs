using System.Text.Json;

namespace Ashiato.Cli.Tests.EndToEnd;

public sealed class CliTests
{
    public static TheoryData<string[]> Verbs => new()
    {
        new[] { "--help" },
        new[] { "demo", "--help" },
        new[] { "ingest", "--help" },
        new[] { "ingest", "bitcoin", "--help" },
        new[] { "ingest", "evm", "--help" },
        new[] { "status", "--help" },
        new[] { "show", "--help" },
        new[] { "show", "block", "--help" },
        new[] { "show", "tx", "--help" },
        new[] { "show", "address", "--help" },
        new[] { "export", "--help" },
        new[] { "simulate", "--help" },
        new[] { "evaluate", "--help" },
        new[] { "tags", "--help" },
        new[] { "cluster", "--help" },
        new[] { "heuristics", "--help" },
        new[] { "explain", "--help" },
        new[] { "entity", "--help" },
        new[] { "incidents", "--help" },
        new[] { "prices", "--help" },
        new[] { "trace", "--help" },
        new[] { "report", "--help" },
        new[] { "report", "actor", "--help" },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_OnEveryVerb_ExitsZeroAndPrintsUsage(string[] args)
    {
        using var cli = new CliRunner();
        var (code, output, _) = await cli.RunAsync(args);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("--store", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownVerb_ExitsOne()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("frobnicate");
        Assert.Equal(1, code);
        Assert.Contains("frobnicate", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WithoutStore_ExitsOneWithOneLineMessage()
    {
        using var cli = new CliRunner();
        var (code, _, err) = await cli.RunAsync("status");
        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains("no Ashiato store", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_NBitcoinBlockFiles_GivesHeights0To599WithCorrectTotals()
    {
        using var cli = new CliRunner();
        foreach (var f in new[] { "blk00000.dat", "blk00001.dat" })
        {
            File.Copy(CliRunner.Data("bitcoin", "nbitcoin", f), Path.Combine(cli.WorkDir, f));
        }

        var (code, output, err) = await cli.RunAsync("ingest", "bitcoin", "--blocks", cli.WorkDir, "--json");
        Assert.True(code == 0, err);
        using var result = JsonDocument.Parse(output);
        Assert.Equal(600, result.RootElement.GetProperty("blocks_added").GetInt32());

        var (_, status, _) = await cli.RunAsync("status", "--json");
        var chain = JsonDocument.Parse(status).RootElement.GetProperty("chains")[0];
        Assert.Equal("bitcoin", chain.GetProperty("network").GetString());
        Assert.Equal(0, chain.GetProperty("base_height").GetInt32());
        Assert.Equal(599, chain.GetProperty("tip_height").GetInt32());
        Assert.Equal(616, chain.GetProperty("transactions").GetInt64());

        // Every coin in existence at height 599 was mined: 600 coinbases of 50 BTC, and no fees were paid (no input value lost).
        var (_, txs, _) = await cli.RunAsync("export", "transactions");
        long outputs = 0, inputs = 0, fees = 0, coinbase = 0;
        foreach (var line in txs.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var t = JsonDocument.Parse(line).RootElement;
            outputs += t.GetProperty("output_value").GetInt64();
            inputs += t.GetProperty("input_value").GetInt64();
            fees += t.GetProperty("fee").GetInt64();
            if (t.GetProperty("is_coinbase").GetBoolean())
            {
                coinbase += t.GetProperty("output_value").GetInt64();
            }
        }

        Assert.Equal(600L * 50 * 100_000_000, coinbase);
        Assert.Equal(0, fees);
        Assert.Equal(coinbase + inputs, outputs);
    }

    [Fact]
    public async Task BlockFileRoute_ExportsBlocks0And1ExactlyAsBitcoinEtlDoesFromRpc()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("ingest", "bitcoin", "--blocks", CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        foreach (var (height, dir) in new[] { (0, "block_0"), (1, "block_1") })
        {
            var etl = CliRunner.Data("etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", "bitcoin", dir);
            var (_, blocks, _) = await cli.RunAsync("export", "blocks", "--from", $"{height}", "--to", $"{height}");
            var (_, txs, _) = await cli.RunAsync("export", "transactions", "--from", $"{height}", "--to", $"{height}");
            Assert.Equal(File.ReadAllText(Path.Combine(etl, "expected_blocks.json")), blocks);
            Assert.Equal(File.ReadAllText(Path.Combine(etl, "expected_transactions.json")), txs);
        }
    }

    [Fact]
    public async Task Ingest_IncompleteBlockFile_NamesFileAndOffset_KeepsEarlierBlocks()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("ingest", "bitcoin", "--blocks", CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        var incomplete = CliRunner.Data("bitcoin", "nbitcoin", "incompleteblk.dat");
        var (code, _, err) = await cli.RunAsync("ingest", "bitcoin", "--blocks", incomplete);
        Assert.Equal(1, code);
        Assert.Contains(incomplete, err, StringComparison.Ordinal);
        Assert.Contains("at offset 70449", err, StringComparison.Ordinal);
        Assert.Contains("300 blocks before it were committed", err, StringComparison.Ordinal);
        var (_, status, _) = await cli.RunAsync("status", "--json");
        Assert.Equal(599, JsonDocument.Parse(status).RootElement.GetProperty("chains")[0].GetProperty("tip_height").GetInt32());
    }

    [Fact]
    public async Task Ingest_FileCutMidBlock_ThenWhole_ResumesToTheSameState()
    {
        using var cli = new CliRunner();
        var full = File.ReadAllBytes(CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        var path = Path.Combine(cli.WorkDir, "blk00000.dat");
        File.WriteAllBytes(path, full[..(full.Length / 2)]);
        var (code, _, err) = await cli.RunAsync("ingest", "bitcoin", "--blocks", path);
        Assert.Equal(1, code);
        Assert.Contains("truncated block", err, StringComparison.Ordinal);
        var (_, status, _) = await cli.RunAsync("status", "--json");
        var tip = JsonDocument.Parse(status).RootElement.GetProperty("chains")[0].GetProperty("tip_height").GetInt32();
        Assert.InRange(tip, 100, 200);

        File.WriteAllBytes(path, full);
        (code, _, err) = await cli.RunAsync("ingest", "bitcoin", "--blocks", path);
        Assert.True(code == 0, err);
        var (_, resumed, _) = await cli.RunAsync("export", "transactions");

        using var fresh = new CliRunner();
        await fresh.RunAsync("ingest", "bitcoin", "--blocks", CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        var (_, expected, _) = await fresh.RunAsync("export", "transactions");
        Assert.Equal(expected, resumed);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("wrong-magic")]
    [InlineData("corrupt-length")]
    public async Task Ingest_DamagedBlockFile_ExitsOneNamingFileAndOffset(string damage)
    {
        using var cli = new CliRunner();
        var bytes = File.ReadAllBytes(CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        long offset = 0;
        switch (damage)
        {
            case "garbage":
                bytes = System.Text.Encoding.ASCII.GetBytes(new string('x', 4096));
                break;
            case "wrong-magic":
                offset = 8 + 285; // second record (the genesis block is 285 bytes)
                bytes[offset] = 0x12;
                break;
            case "corrupt-length":
                offset = 8 + 285 + 4;
                bytes[offset] = 0xff;
                bytes[offset + 1] = 0xff;
                bytes[offset + 2] = 0xff;
                bytes[offset + 3] = 0xff;
                break;
        }

        var path = Path.Combine(cli.WorkDir, "blk00000.dat");
        File.WriteAllBytes(path, bytes);
        var (code, _, err) = await cli.RunAsync("ingest", "bitcoin", "--blocks", path, "--network", "bitcoin");
        Assert.Equal(1, code);
        Assert.Contains(path, err, StringComparison.Ordinal);
        Assert.Contains($"at offset {offset}", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Block_Tx_Address_ReportKnownFacts()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("ingest", "bitcoin", "--blocks", CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        var (code, block, _) = await cli.RunAsync("show", "block", "170", "--json");
        Assert.Equal(0, code);
        var b = JsonDocument.Parse(block).RootElement;
        Assert.Equal("00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee", b.GetProperty("hash").GetString());
        Assert.Equal(2, b.GetProperty("transactions").GetArrayLength());

        var (_, tx, _) = await cli.RunAsync("show", "tx", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", "--json");
        var t = JsonDocument.Parse(tx).RootElement;
        Assert.Equal(5_000_000_000, t.GetProperty("input_value").GetInt64());
        Assert.Equal("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", t.GetProperty("outputs")[0].GetProperty("addresses")[0].GetString());
        Assert.Equal(1_000_000_000, t.GetProperty("outputs")[0].GetProperty("value").GetInt64());

        var (_, addr, _) = await cli.RunAsync("show", "address", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S", "--json", "--page-size", "2", "--page", "2");
        var a = JsonDocument.Parse(addr).RootElement;
        Assert.Equal(a.GetProperty("received").GetInt64() - a.GetProperty("sent").GetInt64(), a.GetProperty("balance").GetInt64());
        Assert.Equal(9, a.GetProperty("first_seen").GetProperty("height").GetInt32());
        Assert.Equal(2, a.GetProperty("activity").GetArrayLength());

        var (miss, _, err) = await cli.RunAsync("show", "tx", new string('a', 64));
        Assert.Equal(1, miss);
        Assert.Contains("not in the store", err, StringComparison.Ordinal);
        var (bad, _, err2) = await cli.RunAsync("show", "address", "ltc1qxyz");
        Assert.Equal(1, bad);
        Assert.Contains("not a valid bitcoin address", err2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Csv_HasHeaderAndOneRowPerBlock()
    {
        using var cli = new CliRunner();
        await cli.RunAsync("ingest", "bitcoin", "--blocks", CliRunner.Data("bitcoin", "nbitcoin", "blk00000.dat"));
        var (code, csv, _) = await cli.RunAsync("export", "blocks", "--format", "csv", "--from", "0", "--to", "9");
        Assert.Equal(0, code);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("hash,size,stripped_size,weight,number,version,merkle_root,timestamp,nonce,bits,coinbase_param,transaction_count", lines[0]);
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f,285,285,1140,0,1,", lines[1], StringComparison.Ordinal);

        var (_, txCsv, _) = await cli.RunAsync("export", "transactions", "--format", "csv", "--from", "170", "--to", "170");
        var rows = txCsv.TrimEnd('\n').Split('\n');
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16,275,275,1,0,170,", rows[2], StringComparison.Ordinal);
        Assert.Contains("\"[{\"\"index\"\": 0, \"\"spent_transaction_hash\"\": \"\"0437cd7f", rows[2], StringComparison.Ordinal);
        Assert.EndsWith(",1,2,5000000000,5000000000,0", rows[2], StringComparison.Ordinal);
    }
}
