using Ashiato.Analysis.Entities;
using Ashiato.Intel;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>
/// <see cref="ITraceLabels"/> over the chain's cluster labels (<see cref="ClusterLabels"/>: tags read from meta.sqlite once,
/// clusters from the derived cluster files when the chain is clustered). A tagged address carries its own best tag's label
/// ("tag 'X' (source)"); any other member of a labelled cluster inherits the cluster's label, and <see cref="TraceLabel.Why"/>
/// names the tag, its address and the cluster. Look-ups are in memory (no SQLite on the trace's hot path) and cached.
/// </summary>
public sealed class ClusterTraceLabels : ITraceLabels
{
    private readonly ClusterLabels _labels;
    private readonly UtxoChainStore _chain;
    private readonly Dictionary<long, TraceLabel> _cache = [];

    public ClusterTraceLabels(UtxoChainStore chain, ClusterLabels labels)
    {
        _chain = chain;
        _labels = labels;
    }

    /// <summary>The labels of <paramref name="chain"/> from the store's meta.sqlite (labels.json rebuilt when stale).</summary>
    public static ClusterTraceLabels Open(UtxoChainStore chain, MetaDb meta) => new(chain, ClusterLabels.Open(chain, meta));

    public ClusterLabels Labels => _labels;

    /// <summary>True when cluster ids come from stored clusters (not single addresses).</summary>
    public bool Clustered => _labels.ClusterHeight is not null;

    public TraceLabel? Lookup(long addressId)
    {
        if (addressId < 0 || addressId > uint.MaxValue)
        {
            return null;
        }

        if (_cache.TryGetValue(addressId, out var cached))
        {
            return cached;
        }

        var a = (uint)addressId;
        TraceLabel? result = null;
        if (_labels.Lookup(a) is { } cl)
        {
            var l = cl.Label;
            var own = _labels.TagsOf(a);
            string why;
            if (own.Count > 0)
            {
                why = $"tag '{own[0].Tag.Label}' ({own[0].Tag.Source})";
            }
            else
            {
                var best = l.Best;
                why = $"cluster {cl.Cluster} ({cl.Size} addresses) holds tagged address {_chain.FormatAddress(best.Address)}: tag '{best.Tag.Label}' ({best.Tag.Source})";
            }

            if (cl.HasConflicts)
            {
                why += $"; {cl.Conflicts.Count} conflicting label(s)";
            }

            result = new TraceLabel(l.Entity ?? l.Name, l.Name, l.Category, l.Country, l.Actor, why, Clustered ? cl.Cluster : null);
        }

        // only labels are cached (their text is built once); an unlabelled address is one array read and one look-up in the
        // small map of labelled clusters each time, and caching it would grow the cache with every address a long-lived
        // tracer (the API, a report over many incidents) ever touched
        if (result is not null)
        {
            _cache[addressId] = result;
        }

        return result;
    }

    /// <summary>One bit test (<see cref="ClusterLabels.IsLabelled"/>), exactly when <see cref="Lookup"/> gives a label.</summary>
    public bool MayHaveLabel(long addressId) => addressId is >= 0 and <= uint.MaxValue && _labels.IsLabelled((uint)addressId);

    public IReadOnlyList<long> MembersOf(long cluster, long addressCount) =>
        !Clustered || cluster is < 0 or > uint.MaxValue ? [] : [.. _labels.Members((uint)cluster).Where(a => a < addressCount).Select(a => (long)a)];

    public long? ClusterOf(long addressId) =>
        Clustered && addressId is >= 0 and <= uint.MaxValue ? _labels.ClusterOf((uint)addressId) : null;
}
