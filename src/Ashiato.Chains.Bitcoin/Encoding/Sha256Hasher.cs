using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>
/// SHA-256 for the hot path (txids, merkle trees, block hashes). .NET's <see cref="SHA256"/> on Linux goes through
/// OpenSSL's EVP layer, whose fixed cost per call (about 1 µs here) is larger than hashing a typical transaction.
/// When the same libcrypto that .NET loads exports the low-level <c>SHA256_Init/Update/Final</c>, we call those on a
/// reused context; otherwise (other platforms, other OpenSSL builds) we use a reused <see cref="IncrementalHash"/>.
/// A self-test against .NET's implementation decides at start-up. One instance per thread.
/// </summary>
public sealed unsafe class Sha256Hasher : IDisposable
{
    private const int ContextBytes = 256; // SHA256_CTX is 112 bytes; leave room
    private static readonly delegate* unmanaged<void*, int> NativeInit;
    private static readonly delegate* unmanaged<void*, byte*, nuint, int> NativeUpdate;
    private static readonly delegate* unmanaged<byte*, void*, int> NativeFinal;

    [ThreadStatic]
    private static Sha256Hasher? _perThread;

    private readonly void* _ctx;
    private readonly IncrementalHash? _managed;

    static Sha256Hasher()
    {
        foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so" })
        {
            if (NativeLibrary.TryLoad(name, out var lib)
                && NativeLibrary.TryGetExport(lib, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(lib, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(lib, "SHA256_Final", out var final))
            {
                NativeInit = (delegate* unmanaged<void*, int>)init;
                NativeUpdate = (delegate* unmanaged<void*, byte*, nuint, int>)update;
                NativeFinal = (delegate* unmanaged<byte*, void*, int>)final;
                if (SelfTest())
                {
                    IsNative = true;
                    return;
                }
            }
        }

        IsNative = false;
    }

    public Sha256Hasher()
    {
        if (IsNative)
        {
            _ctx = NativeMemory.AllocZeroed(ContextBytes);
        }
        else
        {
            _managed = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
    }

    /// <summary>True when the low-level libcrypto functions are in use.</summary>
    public static bool IsNative { get; }

    /// <summary>A hasher for the calling thread.</summary>
    public static Sha256Hasher ForThread => _perThread ??= new Sha256Hasher();

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_managed is not null)
        {
            _managed.AppendData(data);
            return;
        }

        if (!_started)
        {
            NativeInit(_ctx);
            _started = true;
        }

        fixed (byte* p = data)
        {
            NativeUpdate(_ctx, p, (nuint)data.Length);
        }
    }

    private bool _started;

    /// <summary>Writes the hash of everything appended since the last call and resets.</summary>
    public void Finish(Span<byte> dest32)
    {
        if (_managed is not null)
        {
            _managed.GetHashAndReset(dest32);
            return;
        }

        if (!_started)
        {
            NativeInit(_ctx);
        }

        fixed (byte* o = dest32)
        {
            NativeFinal(o, _ctx);
        }

        _started = false;
    }

    public void Hash(ReadOnlySpan<byte> data, Span<byte> dest32)
    {
        Append(data);
        Finish(dest32);
    }

    /// <summary>SHA256(SHA256(data)).</summary>
    public void DoubleHash(ReadOnlySpan<byte> data, Span<byte> dest32)
    {
        Span<byte> first = stackalloc byte[32];
        Hash(data, first);
        Hash(first, dest32);
    }

    public void Dispose()
    {
        if (_ctx is not null)
        {
            NativeMemory.Free(_ctx);
        }

        _managed?.Dispose();
    }

    private static bool SelfTest()
    {
        var ctx = NativeMemory.AllocZeroed(ContextBytes);
        try
        {
            Span<byte> input = stackalloc byte[200];
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (byte)(i * 7);
            }

            Span<byte> native = stackalloc byte[32];
            NativeInit(ctx);
            fixed (byte* p = input)
            fixed (byte* o = native)
            {
                NativeUpdate(ctx, p, 100);
                NativeUpdate(ctx, p + 100, 100);
                NativeFinal(o, ctx);
            }

            return native.SequenceEqual(SHA256.HashData(input));
        }
        finally
        {
            NativeMemory.Free(ctx);
        }
    }
}
