using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

/// <summary>Turns a <see cref="WriteBatch"/> into a segment directory: every column flushed to disk.</summary>
internal static class SegmentWriter
{
    public static SegmentInfo Write(string dir, string name, WriteBatch b, bool inputScripts)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        var info = new SegmentInfo
        {
            Name = name,
            FirstHeight = b.FirstHeight,
            BlockCount = b.BlockCount,
            TxBase = b.TxBase,
            TxCount = b.TxCount,
            InputBase = b.InputBase,
            InputCount = b.InputCount,
            OutputBase = b.OutputBase,
            OutputCount = b.OutputCount,
            AddressBase = b.AddressBase,
            AddressCount = b.AddressCount,
        };

        void Put(string column, ReadOnlySpan<byte> data)
        {
            DurableFile.WriteFlushed(Path.Combine(dir, column), data);
            info.Files[column] = data.Length;
        }

        Put(Columns.BlockHash, b.BlockHashes.Span);
        Put(Columns.BlockHeader, b.BlockHeaders.Span);
        Put(Columns.BlockMeta, b.BlockMetas.Span);
        Put(Columns.TxId, b.TxIds.Span);
        Put(Columns.TxMeta, b.TxMetas.Span);
        Put(Columns.InPrev, b.InPrev.Span);
        Put(Columns.InSequence, b.InSeq.Span);
        if (inputScripts)
        {
            Put(Columns.InScriptOffsets, b.InScripts.Offsets.Span);
            Put(Columns.InScriptData, b.InScripts.Data.Span);
            Put(Columns.InWitnessOffsets, b.InWitnesses.Offsets.Span);
            Put(Columns.InWitnessData, b.InWitnesses.Data.Span);
        }

        Put(Columns.InExternal, b.InExternal.Span);
        Put(Columns.OutValue, b.OutValues.Span);
        Put(Columns.OutAddress, b.OutAddresses.Span);
        Put(Columns.OutType, b.OutTypes.Span);
        Put(Columns.OutScriptIds, b.OutScriptIds.Span);
        Put(Columns.OutScriptOffsets, b.OutScripts.Offsets.Span);
        Put(Columns.OutScriptData, b.OutScripts.Data.Span);
        Put(Columns.AddressOffsets, b.AddressKeys.Offsets.Span);
        Put(Columns.AddressKeys, b.AddressKeys.Data.Span);

        var (keys, offsets, entries) = BuildPostings(b.PostingPairs.As<ulong>());
        Put(Columns.PostingKeys, keys);
        Put(Columns.PostingOffsets, offsets);
        Put(Columns.PostingEntries, entries);
        DurableFile.SyncDirectory(dir);
        return info;
    }

    /// <summary>
    /// CSR from (address, entry) pairs in order of appearance: keys sorted, entries grouped by address and
    /// kept in appearance (chain) order within each address.
    /// </summary>
    internal static (byte[] Keys, byte[] Offsets, byte[] Entries) BuildPostings(ReadOnlySpan<ulong> pairs)
    {
        var n = pairs.Length;
        if (n == 0)
        {
            return ([], [], []);
        }

        // Sort by address, stable: sort (address << 32 | sequence) then map back.
        var order = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = (pairs[i] & 0xFFFF_FFFF_0000_0000UL) | (uint)i;
        }

        Array.Sort(order);
        var keys = new List<uint>();
        var offsets = new List<uint>();
        var entries = new uint[n];
        uint? current = null;
        for (var i = 0; i < n; i++)
        {
            var address = (uint)(order[i] >> 32);
            if (current != address)
            {
                keys.Add(address);
                offsets.Add((uint)i);
                current = address;
            }

            entries[i] = (uint)pairs[(int)(uint)order[i]];
        }

        offsets.Add((uint)n);
        return (
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(keys.ToArray().AsSpan()).ToArray(),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(offsets.ToArray().AsSpan()).ToArray(),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(entries.AsSpan()).ToArray());
    }
}
