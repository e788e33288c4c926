using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Utxo;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>The allocation-free helpers of the UTXO tracer's inner loop give exactly what the reference implementations give.</summary>
public sealed class UtxoTracingMathTests
{
    private static long[] Into(long amount, long[] weights)
    {
        var result = new long[weights.Length + 3];
        Array.Fill(result, 99); // stale values beyond and within the range must not leak
        TaintMath.ProportionalInto(amount, weights, result);
        Assert.All(result.Skip(weights.Length), v => Assert.Equal(99, v));
        return result[..weights.Length];
    }

    [Fact]
    public void ProportionalInto_matches_Proportional_and_conserves_exactly_on_random_weights()
    {
        var random = new Random(11);
        for (var i = 0; i < 5000; i++)
        {
            // piece counts across the stack (≤ 64) and heap buffers; value scales from dust to 2^62 (128-bit products)
            var n = random.Next(0, 10) == 0 ? random.Next(60, 300) : random.Next(1, 12);
            var scale = random.Next(0, 4) switch
            {
                0 => 10L,
                1 => 1_000_000L,
                2 => 2_100_000_000_000_000L,
                _ => long.MaxValue / Math.Max(1, n),
            };
            var weights = Enumerable.Range(0, n).Select(_ => random.Next(0, 6) == 0 ? 0 : random.NextInt64(0, scale)).ToArray();
            if (random.Next(0, 5) == 0 && n > 1)
            {
                // many equal weights: ties decided by the lower index, remainders left > 8 (sort path)
                Array.Fill(weights, weights[0]);
            }

            var total = weights.Aggregate(Int128.Zero, (s, w) => s + w);
            var amount = total == 0 ? random.NextInt64(0, 1000) : (long)Int128.Min(long.MaxValue, (Int128)(random.NextDouble() * (double)total));
            var expected = TaintMath.Proportional(amount, weights);
            var actual = Into(amount, weights);
            Assert.Equal(expected, actual);
            Assert.Equal(total == 0 || amount <= 0 ? 0 : (Int128)amount, actual.Aggregate(Int128.Zero, (acc, x) => acc + x));
            if (amount <= total)
            {
                Assert.All(actual.Zip(weights), p => Assert.InRange(p.First, 0, p.Second));
            }
        }
    }

    [Fact]
    public void ProportionalInto_hand_cases()
    {
        Assert.Equal([2L, 2, 2, 1], Into(7, [3, 3, 3, 1]));
        Assert.Equal([1L, 1, 0], Into(2, [1, 1, 1]));
        Assert.Equal([0L, 0], Into(5, [0, 0]));
        Assert.Equal([0L, 0], Into(0, [4, 5]));
        Assert.Equal([0L, 5, 0], Into(5, [-3, 7, 0])); // negative weights count as 0

        // 20 equal pieces and 19 units: the first 19 get one each (left > 8: the sorted path)
        var twenty = Into(19, Enumerable.Repeat(1L, 20).ToArray());
        Assert.Equal(Enumerable.Repeat(1L, 19).Append(0), twenty);
    }

    [Fact]
    public void Ratio8_and_the_summary_ratio_are_bit_identical_to_the_exact_ratio()
    {
        var random = new Random(5);
        var cases = new List<(ulong A, ulong B)> { (0, 0), (1, 0), (0, 1), (1, 1), (1, 3), (2, 3), (5, 10), (1, 200_000_000), (1, 2_000_000_000), (3, 2_000_000_000) };
        for (var i = 0; i < 20_000; i++)
        {
            var b = random.Next(0, 3) switch
            {
                0 => (ulong)random.NextInt64(1, 1000),
                1 => (ulong)random.NextInt64(1, 2_100_000_000_000_000),
                _ => (ulong)random.NextInt64(1, long.MaxValue),
            };
            var a = random.Next(0, 8) == 0 ? b : (ulong)(random.NextDouble() * b);
            cases.Add((a, b));

            // exact ties at the 9th decimal: b = 2·10^k, a odd
            cases.Add(((ulong)random.NextInt64(0, 2000) | 1, 2_000_000_000));
        }

        foreach (var (a, b) in cases)
        {
            // bits and text: the same value at the same scale (the fast path builds the decimal without dividing)
            var expected = TraceSummaryBuilder.RatioExact(a, b);
            var actual = TaintMath.Ratio8(a, b);
            Assert.True(decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)), $"{a}/{b}: {expected} vs {actual}");
            Assert.True(decimal.GetBits(expected).SequenceEqual(decimal.GetBits(TraceSummaryBuilder.Ratio(a, b))), $"{a}/{b}: summary ratio");
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
