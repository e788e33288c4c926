using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Ingest.Bitcoin;

/// <summary>Spent outputs fetched from elsewhere (a node) for inputs whose history is not in the store.</summary>
public interface IPrevoutSource
{
    /// <summary>Looks up outpoints; returns only those found. Must not guess.</summary>
    Task<IReadOnlyDictionary<(Hash256 TxId, uint Vout), ExternalOutput>> FetchAsync(
        IReadOnlyCollection<(Hash256 TxId, uint Vout)> outpoints, CancellationToken ct);
}

/// <summary>A spent output as a node reports it: value and scriptPubKey.</summary>
public sealed record ExternalOutput(long Value, byte[] Script);

/// <summary>
/// Maps a parsed block into store rows: classifies every output script, resolves every input against the
/// store (and the block itself), and records inputs whose spent output is not in the store as external —
/// resolved through a node when one is given, otherwise unresolved. Never guesses.
/// </summary>
public sealed class BlockWriter(Network network)
{
    private readonly byte[] _payload = new byte[ScriptClassifier.MaxPayload];
    private readonly List<(Hash256, uint)> _missing = [];
    private readonly HashSet<Hash256> _blockTxids = [];

    public long UnresolvedInputs { get; private set; }

    public long NodeResolvedInputs { get; private set; }

    /// <summary>Adds one block to the batch. Prevouts missing from the store are fetched from <paramref name="prevouts"/> if given.</summary>
    public async ValueTask WriteAsync(WriteBatch batch, ParsedBlock block, IPrevoutSource? prevouts, CancellationToken ct)
    {
        IReadOnlyDictionary<(Hash256 TxId, uint Vout), ExternalOutput>? fetched = null;
        if (prevouts is not null && NeedsLookup(batch, block))
        {
            fetched = await prevouts.FetchAsync(_missing, ct).ConfigureAwait(false);
        }

        Write(batch, block, fetched);
    }

    /// <summary>Finds inputs whose outpoint is neither in the store nor earlier in this block.</summary>
    private bool NeedsLookup(WriteBatch batch, ParsedBlock block)
    {
        _missing.Clear();
        _blockTxids.Clear();
        var any = false;
        for (var t = 0; t < block.TxCount; t++)
        {
            ref readonly var tx = ref block.Txs[t];
            if (!tx.IsCoinbase(block))
            {
                for (var i = 0; i < tx.InputCount; i++)
                {
                    ref readonly var input = ref block.Inputs[tx.FirstInput + i];
                    if (_blockTxids.Contains(input.PrevTxId))
                    {
                        continue;
                    }

                    if (!batch.TryResolve(input.PrevTxId, input.PrevIndex, out _))
                    {
                        _missing.Add((input.PrevTxId, input.PrevIndex));
                        any = true;
                    }
                }
            }

            _blockTxids.Add(tx.TxId);
        }

        return any;
    }

    /// <summary>Classifies a script; Litecoin's MWEB peg-in and HogAddr scripts are kept as nonstandard (no address), as Litecoin Core shows them.</summary>
    private ScriptType Classify(ReadOnlySpan<byte> script, out int payloadLength, out AddressKind kind)
    {
        var type = ScriptClassifier.Classify(script, _payload, out payloadLength, out kind, out _);
        if (type == ScriptType.WitnessUnknown && network.IsMwebScript(script))
        {
            System.Security.Cryptography.SHA256.HashData(script, _payload);
            payloadLength = 32;
            kind = AddressKind.Nonstandard;
            type = ScriptType.Nonstandard;
        }

        return type;
    }

    private void Write(WriteBatch batch, ParsedBlock block, IReadOnlyDictionary<(Hash256 TxId, uint Vout), ExternalOutput>? fetched)
    {
        var raw = block.Raw.Span;
        batch.BeginBlock(block.Hash, block.Header, block.Size, block.StrippedSize, block.MwebExtensionLength);
        for (var t = 0; t < block.TxCount; t++)
        {
            ref readonly var tx = ref block.Txs[t];
            var coinbase = tx.IsCoinbase(block);
            var flags = (coinbase ? TxFlags.Coinbase : TxFlags.None) | (tx.HasWitness ? TxFlags.Witness : TxFlags.None)
                | (tx.IsHogEx ? TxFlags.HogEx : TxFlags.None);
            batch.BeginTx(tx.TxId, tx.Version, tx.LockTime, tx.Size, tx.StrippedSize, flags);
            for (var i = 0; i < tx.InputCount; i++)
            {
                ref readonly var input = ref block.Inputs[tx.FirstInput + i];
                var script = raw.Slice(input.ScriptOffset, input.ScriptLength);
                var witness = raw.Slice(input.WitnessOffset, input.WitnessLength);
                if (coinbase)
                {
                    batch.AddCoinbaseInput(script, input.Sequence, witness);
                }
                else if (batch.TryResolve(input.PrevTxId, input.PrevIndex, out var prevout))
                {
                    batch.AddInput(prevout, script, input.Sequence, witness);
                }
                else if (fetched is not null && fetched.TryGetValue((input.PrevTxId, input.PrevIndex), out var ext))
                {
                    var type = Classify(ext.Script, out var len, out var kind);
                    batch.AddExternalInput(input.PrevTxId, input.PrevIndex, true, ext.Value, type, kind, _payload.AsSpan(0, len),
                        script, input.Sequence, witness);
                    NodeResolvedInputs++;
                }
                else
                {
                    batch.AddExternalInput(input.PrevTxId, input.PrevIndex, false, -1, ScriptType.Nonstandard, AddressKind.None, [],
                        script, input.Sequence, witness);
                    UnresolvedInputs++;
                }
            }

            for (var o = 0; o < tx.OutputCount; o++)
            {
                ref readonly var output = ref block.Outputs[tx.FirstOutput + o];
                var script = raw.Slice(output.ScriptOffset, output.ScriptLength);
                var type = Classify(script, out var len, out var kind);
                batch.AddOutput(output.Value, type, kind, _payload.AsSpan(0, len), script);
            }

            batch.EndTx();
        }

        batch.EndBlock();
    }
}
