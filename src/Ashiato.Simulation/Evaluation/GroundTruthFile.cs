using System.Globalization;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Simulation.Evaluation;

/// <summary>An entity of the simulated world as the ground truth records it.</summary>
public sealed record TruthEntity(string Id, string Name, string Kind, string? Country, string? Actor);

/// <summary>A terminal point of stolen value (an exchange deposit, the mixer, the bridge, still held…).</summary>
public sealed record TruthEndpoint(string Kind, string Entity, string Outpoint, long AmountSat);

/// <summary>One theft: who stole how much from whom, and where every stolen satoshi ended.</summary>
/// <param name="StolenOutputs">The theft transaction's outputs that carry the stolen value (<c>txid:vout</c>).</param>
public sealed record TruthTheft(string Id, string Actor, string Victim, string Date, string TxId, long StolenSat, IReadOnlyList<TruthEndpoint> Endpoints,
    IReadOnlyList<string> StolenOutputs);

/// <summary>
/// The simulator's ground truth (<c>truth/ground-truth.json</c> and <c>truth/addresses.csv</c>), read only by
/// <c>ashiato evaluate</c> — never by the analysis.
/// </summary>
public sealed class GroundTruthFile
{
    private GroundTruthFile(string path, IReadOnlyList<TruthEntity> entities, IReadOnlyList<TruthTheft> thefts, IReadOnlyDictionary<string, string> addresses)
    {
        Path = path;
        Entities = entities;
        Thefts = thefts;
        Addresses = addresses;
    }

    public string Path { get; }

    public IReadOnlyList<TruthEntity> Entities { get; }

    public IReadOnlyList<TruthTheft> Thefts { get; }

    /// <summary>Every address of the world → its true entity id.</summary>
    public IReadOnlyDictionary<string, string> Addresses { get; }

    /// <summary>Reads a world's truth from its directory, its truth/ directory or the ground-truth.json file.</summary>
    public static GroundTruthFile Load(string path)
    {
        var file = Directory.Exists(path)
            ? (File.Exists(System.IO.Path.Combine(path, "ground-truth.json")) ? System.IO.Path.Combine(path, "ground-truth.json") : System.IO.Path.Combine(path, "truth", "ground-truth.json"))
            : path;
        if (!File.Exists(file))
        {
            throw new UserErrorException($"{path}: no ground truth here (expected a simulated world's truth/ground-truth.json)");
        }

        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{file}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message}");
        }

        try
        {
            var entities = root.GetProperty("entities").EnumerateArray().Select(e => new TruthEntity(
                e.GetProperty("id").GetString()!, e.GetProperty("name").GetString()!, e.GetProperty("kind").GetString()!,
                Optional(e, "country"), Optional(e, "actor"))).ToList();
            var thefts = root.GetProperty("thefts").EnumerateArray().Select(t => new TruthTheft(
                t.GetProperty("id").GetString()!, t.GetProperty("actor").GetString()!, t.GetProperty("victim").GetString()!,
                t.GetProperty("date").GetString()!, t.GetProperty("txid").GetString()!, t.GetProperty("stolen_sat").GetInt64(),
                t.GetProperty("segments").EnumerateArray().SelectMany(s => s.GetProperty("endpoints").EnumerateArray())
                    .Select(p => new TruthEndpoint(p.GetProperty("kind").GetString()!, p.GetProperty("entity").GetString()!,
                        p.GetProperty("outpoint").GetString()!, p.GetProperty("amount_sat").GetInt64())).ToList(),
                t.GetProperty("stolen_outputs").EnumerateArray().Select(o => o.GetString()!).ToList())).ToList();
            var addressesFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file)!, root.GetProperty("addresses_file").GetString()!);
            var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
            var lineNumber = 0;
            foreach (var line in File.ReadLines(addressesFile))
            {
                lineNumber++;
                if (lineNumber == 1 || line.Length == 0)
                {
                    continue;
                }

                var parts = line.Split(',');
                if (parts.Length < 2)
                {
                    throw new UserErrorException($"{addressesFile} line {lineNumber}: expected address,entity,role");
                }

                addresses[parts[0]] = parts[1];
            }

            return new GroundTruthFile(file, entities, thefts, addresses);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UserErrorException($"{file}: not a ground-truth file of this version ({e.Message})");
        }
    }

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string Btc(long sat) => (sat / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture);
}
