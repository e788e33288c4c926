using System.Runtime.CompilerServices;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>Exact integer distributions of taint through one transaction (see docs/tracing.md, "Remainder rule").</summary>
public static class TaintMath
{
    /// <summary>
    /// Splits <paramref name="amount"/> over items in proportion to <paramref name="weights"/> with integers only: each item gets
    /// ⌊amount·wₖ/W⌋, and the remainder r = amount − Σ⌊…⌋ goes one unit each to the r items with the largest fractional parts
    /// ((amount·wₖ) mod W), ties to the lower index (largest-remainder / Hamilton method). Σ result = amount exactly, and
    /// result[k] ≤ wₖ whenever amount ≤ W. W = 0 gives all zeros (nothing can be attributed).
    /// </summary>
    public static long[] Proportional(long amount, ReadOnlySpan<long> weights)
    {
        var result = new long[weights.Length];
        Int128 total = 0;
        foreach (var w in weights)
        {
            total += Math.Max(0, w);
        }

        if (total == 0 || amount <= 0)
        {
            return result;
        }

        var rems = new Int128[weights.Length];
        long given = 0;
        for (var k = 0; k < weights.Length; k++)
        {
            var p = (Int128)amount * Math.Max(0, weights[k]);
            var q = p / total;
            result[k] = (long)q;
            rems[k] = p - (q * total);
            given += result[k];
        }

        var left = amount - given;
        if (left > 0)
        {
            var order = new int[weights.Length];
            for (var k = 0; k < order.Length; k++)
            {
                order[k] = k;
            }

            Array.Sort(order, (x, y) =>
            {
                var c = rems[y].CompareTo(rems[x]);
                return c != 0 ? c : x.CompareTo(y);
            });
            for (var i = 0; i < left; i++)
            {
                result[order[i]]++;
            }
        }

        return result;
    }

    /// <summary>
    /// <see cref="Proportional(long, ReadOnlySpan{long})"/> without allocating: the same shares (same remainder rule, same
    /// ties) written into <paramref name="result"/> (length ≥ weights). The products amount·wₖ are exact: 64-bit arithmetic
    /// when they and W fit in 64 bits (the usual case: satoshi values), 128-bit otherwise. Used by the tracer's inner loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ProportionalInto(long amount, ReadOnlySpan<long> weights, Span<long> result)
    {
        var n = weights.Length;
        result[..n].Clear();
        UInt128 total = 0;
        ulong maxW = 0;
        foreach (var w in weights)
        {
            var x = (ulong)Math.Max(0, w);
            total += x;
            maxW = Math.Max(maxW, x);
        }

        if (total == 0 || amount <= 0)
        {
            return;
        }

        if (total > ulong.MaxValue)
        {
            // W ≥ 2^64 (never for real values): the reference implementation
            Proportional(amount, weights).CopyTo(result);
            return;
        }

        // remainders (amount·wₖ mod W) < W ≤ 2^64 - 1
        var t = (ulong)total;
        var rems = n <= 64 ? stackalloc ulong[n] : new ulong[n];
        long given = 0;
        var narrow = Math.BigMul((ulong)amount, maxW, out _) == 0; // every product fits in 64 bits
        for (var k = 0; k < n; k++)
        {
            var w = (ulong)Math.Max(0, weights[k]);
            if (narrow)
            {
                var p = (ulong)amount * w;
                var q = p / t;
                result[k] = (long)q;
                rems[k] = p - (q * t);
            }
            else
            {
                var p = (UInt128)(ulong)amount * w;
                var q = p / t;
                result[k] = (long)q;
                rems[k] = (ulong)(p - (q * t));
            }

            given += result[k];
        }

        var left = amount - given;

        // the `left` largest remainders get one unit each, ties to the lower index; left < n (each remainder < W)
        if (left <= 0)
        {
            return;
        }

        if (left <= 8)
        {
            // selection: the largest remainder not yet taken, lowest index first (the order of the reference's sort)
            ulong prevRem = ulong.MaxValue;
            var prevIdx = -1;
            for (var i = 0; i < left; i++)
            {
                var best = -1;
                for (var k = 0; k < n; k++)
                {
                    // candidates come strictly after (prevRem, prevIdx) in the order (remainder desc, index asc)
                    if (rems[k] > prevRem || (rems[k] == prevRem && k <= prevIdx))
                    {
                        continue;
                    }

                    if (best < 0 || rems[k] > rems[best])
                    {
                        best = k;
                    }
                }

                result[best]++;
                prevRem = rems[best];
                prevIdx = best;
            }

            return;
        }

        var order = new int[n];
        for (var k = 0; k < n; k++)
        {
            order[k] = k;
        }

        var keys = rems.ToArray();
        Array.Sort(order, (x, y) =>
        {
            var c = keys[y].CompareTo(keys[x]);
            return c != 0 ? c : x.CompareTo(y);
        });
        for (var i = 0; i < left; i++)
        {
            result[order[i]]++;
        }
    }

