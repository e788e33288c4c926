using System.Globalization;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.CrossChain;

/// <summary>
/// The way back over a lock-and-mint bridge: the token is burned on the EVM chain and the custody releases coins on the
/// source chain.
/// <list type="bullet">
/// <item>Forward, burn → release: when the burn's <see cref="MintingBridge.BurnEvent"/> names a destination script, the
/// outputs paying that script from a transaction that spends a custody address, within <see cref="MintingBridge.MaxDelay"/>
/// after the burn, for the burned amount less at most the maximum fee (confidence 1, method <c>event</c>); otherwise
/// every such output of a custody transaction in the window whatever its script (method <c>amount-time</c>, confidence
/// <see cref="MintingBridge.AmountTimeConfidence"/> / candidates, nearest in time first). The continuation is an output
/// seed carrying the burn's tainted share of the released value (floor).</item>
/// <item>Backward, release → burn: for an edge out of the custody (the release transaction's input), the burns of the
/// token within the window before the release whose event names the script of one of the release's outputs
/// (confidence 1), else whose amount matches one of them (amount-time). The continuation is the burn transfer, seeded
/// with the edge's tainted amount (capped at the burn); several custody inputs of one release join one continuation
/// (<see cref="CrossChainTracer"/> adds them up).</item>
/// </list>
/// </summary>
public sealed partial class MintingBridgePairer
{
    private static HashSet<uint> CustodyIds(UtxoChainStore source, IEnumerable<string> addresses)
    {
        var ids = new HashSet<uint>();
        foreach (var a in addresses)
        {
            if (AddressCodec.TryParse(source.Network, a, out var kind, out var payload) && source.FindAddress(kind, payload) is var id and >= 0)
            {
                ids.Add((uint)id);
            }
        }

        return ids;
    }

    private long SourceTime(int height) => _source!.GetBlockHeader(height).Time;

    /// <summary>
    /// Time the window of a release in block <paramref name="height"/> is measured against: the previous block's time. A
    /// release counts as within <see cref="MintingBridge.MaxDelay"/> of a burn when it is in the first source block at or
    /// after the deadline or earlier, so a chain whose blocks are far apart (or late) does not push it out of the window.
    /// </summary>
    private long ReleaseWindowTime(int height) => height > _source!.BaseHeight ? SourceTime(height - 1) : SourceTime(height);

    // ------------------------------------------------------------------ forward: burn → release

