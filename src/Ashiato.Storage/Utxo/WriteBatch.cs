using System.Runtime.InteropServices;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;

namespace Ashiato.Storage.Utxo;

/// <summary>
/// Blocks being added to a <see cref="UtxoChainStore"/> and not yet committed. Rows are built in memory,
/// column by column, and become a new immutable segment on <see cref="UtxoChainStore.Commit"/>.
/// Call order per block: BeginBlock, then per transaction BeginTx, inputs, outputs, EndTx; then EndBlock.
/// </summary>
public sealed class WriteBatch
{
    internal readonly GrowBuffer BlockHashes;
    internal readonly GrowBuffer BlockHeaders;
    internal readonly GrowBuffer BlockMetas;
    internal readonly GrowBuffer TxIds;
    internal readonly GrowBuffer TxMetas;
    internal readonly GrowBuffer InPrev;
    internal readonly GrowBuffer InSeq;
    internal readonly BlobColumn InScripts;
    internal readonly BlobColumn InWitnesses;
    internal readonly GrowBuffer InExternal;
    internal readonly GrowBuffer OutValues;
    internal readonly GrowBuffer OutAddresses;
    internal readonly GrowBuffer OutTypes;
    internal readonly GrowBuffer OutScriptIds;
    internal readonly BlobColumn OutScripts;
    internal readonly BlobColumn AddressKeys;

    /// <summary>(address id, posting entry) in order of appearance; sorted stably into CSR at commit.</summary>
    internal readonly GrowBuffer PostingPairs;

    private readonly UtxoChainStore _store;
    private int _blockTxStart;
    private TxMeta _tx;
    private bool _inTx;
    private bool _inBlock;
    private BlockHeader _blockHeader;
    private Hash256 _blockHash;
    private int _blockSize;
    private int _blockStripped;
    private int _blockMweb;
    private long _blockFirstInput;
    private long _blockFirstOutput;
    private long _blockFirstAddress;

    /// <param name="recycle">A committed or abandoned batch whose column buffers are reused (no regrowing per batch).</param>
    internal WriteBatch(UtxoChainStore store, Manifest manifest, WriteBatch? recycle)
    {
        _store = store;
        BlockHashes = recycle?.BlockHashes.Cleared() ?? new();
        BlockHeaders = recycle?.BlockHeaders.Cleared() ?? new();
        BlockMetas = recycle?.BlockMetas.Cleared() ?? new();
        TxIds = recycle?.TxIds.Cleared() ?? new(1 << 16);
        TxMetas = recycle?.TxMetas.Cleared() ?? new(1 << 16);
        InPrev = recycle?.InPrev.Cleared() ?? new(1 << 16);
        InSeq = recycle?.InSeq.Cleared() ?? new(1 << 16);
        InScripts = recycle?.InScripts.Cleared() ?? new();
        InWitnesses = recycle?.InWitnesses.Cleared() ?? new();
        InExternal = recycle?.InExternal.Cleared() ?? new();
        OutValues = recycle?.OutValues.Cleared() ?? new(1 << 16);
        OutAddresses = recycle?.OutAddresses.Cleared() ?? new(1 << 16);
        OutTypes = recycle?.OutTypes.Cleared() ?? new(1 << 14);
        OutScriptIds = recycle?.OutScriptIds.Cleared() ?? new();
        OutScripts = recycle?.OutScripts.Cleared() ?? new();
        AddressKeys = recycle?.AddressKeys.Cleared() ?? new();
        PostingPairs = recycle?.PostingPairs.Cleared() ?? new(1 << 16);
        FirstHeight = manifest.BlockCount == 0 ? manifest.BaseHeight : manifest.BaseHeight + manifest.BlockCount;
        TxBase = manifest.TxCount;
        InputBase = manifest.InputCount;
        OutputBase = manifest.OutputCount;
        AddressBase = manifest.AddressCount;
        TipHash = store.TipHash;
    }

    public int FirstHeight { get; internal set; }

    public long TxBase { get; }

    public long InputBase { get; }

    public long OutputBase { get; }

    public long AddressBase { get; }

    public int BlockCount { get; private set; }

    public long TxCount { get; private set; }

