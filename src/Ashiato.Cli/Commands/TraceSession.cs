using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.CrossChain;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Intel;
using Ashiato.Intel.Prices;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Cli.Commands;

/// <summary>
/// Every chain of a store opened for tracing at once: a UTXO tracer per Bitcoin-family chain (cluster labels), an EVM tracer
/// per EVM chain (tag and deposit-address labels; bridge tokens from tags), the price book, and a bridge pairer for each
/// bridge the tags describe on both sides (category <c>bridge</c>: custody addresses on a UTXO chain, the bridge's token
/// contract on an EVM chain, same actor), pairing deposits with mints and burns with releases. <see cref="Run"/> follows bridges from one chain to the other.
/// </summary>
public sealed class TraceSession : IDisposable
{
    private readonly List<IDisposable> _open = [];
    private readonly Dictionary<string, IChainTracer> _tracers = new(StringComparer.Ordinal);
    private readonly List<IBridgePairer> _pairers = [];
    private readonly Dictionary<string, UtxoChainStore> _utxo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvmChainStore> _evm = new(StringComparer.Ordinal);

    public TraceSession(StoreDirectory store, Action<string>? progress = null)
    {
        var book = PriceBook.Load(store.Meta);
        Valuer = book.Pairs.Count > 0 ? book : null;
        var tags = new TagStore(store.Meta);
        var allTags = tags.List(new TagQuery(IncludeDelisted: false, Limit: 0));
        var utxoChains = new List<string>();
        foreach (var name in store.Chains())
        {
            if (store.ChainFamily(name) is { } family && family != "utxo")
            {
                var evm = store.OpenEvmChain(name, null, writer: false);
                _open.Add(evm);
                _evm[name] = evm;
                var bridgeTokens = new Dictionary<EvmAddress, string>();
                foreach (var t in allTags.Where(t => TraceCategories.IsBridge(t.Category) && t.Network == "evm"))
                {
                    if (EvmAddress.TryParse(t.Address, out var a) && evm.IsKnownAsset(a))
                    {
                        bridgeTokens[a] = t.Actor ?? t.Label;
                    }
                }

                var settings = EvmTraceSettings.ForChain(name, evm.ChainId) with { BridgeTokens = bridgeTokens };
                _tracers[name] = new EvmTracer(evm, settings, new EvmTraceLabels(evm, tags), Valuer);
                foreach (var (token, actor) in bridgeTokens)
                {
                    Bridges.Add((actor, name, token.ToString(), evm));
                }
            }
            else
            {
                var utxo = store.OpenUtxoChain(name, null, create: false);
                _open.Add(utxo);
                _utxo[name] = utxo;
                Labels[name] = ClusterTraceLabels.Open(utxo, store.Meta);
                _tracers[name] = new UtxoTracer(utxo, Labels[name], Valuer, progress: progress);
                utxoChains.Add(name);
            }
        }

        foreach (var (actor, evmChain, token, evm) in Bridges)
        {
            var custody = allTags.Where(t => TraceCategories.IsBridge(t.Category) && t.Network != "evm" && (t.Actor ?? t.Label) == actor)
                .Select(t => t.Address).ToHashSet(StringComparer.Ordinal);
            if (custody.Count == 0)
            {
                continue;
            }

            foreach (var utxo in utxoChains)
            {
                _pairers.Add(new MintingBridgePairer(new MintingBridge(actor, utxo, custody, evmChain, token), evm, _utxo[utxo]));
            }
        }
    }

    public IValuer? Valuer { get; }

    /// <summary>Bridges found in the tags: (actor, EVM chain, token contract, its store).</summary>
    public List<(string Actor, string EvmChain, string Token, EvmChainStore Evm)> Bridges { get; } = [];

    public Dictionary<string, ClusterTraceLabels> Labels { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Chains => _tracers.Keys;

    public int BridgePairers => _pairers.Count;

    /// <summary>
    /// Address seeds for the tagged addresses that have activity on a chain of the session (an address valid for the chain's
    /// network and in its store), ordered by chain and address; each seed's Why names the tag's source.
    /// </summary>
    public List<TraceSeed> AddressSeeds(IEnumerable<TagRow> tags)
    {
        var seeds = new SortedDictionary<(string Chain, string Address), TraceSeed>();
        foreach (var t in tags)
        {
            foreach (var (name, utxo) in _utxo)
            {
                if (AddressCodec.TryParse(utxo.Network, t.Address, out var kind, out var payload) && utxo.FindAddress(kind, payload) >= 0)
                {
                    seeds.TryAdd((name, t.Address), new TraceSeed(name, TraceSeedKind.Address, t.Address) { Why = $"tag '{t.Label}' from {t.Source}" });
                }
            }

            foreach (var (name, evm) in _evm)
            {
                if (EvmAddress.TryParse(t.Address, out var a) && evm.FindAddress(a) >= 0)
                {
                    seeds.TryAdd((name, a.ToString()), new TraceSeed(name, TraceSeedKind.Address, a.ToString()) { Why = $"tag '{t.Label}' from {t.Source}" });
                }
            }
        }

        return [.. seeds.Values];
    }

    /// <summary>Traces the seeds; a seed on an unknown chain is a user error naming it.</summary>
    public TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken ct = default)
    {
        foreach (var s in seeds)
        {
            if (!_tracers.ContainsKey(s.Chain))
            {
                throw new UserErrorException($"no chain '{s.Chain}' in this store (chains: {string.Join(", ", _tracers.Keys)})");
            }
        }

        return options.FollowBridges && _pairers.Count > 0
            ? new CrossChainTracer(_tracers.Values, _pairers).Run(seeds, options, ct)
            : new CrossChainTracer(_tracers.Values.Where(t => seeds.Any(s => s.Chain == t.Chain))).Run(seeds, options, ct);
    }

    public void Dispose()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }
    }
}
