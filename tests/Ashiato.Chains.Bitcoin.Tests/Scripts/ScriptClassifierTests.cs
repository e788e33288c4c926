using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

public class ScriptClassifierTests
{
    // Keys with published addresses: thornode common/pubkey_test.go (K1..K3), the genesis coinbase key (G),
    // bitcoin-etl test_btc_script_service.py (U1), Bitcoin Core rpc_decodescript.py (PK, UPK).
    internal const string K1 = "02b4632d08485ff1df2db55b9dafd23347d1c47a457072a1e87be26896549a8737";
    internal const string K2 = "037db227d7094ce215c3a0f57e1bcc732551fe351f94249471934567e0f5dc1bf7";
    internal const string K3 = "03f98464e8d3fc8e275e34c6f8dc9b99aa244e37b0d695d0dfb8884712ed6d4d35";
    internal const string G =
        "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";
    internal const string U1 =
        "04a39b9e4fbd213ef24bb9be69de4a118dd0644082e47c01fd9159d38637b83fbcdc115a5d6e970586a012d1cfe3e3a8b1a3d04e763bdc5a071c0e827c0bd834a5";
    internal const string PK = "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2";
    internal const string UPK =
        "04b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb25e01fc8fde47c96c98a4f3a8123e33a38a50cf9025cc8c4494a518f991792bb7";

    internal const string OneOfTwo = "51" + "21" + K1 + "21" + K2 + "52ae";
    internal const string TwoOfThree = "52" + "21" + K1 + "21" + K2 + "21" + K3 + "53ae";

    private sealed record Classified(ScriptType Type, AddressKind Kind, string Payload, int RequiredSignatures);

    private static Classified Classify(string hex)
    {
        var payload = new byte[ScriptClassifier.MaxPayload];
        var type = ScriptClassifier.Classify(Convert.FromHexString(hex), payload, out var length, out var kind, out var required);
        return new Classified(type, kind, Convert.ToHexStringLower(payload.AsSpan(0, length)), required);
    }

