using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.Utxo;

public sealed partial class UtxoTracer
{
    private sealed partial class TraceRun
    {
        private const string FeeNode = "(fee)";
        private const string CoinbaseNode = "(coinbase)";
        private const string ExternalNode = "(external)";
        private const string NoAddressNode = "(no-address)";

        // Nodes in the walk are longs: an address id (≥ 0) or one of these pseudo nodes; their text is made with the result.
        private const long FeeCode = -1;
        private const long CoinbaseCode = -2;
        private const long ExternalCode = -3;
        private const long NoAddressCode = -4;

        // Per-transaction buffers of the inner loop, grown on demand and reused by every transaction of the run. Forward: the
        // "from" side is the inputs, the "to" side the outputs plus the fee (last); backward: outputs → inputs. Only
        // ProcessForward / ProcessBackward write them, and nothing they call splits another transaction meanwhile.
        private long[] _fromValues = new long[16];
        private uint[] _fromAddress = new uint[16];
        private TaintPiece[] _fromTaint = new TaintPiece[16];
        private long[] _toValues = new long[16];
        private uint[] _toAddress = new uint[16];
        private long[] _toIds = new long[16];
        private long[] _toTx = new long[16];
        private TaintPiece[] _pieces = new TaintPiece[16];
        private long[] _shares = new long[16];

        // the txid text of the last transaction formatted (edges of one transaction are made together)
        private long _txTextId = -1;
        private string _txText = "";

        private long[] _injectionKeys = new long[16];
        private string? _unspentDetail;
        private string?[] _maxHopsDetails = [];

        // The inner loop's methods are compiled fully optimized at once ([MethodImpl(AggressiveOptimization)]): a trace is
        // short (one per CLI process), and tiered compilation would run most of it in unoptimized code.

        // ------------------------------------------------------------------ seeds

        private void Inject(TraceSeed seed)
        {
            var outputs = _t.SeedOutputs(seed);
            ulong? left = seed.Amount is { } a ? (a.FitsUInt64 ? a.Low64 : ulong.MaxValue) : null;
            var injected = 0;

            // outputs come in id order, usually several of one transaction: its output range is kept, so that the search for an
            // output's transaction is made once per transaction
            long tx = -1, txOutputs = 0, txFirst = 0;
            foreach (var o in outputs)
            {
                if (left == 0)
                {
                    break;
                }

                if (tx < 0 || o < txFirst || o >= txFirst + txOutputs)
                {
                    tx = _view.TxOfOutput(o);
                    var row = _view.GetRow(tx);
                    (txFirst, txOutputs) = (row.FirstOutput, row.OutputCount);
                }

                if (seed.NotBefore is { } nb && BlockTime(_t.HeightOf(tx)) < nb)
                {
                    continue;
                }

                var value = _view.OutValue(o);
                var amount = left is { } l ? (long)Math.Min((ulong)value, l) : value;
                if (amount <= 0)
                {
                    continue;
                }

                left -= (ulong?)amount;
                var w = WorkOf(tx);
                w.Hop = Math.Min(w.Hop, seed.Hop);
                var taint = TaintPiece.Whole(amount, _fifo);
                w.Injections ??= [];
                if (w.Injections.TryGetValue(o, out var had))
                {
                    had.Merge(taint, value);
                    w.Injections[o] = had;
                }
                else
                {
                    w.Injections[o] = taint;
                }

                injected++;
            }

            if (injected == 0)
            {
                _warnings.Add($"seed {seed.Kind.ToString().ToLowerInvariant()} '{seed.Value}' taints nothing (no output with value{(seed.NotBefore is null ? "" : " after " + seed.NotBefore.Value.ToString("u", CultureInfo.InvariantCulture))})");
            }
        }

        /// <summary>The seeded outputs of a transaction in id order (a buffer of the run, valid until the next call).</summary>
        private ReadOnlySpan<long> SortedKeys(Dictionary<long, TaintPiece> injections)
        {
            if (_injectionKeys.Length < injections.Count)
            {
                _injectionKeys = new long[Math.Max(injections.Count, _injectionKeys.Length * 2)];
            }

            var keys = _injectionKeys.AsSpan(0, injections.Count);
            injections.Keys.CopyTo(_injectionKeys, 0);
            keys.Sort();
            return keys;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private TxWork WorkOf(long tx)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_work, tx, out var exists);
            if (!exists)
            {
                slot = _spareWork.Count > 0 ? _spareWork.Pop() : new TxWork();
                slot.Tx = tx;
                _queue.Enqueue(slot, _forward ? tx : -tx);
            }

