using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Transfers;

/// <summary>Settings of <see cref="EvmTransferExtractor"/>.</summary>
public sealed record EvmTransferOptions
{
    /// <summary>
    /// Contracts known to be WETH-style wrappers: their <c>Deposit</c>/<c>Withdrawal</c> events always count as
    /// <see cref="EvmTransferKind.Wrap"/>/<see cref="EvmTransferKind.Unwrap"/>, with or without native-value evidence.
    /// </summary>
    public IReadOnlySet<EvmAddress> WrapperContracts { get; init; } = new HashSet<EvmAddress>();
}

/// <summary>
/// Turns a block bundle into its value movements (<see cref="EvmTransfer"/>), in a deterministic order.
/// </summary>
/// <remarks>
/// <para><b>Order.</b> For each transaction in index order: (a) its own value, (b) the burnt fee, (c) the fee tip, (d) internal
/// value from its traces in trace order, (e) token transfers from its logs in log-index order. Then the block-level items:
/// reward traces in trace order, then withdrawals. Block-level transfers have <c>TransactionIndex = -1</c> and
/// <c>Position</c> = their index among the block-level transfers; otherwise Position is 0 (own value), 1 (burnt fee),
/// 2 (tip), the trace's ordinal in the block's trace list, or the log index (all items of one ERC-1155 batch share it).</para>
/// <para><b>Success.</b> A transaction succeeded when its receipt's status is non-zero. Before Byzantium receipts have no
/// status: then the top-level trace's error decides when traces are present, and without traces the transaction is taken
/// as successful (pre-Byzantium failures cannot be told apart without traces). A failed transaction moves nothing but still
/// pays its fee (b, c); its logs, if a node reported any, are skipped.</para>
/// <para><b>(a) Native</b>: a successful transaction with value &gt; 0 sends it to <c>To</c>, or for a contract creation to the
/// receipt's contract address (or the top-level create trace's address).</para>
/// <para><b>(b) FeeBurnt</b> (To = null): gasUsed × block base fee when the block has one, plus blobGasUsed × blobGasPrice for
/// blob transactions. <b>(c) FeeTip</b> (to the block's miner / fee recipient): gasUsed × effective gas price (the receipt's,
/// else the transaction's gas price) minus the base-fee part; before London the whole fee. So burnt (without blobs) + tip
/// = gasUsed × effective price. L2 extras (L1 data fee, OP-stack fee vaults) are not modelled.</para>
/// <para><b>(d) Internal</b>, only when the bundle has traces (without them internal transfers are simply absent): the top-level
/// trace (empty trace address) is the transaction's own value, already (a), and is skipped. A trace whose own error or
/// any ancestor's error is set moves nothing. Calls with call type delegatecall, staticcall or callcode move nothing
/// (a delegatecall's value is the caller's context; CALLCODE credits the value back to the caller itself, so no balance
/// changes, as in ethereum-etl's balance queries); other calls with value &gt; 0 are <see cref="EvmTransferKind.Internal"/>;
/// creates (create and create2) with value &gt; 0 are <see cref="EvmTransferKind.Create"/> to the new contract; a suicide with value
/// &gt; 0 is <see cref="EvmTransferKind.SelfDestruct"/> from the destroyed contract to the beneficiary.</para>
/// <para><b>(e) Tokens</b>: <c>Transfer(address,address,uint256)</c> with 3 topics and 32 data bytes is ERC-20; with 4 topics
/// and no data ERC-721 (token id = topic 3, amount 1); other shapes are skipped. ERC-1155 <c>TransferSingle</c> (4 topics, 64
/// data bytes) gives one transfer and <c>TransferBatch</c> one per (id, value) pair of its two ABI-encoded uint256 arrays; a
/// batch whose arrays do not decode or differ in length is skipped. A zero <c>from</c> is a mint (From = null), a zero
/// <c>to</c> a burn (To = null). Zero amounts are kept for tokens (zero-value transfers are evidence, e.g. of address
/// poisoning) but never emitted for native value.</para>
/// <para><b>Wrap / Unwrap.</b> <c>Deposit(address indexed dst, uint256 wad)</c> (2 topics, 32 data bytes) is
/// <see cref="EvmTransferKind.Wrap"/> (Asset = the emitting contract, From = null, To = dst) and
/// <c>Withdrawal(address indexed src, uint256 wad)</c> is <see cref="EvmTransferKind.Unwrap"/> (From = src, To = null), but the
/// same signatures are common in unrelated contracts, so only when the emitting contract is in
/// <see cref="EvmTransferOptions.WrapperContracts"/>, or when the same transaction's native transfers (a and d) moved at
/// least wad (wad &gt; 0) into the contract (for Deposit) or out of it (for Withdrawal). Each such event uses up the value
/// it matched, so two deposits need two payments. Without traces only a direct top-level payment is evidence, so an
/// unwrap is recognised only for listed wrappers.</para>
/// </remarks>
public sealed class EvmTransferExtractor(EvmTransferOptions? options = null)
{
    public EvmTransferOptions Options { get; } = options ?? new EvmTransferOptions();

