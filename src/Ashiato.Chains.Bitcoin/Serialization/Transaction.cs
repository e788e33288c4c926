using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Serialization;

/// <summary>
/// A transaction input to serialize. <paramref name="Witness"/> is the witness stack (items in order, each
/// serialized with its CompactSize length); empty when the input has no witness.
/// Records compare their byte arrays by reference, not by content.
/// </summary>
public sealed record TxInput(Hash256 PrevTxId, uint PrevIndex, byte[] ScriptSig, uint Sequence, IReadOnlyList<byte[]> Witness)
{
    public TxInput(Hash256 prevTxId, uint prevIndex, byte[] scriptSig, uint sequence)
        : this(prevTxId, prevIndex, scriptSig, sequence, [])
    {
    }

    public bool IsCoinbase => PrevTxId.IsZero && PrevIndex == uint.MaxValue;

    /// <summary>The input of a coinbase transaction: null outpoint (zero txid, index 0xffffffff).</summary>
    public static TxInput Coinbase(byte[] scriptSig, uint sequence = uint.MaxValue, IReadOnlyList<byte[]>? witness = null) =>
        new(Hash256.Zero, uint.MaxValue, scriptSig, sequence, witness ?? []);
}

/// <summary>A transaction output to serialize: value in satoshis and scriptPubKey.</summary>
public sealed record TxOutput(long Value, byte[] ScriptPubKey);

/// <summary>A transaction to serialize (see <see cref="TransactionSerializer"/>).</summary>
public sealed record Transaction(int Version, IReadOnlyList<TxInput> Inputs, IReadOnlyList<TxOutput> Outputs, uint LockTime)
{
    /// <summary>
    /// True when some input has a non-empty witness stack: the transaction is then serialized in the BIP144
    /// extended format (an all-empty witness section is not allowed, so such transactions use the legacy format).
    /// </summary>
    public bool HasWitness
    {
        get
        {
            foreach (var input in Inputs)
            {
                if (input.Witness.Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
