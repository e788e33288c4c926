using Org.BouncyCastle.Crypto.Digests;

namespace Ashiato.Chains.Evm.Encoding;

/// <summary>Keccak-256 (the pre-standard SHA-3 padding Ethereum uses), from Portable.BouncyCastle.</summary>
public static class Keccak256
{
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        var input = data.ToArray();
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }
}
