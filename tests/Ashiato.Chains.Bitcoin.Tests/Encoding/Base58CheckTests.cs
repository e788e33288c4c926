using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Tests.Encoding;

public class Base58CheckTests
{
    // Bitcoin Core src/test/data/base58_encode_decode.json.
    public static TheoryData<string, string> CoreBase58Vectors => new()
    {
        { "", "" },
        { "61", "2g" },
        { "626262", "a3gV" },
        { "636363", "aPEr" },
        { "73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2" },
        { "00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L" },
        { "516b6fcd0f", "ABnLTmg" },
        { "bf4f89001e670274dd", "3SEo3LWLoPntC" },
        { "572e4794", "3EFU7m" },
        { "ecac89cad93923c02321", "EJDM8drfXA6uyA" },
        { "10c8511e", "Rt5zm" },
        { "00000000000000000000", "1111111111" },
        { "00000000000000000000000000000000000000000000000000000000000000000000000000000000", "1111111111111111111111111111111111111111" },
        { "00000000000000000000000000000000000000000000000000000000000000000000000000000001", "1111111111111111111111111111111111111112" },
        { "000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz" },
        { "271f359e", "zzzzy" },
        { "271f359f", "zzzzz" },
        { "271f35a0", "211111" },
        { "271f35a1", "211112" },
    };

    [Theory]
    [MemberData(nameof(CoreBase58Vectors))]
    public void Base58Encode_CoreVectors_Match(string hex, string expected)
    {
        Assert.Equal(expected, Base58.Encode(Convert.FromHexString(hex)));
    }

    [Theory]
    [MemberData(nameof(CoreBase58Vectors))]
    public void Base58TryDecode_CoreVectors_RoundTrip(string hex, string text)
    {
        Assert.True(Base58.TryDecode(text, out var data));
        Assert.Equal(hex, Convert.ToHexStringLower(data));
    }

    [Fact]
    public void Base58Encode_AllBytes_MatchesCoreVector()
    {
        var all = new byte[256];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (byte)i;
        }

