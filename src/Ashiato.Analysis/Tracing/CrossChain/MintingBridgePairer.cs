using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tracing.CrossChain;

/// <summary>
/// A lock-and-mint bridge: coins deposited to custody addresses on a source chain (any chain, e.g. Bitcoin) are minted
/// as a token on an EVM chain, less a fee; the way back burns the token and the custody releases coins on the source
/// chain, less a fee. <see cref="MintEvent"/> is the token's event that names the deposit transaction (topic 0; the
/// deposit's txid as one 32-byte word of its data), <see cref="BurnEvent"/> the event that names the release's
/// destination, when the bridge has them.
/// </summary>
/// <param name="Name">The bridge's name (and label entity, e.g. <c>shoreline-bridge</c>).</param>
/// <param name="SourceChain">Chain of the custody addresses.</param>
/// <param name="CustodyAddresses">Custody addresses as the source chain's tracer writes them in <see cref="TraceNode.Address"/>.</param>
/// <param name="TargetChain">The EVM chain where the token is minted.</param>
/// <param name="Token">The wrapped token's contract (0x…).</param>
public sealed record MintingBridge(string Name, string SourceChain, IReadOnlySet<string> CustodyAddresses, string TargetChain, string Token)
{
    /// <summary>Event signature of a mint that names its deposit (the simulated Shoreline bridge's <c>BridgeMint(address,uint256,bytes32)</c> by default).</summary>
    public string? MintEvent { get; init; } = "BridgeMint(address,uint256,bytes32)";

    /// <summary>
    /// Event signature of a burn that names where the coins go on the source chain: topic 0, data = (uint256 amount,
    /// bytes destination scriptPubKey) ABI-encoded (the simulated Shoreline bridge's <c>BridgeBurn(address,uint256,bytes)</c>
    /// by default, the burner indexed).
    /// </summary>
    public string? BurnEvent { get; init; } = "BridgeBurn(address,uint256,bytes)";

    /// <summary>Largest bridge fee accepted when pairing by amount (basis points of the deposit or burn).</summary>
    public int MaxFeeBasisPoints { get; init; } = 100;

    /// <summary>Longest delay from deposit to mint.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Confidence of a pairing by amount and time when it is the only candidate (divided by the number of candidates).</summary>
    public decimal AmountTimeConfidence { get; init; } = 0.8m;
}

/// <summary>
/// Pairs deposits and mints of a <see cref="MintingBridge"/>. Forward: an edge into a custody address on the source chain
/// → the token mint on the EVM chain whose event names the deposit transaction (confidence 1), else mints within
/// <see cref="MintingBridge.MaxDelay"/> whose amount is the deposit less at most the maximum fee (nearest in time first,
/// confidence <see cref="MintingBridge.AmountTimeConfidence"/> / candidates). The continuation carries the tainted part
/// of the deposit scaled to the minted amount (floor). Backward: a mint edge (rule <c>bridge:follow</c>) → the deposit
/// transaction its event names. The way back (needs the source chain's store; <c>MintingBridgePairer.Return.cs</c>):
/// forward a burn edge → the custody's release to the destination the burn names; backward an edge out of the custody →
/// the burn whose destination the release pays.
/// </summary>
public sealed partial class MintingBridgePairer : IBridgePairer
{
    private readonly MintingBridge _bridge;
    private readonly EvmChainStore _evm;
    private readonly EvmAddress _token;
    private readonly long _tokenId;
    private readonly EvmHash? _topic;
    private readonly EvmHash? _burnTopic;
    private readonly UtxoChainStore? _source;
    private readonly HashSet<uint> _custody = [];
    private readonly Dictionary<long, EvmBlockBundle?> _bundles = [];

    /// <param name="source">The source chain's store: needed to pair burns with releases (without it burns stay unpaired, saying why).</param>
    public MintingBridgePairer(MintingBridge bridge, EvmChainStore evm, UtxoChainStore? source = null)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentNullException.ThrowIfNull(evm);
        if (evm.ChainName != bridge.TargetChain)
        {
            throw new UserErrorException($"bridge {bridge.Name}: target chain '{bridge.TargetChain}' but the store holds '{evm.ChainName}'");
        }

        if (!EvmAddress.TryParse(bridge.Token, out _token))
        {
            throw new UserErrorException($"bridge {bridge.Name}: token '{bridge.Token}' is not an EVM address");
        }