    private IReadOnlyList<BridgePairing> Releases(TraceEdge edge, out string reason, CancellationToken ct)
    {
        if (_source is null)
        {
            reason = $"burn of {_bridge.Name}'s token: the source chain {_bridge.SourceChain} is not open to find the release";
            return [];
        }

        if (_custody.Count == 0)
        {
            reason = $"burn of {_bridge.Name}'s token: no custody address of the bridge is on {_bridge.SourceChain}";
            return [];
        }

        if (!EvmHash.TryParse(edge.Tx, out var hash) || _evm.FindTransaction(hash) is var txId && txId < 0)
        {
            reason = $"burn {edge.Ref} is not a transaction of {_bridge.TargetChain}";
            return [];
        }

        var burned = edge.Amount;
        var minRelease = TraceLedgerMath.Scale(burned, (ulong)(10_000 - _bridge.MaxFeeBasisPoints), 10_000);
        var from = edge.Time.ToUnixTimeSeconds();
        var to = from + (long)_bridge.MaxDelay.TotalSeconds;
        var destination = BurnDestination(txId, burned);
        var candidates = new List<(long Output, long Delay, string Method)>();
        var (fromTx, toTx) = ReleaseTxRange(from, to);
        if (destination is not null && DestinationAddress(destination) is { } address)
        {
            foreach (var p in _source.GetPostings(address, fromTx, toTx))
            {
                ct.ThrowIfCancellationRequested();
                if (!p.IsInput && ReleaseCandidate(p.Id, from, to, minRelease, burned) is { } delay)
                {
                    candidates.Add((p.Id, delay, "event"));
                }
            }
        }

        if (candidates.Count == 0)
        {
            foreach (var (output, delay) in CustodyOutputs(from, to, fromTx, toTx, minRelease, burned, ct))
            {
                candidates.Add((output, delay, "amount-time"));
            }
        }

        var ordered = candidates.OrderBy(c => c.Delay).ThenBy(c => c.Output).ToList();
        var result = new List<BridgePairing>();
        foreach (var (output, delay, method) in ordered)
        {
            var o = _source.GetOutput(output);
            var tx = _source.GetTx(_source.TxOfOutput(output));
            var outpoint = $"{tx.TxId}:{(output - tx.FirstOutput).ToString(CultureInfo.InvariantCulture)}";
            var confidence = method == "event" ? 1m : AmountTimeConfidence(ordered.Count);
            var value = new UInt256((ulong)o.Value);
            var detail = method == "event"
                ? $"the burn's {_bridge.BurnEvent} event names destination {_source.FormatAddress(o.AddressId)}; custody release {outpoint} pays it {o.Value} for {burned} burned, {delay / 3600} h later"
                : $"custody release {outpoint} of {o.Value} for {burned} burned (fee ≤ {_bridge.MaxFeeBasisPoints} bp), {delay / 3600} h later; {ordered.Count} candidate(s)"
                    + (destination is null ? "; the burn names no destination" : "; nothing paid the destination the burn names");
            var seed = new TraceSeed(_bridge.SourceChain, TraceSeedKind.Output, outpoint)
            {
                Amount = TraceLedgerMath.Scale(value, edge.Tainted, burned),
                Hop = edge.Hop + 1,
                NotBefore = DateTimeOffset.FromUnixTimeSeconds(SourceTime(tx.Height)),
                Why = $"bridge {_bridge.Name}: burn {edge.Ref} on {edge.Chain} → release {outpoint} on {_bridge.SourceChain} ({method}, confidence {confidence})",
            };
            result.Add(new BridgePairing(_bridge.Name, seed, confidence, method, detail));
        }

        reason = result.Count == 0
            ? $"no {_bridge.Name} release on {_bridge.SourceChain} within {_bridge.MaxDelay.TotalDays:0.#} days " +
              (destination is null ? $"matches the burned amount {burned}" : $"pays the destination the burn names or matches the burned amount {burned}")
            : "";
        return result;
    }

    /// <summary>The destination script the burn event of <paramref name="txId"/> names (the log whose amount is <paramref name="burned"/> first), or null.</summary>
    private byte[]? BurnDestination(long txId, UInt256 burned)
    {
        if (_burnTopic is not { } topic)
        {
            return null;
        }

        var (height, index) = _evm.TransactionLocation(txId);
        var logs = Logs(height)?.Receipts.FirstOrDefault(r => r.TransactionIndex == index)?.Logs;
        byte[]? any = null;
        foreach (var log in logs ?? [])
        {
            if (log.Address != _token || log.Topics.Count == 0 || log.Topics[0] != topic || DecodeBurn(log.Data) is not { } burn)
            {
                continue;
            }

            if (burn.Amount == burned)
            {
                return burn.Script;
            }

            any ??= burn.Script;
        }

        return any;
    }

    /// <summary>ABI (uint256 amount, bytes script) from a burn event's data; null when malformed.</summary>
    public static (UInt256 Amount, byte[] Script)? DecodeBurn(ReadOnlySpan<byte> data)
    {
        if (data.Length < 96)
        {
            return null;
        }

        var amount = UInt256.FromBigEndian(data[..32]);
        var offset = UInt256.FromBigEndian(data.Slice(32, 32));
        if (!offset.FitsUInt64 || offset.Low64 > (ulong)(data.Length - 32))
        {
            return null;
        }

        var at = (int)offset.Low64;
        var length = UInt256.FromBigEndian(data.Slice(at, 32));
        if (!length.FitsUInt64 || length.Low64 > (ulong)(data.Length - at - 32) || length.Low64 == 0)
        {
            return null;
        }

        return (amount, data.Slice(at + 32, (int)length.Low64).ToArray());
    }

    private uint? DestinationAddress(byte[] script)
    {
        Span<byte> payload = stackalloc byte[ScriptClassifier.MaxPayload];
        ScriptClassifier.Classify(script, payload, out var length, out var kind, out _);
        var id = _source!.FindAddress(kind, payload[..length]);
        return id >= 0 ? (uint)id : null;
    }

