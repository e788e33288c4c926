using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

public class ScriptTypeNamesTests
{
    [Theory]
    [InlineData(ScriptType.Nonstandard, "nonstandard")]
    [InlineData(ScriptType.PubKey, "pubkey")]
    [InlineData(ScriptType.PubKeyHash, "pubkeyhash")]
    [InlineData(ScriptType.ScriptHash, "scripthash")]
    [InlineData(ScriptType.Multisig, "multisig")]
    [InlineData(ScriptType.NullData, "nulldata")]
    [InlineData(ScriptType.WitnessV0KeyHash, "witness_v0_keyhash")]
    [InlineData(ScriptType.WitnessV0ScriptHash, "witness_v0_scripthash")]
    [InlineData(ScriptType.WitnessV1Taproot, "witness_v1_taproot")]
    [InlineData(ScriptType.WitnessUnknown, "witness_unknown")]
    public void CoreName_EachType_IsBitcoinCoreName(ScriptType type, string expected)
    {
        Assert.Equal(expected, ScriptTypeNames.CoreName(type));
    }

    [Fact]
    public void CoreName_EveryEnumValue_HasADistinctName()
    {
        var names = Enum.GetValues<ScriptType>().Select(ScriptTypeNames.CoreName).ToArray();
        Assert.Equal(10, names.Length);
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void CoreName_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptTypeNames.CoreName((ScriptType)42));
    }

    [Fact]
    public void EnumValues_AreTheStoredNumbers()
    {
        Assert.Equal(
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            new[]
            {
                ScriptType.Nonstandard, ScriptType.PubKey, ScriptType.PubKeyHash, ScriptType.ScriptHash, ScriptType.Multisig,
                ScriptType.NullData, ScriptType.WitnessV0KeyHash, ScriptType.WitnessV0ScriptHash, ScriptType.WitnessV1Taproot,
                ScriptType.WitnessUnknown,
            }.Select(t => (int)t));
        Assert.Equal(
            [0, 1, 2, 3, 4, 5, 6, 7, 8],
            new[]
            {
                AddressKind.None, AddressKind.PubKeyHash, AddressKind.ScriptHash, AddressKind.WitnessV0KeyHash,
                AddressKind.WitnessV0ScriptHash, AddressKind.Taproot, AddressKind.WitnessUnknown, AddressKind.Multisig,
                AddressKind.Nonstandard,
            }.Select(k => (int)k));
    }
}
