using Ashiato.Analysis.Evm;
using Ashiato.Intel;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// Attribution of an EVM chain's addresses for the tracers: direct tags (active, EVM network; the best tag of an address by
/// confidence, then source and label) and, when the chain was clustered (<c>ashiato cluster --chain</c>), the exchange of a
/// detected deposit address (its Why names the hot wallet it forwards to). Loaded once; look-ups are dictionary reads.
/// </summary>
public sealed class EvmTraceLabels : ITraceLabels
{
    private readonly Dictionary<long, TraceLabel> _labels = [];
    private readonly EvmClusterView? _clusters;

    public EvmTraceLabels(EvmChainStore chain, TagStore tags)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(tags);
        var entities = tags.Entities().ToList();
        var countries = entities.Where(e => e.Country is not null).ToDictionary(e => e.Id, e => e.Country!, StringComparer.Ordinal);
        var registry = entities.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);

        // The same party under the same key on every chain: a Bitcoin-family label names an actor by its registry id
        // (actor:ID), so an EVM tag's entity that is an actor of the registry is named that way too.
        string Key(string entity) => !registry.Contains(entity) && registry.Contains("actor:" + entity) ? "actor:" + entity : entity;
        foreach (var t in EvmTag.Load(tags).OrderByDescending(t => t.Confidence))
        {
            var id = chain.FindAddress(t.Address);
            if (id < 0 || _labels.ContainsKey(id))
            {
                continue;
            }

            _labels[id] = new TraceLabel(Key(t.Entity), t.Label, t.Category, Country(countries, t.Entity), t.Actor,
                $"tag '{t.Label}' ({t.Category ?? "no category"}) from {t.Source} on {t.Address}");
        }

        _clusters = EvmClusterView.Open(chain.Directory);
        if (_clusters is null)
        {
            return;
        }

        foreach (var d in _clusters.Deposits)
        {
            if (_labels.ContainsKey(d.Address) || d.Exchange >= _clusters.Meta.Exchanges.Count)
            {
                continue;
            }

            var exchange = _clusters.Meta.Exchanges[(int)d.Exchange];
            var hot = exchange.HotWallets.FirstOrDefault(h => h.AddressId == d.HotWallet) ?? exchange.HotWallets.FirstOrDefault();
            _labels[d.Address] = new TraceLabel(Key(exchange.Entity), exchange.Entity + " deposit address", "exchange", Country(countries, exchange.Entity), null,
                $"deposit-address heuristic: forwards to hot wallet {hot?.Address ?? "?"} ({hot?.Label ?? "tagged"}; {d.Forwards} forward(s))",
                _clusters.Covers(d.Address) ? _clusters.ClusterOf(d.Address) : null);
        }
    }

    public int Count => _labels.Count;

    /// <summary>The registry's country of an entity named by id or by actor id (registry ids of actors are <c>actor:ID</c>).</summary>
    private static string? Country(Dictionary<string, string> countries, string entity) =>
        countries.GetValueOrDefault(entity) ?? countries.GetValueOrDefault("actor:" + entity);

    public TraceLabel? Lookup(long addressId) => _labels.GetValueOrDefault(addressId);

    public long? ClusterOf(long addressId) => _clusters is not null && _clusters.Covers(addressId) ? _clusters.ClusterOf(addressId) : null;

    public IReadOnlyList<long> MembersOf(long cluster, long addressCount) =>
        _clusters is null || cluster is < 0 or > uint.MaxValue ? [] : [.. _clusters.Members((uint)cluster).Where(a => a < addressCount).Select(a => (long)a)];
}
