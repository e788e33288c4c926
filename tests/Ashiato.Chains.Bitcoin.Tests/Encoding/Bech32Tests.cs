using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Tests.Encoding;

public class Bech32Tests
{
    // BIP173 "valid Bech32" strings.
    [Theory]
    [InlineData("A12UEL5L")]
    [InlineData("a12uel5l")]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs")]
    [InlineData("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")]
    [InlineData("11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w")]
    [InlineData("?1ezyfcl")]
    public void TryDecode_Bip173ValidStrings_AreBech32(string text)
    {
        Assert.True(Bech32.TryDecode(text, out var hrp, out var data, out var variant));
        Assert.Equal(Bech32Variant.Bech32, variant);
        Assert.Equal(text.ToLowerInvariant(), Bech32.Encode(hrp, data, variant));
    }

    // BIP350 "valid Bech32m" strings (and therefore invalid bech32).
    [Theory]
    [InlineData("A1LQFN3A")]
    [InlineData("a1lqfn3a")]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6")]
    [InlineData("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx")]
    [InlineData("11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperredlc445v")]
    [InlineData("?1v759aa")]
    public void TryDecode_Bip350ValidStrings_AreBech32m(string text)
    {
        Assert.True(Bech32.TryDecode(text, out var hrp, out var data, out var variant));
        Assert.Equal(Bech32Variant.Bech32m, variant);
        Assert.Equal(text.ToLowerInvariant(), Bech32.Encode(hrp, data, variant));
    }

