using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Analysis.CoinJoin;

/// <summary>CoinJoin implementations the detectors recognise. The numbers are stored in clusters.coinjoin: do not renumber.</summary>
public enum CoinJoinKind : byte
{
    None = 0,
    Wasabi1 = 1,
    WabiSabi = 2,
    WhirlpoolMix = 3,
    WhirlpoolTx0 = 4,
    JoinMarket = 5,
    GenericEqualOutput = 6,
}

/// <summary>A detector's verdict. <see cref="IsMix"/> is false for Whirlpool's Tx0 (one owner's premix transaction, not a CoinJoin).</summary>
public sealed record CoinJoinMatch(CoinJoinKind Kind, double Confidence, string Reason)
{
    public bool IsMix => Kind != CoinJoinKind.WhirlpoolTx0;
}

/// <summary>
/// Detectors for the published CoinJoin shapes, tried most specific first: Whirlpool mix, WabiSabi, Wasabi 1.x, JoinMarket,
/// generic equal-output, then Whirlpool Tx0. Pure functions of one transaction (no look-ahead), so they are incremental.
/// </summary>
public static class CoinJoinDetectors
{
    /// <summary>Samourai Whirlpool pool denominations (satoshi): 0.001, 0.01, 0.05, 0.5 BTC.</summary>
    public static readonly long[] WhirlpoolPools = [100_000, 1_000_000, 5_000_000, 50_000_000];

    /// <summary>Minimum count of equal outputs for the generic detector.</summary>
    public const int GenericMinEqual = 3;

    /// <summary>Minimum equal outputs for a Wasabi 1.x round (its anonymity set; real rounds had 50–100).</summary>
    public const int Wasabi1MinEqual = 10;

    private const long Dust = 546;

    private static readonly HashSet<long> StandardDenominations = BuildStandardDenominations();

    public static string Name(CoinJoinKind kind) => kind switch
    {
        CoinJoinKind.Wasabi1 => "wasabi-1",
        CoinJoinKind.WabiSabi => "wasabi-2-wabisabi",
        CoinJoinKind.WhirlpoolMix => "whirlpool-mix",
        CoinJoinKind.WhirlpoolTx0 => "whirlpool-tx0",
        CoinJoinKind.JoinMarket => "joinmarket",
        CoinJoinKind.GenericEqualOutput => "generic-equal-output",
        _ => "none",
    };

    /// <summary>WabiSabi standard denominations: 2^k, 3^k, 2·3^k, 10^k, 2·10^k, 5·10^k sat from 5 000 sat to 2^37 sat.</summary>
    public static bool IsStandardDenomination(long value) => StandardDenominations.Contains(value);

    public static CoinJoinMatch? Detect(TxFacts tx)
    {
        if (tx.IsCoinbase || tx.Inputs.Count == 0)
        {
            return null;
        }

        return WhirlpoolMix(tx) ?? WabiSabi(tx) ?? Wasabi1(tx) ?? JoinMarket(tx) ?? Generic(tx) ?? WhirlpoolTx0(tx);
    }

    /// <summary>Whirlpool mix: exactly 5 inputs and 5 outputs, every output exactly one pool denomination, every input between the
    /// denomination (a remix) and the denomination + 10 % (a premix with its mining fee share).</summary>
    public static CoinJoinMatch? WhirlpoolMix(TxFacts tx)
    {
        if (tx.Inputs.Count != 5 || tx.Outputs.Count != 5)
        {
            return null;
        }

        var v = tx.Outputs[0].Value;
        if (Array.IndexOf(WhirlpoolPools, v) < 0 || !tx.Outputs.TrueForAll(o => o.Value == v))
        {
            return null;
        }

        if (tx.InputValuesKnown)
        {
            return tx.Inputs.TrueForAll(i => i.Value >= v && i.Value <= v + (v / 10))
                ? new CoinJoinMatch(CoinJoinKind.WhirlpoolMix, 0.99, $"5 inputs in [{v}, {v + (v / 10)}] sat, 5 outputs of the {v} sat pool")
                : null;
        }

        return new CoinJoinMatch(CoinJoinKind.WhirlpoolMix, 0.8, $"5 outputs of the {v} sat pool (input values unknown)");
    }

    /// <summary>Wasabi 2.x (WabiSabi): many inputs and outputs, most outputs standard denominations, some repeated.</summary>
    public static CoinJoinMatch? WabiSabi(TxFacts tx)
    {
        if (tx.Inputs.Count < 10 || tx.Outputs.Count < 10)
        {
            return null;
        }

        var standard = 0;
        var counts = new Dictionary<long, int>();
        foreach (var o in tx.Outputs)
        {
            if (IsStandardDenomination(o.Value))
            {
                standard++;
                counts[o.Value] = counts.GetValueOrDefault(o.Value) + 1;
            }
        }

        var repeated = counts.Count(kv => kv.Value >= 2);
        if (standard * 10 < tx.Outputs.Count * 7 || repeated < 2 || counts.Count < 3)
        {
            return null;
        }

        return new CoinJoinMatch(CoinJoinKind.WabiSabi, 0.9,
            $"{standard}/{tx.Outputs.Count} outputs are WabiSabi standard denominations ({counts.Count} distinct, {repeated} repeated), {tx.Inputs.Count} inputs");
    }

