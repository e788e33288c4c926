using System.Diagnostics;
using System.Globalization;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>One trace: seeds resolved to transfers, the forward or backward walk, nodes, edges and the summary.</summary>
internal sealed partial class EvmTraceRun
{
    private const int NativeDecimals = 18;

    private readonly EvmTracer _tracer;
    private readonly EvmChainStore _store;
    private readonly TraceOptions _options;
    private readonly CancellationToken _ct;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TraceEdge> _edges = [];
    private readonly SortedDictionary<string, TraceNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly TraceSummaryBuilder _summary = new();
    private readonly Dictionary<long, long> _postingCounts = [];
    private readonly List<StoredTransfer> _txLegs = [];
    private (long Height, long TxId) _txLegsOf = (-1, -1);
    private long _visited;
    private long _budgetChecks;
    private string? _stopRule;
    private string? _stopReason;

    public EvmTraceRun(EvmTracer tracer, TraceOptions options, CancellationToken ct)
    {
        _tracer = tracer;
        _store = tracer.Store;
        _options = options;
        _ct = ct;
    }

    private string Chain => _tracer.Chain;

    private EvmTraceSettings Settings => _tracer.Settings;

    public TraceResult Execute(IReadOnlyList<TraceSeed> seeds)
    {
        var resolved = seeds.SelectMany((s, i) => s.Kind == TraceSeedKind.Cluster ? ResolveCluster(s, i + 1) : [Resolve(s, i + 1)]).ToList();
        if (_options.Direction == TraceDirection.Forward)
        {
            Forward(resolved);
        }
        else
        {
            Backward(resolved);
        }

        var nodes = _nodes.Values.ToList();
        return new TraceResult(seeds, _options, nodes, _edges, _summary.Build(nodes, _edges, _options.Direction), _stopRule is not null, _stopReason, _warnings, _visited);
    }

    // ---------------------------------------------------------------- seeds

    /// <summary>
    /// A seed resolved to transfers (transaction, transfer) or to accounts (address: every asset it holds unless one is
    /// named). <see cref="Cluster"/>: the members of the cluster an address seed belongs to — the cluster is seeded as one
    /// account, so inflows from another member (a sweep from a deposit address to the hot wallet) are not seeds.
    /// </summary>
    private sealed record ResolvedSeed(TraceSeed Seed, int Number, List<StoredTransfer> Transfers, long AddressId, List<long> Assets)
    {
        public IReadOnlySet<long>? Cluster { get; init; }

        /// <summary>Whether an inflow of this address seed from <paramref name="sender"/> is seeded (not from another member of its cluster).</summary>
        public bool SeedsFrom(long sender) => Cluster is null || !Cluster.Contains(sender);
    }