    /// <summary>The asset contracts (tokens and wrappers) of the transfers, in address order.</summary>
    public static IReadOnlySet<EvmAddress> TokenContracts(IEnumerable<EvmTransfer> transfers)
    {
        var set = new SortedSet<EvmAddress>();
        foreach (var t in transfers)
        {
            if (t.Asset is { } asset)
            {
                set.Add(asset);
            }
        }

        return set;
    }

    public IReadOnlyList<EvmTransfer> Extract(EvmBlockBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var block = bundle.Block;
        var txs = block.Transactions;
        var traces = bundle.Traces;
        var receipts = new ReceiptLookup(txs, bundle.Receipts);
        var (byTx, rewards) = GroupTraces(txs, traces);
        var output = new List<EvmTransfer>(txs.Count * 4);

        for (var p = 0; p < txs.Count; p++)
        {
            var tx = txs[p];
            var receipt = receipts.For(p);
            var txTraces = byTx?[p];
            EvmTrace? top = null;
            if (txTraces is not null)
            {
                foreach (var i in txTraces)
                {
                    if (traces![i].TraceAddress.Count == 0)
                    {
                        top = traces[i];
                        break;
                    }
                }
            }

            var success = receipt?.Status is { } status ? status != 0 : top?.Error is null;
            var txIndex = tx.TransactionIndex;
            var txStart = output.Count;

            // (a) the transaction's own value
            if (success && !tx.Value.IsZero)
            {
                var to = tx.To ?? receipt?.ContractAddress ?? top?.To;
                output.Add(new EvmTransfer(EvmTransferKind.Native, txIndex, 0, null, tx.From, to, tx.Value, UInt256.Zero));
            }

            // (b), (c) fees
            if (receipt is not null)
            {
                AddFees(output, block, tx, receipt);
            }

            // (d) internal value
            if (success && txTraces is not null)
            {
                AddInternal(output, traces!, txTraces, txIndex);
            }

            // (e) token logs
            if (success && receipt is not null && receipt.Logs.Count > 0)
            {
                AddTokenLogs(output, receipt, txIndex, txStart);
            }
        }

        // block level: rewards, then withdrawals
        var position = 0;
        if (rewards is not null)
        {
            foreach (var i in rewards)
            {
                var t = traces![i];
                if (t.Value is { IsZero: false } value)
                {
                    var kind = string.Equals(t.RewardType, "uncle", StringComparison.OrdinalIgnoreCase) ? EvmTransferKind.UncleReward : EvmTransferKind.BlockReward;
                    output.Add(new EvmTransfer(kind, -1, position++, null, null, t.To, value, UInt256.Zero));
                }
            }
        }

        if (block.Withdrawals is { } withdrawals)
        {
            foreach (var w in withdrawals)
            {
                if (w.AmountGwei != 0)
                {
                    output.Add(new EvmTransfer(EvmTransferKind.Withdrawal, -1, position++, null, null, w.Address, w.AmountWei, UInt256.Zero));
                }
            }
        }

        return output;
    }

