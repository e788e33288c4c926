using System.Buffers.Binary;

namespace Ashiato.Bench;

/// <summary>SplitMix64: small, fast, and the same sequence for a seed on every runtime (unlike a seeded System.Random across versions).</summary>
internal sealed class Rng(ulong seed)
{
    private ulong _state = seed;

    public ulong Next64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)(((Next64() >> 32) * (ulong)n) >> 32);

    public double NextDouble() => (Next64() >> 11) * (1.0 / (1UL << 53));

    public void Fill(Span<byte> bytes)
    {
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[i..], Next64());
        }

        if (i < bytes.Length)
        {
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(last, Next64());
            last[..(bytes.Length - i)].CopyTo(bytes[i..]);
        }
    }

    public byte[] Bytes(int n)
    {
        var b = new byte[n];
        Fill(b);
        return b;
    }
}
