using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Export;

/// <summary>An input as people and exports see it: what it spends, its scripts, and the spent output's type, addresses and value.</summary>
public sealed record InputView(
    int Index,
    long Id,
    bool IsCoinbase,
    Hash256 SpentTxId,
    uint SpentIndex,
    byte[]? Script,
    byte[]? Witness,
    uint Sequence,
    int? RequiredSignatures,
    string? Type,
    IReadOnlyList<string> Addresses,
    long? Value,
    uint? AddressId,
    bool Resolved);

public sealed record OutputView(int Index, long Id, byte[] Script, int? RequiredSignatures, string Type, IReadOnlyList<string> Addresses, long Value, uint? AddressId);

public sealed record TxView(
    long Id,
    Hash256 TxId,
    int Size,
    int VirtualSize,
    int Weight,
    int Version,
    uint LockTime,
    int BlockNumber,
    Hash256 BlockHash,
    uint BlockTimestamp,
    bool IsCoinbase,
    int Index,
    IReadOnlyList<InputView> Inputs,
    IReadOnlyList<OutputView> Outputs,
    long? InputValue,
    long OutputValue,
    long? Fee)
{
    /// <summary>Inputs as bitcoin-etl lists them: the coinbase input is not one.</summary>
    public IEnumerable<InputView> SpendingInputs => Inputs.Where(i => !i.IsCoinbase);
}

public sealed record BlockView(
    int Number,
    Hash256 Hash,
    Hash256 PreviousHash,
    int Size,
    int StrippedSize,
    int Weight,
    int Version,
    Hash256 MerkleRoot,
    uint Timestamp,
    uint Nonce,
    uint Bits,
    byte[] CoinbaseParam,
    int TransactionCount,
    long FirstTx,
    int MwebExtensionLength);

/// <summary>Reads store rows back into views (shared by `show` and the exporters).</summary>
public sealed class UtxoViews(UtxoChainStore store)
{
    private readonly byte[] _payload = new byte[ScriptClassifier.MaxPayload];

    public UtxoChainStore Store => store;

    public Network Network => store.Network;

    public BlockView Block(int height)
    {
        var header = store.GetBlockHeader(height);
        var meta = store.GetBlockMeta(height);
        byte[] coinbaseParam = [];
        if (meta.TxCount > 0)
        {
            var tx = store.GetTx(meta.FirstTx);
            if (tx.IsCoinbase && store.KeepInputScripts)
            {
                coinbaseParam = store.GetInputScript(tx.FirstInput).ToArray();
            }
        }

        // Litecoin weighs a block without its MWEB extension and without the HogEx's MWEB bytes (see TxRow.Weight); the
        // size the node prints includes both.
        var weight = (meta.StrippedSize * 3) + meta.Size;
        if (meta.MwebExtensionLength > 0)
        {
            var hogEx = store.GetTx(meta.FirstTx + meta.TxCount - 1);
            weight -= meta.MwebExtensionLength + ((hogEx.Meta.StrippedSize * 3) + hogEx.Meta.Size - hogEx.Weight);
        }

        return new BlockView(height, store.GetBlockHash(height), header.PrevHash, meta.Size, meta.StrippedSize,
            weight, header.Version, header.MerkleRoot, header.Time, header.Nonce, header.Bits,
            coinbaseParam, meta.TxCount, meta.FirstTx, meta.MwebExtensionLength);
    }

    public TxView Tx(long txId)
    {
        var tx = store.GetTx(txId);
        var blockMeta = store.GetBlockMeta(tx.Height);
        var header = store.GetBlockHeader(tx.Height);
        var inputs = new List<InputView>(tx.InputCount);
        long inputValue = 0;
        var allKnown = true;
        for (var i = 0; i < tx.InputCount; i++)
        {
            var view = Input(tx.FirstInput + i, i);
            inputs.Add(view);
            if (!view.IsCoinbase)
            {
                if (view.Value is { } v)
                {
                    inputValue += v;
                }
                else
                {
                    allKnown = false;
                }
            }
        }

        var outputs = new List<OutputView>(tx.OutputCount);
        long outputValue = 0;
        for (var o = 0; o < tx.OutputCount; o++)
        {
            var view = Output(tx.FirstOutput + o, o);
            outputs.Add(view);
            outputValue += view.Value;
        }

        long? inValue = tx.IsCoinbase ? 0 : allKnown ? inputValue : null;
        long? fee = tx.IsCoinbase ? 0 : allKnown ? inputValue - outputValue : null;
        return new TxView(txId, tx.TxId, tx.Meta.Size, tx.VirtualSize, tx.Weight, tx.Meta.Version, tx.Meta.LockTime, tx.Height,
            store.GetBlockHash(tx.Height), header.Time, tx.IsCoinbase, (int)(txId - blockMeta.FirstTx), inputs, outputs, inValue,
            outputValue, fee);
    }

