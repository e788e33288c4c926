using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Tests.Unit;

public class PrimitiveTests
{
    // The EIP-55 specification's own test vectors.
    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Address_Eip55Vectors_RoundTrip(string checksummed)
    {
        var a = EvmAddress.Parse(checksummed.ToLowerInvariant());
        Assert.Equal(checksummed, a.ToChecksumString());
        Assert.Equal(checksummed.ToLowerInvariant(), a.ToString());
        Assert.True(EvmAddress.TryParse(checksummed, out var b));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Address_MixedCaseWithWrongChecksum_IsRefused()
    {
        Assert.False(EvmAddress.TryParse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", out _));
        Assert.False(EvmAddress.TryParse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", out _)); // 39 digits
    }

    [Fact]
    public void Keccak256_EmptyInput_MatchesKnownDigest()
    {
        Assert.Equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Hex.Encode(Keccak256.Hash([])));
        Assert.Equal(
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
            Hex.Encode(Keccak256.Hash("Transfer(address,address,uint256)"u8)));
    }

    [Fact]
    public void UInt256_ParsesPrintsAndComputesBeyond64Bits()
    {
        var max = UInt256.ParseHex("0x" + new string('f', 64));
        Assert.Equal(UInt256.MaxValue, max);
        Assert.Equal("115792089237316195423570985008687907853269984665640564039457584007913129639935", max.ToString());
        Assert.Equal(max, UInt256.Parse(max.ToString()));
        var a = UInt256.ParseHex("0x1ffffffffffffffff");
        Assert.Equal("36893488147419103231", a.ToString());
        Assert.Equal(UInt256.Parse("36893488147419103232"), a + UInt256.One);
        Assert.Equal(a, (a + UInt256.One) - UInt256.One);
        Assert.Equal("0x1ffffffffffffffff", a.ToHexQuantity());
        Assert.Equal("0x0", UInt256.Zero.ToHexQuantity());
        Assert.Throws<OverflowException>(() => max + UInt256.One);
        Assert.Throws<OverflowException>(() => UInt256.Zero - UInt256.One);
        Assert.Equal(UInt256.Parse("340282366920938463463374607431768211456"), new UInt256(0, 1) * new UInt256(0, 1));
    }

    [Fact]
    public void UInt256_BigAndLittleEndianRoundTrip()
    {
        var v = UInt256.Parse("58750003716598352816469");
        Span<byte> be = stackalloc byte[32];
        v.WriteBigEndian(be);
        Assert.Equal(v, UInt256.FromBigEndian(be));
        Span<byte> le = stackalloc byte[32];
        v.WriteLittleEndian(le);
        Assert.Equal(v, UInt256.FromLittleEndian(le));
        Assert.False(UInt256.TryParseHex("0x" + new string('1', 65), out _));
        Assert.False(UInt256.TryParseHex("0xzz", out _));
        Assert.False(UInt256.TryParse("-1", out _));
    }
}
