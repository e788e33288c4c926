namespace Ashiato.Simulation;

/// <summary>
/// The simulator's own PRNG: xoshiro256** seeded with splitmix64. Stable across .NET versions and platforms (unlike
/// <see cref="System.Random"/>), so the same seed always yields the same economy and the same bytes.
/// </summary>
public sealed class SimRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SimRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>An independent generator derived from this one's seed and a stream label (stable across changes elsewhere).</summary>
    public static SimRandom Derive(ulong seed, ulong stream) => new(seed ^ (0x9E3779B97F4A7C15UL * (stream + 1)));

    public ulong Next64()
    {
        var result = RotL(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) without modulo bias (Lemire's method).</summary>
    public int Next(int n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n));
        }

        return (int)NextLong(n);
    }

    /// <summary>Uniform in [0, n).</summary>
    public long NextLong(long n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n));
        }

        var un = (ulong)n;
        var threshold = (0UL - un) % un;
        while (true)
        {
            var r = Next64();
            var hi = Math.BigMul(r, un, out var lo);
            if (lo >= threshold)
            {
                return (long)hi;
            }
        }
    }

    /// <summary>Uniform in [min, max] (inclusive).</summary>
    public long Between(long min, long max) => min + NextLong(max - min + 1);

    /// <summary>True with probability percent/100.</summary>
    public bool Chance(int percent) => Next(100) < percent;

    /// <summary>True with probability perMille/1000.</summary>
    public bool ChancePerMille(int perMille) => Next(1000) < perMille;

    /// <summary>
    /// A log-uniform-ish integer amount in [min, max] computed with integers only: a decade chosen uniformly, then a
    /// uniform value inside it.
    /// </summary>
    public long Amount(long min, long max)
    {
        if (max <= min)
        {
            return min;
        }

        var lo = min;
        var decades = new List<(long Lo, long Hi)>();
        while (lo <= max)
        {
            var hi = lo > long.MaxValue / 10 ? max : Math.Min(max, (lo * 10) - 1);
            decades.Add((lo, hi));
            if (hi == max)
            {
                break;
            }

            lo = hi + 1;
        }

        var (a, b) = decades[Next(decades.Count)];
        return Between(a, b);
    }

    public void Fill(Span<byte> destination)
    {
        var i = 0;
        for (; i + 8 <= destination.Length; i += 8)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], Next64());
        }

        if (i < destination.Length)
        {
            var last = Next64();
            for (; i < destination.Length; i++)
            {
                destination[i] = (byte)last;
                last >>= 8;
            }
        }
    }

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
