using System.Runtime.InteropServices;

namespace Ashiato.Storage.Evm;

/// <summary>
/// The file names of an EVM segment's columns. Fixed-width columns are arrays of little-endian values; the bundle is
/// <c>u32</c> offsets (blocks + 1) plus data. "Local" numbers count from the segment's first row of that kind.
/// </summary>
public static class EvmColumns
{
    /// <summary>Per block: hash (32 bytes, printed order).</summary>
    public const string BlockHash = "blk.hash";

    /// <summary>Per block: parent hash (32 bytes).</summary>
    public const string BlockParent = "blk.parent";

    /// <summary>Per block: timestamp (i64, Unix seconds).</summary>
    public const string BlockTime = "blk.time";

    /// <summary>Per block: flags (u8, <see cref="EvmBlockFlags"/>).</summary>
    public const string BlockFlags = "blk.flags";

    /// <summary>Per block: global id of its first transaction (i64).</summary>
    public const string BlockFirstTx = "blk.tx";

    /// <summary>Per block: global id of its first transfer (i64).</summary>
    public const string BlockFirstTransfer = "blk.xfer";

    /// <summary>Per block: the address count before the block (i64) — the id of the first address it introduces.</summary>
    public const string BlockFirstAddress = "blk.addr";

    /// <summary>Per block: the opaque bundle (u32 offsets, blocks + 1).</summary>
    public const string BundleOffsets = "bundle.off";

    public const string BundleData = "bundle.dat";

    /// <summary>Per transaction: hash (32 bytes).</summary>
    public const string TxHash = "tx.hash";

    /// <summary>Per transfer: kind (u8, <c>EvmTransferKind</c>).</summary>
    public const string TransferKind = "xfer.kind";

    /// <summary>Per transfer: segment-local block number (u32).</summary>
    public const string TransferBlock = "xfer.blk";

    /// <summary>Per transfer: transaction index in its block (i32; -1 = block level).</summary>
    public const string TransferTx = "xfer.tx";

    /// <summary>Per transfer: position (i32) as ingest numbered it (log index, trace position…).</summary>
    public const string TransferPosition = "xfer.pos";

    /// <summary>Per transfer: asset address id (u32; <c>0xFFFFFFFF</c> = the native coin).</summary>
    public const string TransferAsset = "xfer.asset";

    /// <summary>Per transfer: sender address id (u32; <c>0xFFFFFFFF</c> = none, value created).</summary>
    public const string TransferFrom = "xfer.from";

    /// <summary>Per transfer: recipient address id (u32; <c>0xFFFFFFFF</c> = none, value destroyed).</summary>
    public const string TransferTo = "xfer.to";

    /// <summary>Per transfer: amount (32 bytes, little-endian 256-bit).</summary>
    public const string TransferAmount = "xfer.amount";

    /// <summary>Local numbers (u32, ascending) of the transfers whose token id is not zero.</summary>
    public const string TokenIdRows = "xfer.tokid.idx";

    /// <summary>Their token ids (32 bytes, little-endian 256-bit), one per row of <see cref="TokenIdRows"/>.</summary>
    public const string TokenIdValues = "xfer.tokid.val";

    /// <summary>Addresses first seen in this segment (20 bytes each), in id order.</summary>
    public const string AddressKeys = "addr.key";

    /// <summary>Postings (CSR): address ids with entries in this segment (u32, ascending).</summary>
    public const string PostingKeys = "post.key";

    /// <summary>Postings: u32 offsets into <see cref="PostingEntries"/> (keys + 1).</summary>
    public const string PostingOffsets = "post.off";

    /// <summary>Postings: u32 entries, bit 31 = outgoing (the address is the sender), low bits = local transfer.</summary>
    public const string PostingEntries = "post.ent";

    /// <summary>Address ids first used as a token asset in this segment, with the local transfer (<see cref="EvmAssetFirst"/>).</summary>
    public const string AssetFirsts = "asset.first";

    public static readonly string[] All =
    [
        BlockHash, BlockParent, BlockTime, BlockFlags, BlockFirstTx, BlockFirstTransfer, BlockFirstAddress,
        BundleOffsets, BundleData, TxHash, TransferKind, TransferBlock, TransferTx, TransferPosition, TransferAsset,
        TransferFrom, TransferTo, TransferAmount, TokenIdRows, TokenIdValues, AddressKeys, PostingKeys, PostingOffsets,
        PostingEntries, AssetFirsts,
    ];
}

/// <summary>blk.flags bits.</summary>
[Flags]
public enum EvmBlockFlags : byte
{
    None = 0,

    /// <summary>The block was stored without traces.</summary>
    TracesMissing = 1,
}

/// <summary>An asset.first row: an address first used as a token asset, and the segment-local transfer where.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EvmAssetFirst
{
    public uint AddressId;
    public uint TransferLocal;
}
