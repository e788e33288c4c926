using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

public class AddressCodecTests
{
    private static Network Net(string name) => name == "dogecoin" ? EtlFixtures.Dogecoin : Network.Parse(name);

    // Published addresses: Bitcoin Core key_io_valid.json (main/testnet4/signet/regtest), Litecoin Core key_io_valid.json
    // (L…, M…, Q…, m…), BIP173/BIP350, Core rpc_decodescript.json (bcrt1…), thornode pubkey_test.go (ltc1/tltc1/rltc1
    // for one key), bitcoin-etl's Dogecoin export. Columns: network, address, kind, payload hex.
    public static TheoryData<string, string, AddressKind, string> KnownAddresses => new()
    {
        { "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", AddressKind.PubKeyHash, "62e907b15cbf27d5425399ebf6f0fb50ebb88f18" },
        { "bitcoin", "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", AddressKind.PubKeyHash, "a31c06bd463e3923bc1aadbde48b16976c080717" },
        { "bitcoin", "36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm", AddressKind.ScriptHash, "373b819a068f32b7a6b38b6b38729647cfde01c2" },
        { "bitcoin", "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv", AddressKind.WitnessV0KeyHash, "6100fc6343edc8c874496cb2f5bbfec88ea9b77c" },
        { "bitcoin", "bc1qyucykdlhp62tezs0hagqury402qwhk589q80tqs5myh3rxq34nwqhkdhv7", AddressKind.WitnessV0ScriptHash, "27304b37f70e94bc8a0fbf500e0c957a80ebda87280ef58214d92f119811acdc" },
        { "bitcoin", "bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu", AddressKind.Taproot, "3c671ef1e3913f94980a9e146ba895908550ef4234abb7503d436521aba54c75" },
        { "bitcoin", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", AddressKind.Taproot, "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" },
        { "bitcoin", "bc1z2rksukkjr8", AddressKind.WitnessUnknown, "0250ed" },
        { "bitcoin", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", AddressKind.WitnessUnknown, "02751e76e8199196d454941c45d1b3a323" },
        { "bitcoin", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", AddressKind.WitnessUnknown, "01751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6" },
        { "bitcoin", "BC1SW50QGDZ25J", AddressKind.WitnessUnknown, "10751e" },
        { "bitcoin-testnet3", "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ", AddressKind.PubKeyHash, "ce28b26c57472737f5c3561a1761185bd8589a43" },
        { "bitcoin-testnet4", "2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK", AddressKind.ScriptHash, "ce0bba75891ff9ec60148d4bd4a09ee2dc5c9331" },
        { "bitcoin-testnet4", "tb1p35n52jy6xkm4wd905tdy8qtagrn73kqdz73xe4zxpvq9t3fp50aqk3s6gz", AddressKind.Taproot, "8d2745489a35b75734afa2da43817d40e7e8d80d17a26cd4460b0055c521a3fa" },
        { "bitcoin-testnet3", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", AddressKind.WitnessV0ScriptHash, "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
        { "bitcoin-signet", "mww4LvqtTMKvmeQvizPz2EQv26xTneWrbg", AddressKind.PubKeyHash, "b4110ba93ac54afc14da3bdd19614774a2d55d29" },
        { "bitcoin-signet", "tb1q3vya2h5435jkugq2few7dmktlrwq4ejmfaw7kr", AddressKind.WitnessV0KeyHash, "8b09d55e958d256e200a4e5de6eecbf8dc0ae65b" },
        { "bitcoin-signet", "tb1rx9n9g37az8mu236e5jpxdt0m67y4fuq8rhs0ss3djnm0kscfrwvq0ntlyg", AddressKind.WitnessUnknown, "0331665447dd11f7c54759a48266adfbd78954f0071de0f8422d94f6fb43091b98" },
        { "bitcoin-regtest", "n4fajahJrAuKbN7uNsKjLjQkz9Qn5ewJXQ", AddressKind.PubKeyHash, "fdeca3b08e38af53d7c4c60e3ad208ce50664410" },
        { "bitcoin-regtest", "2MxFajLApXpYk4VodBSZSt7rw8y4ryABkfA", AddressKind.ScriptHash, "36e9f191e0b75036a77f65e2eaa4752443233fbe" },
        { "bitcoin-regtest", "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9", AddressKind.WitnessV0KeyHash, "6f58bac9506f9bfb821d62e69330410bb56f0085" },
        { "bitcoin-regtest", "bcrt1pamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhqz6nvlh", AddressKind.Taproot, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" },
        { "bitcoin-regtest", "bcrt1pamhqk96edn", AddressKind.WitnessUnknown, "01eeee" },
        { "bitcoin-regtest", "bcrt1sx6p8njlx7h9mc2agz4yg82dzne23050ncq72cneeecez2pst8mahn8xecsf8g6hzx94420", AddressKind.WitnessUnknown, "10368279cbe6f5cbbc2ba8154883a9a29e5517d1f3c03cac4f39ce3225060b3efb799cd9c412746ae2" },
        { "litecoin", "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA", AddressKind.PubKeyHash, "558dbca7118cd5894502767c7b2ffc21a22f54db" },
        { "litecoin", "MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2", AddressKind.ScriptHash, "6d328a5b2a20d943a641c8d29b6cc3c2d2df85d3" },
        { "litecoin", "ltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawmt3sjh", AddressKind.WitnessV0KeyHash, "93ce48570b55c42c2af816aeaba06cfee1224fae" },
        { "litecoin", "ltc1qzupk5lmc84r2dh738a9g3zscavannjy3r5dm7v", AddressKind.WitnessV0KeyHash, "17036a7f783d46a6dfd13f4a888a18eb3b39c891" },
        { "litecoin-testnet", "mwXn5Vhicdav8Av3KMokx4YNuHoGRKxtWs", AddressKind.PubKeyHash, "afa9e672141e283dfbcc1cf28f3793a856d38784" },
        { "litecoin-testnet", "QXaUgLHkZcbJb2j5XgMYzY8cF9YM48Y81Z", AddressKind.ScriptHash, "7860667e60a6545e18e541984094b29c9c46991b" },
        { "litecoin-testnet", "tltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawvejepa", AddressKind.WitnessV0KeyHash, "93ce48570b55c42c2af816aeaba06cfee1224fae" },
        { "litecoin-regtest", "mpWvR79tSrA5xeziB6mjNYWdaVRwBpgnUP", AddressKind.PubKeyHash, "62b790654f809d32202587c6a43456ffc1965d83" },
        { "litecoin-regtest", "QgDNrG4nJpE4VV7PcFMFhkTgwAHWxWS7pj", AddressKind.ScriptHash, "d71bee7a1395c10c9ca9a7f53ac086b53e74369d" },
        { "litecoin-regtest", "rltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawf4nr3r", AddressKind.WitnessV0KeyHash, "93ce48570b55c42c2af816aeaba06cfee1224fae" },
        { "dogecoin", "DLrPBnddK81Tn7YStmKVAhqfxYexZFJymq", AddressKind.PubKeyHash, "ac58d6632d4a7c0502f5a7102ad9baea8e8e3428" },
    };

    [Theory]
    [MemberData(nameof(KnownAddresses))]
    public void Encode_KnownAddressKey_GivesPublishedAddress(string network, string address, AddressKind kind, string payloadHex)
    {
        // Base58 is case-sensitive; bech32 addresses are produced in lower case.
        var expected = kind is AddressKind.PubKeyHash or AddressKind.ScriptHash ? address : address.ToLowerInvariant();
        Assert.Equal(expected, AddressCodec.Encode(Net(network), kind, Convert.FromHexString(payloadHex)));
    }

    [Theory]
    [MemberData(nameof(KnownAddresses))]
    public void TryParse_KnownAddress_GivesItsKey(string network, string address, AddressKind kind, string payloadHex)
    {
        Assert.True(AddressCodec.TryParse(Net(network), address, out var parsedKind, out var payload));
        Assert.Equal(kind, parsedKind);
        Assert.Equal(payloadHex, Convert.ToHexStringLower(payload));
    }

    [Theory]
    [MemberData(nameof(KnownAddresses))]
    public void TryParse_KnownAddress_RebuildsTheScriptThatClassifiesBack(string network, string address, AddressKind kind, string payloadHex)
    {
        _ = (network, address);
        var script = ScriptClassifier.BuildScript(kind, Convert.FromHexString(payloadHex));
        Assert.NotNull(script);
        var payload = new byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(script, payload, out var length, out var classifiedKind, out _);
        Assert.Equal(kind, classifiedKind);
        Assert.Equal(payloadHex, Convert.ToHexStringLower(payload.AsSpan(0, length)));
    }

    [Fact]
    public void TryParse_UpperCaseBech32_IsAccepted()
    {
        Assert.True(AddressCodec.TryParse(Network.BitcoinMain, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", out var kind, out var payload));
        Assert.Equal(AddressKind.WitnessV0KeyHash, kind);
        Assert.Equal("751e76e8199196d454941c45d1b3a323f1433bd6", Convert.ToHexStringLower(payload));
    }

    [Theory]
    [InlineData("bitcoin-testnet3", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")] // mainnet P2PKH on testnet
    [InlineData("bitcoin", "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ")] // testnet P2PKH on mainnet
    [InlineData("bitcoin", "2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK")]
    [InlineData("bitcoin", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")]
    [InlineData("bitcoin-testnet3", "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv")]
    [InlineData("bitcoin-regtest", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")] // regtest uses bcrt
    [InlineData("bitcoin", "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA")] // Litecoin on Bitcoin
    [InlineData("bitcoin", "ltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawmt3sjh")]
    [InlineData("litecoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")] // Bitcoin on Litecoin
    [InlineData("litecoin", "bc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawlht528")]
    [InlineData("litecoin-testnet", "ltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawmt3sjh")]
    [InlineData("litecoin-regtest", "tltc1qj08ys4ct2hzzc2hcz6h2hgrvlmsjynawvejepa")]
    [InlineData("bitcoin", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty")] // BIP173 invalid HRP
    [InlineData("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")] // bad base58 checksum
    [InlineData("bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")] // bad bech32 checksum
    [InlineData("bitcoin", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx")] // v1 with bech32
    [InlineData("bitcoin", "5HsL2nZuEebU5nM3RxNVQD9GcAnvNMahqQskf4fkqHe54zwd14e")] // a private key (WIF), not an address
    [InlineData("bitcoin", "nonstandarde3b0c44298fc1c149afbf4c8996fb92427ae41e4")]
    [InlineData("bitcoin", "multisigfa0034a5030a28d32884910793d132dc89cf62c2")]
    [InlineData("bitcoin", "")]
    [InlineData("bitcoin", "not an address")]
    public void TryParse_AddressOfAnotherNetworkOrInvalid_ReturnsFalse(string network, string address)
    {
        Assert.False(AddressCodec.TryParse(Net(network), address, out var kind, out var payload));
        Assert.Equal(AddressKind.None, kind);
        Assert.Empty(payload);
    }

    [Fact]
    public void TryParse_LitecoinLegacyThreeAddress_IsTheSameScriptHashAsItsMAddress()
    {
        // Litecoin Core still accepts the old 3… P2SH form; it names the same script hash as the M… form it displays.
        Assert.True(AddressCodec.TryParse(Network.LitecoinMain, "36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm", out var kind, out var payload));
        Assert.Equal(AddressKind.ScriptHash, kind);
        var display = AddressCodec.Encode(Network.LitecoinMain, kind, payload);
        Assert.StartsWith("M", display, StringComparison.Ordinal);
        Assert.True(AddressCodec.TryParse(Network.LitecoinMain, display, out var kind2, out var payload2));
        Assert.Equal(kind, kind2);
        Assert.Equal(payload, payload2);
    }

    [Fact]
    public void Encode_NonstandardKey_IsNonstandardPlusFirst40HexOfSha256()
    {
        // bitcoin-etl: 'nonstandard' + sha256(bytes.fromhex('')).hexdigest()[:40].
        var sha256OfEmpty = Convert.FromHexString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        Assert.Equal("nonstandarde3b0c44298fc1c149afbf4c8996fb92427ae41e4",
            AddressCodec.Encode(Network.BitcoinMain, AddressKind.Nonstandard, sha256OfEmpty));
    }

    [Fact]
    public void Encode_MultisigKey_IsMultisigPlusFirst40HexOfSha256()
    {
        var payload = new byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(Convert.FromHexString(ScriptClassifierTests.TwoOfThree), payload, out var length, out var kind, out _);
        Assert.Equal("multisigfa0034a5030a28d32884910793d132dc89cf62c2",
            AddressCodec.Encode(Network.BitcoinMain, kind, payload.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(AddressKind.None, 20)]
    [InlineData(AddressKind.PubKeyHash, 32)]
    [InlineData(AddressKind.ScriptHash, 19)]
    [InlineData(AddressKind.WitnessV0KeyHash, 32)]
    [InlineData(AddressKind.WitnessV0ScriptHash, 20)]
    [InlineData(AddressKind.Taproot, 20)]
    [InlineData(AddressKind.WitnessUnknown, 0)]
    [InlineData(AddressKind.Nonstandard, 19)]
    [InlineData(AddressKind.Multisig, 10)]
    public void Encode_PayloadThatDoesNotFitTheKind_Throws(AddressKind kind, int length)
    {
        Assert.ThrowsAny<ArgumentException>(() => AddressCodec.Encode(Network.BitcoinMain, kind, new byte[length]));
    }

    [Fact]
    public void LegacyCoreAddresses_PubKey_IsP2pkhOfTheKey()
    {
        Assert.Equal(["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"],
            AddressCodec.LegacyCoreAddresses(Network.BitcoinMain, Convert.FromHexString("41" + ScriptClassifierTests.G + "ac")));
        // bitcoin-etl test_btc_script_service.py.
        Assert.Equal(["1VayNert3x1KzbpzMGt2qdqrAThiRovi8"],
            AddressCodec.LegacyCoreAddresses(Network.BitcoinMain, Convert.FromHexString("41" + ScriptClassifierTests.U1 + "ac")));
    }

    [Fact]
    public void LegacyCoreAddresses_BareMultisig_IsP2pkhOfEachKeyInOrder()
    {
        var twoOfTwo = Convert.FromHexString("52" + "41" + ScriptClassifierTests.U1 + "41" + ScriptClassifierTests.G + "52ae");
        Assert.Equal(["1VayNert3x1KzbpzMGt2qdqrAThiRovi8", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"],
            AddressCodec.LegacyCoreAddresses(Network.BitcoinMain, twoOfTwo));
    }

    [Fact]
    public void LegacyCoreAddresses_BareMultisigOnOtherNetworks_UsesThatNetworksPrefix()
    {
        // thornode pubkey_test.go: the Dogecoin mainnet and "mocknet" (prefix 0x6f) P2PKH addresses of K1..K3.
        var script = Convert.FromHexString(ScriptClassifierTests.TwoOfThree);
        Assert.Equal(
            ["DJcczDr7oNvfj5qP17Qa7p9ZUNTfnYYDJC", "D7EnB23qxiWTBGD1z9N6Ui7VXonCgY9eeE", "D59u6XAtQCybdvFB4ZLWH4h8cK5SY8show"],
            AddressCodec.LegacyCoreAddresses(EtlFixtures.Dogecoin, script));
        Assert.Equal(
            ["mtzUk1zTJzTdyC8Pz6PPPyCHTEL5RLVyDJ", "mhcdvpCBUL3RRNW2y8LuksADWfecEmkzju", "mfXkrKKDupWZt2YC3YKKZDjrbAwrBFwj8W"],
            AddressCodec.LegacyCoreAddresses(Network.BitcoinRegtest, script));
    }

    [Theory]
    [InlineData("bitcoin", "76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac", "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo")]
    [InlineData("bitcoin", "a914373b819a068f32b7a6b38b6b38729647cfde01c287", "36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm")]
    [InlineData("bitcoin", "00146100fc6343edc8c874496cb2f5bbfec88ea9b77c", "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv")]
    [InlineData("bitcoin", "002027304b37f70e94bc8a0fbf500e0c957a80ebda87280ef58214d92f119811acdc", "bc1qyucykdlhp62tezs0hagqury402qwhk589q80tqs5myh3rxq34nwqhkdhv7")]
    [InlineData("bitcoin", "51203c671ef1e3913f94980a9e146ba895908550ef4234abb7503d436521aba54c75", "bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu")]
    [InlineData("bitcoin", "520250ed", "bc1z2rksukkjr8")]
    [InlineData("bitcoin-regtest", "6028368279cbe6f5cbbc2ba8154883a9a29e5517d1f3c03cac4f39ce3225060b3efb799cd9c412746ae2", "bcrt1sx6p8njlx7h9mc2agz4yg82dzne23050ncq72cneeecez2pst8mahn8xecsf8g6hzx94420")]
    [InlineData("litecoin", "76a914558dbca7118cd5894502767c7b2ffc21a22f54db88ac", "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA")]
    [InlineData("litecoin", "a9146d328a5b2a20d943a641c8d29b6cc3c2d2df85d387", "MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2")]
    [InlineData("litecoin-testnet", "a9147860667e60a6545e18e541984094b29c9c46991b87", "QXaUgLHkZcbJb2j5XgMYzY8cF9YM48Y81Z")]
    [InlineData("dogecoin", "210245177fc121518d812eeb3afbc746afa9e3a1a589b617f028a75c6089b846685eac", "DPsvwvYRgt66ntxno9mMuBfwhg9nAMmGrD")]
    public void LegacyCoreAddresses_SingleAddressScript_IsThatAddress(string network, string scriptHex, string address)
    {
        Assert.Equal([address], AddressCodec.LegacyCoreAddresses(Net(network), Convert.FromHexString(scriptHex)));
    }

    [Theory]
    [InlineData("6a00")]
    [InlineData("6a24aa21a9ed0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("")]
    [InlineData("6aee")]
    [InlineData("00190102030405060708090a0b0c0d0e0f10111213141516171819")]
    [InlineData("63" + "21" + ScriptClassifierTests.PK + "ad670320a107b17568" + "21" + ScriptClassifierTests.PK + "ac")]
    public void LegacyCoreAddresses_NullDataOrNonstandard_IsEmpty(string scriptHex)
    {
        Assert.Empty(AddressCodec.LegacyCoreAddresses(Network.BitcoinMain, Convert.FromHexString(scriptHex)));
    }
}