        const string expected =
            "1cWB5HCBdLjAuqGGReWE3R3CguuwSjw6RHn39s2yuDRTS5NsBgNiFpWgAnEx6VQi8csexkgYw3mdYrMHr8x9i7aEwP8kZ7vccXWq" +
            "KDvGv3u1GxFKPuAkn8JCPPGDMf3vMMnbzm6Nh9zh1gcNsMvH3ZNLmP5fSG6DGbbi2tuwMWPthr4boWwCxf7ewSgNQeacyozhKDDQ" +
            "Q1qL5fQFUW52QKUZDZ5fw3KXNQJMcNTcaB723LchjeKun7MuGW5qyCBZYzA1KjofN1gYBV3NqyhQJ3Ns746GNuf9N2pQPmHz4xpn" +
            "SrrfCvy6TVVz5d4PdrjeshsWQwpZsZGzvbdAdN8MKV5QsBDY";
        var text = Base58.Encode(all);
        Assert.Equal(expected, text);
        Assert.True(Base58.TryDecode(text, out var back));
        Assert.Equal(all, back);
    }

    /// <summary>Bitcoin Core's EncodeBase58 (byte by byte, digit by digit): the reference the limb encoder must equal.</summary>
    private static string ReferenceEncode(ReadOnlySpan<byte> data)
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        var size = ((data.Length - zeros) * 138 / 100) + 1;
        var b58 = new byte[size];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            var j = 0;
            for (var k = size - 1; (carry != 0 || j < length) && k >= 0; k--, j++)
            {
                carry += 256 * b58[k];
                b58[k] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        var start = size - length;
        while (start < size && b58[start] == 0)
        {
            start++;
        }

        return new string('1', zeros) + string.Concat(b58[start..].Select(b => alphabet[b]));
    }

    [Fact]
    public void Base58Encode_RandomInput_EqualsTheReferenceAlgorithm()
    {
        var rng = new Random(58);
        for (var n = 0; n < 20_000; n++)
        {
            var data = new byte[rng.Next(0, 90)];
            rng.NextBytes(data);
            // leading zeros, all-zero and all-0xff inputs, and small values are the edge cases of the limb arithmetic
            switch (n % 5)
            {
                case 0:
                    data.AsSpan(0, rng.Next(0, data.Length + 1)).Clear();
                    break;
                case 1:
                    data.AsSpan().Fill(0xff);
                    break;
                case 2:
                    data.AsSpan(0, Math.Max(0, data.Length - rng.Next(0, 4))).Clear();
                    break;
            }

            var text = Base58.Encode(data);
            Assert.Equal(ReferenceEncode(data), text);
            Assert.True(Base58.TryDecode(text, out var back));
            Assert.Equal(data, back);
        }
    }

    [Theory]
    [InlineData("0OIl")]
    [InlineData("3SEo3LWLoPntC0")]
    [InlineData("3SEo3LWLoPntCl")]
    [InlineData(" 3SEo3LWLoPntC")]
    [InlineData("3SEo3LWLoPntC\u00e9")]
    public void Base58TryDecode_CharacterOutsideAlphabet_ReturnsFalse(string text)
    {
        Assert.False(Base58.TryDecode(text, out _));
    }

    // Bitcoin Core src/test/data/key_io_valid.json (P2PKH and P2SH entries), and the genesis coinbase address.
    [Theory]
    [InlineData("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", 0x00, "a31c06bd463e3923bc1aadbde48b16976c080717")]
    [InlineData("36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm", 0x05, "373b819a068f32b7a6b38b6b38729647cfde01c2")]
    [InlineData("1FjL87pn8ky6Vbavd1ZHeChRXtoxwRGCRd", 0x00, "a19331b7b2627e663e25a7b001e4c0dcc5e21bc7")]
    [InlineData("3BZECeAH8gSKkjrTx8PwMrNQBLG18yHpvf", 0x05, "6c382dcdf5b284760c8e3fead91f7422cd76aa87")]
    [InlineData("mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ", 0x6f, "ce28b26c57472737f5c3561a1761185bd8589a43")]
    [InlineData("2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK", 0xc4, "ce0bba75891ff9ec60148d4bd4a09ee2dc5c9331")]
    [InlineData("n4fajahJrAuKbN7uNsKjLjQkz9Qn5ewJXQ", 0x6f, "fdeca3b08e38af53d7c4c60e3ad208ce50664410")]
    [InlineData("2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA", 0xc4, "36e9f191e0b75036a77f65e2eaa4752443233fbe")]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 0x00, "62e907b15cbf27d5425399ebf6f0fb50ebb88f18")]
    // Litecoin Core key_io_valid.json: L… (0x30), M… (0x32), and test/regtest Q… (0x3a) / m… (0x6f).
    [InlineData("LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA", 0x30, "558dbca7118cd5894502767c7b2ffc21a22f54db")]
    [InlineData("LbfVMz974gbbGFqXF7FZUpSBWSbwBHDwR5", 0x30, "b4565f467408e9e1c1d2a3b0ccdeff84db3a3b93")]
    [InlineData("MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2", 0x32, "6d328a5b2a20d943a641c8d29b6cc3c2d2df85d3")]
    [InlineData("MWGEAUUZoN4r6puz8KsgnE9wNTQ8fGWCEy", 0x32, "f54ec8d7b0c3f8ab8194db3432d19f8d44d03b12")]
    [InlineData("QXaUgLHkZcbJb2j5XgMYzY8cF9YM48Y81Z", 0x3a, "7860667e60a6545e18e541984094b29c9c46991b")]
    [InlineData("mpWvR79tSrA5xeziB6mjNYWdaVRwBpgnUP", 0x6f, "62b790654f809d32202587c6a43456ffc1965d83")]
    [InlineData("QgDNrG4nJpE4VV7PcFMFhkTgwAHWxWS7pj", 0x3a, "d71bee7a1395c10c9ca9a7f53ac086b53e74369d")]
    public void EncodeAndTryDecode_KeyIoVectors_RoundTrip(string address, int version, string hashHex)
    {
        var hash = Convert.FromHexString(hashHex);
        Assert.Equal(address, Base58Check.Encode((byte)version, hash));

        Assert.True(Base58Check.TryDecode(address, out var decodedVersion, out var payload));
        Assert.Equal((byte)version, decodedVersion);
        Assert.Equal(hash, payload);
    }

    [Fact]
    public void TryDecode_OneCharacterChanged_FailsChecksum()
    {
        Assert.True(Base58Check.TryDecode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", out _, out _));
        Assert.False(Base58Check.TryDecode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", out _, out _));
        Assert.False(Base58Check.TryDecode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN", out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1111")]
    [InlineData("2g")]
    public void TryDecode_TooShortForVersionAndChecksum_ReturnsFalse(string text)
    {
        Assert.False(Base58Check.TryDecode(text, out _, out var payload));
        Assert.Empty(payload);
    }

    [Fact]
    public void TryDecode_Null_ReturnsFalse()
    {
        Assert.False(Base58Check.TryDecode(null!, out _, out _));
    }
}
