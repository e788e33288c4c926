using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Parsing;

/// <summary>The 80-byte block header.</summary>
public readonly record struct BlockHeader(int Version, Hash256 PrevHash, Hash256 MerkleRoot, uint Time, uint Bits, uint Nonce);

/// <summary>One transaction inside a <see cref="ParsedBlock"/>; offsets point into the block's bytes.</summary>
public struct ParsedTx
{
    public Hash256 TxId;
    public int Offset;
    public int Size;
    public int StrippedSize;
    public int Version;
    public uint LockTime;
    public int FirstInput;
    public int InputCount;
    public int FirstOutput;
    public int OutputCount;
    public bool HasWitness;
    public bool IsHogEx;

    /// <summary>
    /// BIP141 weight. Litecoin leaves MWEB data out of weights (SERIALIZE_NO_MWEB): for a HogEx, the null MWEB body
    /// byte, and the marker and flag bytes when it has no witness.
    /// </summary>
    public readonly int Weight => (StrippedSize * 3) + Size - MwebBytes;

    /// <summary>Bytes of the serialization that exist only for Litecoin MWEB (0 for other transactions).</summary>
    internal readonly int MwebBytes => IsHogEx ? (HasWitness ? 1 : 3) : 0;

    public readonly int VirtualSize => (Weight + 3) / 4;

    public readonly bool IsCoinbase(ParsedBlock block) =>
        InputCount == 1 && block.Inputs[FirstInput].PrevTxId.IsZero && block.Inputs[FirstInput].PrevIndex == uint.MaxValue;
}

public struct ParsedInput
{
    public Hash256 PrevTxId;
    public uint PrevIndex;
    public int ScriptOffset;
    public int ScriptLength;
    public uint Sequence;

    /// <summary>Offset and length of the serialized witness stack (item count + items), 0 length if none.</summary>
    public int WitnessOffset;
    public int WitnessLength;
}

public struct ParsedOutput
{
    public long Value;
    public int ScriptOffset;
    public int ScriptLength;
}

/// <summary>
/// A parsed block: header, and flat arrays of transactions, inputs and outputs that point into
/// <see cref="Raw"/> (no copies of scripts). A parser reuses one instance block after block.
/// </summary>
public sealed class ParsedBlock
{
    public ParsedTx[] Txs = new ParsedTx[64];
    public ParsedInput[] Inputs = new ParsedInput[256];
    public ParsedOutput[] Outputs = new ParsedOutput[256];

    public BlockHeader Header { get; internal set; }

    public Hash256 Hash { get; internal set; }

    public ReadOnlyMemory<byte> Raw { get; internal set; }

    public int TxCount { get; internal set; }

    public int InputCount { get; internal set; }

    public int OutputCount { get; internal set; }

    /// <summary>Bytes of the block as serialized (header, transactions, MWEB extension if any).</summary>
    public int Size { get; internal set; }

    /// <summary>Size without witness data (and without the MWEB extension).</summary>
    public int StrippedSize { get; internal set; }

    /// <summary>BIP141 weight; as Litecoin Core counts it, without the MWEB extension and the HogEx's MWEB bytes.</summary>
    public int Weight => (StrippedSize * 3) + Size - MwebExtensionLength - MwebTxBytes;

    /// <summary>Sum of <see cref="ParsedTx.MwebBytes"/> over the transactions.</summary>
    internal int MwebTxBytes { get; set; }

    /// <summary>Length of the Litecoin MWEB extension after the transaction list (0 if none).</summary>
    public int MwebExtensionLength { get; internal set; }

    /// <summary>
    /// For blocks rebuilt from a node's verbose JSON (which lacks Litecoin's MWEB extension): take the sizes the node
    /// reports; the difference to the rebuilt bytes is the MWEB extension.
    /// </summary>
    public void UseReportedSizes(int size, int strippedSize)
    {
        if (size > Size && TxCount >= 2 && Txs[TxCount - 1].IsHogEx)
        {
            MwebExtensionLength = size - Size;
        }

        Size = size;
        StrippedSize = strippedSize;
    }

    public ReadOnlySpan<byte> Script(in ParsedInput input) => Raw.Span.Slice(input.ScriptOffset, input.ScriptLength);

    public ReadOnlySpan<byte> Script(in ParsedOutput output) => Raw.Span.Slice(output.ScriptOffset, output.ScriptLength);

    public ReadOnlySpan<byte> Witness(in ParsedInput input) => Raw.Span.Slice(input.WitnessOffset, input.WitnessLength);

    public ReadOnlySpan<byte> TxBytes(in ParsedTx tx) => Raw.Span.Slice(tx.Offset, tx.Size);

    /// <summary>Script bytes of the coinbase input (bitcoin-etl's coinbase_param), empty if the first tx is not a coinbase.</summary>
    public ReadOnlySpan<byte> CoinbaseScript =>
        TxCount > 0 && Txs[0].IsCoinbase(this) ? Script(Inputs[Txs[0].FirstInput]) : [];

    /// <summary>Height committed in the coinbase (BIP34) if the block is version 2 or later and has one.</summary>
    public int? Bip34Height
    {
        get
        {
            if (Header.Version < 2 || TxCount == 0)
            {
                return null;
            }

            var s = CoinbaseScript;
            if (s.Length >= 1 && s[0] is >= 0x51 and <= 0x60)
            {
                // CScript() << nHeight encodes heights 1..16 as OP_1..OP_16 (first blocks of regtest, signet, testnet4).
                return s[0] - 0x50;
            }

            if (s.Length < 2 || s[0] < 1 || s[0] > 4 || s.Length < 1 + s[0])
            {
                return null;
            }

            long v = 0;
            for (var i = s[0]; i >= 1; i--)
            {
                v = (v << 8) | s[i];
            }

            return v is >= 0 and <= int.MaxValue ? (int)v : null;
        }
    }
}
