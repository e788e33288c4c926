using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

/// <summary>Turns the pending batch, or columns cut or merged from segments, into a segment directory (every file flushed).</summary>
internal sealed class EvmSegmentWriter
{
    private readonly string _dir;

    private EvmSegmentWriter(string dir, EvmSegmentInfo info)
    {
        _dir = dir;
        Info = info;
    }

    public EvmSegmentInfo Info { get; }

    /// <summary>Starts a segment in a fresh directory (a leftover of the same name, from a run that did not commit, is removed).</summary>
    public static EvmSegmentWriter Create(string dir, EvmSegmentInfo info)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return new EvmSegmentWriter(dir, info);
    }

    public void Put(string column, ReadOnlySpan<byte> data)
    {
        DurableFile.WriteFlushed(Path.Combine(_dir, column), data);
        Info.Files[column] = data.Length;
    }

    /// <summary>Writes the postings CSR from (address &lt;&lt; 32 | entry) pairs in chain order.</summary>
    public void PutPostings(ReadOnlySpan<ulong> pairs)
    {
        var (keys, offsets, entries) = SegmentWriter.BuildPostings(pairs);
        Put(EvmColumns.PostingKeys, keys);
        Put(EvmColumns.PostingOffsets, offsets);
        Put(EvmColumns.PostingEntries, entries);
    }

    public EvmSegmentInfo Finish()
    {
        foreach (var column in EvmColumns.All)
        {
            if (!Info.Files.ContainsKey(column))
            {
                throw new InvalidOperationException($"segment {Info.Name}: column {column} was not written");
            }
        }

        DurableFile.SyncDirectory(_dir);
        return Info;
    }

    public static EvmSegmentInfo Write(string dir, string name, EvmBatch b)
    {
        var w = Create(dir, new EvmSegmentInfo
        {
            Name = name,
            FirstHeight = b.FirstHeight,
            BlockCount = b.BlockCount,
            TxBase = b.TxBase,
            TxCount = b.TxCount,
            TransferBase = b.TransferBase,
            TransferCount = b.TransferCount,
            AddressBase = b.AddressBase,
            AddressCount = b.AddressCount,
        });
        w.Put(EvmColumns.BlockHash, b.BlockHashes.Span);
        w.Put(EvmColumns.BlockParent, b.ParentHashes.Span);
        w.Put(EvmColumns.BlockTime, b.Timestamps.Span);
        w.Put(EvmColumns.BlockFlags, b.Flags.Span);
        w.Put(EvmColumns.BlockFirstTx, b.FirstTx.Span);
        w.Put(EvmColumns.BlockFirstTransfer, b.FirstTransfer.Span);
        w.Put(EvmColumns.BlockFirstAddress, b.FirstAddress.Span);
        w.Put(EvmColumns.BundleOffsets, b.Bundles.Offsets.Span);
        w.Put(EvmColumns.BundleData, b.Bundles.Data.Span);
        w.Put(EvmColumns.TxHash, b.TxHashes.Span);
        w.Put(EvmColumns.TransferKind, b.Kinds.Span);
        w.Put(EvmColumns.TransferBlock, b.Blocks.Span);
        w.Put(EvmColumns.TransferTx, b.TxIndexes.Span);
        w.Put(EvmColumns.TransferPosition, b.Positions.Span);
        w.Put(EvmColumns.TransferAsset, b.Assets.Span);
        w.Put(EvmColumns.TransferFrom, b.Froms.Span);
        w.Put(EvmColumns.TransferTo, b.Tos.Span);
        w.Put(EvmColumns.TransferAmount, b.Amounts.Span);
        w.Put(EvmColumns.TokenIdRows, b.TokenRows.Span);
        w.Put(EvmColumns.TokenIdValues, b.TokenIds.Span);
        w.Put(EvmColumns.AddressKeys, b.AddressKeys.Span);
        w.PutPostings(b.PostingPairs.As<ulong>());
        w.Put(EvmColumns.AssetFirsts, b.AssetFirsts.Span);
        return w.Finish();
    }
}
