namespace Ashiato.Chains.Bitcoin.Encoding;

/// <summary>
/// Base58Check as used by legacy addresses: base58(version byte ‖ payload ‖ first 4 bytes of SHA256d(version ‖ payload)).
/// </summary>
public static class Base58Check
{
    private const int ChecksumSize = 4;
    private const int StackLimit = 256;

    public static string Encode(byte version, ReadOnlySpan<byte> payload)
    {
        var total = 1 + payload.Length + ChecksumSize;
        var buffer = total <= StackLimit ? stackalloc byte[total] : new byte[total];
        buffer[0] = version;
        payload.CopyTo(buffer[1..]);
        Span<byte> checksum = stackalloc byte[Hashes.Sha256Size];
        Hashes.DoubleSha256(buffer[..(1 + payload.Length)], checksum);
        checksum[..ChecksumSize].CopyTo(buffer[(1 + payload.Length)..]);
        return Base58.Encode(buffer);
    }

    /// <summary>Decodes and verifies the checksum; needs at least the version byte and the checksum.</summary>
    public static bool TryDecode(string text, out byte version, out byte[] payload)
    {
        version = 0;
        payload = [];
        if (!Base58.TryDecode(text, out var raw) || raw.Length < 1 + ChecksumSize)
        {
            return false;
        }

        var body = raw.AsSpan(0, raw.Length - ChecksumSize);
        Span<byte> checksum = stackalloc byte[Hashes.Sha256Size];
        Hashes.DoubleSha256(body, checksum);
        if (!checksum[..ChecksumSize].SequenceEqual(raw.AsSpan(raw.Length - ChecksumSize)))
        {
            return false;
        }

        version = raw[0];
        payload = body[1..].ToArray();
        return true;
    }
}