        _bridge = bridge;
        _evm = evm;
        _tokenId = evm.FindAddress(_token);
        _topic = bridge.MintEvent is { } sig ? new EvmHash(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(sig))) : null;
        _burnTopic = bridge.BurnEvent is { } burn ? new EvmHash(Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(burn))) : null;
        if (source is not null)
        {
            if (source.ChainName != bridge.SourceChain)
            {
                throw new UserErrorException($"bridge {bridge.Name}: source chain '{bridge.SourceChain}' but the store holds '{source.ChainName}'");
            }

            _source = source;
            _custody = CustodyIds(source, bridge.CustodyAddresses);
        }
    }

    public string Bridge => _bridge.Name;

    public bool Claims(TraceEdge edge, TraceNode? from, TraceNode? to, TraceDirection direction)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (edge.Chain == _bridge.TargetChain)
        {
            // forward: a burn of the token; backward: a mint of it
            return edge.Rule == TraceRules.BridgeFollow && string.Equals(edge.Asset, _token.ToString(), StringComparison.Ordinal);
        }

        // forward: a deposit into the custody; backward: a release out of it
        var custody = direction == TraceDirection.Forward ? to : from;
        return edge.Chain == _bridge.SourceChain && custody is not null
            && (_bridge.CustodyAddresses.Contains(custody.Address) || (custody.Label is { } l && TraceCategories.IsBridge(l.Category) && l.Entity == _bridge.Name));
    }

    public IReadOnlyList<BridgePairing> Pair(TraceEdge edge, TraceDirection direction, out string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (_tokenId < 0)
        {
            reason = $"token {_token} never moved on {_bridge.TargetChain}";
            return [];
        }

        return (direction, edge.Chain == _bridge.SourceChain) switch
        {
            (TraceDirection.Forward, true) => Mints(edge, out reason, cancellationToken),
            (TraceDirection.Forward, false) => Releases(edge, out reason, cancellationToken),
            (_, false) => Deposit(edge, out reason),
            _ => Burns(edge, out reason, cancellationToken),
        };
    }

    private IReadOnlyList<BridgePairing> Mints(TraceEdge edge, out string reason, CancellationToken ct)
    {
        var deposit = edge.Amount;
        var txid = TryTxid(edge.Tx);
        var minMint = TraceLedgerMath.Scale(deposit, (ulong)(10_000 - _bridge.MaxFeeBasisPoints), 10_000);
        var byEvent = new List<(StoredTransfer T, long Delay)>();
        var byAmount = new List<(StoredTransfer T, long Delay)>();
        var from = edge.Time.ToUnixTimeSeconds();
        var to = from + (long)_bridge.MaxDelay.TotalSeconds;
        for (var h = FirstHeightAtOrAfter(from); h <= (_evm.TipHeight ?? -1) && _evm.Timestamp(h) <= to; h++)
        {
            ct.ThrowIfCancellationRequested();
            var (first, count) = _evm.BlockTransfers(h);
            for (var i = 0; i < count; i++)
            {
                var t = _evm.Transfer(first + i);
                if (t.FromId >= 0 || t.AssetId != _tokenId || t.Kind != EvmTransferKind.Erc20 || t.ToId < 0)
                {
                    continue;
                }

                var delay = _evm.Timestamp(h) - from;
                if (txid is not null && NamesDeposit(t, txid))
                {
                    byEvent.Add((t, delay));
                }
                else if (t.Amount <= deposit && t.Amount >= minMint)
                {
                    byAmount.Add((t, delay));
                }
            }
        }

        var result = new List<BridgePairing>();
        foreach (var (t, _) in byEvent)
        {
            result.Add(Continuation(edge, t, 1m, "event", $"the mint's {_bridge.MintEvent} event names deposit {edge.Tx}"));
        }

        var ordered = byAmount.OrderBy(c => c.Delay).ThenBy(c => c.T.Id).ToList();
        foreach (var (t, delay) in ordered)
        {
            var confidence = AmountTimeConfidence(ordered.Count);
            result.Add(Continuation(edge, t, confidence, "amount-time",
                $"minted {t.Amount} for a deposit of {deposit} (fee ≤ {_bridge.MaxFeeBasisPoints} bp), {delay / 3600} h later; {ordered.Count} candidate(s)"));
        }

        reason = result.Count == 0
            ? $"no {_bridge.Name} mint within {_bridge.MaxDelay.TotalDays:0.#} days names deposit {edge.Tx} or matches its amount {deposit}"
            : "";
        return result;
    }

    /// <summary>Confidence of one of <paramref name="candidates"/> matches by amount and time (4 decimals).</summary>
    private decimal AmountTimeConfidence(int candidates) => decimal.Round(_bridge.AmountTimeConfidence / candidates, 4, MidpointRounding.ToEven);

    private BridgePairing Continuation(TraceEdge edge, StoredTransfer mint, decimal confidence, string method, string detail)
    {
        var hash = _evm.TransactionHash(mint.TxId).ToString();
        var tainted = TraceLedgerMath.Scale(mint.Amount, edge.Tainted, edge.Amount);
        var time = DateTimeOffset.FromUnixTimeSeconds(_evm.Timestamp(mint.Height));
        var seed = new TraceSeed(_bridge.TargetChain, TraceSeedKind.Output, $"{hash}:{mint.Position}")
        {
            Amount = tainted,
            Asset = _token.ToString(),
            Hop = edge.Hop + 1,
            NotBefore = time,
            Why = $"bridge {_bridge.Name}: deposit {edge.Tx} on {edge.Chain} → mint {hash}:{mint.Position} on {_bridge.TargetChain} ({method}, confidence {confidence})",
        };
        return new BridgePairing(_bridge.Name, seed, confidence, method, detail);
    }

    /// <summary>Backward: the deposit named by the mint's event.</summary>
    private IReadOnlyList<BridgePairing> Deposit(TraceEdge edge, out string reason)
    {
        var colon = edge.Ref?.LastIndexOf(':') ?? -1;
        if (colon < 0 || !EvmHash.TryParse(edge.Tx, out var hash) || _evm.FindTransaction(hash) is var txId && txId < 0)
        {
            reason = $"mint {edge.Ref} is not a transaction of {_bridge.TargetChain}";
            return [];
        }

        var (height, index) = _evm.TransactionLocation(txId);
        var log = Logs(height)?.Receipts.FirstOrDefault(r => r.TransactionIndex == index)?.Logs
            .FirstOrDefault(l => l.Address == _token && l.Topics.Count > 0 && _topic is { } topic && l.Topics[0] == topic && l.Data.Length >= 64);
        if (log is null)
        {
            reason = $"mint {edge.Ref} carries no {_bridge.MintEvent ?? "mint"} event naming its deposit";
            return [];
        }

        var txid = Convert.ToHexStringLower(log.Data.AsSpan(log.Data.Length - 32, 32));
        reason = "";
        var seed = new TraceSeed(_bridge.SourceChain, TraceSeedKind.Transaction, txid)
        {
            Amount = edge.Tainted,
            Hop = edge.Hop + 1,
            Why = $"bridge {_bridge.Name}: mint {edge.Ref} on {edge.Chain} ← deposit {txid} on {_bridge.SourceChain} (event)",
        };
        return [new BridgePairing(_bridge.Name, seed, 1m, "event", $"the mint's {_bridge.MintEvent} event names deposit {txid} (the tainted amount is the minted one; the bridge fee is not attributed)")];
    }

    private bool NamesDeposit(in StoredTransfer mint, byte[] txid)
    {
        if (_topic is not { } topic)
        {
            return false;
        }

        var index = mint.TransactionIndex;
        var receipt = Logs(mint.Height)?.Receipts.FirstOrDefault(r => r.TransactionIndex == index);
        if (receipt is null)
        {
            return false;
        }

        foreach (var log in receipt.Logs)
        {
            if (log.Address != _token || log.Topics.Count == 0 || log.Topics[0] != topic)
            {
                continue;
            }

            for (var o = 0; o + 32 <= log.Data.Length; o += 32)
            {
                if (log.Data.AsSpan(o, 32).SequenceEqual(txid))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private EvmBlockBundle? Logs(long height)
    {
        if (!_bundles.TryGetValue(height, out var bundle))
        {
            var data = _evm.Bundle(height);
            bundle = data.IsEmpty ? null : EvmBundleCodec.Decode(data, $"{_evm.ChainName} block {height}");
            _bundles[height] = bundle;
        }

        return bundle;
    }

    private long FirstHeightAtOrAfter(long time)
    {
        long lo = _evm.BaseHeight, hi = _evm.TipHeight ?? (_evm.BaseHeight - 1);
        if (hi < lo)
        {
            return lo;
        }

        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_evm.Timestamp(mid) < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return _evm.Timestamp(lo) < time ? lo + 1 : lo;
    }

    /// <summary>A deposit txid as 32 bytes (hex as written, with or without 0x), or null when it is no 32-byte hash.</summary>
    private static byte[]? TryTxid(string tx)
    {
        var hex = tx.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? tx[2..] : tx;
        if (hex.Length != 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Exact integer scaling shared by the cross-chain code.</summary>
internal static class TraceLedgerMath
{
    /// <summary>floor(value × numerator / denominator); 0 when the denominator is 0.</summary>
    public static UInt256 Scale(UInt256 value, UInt256 numerator, UInt256 denominator) =>
        denominator.IsZero ? UInt256.Zero : UInt256.FromBigInteger(value.ToBigInteger() * numerator.ToBigInteger() / denominator.ToBigInteger());
}
