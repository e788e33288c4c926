using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

/// <summary>
/// Follows tainted value through a Bitcoin-family chain of the store. Forward: from tainted outputs to the transactions that
/// spend them (spent-by index) and on to their outputs; backward: from tainted outputs to the inputs of the transactions that
/// created them and on to the outputs those inputs spent. Transactions are processed in chain order (forward: ascending
/// ids, backward: descending), so all taint reaching a transaction is gathered before it is split. Every output (forward) or
/// input (backward) that receives taint becomes one edge, whose rule says whether its value was followed or why not; each
/// transaction with a tainted fee adds a <see cref="TraceRules.Fee"/> edge. With haircut and FIFO, per transaction
/// tainted in = tainted out + tainted fee exactly, so over the trace seeded = Σ endpoint edges (docs/tracing.md).
/// </summary>
public sealed partial class UtxoTracer : IChainTracer
{
    private readonly UtxoChainStore _chain;
    private readonly ITraceLabels? _labels;
    private readonly IValuer? _valuer;
    private readonly Action<string>? _progress;
    private readonly StoredCoinJoins? _storedCoinJoins;
    private SpentByIndex? _spentBy;

    // the first transaction of every block (index: height − base height), for HeightOf; rebuilt when the chain changes
    private long[] _blockFirstTx = [];
    private int _blockFirstTxBase;

    // every block's header time (index: height − base height), read with _blockFirstTx: 4 bytes a block
    private uint[] _blockTimes = [];

    // the view they were read through: a new view (the chain's segments changed) reads them again
    private UtxoChainView? _blockStartsView;

    // the columns the walk reads, resolved once and kept while the chain's segments are unchanged
    private UtxoChainView? _view;

    private TraceRun? _spareRun;

    /// <param name="chain">An open chain of the store.</param>
    /// <param name="labels">Attribution (stop categories, mixers, bridges, endpoint grouping); null = no labels. Labels of the
    /// stored clusters (<see cref="ClusterTraceLabels"/>) also bring the clustering run's CoinJoin verdicts, used instead of running
    /// the detectors again for the transactions they cover.</param>
    /// <param name="valuer">Prices for fiat values and <see cref="TraceOptions.MinFiat"/>; null = no fiat values.</param>
    /// <param name="spentBy">The chain's spent-by index; null = load it (building or extending it when stale) on the first forward trace.</param>
    /// <param name="progress">Progress lines (building the spent-by index).</param>
    public UtxoTracer(UtxoChainStore chain, ITraceLabels? labels = null, IValuer? valuer = null, SpentByIndex? spentBy = null, Action<string>? progress = null)
    {
        _chain = chain;
        _labels = labels;
        _valuer = valuer;
        _spentBy = spentBy;
        _progress = progress;
        _storedCoinJoins = (labels as ClusterTraceLabels)?.Labels.CoinJoins;
        Asset = AssetOf(chain);
    }

    public string Chain => _chain.ChainName;

    /// <summary>The chain's coin ticker: LTC for Litecoin networks, BTC otherwise.</summary>
    public string Asset { get; }

    public static string AssetOf(UtxoChainStore chain) => chain.Network.Coin == "litecoin" ? "LTC" : "BTC";

    public TraceResult Run(IReadOnlyList<TraceSeed> seeds, TraceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        if (seeds.Count == 0)
        {
            throw new UserErrorException("a trace needs at least one seed");
        }

        if (options.MaxHops < 0 || options.MaxEdges <= 0)
        {
            throw new UserErrorException($"max hops must be ≥ 0 and max edges > 0 (got {options.MaxHops}, {options.MaxEdges})");
        }

        foreach (var s in seeds)
        {
            if (s.Chain != Chain)
            {
                throw new UserErrorException($"seed '{s.Value}' is for chain '{s.Chain}', this tracer follows '{Chain}'");
            }

            if (s.Asset is not null && s.Asset != Asset)
            {
                throw new UserErrorException($"seed '{s.Value}': asset '{s.Asset}' is not the chain's coin ({Asset})");
            }
        }

        if (options.Direction == TraceDirection.Forward && _spentBy is null)
        {
            _spentBy = SpentByIndex.Load(_chain, _progress);
        }

        _spentBy?.EnsureCovers(_chain);
        if (_view is null || !_view.IsCurrent())
        {
            _view = new UtxoChainView(_chain);
        }

        EnsureBlockStarts();

        // the run object of the last trace, reused (its collections keep their capacity); a concurrent caller makes its own
        var run = Interlocked.Exchange(ref _spareRun, null) ?? new TraceRun(this);
        run.Begin(options, cancellationToken);
        var result = run.Execute(seeds);
        if (run.Reusable)
        {
            _spareRun = run;
        }

        return result;
    }