    [Fact]
    public void TryDecode_Abcdef_ReturnsAllThirtyTwoValuesInOrder()
    {
        Assert.True(Bech32.TryDecode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", out var hrp, out var data, out _));
        Assert.Equal("abcdef", hrp);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), data);
    }

    // BIP173 and BIP350 invalid strings (reasons in the BIPs: HRP character out of range, overall max length exceeded,
    // no separator, empty HRP, invalid data character, too short checksum, invalid character in checksum,
    // checksum calculated with upper-case HRP).
    [Theory]
    [InlineData("\u00201nwldj5")]
    [InlineData("\u007f1axkwrx")]
    [InlineData("\u00801eym55h")]
    [InlineData("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx")]
    [InlineData("pzry9x0s0muk")]
    [InlineData("1pzry9x0s0muk")]
    [InlineData("x1b4n0q5v")]
    [InlineData("li1dgmt3")]
    [InlineData("de1lg7wt\u00ff")]
    [InlineData("A1G7SGD8")]
    [InlineData("10a06t8")]
    [InlineData("1qzzfhee")]
    [InlineData("\u00201xj0phk")]
    [InlineData("\u007f1g6xzxy")]
    [InlineData("\u00801vctc34")]
    [InlineData("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4")]
    [InlineData("qyrz8wqd2c9m")]
    [InlineData("1qyrz8wqd2c9m")]
    [InlineData("y1b0jsk6g")]
    [InlineData("lt1igcx5c0")]
    [InlineData("in1muywd")]
    [InlineData("mm1crxm3i")]
    [InlineData("au1s5cgom")]
    [InlineData("M1VUXWEZ")]
    [InlineData("16plkw9")]
    [InlineData("1p2gdwpf")]
    public void TryDecode_BipInvalidStrings_ReturnsFalse(string text)
    {
        Assert.False(Bech32.TryDecode(text, out _, out _, out _));
    }

    // BIP350 valid segwit addresses (a superset of BIP173's v0 ones), Bitcoin Core key_io_valid.json and
    // rpc_decodescript.json addresses, with their scriptPubKeys.
    public static TheoryData<string, string> ValidSegwitAddresses => new()
    {
        { "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6" },
        { "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
        { "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6" },
        { "BC1SW50QGDZ25J", "6002751e" },
        { "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323" },
        { "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433" },
        { "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433" },
        { "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" },
        { "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv", "00146100fc6343edc8c874496cb2f5bbfec88ea9b77c" },
        { "bc1qyucykdlhp62tezs0hagqury402qwhk589q80tqs5myh3rxq34nwqhkdhv7", "002027304b37f70e94bc8a0fbf500e0c957a80ebda87280ef58214d92f119811acdc" },
        { "bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu", "51203c671ef1e3913f94980a9e146ba895908550ef4234abb7503d436521aba54c75" },
        { "bc1z2rksukkjr8", "520250ed" },
        { "tb1rgv5m6uvdk3kc7qsuz0c79v88ycr5w4wa", "53104329bd718db46d8f021c13f1e2b0e726" },
        { "tb1rx9n9g37az8mu236e5jpxdt0m67y4fuq8rhs0ss3djnm0kscfrwvq0ntlyg", "532031665447dd11f7c54759a48266adfbd78954f0071de0f8422d94f6fb43091b98" },
        { "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9", "00146f58bac9506f9bfb821d62e69330410bb56f0085" },
        { "bcrt1qan8gntac7z7me2ejt4hpru42ad2f759fmy0m3ejvs98656znv7eqga4uhv", "0020ecce89afb8f0bdbcab325d6e11f2aaeb549f50a9d91fb8e64c814faa685367b2" },
        { "bcrt1pfwxjqvtt4tcxrtdluukfmy2dv7xd2qzdfy6kajv5nwn4yam3wxkq3553uh", "51204b8d20316baaf061adbfe72c9d914d678cd5004d49356ec9949ba752777171ac" },
        { "bcrt1sx6p8njlx7h9mc2agz4yg82dzne23050ncq72cneeecez2pst8mahn8xecsf8g6hzx94420", "6028368279cbe6f5cbbc2ba8154883a9a29e5517d1f3c03cac4f39ce3225060b3efb799cd9c412746ae2" },
        { "bcrt1pamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhqz6nvlh", "5120eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" },
        { "bcrt1pamhqk96edn", "5102eeee" },
        { "bcrt1qjmprdr7rq522gw9ghkgfly7yng25n4m3nrxtmdujqsakvm9jfapqk795l5", "002096c2368fc30514a438a8bd909f93c49a1549d77198ccbdb792043b666cb24f42" },
    };

    [Theory]
    [MemberData(nameof(ValidSegwitAddresses))]
    public void TryDecodeSegwit_ValidAddress_ReturnsScriptPubKeyProgram(string address, string scriptPubKeyHex)
    {
        var spk = Convert.FromHexString(scriptPubKeyHex);
        var expectedVersion = spk[0] == 0 ? 0 : spk[0] - 0x50;

        Assert.True(Bech32.TryDecodeSegwit(address, out var hrp, out var version, out var program));
        Assert.Equal(address[..address.LastIndexOf('1')].ToLowerInvariant(), hrp);
        Assert.Equal(expectedVersion, version);
        Assert.Equal(spk[2..], program);
    }

    [Theory]
    [MemberData(nameof(ValidSegwitAddresses))]
    public void EncodeSegwit_ValidAddress_ReproducesLowerCaseAddress(string address, string scriptPubKeyHex)
    {
        var spk = Convert.FromHexString(scriptPubKeyHex);
        var version = spk[0] == 0 ? 0 : spk[0] - 0x50;
        var hrp = address[..address.LastIndexOf('1')].ToLowerInvariant();
        Assert.Equal(address.ToLowerInvariant(), Bech32.EncodeSegwit(hrp, version, spk[2..]));
    }

    // BIP173 and BIP350 invalid segwit addresses (other than a wrong HRP, which the caller checks).
    [Theory]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")] // invalid checksum
    [InlineData("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2")] // invalid witness version
    [InlineData("bc1rw5uspcuh")] // invalid program length
    [InlineData("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90")] // invalid program length
    [InlineData("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P")] // invalid program length for witness version 0
    [InlineData("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7")] // mixed case
    [InlineData("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du")] // zero padding of more than 4 bits
    [InlineData("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv")] // non-zero padding in 8-to-5 conversion
    [InlineData("bc1gmk9yu")] // empty data section
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd")] // bech32 instead of bech32m
    [InlineData("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf")] // bech32 instead of bech32m
    [InlineData("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL")] // bech32 instead of bech32m
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")] // bech32m instead of bech32
    [InlineData("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47")] // bech32m instead of bech32
    [InlineData("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4")] // invalid character in checksum
    [InlineData("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R")] // invalid witness version
    [InlineData("bc1pw5dgrnzv")] // invalid program length (1 byte)
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav")] // 41 bytes
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq")] // mixed case
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf")] // zero padding of more than 4 bits
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j")] // non-zero padding
    // BIP173's v1+ examples used the bech32 checksum; BIP350 made them invalid.
    [InlineData("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx")]
    [InlineData("BC1SW50QA3JX3S")]
    [InlineData("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj")]
    public void TryDecodeSegwit_BipInvalidAddress_ReturnsFalse(string address)
    {
        Assert.False(Bech32.TryDecodeSegwit(address, out var hrp, out var version, out var program));
        Assert.Equal(string.Empty, hrp);
        Assert.Equal(-1, version);
        Assert.Empty(program);
    }

    [Theory]
    [InlineData("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", 0)]
    [InlineData("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", 1)]
    public void TryDecodeSegwit_BipInvalidHrpAddress_DecodesWithThatHrpForTheCallerToReject(string address, int expectedVersion)
    {
        Assert.True(Bech32.TryDecodeSegwit(address, out var hrp, out var version, out _));
        Assert.Equal("tc", hrp);
        Assert.Equal(expectedVersion, version);
    }

    // One public key's P2WPKH address on six networks (thornode common/pubkey_test.go key data):
    // the program is Hash160 of 02b4632d08485ff1df2db55b9dafd23347d1c47a457072a1e87be26896549a8737.
    [Theory]
    [InlineData("bc", "bc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawlht528")]
    [InlineData("tb", "tb1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynaw43s835")]
    [InlineData("bcrt", "bcrt1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawhcf2xa")]
    [InlineData("ltc", "ltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawmt3sjh")]
    [InlineData("tltc", "tltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawvejepa")]
    [InlineData("rltc", "rltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawf4nr3r")]
    public void EncodeSegwit_KeyHashOnEachNetwork_MatchesThornodeVectors(string hrp, string expected)
    {
        var keyHash = new byte[20];
        Hashes.Hash160(Convert.FromHexString("02b4632d08485ff1df2db55b9dafd23347d1c47a457072a1e87be26896549a8737"), keyHash);

        Assert.Equal(expected, Bech32.EncodeSegwit(hrp, 0, keyHash));
        Assert.True(Bech32.TryDecodeSegwit(expected, out var decodedHrp, out var version, out var program));
        Assert.Equal(hrp, decodedHrp);
        Assert.Equal(0, version);
        Assert.Equal(keyHash, program);
    }

    [Theory]
    [InlineData(-1, 20)]
    [InlineData(17, 20)]
    [InlineData(0, 25)]
    [InlineData(1, 1)]
    [InlineData(1, 41)]
    public void EncodeSegwit_InvalidVersionOrProgramLength_Throws(int version, int programLength)
    {
        Assert.ThrowsAny<ArgumentException>(() => Bech32.EncodeSegwit("bc", version, new byte[programLength]));
    }

    [Fact]
    public void EncodeSegwit_UpperCaseHrp_Throws()
    {
        Assert.Throws<ArgumentException>(() => Bech32.EncodeSegwit("BC", 0, new byte[20]));
    }

    [Fact]
    public void TryDecodeSegwit_Null_ReturnsFalse()
    {
        Assert.False(Bech32.TryDecodeSegwit(null!, out _, out _, out _));
    }
}