    private ResolvedSeed Resolve(TraceSeed seed, int number)
    {
        var where = $"seed {number} ({seed.Kind} '{seed.Value}'{(seed.Why is { } why ? "; " + why : "")})";
        long? assetFilter = null;
        if (seed.Asset is { } asset)
        {
            if (!EvmAddress.TryParse(asset, out var token))
            {
                throw new UserErrorException($"{where}: asset '{asset}' is not a token contract address (0x + 40 hex digits; null = the native coin)");
            }

            var id = _store.FindAddress(token);
            if (id < 0 || !_store.IsKnownAsset(id))
            {
                throw new UserErrorException($"{where}: asset {asset} is no token of chain '{Chain}'");
            }

            assetFilter = id;
        }
        else if (seed.Amount is not null)
        {
            assetFilter = -1; // an amount without an asset is in the native coin
        }

        switch (seed.Kind)
        {
            case TraceSeedKind.Address:
            {
                if (!EvmAddress.TryParse(seed.Value, out var address))
                {
                    var bitcoin = Chains.Bitcoin.Network.All.FirstOrDefault(n => Chains.Bitcoin.Scripts.AddressCodec.TryParse(n, seed.Value, out _, out _));
                    throw new UserErrorException(bitcoin is not null
                        ? $"{where}: a {bitcoin.Name} address; chain '{Chain}' is an EVM chain (0x + 40 hex digits): trace it on a Bitcoin-family chain"
                        : $"{where}: not an EVM address (0x + 40 hex digits)");
                }

                var id = _store.FindAddress(address);
                if (id < 0 || id >= _store.AddressCount)
                {
                    throw new UserErrorException($"{where}: address is not on chain '{Chain}' (no committed transfer touches it)");
                }

                var assets = assetFilter is { } a ? [a] : AssetsOf(id);
                return new ResolvedSeed(seed, number, [], id, assets);
            }

            case TraceSeedKind.Transaction:
            {
                var transfers = TxTransfers(ParseTx(seed.Value, where), where)
                    .Where(t => !IsFee(t.Kind) && !IsNft(t.Kind) && (assetFilter is null || t.AssetId == assetFilter)).ToList();
                if (transfers.Count == 0)
                {
                    throw new UserErrorException($"{where}: the transaction moves no fungible value{(assetFilter is null ? "" : " in that asset")} (failed, or fees only)");
                }

                return new ResolvedSeed(seed, number, transfers, -1, []);
            }

            case TraceSeedKind.Output:
            {
                var colon = seed.Value.LastIndexOf(':');
                if (colon < 0 || !int.TryParse(seed.Value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
                {
                    throw new UserErrorException($"{where}: a transfer is 'txhash:position' (position = the transfer's position in its block)");
                }

                // Position is not unique within a transaction: fees use 1 and 2, internal value its trace ordinal, tokens
                // their log index (see EvmTransferExtractor). Fees are never seeds; the asset decides between the rest.
                var atPosition = TxTransfers(ParseTx(seed.Value[..colon], where), where)
                    .Where(t => t.Position == position && !IsFee(t.Kind)).ToList();
                if (atPosition.Count == 0)
                {
                    throw new UserErrorException($"{where}: the transaction has no transfer at position {position}");
                }

                var transfer = assetFilter is { } f ? atPosition.Where(t => t.AssetId == f).ToList() : atPosition;
                if (transfer.Count == 0)
                {
                    throw new UserErrorException($"{where}: the transfer's asset is {AssetName(atPosition[0].AssetId)}, not {seed.Asset ?? Settings.NativeSymbol}");
                }

                if (transfer.Select(t => t.AssetId).Distinct().Count() > 1)
                {
                    throw new UserErrorException($"{where}: position {position} names transfers of several assets ({string.Join(", ", transfer.Select(t => AssetName(t.AssetId)).Distinct())}); choose one with --asset");
                }

                if (IsNft(transfer[0].Kind))
                {
                    throw new UserErrorException($"{where}: ERC-721/1155 transfers are not traced (token ids are not fungible amounts)");
                }

                return new ResolvedSeed(seed, number, transfer, -1, []);
            }

            default:
                throw new UserErrorException($"{where}: unknown seed kind {seed.Kind}");
        }
    }

    /// <summary>
    /// A cluster seed (its id = the smallest member's address id, or a member address): the cluster as one account — one
    /// address seed per member (every asset it holds unless the seed names one) whose inflows from other members are not
    /// seeded (they move value the cluster already holds; the trace follows them). Needs the chain's clusters
    /// (<c>ashiato cluster --chain</c>).
    /// </summary>
    private IEnumerable<ResolvedSeed> ResolveCluster(TraceSeed seed, int number)
    {
        var where = $"seed {number} (Cluster '{seed.Value}'{(seed.Why is { } why ? "; " + why : "")})";
        var labels = _tracer.Labels;
        if (labels is null || _store.AddressCount == 0 || labels.ClusterOf(0) is null)
        {
            throw new UserErrorException($"{where}: chain '{Chain}' has no clusters: run 'ashiato cluster --chain {Chain}' first");
        }

        if (seed.Amount is not null)
        {
            throw new UserErrorException($"{where}: an amount names part of one transfer or address, not of a cluster; seed a member address instead");
        }

        long cluster;
        if (long.TryParse(seed.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            if (id >= _store.AddressCount || labels.ClusterOf(id) != id)
            {
                throw new UserErrorException($"{where}: not a cluster id of chain '{Chain}' (a cluster id is its smallest member's address id)");
            }

            cluster = id;
        }
        else if (EvmAddress.TryParse(seed.Value, out var address) && _store.FindAddress(address) is var member and >= 0 && member < _store.AddressCount)
        {
            cluster = labels.ClusterOf(member) ?? throw new UserErrorException($"{where}: address {address} has no cluster (clustered before it was ingested?)");
        }
        else
        {
            throw new UserErrorException($"{where}: neither a cluster id nor an address of chain '{Chain}'");
        }

        var ids = labels.MembersOf(cluster, _store.AddressCount);

        var set = ids.ToHashSet();
        var members = new List<ResolvedSeed>();
        foreach (var a in ids)
        {
            var addressSeed = seed with { Kind = TraceSeedKind.Address, Value = _store.Address(a).ToString() };
            members.Add(Resolve(addressSeed, number) with { Cluster = set });
        }

        return members;
    }

    private long ParseTx(string text, string where)
    {
        if (!EvmHash.TryParse(text, out var hash))
        {
            throw new UserErrorException($"{where}: '{text}' is not a transaction hash (0x + 64 hex digits)");
        }

        var id = _store.FindTransaction(hash);
        if (id < 0)
        {
            throw new UserErrorException($"{where}: transaction {hash} is not on chain '{Chain}'");
        }

        return id;
    }

    private List<StoredTransfer> TxTransfers(long txId, string where)
    {
        var (height, _) = _store.TransactionLocation(txId);
        if (height > (_store.TipHeight ?? -1))
        {
            throw new UserErrorException($"{where}: its block {height} is not committed yet");
        }

        return BlockTransfers(height).Where(t => t.TxId == txId).ToList();
    }

    /// <summary>
    /// The transfers of <paramref name="t"/>'s transaction in block order. The last transaction's are kept (the walk asks
    /// for one transaction's legs several times in a row: swap leg, NFTs bought, price, sale proceeds); the list is valid
    /// until the next call for another transaction.
    /// </summary>
    private List<StoredTransfer> TxLegs(in StoredTransfer t)
    {
        if (_txLegsOf != (t.Height, t.TxId))
        {
            _txLegs.Clear();
            foreach (var x in BlockTransfers(t.Height))
            {
                if (x.TxId == t.TxId)
                {
                    _txLegs.Add(x);
                }
            }

            _txLegsOf = (t.Height, t.TxId);
        }

        return _txLegs;
    }

    private IEnumerable<StoredTransfer> BlockTransfers(long height)
    {
        var (first, count) = _store.BlockTransfers(height);
        for (var i = 0; i < count; i++)
        {
            yield return _store.Transfer(first + i);
        }
    }

    /// <summary>Every fungible asset an address has a posting in, native first, then by id.</summary>
    private List<long> AssetsOf(long addressId)
    {
        var set = new SortedSet<long>();
        foreach (var (id, _) in _store.Postings(addressId))
        {
            var t = _store.Transfer(id);
            if (!IsNft(t.Kind))
            {
                set.Add(t.AssetId);
            }
        }

        return set.ToList();
    }

    // ---------------------------------------------------------------- rules

    private static bool IsFee(EvmTransferKind kind) => kind is EvmTransferKind.FeeBurnt or EvmTransferKind.FeeTip;

    private static bool IsNft(EvmTransferKind kind) => kind is EvmTransferKind.Erc721 or EvmTransferKind.Erc1155;

    /// <summary>Who receives value on the chain's books: the recipient, or the wrapper contract for an unwrap.</summary>
    private static long EffectiveTo(in StoredTransfer t) => t.ToId >= 0 ? t.ToId : t.Kind == EvmTransferKind.Unwrap ? t.AssetId : -1;

    /// <summary>Who pays: the sender, or the wrapper contract for a wrap.</summary>
    private static long EffectiveFrom(in StoredTransfer t) => t.FromId >= 0 ? t.FromId : t.Kind == EvmTransferKind.Wrap ? t.AssetId : -1;

    /// <summary>
    /// The other leg of a swap in the same transaction: forward, <paramref name="t"/> pays asset A from P to Q and the leg
    /// pays asset B ≠ A from Q back to P; backward, <paramref name="t"/> is the leg back and the result is the payment.
    /// Wrap and unwrap are swaps with the wrapper contract. Null when there is none.
    /// </summary>
    private StoredTransfer? SwapLeg(in StoredTransfer t, bool forward)
    {
        if (t.IsBlockLevel || IsFee(t.Kind))
        {
            return null;
        }

        var party = forward ? t.FromId : t.ToId;
        var counter = forward ? EffectiveTo(t) : EffectiveFrom(t);
        if (party < 0 || counter < 0 || party == counter)
        {
            return null;
        }

        foreach (var leg in TxLegs(t))
        {
            if (leg.Id == t.Id || leg.AssetId == t.AssetId || IsFee(leg.Kind) || IsNft(leg.Kind))
            {
                continue;
            }

            if (forward ? EffectiveFrom(leg) == counter && leg.ToId == party : leg.FromId == party && EffectiveTo(leg) == counter)
            {
                return leg;
            }
        }

        return null;
    }

    /// <summary>Postings of an address (committed), counted once per trace.</summary>
    private long PostingCount(long addressId)
    {
        if (_postingCounts.TryGetValue(addressId, out var n))
        {
            return n;
        }

        n = 0;
        foreach (var s in _store.Segments)
        {
            if (addressId < s.Info.AddressBase + s.Info.AddressCount)
            {
                n += s.Postings((uint)addressId).Count;
            }
        }

        _postingCounts[addressId] = n;
        return n;
    }

    /// <summary>
    /// The rule for tainted value entering (forward) or coming from (backward) <paramref name="addressId"/> by transfer
    /// <paramref name="t"/>: null = follow. Order: time window, max hops, minimum value, mixers, services, bridges, the
    /// high-degree guard.
    /// </summary>
    private (string Rule, string? Detail)? StopRule(in StoredTransfer t, long addressId, int hop, UInt256 tainted, IReadOnlyList<FiatValue> values)
    {
        var time = Time(t.Height);
        if ((_options.From is { } from && time < from) || (_options.To is { } to && time > to))
        {
            return (TraceRules.StopTimeWindow, $"block time {Iso(time)} outside the window");
        }

        if (hop > _options.MaxHops)
        {
            return (TraceRules.StopMaxHops, $"hop {hop} > max {_options.MaxHops}");
        }

        if (tainted < _options.MinAmount)
        {
            return (TraceRules.StopMinValue, $"tainted {tainted} < min {_options.MinAmount}");
        }

        if (_options.MinFiat is { } minFiat && values.Count > 0 && values[0].Fiat == _options.Fiats[0] && values[0].Amount < minFiat)
        {
            return (TraceRules.StopMinValue, $"{values[0].Amount} {values[0].Fiat} < min {minFiat}");
        }

        if (addressId < 0)
        {
            return null;
        }

        var label = _tracer.Labels?.Lookup(addressId);
        var address = _store.Address(addressId);
        var isMixer = Settings.Mixers.Contains(address) || TraceCategories.IsMixer(label?.Category);
        if (isMixer)
        {
            if (_options.StopAtMixers)
            {
                return (TraceRules.MixerStop, $"mixer {label?.Entity ?? address.ToString()}");
            }

            Warn($"taint passes mixer {label?.Entity ?? address.ToString()} (mixers not stopped)");
        }

        if (label?.Category is { } category && _options.StopCategories.Contains(category))
        {
            return (TraceRules.StopService, $"{category} {label.Entity} ({label.Why})");
        }

        if (_options.FollowBridges && TraceCategories.IsBridge(label?.Category))
        {
            return (TraceRules.BridgeFollow, $"bridge {label!.Entity}: continues on the other chain when the cross-chain tracer pairs it");
        }

        if (label is null && Settings.MaxPostingsPerAddress > 0 && PostingCount(addressId) > Settings.MaxPostingsPerAddress)
        {
            return (TraceRules.StopHighDegree, $"{PostingCount(addressId)} postings > limit {Settings.MaxPostingsPerAddress}");
        }

        return null;
    }

    /// <summary>True (and the result marked partial) when the edge limit, the time budget or cancellation stops the walk.</summary>
    private bool OutOfBudget()
    {
        _ct.ThrowIfCancellationRequested();
        if (_stopRule is not null)
        {
            return true;
        }

        if (_edges.Count >= _options.MaxEdges)
        {
            _stopRule = TraceRules.StopMaxEdges;
            _stopReason = $"max edges ({_options.MaxEdges}) reached";
        }
        else if (_options.TimeBudget is { } budget && (++_budgetChecks & 63) == 1 && _clock.Elapsed > budget)
        {
            _stopRule = TraceRules.StopBudget;
            _stopReason = $"time budget ({budget}) exceeded after {_visited} transfers";
        }

        return _stopRule is not null;
    }

    private void Warn(string text)
    {
        if (_warnings.Count < 100 && !_warnings.Contains(text))
        {
            _warnings.Add(text);
        }
    }

    // ---------------------------------------------------------------- nodes, edges, values

    private DateTimeOffset Time(long height) => DateTimeOffset.FromUnixTimeSeconds(_store.Timestamp(height));

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public string AssetName(long assetId) => assetId < 0 ? Settings.NativeSymbol : _store.Address(assetId).ToString();

    private string NodeId(long addressId, string pseudo)
    {
        if (addressId < 0)
        {
            var id = $"{Chain}:{pseudo}";
            _nodes.TryAdd(id, new TraceNode(id, Chain, pseudo, null, null));
            return id;
        }

        var address = _store.Address(addressId).ToString();
        var nodeId = $"{Chain}:{address}";
        if (!_nodes.ContainsKey(nodeId))
        {
            _nodes[nodeId] = new TraceNode(nodeId, Chain, address, _tracer.Labels?.ClusterOf(addressId), _tracer.Labels?.Lookup(addressId));
        }

        return nodeId;
    }

    private (string Tx, string? Ref) TxRef(in StoredTransfer t)
    {
        if (t.IsBlockLevel)
        {
            return ($"block:{t.Height}", $"block:{t.Height}:{t.Position}");
        }

        var hash = _store.TransactionHash(t.TxId).ToString();
        return (hash, $"{hash}:{t.Position}");
    }

    /// <summary>The tainted part valued in every requested fiat at the block time (no entry where no price is known).</summary>
    private IReadOnlyList<FiatValue> Values(long assetId, UInt256 tainted, DateTimeOffset time)
    {
        if (_tracer.Valuer is null || tainted.IsZero)
        {
            return [];
        }

        string ticker;
        int decimals;
        if (assetId < 0)
        {
            (ticker, decimals) = (Settings.NativeSymbol, NativeDecimals);
        }
        else
        {
            var meta = _tracer.Tokens.Get(assetId);
            if (meta.Symbol is null || meta.Decimals is null)
            {
                return [];
            }

            ticker = Settings.Pegs.TryGetValue(meta.Symbol, out var peg) ? peg : meta.Symbol;
            decimals = meta.Decimals.Value;
        }

        var list = new List<FiatValue>();
        foreach (var fiat in _options.Fiats)
        {
            if (_tracer.Valuer.Value(ticker, tainted.ToBigInteger(), decimals, time, fiat) is { } v)
            {
                list.Add(v);
            }
        }

        return list;
    }

    /// <summary>
    /// The edge of transfer <paramref name="t"/>. An NFT's edge names it with <paramref name="assetName"/> and carries
    /// <paramref name="amount"/> and its values in <paramref name="valueAsset"/> (the asset that bought it).
    /// </summary>
    private void Emit(in StoredTransfer t, long from, long to, int hop, UInt256 tainted, string rule, string? detail, IReadOnlyList<FiatValue>? values = null,
        string? assetName = null, UInt256? amount = null, long? valueAsset = null)
    {
        var (tx, reference) = TxRef(t);
        var time = Time(t.Height);
        var flow = amount ?? t.Amount;
        _edges.Add(new TraceEdge(
            _edges.Count + 1,
            Chain,
            tx,
            reference,
            hop,
            NodeId(from, from == t.FromId && t.FromId < 0 ? "(minted)" : "(unknown)"),
            NodeId(to, "(burnt)"),
            assetName ?? AssetName(t.AssetId),
            flow,
            tainted,
            TraceSummaryBuilder.Ratio(tainted, flow),
            time,
            rule,
            detail,
            values ?? Values(valueAsset ?? t.AssetId, tainted, time)));
    }

    /// <summary>
    /// An edge that is no transfer: taint held at the end, cut by a limit, or of unknown origin. <paramref name="assetName"/>
    /// names an NFT held (its amounts and values are in <paramref name="assetId"/>, the asset that bought it).
    /// </summary>
    private void EmitHeld(long addressId, long assetId, int hop, UInt256 balance, UInt256 tainted, long height, string rule, string detail, bool origin = false,
        string? assetName = null)
    {
        var time = Time(height);
        var node = NodeId(addressId, "(unknown)");
        _edges.Add(new TraceEdge(
            _edges.Count + 1,
            Chain,
            "",
            null,
            hop,
            origin ? NodeId(-1, "(unknown)") : node,
            node,
            assetName ?? AssetName(assetId),
            balance,
            tainted,
            TraceSummaryBuilder.Ratio(tainted, balance),
            time,
            rule,
            detail,
            Values(assetId, tainted, time)));
    }

    private void Seeded(long assetId, UInt256 amount, long height)
    {
        if (!amount.IsZero)
        {
            _summary.AddSeeded(Chain, AssetName(assetId), amount, Values(assetId, amount, Time(height)));
        }
    }
}