    /// <summary>
    /// <c>a / b</c> as a decimal rounded to 8 places, bit for bit the value of <see cref="TraceSummaryBuilder.Ratio"/> (same
    /// rounding: half up at the 9th decimal, then half to even at the 8th) with 128-bit integers instead of BigInteger.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static decimal Ratio8(ulong a, ulong b)
    {
        if (b == 0)
        {
            return 0m;
        }

        // most shares have a · 10⁹ within 64 bits (a < 184 coins of 10⁸ units): the same rounding without 128-bit division
        if (a <= ulong.MaxValue / 1_000_000_000UL)
        {
            var p64 = a * 1_000_000_000UL;
            var nine64 = p64 / b;
            var rem64 = p64 - (nine64 * b);
            if (rem64 >= b - rem64)
            {
                nine64 += 1;
            }

            var eight64 = nine64 / 10;
            var last64 = (int)(nine64 % 10);
            if (last64 > 5 || (last64 == 5 && (eight64 & 1) != 0))
            {
                eight64 += 1;
            }

            return Decimal8(eight64);
        }

        var p = (UInt128)a * 1_000_000_000UL;
        var scaled = p / b;
        var rem = p - (scaled * b);
        var nine = scaled;
        if (rem * 2 >= b)
        {
            nine += 1;
        }

        var eight = nine / 10;
        var last = (int)(nine % 10);
        if (last > 5 || (last == 5 && (eight & 1) != 0))
        {
            eight += 1;
        }

        if (eight > ulong.MaxValue)
        {
            return TraceSummaryBuilder.RatioExact(a, b);
        }

        return Decimal8((ulong)eight);
    }

    /// <summary>
    /// <paramref name="units"/> · 10⁻⁸ as a decimal with the smallest scale that holds it exactly — the value and the scale
    /// <c>(decimal)units / 100_000_000m</c> gives (so it prints the same), without a decimal division.
    /// </summary>
    public static decimal Decimal8(ulong units)
    {
        byte scale = 8;
        while (scale > 0 && units % 10 == 0)
        {
            units /= 10;
            scale--;
        }

        return new decimal((int)(uint)units, (int)(uint)(units >> 32), 0, false, scale);
    }

    public static long Length(List<(long Start, long End)> spans)
    {
        long n = 0;
        foreach (var (s, e) in spans)
        {
            n += e - s;
        }

        return n;
    }

    public static List<(long Start, long End)> Union(List<(long Start, long End)> a, List<(long Start, long End)> b)
    {
        var all = new List<(long Start, long End)>(a.Count + b.Count);
        all.AddRange(a);
        all.AddRange(b);
        all.Sort((x, y) => x.Start.CompareTo(y.Start));
        var merged = new List<(long Start, long End)>(all.Count);
        foreach (var s in all)
        {
            if (merged.Count > 0 && s.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, s.End));
            }
            else if (s.End > s.Start)
            {
                merged.Add(s);
            }
        }

        return merged;
    }

    /// <summary>
    /// FIFO through one transaction. The coins of one side are laid end to end in order on a line of satoshi (offsets
    /// 0 … Σ−1): <paramref name="fromSizes"/>[i] with its tainted spans <paramref name="fromSpans"/>[i] (null = untainted). The
    /// other side cuts the same line into <paramref name="toSizes"/> in order; the result is each piece's tainted spans (relative
    /// to that piece). Forward: inputs → outputs then the fee as the last piece; backward: outputs → inputs. Exact: no rounding.
    /// </summary>
    public static List<(long Start, long End)>[] Fifo(ReadOnlySpan<long> fromSizes, IReadOnlyList<List<(long Start, long End)>?> fromSpans, ReadOnlySpan<long> toSizes)
    {
        var absolute = new List<(long Start, long End)>();
        long offset = 0;
        for (var i = 0; i < fromSizes.Length; i++)
        {
            if (fromSpans[i] is { } spans)
            {
                foreach (var (s, e) in spans)
                {
                    var a = offset + s;
                    var b = offset + Math.Min(e, fromSizes[i]);
                    if (b <= a)
                    {
                        continue;
                    }

                    if (absolute.Count > 0 && absolute[^1].End == a)
                    {
                        absolute[^1] = (absolute[^1].Start, b);
                    }
                    else
                    {
                        absolute.Add((a, b));
                    }
                }
            }

            offset += Math.Max(0, fromSizes[i]);
        }

        var result = new List<(long Start, long End)>[toSizes.Length];
        var k = 0;
        long pos = 0;
        for (var j = 0; j < toSizes.Length; j++)
        {
            var size = Math.Max(0, toSizes[j]);
            var lo = pos;
            var hi = pos + size;
            var piece = new List<(long Start, long End)>();
            while (k < absolute.Count && absolute[k].End <= lo)
            {
                k++;
            }

            for (var m = k; m < absolute.Count && absolute[m].Start < hi; m++)
            {
                var a = Math.Max(lo, absolute[m].Start);
                var b = Math.Min(hi, absolute[m].End);
                if (b > a)
                {
                    piece.Add((a - lo, b - lo));
                }
            }

            result[j] = piece;
            pos = hi;
        }

        return result;
    }
}
