using System.Runtime.InteropServices;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;

namespace Ashiato.Storage.Utxo;

/// <summary>Per-block row (blk.meta). Ids are global; FirstAddress is the address count before the block.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct BlockMeta
{
    public int Size;
    public int StrippedSize;
    public int TxCount;
    public int MwebExtensionLength;
    public long FirstTx;
    public long FirstInput;
    public long FirstOutput;
    public long FirstAddress;
}

[Flags]
public enum TxFlags
{
    None = 0,
    Coinbase = 1,
    Witness = 2,
    HogEx = 4,
}

/// <summary>Per-transaction row (tx.meta). Input/output starts are local to the segment.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct TxMeta
{
    public int Version;
    public uint LockTime;
    public int Size;
    public int StrippedSize;
    public int InputLocal;
    public int OutputLocal;
    public TxFlags Flags;
}

/// <summary>in.prev values that are not output ids.</summary>
public static class PrevRef
{
    public const long Coinbase = -1;

    /// <summary>The spent output is not in the store; see the input's <see cref="ExternalPrevout"/> row.</summary>
    public const long External = -2;
}

/// <summary>
/// An input whose spent output is not in the store (history not ingested). Value and address are known
/// when a node resolved them, otherwise unknown (-1 / <see cref="NoAddress"/>): never guessed.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct ExternalPrevout
{
    public const uint NoAddress = uint.MaxValue;
    public int InputLocal;
    public Hash256 TxId;
    public uint Vout;
    public long Value;
    public uint AddressId;
    public ScriptType Type;
    public byte Resolved;
    public ushort Reserved;
}

/// <summary>What an input spends, as the store knows it.</summary>
public readonly record struct Prevout(long OutputId, long Value, uint AddressId, ScriptType Type);
