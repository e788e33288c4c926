using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>
/// Traces value on one EVM chain over the stored transfers (native, internal, ERC-20, wrap/unwrap), per asset, forward
/// or backward, with the account-chain taint models of <see cref="TaintLedger"/> (balances replayed from each address's
/// postings in chain order). ERC-721/1155 transfers are not followed (a token id is no fungible amount). The store is
/// read only; one tracer may run several traces one after the other (not concurrently: the store's look-ups reuse a buffer).
/// </summary>
public sealed class EvmTracer : IChainTracer
{
    private readonly EvmTokenInfo _tokens;

    /// <param name="store">The chain, opened for reading (committed blocks are traced).</param>
    /// <param name="settings">Chain knowledge; null = <see cref="EvmTraceSettings.ForChain"/> of the store's chain.</param>
    /// <param name="labels">Attribution of address ids (stops at services, mixers and bridges); null = none.</param>
    /// <param name="valuer">Prices for the fiat values of edges; null = edges carry no fiat value.</param>
    public EvmTracer(EvmChainStore store, EvmTraceSettings? settings = null, ITraceLabels? labels = null, IValuer? valuer = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Settings = settings ?? EvmTraceSettings.ForChain(store.ChainName, store.ChainId);
        Labels = labels;
        Valuer = valuer;
        _tokens = new EvmTokenInfo(store);
    }

    public string Chain => Store.ChainName;

    public EvmChainStore Store { get; }

    public EvmTraceSettings Settings { get; }

    public ITraceLabels? Labels { get; }

    public IValuer? Valuer { get; }

    internal EvmTokenInfo Tokens => _tokens;

    public TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        if (seeds.Count == 0)
        {
            throw new UserErrorException("a trace needs at least one seed");
        }

        for (var i = 0; i < seeds.Count; i++)
        {
            if (seeds[i].Chain != Chain)
            {
                throw new UserErrorException($"seed {i + 1} ({seeds[i].Kind} {seeds[i].Value}) is on chain '{seeds[i].Chain}', this tracer follows '{Chain}'");
            }
        }

        if (options.MaxHops < 0 || options.MaxEdges <= 0)
        {
            throw new UserErrorException($"max hops must be ≥ 0 and max edges > 0 (got {options.MaxHops}, {options.MaxEdges})");
        }

        var run = new EvmTraceRun(this, options, cancellationToken);
        return run.Execute(seeds);
    }
}