    public long InputCount { get; private set; }

    public long OutputCount { get; private set; }

    public long AddressCount { get; private set; }

    /// <summary>Bytes of block data added so far (for commit thresholds).</summary>
    public long BlockBytes { get; private set; }

    public Hash256 TipHash { get; private set; }

    public int NextHeight => FirstHeight + BlockCount;

    public bool KeepInputScripts => _store.KeepInputScripts;

    /// <summary>True between BeginBlock and EndBlock: such a batch cannot be committed.</summary>
    public bool InBlock => _inBlock;

    public void BeginBlock(Hash256 hash, BlockHeader header, int size, int strippedSize, int mwebLength)
    {
        if (_inBlock)
        {
            throw new InvalidOperationException("BeginBlock inside a block");
        }

        if (_store.BlockCount + BlockCount > 0 && header.PrevHash != TipHash)
        {
            throw new InvalidOperationException($"block {hash} does not extend the tip {TipHash}");
        }

        _inBlock = true;
        _blockHash = hash;
        _blockHeader = header;
        _blockSize = size;
        _blockStripped = strippedSize;
        _blockMweb = mwebLength;
        _blockTxStart = (int)TxCount;
        _blockFirstInput = InputBase + InputCount;
        _blockFirstOutput = OutputBase + OutputCount;
        _blockFirstAddress = AddressBase + AddressCount;
    }

    public void BeginTx(Hash256 txid, int version, uint lockTime, int size, int strippedSize, TxFlags flags)
    {
        if (!_inBlock || _inTx)
        {
            throw new InvalidOperationException("BeginTx outside a block or inside a transaction");
        }

        _inTx = true;
        _tx = new TxMeta
        {
            Version = version,
            LockTime = lockTime,
            Size = size,
            StrippedSize = strippedSize,
            InputLocal = (int)InputCount,
            OutputLocal = (int)OutputCount,
            Flags = flags,
        };
        Span<byte> id = stackalloc byte[32];
        txid.WriteTo(id);
        TxIds.Add(id);
        _store.IndexPendingTx(txid, TxBase + TxCount, this);
    }

    /// <summary>Looks up an output by outpoint among committed and pending transactions.</summary>
    public bool TryResolve(Hash256 txid, uint vout, out Prevout prevout) => _store.TryResolve(txid, vout, this, out prevout);

    public void AddCoinbaseInput(ReadOnlySpan<byte> script, uint sequence, ReadOnlySpan<byte> witness)
    {
        InPrev.Add(PrevRef.Coinbase);
        AddInputCommon(script, sequence, witness);
    }

    /// <summary>An input spending an output in the store (resolved with <see cref="TryResolve"/>).</summary>
    public void AddInput(in Prevout prevout, ReadOnlySpan<byte> script, uint sequence, ReadOnlySpan<byte> witness)
    {
        InPrev.Add(prevout.OutputId);
        if (prevout.AddressId != ExternalPrevout.NoAddress)
        {
            AddPosting(prevout.AddressId, (uint)InputCount | 0x8000_0000u);
        }

        AddInputCommon(script, sequence, witness);
    }

    /// <summary>
    /// An input whose spent output is not in the store. With <paramref name="resolved"/> the value and
    /// address come from a node; without, they stay unknown.
    /// </summary>
    public void AddExternalInput(Hash256 prevTxId, uint vout, bool resolved, long value, ScriptType type,
        AddressKind kind, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> script, uint sequence, ReadOnlySpan<byte> witness)
    {
        var addressId = ExternalPrevout.NoAddress;
        if (resolved && kind != AddressKind.None)
        {
            addressId = GetOrAddAddress(kind, payload);
            AddPosting(addressId, (uint)InputCount | 0x8000_0000u);
        }

        var row = new ExternalPrevout
        {
            InputLocal = (int)InputCount,
            TxId = prevTxId,
            Vout = vout,
            Value = resolved ? value : -1,
            AddressId = addressId,
            Type = type,
            Resolved = resolved ? (byte)1 : (byte)0,
        };
        InExternal.Add(row);
        InPrev.Add(PrevRef.External);
        AddInputCommon(script, sequence, witness);
    }