    /// <summary>
    /// Transactions below this id are covered by the stored CoinJoin verdicts (the first transaction above the clusters'
    /// height; what <see cref="StoredCoinJoins.TryGet"/> decides by height, decided by id).
    /// </summary>
    private long StoredCoinJoinsEnd { get; set; }

    private void EnsureBlockStarts()
    {
        var count = _chain.BlockCount;
        if (ReferenceEquals(_blockStartsView, _view) && _blockFirstTx.Length == count && _blockFirstTxBase == _chain.BaseHeight
            && (count == 0 || _blockFirstTx[^1] == _chain.GetBlockMeta(_chain.TipHeight).FirstTx))
        {
            return;
        }

        var starts = new long[count];
        var times = new uint[count];
        for (var i = 0; i < count; i++)
        {
            starts[i] = _chain.GetBlockMeta(_chain.BaseHeight + i).FirstTx;
            times[i] = _view!.BlockTime(_chain.BaseHeight + i);
        }

        (_blockFirstTx, _blockTimes, _blockFirstTxBase, _blockStartsView) = (starts, times, _chain.BaseHeight, _view);
        StoredCoinJoinsEnd = _storedCoinJoins is not { } s ? 0
            : s.Height >= _chain.TipHeight ? _chain.TxCount
            : s.Height < _chain.BaseHeight ? 0
            : starts[s.Height + 1 - _chain.BaseHeight];
    }

