using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ashiato.Bench;

/// <summary>
/// <c>micro</c>: small single-thread timings behind the ingest findings: the cost of one SHA-256 call through .NET's
/// one-shot API against a reused <see cref="IncrementalHash"/> and libcrypto called directly (the call overhead dominates for
/// transaction-sized input), and the parser's bounds check with an interpolated message.
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

        {
            // BlockParser.Reader.Bytes/Skip call Need(n, $"{n} bytes"): the message is formatted on every call, error or not.
            const int n = 2_000_000;
            var eager = Best(() =>
            {
                for (var i = 0; i < n; i++)
                {
                    NeedLike(i & 0xff, $"{i & 0xff} bytes");
                }
            });
            var constant = Best(() =>
            {
                for (var i = 0; i < n; i++)
                {
                    NeedLike(i & 0xff, "bytes");
                }
            });
            print($"| bounds check with an interpolated message argument (`Need(n, $\"{{n}} bytes\")`, as `BlockParser.Reader.Skip/Bytes` did before it was fixed) | {eager * 1e9 / n:F0} | |");
            print($"| the same check with a constant message | {constant * 1e9 / n:F1} | |");
        }

    }

    private static int _remaining = int.MaxValue;


    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void NeedLike(int n, string what)
    {
        if (_remaining < n)
        {
            throw new InvalidOperationException(what);
        }
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
        for (var w = 0; w < 4; w++)
        {
            body(); // JIT and tier up
        }

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
