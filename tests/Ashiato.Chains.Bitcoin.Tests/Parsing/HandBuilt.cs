using System.Buffers.Binary;

namespace Ashiato.Chains.Bitcoin.Tests.Parsing;

/// <summary>A transaction written byte by byte for parser edge cases (no dependency on the code under test).</summary>
public sealed class HandTx
{
    public int Version { get; init; } = 1;

    public List<(byte[] PrevTxId, uint Index, byte[] Script, uint Sequence)> Inputs { get; } = [];

    public List<(long Value, byte[] Script)> Outputs { get; } = [];

    /// <summary>Witness stacks, one per input; only written when <see cref="Flags"/> has bit 0x01.</summary>
    public List<byte[][]> Witnesses { get; } = [];

    /// <summary>0 = legacy serialization; otherwise the BIP144 marker 0x00 and this flags byte are written.</summary>
    public byte Flags { get; init; }

    /// <summary>Bytes written before the lock time when <see cref="Flags"/> has 0x08 (Litecoin MWEB OptionalPtr).</summary>
    public byte[] MwebBody { get; init; } = [0x00];

    public uint LockTime { get; init; }

    public static HandTx Coinbase(byte[] script, long value, byte[] outputScript) => new()
    {
        Inputs = { (new byte[32], uint.MaxValue, script, uint.MaxValue) },
        Outputs = { (value, outputScript) },
    };

    /// <summary>version | inputs | outputs | locktime: what the txid hashes.</summary>
    public byte[] Legacy()
    {
        var b = new List<byte>();
        Int32(b, Version);
        Body(b);
        UInt32(b, LockTime);
        return [.. b];
    }

    /// <summary>The full serialization, with marker, flags, witnesses and MWEB body as configured.</summary>
    public byte[] Serialize()
    {
        var b = new List<byte>();
        Int32(b, Version);
        if (Flags != 0)
        {
            b.Add(0x00);
            b.Add(Flags);
        }

        Body(b);
        if ((Flags & 1) != 0)
        {
            for (var i = 0; i < Inputs.Count; i++)
            {
                var stack = i < Witnesses.Count ? Witnesses[i] : [];
                CompactSize(b, (ulong)stack.Length);
                foreach (var item in stack)
                {
                    CompactSize(b, (ulong)item.Length);
                    b.AddRange(item);
                }
            }
        }

        if ((Flags & 8) != 0)
        {
            b.AddRange(MwebBody);
        }

        UInt32(b, LockTime);
        return [.. b];
    }

    public byte[] TxId() => TestData.DoubleSha256(Legacy());

    public static void CompactSize(List<byte> b, ulong n)
    {
        if (n < 0xfd)
        {
            b.Add((byte)n);
        }
        else if (n <= 0xffff)
        {
            b.Add(0xfd);
            b.Add((byte)n);
            b.Add((byte)(n >> 8));
        }
        else
        {
            b.Add(0xfe);
            UInt32(b, (uint)n);
        }
    }

    private void Body(List<byte> b)
    {
        CompactSize(b, (ulong)Inputs.Count);
        foreach (var (prev, index, script, sequence) in Inputs)
        {
            b.AddRange(prev);
            UInt32(b, index);
            CompactSize(b, (ulong)script.Length);
            b.AddRange(script);
            UInt32(b, sequence);
        }

        CompactSize(b, (ulong)Outputs.Count);
        foreach (var (value, script) in Outputs)
        {
            var v = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(v, value);
            b.AddRange(v);
            CompactSize(b, (ulong)script.Length);
            b.AddRange(script);
        }
    }

    private static void Int32(List<byte> b, int v) => UInt32(b, unchecked((uint)v));

    private static void UInt32(List<byte> b, uint v)
    {
        b.Add((byte)v);
        b.Add((byte)(v >> 8));
        b.Add((byte)(v >> 16));
        b.Add((byte)(v >> 24));
    }
}

/// <summary>Builds a block around hand-made transactions with a correct merkle root.</summary>
public static class HandBlock
{
    public static byte[] Build(IReadOnlyList<HandTx> txs, int version = 0x20000000, byte[]? prevHash = null, byte[]? trailing = null,
        byte[]? txCountOverride = null)
    {
        var root = TestData.MerkleRoot(txs.Select(t => t.TxId()).ToList());
        var b = new List<byte>();
        b.AddRange(BitConverter.GetBytes(version));
        b.AddRange(prevHash ?? new byte[32]);
        b.AddRange(root);
        b.AddRange(BitConverter.GetBytes(1_700_000_000u));
        b.AddRange(BitConverter.GetBytes(0x207fffffu));
        b.AddRange(BitConverter.GetBytes(7u));
        if (txCountOverride is not null)
        {
            b.AddRange(txCountOverride);
        }
        else
        {
            HandTx.CompactSize(b, (ulong)txs.Count);
        }

        foreach (var tx in txs)
        {
            b.AddRange(tx.Serialize());
        }

        if (trailing is not null)
        {
            b.AddRange(trailing);
        }

        return [.. b];
    }

    public static byte[] P2pkh(byte seed) => [0x76, 0xa9, 0x14, .. Enumerable.Repeat(seed, 20), 0x88, 0xac];

    public static HandTx SimpleCoinbase(int height = 5) =>
        HandTx.Coinbase([0x01, (byte)height, 0x00], 50_0000_0000, P2pkh(1));

    public static HandTx Spend(byte seed, byte flags = 0) => new()
    {
        Version = 2,
        Flags = flags,
        Inputs = { (Enumerable.Repeat(seed, 32).ToArray(), 1, [], 0xfffffffd) },
        Outputs = { (12_345, P2pkh(seed)) },
    };
}
