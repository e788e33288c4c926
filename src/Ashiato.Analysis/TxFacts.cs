using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis;

/// <summary>An input as the analysis sees it: the spent output's address id (or <see cref="ExternalPrevout.NoAddress"/>), value (-1 unknown),
/// type, and the spent output's id (-1 when it is not in the store).</summary>
public readonly record struct InputFact(uint Address, long Value, ScriptType Type, long SpentOutput = -1)
{
    public bool HasAddress => Address != ExternalPrevout.NoAddress;
}

/// <summary>An output: address id (or <see cref="ExternalPrevout.NoAddress"/>), value, type.</summary>
public readonly record struct OutputFact(uint Address, long Value, ScriptType Type)
{
    public bool HasAddress => Address != ExternalPrevout.NoAddress;
}

/// <summary>One transaction reduced to what heuristics and CoinJoin detectors read. Reused between transactions.</summary>
public sealed class TxFacts
{
    public long TxId { get; set; }

    public int Height { get; set; }

    public int Version { get; set; }

    public uint LockTime { get; set; }

    public bool IsCoinbase { get; set; }

    public List<InputFact> Inputs { get; } = [];

    public List<OutputFact> Outputs { get; } = [];

    /// <summary>Every input's value is known.</summary>
    public bool InputValuesKnown => Inputs.TrueForAll(i => i.Value >= 0);

    public static TxFacts Build(IEnumerable<InputFact> inputs, IEnumerable<OutputFact> outputs, long txId = 0)
    {
        var t = new TxFacts { TxId = txId };
        t.Inputs.AddRange(inputs);
        t.Outputs.AddRange(outputs);
        return t;
    }

    /// <summary>Reads transaction <paramref name="txId"/> of <paramref name="store"/> into <paramref name="facts"/>.</summary>
    public static void Read(UtxoChainStore store, long txId, int height, TxFacts facts)
    {
        var s = store.SegmentOfTx(txId);
        var local = txId - s.Info.TxBase;
        var meta = s.TxMeta(local);
        long inEnd, outEnd;
        if (local + 1 < s.Info.TxCount)
        {
            var next = s.TxMeta(local + 1);
            (inEnd, outEnd) = (next.InputLocal, next.OutputLocal);
        }
        else
        {
            (inEnd, outEnd) = (s.Info.InputCount, s.Info.OutputCount);
        }

        facts.TxId = txId;
        facts.Height = height;
        facts.Version = meta.Version;
        facts.LockTime = meta.LockTime;
        facts.IsCoinbase = (meta.Flags & TxFlags.Coinbase) != 0;
        facts.Inputs.Clear();
        facts.Outputs.Clear();
        for (long li = meta.InputLocal; li < inEnd; li++)
        {
            var prev = s.InPrev(li);
            if (prev >= 0)
            {
                var o = store.GetOutput(prev);
                facts.Inputs.Add(new InputFact(o.AddressId, o.Value, o.Type, prev));
            }
            else if (prev == PrevRef.External)
            {
                var ext = s.External(li)!.Value;
                facts.Inputs.Add(ext.Resolved != 0
                    ? new InputFact(ext.AddressId, ext.Value, ext.Type)
                    : new InputFact(ExternalPrevout.NoAddress, -1, ScriptType.Nonstandard));
            }
        }

        for (long lo = meta.OutputLocal; lo < outEnd; lo++)
        {
            facts.Outputs.Add(new OutputFact(s.OutAddress(lo), s.OutValue(lo), s.OutType(lo)));
        }
    }
}