    /// <summary>Delay (s) after <paramref name="from"/> when output <paramref name="output"/> is a custody release in the window with an amount in range; else null.</summary>
    private long? ReleaseCandidate(long output, long from, long to, UInt256 min, UInt256 max)
    {
        var o = _source!.GetOutput(output);
        var value = new UInt256((ulong)o.Value);
        if (value < min || value > max || _custody.Contains(o.AddressId))
        {
            return null;
        }

        var tx = _source.GetTx(_source.TxOfOutput(output));
        var time = SourceTime(tx.Height);
        if (time < from || ReleaseWindowTime(tx.Height) >= to || !SpendsCustody(tx))
        {
            return null;
        }

        return time - from;
    }

    private bool SpendsCustody(in TxRow tx)
    {
        for (var i = 0; i < tx.InputCount; i++)
        {
            var prev = _source!.GetInput(tx.FirstInput + i).Prev;
            if (prev >= 0 && _custody.Contains(_source.GetOutput(prev).AddressId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Outputs (not back to the custody) of transactions spending a custody address in the window, with an amount in range,
    /// in transaction order. Only the custody's postings in <see cref="ReleaseTxRange"/> are read (a busy custody spends
    /// hundreds of thousands of times).
    /// </summary>
    private IEnumerable<(long Output, long Delay)> CustodyOutputs(long from, long to, long fromTx, long toTx, UInt256 min, UInt256 max, CancellationToken ct)
    {
        var spends = new SortedSet<long>();
        foreach (var custody in _custody.Order())
        {
            foreach (var p in _source!.GetPostings(custody, fromTx, toTx))
            {
                ct.ThrowIfCancellationRequested();
                if (p.IsInput)
                {
                    spends.Add(_source.TxOfInput(p.Id));
                }
            }
        }

        foreach (var txId in spends)
        {
            ct.ThrowIfCancellationRequested();
            var tx = _source!.GetTx(txId);
            for (var j = 0; j < tx.OutputCount; j++)
            {
                if (ReleaseCandidate(tx.FirstOutput + j, from, to, min, max) is { } delay)
                {
                    yield return (tx.FirstOutput + j, delay);
                }
            }
        }
    }

    /// <summary>
    /// The source transactions a release for a burn in [<paramref name="from"/>, <paramref name="to"/>) can be in: from the
    /// first block a day before <paramref name="from"/> up to and including the block after the first one a day past
    /// <paramref name="to"/> (a release is measured by its previous block's time, and blocks can be days apart; block times
    /// are not strictly ordered, but never by a day). <see cref="ReleaseCandidate"/> checks each output's exact times.
    /// </summary>
    private (long FromTx, long ToTx) ReleaseTxRange(long from, long to) =>
        (FirstTxOf(FirstSourceHeightAtOrAfter(from - 86_400)), FirstTxOf(FirstSourceHeightAtOrAfter(to + 86_400) + 1));

    /// <summary>The first source block whose header time is at or after <paramref name="time"/> (binary search over the headers; past the tip when none).</summary>
    private int FirstSourceHeightAtOrAfter(long time)
    {
        int lo = _source!.BaseHeight, hi = _source.TipHeight + 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (SourceTime(mid) < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first transaction of block <paramref name="height"/> (the transaction count past the tip).</summary>
    private long FirstTxOf(int height) => height > _source!.TipHeight ? _source.TxCount : _source.GetBlockMeta(height).FirstTx;

    // ------------------------------------------------------------------ backward: release → burn

    private IReadOnlyList<BridgePairing> Burns(TraceEdge edge, out string reason, CancellationToken ct)
    {
        if (_source is null)
        {
            reason = $"release by {_bridge.Name}: the source chain's store is not open to read the release";
            return [];
        }

        if (!Hash256.TryParse(edge.Tx, out var txid) || _source.FindTx(txid) is var txId && txId < 0)
        {
            reason = $"release {edge.Tx} is not a transaction of {_bridge.SourceChain}";
            return [];
        }

        // what the release paid out (not back to the custody): script and value of each output
        var release = _source.GetTx(txId);
        var paid = new List<(byte[] Script, UInt256 Value, string Address)>();
        for (var j = 0; j < release.OutputCount; j++)
        {
            var o = _source.GetOutput(release.FirstOutput + j);
            if (!o.HasAddress || _custody.Contains(o.AddressId))
            {
                continue;
            }

            var (kind, payload) = _source.GetAddress(o.AddressId);
            if (ScriptClassifier.BuildScript(kind, payload) is { } script)
            {
                paid.Add((script, new UInt256((ulong)o.Value), _source.FormatAddress(o.AddressId)));
            }
        }

        var at = SourceTime(release.Height);
        var byEvent = new List<(StoredTransfer T, long Delay, string Address)>();
        var byAmount = new List<(StoredTransfer T, long Delay)>();
        var windowStart = ReleaseWindowTime(release.Height) - (long)_bridge.MaxDelay.TotalSeconds + 1;
        for (var h = FirstHeightAtOrAfter(windowStart); h <= (_evm.TipHeight ?? -1) && _evm.Timestamp(h) <= at; h++)
        {
            ct.ThrowIfCancellationRequested();
            var (first, count) = _evm.BlockTransfers(h);
            for (var i = 0; i < count; i++)
            {
                var t = _evm.Transfer(first + i);
                if (t.ToId >= 0 || t.FromId < 0 || t.AssetId != _tokenId || t.Kind != EvmTransferKind.Erc20)
                {
                    continue;
                }

                var delay = at - _evm.Timestamp(h);
                var named = BurnDestination(t.TxId, t.Amount);
                var match = named is null ? -1 : paid.FindIndex(p => p.Script.AsSpan().SequenceEqual(named));
                var min = TraceLedgerMath.Scale(t.Amount, (ulong)(10_000 - _bridge.MaxFeeBasisPoints), 10_000);
                if (match >= 0)
                {
                    byEvent.Add((t, delay, paid[match].Address));
                }
                else if (named is null && paid.Exists(p => p.Value >= min && p.Value <= t.Amount))
                {
                    byAmount.Add((t, delay));
                }
            }
        }

        var result = new List<BridgePairing>();
        foreach (var (t, delay, address) in byEvent.OrderBy(c => c.Delay).ThenBy(c => c.T.Id))
        {
            result.Add(BurnContinuation(edge, t, 1m, "event",
                $"burn {BurnRef(t)} of {t.Amount}, {delay / 3600} h before, names destination {address}, which release {edge.Tx} pays"));
        }

        var ordered = byAmount.OrderBy(c => c.Delay).ThenBy(c => c.T.Id).ToList();
        foreach (var (t, delay) in ordered)
        {
            var confidence = AmountTimeConfidence(ordered.Count);
            result.Add(BurnContinuation(edge, t, confidence, "amount-time",
                $"burn {BurnRef(t)} of {t.Amount}, {delay / 3600} h before release {edge.Tx}, matches a released amount (fee ≤ {_bridge.MaxFeeBasisPoints} bp); {ordered.Count} candidate(s)"));
        }

        reason = result.Count == 0
            ? $"no burn of {_bridge.Name}'s token within {_bridge.MaxDelay.TotalDays:0.#} days before release {edge.Tx} names what it pays or matches its amounts"
            : "";
        return result;
    }

    private string BurnRef(in StoredTransfer t) => $"{_evm.TransactionHash(t.TxId)}:{t.Position.ToString(CultureInfo.InvariantCulture)}";

    private BridgePairing BurnContinuation(TraceEdge edge, in StoredTransfer burn, decimal confidence, string method, string detail)
    {
        var reference = BurnRef(burn);
        var seed = new TraceSeed(_bridge.TargetChain, TraceSeedKind.Output, reference)
        {
            Amount = edge.Tainted < burn.Amount ? edge.Tainted : burn.Amount,
            Asset = _token.ToString(),
            Hop = edge.Hop + 1,
            Why = $"bridge {_bridge.Name}: release {edge.Tx} on {edge.Chain} ← burn {reference} on {_bridge.TargetChain} ({method}, confidence {confidence})",
        };
        return new BridgePairing(_bridge.Name, seed, confidence, method, detail);
    }
}
