using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

public class ScriptAsmTests
{
    // From Bitcoin Core test/functional/rpc_decodescript.py.
    private const string Signature =
        "304502207fa7a6d1e0ee81132a269ad84e68d695483745cde8b541e3bf630749894e342a022100c1f7ab20e13e22fb95281a870f3dcf38d782e53023ee313d741ad0cfbc0c509001";
    private const string PublicKey = "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2";
    private const string UncompressedPublicKey =
        "04b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb25e01fc8fde47c96c98a4f3a8123e33a38a50cf9025cc8c4494a518f991792bb7";

    // The first signature of mainnet tx 8e3730608c3b0bb5df54f09076e196bc292a8e39a78e73b44b6ba08c78f5cbb0 without its sighash byte.
    private const string DerSignature =
        "3045022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea";

    private static string Asm(string hex, bool decode = false) => ScriptAsm.ToAsm(Convert.FromHexString(hex), decode);

    // Bitcoin Core test/functional/data/rpc_decodescript.json.
    [Theory]
    [InlineData("5120eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "1 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")]
    [InlineData("5102eeee", "1 -28398")]
    [InlineData("0020eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "0 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")]
    [InlineData("a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87", "OP_HASH160 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee OP_EQUAL")]
    [InlineData("6a00", "OP_RETURN 0")]
    [InlineData("6aee", "OP_RETURN OP_UNKNOWN")]
    [InlineData("6a02ee", "OP_RETURN [error]")]
    [InlineData("02eeee", "-28398")]
    [InlineData("ba", "OP_CHECKSIGADD")]
    [InlineData("50", "OP_RESERVED")]
    public void ToAsm_CoreDecodeScriptVectors_Match(string hex, string expected)
    {
        Assert.Equal(expected, Asm(hex));
    }

    [Fact]
    public void ToAsm_P2pkhScriptSigWithoutSighashDecode_PrintsRawSignature()
    {
        Assert.Equal(Signature + " " + PublicKey, Asm("48" + Signature + "21" + PublicKey));
    }

    [Fact]
    public void ToAsm_P2pkhScriptSigWithSighashDecode_ReplacesSighashByteWithAll()
    {
        Assert.Equal(Signature[..^2] + "[ALL] " + PublicKey, Asm("48" + Signature + "21" + PublicKey, decode: true));
    }

    [Fact]
    public void ToAsm_MultisigScriptSig_PrintsOpZeroAsZero()
    {
        Assert.Equal("0 " + Signature + " " + Signature, Asm("00" + "48" + Signature + "48" + Signature));
        Assert.Equal("1 0", Asm("5100"));
    }

    [Fact]
    public void ToAsm_BareMultisig_PrintsSmallIntegersAndKeys()
    {
        Assert.Equal(
            "2 " + PublicKey + " " + PublicKey + " " + PublicKey + " 3 OP_CHECKMULTISIG",
            Asm("52" + "21" + PublicKey + "21" + PublicKey + "21" + PublicKey + "53ae"));
        Assert.Equal(
            "2 " + PublicKey + " " + UncompressedPublicKey + " 2 OP_CHECKMULTISIG",
            Asm("52" + "21" + PublicKey + "41" + UncompressedPublicKey + "52ae"));
    }

    [Fact]
    public void ToAsm_CheckLockTimeVerifyScript_PrintsLockTimeAsNumber()
    {
        // OP_IF <pk> OP_CHECKSIGVERIFY OP_ELSE <500000> OP_CHECKLOCKTIMEVERIFY OP_DROP OP_ENDIF <pk> OP_CHECKSIG
        var script = "63" + "21" + PublicKey + "ad670320a107b17568" + "21" + PublicKey + "ac";
        Assert.Equal(
            "OP_IF " + PublicKey + " OP_CHECKSIGVERIFY OP_ELSE 500000 OP_CHECKLOCKTIMEVERIFY OP_DROP OP_ENDIF " + PublicKey + " OP_CHECKSIG",
            Asm(script));
    }

    [Fact]
    public void ToAsm_CheckSequenceVerifyScript_PrintsOpCheckSequenceVerify()
    {
        // <144> OP_CHECKSEQUENCEVERIFY OP_DROP <pk> OP_CHECKSIG
        Assert.Equal("144 OP_CHECKSEQUENCEVERIFY OP_DROP " + PublicKey + " OP_CHECKSIG", Asm("029000b275" + "21" + PublicKey + "ac"));
    }

    [Fact]
    public void ToAsm_OpReturnSignatureLookAlike_IsNeverSighashDecoded()
    {
        var imposter = "304502207fa7a6d1e0ee81132a269ad84e68d695483745cde8b541e3bf630749894e342a022100c1f7ab20e13e22fb95281a870f3dcf38d782e53023ee313d741ad0cfbc0c509001";
        Assert.Equal("OP_RETURN " + imposter, Asm("6a48" + imposter, decode: true));
        Assert.Equal("OP_RETURN 3011020701010101010101020601010101010101", Asm("6a143011020701010101010101020601010101010101", decode: true));
        Assert.Equal("OP_RETURN 300602010002010001", Asm("6a09300602010002010001", decode: true));
    }

    [Fact]
    public void ToAsm_MainnetP2pkhScriptSig_MatchesCoreDecodeRawTransaction()
    {
        var scriptSig =
            "47304402207174775824bec6c2700023309a168231ec80b82c6069282f5133e6f11cbb04460220570edc55c7c5da2ca687ebd0372d3546ebc3f810516a002350cac72dfe192dfb01" +
            "4104d3f898e6487787910a690410b7a917ef198905c27fb9d3b0a42da12aceae0544fc7088d239d9a48f2828a15a09e84043001f27cc80d162cb95404e1210161536";
        Assert.Equal(
            "304402207174775824bec6c2700023309a168231ec80b82c6069282f5133e6f11cbb04460220570edc55c7c5da2ca687ebd0372d3546ebc3f810516a002350cac72dfe192dfb[ALL] " +
            "04d3f898e6487787910a690410b7a917ef198905c27fb9d3b0a42da12aceae0544fc7088d239d9a48f2828a15a09e84043001f27cc80d162cb95404e1210161536",
            Asm(scriptSig, decode: true));
    }

    [Fact]
    public void ToAsm_MainnetP2shMultisigScriptSig_MatchesCoreDecodeRawTransaction()
    {
        // Input of mainnet tx 8e3730608c3b0bb5df54f09076e196bc292a8e39a78e73b44b6ba08c78f5cbb0: the redeem script
        // (pushed with OP_PUSHDATA1) is not a signature and prints as plain hex.
        var scriptSig =
            "00483045022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01" +
            "483045022100b44883be035600e9328a01b66c7d8439b74db64187e76b99a68f7893b701d5380220225bf286493e4c4adcf928c40f785422572eb232f84a0b83b0dea823c3a19c7501" +
            "4c695221020743d44be989540d27b1b4bbbcfd17721c337cb6bc9af20eb8a32520b393532f2102c0120a1dda9e51a938d39ddd9fe0ebc45ea97e1d27a7cbd671d5431416d3dd87210213820eb3d5f509d7438c9eeecb4157b2f595105e7cd564b3cdbb9ead3da41eed53ae";
        Assert.Equal(
            "0 3045022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea[ALL] " +
            "3045022100b44883be035600e9328a01b66c7d8439b74db64187e76b99a68f7893b701d5380220225bf286493e4c4adcf928c40f785422572eb232f84a0b83b0dea823c3a19c75[ALL] " +
            "5221020743d44be989540d27b1b4bbbcfd17721c337cb6bc9af20eb8a32520b393532f2102c0120a1dda9e51a938d39ddd9fe0ebc45ea97e1d27a7cbd671d5431416d3dd87210213820eb3d5f509d7438c9eeecb4157b2f595105e7cd564b3cdbb9ead3da41eed53ae",
            Asm(scriptSig, decode: true));
    }

    [Theory]
    [InlineData("01", "[ALL]")]
    [InlineData("81", "[ALL|ANYONECANPAY]")]
    [InlineData("02", "[NONE]")]
    [InlineData("82", "[NONE|ANYONECANPAY]")]
    [InlineData("03", "[SINGLE]")]
    [InlineData("83", "[SINGLE|ANYONECANPAY]")]
    public void ToAsm_DefinedSighashType_IsDecoded(string sighash, string expectedSuffix)
    {
        Assert.Equal(DerSignature + expectedSuffix, Asm("48" + DerSignature + sighash, decode: true));
        Assert.Equal("0 " + DerSignature + "[ALL] " + DerSignature + expectedSuffix,
            Asm("00" + "48" + DerSignature + "01" + "48" + DerSignature + sighash, decode: true));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("04")]
    [InlineData("80")]
    [InlineData("84")]
    [InlineData("41")]
    public void ToAsm_UndefinedSighashType_PrintsWholePushAsHex(string sighash)
    {
        Assert.Equal(DerSignature + sighash, Asm("48" + DerSignature + sighash, decode: true));
    }

    [Fact]
    public void ToAsm_SighashDecodeNotRequested_PrintsWholePushAsHex()
    {
        Assert.Equal(DerSignature + "82", Asm("48" + DerSignature + "82", decode: false));
    }

    [Theory]
    // S with an unnecessary leading zero byte (not strict DER).
    [InlineData("3046022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab800221002f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01")]
    // Negative R (high bit set without a zero prefix).
    [InlineData("30440220ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01")]
    // Total length byte off by one.
    [InlineData("3046022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01")]
    // Not a SEQUENCE.
    [InlineData("3145022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01")]
    public void ToAsm_NonDerSignature_IsNotSighashDecoded(string push)
    {
        var script = (push.Length / 2).ToString("x2") + push;
        Assert.Equal(push, Asm(script, decode: true));
    }

    [Fact]
    public void ToAsm_ScriptLargerThanMaxScriptSize_IsNotSighashDecoded()
    {
        // CScript::IsUnspendable also holds for scripts over 10,000 bytes.
        var script = Convert.FromHexString("48" + DerSignature + "01").Concat(Enumerable.Repeat((byte)0x61, 10_000)).ToArray();
        var asm = ScriptAsm.ToAsm(script, attemptSighashDecode: true);
        Assert.StartsWith(DerSignature + "01 OP_NOP OP_NOP", asm);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("00", "0")]
    [InlineData("4f", "-1")]
    [InlineData("51", "1")]
    [InlineData("60", "16")]
    [InlineData("0100", "0")]
    [InlineData("0101", "1")]
    [InlineData("0180", "0")] // negative zero
    [InlineData("0181", "-1")]
    [InlineData("01ff", "-127")]
    [InlineData("0280ff", "-32640")]
    [InlineData("02e803", "1000")]
    [InlineData("03a08601", "100000")]
    [InlineData("04ffffff7f", "2147483647")]
    [InlineData("04ffffffff", "-2147483647")]
    [InlineData("0400000080", "0")]
    [InlineData("0400000000", "0")]
    [InlineData("0401000080", "-1")]
    [InlineData("050000000080", "0000000080")]
    [InlineData("4c02e803", "1000")] // OP_PUSHDATA1 of 2 bytes still prints as a number
    [InlineData("4d0300010203", "197121")]
    [InlineData("4e0100000081", "-1")]
    [InlineData("4c00", "0")]
    public void ToAsm_PushesOfAtMostFourBytes_PrintAsScriptNumbers(string hex, string expected)
    {
        Assert.Equal(expected, Asm(hex));
    }

    [Theory]
    [InlineData("4c", "[error]")]
    [InlineData("4d01", "[error]")]
    [InlineData("4e010000", "[error]")]
    [InlineData("02ee", "[error]")]
    [InlineData("76a914", "OP_DUP OP_HASH160 [error]")]
    [InlineData("76a914b5cd7aaed869cd5ccb45868e8666e7e934a237", "OP_DUP OP_HASH160 [error]")]
    [InlineData("4c05010203", "[error]")]
    [InlineData("4effffffff00", "[error]")]
    public void ToAsm_TruncatedPush_EndsWithError(string hex, string expected)
    {
        Assert.Equal(expected, Asm(hex));
        Assert.Equal(expected, Asm(hex, decode: true));
    }

    [Theory]
    [InlineData("61", "OP_NOP")]
    [InlineData("62", "OP_VER")]
    [InlineData("65", "OP_VERIF")]
    [InlineData("66", "OP_VERNOTIF")]
    [InlineData("6b", "OP_TOALTSTACK")]
    [InlineData("7d", "OP_TUCK")]
    [InlineData("7e", "OP_CAT")]
    [InlineData("82", "OP_SIZE")]
    [InlineData("89", "OP_RESERVED1")]
    [InlineData("8a", "OP_RESERVED2")]
    [InlineData("8b", "OP_1ADD")]
    [InlineData("a5", "OP_WITHIN")]
    [InlineData("a6", "OP_RIPEMD160")]
    [InlineData("ab", "OP_CODESEPARATOR")]
    [InlineData("af", "OP_CHECKMULTISIGVERIFY")]
    [InlineData("b0", "OP_NOP1")]
    [InlineData("b1", "OP_CHECKLOCKTIMEVERIFY")]
    [InlineData("b2", "OP_CHECKSEQUENCEVERIFY")]
    [InlineData("b3", "OP_NOP4")]
    [InlineData("b9", "OP_NOP10")]
    [InlineData("ba", "OP_CHECKSIGADD")]
    [InlineData("bb", "OP_UNKNOWN")]
    [InlineData("fe", "OP_UNKNOWN")]
    [InlineData("ff", "OP_INVALIDOPCODE")]
    public void ToAsm_NonPushOpcode_PrintsCoreOpName(string hex, string expected)
    {
        Assert.Equal(expected, Asm(hex));
    }

    [Fact]
    public void ToAsm_P2pkh_PrintsStandardTemplate()
    {
        Assert.Equal(
            "OP_DUP OP_HASH160 b5cd7aaed869cd5ccb45868e8666e7e934a23736 OP_EQUALVERIFY OP_CHECKSIG",
            Asm("76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac"));
    }

    [Fact]
    public void ToAsm_LongPushWithPushData2_PrintsHex()
    {
        var data = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var script = new byte[] { 0x4d, 0x2c, 0x01 }.Concat(data).Append((byte)0x75).ToArray();
        Assert.Equal(Convert.ToHexStringLower(data) + " OP_DROP", ScriptAsm.ToAsm(script, false));
    }
}
