using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin.Serialization;

namespace Ashiato.Bench;

/// <summary>
/// <c>micro</c>: small single-thread timings behind the ingest findings: the cost of one SHA-256 call through .NET's
/// one-shot API against a reused <see cref="IncrementalHash"/> (the call overhead dominates for transaction-sized input),
/// and a byte-by-byte XOR like <c>BlockFileSource.Deobfuscate</c> against an 8-bytes-at-a-time one.
/// </summary>
internal static unsafe class Micro
{
    public static void Run(Action<string> print)
    {
        var rng = new Rng(7);
        print("| Operation (single thread, best of 5, process CPU time) | ns per call | MB/s |");
        print("|---|--:|--:|");
        foreach (var size in new[] { 32, 64, 300, 1000 })
        {
            var data = rng.Bytes(size);
            const int n = 400_000;
            var oneShot = Best(() =>
            {
                Span<byte> h = stackalloc byte[32];
                for (var i = 0; i < n; i++)
                {
                    SHA256.HashData(data, h);
                }
            });
            using var inc = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var reused = Best(() =>
            {
                Span<byte> h = stackalloc byte[32];
                for (var i = 0; i < n; i++)
                {
                    inc.AppendData(data);
                    inc.GetHashAndReset(h);
                }
            });
            print($"| `SHA256.HashData`, {size} B | {oneShot * 1e9 / n:F0} | {size * (double)n / oneShot / 1e6:F0} |");
            print($"| reused `IncrementalHash` (AppendData + GetHashAndReset), {size} B | {reused * 1e9 / n:F0} | {size * (double)n / reused / 1e6:F0} |");
            if (OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out _))
            {
                var native = Best(() =>
                {
                    byte* h = stackalloc byte[32];
                    fixed (byte* p = data)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            LibCryptoSha256(p, (nuint)data.Length, h);
                        }
                    }
                });
                print($"| libcrypto `SHA256()` called directly (P/Invoke, Linux), {size} B | {native * 1e9 / n:F0} | {size * (double)n / native / 1e6:F0} |");
                var lowLevel = Best(() =>
                {
                    byte* h = stackalloc byte[32];
                    byte* ctx = stackalloc byte[256]; // SHA256_CTX is 112 bytes
                    fixed (byte* p = data)
                    {
                        for (var i = 0; i < n; i++)
                        {
                            Sha256Init(ctx);
                            Sha256Update(ctx, p, (nuint)data.Length);
                            Sha256Final(h, ctx);
                        }
                    }
                });
                print($"| libcrypto `SHA256_Init/Update/Final` (P/Invoke, Linux; the compression function's cost), {size} B | {lowLevel * 1e9 / n:F0} | {size * (double)n / lowLevel / 1e6:F0} |");
            }
        }

        var buffer = rng.Bytes(1 << 20);
        byte[] key = [1, 2, 3, 4, 5, 6, 7, 8];
        const int rounds = 64;
        var bytewise = Best(() =>
        {
            for (var r = 0; r < rounds; r++)
            {
                // the loop of BlockFileSource.Deobfuscate
                var data = buffer.AsSpan();
                var fileOffset = (long)r;
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] ^= key[(int)((fileOffset + i) & 7)];
                }
            }
        });
        var wide = Best(() =>
        {
            for (var r = 0; r < rounds; r++)
            {
                BlockFileWriter.Xor(buffer, key, r);
            }
        });
        var mb = (double)buffer.Length * rounds / 1e6;
        print($"| XOR byte by byte (`BlockFileSource.Deobfuscate`'s loop), 1 MiB | {bytewise * 1e9 / rounds:F0} | {mb / bytewise:F0} |");
        print($"| XOR 8 bytes at a time (`BlockFileWriter.Xor`), 1 MiB | {wide * 1e9 / rounds:F0} | {mb / wide:F0} |");
    }

    [DllImport("libcrypto.so.3", EntryPoint = "SHA256")]
    private static extern byte* LibCryptoSha256(byte* data, nuint length, byte* digest);

    [DllImport("libcrypto.so.3", EntryPoint = "SHA256_Init")]
    internal static extern int Sha256Init(byte* ctx);

    [DllImport("libcrypto.so.3", EntryPoint = "SHA256_Update")]
    internal static extern int Sha256Update(byte* ctx, byte* data, nuint length);

    [DllImport("libcrypto.so.3", EntryPoint = "SHA256_Final")]
    internal static extern int Sha256Final(byte* digest, byte* ctx);

    /// <summary>True where OpenSSL 3's low-level SHA-256 functions can be called (Linux with libcrypto.so.3).</summary>
    internal static bool HasLibCrypto => OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out _);

    /// <summary>SHA-256 through libcrypto's low-level functions: the compression function without .NET's per-call overhead.</summary>
    internal static void NativeSha256(ReadOnlySpan<byte> data, Span<byte> digest32)
    {
        byte* ctx = stackalloc byte[256]; // SHA256_CTX is 112 bytes
        fixed (byte* p = data)
        fixed (byte* d = digest32)
        {
            Sha256Init(ctx);
            Sha256Update(ctx, p, (nuint)data.Length);
            Sha256Final(d, ctx);
        }
    }

    /// <summary>Best process CPU time of 5 runs (CPU time, not wall: the machine is shared).</summary>
    private static double Best(Action body)
    {
        body(); // JIT and tier up
        body();
        var best = double.MaxValue;
        for (var r = 0; r < 5; r++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            body();
            best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        }

        return best;
    }
}