    public OutputView Output(long outputId, int index)
    {
        var row = store.GetOutput(outputId);
        var script = OutputScript(row);
        var (reqSigs, type, addresses) = Describe(script);
        return new OutputView(index, outputId, script, reqSigs, type, addresses, row.Value, row.HasAddress ? row.AddressId : null);
    }

    public InputView Input(long inputId, int index)
    {
        var row = store.GetInput(inputId);
        var script = store.KeepInputScripts ? store.GetInputScript(inputId).ToArray() : null;
        var witness = store.KeepInputScripts ? store.GetInputWitness(inputId).ToArray() : null;
        if (row.IsCoinbase)
        {
            return new InputView(index, inputId, true, Hash256.Zero, uint.MaxValue, script, witness, row.Sequence, null, null, [], null, null, true);
        }

        if (row.Prev >= 0)
        {
            var spentTx = store.GetTx(store.TxOfOutput(row.Prev));
            var spent = Output(row.Prev, (int)(row.Prev - spentTx.FirstOutput));
            return new InputView(index, inputId, false, spentTx.TxId, (uint)spent.Index, script, witness, row.Sequence,
                spent.RequiredSignatures, spent.Type, spent.Addresses, spent.Value, spent.AddressId, true);
        }

        var ext = row.External!.Value;
        if (ext.Resolved == 0)
        {
            return new InputView(index, inputId, false, ext.TxId, ext.Vout, script, witness, row.Sequence, null, null, [], null, null, false);
        }

        // Spent output fetched from a node: its script is not kept, its address and type are.
        string type;
        IReadOnlyList<string> addresses;
        int? reqSigs;
        if (ext.AddressId == ExternalPrevout.NoAddress)
        {
            (type, addresses, reqSigs) = (ScriptTypeNames.CoreName(ext.Type), [], null);
        }
        else
        {
            var (kind, payload) = store.GetAddress(ext.AddressId);
            if (kind == AddressKind.WitnessUnknown && ScriptClassifier.BuildScript(kind, payload) is { } mweb && Network.IsMwebScript(mweb))
            {
                (reqSigs, type, addresses) = Describe(mweb);
            }
            else
            {
                var text = AddressCodec.Encode(Network, kind, payload);
                type = kind == AddressKind.Nonstandard ? "nonstandard" : ScriptTypeNames.CoreName(ext.Type);
                addresses = [text];
                reqSigs = kind is AddressKind.Nonstandard or AddressKind.Multisig ? null : 1;
            }
        }

        return new InputView(index, inputId, false, ext.TxId, ext.Vout, script, witness, row.Sequence, reqSigs, type, addresses, ext.Value,
            ext.AddressId == ExternalPrevout.NoAddress ? null : ext.AddressId, true);
    }

    public byte[] OutputScript(OutputRow row)
    {
        if (row.Type is ScriptType.PubKey or ScriptType.Multisig or ScriptType.Nonstandard or ScriptType.NullData)
        {
            return store.GetStoredOutputScript(row.Id).ToArray();
        }

        var (kind, payload) = store.GetAddress(row.AddressId);
        return ScriptClassifier.BuildScript(kind, payload)
            ?? throw new InvalidDataException($"output {row.Id}: script of kind {kind} cannot be rebuilt");
    }

    /// <summary>reqSigs, type and addresses as Bitcoin Core ≤ 0.21 printed them, with bitcoin-etl's nonstandard rewrite.</summary>
    public (int? RequiredSignatures, string Type, IReadOnlyList<string> Addresses) Describe(ReadOnlySpan<byte> script)
    {
        var type = ScriptClassifier.Classify(script, _payload, out _, out _, out var reqSigs);
        var addresses = AddressCodec.LegacyCoreAddresses(Network, script);
        if (addresses.Count == 0 || Network.IsMwebScript(script))
        {
            Span<byte> h = stackalloc byte[32];
            SHA256.HashData(script, h);
            return (null, "nonstandard", [AddressCodec.Encode(Network, AddressKind.Nonstandard, h)]);
        }

        // Core <= 0.21 reported reqSigs 1 for every single-address type, witness_unknown included
        return (type == ScriptType.WitnessUnknown ? 1 : reqSigs == 0 ? null : reqSigs, ScriptTypeNames.CoreName(type), addresses);
    }

}