    private void AddInputCommon(ReadOnlySpan<byte> script, uint sequence, ReadOnlySpan<byte> witness)
    {
        InSeq.Add(sequence);
        if (KeepInputScripts)
        {
            InScripts.Add(script);
            InWitnesses.Add(witness);
        }

        InputCount++;
    }

    /// <summary>Adds an output. <paramref name="script"/> is stored only when it cannot be rebuilt from the address.</summary>
    public void AddOutput(long value, ScriptType type, AddressKind kind, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> script)
    {
        var addressId = kind == AddressKind.None ? ExternalPrevout.NoAddress : GetOrAddAddress(kind, payload);
        OutValues.Add(value);
        OutAddresses.Add(addressId);
        OutTypes.Add((byte)type);
        if (type is ScriptType.PubKey or ScriptType.Multisig or ScriptType.Nonstandard or ScriptType.NullData)
        {
            OutScriptIds.Add((uint)OutputCount);
            OutScripts.Add(script);
        }

        if (addressId != ExternalPrevout.NoAddress)
        {
            AddPosting(addressId, (uint)OutputCount);
        }

        OutputCount++;
    }

    public void EndTx()
    {
        if (!_inTx)
        {
            throw new InvalidOperationException("EndTx without BeginTx");
        }

        TxMetas.Add(_tx);
        TxCount++;
        _inTx = false;
    }

    public void EndBlock()
    {
        if (!_inBlock || _inTx)
        {
            throw new InvalidOperationException("EndBlock without a complete block");
        }

        Span<byte> buffer = stackalloc byte[32];
        _blockHash.WriteTo(buffer);
        BlockHashes.Add(buffer);
        Span<byte> header = stackalloc byte[80];
        WriteHeader(_blockHeader, header);
        BlockHeaders.Add(header);
        BlockMetas.Add(new BlockMeta
        {
            Size = _blockSize,
            StrippedSize = _blockStripped,
            TxCount = (int)TxCount - _blockTxStart,
            MwebExtensionLength = _blockMweb,
            FirstTx = TxBase + _blockTxStart,
            FirstInput = _blockFirstInput,
            FirstOutput = _blockFirstOutput,
            FirstAddress = _blockFirstAddress,
        });
        BlockCount++;
        BlockBytes += _blockSize;
        TipHash = _blockHash;
        _inBlock = false;
    }

    public static void WriteHeader(BlockHeader h, Span<byte> dest)
    {
        MemoryMarshal.Write(dest, h.Version);
        h.PrevHash.WriteTo(dest[4..]);
        h.MerkleRoot.WriteTo(dest[36..]);
        MemoryMarshal.Write(dest[68..], h.Time);
        MemoryMarshal.Write(dest[72..], h.Bits);
        MemoryMarshal.Write(dest[76..], h.Nonce);
    }

    private uint GetOrAddAddress(AddressKind kind, ReadOnlySpan<byte> payload)
    {
        var id = _store.FindAddress(kind, payload, this);
        if (id >= 0)
        {
            return (uint)id;
        }

        Span<byte> key = stackalloc byte[2 + payload.Length];
        key[0] = (byte)kind;
        key[1] = (byte)payload.Length;
        payload.CopyTo(key[2..]);
        var newId = AddressBase + AddressCount;
        if (newId >= ExternalPrevout.NoAddress)
        {
            throw new InvalidOperationException("address id space (32 bits) exhausted");
        }

        AddressKeys.Add(key);
        AddressCount++;
        _store.IndexPendingAddress(key, newId, this);
        return (uint)newId;
    }

    private void AddPosting(uint addressId, uint entry) => PostingPairs.Add(((ulong)addressId << 32) | entry);

    internal Hash256 PendingTxId(long localTx) => new(TxIds.Slice((int)(localTx * 32), 32));

    internal TxMeta PendingTxMeta(long localTx) => localTx < TxCount ? TxMetas.Get<TxMeta>(localTx) : _tx;

    internal long PendingTxOutputEnd(long localTx) =>
        localTx + 1 < TxCount ? TxMetas.Get<TxMeta>(localTx + 1).OutputLocal : OutputCount;
}
