using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

public sealed partial class EvmChainStore
{
    /// <summary>
    /// Reorg support: removes every block above <paramref name="keepThroughHeight"/>. A cut among the pending blocks only
    /// shortens the pending batch. A cut below the committed tip discards the pending batch, drops the segments wholly
    /// above the cut and rewrites the segment that straddles it as a shorter copy; the new manifest is written before
    /// anything is deleted, so a crash leaves either the old or the new state. Index entries of removed rows become stale
    /// by count (ignored, then overwritten).
    /// </summary>
    public void Truncate(long keepThroughHeight)
    {
        EnsureWriter();
        if (keepThroughHeight < BaseHeight - 1)
        {
            throw new UserErrorException($"cannot roll chain '{ChainName}' back below its first block {BaseHeight}");
        }

        var committedTip = BaseHeight + BlockCount - 1;
        if (keepThroughHeight >= committedTip)
        {
            var keep = keepThroughHeight - committedTip;
            if (keep < _batch.BlockCount)
            {
                _batch.Cut((int)keep);
            }

            return;
        }

        ResetBatch(); // the pending blocks are above the cut

        var next = _manifest.Clone();
        next.Segments.Clear();
        var removed = new List<EvmSegment>();
        EvmSegment? straddle = null;
        foreach (var s in _segments)
        {
            var last = s.Info.FirstHeight + s.Info.BlockCount - 1;
            if (last <= keepThroughHeight)
            {
                next.Segments.Add(s.Info);
            }
            else
            {
                removed.Add(s);
                if (s.Info.FirstHeight <= keepThroughHeight)
                {
                    straddle = s;
                }
            }
        }

        if (straddle is not null)
        {
            var name = $"seg-{next.Generation + 1:D8}";
            var keep = (int)(keepThroughHeight - straddle.Info.FirstHeight + 1);
            next.Segments.Add(WritePrefix(straddle, keep, Path.Combine(Directory, name), name));
        }

        SetIndexes(next);
        next.Save(Directory);
        _manifest = next;
        foreach (var s in removed)
        {
            _segments.Remove(s);
            s.Dispose();
            System.IO.Directory.Delete(s.Directory, recursive: true);
        }

        if (straddle is not null)
        {
            var info = _manifest.Segments[^1];
            _segments.Add(new EvmSegment(Path.Combine(Directory, info.Name), info));
        }

        _assets = null; // reloaded from the remaining segments when needed
        ResetBatch();
        DeleteUnreferencedIndexes();
    }

    /// <summary>Writes the first <paramref name="blocks"/> blocks of a segment as a new segment (columns cut at the next block's first ids).</summary>
    private static EvmSegmentInfo WritePrefix(EvmSegment s, int blocks, string dir, string name)
    {
        var src = s.Info;
        var txs = s.BlockFirstTx(blocks) - src.TxBase;
        var transfers = s.BlockFirstTransfer(blocks) - src.TransferBase;
        var addresses = s.BlockFirstAddress(blocks) - src.AddressBase;
        var w = EvmSegmentWriter.Create(dir, new EvmSegmentInfo
        {
            Name = name,
            FirstHeight = src.FirstHeight,
            BlockCount = blocks,
            TxBase = src.TxBase,
            TxCount = txs,
            TransferBase = src.TransferBase,
            TransferCount = transfers,
            AddressBase = src.AddressBase,
            AddressCount = addresses,
        });

        void Copy(string column, long length) => w.Put(column, s.ColumnSpan(column)[..checked((int)length)]);

        Copy(EvmColumns.BlockHash, blocks * 32L);
        Copy(EvmColumns.BlockParent, blocks * 32L);
        Copy(EvmColumns.BlockTime, blocks * 8L);
        Copy(EvmColumns.BlockFlags, blocks);
        Copy(EvmColumns.BlockFirstTx, blocks * 8L);
        Copy(EvmColumns.BlockFirstTransfer, blocks * 8L);
        Copy(EvmColumns.BlockFirstAddress, blocks * 8L);
        Copy(EvmColumns.BundleOffsets, (blocks + 1) * 4L);
        Copy(EvmColumns.BundleData, s[EvmColumns.BundleOffsets].Read<uint>(blocks));
        Copy(EvmColumns.TxHash, txs * 32);
        Copy(EvmColumns.TransferKind, transfers);
        Copy(EvmColumns.TransferBlock, transfers * 4);
        Copy(EvmColumns.TransferTx, transfers * 4);
        Copy(EvmColumns.TransferPosition, transfers * 4);
        Copy(EvmColumns.TransferAsset, transfers * 4);
        Copy(EvmColumns.TransferFrom, transfers * 4);
        Copy(EvmColumns.TransferTo, transfers * 4);
        Copy(EvmColumns.TransferAmount, transfers * 32);
        var rows = s[EvmColumns.TokenIdRows];
        long tokenRows = 0;
        while (tokenRows < rows.Count<uint>() && rows.Read<uint>(tokenRows) < transfers)
        {
            tokenRows++;
        }

        Copy(EvmColumns.TokenIdRows, tokenRows * 4);
        Copy(EvmColumns.TokenIdValues, tokenRows * 32);
        Copy(EvmColumns.AddressKeys, addresses * Chains.Evm.EvmAddress.Size);

        // Postings: keep the entries of the kept transfers, in their original order.
        var pairs = new GrowBuffer();
        var keys = s[EvmColumns.PostingKeys];
        for (long k = 0; k < keys.Count<uint>(); k++)
        {
            var address = keys.Read<uint>(k);
            var (start, count) = s.Postings(address);
            for (var i = 0L; i < count; i++)
            {
                var e = s.PostingEntry(start + i);
                if ((e & 0x7FFF_FFFFu) < transfers)
                {
                    pairs.Add(((ulong)address << 32) | e);
                }
            }
        }

        // grouped by address already; BuildPostings re-sorts stably, which keeps that order
        w.PutPostings(pairs.As<ulong>());
        long assets = 0;
        while (assets < s.AssetFirstCount && s.AssetFirst(assets).TransferLocal < transfers)
        {
            assets++;
        }

        Copy(EvmColumns.AssetFirsts, assets * 8);
        return w.Finish();
    }
}