    private static void AddFees(List<EvmTransfer> output, EvmBlock block, EvmTransaction tx, EvmReceipt receipt)
    {
        if (receipt.GasUsed < 0)
        {
            return;
        }

        var gasUsed = new UInt256((ulong)receipt.GasUsed);
        var baseBurnt = block.BaseFeePerGas is { } baseFee ? gasUsed * baseFee : UInt256.Zero;
        var blobBurnt = receipt.BlobGasUsed is { } blobGas && blobGas > 0 && receipt.BlobGasPrice is { } blobPrice
            ? new UInt256((ulong)blobGas) * blobPrice
            : UInt256.Zero;
        var burnt = baseBurnt + blobBurnt;
        if (!burnt.IsZero)
        {
            output.Add(new EvmTransfer(EvmTransferKind.FeeBurnt, tx.TransactionIndex, 1, null, tx.From, null, burnt, UInt256.Zero));
        }

        if ((receipt.EffectiveGasPrice ?? tx.GasPrice) is { } price)
        {
            var total = gasUsed * price;
            var tip = total > baseBurnt ? total - baseBurnt : UInt256.Zero;
            if (!tip.IsZero)
            {
                output.Add(new EvmTransfer(EvmTransferKind.FeeTip, tx.TransactionIndex, 2, null, tx.From, block.Miner, tip, UInt256.Zero));
            }
        }
    }

    private static void AddInternal(List<EvmTransfer> output, IReadOnlyList<EvmTrace> traces, List<int> txTraces, int txIndex)
    {
        List<IReadOnlyList<int>>? failed = null;
        foreach (var i in txTraces)
        {
            if (traces[i].Error is not null)
            {
                (failed ??= []).Add(traces[i].TraceAddress);
            }
        }

        foreach (var i in txTraces)
        {
            var t = traces[i];
            if (t.TraceAddress.Count == 0 || t.Value is not { IsZero: false } value || IsUnderFailure(t.TraceAddress, failed))
            {
                continue;
            }

            EvmTransferKind kind;
            switch (t.TraceType)
            {
                case EvmTraceType.Call:
                    if (t.CallType is { } callType
                        && (callType.Equals("delegatecall", StringComparison.OrdinalIgnoreCase)
                            || callType.Equals("staticcall", StringComparison.OrdinalIgnoreCase)
                            || callType.Equals("callcode", StringComparison.OrdinalIgnoreCase)))
                    {
                        continue;
                    }

                    kind = EvmTransferKind.Internal;
                    break;
                case EvmTraceType.Create:
                    kind = EvmTransferKind.Create;
                    break;
                case EvmTraceType.Suicide:
                    kind = EvmTransferKind.SelfDestruct;
                    break;
                default:
                    continue;
            }

            output.Add(new EvmTransfer(kind, txIndex, i, null, t.From, t.To, value, UInt256.Zero));
        }
    }

    /// <summary>True when a failed trace's address is a prefix of (or equal to) this one: the trace or an ancestor reverted.</summary>
    private static bool IsUnderFailure(IReadOnlyList<int> address, List<IReadOnlyList<int>>? failed)
    {
        if (failed is null)
        {
            return false;
        }

        foreach (var f in failed)
        {
            if (f.Count > address.Count)
            {
                continue;
            }

            var prefix = true;
            for (var k = 0; k < f.Count; k++)
            {
                if (f[k] != address[k])
                {
                    prefix = false;
                    break;
                }
            }

            if (prefix)
            {
                return true;
            }
        }

        return false;
    }