            return slot!;
        }

        /// <summary>A seeded output whose transaction the trace never reached (it stopped first): one edge with the stop rule.</summary>
        private void AddStoppedSeed(long outputId, TaintPiece taint, string rule, string detail)
        {
            var txId = _view.TxOfOutput(outputId);
            var tx = _view.GetRow(txId);
            var (value, address) = _view.Output(outputId);
            _seedParts.Add((taint.Amount, txId));
            var node = NodeOf(address);
            AddEdge(txId, txId, (int)(outputId - tx.FirstOutput), null, 0, node, node, value, taint.Amount, rule, detail, ValuesNow(taint.Amount, txId));
        }

        // ------------------------------------------------------------------ forward

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProcessForward(long txId, TxWork work)
        {
            var tx = _view.GetRow(txId);
            var nIn = tx.InputCount;
            var nOut = tx.OutputCount;
            _visited += nIn + nOut;

            // the four runs read below (input values, output values, output addresses, spenders) start on lines that are
            // not in the cache yet: ask for all of them before reading the first
            _spent.Prefetch(tx.FirstOutput, tx.FirstInput);
            if (nOut > 0)
            {
                _view.PrefetchOutputs(tx.FirstOutput);
            }

            EnsureBuffers(nIn, nOut + 1);
            var inValues = _fromValues.AsSpan(0, nIn);
            var inAddress = _fromAddress.AsSpan(0, nIn);
            var inTaint = _fromTaint.AsSpan(0, nIn);
            inTaint.Clear();

            // every input's value from the spent-by index's input values (the spent coin's value, 0 for coinbase and unresolved
            // external inputs: what InputSource gives), one sequential read per transaction instead of two random reads per input
            long sumIn = _spent.InputValues(tx.FirstInput, inValues);

            // taint waiting at this transaction, keyed by input id (a later item replaces an earlier one), with the address of
            // the coin it came with (the spent output's, what InputSource gives)
            foreach (var (inputId, address, taint) in work.Items)
            {
                var i = (int)(inputId - tx.FirstInput);
                inTaint[i] = taint;
                inAddress[i] = address;
            }

            if (work.Items.Count == 0)
            {
                // only seeds injected here: the main source is the largest input coin, whose address must be read
                for (var i = 0; i < nIn; i++)
                {
                    inAddress[i] = InputSource(tx.FirstInput + i).Address;
                }
            }

            var outValues = _toValues.AsSpan(0, nOut + 1);
            var outAddress = _toAddress.AsSpan(0, nOut);
            var outSpend = _toIds.AsSpan(0, nOut);
            var outSpendTx = _toTx.AsSpan(0, nOut);
            var sumOut = _view.ReadOutputs(tx.FirstOutput, outValues[..nOut], outAddress);
            _spent.Spenders(tx.FirstOutput, outSpend, outSpendTx);

            // ask for what the outputs' rules read next — each output's label bit, its spender's stored CoinJoin bit and the
            // spender's row — all at once, so that their cache misses overlap instead of coming one after the other
            var labelBits = _labelBits;
            var stored = _t._storedCoinJoins;
            var storedEnd = _t.StoredCoinJoinsEnd;
            for (var j = 0; j < nOut; j++)
            {
                labelBits?.PrefetchIsLabelled(outAddress[j]);
                var next = outSpendTx[j];
                if (next >= 0)
                {
                    if (stored is not null && next < storedEnd)
                    {
                        stored.Prefetch(next);
                    }

                    _view.PrefetchRow(next);
                }
            }
            if (tx.IsCoinbase)
            {
                sumIn = sumOut;
                if (nIn > 0)
                {
                    inValues[0] = sumOut;
                }
            }

            var fee = Math.Max(0, sumIn - sumOut);
            outValues[nOut] = fee;
            var model = work.CoinJoinHaircut is not null ? TaintModel.Haircut : _o.Model;
            var pieces = Split(model, inValues, inTaint, outValues);

            // seeds injected here: the union with what the inputs brought (never more than the output)
            if (work.Injections is not null)
            {
                foreach (var outId in SortedKeys(work.Injections))
                {
                    var inj = work.Injections[outId];
                    var j = (int)(outId - tx.FirstOutput);
                    var added = pieces[j].Merge(inj, outValues[j]);
                    if (added > 0)
                    {
                        _seedParts.Add((added, txId));
                    }
                }
            }

            var from = MainSource(inTaint, inValues, inAddress, tx.IsCoinbase);
            var hop = work.Hop;
            if (pieces[nOut].Amount > 0)
            {
                AddEdge(txId, -1, 0, null, hop, from, FeeCode, fee, pieces[nOut].Amount, TraceRules.Fee, null, ValuesNow(pieces[nOut].Amount, txId));
            }

            for (var j = 0; j < nOut; j++)
            {
                if (pieces[j].Amount > 0)
                {
                    var seeded = work.Injections is not null && work.Injections.ContainsKey(tx.FirstOutput + j);
                    ForwardOutput(txId, j, outValues[j], outAddress[j], outSpend[j], outSpendTx[j], pieces[j], hop, from, seeded, work.CoinJoinHaircut);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ForwardOutput(long txId, int j, long outValue, uint outAddress, long spend, long next, TaintPiece taint, int hop, long from, bool seeded,
            string? viaCoinJoin)
        {
            var values = ValuesNow(taint.Amount, txId);
            string rule;
            string? detail = null;
            var stop = seeded ? null : StopOf(outAddress);
            if (stop is not null)
            {
                (rule, detail) = stop.Value;
            }
            else if (BelowMinimum(taint.Amount, values) is { } min)
            {
                (rule, detail) = (TraceRules.StopMinValue, min);
            }
            else if (spend < 0)
            {
                (rule, detail) = (TraceRules.Unspent, _unspentDetail ??= $"unspent at height {_chain.TipHeight}");
            }
            else if (hop >= _o.MaxHops)
            {
                (rule, detail) = (TraceRules.StopMaxHops, MaxHopsDetail(hop));
            }
            else
            {
                (rule, detail) = NextTxRule(next, detail);
            }

            detail = WithVia(viaCoinJoin, detail);
            var index = AddEdge(txId, txId, j, null, hop, from, NodeOf(outAddress), outValue, taint.Amount, rule, detail, values);
            if (rule is TraceRules.Follow or TraceRules.CoinJoinHaircut)
            {
                var w = WorkOf(next);
                w.Items.Add((spend, outAddress, taint));
                w.Hop = Math.Min(w.Hop, hop + 1);
                w.Feeders.Add(index);
                if (rule == TraceRules.CoinJoinHaircut)
                {
                    w.CoinJoinHaircut = detail;
                }
            }
        }

        private string MaxHopsDetail(int hop)
        {
            if ((uint)hop >= (uint)_maxHopsDetails.Length)
            {
                Array.Resize(ref _maxHopsDetails, Math.Max(hop + 1, _maxHopsDetails.Length * 2));
            }

            return _maxHopsDetails[hop] ??= $"hop {hop} = max hops {_o.MaxHops}";
        }

        // ------------------------------------------------------------------ backward

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProcessBackward(long txId, TxWork work)
        {
            var tx = _view.GetRow(txId);
            var nIn = tx.InputCount;
            var nOut = tx.OutputCount;
            _visited += nIn + nOut;

            // the runs read below (output values and addresses, the inputs' spent-output references) start on lines not in the
            // cache yet: ask for them before reading the first
            if (nOut > 0)
            {
                _view.PrefetchOutputs(tx.FirstOutput);
            }

            if (nIn > 0)
            {
                _view.PrefetchInputs(tx.FirstInput);
            }

            EnsureBuffers(nOut, nIn);
            var outValues = _fromValues.AsSpan(0, nOut);
            var outAddress = _fromAddress.AsSpan(0, nOut);
            var outTaint = _fromTaint.AsSpan(0, nOut);
            outTaint.Clear();
            var sumOut = _view.ReadOutputs(tx.FirstOutput, outValues, outAddress);

            // taint waiting at this transaction, keyed by output id (a later item replaces an earlier one)
            foreach (var (outputId, _, taint) in work.Items)
            {
                outTaint[(int)(outputId - tx.FirstOutput)] = taint;
            }

            if (work.Injections is not null)
            {
                for (var j = 0; j < nOut; j++)
                {
                    if (work.Injections.TryGetValue(tx.FirstOutput + j, out var inj))
                    {
                        // no taint arrived at this output yet: start from an empty piece (FIFO: an empty span list)
                        if (outTaint[j].Amount == 0 && outTaint[j].Spans is null)
                        {
                            outTaint[j] = new TaintPiece(0, _fifo ? [] : null);
                        }

                        var added = outTaint[j].Merge(inj, outValues[j]);
                        if (added > 0)
                        {
                            _seedParts.Add((added, txId));
                        }
                    }
                }
            }

            var inValues = _toValues.AsSpan(0, nIn);
            var inPrev = _toIds.AsSpan(0, nIn);
            long sumIn = 0;

            // every input's spent output first, then each one's value and address asked for at once (random places in the
            // output columns: their misses overlap), then read
            for (var i = 0; i < nIn; i++)
            {
                inPrev[i] = _view.InPrev(tx.FirstInput + i);
                if (inPrev[i] >= 0)
                {
                    _view.PrefetchOutputs(inPrev[i]);
                }
            }

            for (var i = 0; i < nIn; i++)
            {
                var (value, address) = InputSource(tx.FirstInput + i, inPrev[i]);
                inValues[i] = value;
                sumIn += value;
                if (inPrev[i] >= 0)
                {
                    _labelBits?.PrefetchIsLabelled(address); // the stop rule of a tainted input reads it next
                }
            }

            if (tx.IsCoinbase && nIn > 0)
            {
                inValues[0] = sumOut;
                sumIn = sumOut;
            }

            if (sumIn < sumOut)
            {
                _warnings.Add($"transaction {TxText(txId)}: input values unknown (external inputs); {sumOut - sumIn} sat of its outputs cannot be attributed to inputs");
            }

            var model = work.CoinJoinHaircut is not null ? TaintModel.Haircut : _o.Model;
            var pieces = Split(model, outValues, outTaint, inValues);
            var to = MainSource(outTaint, outValues, outAddress, coinbase: false);

            // each tainted input's previous transaction, then its row and stored CoinJoin bit asked for at once (the rules read
            // them next), before the inputs' edges are made
            var prevTxs = _toTx.AsSpan(0, nIn);
            var stored = _t._storedCoinJoins;
            for (var i = 0; i < nIn; i++)
            {
                prevTxs[i] = pieces[i].Amount > 0 && inPrev[i] >= 0 ? _view.TxOfOutput(inPrev[i]) : -1;
                if (prevTxs[i] >= 0)
                {
                    _view.PrefetchRow(prevTxs[i]);
                    if (stored is not null && prevTxs[i] < _t.StoredCoinJoinsEnd)
                    {
                        stored.Prefetch(prevTxs[i]);
                    }
                }
            }

            for (var i = 0; i < nIn; i++)
            {
                if (pieces[i].Amount > 0)
                {
                    BackwardInput(txId, tx.FirstInput + i, inPrev[i], prevTxs[i], inValues[i], pieces[i], work.Hop, to, work.CoinJoinHaircut);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BackwardInput(long txId, long inputId, long prevOutput, long prevOutputTx, long value, TaintPiece taint, int hop, long to, string? viaCoinJoin)
        {
            var values = ValuesNow(taint.Amount, txId);
            string rule;
            string? detail = null;
            long from;
            long refTx = -1;
            var refIndex = 0;
            string? refText = null;
            long prevTx = -1;
            if (prevOutput == PrevRef.Coinbase)
            {
                from = CoinbaseCode;
                (rule, detail) = (TraceRules.Coinbase, $"newly minted in block {_t.HeightOf(txId)}");
            }
            else if (prevOutput < 0)
            {
                from = ExternalCode;
                var ext = _chain.GetInput(inputId).External!.Value;
                refText = $"{ext.TxId}:{ext.Vout}";
                (rule, detail) = (TraceRules.External, "spent output not in the store");
            }
            else
            {
                var (_, prevAddress) = _view.Output(prevOutput);
                prevTx = prevOutputTx;
                (refTx, refIndex) = (prevTx, (int)(prevOutput - _view.GetRow(prevTx).FirstOutput));
                from = NodeOf(prevAddress);
                if (StopOf(prevAddress) is { } stop)
                {
                    (rule, detail) = stop;
                }
                else if (BelowMinimum(taint.Amount, values) is { } min)
                {
                    (rule, detail) = (TraceRules.StopMinValue, min);
                }
                else if (hop >= _o.MaxHops)
                {
                    (rule, detail) = (TraceRules.StopMaxHops, MaxHopsDetail(hop));
                }
                else
                {
                    (rule, detail) = NextTxRule(prevTx, detail);
                }
            }

            detail = WithVia(viaCoinJoin, detail);
            var index = AddEdge(txId, refTx, refIndex, refText, hop, from, to, value, taint.Amount, rule, detail, values);
            if (rule is TraceRules.Follow or TraceRules.CoinJoinHaircut)
            {
                var w = WorkOf(prevTx);
                w.Items.Add((prevOutput, 0, taint));
                w.Hop = Math.Min(w.Hop, hop + 1);
                w.Feeders.Add(index);
                if (rule == TraceRules.CoinJoinHaircut)
                {
                    w.CoinJoinHaircut = detail;
                }
            }
        }

        // ------------------------------------------------------------------ rules

        /// <summary>Edges out of a CoinJoin passed by haircut say so, whatever else their rule says.</summary>
        private static string? WithVia(string? viaCoinJoin, string? detail)
        {
            if (viaCoinJoin is null)
            {
                return detail;
            }

            var via = $"through CoinJoin ({viaCoinJoin}) by haircut";
            return detail is null || detail == via ? via : via + "; " + detail;
        }

        /// <summary>Mixer categories: "mixer" and the GraphSense taxonomy's "mixing_service".</summary>
        public static bool IsMixer(string category) => TraceCategories.IsMixer(category);

        /// <summary>
        /// Stop rules of an address by its label (once per labelled address and run): mixers, bridges, then the stop categories;
        /// null for an unlabelled address (one look-up in the labels each time: most addresses a trace meets are unlabelled,
        /// and remembering them would cost more than asking again).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (string Rule, string Detail)? StopOf(uint address)
        {
            if (_t._labels is null || address == ExternalPrevout.NoAddress || !_t._labels.MayHaveLabel(address))
            {
                return null;
            }

            if (_stops.TryGetValue(address, out var known))
            {
                return known;
            }

            if (_t._labels.Lookup(address) is not { } label)
            {
                return null;
            }

            var stop = LabelStop(label);
            _stops[address] = stop;
            return stop;
        }

        private (string Rule, string Detail)? LabelStop(TraceLabel? label)
        {
            if (label?.Category is not { } category)
            {
                return null;
            }

            var who = $"{category} {label.Entity}: {label.Why}";
            if (IsMixer(category) && _o.StopAtMixers)
            {
                return (TraceRules.MixerStop, who);
            }

            if (TraceCategories.IsBridge(category))
            {
                return _o.FollowBridges
                    ? (TraceRules.BridgeFollow, (_o.Direction == TraceDirection.Forward
                        ? "bridge deposit, to be paired with its release by the cross-chain orchestrator; "
                        : "bridge release, to be paired with the burn it pays by the cross-chain orchestrator; ") + who)
                    : (TraceRules.BridgeUnpaired, "bridge deposit, bridges not followed; " + who);
            }

            return _o.StopCategories.Contains(category) ? (TraceRules.StopService, who) : null;
        }

        private string? BelowMinimum(long amount, IReadOnlyList<FiatValue>? values)
        {
            if (!_o.MinAmount.IsZero && (ulong)amount < _o.MinAmount)
            {
                return $"{amount} sat < minimum {_o.MinAmount} sat";
            }

            if (_o.MinFiat is { } minFiat && _o.Fiats.Count > 0 && values is not null)
            {
                var v = values.FirstOrDefault(x => x.Fiat == _o.Fiats[0]);
                if (v is not null && v.Amount < minFiat)
                {
                    return $"{v.Amount.ToString(CultureInfo.InvariantCulture)} {v.Fiat} < minimum {minFiat.ToString(CultureInfo.InvariantCulture)} {v.Fiat}";
                }
            }

            return null;
        }

        /// <summary>Whether the taint may go on into transaction <paramref name="next"/>: time window, then CoinJoin policy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (string Rule, string? Detail) NextTxRule(long next, string? detail)
        {
            if (_o.From is not null || _o.To is not null)
            {
                var nextTime = BlockTime(_t.HeightOf(next));
                if ((_o.From is { } f && nextTime < f) || (_o.To is { } t && nextTime > t))
                {
                    return (TraceRules.StopTimeWindow, $"next transaction {_view.TxId(next)} at {nextTime:yyyy-MM-dd HH:mm:ss} is outside the time window");
                }
            }

            if (CoinJoinOf(next) is { IsMix: true } cj)
            {
                // the rule's text once per CoinJoin and run (every tainted coin spent in it gets the same)
                if (!_mixRules.TryGetValue(next, out var mix))
                {
                    var what = $"{CoinJoinDetectors.Name(cj.Kind)} {_view.TxId(next)} (confidence {cj.Confidence.ToString("0.00", CultureInfo.InvariantCulture)})";
                    mix = _o.CoinJoin == CoinJoinPolicy.Stop ? (TraceRules.CoinJoinStop, "spent in CoinJoin " + what) : (TraceRules.CoinJoinHaircut, what);
                    _mixRules[next] = mix;
                }

                return mix;
            }

            return (TraceRules.Follow, detail);
        }

        /// <summary>The CoinJoin verdict of a transaction, once per transaction and run.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private CoinJoinMatch? CoinJoinOf(long txId)
        {
            // transactions the clustering run judged: its verdict (one bit, and for a flagged one a search in its bucket), no cache needed
            if (_t._storedCoinJoins is { } stored && txId < _t.StoredCoinJoinsEnd)
            {
                return stored.Covered(txId);
            }

            if (!_coinJoins.TryGetValue(txId, out var match))
            {
                var row = _view.GetTx(txId);

                // every mix detector needs at least 3 inputs and 3 outputs (docs/clustering.md): skip reading the others
                if (row.InputCount < 3 || row.OutputCount < 3)
                {
                    _coinJoins[txId] = null;
                    return null;
                }

                // Only a mix verdict matters to the trace (a Whirlpool Tx0 is followed like no match), and every mix detector
                // needs equal outputs (CoinJoinDetectors): Whirlpool mix 5 equal outputs of a pool (≥ 100 000 sat), Wasabi 1
                // ≥ 10 equal outputs, JoinMarket and generic ≥ 3 equal outputs above dust (546 sat) — all "≥ 3 equal outputs
                // above dust" — and WabiSabi ≥ 10 inputs and outputs with two repeated values. Output values are cheap to
                // read; the detectors' facts (every input's spent output) are not, so a transaction without either pattern is
                // not read: its verdict can only be null or a Tx0, which the trace treats alike.
                if (!MayBeMix(row))
                {
                    _coinJoins[txId] = null;
                    return null;
                }

                _view.ReadFacts(txId, row.Height, _facts);
                match = _facts.IsCoinbase ? null : CoinJoinDetectors.Detect(_facts);
                _coinJoins[txId] = match;
            }

            return match;
        }

        /// <summary>
        /// A necessary condition for a mix verdict of <see cref="CoinJoinDetectors.Detect"/> (see <see cref="CoinJoinOf"/>): some
        /// output value above dust occurs ≥ 3 times, or (≥ 10 inputs and outputs) two values occur ≥ 2 times each.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool MayBeMix(TxLite tx)
        {
            const long dust = 546;
            var n = tx.OutputCount;
            var values = n <= 256 ? stackalloc long[n] : new long[n];
            for (var j = 0; j < n; j++)
            {
                values[j] = _view.OutValue(tx.FirstOutput + j);
            }

            values.Sort();
            var repeated = 0;
            for (var j = 0; j < n;)
            {
                var k = j + 1;
                while (k < n && values[k] == values[j])
                {
                    k++;
                }

                var run = k - j;
                if (run >= 3 && values[j] > dust)
                {
                    return true;
                }

                if (run >= 2)
                {
                    repeated++;
                }

                j = k;
            }

            return repeated >= 2 && tx.InputCount >= 10 && n >= 10;
        }

        // ------------------------------------------------------------------ splitting

        private void EnsureBuffers(int from, int to)
        {
            if (_fromValues.Length < from)
            {
                var n = Math.Max(from, _fromValues.Length * 2);
                _fromValues = new long[n];
                _fromAddress = new uint[n];
                _fromTaint = new TaintPiece[n];
            }

            if (_toValues.Length < to)
            {
                var n = Math.Max(to, _toValues.Length * 2);
                _toValues = new long[n];
                _toAddress = new uint[n];
                _toIds = new long[n];
                _toTx = new long[n];
                _pieces = new TaintPiece[n];
                _shares = new long[n];
            }
        }

        /// <summary>
        /// Splits the tainted coins of one side over the pieces of the other side (the last forward piece is the fee), into the
        /// reused piece buffer. Per model exactly as docs/tracing.md: poison = every piece whole; haircut = largest remainder
        /// (<see cref="TaintMath.ProportionalInto"/>); FIFO = <see cref="TaintMath.Fifo"/>. Under FIFO every piece has spans.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private Span<TaintPiece> Split(TaintModel model, ReadOnlySpan<long> fromValues, ReadOnlySpan<TaintPiece> fromTaint, ReadOnlySpan<long> toValues)
        {
            var result = _pieces.AsSpan(0, toValues.Length);
            long total = 0;
            var any = false;
            foreach (var t in fromTaint)
            {
                if (t.Amount > 0)
                {
                    total += t.Amount;
                    any = true;
                }
            }

            if (!any)
            {
                for (var k = 0; k < result.Length; k++)
                {
                    result[k] = new TaintPiece(0, _fifo ? [] : null);
                }

                return result;
            }

            switch (model)
            {
                case TaintModel.Poison:
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = TaintPiece.Whole(toValues[k], _fifo);
                    }

                    break;
                case TaintModel.Haircut:
                {
                    var shares = _shares.AsSpan(0, toValues.Length);
                    TaintMath.ProportionalInto(total, toValues, shares);
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = TaintPiece.Whole(shares[k], _fifo);
                    }

                    break;
                }

                default:
                {
                    var spans = new List<(long Start, long End)>?[fromTaint.Length];
                    for (var i = 0; i < spans.Length; i++)
                    {
                        spans[i] = fromTaint[i].Spans;
                    }

                    var pieces = TaintMath.Fifo(fromValues, spans, toValues);
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = new TaintPiece(TaintMath.Length(pieces[k]), pieces[k]);
                    }

                    break;
                }
            }

            return result;
        }

        // ------------------------------------------------------------------ nodes, edges, values

        /// <summary>Value and address of the coin an input spends; 0 and no address for coinbase and unresolved external inputs.</summary>
        private (long Value, uint Address) InputSource(long inputId) => InputSource(inputId, _view.InPrev(inputId));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (long Value, uint Address) InputSource(long inputId, long prev)
        {
            if (prev >= 0)
            {
                return _view.Output(prev);
            }

            if (prev == PrevRef.External && _chain.GetInput(inputId).External is { } ext && ext.Resolved != 0)
            {
                return (Math.Max(0, ext.Value), ext.AddressId);
            }

            return (0, ExternalPrevout.NoAddress);
        }

        /// <summary>The node of the input (or output) carrying the most taint (ties: the first); untainted: the largest coin.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static long MainSource(ReadOnlySpan<TaintPiece> taint, ReadOnlySpan<long> values, ReadOnlySpan<uint> addresses, bool coinbase)
        {
            if (coinbase)
            {
                return CoinbaseCode;
            }

            var best = -1;
            for (var i = 0; i < addresses.Length; i++)
            {
                var ti = taint[i].Amount;
                if (best < 0 || ti > taint[best].Amount || (ti == taint[best].Amount && ti == 0 && values[i] > values[best]))
                {
                    best = i;
                }
            }

            return best < 0 ? ExternalCode : NodeOf(addresses[best]);
        }

        /// <summary>The walk's node of an address: its id, or the no-address pseudo node.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static long NodeOf(uint address) => address == ExternalPrevout.NoAddress ? NoAddressCode : address;

        /// <summary>
        /// One edge of the walk: ids and amounts only; <see cref="Materialize"/> makes the <see cref="TraceEdge"/> (txid and
        /// reference text, node ids, block time, fiat values) once the walk is over.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int AddEdge(long txId, long refTx, int refIndex, string? refText, int hop, long from, long to, long amount, long tainted, string rule,
            string? detail, IReadOnlyList<FiatValue>? values)
        {
            _edges.Add(new EdgeRec
            {
                Tx = txId,
                RefTx = refTx,
                RefIndex = refIndex,
                RefText = refText,
                Hop = hop,
                From = from,
                To = to,
                Amount = amount,
                Tainted = tainted,
                Rule = rule,
                Detail = detail,
                Values = values,
            });
            return _edges.Count - 1;
        }

        /// <summary>
        /// The result's edges and nodes from the walk's edges, in the walk's order (node ids and labels once per node); each
        /// endpoint edge added to <paramref name="summary"/> with its endpoint node's label.
        /// </summary>
        private (List<TraceNode> Nodes, List<TraceEdge> Edges) Materialize(TraceSummaryBuilder summary)
        {
            var edges = new List<TraceEdge>(_edges.Count);
            var nodes = new Dictionary<long, TraceNode>();
            PrefetchResult();
            long timeTx = -1;
            var time = default(DateTimeOffset);
            var span = CollectionsMarshal.AsSpan(_edges);
            for (var k = 0; k < span.Length; k++)
            {
                ref readonly var e = ref span[k];
                if (e.Tx != timeTx)
                {
                    time = BlockTime(_t.HeightOf(e.Tx));
                    timeTx = e.Tx;
                }

                var txText = TxText(e.Tx);
                var reference = e.RefText ?? (e.RefTx < 0 ? null
                    : string.Concat(e.RefTx == e.Tx ? txText : _view.TxId(e.RefTx).ToString(), ":", e.RefIndex.ToString(CultureInfo.InvariantCulture)));

                var from = Node(e.From, nodes);
                var to = Node(e.To, nodes);
                var values = e.Values ?? Values(e.Tainted, time);
                edges.Add(new TraceEdge(k, Chain, txText, reference, e.Hop, from.Id, to.Id, _t.Asset,
                    (ulong)e.Amount, (ulong)e.Tainted, TaintMath.Ratio8((ulong)e.Tainted, (ulong)e.Amount), time, e.Rule, e.Detail, values));
                summary.AddEndpoint(Chain, _t.Asset, e.Rule, (ulong)e.Tainted, (_forward ? to : from).Label, values);
            }

            return (TraceNodeOrder.SortById(nodes.Values), edges);
        }

        /// <summary>
        /// Asks for what making the result reads at random places — every kept transaction's txid, every node's cluster id
        /// and address key (its offset first, then its bytes) — before any of it is read, so that the misses overlap.
        /// </summary>
        private void PrefetchResult()
        {
            _resultAddresses.Clear();
            _resultSeen.Clear();
            long lastTx = -1;
            foreach (ref readonly var e in CollectionsMarshal.AsSpan(_edges))
            {
                if (e.Tx != lastTx)
                {
                    _view.PrefetchTxId(e.Tx);
                    lastTx = e.Tx;
                }

                if (e.RefTx >= 0 && e.RefTx != e.Tx)
                {
                    _view.PrefetchTxId(e.RefTx);
                }

                foreach (var node in (ReadOnlySpan<long>)[e.From, e.To])
                {
                    if (node >= 0 && _resultSeen.Add((uint)node))
                    {
                        _resultAddresses.Add((uint)node);
                        _chain.PrefetchAddress((uint)node, key: false);
                        _labelBits?.PrefetchClusterOf((uint)node);
                    }
                }
            }

            foreach (var a in _resultAddresses)
            {
                _chain.PrefetchAddress(a, key: true);
            }
        }

        /// <summary>The result's node of a walk node (made with its label and cluster on first use).</summary>
        private TraceNode Node(long node, Dictionary<long, TraceNode> nodes)
        {
            if (nodes.TryGetValue(node, out var known))
            {
                return known;
            }

            TraceNode made;

            if (node < 0)
            {
                var name = node switch
                {
                    FeeCode => FeeNode,
                    CoinbaseCode => CoinbaseNode,
                    ExternalCode => ExternalNode,
                    _ => NoAddressNode,
                };
                made = new TraceNode($"{Chain}:{name}", Chain, name, null, null);
            }
            else
            {
                var address = (uint)node;
                var text = _chain.FormatAddress(address);
                made = new TraceNode($"{Chain}:{text}", Chain, text, _t._labels?.ClusterOf(address), _t._labels?.Lookup(address));
            }

            nodes[node] = made;
            return made;
        }

        /// <summary>The txid text of <paramref name="txId"/>; the last one is kept (edges of one transaction are together).</summary>
        private string TxText(long txId)
        {
            if (_txTextId != txId)
            {
                _txText = _view.TxId(txId).ToString();
                _txTextId = txId;
            }

            return _txText;
        }

        /// <summary>
        /// Fiat values the walk needs now: only to apply <see cref="TraceOptions.MinFiat"/>; otherwise null, and the edge's
        /// values are made with it (the same function of amount and block time).
        /// </summary>
        private IReadOnlyList<FiatValue>? ValuesNow(long amount, long txId) =>
            _o.MinFiat is not null && _t._valuer is not null && _o.Fiats.Count > 0 && amount > 0 ? Values(amount, BlockTime(_t.HeightOf(txId))) : null;

        private IReadOnlyList<FiatValue> Values(long amount, DateTimeOffset time)
        {
            if (_t._valuer is null || _o.Fiats.Count == 0 || amount <= 0)
            {
                return [];
            }

            var list = new List<FiatValue>(_o.Fiats.Count);
            foreach (var fiat in _o.Fiats)
            {
                if (_t._valuer.Value(_t.Asset, amount, 8, time, fiat) is { } v)
                {
                    list.Add(v);
                }
            }

            return list;
        }

        /// <summary>The header's time of block <paramref name="height"/> (held by the tracer for every block).</summary>
        private DateTimeOffset BlockTime(int height) => DateTimeOffset.FromUnixTimeSeconds(_t._blockTimes[height - _t._blockFirstTxBase]);
    }
}
