using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Simulation.Evaluation;

/// <summary>
/// Where one EVM theft's value truly ended, from the lots of truth/evm-ground-truth.json: starting at the theft's lots
/// (origin <c>theft</c>) and walking their children down to a lot with an <c>end</c> (a service: <c>exchange:ENTITY</c>,
/// <c>otc</c>, <c>mixer</c> — what a mixer pays out later is a new trail —, <c>bridge</c> for sBTC burnt) or without children
/// (<c>held</c>: still with the hacker). Amounts in base units per asset symbol (ETH, USDT, sBTC).
/// </summary>
/// <para><see cref="Transactions"/>: the transactions that moved the stolen lots, the seeds of a trace of the theft.</para>
public sealed record EvmTheftTrail(string Id, IReadOnlyList<string> Transactions, IReadOnlyDictionary<(string Asset, string Key), BigInteger> Endpoints);

/// <summary>Per asset over all EVM thefts: value that truly reached services, value the traces put at services, their overlap.</summary>
public sealed record EvmAssetScore(string Asset, BigInteger TruthAtServices, BigInteger TracedAtServices, BigInteger Matched, BigInteger TruthHeld, BigInteger TracedHeld)
{
    /// <summary>Matched / value that truly reached services (1 when nothing did).</summary>
    public decimal Recall => TruthAtServices.IsZero ? 1m : Ratio(Matched, TruthAtServices);

    /// <summary>Matched / value the traces put at services (1 when they put none).</summary>
    public decimal Precision => TracedAtServices.IsZero ? 1m : Ratio(Matched, TracedAtServices);

    private static decimal Ratio(BigInteger a, BigInteger b) => Math.Round((decimal)(double)a / (decimal)(double)b, 4);
}

/// <summary>
/// Scores traces of the simulated EVM thefts by value, per asset: for every (theft, asset, service endpoint) matched =
/// min(traced, true); recall = Σ matched / Σ true at services, precision = Σ matched / Σ traced at services. Value held at
/// the end (truth: lots with no children; trace: unspent) is reported beside, not scored — as for the Bitcoin-family
/// thefts (<see cref="TraceScoring"/>). The endpoint keys of a trace come from <see cref="Key"/>.
/// </summary>
public static class EvmTraceScoring
{
    public const string Held = "held";

    /// <summary>The chain name and the thefts of a world's truth/evm-ground-truth.json; null when the world has none.</summary>
    public static (string Chain, IReadOnlyList<EvmTheftTrail> Thefts)? Load(string truthDirectory)
    {
        var file = Path.Combine(truthDirectory, "evm-ground-truth.json");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            var lots = root.GetProperty("lots").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetInt32());
            var thefts = new List<EvmTheftTrail>();
            foreach (var theft in root.GetProperty("thefts").EnumerateArray())
            {
                var id = theft.GetProperty("id").GetString()!;
                var stolen = lots.Values.Where(l => l.GetProperty("theft").GetString() == id && l.GetProperty("origin").GetString() == "theft")
                    .OrderBy(l => l.GetProperty("id").GetInt32()).ToList();
                var endpoints = Endpoints(lots, stolen.Select(l => l.GetProperty("id").GetInt32()));

                // seeds: the transactions that moved the stolen lots (a theft's transaction list can hold calls that move no value)
                thefts.Add(new EvmTheftTrail(id, stolen.Select(l => l.GetProperty("tx").GetString()!).Distinct(StringComparer.Ordinal).ToList(), endpoints));
            }

            return (root.GetProperty("chain").GetString()!, thefts);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UserErrorException($"{file}: not an EVM ground-truth file of this version ({e.Message})");
        }
    }

    /// <summary>
    /// The true endpoints of the value of the lots <paramref name="roots"/> (ids in <paramref name="lots"/>, the truth's lots by
    /// id): each lot walked down its children to a lot with an <c>end</c> (key <c>exchange:ENTITY</c>, or the end's kind) or
    /// without children (<c>held</c>); amounts summed per (asset symbol, key).
    /// </summary>
    public static Dictionary<(string Asset, string Key), BigInteger> Endpoints(IReadOnlyDictionary<int, JsonElement> lots, IEnumerable<int> roots)
    {
        var endpoints = new Dictionary<(string, string), BigInteger>();
        var stack = new Stack<int>(roots.Reverse());
        while (stack.TryPop(out var lotId))
        {
            var lot = lots[lotId];
            var asset = lot.GetProperty("asset").GetString()!;
            var amount = BigInteger.Parse(lot.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
            string? key = null;
            if (lot.TryGetProperty("end", out var end))
            {
                var kind = end.GetProperty("kind").GetString()!;
                key = kind == "exchange" ? "exchange:" + end.GetProperty("entity").GetString() : kind;
            }
            else if (lot.GetProperty("children").GetArrayLength() == 0)
            {
                key = Held;
            }

            if (key is not null)
            {
                endpoints[(asset, key)] = endpoints.GetValueOrDefault((asset, key)) + amount;
                continue;
            }

            foreach (var c in lot.GetProperty("children").EnumerateArray().Reverse())
            {
                stack.Push(c.GetInt32());
            }
        }

        return endpoints;
    }

    /// <summary>
    /// The endpoint key of a trace's endpoint edge, in the truth's terms: a service stop at an exchange →
    /// <c>exchange:ENTITY</c> (entity without its <c>actor:</c> prefix), at another category → the category (<c>otc</c>);
    /// a mixer stop → <c>mixer</c>; a bridge deposit or burn → <c>bridge</c>; unspent → <c>held</c>; any other rule → the rule.
    /// </summary>
    public static string Key(string rule, string? category, string? entity) => rule switch
    {
        "stop:service" => category == "exchange" ? "exchange:" + TraceScoring.EntityKey(entity ?? "") : category ?? "service",
        "mixer:stop" => "mixer",
        "bridge:follow" or "bridge:unpaired" => "bridge",
        "end:unspent" => Held,
        _ => rule,
    };

    public static bool IsService(string key) => key.StartsWith("exchange:", StringComparison.Ordinal) || key is "otc" or "mixer" or "bridge";

    /// <summary>Totals per asset over the thefts: each theft's true endpoints against its traced ones (same keys).</summary>
    public static IReadOnlyList<EvmAssetScore> Score(IEnumerable<(EvmTheftTrail Trail, IReadOnlyDictionary<(string Asset, string Key), BigInteger> Traced)> thefts)
    {
        var totals = new SortedDictionary<string, (BigInteger Truth, BigInteger Traced, BigInteger Matched, BigInteger TruthHeld, BigInteger TracedHeld)>(StringComparer.Ordinal);
        foreach (var (trail, traced) in thefts)
        {
            foreach (var key in trail.Endpoints.Keys.Union(traced.Keys))
            {
                var t = trail.Endpoints.GetValueOrDefault(key);
                var o = traced.GetValueOrDefault(key);
                var a = totals.GetValueOrDefault(key.Asset);
                if (IsService(key.Key))
                {
                    a = (a.Truth + t, a.Traced + o, a.Matched + BigInteger.Min(t, o), a.TruthHeld, a.TracedHeld);
                }
                else if (key.Key == Held)
                {
                    a = (a.Truth, a.Traced, a.Matched, a.TruthHeld + t, a.TracedHeld + o);
                }

                totals[key.Asset] = a;
            }
        }

        return totals.Select(kv => new EvmAssetScore(kv.Key, kv.Value.Truth, kv.Value.Traced, kv.Value.Matched, kv.Value.TruthHeld, kv.Value.TracedHeld)).ToList();
    }
}