    /// <summary>Wasabi 1.x (ZeroLink/Chaumian): ≥ 10 equal outputs of about 0.1 BTC (the base denomination, adjusted per round within
    /// ±20 %), at least as many inputs, change outputs and usually a coordinator fee output; mixing levels 2^k × base may also occur.</summary>
    public static CoinJoinMatch? Wasabi1(TxFacts tx)
    {
        var (value, count) = MostCommonOutput(tx, v => v >= 8_000_000 && v <= 12_000_000);
        if (count < Wasabi1MinEqual || tx.Inputs.Count < count)
        {
            return null;
        }

        var levels = 0;
        for (var k = 1; k <= 6; k++)
        {
            var level = value << k;
            if (tx.Outputs.Count(o => Math.Abs(o.Value - level) <= level / 100) >= 2)
            {
                levels++;
            }
        }

        return new CoinJoinMatch(CoinJoinKind.Wasabi1, count >= 30 ? 0.97 : 0.9,
            $"{count} equal outputs of {value} sat (≈ 0.1 BTC base denomination){(levels > 0 ? $", {levels} higher mixing level(s)" : "")}, {tx.Inputs.Count} inputs");
    }

    /// <summary>JoinMarket: n ≥ 3 equal outputs (the taker's and the makers' coinjoin outputs) and n−1 … n change outputs,
    /// at least n inputs; the equal amount is chosen by the taker (not a pool denomination).</summary>
    public static CoinJoinMatch? JoinMarket(TxFacts tx)
    {
        var (value, n) = MostCommonOutput(tx, v => v > Dust);
        if (n < GenericMinEqual || tx.Inputs.Count < n)
        {
            return null;
        }

        var others = tx.Outputs.Count - n;
        if (others < n - 1 || others > n)
        {
            return null;
        }

        // change outputs are distinct values (each participant's own remainder)
        var distinctOthers = tx.Outputs.Where(o => o.Value != value).Select(o => o.Value).Distinct().Count();
        if (distinctOthers != others)
        {
            return null;
        }

        return new CoinJoinMatch(CoinJoinKind.JoinMarket, 0.75, $"{n} equal outputs of {value} sat and {others} distinct change outputs, {tx.Inputs.Count} inputs");
    }

    /// <summary>Generic: ≥ 3 equal outputs, at least as many inputs from ≥ 2 addresses, the equal outputs at least a third of all outputs.</summary>
    public static CoinJoinMatch? Generic(TxFacts tx)
    {
        var (value, n) = MostCommonOutput(tx, v => v > Dust);
        if (n < GenericMinEqual || tx.Inputs.Count < n || n * 3 < tx.Outputs.Count)
        {
            return null;
        }

        var distinctInputs = tx.Inputs.Where(i => i.HasAddress).Select(i => i.Address).Distinct().Count();
        if (distinctInputs < 2)
        {
            return null;
        }

        return new CoinJoinMatch(CoinJoinKind.GenericEqualOutput, Math.Min(0.85, 0.4 + (0.05 * n)),
            $"{n} equal outputs of {value} sat, {tx.Inputs.Count} inputs from {distinctInputs} addresses");
    }

    /// <summary>Whirlpool Tx0 (premix): k ≥ 1 equal outputs (P2WPKH in Samourai's wallet: higher confidence) of a pool denomination + a
    /// mining fee share (≤ 10 %), and the coordinator's pool fee output (5 % of the pool) or the OP_RETURN fee payload. One owner: not a mix.</summary>
    public static CoinJoinMatch? WhirlpoolTx0(TxFacts tx)
    {
        foreach (var pool in WhirlpoolPools)
        {
            // the premix value: the most common output value in (pool, pool + 10 %]; the change may fall in that range too
            var (premix, k) = MostCommonOutput(tx, v => v > pool && v <= pool + (pool / 10));
            if (k == 0)
            {
                continue;
            }

            var segwit = tx.Outputs.TrueForAll(o => o.Value != premix || o.Type == ScriptType.WitnessV0KeyHash);
            var feeOutput = tx.Outputs.Exists(o => o.Value == pool * 5 / 100);
            var opReturn = tx.Outputs.Exists(o => o.Type == ScriptType.NullData);
            if (feeOutput)
            {
                return new CoinJoinMatch(CoinJoinKind.WhirlpoolTx0, (opReturn ? 0.9 : 0.8) + (segwit ? 0.05 : 0),
                    $"{k} premix output(s) of {premix} sat for the {pool} sat pool and a {pool * 5 / 100} sat pool fee output");
            }

            if (opReturn)
            {
                return new CoinJoinMatch(CoinJoinKind.WhirlpoolTx0, segwit ? 0.6 : 0.4, $"{k} premix output(s) of {premix} sat for the {pool} sat pool and an OP_RETURN fee payload");
            }
        }

        return null;
    }

    private static (long Value, int Count) MostCommonOutput(TxFacts tx, Func<long, bool> filter)
    {
        long best = -1;
        var bestCount = 0;
        var counts = new Dictionary<long, int>();
        foreach (var o in tx.Outputs)
        {
            if (!filter(o.Value))
            {
                continue;
            }

            var c = counts[o.Value] = counts.GetValueOrDefault(o.Value) + 1;
            if (c > bestCount || (c == bestCount && o.Value > best))
            {
                (best, bestCount) = (o.Value, c);
            }
        }

        return (best, bestCount);
    }

    private static HashSet<long> BuildStandardDenominations()
    {
        const long min = 5_000;
        const long max = 137_438_953_472; // 2^37 sat
        var set = new HashSet<long>();
        void Add(long v)
        {
            if (v >= min && v <= max)
            {
                set.Add(v);
            }
        }

        for (long p = 1; p <= max; p *= 2)
        {
            Add(p);
        }

        for (long p = 1; p <= max; p *= 3)
        {
            Add(p);
            Add(2 * p);
        }

        for (long p = 1; p <= max; p *= 10)
        {
            Add(p);
            Add(2 * p);
            Add(5 * p);
        }

        return set;
    }
}
