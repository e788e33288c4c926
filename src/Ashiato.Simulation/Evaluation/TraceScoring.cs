using System.Globalization;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Simulation.Evaluation;

/// <summary>
/// Where one theft's stolen value truly ended, from segment 0 of the ground truth (the stolen outputs and every laundering
/// hop up to a service): amount per endpoint entity for the endpoints at services (exchange, otc, mixer, bridge) and the
/// amount still held by the hacker. A mixer payout starts a new segment in the truth (the mixer pays from its own
/// reserve), so the mixer is the true endpoint of what entered it.
/// </summary>
public sealed record TheftTrail(string Id, string TxId, long StolenSat, long FeesSat, IReadOnlyDictionary<string, long> AtServices, long HeldSat)
{
    public long AtServicesSat => AtServices.Values.Sum();
}

/// <summary>
/// One theft's trace against its trail: value matched per entity (min of traced and true), recall and precision by value;
/// and the same recall over only the true endpoints at entities the store can name on the chain (<c>Tagged</c>: an entity
/// with at least one tagged address there — a trace cannot attribute value to a service nobody has tagged).
/// </summary>
public sealed record TheftTraceScore(string Id, long StolenSat, long TruthAtServicesSat, long TracedAtServicesSat, long MatchedSat, long TracedUnattributedSat)
{
    /// <summary>Matched / value that truly reached services (1 when nothing did).</summary>
    public decimal Recall => TruthAtServicesSat == 0 ? 1m : Math.Round((decimal)MatchedSat / TruthAtServicesSat, 4);

    /// <summary>Matched / value the trace put at attributed endpoints (1 when it put none).</summary>
    public decimal Precision => TracedAtServicesSat == 0 ? 1m : Math.Round((decimal)MatchedSat / TracedAtServicesSat, 4);

    /// <summary>Value that truly reached services the store can name (all of <see cref="TruthAtServicesSat"/> when not given).</summary>
    public long TruthAtTaggedSat { get; init; } = -1;

    /// <summary>Matched value at those services.</summary>
    public long MatchedTaggedSat { get; init; } = -1;

    /// <summary>Matched / value that truly reached services the store can name (1 when nothing did).</summary>
    public decimal RecallTagged => TruthAtTaggedSat <= 0 ? 1m : Math.Round((decimal)MatchedTaggedSat / TruthAtTaggedSat, 4);
}

/// <summary>
/// Scores traces of the simulated thefts by value: for each theft, the trace's endpoint amounts per attributed entity
/// (from the trace summary) against the truth's endpoints per entity. matched = Σ over entities of min(traced, true);
/// recall = matched / Σ true at services; precision = matched / Σ traced at attributed endpoints. Value still held by the
/// hacker in the truth and unattributed endpoints of the trace are reported beside, not scored. Entity keys are compared
/// without an <c>actor:</c> prefix (attribution names parties by actor id).
/// </summary>
public static class TraceScoring
{
    public static readonly string[] ServiceKinds = ["exchange", "otc", "mixer", "bridge"];

    /// <summary>Reads every theft's segment 0 from a world's ground-truth.json (its directory, truth/ directory or the file).</summary>
    public static IReadOnlyList<TheftTrail> LoadTrails(string path)
    {
        var file = Directory.Exists(path)
            ? (File.Exists(Path.Combine(path, "ground-truth.json")) ? Path.Combine(path, "ground-truth.json") : Path.Combine(path, "truth", "ground-truth.json"))
            : path;
        if (!File.Exists(file))
        {
            throw new UserErrorException($"{path}: no ground truth here (expected truth/ground-truth.json)");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var trails = new List<TheftTrail>();
            foreach (var t in doc.RootElement.GetProperty("thefts").EnumerateArray())
            {
                var segment = t.GetProperty("segments").EnumerateArray().First(s => s.GetProperty("kind").GetString() == "theft");
                var at = new SortedDictionary<string, long>(StringComparer.Ordinal);
                long held = 0;
                foreach (var e in segment.GetProperty("endpoints").EnumerateArray())
                {
                    var kind = e.GetProperty("kind").GetString()!;
                    var amount = e.GetProperty("amount_sat").GetInt64();
                    if (ServiceKinds.Contains(kind))
                    {
                        var entity = e.GetProperty("entity").GetString()!;
                        at[entity] = at.GetValueOrDefault(entity) + amount;
                    }
                    else
                    {
                        held += amount;
                    }
                }

                var fees = segment.GetProperty("mining_fees_sat").GetInt64() + segment.GetProperty("service_fees_sat").GetInt64();
                trails.Add(new TheftTrail(t.GetProperty("id").GetString()!, t.GetProperty("txid").GetString()!, t.GetProperty("stolen_sat").GetInt64(), fees, at, held));
            }

            return trails;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UserErrorException($"{file}: not a ground-truth file of this version ({e.Message})");
        }
    }

    public static string EntityKey(string key) => key.StartsWith("actor:", StringComparison.Ordinal) ? key["actor:".Length..] : key;

    /// <summary>
    /// Scores one theft. <paramref name="tracedByEntity"/>: the trace's endpoint amounts by entity key (base units);
    /// <paramref name="unattributed"/>: its unattributed endpoints; <paramref name="tagged"/>: the entity keys the store can
    /// name on the chain (null = all).
    /// </summary>
    public static TheftTraceScore Score(TheftTrail trail, IEnumerable<KeyValuePair<string, long>> tracedByEntity, long unattributed, IReadOnlySet<string>? tagged = null)
    {
        var traced = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, amount) in tracedByEntity)
        {
            var k = EntityKey(key);
            traced[k] = traced.GetValueOrDefault(k) + amount;
        }

        long matched = 0, truthTagged = 0, matchedTagged = 0;
        foreach (var (entity, amount) in trail.AtServices)
        {
            var m = Math.Min(amount, traced.GetValueOrDefault(entity));
            matched += m;
            if (tagged is null || tagged.Contains(entity))
            {
                truthTagged += amount;
                matchedTagged += m;
            }
        }

        return new TheftTraceScore(trail.Id, trail.StolenSat, trail.AtServicesSat, traced.Values.Sum(), matched, unattributed)
        {
            TruthAtTaggedSat = truthTagged,
            MatchedTaggedSat = matchedTagged,
        };
    }

    /// <summary>Recall over the services the store can name, over several thefts.</summary>
    public static decimal TotalRecallTagged(IReadOnlyCollection<TheftTraceScore> scores)
    {
        var truth = scores.Sum(s => s.TruthAtTaggedSat);
        return truth <= 0 ? 1m : Math.Round((decimal)scores.Sum(s => s.MatchedTaggedSat) / truth, 4);
    }

    /// <summary>Recall and precision by value over several thefts (sums of matched, true and traced values).</summary>
    public static (decimal Recall, decimal Precision) Total(IReadOnlyCollection<TheftTraceScore> scores)
    {
        var truth = scores.Sum(s => s.TruthAtServicesSat);
        var traced = scores.Sum(s => s.TracedAtServicesSat);
        var matched = scores.Sum(s => s.MatchedSat);
        return (truth == 0 ? 1m : Math.Round((decimal)matched / truth, 4), traced == 0 ? 1m : Math.Round((decimal)matched / traced, 4));
    }

    public static string Format(decimal d) => d.ToString("0.0000", CultureInfo.InvariantCulture);
}