    private void AddTokenLogs(List<EvmTransfer> output, EvmReceipt receipt, int txIndex, int txStart)
    {
        Dictionary<EvmAddress, UInt256>? inflow = null, outflow = null;
        Span<byte> word = stackalloc byte[32];
        foreach (var log in receipt.Logs.OrderBy(l => l.LogIndex))
        {
            var topics = log.Topics;
            if (topics.Count == 0)
            {
                continue;
            }

            var t0 = topics[0];
            var data = log.Data;
            var position = log.LogIndex;
            var asset = log.Address;
            if (t0 == EventSignatures.Transfer)
            {
                if (topics.Count == 3 && data.Length == 32)
                {
                    output.Add(new EvmTransfer(EvmTransferKind.Erc20, txIndex, position, asset, Party(topics[1], word), Party(topics[2], word),
                        UInt256.FromBigEndian(data), UInt256.Zero));
                }
                else if (topics.Count == 4 && data.Length == 0)
                {
                    output.Add(new EvmTransfer(EvmTransferKind.Erc721, txIndex, position, asset, Party(topics[1], word), Party(topics[2], word),
                        UInt256.One, Number(topics[3], word)));
                }
            }
            else if (t0 == EventSignatures.TransferSingle)
            {
                if (topics.Count == 4 && data.Length == 64)
                {
                    output.Add(new EvmTransfer(EvmTransferKind.Erc1155, txIndex, position, asset, Party(topics[2], word), Party(topics[3], word),
                        UInt256.FromBigEndian(data.AsSpan(32, 32)), UInt256.FromBigEndian(data.AsSpan(0, 32))));
                }
            }
            else if (t0 == EventSignatures.TransferBatch)
            {
                if (topics.Count == 4 && TryDecodeBatch(data, out var ids, out var values))
                {
                    var from = Party(topics[2], word);
                    var to = Party(topics[3], word);
                    for (var k = 0; k < ids.Length; k++)
                    {
                        output.Add(new EvmTransfer(EvmTransferKind.Erc1155, txIndex, position, asset, from, to, values[k], ids[k]));
                    }
                }
            }
            else if (t0 == EventSignatures.Deposit || t0 == EventSignatures.Withdrawal)
            {
                if (topics.Count != 2 || data.Length != 32)
                {
                    continue;
                }

                var isDeposit = t0 == EventSignatures.Deposit;
                var wad = UInt256.FromBigEndian(data);
                var account = Address(topics[1], word);
                if (inflow is null || outflow is null)
                {
                    (inflow, outflow) = NativeFlows(output, txStart);
                }

                if (!Options.WrapperContracts.Contains(asset) && !Consume(isDeposit ? inflow : outflow, asset, wad))
                {
                    continue;
                }

                output.Add(isDeposit
                    ? new EvmTransfer(EvmTransferKind.Wrap, txIndex, position, asset, null, account, wad, UInt256.Zero)
                    : new EvmTransfer(EvmTransferKind.Unwrap, txIndex, position, asset, account, null, wad, UInt256.Zero));
            }
        }
    }

    /// <summary>Native value moved into and out of each address by this transaction's own value and internal transfers.</summary>
    private static (Dictionary<EvmAddress, UInt256> In, Dictionary<EvmAddress, UInt256> Out) NativeFlows(List<EvmTransfer> output, int txStart)
    {
        var inflow = new Dictionary<EvmAddress, UInt256>();
        var outflow = new Dictionary<EvmAddress, UInt256>();
        for (var i = txStart; i < output.Count; i++)
        {
            var t = output[i];
            if (t.Asset is not null || t.Kind is not (EvmTransferKind.Native or EvmTransferKind.Internal or EvmTransferKind.Create or EvmTransferKind.SelfDestruct))
            {
                continue;
            }

            if (t.To is { } to)
            {
                inflow[to] = inflow.GetValueOrDefault(to) + t.Amount;
            }

            if (t.From is { } from)
            {
                outflow[from] = outflow.GetValueOrDefault(from) + t.Amount;
            }
        }

        return (inflow, outflow);
    }

    private static bool Consume(Dictionary<EvmAddress, UInt256> budget, EvmAddress contract, UInt256 wad)
    {
        if (wad.IsZero || !budget.TryGetValue(contract, out var available) || available < wad)
        {
            return false;
        }

        budget[contract] = available - wad;
        return true;
    }

