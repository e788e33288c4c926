using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>
/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), one-shot and allocation-free.
/// Written from the specification; checked against its published test vectors.
/// </summary>
internal static class Ripemd160Digest
{
    private const int BlockSize = 64;

    // Message word selection, left and right lines (rounds of 16 steps).
    private static ReadOnlySpan<byte> RL =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
        3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
        1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
        4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
    ];

    private static ReadOnlySpan<byte> RR =>
    [
        5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
        6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
        15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
        8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
        12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
    ];

    // Rotation amounts, left and right lines.
    private static ReadOnlySpan<byte> SL =>
    [
        11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
        7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
        11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
        11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
        9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
    ];

    private static ReadOnlySpan<byte> SR =>
    [
        8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
        9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
        9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
        15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
        8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
    ];

    private struct State
    {
        public uint H0;
        public uint H1;
        public uint H2;
        public uint H3;
        public uint H4;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> dest20)
    {
        var state = new State
        {
            H0 = 0x67452301u,
            H1 = 0xEFCDAB89u,
            H2 = 0x98BADCFEu,
            H3 = 0x10325476u,
            H4 = 0xC3D2E1F0u,
        };
        Span<uint> x = stackalloc uint[16];

        var fullBlocks = data.Length / BlockSize * BlockSize;
        for (var offset = 0; offset < fullBlocks; offset += BlockSize)
        {
            Compress(ref state, data.Slice(offset, BlockSize), x);
        }

        // Padding: 0x80, zeros, then the bit length (little-endian) in the last 8 bytes of the last block.
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        tail.Clear();
        var remaining = data.Length - fullBlocks;
        data[fullBlocks..].CopyTo(tail);
        tail[remaining] = 0x80;
        var tailLength = remaining < BlockSize - 8 ? BlockSize : 2 * BlockSize;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(tailLength - 8)..], (ulong)data.Length << 3);
        Compress(ref state, tail[..BlockSize], x);
        if (tailLength == 2 * BlockSize)
        {
            Compress(ref state, tail.Slice(BlockSize, BlockSize), x);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(dest20, state.H0);
        BinaryPrimitives.WriteUInt32LittleEndian(dest20[4..], state.H1);
        BinaryPrimitives.WriteUInt32LittleEndian(dest20[8..], state.H2);
        BinaryPrimitives.WriteUInt32LittleEndian(dest20[12..], state.H3);
        BinaryPrimitives.WriteUInt32LittleEndian(dest20[16..], state.H4);
    }

    /// <summary>One step: A' = E, B' = rol(A + f + X + K, s) + E, C' = B, D' = rol(C, 10), E' = D.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref uint a, ref uint b, ref uint c, ref uint d, ref uint e, uint f, uint x, uint k, int s)
    {
        var t = BitOperations.RotateLeft(a + f + x + k, s) + e;
        a = e;
        e = d;
        d = BitOperations.RotateLeft(c, 10);
        c = b;
        b = t;
    }

    private static void Compress(ref State state, ReadOnlySpan<byte> block, Span<uint> x)
    {
        for (var i = 0; i < 16; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        uint al = state.H0, bl = state.H1, cl = state.H2, dl = state.H3, el = state.H4;
        uint ar = al, br = bl, cr = cl, dr = dl, er = el;
        var rl = RL;
        var rr = RR;
        var sl = SL;
        var sr = SR;

        // Five rounds of 16 steps. Left line: f1..f5 with K 0, 5A827999, 6ED9EBA1, 8F1BBCDC, A953FD4E;
        // right line: f5..f1 with K' 50A28BE6, 5C4DD124, 6D703EF3, 7A6D76E9, 0.
        for (var j = 0; j < 16; j++)
        {
            Step(ref al, ref bl, ref cl, ref dl, ref el, bl ^ cl ^ dl, x[rl[j]], 0x00000000u, sl[j]);
            Step(ref ar, ref br, ref cr, ref dr, ref er, br ^ (cr | ~dr), x[rr[j]], 0x50A28BE6u, sr[j]);
        }

        for (var j = 16; j < 32; j++)
        {
            Step(ref al, ref bl, ref cl, ref dl, ref el, (bl & cl) | (~bl & dl), x[rl[j]], 0x5A827999u, sl[j]);
            Step(ref ar, ref br, ref cr, ref dr, ref er, (br & dr) | (cr & ~dr), x[rr[j]], 0x5C4DD124u, sr[j]);
        }

        for (var j = 32; j < 48; j++)
        {
            Step(ref al, ref bl, ref cl, ref dl, ref el, (bl | ~cl) ^ dl, x[rl[j]], 0x6ED9EBA1u, sl[j]);
            Step(ref ar, ref br, ref cr, ref dr, ref er, (br | ~cr) ^ dr, x[rr[j]], 0x6D703EF3u, sr[j]);
        }

        for (var j = 48; j < 64; j++)
        {
            Step(ref al, ref bl, ref cl, ref dl, ref el, (bl & dl) | (cl & ~dl), x[rl[j]], 0x8F1BBCDCu, sl[j]);
            Step(ref ar, ref br, ref cr, ref dr, ref er, (br & cr) | (~br & dr), x[rr[j]], 0x7A6D76E9u, sr[j]);
        }

        for (var j = 64; j < 80; j++)
        {
            Step(ref al, ref bl, ref cl, ref dl, ref el, bl ^ (cl | ~dl), x[rl[j]], 0xA953FD4Eu, sl[j]);
            Step(ref ar, ref br, ref cr, ref dr, ref er, br ^ cr ^ dr, x[rr[j]], 0x00000000u, sr[j]);
        }

        var h0 = state.H1 + cl + dr;
        state.H1 = state.H2 + dl + er;
        state.H2 = state.H3 + el + ar;
        state.H3 = state.H4 + al + br;
        state.H4 = state.H0 + bl + cr;
        state.H0 = h0;
    }
}
