using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Simulation;

/// <summary>What <see cref="Simulation.Run"/> produced.</summary>
public sealed record SimulationResult(string OutDir, Ledger Ledger, int Thefts, IReadOnlyList<string> Files, Evm.EvmSimulationSummary? Evm = null);

/// <summary>
/// <c>ashiato simulate</c>: a deterministic simulated economy 2017–2024 on a Bitcoin-family (regtest) chain, written as
/// blk files plus prices, TagPacks, an IncidentPack, the ground truth, the simulator's ledger and a manifest.
/// </summary>
public static class Simulation
{
    public const string Generator = "ashiato-simulate";
    public const int FormatVersion = 1;

    private static readonly string[] OwnedEntries = ["bitcoin", "evm", "prices", "tags", "incidents", "truth", "ledger.json", "manifest.json"];

    /// <summary>small = 10 000 tx, medium = 1 000 000, large = 10 000 000, or a positive count.</summary>
    public static long ParseScale(string scale) => scale.ToLowerInvariant() switch
    {
        "small" => 10_000,
        "medium" => 1_000_000,
        "large" => 10_000_000,
        _ => long.TryParse(scale.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1000
            ? n
            : throw new UserErrorException($"--scale: '{scale}' is not small, medium, large or a transaction count of at least 1000"),
    };

    /// <summary>Refuses a non-empty directory unless it holds a previous simulate output (then clears what simulate wrote).</summary>
    public static void PrepareOutDir(string outDir)
    {
        if (File.Exists(outDir))
        {
            throw new UserErrorException($"{outDir} is a file, not a directory");
        }

        if (!Directory.Exists(outDir) || !Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            Directory.CreateDirectory(outDir);
            return;
        }

        var manifest = Path.Combine(outDir, "manifest.json");
        var ours = File.Exists(manifest) && File.ReadAllText(manifest).Contains($"\"generator\": \"{Generator}\"", StringComparison.Ordinal);
        if (!ours)
        {
            throw new UserErrorException($"{outDir} is not empty and holds no previous simulate output (manifest.json); choose an empty or new directory");
        }

        var foreign = Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName).Where(n => !OwnedEntries.Contains(n)).ToList();
        if (foreign.Count > 0)
        {
            throw new UserErrorException($"{outDir} holds a previous simulate output but also {string.Join(", ", foreign)}; refusing to overwrite");
        }

        foreach (var entry in OwnedEntries)
        {
            var path = Path.Combine(outDir, entry);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }

    public static SimulationResult Run(ulong seed, long targetTx, string outDir, IProgress<SimulationProgress>? progress = null,
        CancellationToken ct = default)
    {
        PrepareOutDir(outDir);
        var prices = new PriceSeries(seed);
        Directory.CreateDirectory(Path.Combine(outDir, "truth"));
        EconomySimulator sim;
        Evm.EvmEconomy eco;
        using (var addresses = new StreamWriter(Path.Combine(outDir, "truth", "addresses.csv"), false, World.Utf8, 1 << 20))
        {
            addresses.NewLine = "\n";
            addresses.Write("address,entity,role\n");
            sim = new EconomySimulator(seed, targetTx, Path.Combine(outDir, "bitcoin", "blocks"), addresses, prices);

            // the two chains advance day by day together: mints follow deposits, releases follow burns
            eco = Evm.EvmOutput.Create(outDir, seed, targetTx, sim);
            sim.BeforeDay = day => eco.RunUntil(day, ct);
            sim.WrappedSupply = () => eco.WrappedSupplySat;
            sim.Run(progress, ct);
            eco.RunUntil(SimCalendar.Days, ct);
            eco.Finish();
        }

        var evm = Evm.EvmOutput.Write(outDir, seed, eco, sim);
        Directory.CreateDirectory(Path.Combine(outDir, "prices"));
        foreach (var (file, csv) in prices.Files())
        {
            File.WriteAllText(Path.Combine(outDir, "prices", file), csv, World.Utf8);
        }
        OutputWriters.WriteTagPacks(outDir, sim);
        OutputWriters.WriteIncidents(outDir, sim);
        OutputWriters.WriteGroundTruth(outDir, seed, sim);
        WriteLedger(outDir, seed, targetTx, sim.Ledger);
        var files = WriteManifest(outDir, seed, targetTx);
        return new SimulationResult(outDir, sim.Ledger, sim.Thefts.Count, files, evm);
    }

    private static void WriteLedger(string outDir, ulong seed, long targetTx, Ledger l)
    {
        using var stream = File.Create(Path.Combine(outDir, "ledger.json"));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("seed", seed);
        w.WriteNumber("target_transactions", targetTx);
        w.WriteString("network", "bitcoin-regtest");
        w.WriteNumber("blocks", l.Blocks);
        w.WriteNumber("tip_height", l.Blocks - 1);
        w.WriteString("tip_hash", l.TipHash);
        w.WriteNumber("transactions", l.Transactions);
        w.WriteNumber("inputs", l.Inputs);
        w.WriteNumber("outputs", l.Outputs);
        w.WriteNumber("addresses_created", l.Addresses);
        w.WriteNumber("coinbase_value_sat", l.CoinbaseValue);
        w.WriteNumber("subsidy_sat", l.Subsidy);
        w.WriteNumber("fees_sat", l.Fees);
        w.WriteNumber("utxo_count", l.UtxoCount);
        w.WriteNumber("utxo_value_sat", l.UtxoValue);
        w.WriteNumber("block_bytes", l.BlockBytes);
        w.WriteString("identities", "coinbase_value = subsidy + fees; utxo_value = subsidy (genesis included; the witness commitment outputs carry 0)");
        w.WriteEndObject();
    }

    private static List<string> WriteManifest(string outDir, ulong seed, long targetTx)
    {
        var files = Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/'))
            .Where(f => f != "manifest.json")
            .Order(StringComparer.Ordinal)
            .ToList();
        using var stream = File.Create(Path.Combine(outDir, "manifest.json"));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("generator", Generator);
        w.WriteNumber("format_version", FormatVersion);
        w.WriteNumber("seed", seed);
        w.WriteNumber("target_transactions", targetTx);
        w.WriteStartArray("files");
        foreach (var f in files)
        {
            var path = Path.Combine(outDir, f);
            using var fs = File.OpenRead(path);
            w.WriteStartObject();
            w.WriteString("path", f);
            w.WriteNumber("bytes", fs.Length);
            w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(fs)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        return files;
    }

    internal static string Yaml(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal static readonly Encoding Utf8 = World.Utf8;
}
