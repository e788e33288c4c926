namespace Ashiato.Storage.Utxo;

/// <summary>The file names of a segment's columns.</summary>
public static class Columns
{
    public const string BlockHash = "blk.hash";
    public const string BlockHeader = "blk.hdr";
    public const string BlockMeta = "blk.meta";
    public const string TxId = "tx.id";
    public const string TxMeta = "tx.meta";
    public const string InPrev = "in.prev";
    public const string InSequence = "in.seq";
    public const string InScriptOffsets = "in.script.off";
    public const string InScriptData = "in.script.dat";
    public const string InWitnessOffsets = "in.wit.off";
    public const string InWitnessData = "in.wit.dat";
    public const string InExternal = "in.ext";
    public const string OutValue = "out.value";
    public const string OutAddress = "out.addr";
    public const string OutType = "out.type";
    public const string OutScriptIds = "out.script.idx";
    public const string OutScriptOffsets = "out.script.off";
    public const string OutScriptData = "out.script.dat";
    public const string AddressOffsets = "addr.off";
    public const string AddressKeys = "addr.key";
    public const string PostingKeys = "post.key";
    public const string PostingOffsets = "post.off";
    public const string PostingEntries = "post.ent";

    /// <summary>Columns holding raw input scripts and witnesses (kept unless the store is lean).</summary>
    public static readonly string[] InputScriptColumns = [InScriptOffsets, InScriptData, InWitnessOffsets, InWitnessData];

    public static readonly string[] All =
    [
        BlockHash, BlockHeader, BlockMeta, TxId, TxMeta, InPrev, InSequence, InScriptOffsets, InScriptData,
        InWitnessOffsets, InWitnessData, InExternal, OutValue, OutAddress, OutType, OutScriptIds, OutScriptOffsets,
        OutScriptData, AddressOffsets, AddressKeys, PostingKeys, PostingOffsets, PostingEntries,
    ];
}
