using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Serialization;

/// <summary>
/// Serializes transactions exactly as Bitcoin Core does: the legacy format
/// (version | inputs | outputs | locktime) and the BIP144 extended format
/// (version | 0x00 marker | 0x01 flag | inputs | outputs | witness stacks | locktime), the latter only for
/// transactions with a witness. Computes txids (double SHA-256 of the legacy serialization) and wtxids.
/// </summary>
public static class TransactionSerializer
{
    private const int StackHashLimit = 1024;

    /// <summary>Bytes of the serialization; with <paramref name="withWitness"/> false, the stripped (legacy) size.</summary>
    public static int GetSize(Transaction tx, bool withWitness = true)
    {
        CheckInputs(tx);
        var size = 4 + CompactSize.Length(tx.Inputs.Count) + CompactSize.Length(tx.Outputs.Count) + 4;
        foreach (var input in tx.Inputs)
        {
            size += 32 + 4 + CompactSize.Length(input.ScriptSig.Length) + input.ScriptSig.Length + 4;
        }

        foreach (var output in tx.Outputs)
        {
            size += 8 + CompactSize.Length(output.ScriptPubKey.Length) + output.ScriptPubKey.Length;
        }

        if (withWitness && tx.HasWitness)
        {
            size += 2;
            foreach (var input in tx.Inputs)
            {
                size += CompactSize.Length(input.Witness.Count);
                foreach (var item in input.Witness)
                {
                    size += CompactSize.Length(item.Length) + item.Length;
                }
            }
        }

        return size;
    }

    /// <summary>BIP141 weight: stripped size × 3 + full size.</summary>
    public static int GetWeight(Transaction tx) => (GetSize(tx, withWitness: false) * 3) + GetSize(tx);

    /// <summary>Writes the transaction into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Transaction tx, Span<byte> destination, bool withWitness = true)
    {
        var size = GetSize(tx, withWitness);
        if (destination.Length < size)
        {
            throw new ArgumentException($"the transaction needs {size} bytes, the destination has {destination.Length}", nameof(destination));
        }

        var witness = withWitness && tx.HasWitness;
        var w = new SpanWriter(destination);
        w.Int32(tx.Version);
        if (witness)
        {
            w.Byte(0x00);
            w.Byte(0x01);
        }

        w.CompactSize(tx.Inputs.Count);
        foreach (var input in tx.Inputs)
        {
            w.Hash(input.PrevTxId);
            w.UInt32(input.PrevIndex);
            w.VarBytes(input.ScriptSig);
            w.UInt32(input.Sequence);
        }

        w.CompactSize(tx.Outputs.Count);
        foreach (var output in tx.Outputs)
        {
            w.Int64(output.Value);
            w.VarBytes(output.ScriptPubKey);
        }

        if (witness)
        {
            foreach (var input in tx.Inputs)
            {
                w.CompactSize(input.Witness.Count);
                foreach (var item in input.Witness)
                {
                    w.VarBytes(item);
                }
            }
        }

        w.UInt32(tx.LockTime);
        return w.Position;
    }

    /// <summary>The serialization (extended format if the transaction has a witness and <paramref name="withWitness"/> is set).</summary>
    public static byte[] Serialize(Transaction tx, bool withWitness = true)
    {
        var bytes = new byte[GetSize(tx, withWitness)];
        Write(tx, bytes, withWitness);
        return bytes;
    }

    /// <summary>txid: double SHA-256 of the legacy serialization (no marker, flag or witness).</summary>
    public static Hash256 ComputeTxId(Transaction tx) => HashSerialization(tx, withWitness: false);

    /// <summary>wtxid (BIP141): double SHA-256 of the full serialization; equals the txid without a witness.</summary>
    public static Hash256 ComputeWitnessTxId(Transaction tx) => HashSerialization(tx, withWitness: true);

    /// <summary>Double SHA-256 of any byte string, as a <see cref="Hash256"/> in internal byte order.</summary>
    public static Hash256 DoubleSha256(ReadOnlySpan<byte> data)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(data, h);
        SHA256.HashData(h, h);
        return new Hash256(h);
    }

    private static Hash256 HashSerialization(Transaction tx, bool withWitness)
    {
        var size = GetSize(tx, withWitness);
        if (size <= StackHashLimit)
        {
            Span<byte> buffer = stackalloc byte[size];
            Write(tx, buffer, withWitness);
            return DoubleSha256(buffer);
        }

        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Write(tx, rented, withWitness);
            return DoubleSha256(rented.AsSpan(0, size));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void CheckInputs(Transaction tx)
    {
        if (tx.Inputs.Count == 0)
        {
            // "00" where the input count belongs reads as the BIP144 marker: such a transaction cannot be serialized unambiguously.
            throw new ArgumentException("a transaction needs at least one input", nameof(tx));
        }
    }
}

/// <summary>Bitcoin's CompactSize ("varint") length prefix.</summary>
public static class CompactSize
{
    public static int Length(long n) => n switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(n), "CompactSize values are unsigned"),
        < 0xfd => 1,
        <= 0xffff => 3,
        <= 0xffff_ffff => 5,
        _ => 9,
    };

    /// <summary>Writes <paramref name="n"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, long n)
    {
        switch (Length(n))
        {
            case 1:
                destination[0] = (byte)n;
                return 1;
            case 3:
                destination[0] = 0xfd;
                BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)n);
                return 3;
            case 5:
                destination[0] = 0xfe;
                BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)n);
                return 5;
            default:
                destination[0] = 0xff;
                BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], (ulong)n);
                return 9;
        }
    }
}

/// <summary>Little-endian writer over a span that the caller sized exactly.</summary>
internal ref struct SpanWriter(Span<byte> span)
{
    private readonly Span<byte> _span = span;

    public int Position { get; private set; }

    public void Byte(byte v) => _span[Position++] = v;

    public void Int32(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_span[Position..], v);
        Position += 4;
    }

    public void UInt32(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_span[Position..], v);
        Position += 4;
    }

    public void Int64(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_span[Position..], v);
        Position += 8;
    }

    public void Hash(Hash256 h)
    {
        h.WriteTo(_span[Position..]);
        Position += 32;
    }

    public void CompactSize(long n) => Position += Serialization.CompactSize.Write(_span[Position..], n);

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_span[Position..]);
        Position += bytes.Length;
    }

    public void VarBytes(ReadOnlySpan<byte> bytes)
    {
        CompactSize(bytes.Length);
        Bytes(bytes);
    }
}
