using System.Buffers.Binary;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Serialization;

/// <summary>
/// Serializes blocks as Bitcoin Core does (80-byte header, CompactSize transaction count, transactions in the
/// format <see cref="TransactionSerializer"/> writes) and computes merkle roots and the BIP141 witness commitment.
/// </summary>
public static class BlockSerializer
{
    public const int HeaderSize = 80;

    /// <summary>The 4 bytes that start a witness commitment after OP_RETURN PUSH36 (BIP141).</summary>
    public static ReadOnlySpan<byte> WitnessCommitmentHeader => [0xaa, 0x21, 0xa9, 0xed];

    public static void WriteHeader(in BlockHeader header, Span<byte> destination)
    {
        if (destination.Length < HeaderSize)
        {
            throw new ArgumentException($"a header needs {HeaderSize} bytes, got {destination.Length}", nameof(destination));
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination, header.Version);
        header.PrevHash.WriteTo(destination[4..]);
        header.MerkleRoot.WriteTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[68..], header.Time);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[72..], header.Bits);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[76..], header.Nonce);
    }

    /// <summary>Block hash: double SHA-256 of the header (internal byte order).</summary>
    public static Hash256 ComputeHash(in BlockHeader header)
    {
        Span<byte> bytes = stackalloc byte[HeaderSize];
        WriteHeader(header, bytes);
        return BlockParser.HashHeader(bytes);
    }

    /// <summary>Bitcoin's merkle root: pairs hashed with double SHA-256, an odd last node paired with itself.</summary>
    public static Hash256 ComputeMerkleRoot(IReadOnlyList<Hash256> leaves)
    {
        if (leaves.Count == 0)
        {
            throw new ArgumentException("a merkle tree needs at least one leaf", nameof(leaves));
        }

        var level = leaves.ToArray();
        var n = level.Length;
        Span<byte> pair = stackalloc byte[64];
        while (n > 1)
        {
            var next = 0;
            for (var i = 0; i < n; i += 2)
            {
                level[i].WriteTo(pair);
                level[Math.Min(i + 1, n - 1)].WriteTo(pair[32..]);
                level[next++] = TransactionSerializer.DoubleSha256(pair);
            }

            n = next;
        }

        return level[0];
    }

    /// <summary>Merkle root of the transactions' txids (the header's merkle root).</summary>
    public static Hash256 ComputeMerkleRoot(IReadOnlyList<Transaction> txs) =>
        ComputeMerkleRoot(txs.Select(TransactionSerializer.ComputeTxId).ToArray());

    /// <summary>
    /// BIP141 witness commitment: double SHA-256 of (witness merkle root | witness reserved value), where the witness
    /// merkle root is taken over the wtxids with the coinbase's replaced by zero.
    /// </summary>
    public static Hash256 ComputeWitnessCommitment(IReadOnlyList<Transaction> txs, ReadOnlySpan<byte> witnessReservedValue)
    {
        if (witnessReservedValue.Length != 32)
        {
            throw new ArgumentException("the witness reserved value has 32 bytes", nameof(witnessReservedValue));
        }

        var wtxids = new Hash256[txs.Count];
        for (var i = 1; i < wtxids.Length; i++)
        {
            wtxids[i] = TransactionSerializer.ComputeWitnessTxId(txs[i]);
        }

        Span<byte> data = stackalloc byte[64];
        ComputeMerkleRoot(wtxids).WriteTo(data);
        witnessReservedValue.CopyTo(data[32..]);
        return TransactionSerializer.DoubleSha256(data);
    }

    /// <summary>The coinbase output script carrying a witness commitment: OP_RETURN PUSH36 aa21a9ed commitment.</summary>
    public static byte[] WitnessCommitmentScript(Hash256 commitment)
    {
        var script = new byte[38];
        script[0] = 0x6a;
        script[1] = 0x24;
        WitnessCommitmentHeader.CopyTo(script.AsSpan(2));
        commitment.WriteTo(script.AsSpan(6));
        return script;
    }

    public static int GetSize(IReadOnlyList<Transaction> txs)
    {
        var size = HeaderSize + CompactSize.Length(txs.Count);
        foreach (var tx in txs)
        {
            size += TransactionSerializer.GetSize(tx);
        }

        return size;
    }

    /// <summary>
    /// Serializes a block. The header is written as given (its merkle root is not recomputed: callers building a valid
    /// block set it from <see cref="ComputeMerkleRoot(IReadOnlyList{Transaction})"/>). <paramref name="txOffsets"/>,
    /// if given, receives each transaction's offset in the result.
    /// </summary>
    public static byte[] Serialize(in BlockHeader header, IReadOnlyList<Transaction> txs, Span<int> txOffsets = default)
    {
        if (txs.Count == 0)
        {
            throw new ArgumentException("a block needs at least one transaction", nameof(txs));
        }

        if (txOffsets.Length != 0 && txOffsets.Length < txs.Count)
        {
            throw new ArgumentException($"room for {txOffsets.Length} offsets, the block has {txs.Count} transactions", nameof(txOffsets));
        }

        var bytes = new byte[GetSize(txs)];
        WriteHeader(header, bytes);
        var pos = HeaderSize + CompactSize.Write(bytes.AsSpan(HeaderSize), txs.Count);
        for (var i = 0; i < txs.Count; i++)
        {
            if (txOffsets.Length != 0)
            {
                txOffsets[i] = pos;
            }

            pos += TransactionSerializer.Write(txs[i], bytes.AsSpan(pos));
        }

        return bytes;
    }
}
