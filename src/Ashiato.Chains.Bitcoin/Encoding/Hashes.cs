namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>
/// The hash functions Bitcoin uses. All of them write into a caller-supplied buffer and allocate nothing.
/// </summary>
public static class Hashes
{
    public const int Sha256Size = 32;
    public const int Ripemd160Size = 20;

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> dest32)
    {
        CheckDestination(dest32, Sha256Size, nameof(dest32));
        Sha256Hasher.ForThread.Hash(data, dest32);
    }

    /// <summary>SHA256(SHA256(data)): block hashes, txids, Base58Check checksums.</summary>
    public static void DoubleSha256(ReadOnlySpan<byte> data, Span<byte> dest32)
    {
        CheckDestination(dest32, Sha256Size, nameof(dest32));
        Sha256Hasher.ForThread.DoubleHash(data, dest32);
    }

    /// <summary>RIPEMD-160 (our own implementation: .NET on Linux has none).</summary>
    public static void Ripemd160(ReadOnlySpan<byte> data, Span<byte> dest20)
    {
        CheckDestination(dest20, Ripemd160Size, nameof(dest20));
        Ripemd160Digest.Hash(data, dest20);
    }

    /// <summary>RIPEMD160(SHA256(data)): the hash in P2PKH and P2SH addresses.</summary>
    public static void Hash160(ReadOnlySpan<byte> data, Span<byte> dest20)
    {
        CheckDestination(dest20, Ripemd160Size, nameof(dest20));
        Span<byte> sha = stackalloc byte[Sha256Size];
        Sha256Hasher.ForThread.Hash(data, sha);
        Ripemd160Digest.Hash(sha, dest20);
    }

    private static void CheckDestination(Span<byte> destination, int size, string name)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"the destination needs {size} bytes, got {destination.Length}", name);
        }
    }
}
