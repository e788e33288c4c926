using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Tests.Encoding;

public class HashesTests
{
    private static string Ripemd160Hex(byte[] data)
    {
        var digest = new byte[20];
        Hashes.Ripemd160(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    // The test vectors published with RIPEMD-160 (Bosselaers' RIPEMD-160 page, "hash results").
    [Theory]
    [InlineData("", "9c1185a5c5e9fc54612808977ee8f548b2258d31")]
    [InlineData("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe")]
    [InlineData("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")]
    [InlineData("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "b0e20b6e3116640286ed3a87a5713079b21f5189")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "9b752e45573d4b39f4dbd3323cab82bf63326bfb")]
    public void Ripemd160_PublishedVectors_Match(string ascii, string expected)
    {
        Assert.Equal(expected, Ripemd160Hex(System.Text.Encoding.ASCII.GetBytes(ascii)));
    }

    [Fact]
    public void Ripemd160_MillionLetterA_MatchesPublishedVector()
    {
        var data = new byte[1_000_000];
        Array.Fill(data, (byte)'a');
        Assert.Equal("52783243c1697bdbe16d37f97f68f08325dc1528", Ripemd160Hex(data));
    }

    // Lengths around the padding boundaries (55/56 bytes: length field fits or spills into a second block;
    // 64: exact block). Expected values from OpenSSL's RIPEMD-160 (Python hashlib.new('ripemd160')).
    [Theory]
    [InlineData(55, "0d8a8c9063a48576a7c97e9f95253a6e53ff6765")]
    [InlineData(56, "e72334b46c83cc70bef979e15453706c95b888be")]
    [InlineData(57, "eed82d19d597ab275b550ff3d6e0bc2a75350388")]
    [InlineData(63, "e640041293fe663b9bf3f8c21ffecac03819e6b2")]
    [InlineData(64, "9dfb7d374ad924f3f88de96291c33e9abed53e32")]
    [InlineData(65, "99724bb11811e7166af38f671b6a082d8ab4960b")]
    [InlineData(119, "23e398ff2bac815aa1bbb57ca2a669c841872919")]
    [InlineData(120, "c476770a6dae31fcee8d25efe6559a05c8024595")]
    [InlineData(128, "8dfdfb32b2ed5cb41a73478b4fd60cc5b4648b15")]
    public void Ripemd160_LengthsAroundBlockBoundaries_MatchOpenSsl(int length, string expected)
    {
        var data = new byte[length];
        Array.Fill(data, (byte)'a');
        Assert.Equal(expected, Ripemd160Hex(data));
    }

    [Fact]
    public void Ripemd160_InputInsideLargerBuffer_HashesOnlyTheSlice()
    {
        var buffer = System.Text.Encoding.ASCII.GetBytes("xxabcxx");
        var digest = new byte[20];
        Hashes.Ripemd160(buffer.AsSpan(2, 3), digest);
        Assert.Equal("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Sha256_Abc_MatchesFips180Vector()
    {
        var digest = new byte[32];
        Hashes.Sha256("abc"u8, digest);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void DoubleSha256_GenesisHeader_IsGenesisBlockHash()
    {
        var header = Convert.FromHexString(
            "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e" +
            "67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
        var digest = new byte[32];
        Hashes.DoubleSha256(header, digest);
        Array.Reverse(digest);
        Assert.Equal("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", Convert.ToHexStringLower(digest));
    }

    [Theory]
    // Genesis coinbase key → 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
    [InlineData(
        "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f",
        "62e907b15cbf27d5425399ebf6f0fb50ebb88f18")]
    // Bitcoin Core's rpc_decodescript.py: public_key and public_key_hash.
    [InlineData(
        "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2",
        "5dd1d3a048119c27b28293056724d9522f26d945")]
    public void Hash160_PublicKey_MatchesKnownKeyHash(string publicKeyHex, string expected)
    {
        var digest = new byte[20];
        Hashes.Hash160(Convert.FromHexString(publicKeyHex), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Hash160_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => Hashes.Hash160([1, 2, 3], new byte[19]));
    }

    [Fact]
    public void Sha256_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => Hashes.Sha256([1, 2, 3], new byte[31]));
    }
}