    /// <summary>
    /// The height of transaction <paramref name="txId"/> (what <see cref="UtxoChainStore.HeightOfTx"/> gives): a binary search
    /// over the blocks' first transactions held in memory (8 bytes a block: 7 MB for mainnet), not over blk.meta's records.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int HeightOf(long txId)
    {
        var starts = _blockFirstTx;
        int lo = 0, hi = starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= txId)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _blockFirstTxBase + lo;
    }

    /// <summary>
    /// One trace: its work queue, nodes and edges, in two phases. The <em>walk</em> (UtxoTracer.Run.cs) works on dense ids
    /// (transaction, input, output and address ids of the store) through a <see cref="UtxoChainView"/> and the spent-by index
    /// (spender and its transaction per output, spent coin's value per input), with integer taint amounts in reused buffers,
    /// and records its edges as ids and amounts (<see cref="EdgeRec"/>); labels are looked up for the stop rules only, CoinJoin
    /// verdicts once per transaction and run. The <em>result</em> (<see cref="Materialize"/>) then formats txids, references,
    /// node ids (address text, label, cluster, once per node), block times and fiat values for the kept edges, and the summary.
    /// </summary>
    private sealed partial class TraceRun
    {
        private readonly UtxoTracer _t;
        private readonly UtxoChainStore _chain;
        private readonly Stopwatch _clock = new();
        private readonly PriorityQueue<TxWork, long> _queue = new(); // each transaction's work, by transaction id (backward: descending)
        private readonly Dictionary<long, TxWork> _work = [];
        private readonly Stack<TxWork> _spareWork = new();
        private readonly List<EdgeRec> _edges = [];
        private readonly Dictionary<uint, (string Rule, string Detail)?> _stops = [];
        private readonly Dictionary<long, CoinJoinMatch?> _coinJoins = [];
        private readonly Dictionary<long, (string Rule, string Detail)> _mixRules = [];
        private readonly TxFacts _facts = new();
        private readonly List<uint> _resultAddresses = []; // PrefetchResult's distinct node addresses
        private readonly HashSet<uint> _resultSeen = [];
        // seeded amounts and the transaction they were seeded at (its block time values them)
        private readonly List<(long Amount, long Tx)> _seedParts = [];

        // set by Begin for each trace (a run object is reused by the tracer's next trace: its collections keep their capacity)
        private UtxoChainView _view = null!;
        private Entities.ClusterLabels? _labelBits; // the labels' bit set, to prefetch from (null for other labels)
        private SpentByIndex _spent = null!; // forward only (null in a backward trace)
        private TraceOptions _o = null!;
        private CancellationToken _ct;
        private bool _forward;
        private bool _fifo;
        private List<string> _warnings = [];
        private long _visited;
        private bool _partial;
        private string? _partialReason;

        public TraceRun(UtxoTracer tracer)
        {
            _t = tracer;
            _chain = tracer._chain;
        }

        /// <summary>
        /// Makes the run ready for a trace with <paramref name="options"/>: every per-trace collection emptied (capacity kept;
        /// after a huge trace the tracer drops the whole run instead, see <see cref="Reusable"/>), the view and index of the
        /// tracer taken, the clock restarted.
        /// </summary>
        public void Begin(TraceOptions options, CancellationToken ct)
        {
            _view = _t._view!;
            _spent = _t._spentBy!;
            _labelBits = (_t._labels as ClusterTraceLabels)?.Labels;
            _o = options;
            _ct = ct;
            _forward = options.Direction == TraceDirection.Forward;
            _fifo = options.Model == TaintModel.Fifo;
            _warnings = [];
            _visited = 0;
            _partial = false;
            _partialReason = null;
            _queue.Clear();
            foreach (var w in _work.Values)
            {
                w.Reset();
                _spareWork.Push(w);
            }

            _work.Clear();
            _edges.Clear();
            _stops.Clear();
            _coinJoins.Clear();
            _mixRules.Clear();
            _seedParts.Clear();
            _txTextId = -1;
            _txText = "";
            _unspentDetail = null;
            Array.Clear(_maxHopsDetails);
            _clock.Restart();
        }

        /// <summary>Whether the run's collections are small enough to keep for the next trace (after a huge trace: false).</summary>
        public bool Reusable => _edges.Capacity <= 1 << 16 && _spareWork.Count <= 1 << 14 && _stops.Count <= 1 << 16
            && _coinJoins.Count <= 1 << 16 && _resultSeen.Count <= 1 << 16;

        private string Chain => _chain.ChainName;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public TraceResult Execute(IReadOnlyList<TraceSeed> seeds)
        {
            foreach (var seed in seeds)
            {
                Inject(seed);
            }

            while (_queue.TryDequeue(out var work, out _))
            {
                var txId = work.Tx;
                if (work.Done)
                {
                    continue;
                }

                var stop = StopReason();
                if (stop is not null)
                {
                    StopAll(stop.Value.Rule, stop.Value.Detail);
                    break;
                }

                work.Done = true;

                if (_forward)
                {
                    ProcessForward(txId, work);
                }
                else
                {
                    ProcessBackward(txId, work);
                }

                // every transaction is queued once (WorkOf) and processed once: its work object can be reused
                _work.Remove(txId);
                work.Reset();
                _spareWork.Push(work);
            }

            var walk = _clock.Elapsed;
            var builder = new TraceSummaryBuilder();
            builder.AddSeeded(Chain, _t.Asset, UInt256.Zero);
            foreach (var (amount, tx) in _seedParts)
            {
                builder.AddSeeded(Chain, _t.Asset, (ulong)amount, Values(amount, BlockTime(_t.HeightOf(tx))));
            }

            var (nodes, edges) = Materialize(builder);
            var summary = builder.Build();
            return new TraceResult(seeds, _o, nodes, edges, summary, _partial, _partialReason, _warnings, _visited) { WalkTime = walk };
        }

        private (string Rule, string Detail)? StopReason()
        {
            _ct.ThrowIfCancellationRequested();
            if (_edges.Count >= _o.MaxEdges)
            {
                return (TraceRules.StopMaxEdges, $"the trace reached {_o.MaxEdges} edges");
            }

            if (_o.TimeBudget is { } budget && _clock.Elapsed > budget)
            {
                return (TraceRules.StopBudget, $"the trace ran out of its time budget ({budget.TotalSeconds:0.###} s)");
            }

            return null;
        }

        /// <summary>Relabels every edge still waiting to be followed with the rule that ended the trace; the result is partial.</summary>
        private void StopAll(string rule, string detail)
        {
            _partial = true;
            _partialReason = detail;
            foreach (var (_, w) in _work.OrderBy(kv => kv.Key))
            {
                if (w.Done)
                {
                    continue;
                }

                foreach (var i in w.Feeders)
                {
                    ref var e = ref CollectionsMarshal.AsSpan(_edges)[i];
                    (e.Rule, e.Detail) = (rule, detail);
                }

                // seeded value of a transaction never reached still counts as seeded: it stops here
                if (w.Injections is not null)
                {
                    foreach (var (id, inj) in w.Injections.OrderBy(kv => kv.Key))
                    {
                        AddStoppedSeed(id, inj, rule, detail);
                    }
                }
            }

            _work.Clear();
        }
    }

    /// <summary>
    /// The tainted part of one output or input in the inner loop: <see cref="Amount"/> satoshi, and under FIFO (only then)
    /// <see cref="Spans"/>, the tainted satoshi as sorted, disjoint, non-adjacent half-open ranges [start, end) of offsets inside
    /// the coin, whose lengths sum to <see cref="Amount"/>. The default
    /// value (0, null) is "no taint"; under FIFO every piece that takes part in a merge carries a (possibly empty) list.
    /// </summary>
    private struct TaintPiece(long amount, List<(long Start, long End)>? spans)
    {
        public long Amount = amount;
        public List<(long Start, long End)>? Spans = spans;

        public static TaintPiece Whole(long value, bool fifo) => new(value, fifo ? (value > 0 ? [(0, value)] : []) : null);

        /// <summary>Adds <paramref name="other"/> without exceeding <paramref name="value"/> (FIFO: the union of the spans); returns the amount added.</summary>
        public long Merge(TaintPiece other, long value)
        {
            var before = Amount;
            if (Spans is not null && other.Spans is not null)
            {
                Spans = TaintMath.Union(Spans, other.Spans);
                Amount = TaintMath.Length(Spans);
            }
            else
            {
                Amount = Math.Min(value, Amount + other.Amount);
                Spans = null;
            }

            return Amount - before;
        }
    }

    /// <summary>
    /// Taint waiting at one transaction: <see cref="Items"/> forward keyed by input id (with the address of the coin the input
    /// spends), backward by output id (a later item
    /// for the same id replaces an earlier one, as a dictionary would; it does not happen: an output is spent once and every
    /// transaction is processed once); plus seeds injected there.
    /// </summary>
    private sealed class TxWork
    {
        public long Tx;
        public int Hop = int.MaxValue;
        public bool Done;
        public readonly List<(long Id, uint Address, TaintPiece Taint)> Items = [];
        public Dictionary<long, TaintPiece>? Injections;
        public readonly List<int> Feeders = [];
        public string? CoinJoinHaircut;

        public void Reset()
        {
            Hop = int.MaxValue;
            Done = false;
            Items.Clear();
            Injections = null;
            Feeders.Clear();
            CoinJoinHaircut = null;
        }
    }

    /// <summary>An edge of the walk (see <see cref="TraceRun.AddEdge"/>): nodes are address ids or pseudo-node codes.</summary>
    private struct EdgeRec
    {
        public long Tx;
        public long RefTx;
        public int RefIndex;
        public string? RefText;
        public int Hop;
        public long From;
        public long To;
        public long Amount;
        public long Tainted;
        public string Rule;
        public string? Detail;
        public IReadOnlyList<FiatValue>? Values;
    }
}