    // SHA256 from the framework, independent of the code under test (expected payload of hashed kinds).
    private static string Sha256Hex(string hex) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Convert.FromHexString(hex)));

    [Fact]
    public void Classify_P2pkh_ReturnsPubKeyHashWithTheHash()
    {
        Assert.Equal(
            new Classified(ScriptType.PubKeyHash, AddressKind.PubKeyHash, "b5cd7aaed869cd5ccb45868e8666e7e934a23736", 1),
            Classify("76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac"));
    }

    [Fact]
    public void Classify_P2sh_ReturnsScriptHashWithTheHash()
    {
        Assert.Equal(
            new Classified(ScriptType.ScriptHash, AddressKind.ScriptHash, "2a5edea39971049a540474c6a99edf0aa4074c58", 1),
            Classify("a9142a5edea39971049a540474c6a99edf0aa4074c5887"));
    }

    [Fact]
    public void Classify_P2pkUncompressed_ReturnsPubKeyKeyedByHash160()
    {
        // Genesis output: pays 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa = Hash160 62e907b1….
        Assert.Equal(
            new Classified(ScriptType.PubKey, AddressKind.PubKeyHash, "62e907b15cbf27d5425399ebf6f0fb50ebb88f18", 1),
            Classify("41" + G + "ac"));
    }

    [Fact]
    public void Classify_P2pkCompressed_ReturnsPubKeyKeyedByHash160()
    {
        Assert.Equal(
            new Classified(ScriptType.PubKey, AddressKind.PubKeyHash, "5dd1d3a048119c27b28293056724d9522f26d945", 1),
            Classify("21" + PK + "ac"));
    }

    [Fact]
    public void Classify_P2pkHybridKey_ReturnsPubKey()
    {
        // CPubKey::ValidSize accepts the hybrid headers 06/07 with 65 bytes.
        Assert.Equal(ScriptType.PubKey, Classify("41" + "06" + UPK[2..] + "ac").Type);
        Assert.Equal(ScriptType.PubKey, Classify("41" + "07" + UPK[2..] + "ac").Type);
    }

    [Theory]
    [InlineData("21" + "04b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2" + "ac")] // 33 bytes, header 04
    [InlineData("21" + "05b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2" + "ac")] // header 05
    [InlineData("41" + "02b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb25e01fc8fde47c96c98a4f3a8123e33a38a50cf9025cc8c4494a518f991792bb7" + "ac")] // 65 bytes, header 02
    [InlineData("21" + "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2" + "ad")] // OP_CHECKSIGVERIFY
    [InlineData("4c21" + "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2" + "ac")] // non-direct push
    public void Classify_P2pkLookAlikeWithWrongKeyOrTemplate_ReturnsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Fact]
    public void Classify_P2wpkh_ReturnsWitnessV0KeyHash()
    {
        Assert.Equal(
            new Classified(ScriptType.WitnessV0KeyHash, AddressKind.WitnessV0KeyHash, "751e76e8199196d454941c45d1b3a323f1433bd6", 1),
            Classify("0014751e76e8199196d454941c45d1b3a323f1433bd6"));
    }

    [Fact]
    public void Classify_P2wsh_ReturnsWitnessV0ScriptHash()
    {
        Assert.Equal(
            new Classified(ScriptType.WitnessV0ScriptHash, AddressKind.WitnessV0ScriptHash,
                "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", 1),
            Classify("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"));
    }

    [Fact]
    public void Classify_P2tr_ReturnsWitnessV1Taproot()
    {
        Assert.Equal(
            new Classified(ScriptType.WitnessV1Taproot, AddressKind.Taproot,
                "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", 1),
            Classify("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
    }

    [Fact]
    public void Classify_WitnessV0With25BytePrograms_ReturnsNonstandard()
    {
        const string hex = "00190102030405060708090a0b0c0d0e0f10111213141516171819";
        Assert.Equal(
            new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard,
                "4cf52ba12e505d963fc844da6c531e38bfdd52fa7d303bed5ceaf295f8231ed1", 0),
            Classify(hex));
    }

    [Fact]
    public void Classify_WitnessV2_ReturnsWitnessUnknownWithVersionBytePrefix()
    {
        Assert.Equal(
            new Classified(ScriptType.WitnessUnknown, AddressKind.WitnessUnknown, "02" + "751e76e8199196d454941c45d1b3a323", 0),
            Classify("5210751e76e8199196d454941c45d1b3a323"));
    }

    [Theory]
    [InlineData("6002751e", "10751e")] // v16, 2-byte program
    [InlineData("5102eeee", "01eeee")] // v1 that is not 32 bytes
    [InlineData("5114751e76e8199196d454941c45d1b3a323f1433bd6", "01751e76e8199196d454941c45d1b3a323f1433bd6")]
    [InlineData("51024e73", "014e73")] // pay-to-anchor: Core 28+ calls it "anchor"; we keep the pre-28 witness_unknown
    [InlineData("6028a9cad2a6fb267ef6092080f79754de19dfd8701986e97403b82468dea7f8271378c8f843569fb165",
        "10a9cad2a6fb267ef6092080f79754de19dfd8701986e97403b82468dea7f8271378c8f843569fb165")] // 40-byte program
    public void Classify_OtherWitnessPrograms_ReturnWitnessUnknown(string hex, string payload)
    {
        Assert.Equal(new Classified(ScriptType.WitnessUnknown, AddressKind.WitnessUnknown, payload, 0), Classify(hex));
    }

    [Theory]
    [InlineData("0015751e76e8199196d454941c45d1b3a323f1433bd6")] // push length says 21, only 20 follow
    [InlineData("0001ee")] // 1-byte program: too short for a witness program
    [InlineData("6114751e76e8199196d454941c45d1b3a323f1433bd6")] // OP_NOP is no witness version
    [InlineData("51290000000000000000000000000000000000000000000000000000000000000000000000000000000000")] // 41-byte program
    [InlineData("4f020000")] // OP_1NEGATE is no version
    public void Classify_WitnessLookAlike_ReturnsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Theory]
    [InlineData("6a")]
    [InlineData("6a00")]
    [InlineData("6a0b68656c6c6f20776f726c64")]
    [InlineData("6a24aa21a9ed0000000000000000000000000000000000000000000000000000000000000000")] // witness commitment
    [InlineData("6a4c0401020304")] // OP_PUSHDATA1
    [InlineData("6a4d0200eeee")] // OP_PUSHDATA2
    [InlineData("6a5150604f")] // OP_1, OP_RESERVED, OP_16, OP_1NEGATE count as pushes
    [InlineData("6a09300602010002010001")]
    public void Classify_OpReturnWithData_ReturnsNullDataKeyedAsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.NullData, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Theory]
    [InlineData("6aee")] // OP_RETURN OP_UNKNOWN
    [InlineData("6a76")] // OP_RETURN OP_DUP
    [InlineData("6a0061")] // OP_RETURN 0 OP_NOP
    [InlineData("6a02ee")] // truncated push
    [InlineData("006a00")] // OP_RETURN not first
    public void Classify_OpReturnFollowedByNonPushOrTruncated_ReturnsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Fact]
    public void Classify_EmptyScript_ReturnsNonstandardWithSha256OfNothing()
    {
        Assert.Equal(
            new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0),
            Classify(""));
    }

    [Fact]
    public void Classify_Bare1Of2Multisig_ReturnsMultisigRequiringOne()
    {
        Assert.Equal(
            new Classified(ScriptType.Multisig, AddressKind.Multisig,
                "0945f796bacff25fd5d27131dfe7258d3b282b44e6dd5a68b207522c95dcc38b", 1),
            Classify(OneOfTwo));
    }

    [Fact]
    public void Classify_Bare2Of3Multisig_ReturnsMultisigRequiringTwo()
    {
        Assert.Equal(
            new Classified(ScriptType.Multisig, AddressKind.Multisig,
                "fa0034a5030a28d32884910793d132dc89cf62c236a371e0e34da057f7b370c9", 2),
            Classify(TwoOfThree));
    }

    [Fact]
    public void Classify_MultisigMixingCompressedAndUncompressedKeys_ReturnsMultisig()
    {
        // Bitcoin Core rpc_decodescript.py "multisig with uncompressed pubkey".
        var hex = "52" + "21" + PK + "41" + UPK + "52ae";
        Assert.Equal(new Classified(ScriptType.Multisig, AddressKind.Multisig, Sha256Hex(hex), 2), Classify(hex));
    }

    [Fact]
    public void Classify_MultisigWithKeysPushedByPushData1_ReturnsMultisig()
    {
        var hex = "51" + "4c21" + K1 + "51ae";
        Assert.Equal(ScriptType.Multisig, Classify(hex).Type);
    }

    [Fact]
    public void Classify_SixteenOfSixteenMultisig_ReturnsMultisigRequiringSixteen()
    {
        var hex = "60" + string.Concat(Enumerable.Repeat("21" + K1, 16)) + "60ae";
        Assert.Equal(new Classified(ScriptType.Multisig, AddressKind.Multisig, Sha256Hex(hex), 16), Classify(hex));
    }

    [Theory]
    [InlineData("53" + "21" + K1 + "21" + K2 + "52ae")] // m > n
    [InlineData("52" + "21" + K1 + "21" + K2 + "21" + K3 + "52ae")] // three keys, n = 2
    [InlineData("51" + "21" + K1 + "52ae")] // one key, n = 2
    [InlineData("00" + "21" + K1 + "51ae")] // m = 0
    [InlineData("51" + "21" + K1 + "00ae")] // n = 0
    [InlineData("51" + "14" + "751e76e8199196d454941c45d1b3a323f1433bd6" + "51ae")] // a 20-byte "key"
    [InlineData("51" + "21" + K1 + "51ae" + "ae")] // trailing opcode
    [InlineData("51" + "21" + K1 + "51af")] // OP_CHECKMULTISIGVERIFY
    [InlineData("51" + "21" + K1 + "51" + "75ae")] // extra opcode before OP_CHECKMULTISIG
    [InlineData("0111" + "21" + K1 + "0111ae")] // numbers as pushes (newer Core reads them for up to 20 keys)
    [InlineData("51" + "21" + K1 + "51")] // no OP_CHECKMULTISIG
    [InlineData("ae")]
    [InlineData("51ae")]
    public void Classify_MultisigLookAlike_ReturnsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Fact]
    public void Classify_CheckLockTimeVerifyScript_ReturnsNonstandard()
    {
        // Bitcoin Core rpc_decodescript.py "CLTV redeem script" (type nonstandard).
        var hex = "63" + "21" + PK + "ad670320a107b17568" + "21" + PK + "ac";
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    [Theory]
    [InlineData("4c")]
    [InlineData("76a914")]
    [InlineData("4dffff00")]
    public void Classify_TruncatedScript_ReturnsNonstandard(string hex)
    {
        Assert.Equal(new Classified(ScriptType.Nonstandard, AddressKind.Nonstandard, Sha256Hex(hex), 0), Classify(hex));
    }

    // Bitcoin Core test/functional/data/rpc_decodescript.json and rpc_decodescript.py types.
    [Theory]
    [InlineData("5120eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "witness_v1_taproot")]
    [InlineData("5102eeee", "witness_unknown")]
    [InlineData("0020eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "witness_v0_scripthash")]
    [InlineData("a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87", "scripthash")]
    [InlineData("6a00", "nulldata")]
    [InlineData("6aee", "nonstandard")]
    [InlineData("6a02ee", "nonstandard")]
    [InlineData("02eeee", "nonstandard")]
    [InlineData("ba", "nonstandard")]
    [InlineData("50", "nonstandard")]
    [InlineData("21" + PK + "ac", "pubkey")]
    [InlineData("41" + UPK + "ac", "pubkey")]
    [InlineData("76a9145dd1d3a048119c27b28293056724d9522f26d94588ac", "pubkeyhash")]
    [InlineData("52" + "21" + PK + "21" + PK + "21" + PK + "53ae", "multisig")]
    [InlineData("00145dd1d3a048119c27b28293056724d9522f26d945", "witness_v0_keyhash")]
    [InlineData("0020d8590cf8ea0674cf3d49fd7ca249b85ef7485dea62c138468bddeb20cd6519f7", "witness_v0_scripthash")]
    [InlineData("51200101010101010101010101010101010101010101010101010101010101010101", "witness_v1_taproot")]
    public void Classify_CoreDecodeScriptVectors_HaveCoreTypeNames(string hex, string coreType)
    {
        Assert.Equal(coreType, ScriptTypeNames.CoreName(Classify(hex).Type));
    }

    [Fact]
    public void Classify_PayloadBufferTooSmall_Throws()
    {
        var script = Convert.FromHexString("76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac");
        Assert.Throws<ArgumentException>(() =>
            ScriptClassifier.Classify(script, new byte[ScriptClassifier.MaxPayload - 1], out _, out _, out _));
    }

    [Fact]
    public void Classify_RepeatedOverEveryType_AllocatesNothing()
    {
        var scripts = new[]
        {
            "76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac",
            "a9142a5edea39971049a540474c6a99edf0aa4074c5887",
            "41" + G + "ac",
            "21" + PK + "ac",
            "0014751e76e8199196d454941c45d1b3a323f1433bd6",
            "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
            "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
            "5210751e76e8199196d454941c45d1b3a323",
            "6a24aa21a9ed0000000000000000000000000000000000000000000000000000000000000000",
            TwoOfThree,
            "63" + "21" + PK + "ad670320a107b17568" + "21" + PK + "ac",
        }.Select(Convert.FromHexString).ToArray();
        var payload = new byte[ScriptClassifier.MaxPayload];
        var total = 0;
        foreach (var script in scripts)
        {
            total += (int)ScriptClassifier.Classify(script, payload, out _, out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 1000; round++)
        {
            foreach (var script in scripts)
            {
                total += (int)ScriptClassifier.Classify(script, payload, out _, out _, out _);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);
    }

    [Fact]
    public void MultisigPubKeys_TwoOfThree_ReturnsKeysInOrder()
    {
        var keys = ScriptClassifier.MultisigPubKeys(Convert.FromHexString(TwoOfThree));
        Assert.Equal([K1, K2, K3], keys.Select(Convert.ToHexStringLower));
    }

    [Fact]
    public void MultisigPubKeys_MixedKeySizes_ReturnsEachKeyWhole()
    {
        var keys = ScriptClassifier.MultisigPubKeys(Convert.FromHexString("52" + "21" + PK + "41" + UPK + "52ae"));
        Assert.Equal([PK, UPK], keys.Select(Convert.ToHexStringLower));
    }

    [Theory]
    [InlineData("76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac")]
    [InlineData("21" + PK + "ac")]
    [InlineData("53" + "21" + K1 + "21" + K2 + "52ae")]
    [InlineData("")]
    public void MultisigPubKeys_NotMultisig_ReturnsEmpty(string hex)
    {
        Assert.Empty(ScriptClassifier.MultisigPubKeys(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac", AddressKind.PubKeyHash)]
    [InlineData("a9142a5edea39971049a540474c6a99edf0aa4074c5887", AddressKind.ScriptHash)]
    [InlineData("0014751e76e8199196d454941c45d1b3a323f1433bd6", AddressKind.WitnessV0KeyHash)]
    [InlineData("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", AddressKind.WitnessV0ScriptHash)]
    [InlineData("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", AddressKind.Taproot)]
    [InlineData("5210751e76e8199196d454941c45d1b3a323", AddressKind.WitnessUnknown)]
    [InlineData("6002751e", AddressKind.WitnessUnknown)]
    [InlineData("5102eeee", AddressKind.WitnessUnknown)]
    [InlineData("6028a9cad2a6fb267ef6092080f79754de19dfd8701986e97403b82468dea7f8271378c8f843569fb165", AddressKind.WitnessUnknown)]
    public void BuildScript_ReconstructibleKind_RoundTripsTheScript(string hex, AddressKind expectedKind)
    {
        var script = Convert.FromHexString(hex);
        var payload = new byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(script, payload, out var length, out var kind, out _);
        Assert.Equal(expectedKind, kind);
        Assert.Equal(script, ScriptClassifier.BuildScript(kind, payload.AsSpan(0, length)));
    }

    [Fact]
    public void BuildScript_PubKeyOutputKey_BuildsTheP2pkhScriptOfTheKey()
    {
        var payload = new byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(Convert.FromHexString("41" + G + "ac"), payload, out var length, out var kind, out _);
        Assert.Equal(
            Convert.FromHexString("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"),
            ScriptClassifier.BuildScript(kind, payload.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(TwoOfThree)]
    [InlineData("6a00")]
    [InlineData("00190102030405060708090a0b0c0d0e0f10111213141516171819")]
    public void BuildScript_HashedKinds_ReturnsNull(string hex)
    {
        var payload = new byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(Convert.FromHexString(hex), payload, out var length, out var kind, out _);
        Assert.Null(ScriptClassifier.BuildScript(kind, payload.AsSpan(0, length)));
        Assert.Null(ScriptClassifier.BuildScript(AddressKind.None, []));
    }

    [Theory]
    [InlineData(AddressKind.PubKeyHash, 19)]
    [InlineData(AddressKind.ScriptHash, 32)]
    [InlineData(AddressKind.WitnessV0KeyHash, 32)]
    [InlineData(AddressKind.WitnessV0ScriptHash, 20)]
    [InlineData(AddressKind.Taproot, 20)]
    [InlineData(AddressKind.WitnessUnknown, 2)]
    [InlineData(AddressKind.WitnessUnknown, 42)]
    public void BuildScript_PayloadOfWrongLength_Throws(AddressKind kind, int length)
    {
        var payload = new byte[length];
        payload[0] = 2;
        Assert.Throws<ArgumentException>(() => ScriptClassifier.BuildScript(kind, payload));
    }

    [Fact]
    public void BuildScript_WitnessUnknownWithVersionZero_Throws()
    {
        Assert.Throws<ArgumentException>(() => ScriptClassifier.BuildScript(AddressKind.WitnessUnknown, [0, 1, 2, 3]));
    }
}
