namespace Ashiato.Chains.Bitcoin.Scripts;

public static class ScriptTypeNames
{
    /// <summary>Bitcoin Core's name for the type (GetTxnOutputType), as in RPC "type" fields and bitcoin-etl.</summary>
    public static string CoreName(ScriptType type) => type switch
    {
        ScriptType.Nonstandard => "nonstandard",
        ScriptType.PubKey => "pubkey",
        ScriptType.PubKeyHash => "pubkeyhash",
        ScriptType.ScriptHash => "scripthash",
        ScriptType.Multisig => "multisig",
        ScriptType.NullData => "nulldata",
        ScriptType.WitnessV0KeyHash => "witness_v0_keyhash",
        ScriptType.WitnessV0ScriptHash => "witness_v0_scripthash",
        ScriptType.WitnessV1Taproot => "witness_v1_taproot",
        ScriptType.WitnessUnknown => "witness_unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a script type"),
    };
}