    /// <summary>Decodes <c>(uint256[] ids, uint256[] values)</c>; false when an offset or length points outside the data or the lengths differ.</summary>
    private static bool TryDecodeBatch(byte[] data, out UInt256[] ids, out UInt256[] values)
    {
        ids = values = [];
        if (data.Length < 64)
        {
            return false;
        }

        if (!TryReadArray(data, UInt256.FromBigEndian(data.AsSpan(0, 32)), out ids) ||
            !TryReadArray(data, UInt256.FromBigEndian(data.AsSpan(32, 32)), out values))
        {
            return false;
        }

        return ids.Length == values.Length;
    }

    private static bool TryReadArray(byte[] data, UInt256 offsetWord, out UInt256[] items)
    {
        items = [];
        if (data.Length < 32 || !offsetWord.FitsUInt64 || offsetWord.Low64 > (ulong)(data.Length - 32))
        {
            return false;
        }

        var offset = (int)offsetWord.Low64;
        var lengthWord = UInt256.FromBigEndian(data.AsSpan(offset, 32));
        var available = (ulong)(data.Length - offset - 32) / 32;
        if (!lengthWord.FitsUInt64 || lengthWord.Low64 > available)
        {
            return false;
        }

        items = new UInt256[(int)lengthWord.Low64];
        for (var k = 0; k < items.Length; k++)
        {
            items[k] = UInt256.FromBigEndian(data.AsSpan(offset + 32 + (32 * k), 32));
        }

        return true;
    }

    private static EvmAddress Address(EvmHash topic, Span<byte> word)
    {
        topic.WriteTo(word);
        return EvmAddress.FromWord(word);
    }

    /// <summary>The address in a topic, or null for the zero address (mint / burn).</summary>
    private static EvmAddress? Party(EvmHash topic, Span<byte> word)
    {
        var a = Address(topic, word);
        return a.IsZero ? null : a;
    }

    private static UInt256 Number(EvmHash topic, Span<byte> word)
    {
        topic.WriteTo(word);
        return UInt256.FromBigEndian(word);
    }

    /// <summary>Trace indices per transaction position, and the reward traces; (null, null) without traces.</summary>
    private static (List<int>[]? ByTx, List<int>? Rewards) GroupTraces(IReadOnlyList<EvmTransaction> txs, IReadOnlyList<EvmTrace>? traces)
    {
        if (traces is null)
        {
            return (null, null);
        }

        var byTx = new List<int>[txs.Count];
        for (var p = 0; p < byTx.Length; p++)
        {
            byTx[p] = [];
        }

        var rewards = new List<int>();
        Dictionary<EvmHash, int>? byHash = null;
        Dictionary<int, int>? byIndex = null;
        for (var i = 0; i < traces.Count; i++)
        {
            var t = traces[i];
            if (t.TraceType == EvmTraceType.Reward)
            {
                rewards.Add(i);
                continue;
            }

            int p;
            if (t.TransactionHash is { } hash)
            {
                byHash ??= txs.Select((tx, k) => (tx.Hash, k)).GroupBy(x => x.Hash).ToDictionary(g => g.Key, g => g.First().k);
                if (!byHash.TryGetValue(hash, out p))
                {
                    continue;
                }
            }
            else if (t.TransactionIndex is { } index)
            {
                byIndex ??= txs.Select((tx, k) => (tx.TransactionIndex, k)).GroupBy(x => x.TransactionIndex).ToDictionary(g => g.Key, g => g.First().k);
                if (!byIndex.TryGetValue(index, out p))
                {
                    continue;
                }
            }
            else
            {
                continue;
            }

            byTx[p].Add(i);
        }

        return (byTx, rewards);
    }

    /// <summary>The receipt of each transaction: by position when it matches, else by hash.</summary>
    private sealed class ReceiptLookup(IReadOnlyList<EvmTransaction> txs, IReadOnlyList<EvmReceipt> receipts)
    {
        private Dictionary<EvmHash, EvmReceipt>? _byHash;

        public EvmReceipt? For(int position)
        {
            var hash = txs[position].Hash;
            if (position < receipts.Count && receipts[position].TransactionHash == hash)
            {
                return receipts[position];
            }

            _byHash ??= receipts.GroupBy(r => r.TransactionHash).ToDictionary(g => g.Key, g => g.First());
            return _byHash.GetValueOrDefault(hash);
        }
    }
}
