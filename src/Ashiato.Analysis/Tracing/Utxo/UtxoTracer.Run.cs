using System.Globalization;
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

        // ------------------------------------------------------------------ seeds

        private void Inject(TraceSeed seed)
        {
            var outputs = _t.SeedOutputs(seed);
            ulong? left = seed.Amount is { } a ? (a.FitsUInt64 ? a.Low64 : ulong.MaxValue) : null;
            var injected = 0;
            foreach (var o in outputs)
            {
                if (left == 0)
                {
                    break;
                }

                var tx = _chain.TxOfOutput(o);
                if (seed.NotBefore is { } nb && BlockTime(_chain.HeightOfTx(tx)) < nb)
                {
                    continue;
                }

                var value = _chain.GetOutput(o).Value;
                var amount = left is { } l ? (long)Math.Min((ulong)value, l) : value;
                if (amount <= 0)
                {
                    continue;
                }

                left -= (ulong?)amount;
                var w = WorkOf(tx);
                w.Hop = Math.Min(w.Hop, seed.Hop);
                var taint = Taint.Prefix(amount, _fifo);
                if (w.Injections.TryGetValue(o, out var had))
                {
                    had.Merge(taint, value);
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

        private TxWork WorkOf(long tx)
        {
            if (!_work.TryGetValue(tx, out var w))
            {
                w = new TxWork();
                _work[tx] = w;
                _queue.Enqueue(tx, _forward ? tx : -tx);
            }

            return w;
        }

        /// <summary>A seeded output whose transaction the trace never reached (it stopped first): one edge with the stop rule.</summary>
        private void AddStoppedSeed(long outputId, Taint taint, string rule, string detail)
        {
            var tx = _chain.GetTx(_chain.TxOfOutput(outputId));
            var o = _chain.GetOutput(outputId);
            var time = BlockTime(tx.Height);
            _seedParts.Add((taint.Amount, time));
            var node = AddressNode(o.AddressId);
            AddEdge(tx, $"{tx.TxId}:{outputId - tx.FirstOutput}", 0, node, node, o.Value, taint.Amount, time, rule, detail, Values(taint.Amount, time));
        }

        // ------------------------------------------------------------------ forward

        private void ProcessForward(long txId, TxWork work)
        {
            var tx = _chain.GetTx(txId);
            var time = BlockTime(tx.Height);
            var nIn = tx.InputCount;
            var nOut = tx.OutputCount;
            _visited += nIn + nOut;
            var inValues = new long[nIn];
            var inAddress = new uint[nIn];
            var inTaint = new Taint?[nIn];
            long sumIn = 0;
            for (var i = 0; i < nIn; i++)
            {
                var input = _chain.GetInput(tx.FirstInput + i);
                (inValues[i], inAddress[i]) = InputSource(input);
                sumIn += inValues[i];
                work.Items.TryGetValue(input.Id, out inTaint[i]);
            }

            var outValues = new long[nOut + 1];
            var outRows = new OutputRow[nOut];
            long sumOut = 0;
            for (var j = 0; j < nOut; j++)
            {
                outRows[j] = _chain.GetOutput(tx.FirstOutput + j);
                outValues[j] = outRows[j].Value;
                sumOut += outValues[j];
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
            foreach (var (outId, inj) in work.Injections.OrderBy(kv => kv.Key))
            {
                var j = (int)(outId - tx.FirstOutput);
                var added = pieces[j].Merge(inj, outValues[j]);
                if (added > 0)
                {
                    _seedParts.Add((added, time));
                }
            }

            var from = MainSource(inTaint, inValues, inAddress, tx.IsCoinbase);
            var hop = work.Hop;
            if (pieces[nOut].Amount > 0)
            {
                var feeNode = PseudoNode(FeeNode);
                AddEdge(tx, null, hop, from, feeNode, fee, pieces[nOut].Amount, time, TraceRules.Fee, null, Values(pieces[nOut].Amount, time));
            }

            for (var j = 0; j < nOut; j++)
            {
                if (pieces[j].Amount > 0)
                {
                    ForwardOutput(tx, j, outRows[j], pieces[j], hop, from, time, work.Injections.ContainsKey(outRows[j].Id), work.CoinJoinHaircut);
                }
            }
        }

        private void ForwardOutput(TxRow tx, int j, OutputRow output, Taint taint, int hop, string from, DateTimeOffset time, bool seeded, string? viaCoinJoin)
        {
            var (to, label) = AddressNodeWithLabel(output.AddressId);
            var values = Values(taint.Amount, time);
            string rule;
            string? detail = null;
            long next = -1, spend = -1;
            var stop = seeded ? null : LabelStop(label);
            if (stop is not null)
            {
                (rule, detail) = stop.Value;
            }
            else if (BelowMinimum(taint.Amount, values) is { } min)
            {
                (rule, detail) = (TraceRules.StopMinValue, min);
            }
            else if ((spend = _t._spentBy!.SpendingInput(output.Id)) < 0)
            {
                (rule, detail) = (TraceRules.Unspent, $"unspent at height {_chain.TipHeight}");
            }
            else if (hop >= _o.MaxHops)
            {
                (rule, detail) = (TraceRules.StopMaxHops, $"hop {hop} = max hops {_o.MaxHops}");
            }
            else
            {
                next = _chain.TxOfInput(spend);
                (rule, detail) = NextTxRule(next, detail);
            }

            detail = WithVia(viaCoinJoin, detail);
            var index = AddEdge(tx, $"{tx.TxId}:{j}", hop, from, to, output.Value, taint.Amount, time, rule, detail, values);
            if (rule is TraceRules.Follow or TraceRules.CoinJoinHaircut)
            {
                var w = WorkOf(next);
                w.Items[spend] = taint;
                w.Hop = Math.Min(w.Hop, hop + 1);
                w.Feeders.Add(index);
                if (rule == TraceRules.CoinJoinHaircut)
                {
                    w.CoinJoinHaircut = detail;
                }
            }
        }

        // ------------------------------------------------------------------ backward

        private void ProcessBackward(long txId, TxWork work)
        {
            var tx = _chain.GetTx(txId);
            var time = BlockTime(tx.Height);
            var nIn = tx.InputCount;
            var nOut = tx.OutputCount;
            _visited += nIn + nOut;
            var outValues = new long[nOut];
            var outAddress = new uint[nOut];
            var outTaint = new Taint?[nOut];
            long sumOut = 0;
            for (var j = 0; j < nOut; j++)
            {
                var o = _chain.GetOutput(tx.FirstOutput + j);
                outValues[j] = o.Value;
                outAddress[j] = o.AddressId;
                sumOut += o.Value;
                work.Items.TryGetValue(o.Id, out outTaint[j]);
                if (work.Injections.TryGetValue(o.Id, out var inj))
                {
                    var t = outTaint[j] ??= new Taint(0, _fifo ? [] : null);
                    var added = t.Merge(inj, o.Value);
                    if (added > 0)
                    {
                        _seedParts.Add((added, time));
                    }
                }
            }

            var inValues = new long[nIn];
            var inputs = new InputRow[nIn];
            long sumIn = 0;
            for (var i = 0; i < nIn; i++)
            {
                inputs[i] = _chain.GetInput(tx.FirstInput + i);
                inValues[i] = InputSource(inputs[i]).Value;
                sumIn += inValues[i];
            }

            if (tx.IsCoinbase && nIn > 0)
            {
                inValues[0] = sumOut;
                sumIn = sumOut;
            }

            if (sumIn < sumOut)
            {
                _warnings.Add($"transaction {tx.TxId}: input values unknown (external inputs); {sumOut - sumIn} sat of its outputs cannot be attributed to inputs");
            }

            var model = work.CoinJoinHaircut is not null ? TaintModel.Haircut : _o.Model;
            var pieces = Split(model, outValues, outTaint, inValues);
            var to = MainSource(outTaint, outValues, outAddress, coinbase: false);
            for (var i = 0; i < nIn; i++)
            {
                if (pieces[i].Amount > 0)
                {
                    BackwardInput(tx, inputs[i], inValues[i], pieces[i], work.Hop, to, time, work.CoinJoinHaircut);
                }
            }
        }

        private void BackwardInput(TxRow tx, InputRow input, long value, Taint taint, int hop, string to, DateTimeOffset time, string? viaCoinJoin)
        {
            var values = Values(taint.Amount, time);
            string rule;
            string? detail = null;
            string from;
            string? reference = null;
            long prevTx = -1;
            if (input.IsCoinbase)
            {
                from = PseudoNode(CoinbaseNode);
                (rule, detail) = (TraceRules.Coinbase, $"newly minted in block {tx.Height}");
            }
            else if (input.Prev < 0)
            {
                from = PseudoNode(ExternalNode);
                var ext = input.External!.Value;
                reference = $"{ext.TxId}:{ext.Vout}";
                (rule, detail) = (TraceRules.External, "spent output not in the store");
            }
            else
            {
                var prev = _chain.GetOutput(input.Prev);
                prevTx = _chain.TxOfOutput(input.Prev);
                var prevRow = _chain.GetTx(prevTx);
                reference = $"{prevRow.TxId}:{input.Prev - prevRow.FirstOutput}";
                (from, var label) = AddressNodeWithLabel(prev.AddressId);
                if (LabelStop(label) is { } stop)
                {
                    (rule, detail) = stop;
                }
                else if (BelowMinimum(taint.Amount, values) is { } min)
                {
                    (rule, detail) = (TraceRules.StopMinValue, min);
                }
                else if (hop >= _o.MaxHops)
                {
                    (rule, detail) = (TraceRules.StopMaxHops, $"hop {hop} = max hops {_o.MaxHops}");
                }
                else
                {
                    (rule, detail) = NextTxRule(prevTx, detail);
                }
            }

            detail = WithVia(viaCoinJoin, detail);
            var index = AddEdge(tx, reference, hop, from, to, value, taint.Amount, time, rule, detail, values);
            if (rule is TraceRules.Follow or TraceRules.CoinJoinHaircut)
            {
                var w = WorkOf(prevTx);
                w.Items[input.Prev] = taint;
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

        /// <summary>Stop rules of an attributed address: mixers, bridges, then the stop categories.</summary>
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
                    ? (TraceRules.BridgeFollow, "bridge deposit, to be paired with its release by the cross-chain orchestrator; " + who)
                    : (TraceRules.BridgeUnpaired, "bridge deposit, bridges not followed; " + who);
            }

            return _o.StopCategories.Contains(category) ? (TraceRules.StopService, who) : null;
        }

        private string? BelowMinimum(long amount, IReadOnlyList<FiatValue> values)
        {
            if (!_o.MinAmount.IsZero && (ulong)amount < _o.MinAmount)
            {
                return $"{amount} sat < minimum {_o.MinAmount} sat";
            }

            if (_o.MinFiat is { } minFiat && _o.Fiats.Count > 0)
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
        private (string Rule, string? Detail) NextTxRule(long next, string? detail)
        {
            var nextTime = BlockTime(_chain.HeightOfTx(next));
            if ((_o.From is { } f && nextTime < f) || (_o.To is { } t && nextTime > t))
            {
                return (TraceRules.StopTimeWindow, $"next transaction {_chain.GetTxId(next)} at {nextTime:yyyy-MM-dd HH:mm:ss} is outside the time window");
            }

            if (CoinJoinOf(next) is { IsMix: true } cj)
            {
                var what = $"{CoinJoinDetectors.Name(cj.Kind)} {_chain.GetTxId(next)} (confidence {cj.Confidence.ToString("0.00", CultureInfo.InvariantCulture)})";
                return _o.CoinJoin == CoinJoinPolicy.Stop ? (TraceRules.CoinJoinStop, "spent in CoinJoin " + what) : (TraceRules.CoinJoinHaircut, what);
            }

            return (TraceRules.Follow, detail);
        }

        private CoinJoinMatch? CoinJoinOf(long txId)
        {
            if (!_coinJoins.TryGetValue(txId, out var match))
            {
                // every mix detector needs at least 3 inputs and 3 outputs (docs/clustering.md): skip reading the others
                var row = _chain.GetTx(txId);
                if (row.InputCount < 3 || row.OutputCount < 3)
                {
                    _coinJoins[txId] = null;
                    return null;
                }

                TxFacts.Read(_chain, txId, row.Height, _facts);
                match = _facts.IsCoinbase ? null : CoinJoinDetectors.Detect(_facts);
                _coinJoins[txId] = match;
            }

            return match;
        }

        // ------------------------------------------------------------------ splitting

        /// <summary>Splits the tainted coins of one side over the pieces of the other side (the last forward piece is the fee).</summary>
        private Taint[] Split(TaintModel model, long[] fromValues, Taint?[] fromTaint, long[] toValues)
        {
            var result = new Taint[toValues.Length];
            long total = 0;
            var any = false;
            foreach (var t in fromTaint)
            {
                if (t is not null && t.Amount > 0)
                {
                    total += t.Amount;
                    any = true;
                }
            }

            if (!any)
            {
                for (var k = 0; k < result.Length; k++)
                {
                    result[k] = new Taint(0, _fifo ? [] : null);
                }

                return result;
            }

            switch (model)
            {
                case TaintModel.Poison:
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = Taint.Whole(toValues[k], _fifo);
                    }

                    break;
                case TaintModel.Haircut:
                {
                    var shares = TaintMath.Proportional(total, toValues);
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = Taint.Prefix(shares[k], _fifo);
                    }

                    break;
                }

                default:
                {
                    var spans = new List<(long Start, long End)>?[fromTaint.Length];
                    for (var i = 0; i < spans.Length; i++)
                    {
                        spans[i] = fromTaint[i]?.Spans;
                    }

                    var pieces = TaintMath.Fifo(fromValues, spans, toValues);
                    for (var k = 0; k < result.Length; k++)
                    {
                        result[k] = new Taint(TaintMath.Length(pieces[k]), pieces[k]);
                    }

                    break;
                }
            }

            return result;
        }

        // ------------------------------------------------------------------ nodes, edges, values

        private (long Value, uint Address) InputSource(InputRow input)
        {
            if (input.Prev >= 0)
            {
                var o = _chain.GetOutput(input.Prev);
                return (o.Value, o.AddressId);
            }

            if (input.External is { } ext && ext.Resolved != 0)
            {
                return (Math.Max(0, ext.Value), ext.AddressId);
            }

            return (0, ExternalPrevout.NoAddress);
        }

        /// <summary>The node of the input (or output) carrying the most taint (ties: the first); untainted: the largest coin.</summary>
        private string MainSource(Taint?[] taint, long[] values, uint[] addresses, bool coinbase)
        {
            if (coinbase)
            {
                return PseudoNode(CoinbaseNode);
            }

            var best = -1;
            for (var i = 0; i < addresses.Length; i++)
            {
                var ti = taint[i]?.Amount ?? 0;
                if (best < 0 || ti > (taint[best]?.Amount ?? 0) || (ti == (taint[best]?.Amount ?? 0) && ti == 0 && values[i] > values[best]))
                {
                    best = i;
                }
            }

            return best < 0 ? PseudoNode(ExternalNode) : AddressNode(addresses[best]);
        }

        private string AddressNode(uint address) => AddressNodeWithLabel(address).Id;

        private (string Id, TraceLabel? Label) AddressNodeWithLabel(uint address)
        {
            if (address == ExternalPrevout.NoAddress)
            {
                return (PseudoNode(NoAddressNode), null);
            }

            if (_addressNodes.TryGetValue(address, out var known))
            {
                return known;
            }

            var text = _chain.FormatAddress(address);
            var id = $"{Chain}:{text}";
            var label = _t._labels?.Lookup(address);
            var cluster = _t._labels?.ClusterOf(address);
            _nodes[id] = new TraceNode(id, Chain, text, cluster, label);
            _addressNodes[address] = (id, label);
            return (id, label);
        }

        private string PseudoNode(string name)
        {
            var id = $"{Chain}:{name}";
            if (!_nodes.ContainsKey(id))
            {
                _nodes[id] = new TraceNode(id, Chain, name, null, null);
            }

            return id;
        }

        private int AddEdge(TxRow tx, string? reference, int hop, string from, string to, long amount, long tainted, DateTimeOffset time, string rule,
            string? detail, IReadOnlyList<FiatValue> values)
        {
            _edges.Add(new TraceEdge(_edges.Count, Chain, tx.TxId.ToString(), reference, hop, from, to, _t.Asset, (ulong)amount, (ulong)tainted,
                TraceSummaryBuilder.Ratio((ulong)tainted, (ulong)amount), time, rule, detail, values));
            return _edges.Count - 1;
        }

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

        private DateTimeOffset BlockTime(int height)
        {
            if (!_blockTimes.TryGetValue(height, out var t))
            {
                t = DateTimeOffset.FromUnixTimeSeconds(_chain.GetBlockHeader(height).Time);
                _blockTimes[height] = t;
            }

            return t;
        }
    }
}
