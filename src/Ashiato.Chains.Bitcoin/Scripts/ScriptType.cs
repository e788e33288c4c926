namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>Output script templates, as Bitcoin Core's Solver (TxoutType) recognises them.</summary>
public enum ScriptType : byte
{
    Nonstandard = 0,
    PubKey = 1,
    PubKeyHash = 2,
    ScriptHash = 3,
    Multisig = 4,
    NullData = 5,
    WitnessV0KeyHash = 6,
    WitnessV0ScriptHash = 7,
    WitnessV1Taproot = 8,
    WitnessUnknown = 9,
}

/// <summary>
/// The address an output pays to, as the store keys it. P2PK pays to the P2PKH address of its key
/// (as bitcoin-etl reports it); multisig and nonstandard scripts are keyed by SHA256 of the script.
/// </summary>
public enum AddressKind : byte
{
    None = 0,
    PubKeyHash = 1,
    ScriptHash = 2,
    WitnessV0KeyHash = 3,
    WitnessV0ScriptHash = 4,
    Taproot = 5,
    WitnessUnknown = 6,
    Multisig = 7,
    Nonstandard = 8,
}
