using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato show block|tx|address</c> on an EVM chain: block header fields and transaction hashes, a transaction with its
/// receipt and value transfers, and an address's per-asset totals with its paged transfer activity.
/// </summary>
/// <remarks>
/// Amounts are exact: JSON gives them as decimal strings in base units (wei, token units), text scales them by the
/// decimals when they are known (18 for the native coin, the token's own for fungible tokens), without rounding.
/// Addresses are printed with their EIP-55 checksum. Token symbols come from the metadata ingest stored in the bundle of
/// the block where the token was first seen (one bundle decode per token, at most <see cref="MaxTokenLookups"/>); a
/// symbol is used as a label only when it is short, printable and unique among the assets shown, otherwise the
/// contract address stands in for it (spam tokens imitate well-known symbols).
/// </remarks>
internal static class ShowEvm
{
    /// <summary>Tokens whose metadata one command looks up (each costs one bundle decode).</summary>
    private const int MaxTokenLookups = 200;

    private const int NativeDecimals = 18;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // ---------------------------------------------------------------- block

    public static int Block(CliContext ctx, ParseResult parse, EvmChainStore store, string id)
    {
        long height;
        if (long.TryParse(id, NumberStyles.AllowLeadingSign, Invariant, out var h))
        {
            height = h;
        }
        else if (EvmHash.TryParse(id, out var hash))
        {
            height = FindBlock(store, hash) ?? throw new UserErrorException($"block {hash} is not in the store ({Range(store)})");
        }
        else
        {
            throw new UserErrorException($"'{id}' is neither a block number nor a block hash (0x + 64 hex digits)");
        }

        var bundle = Decode(store, height);
        var b = bundle.Block;
        var (firstTx, txCount) = store.BlockTransactions(height);
        var (_, transferCount) = store.BlockTransfers(height);
        var tracesMissing = store.TracesMissing(height);
        var hashes = Enumerable.Range(0, txCount).Select(i => store.TransactionHash(firstTx + i).ToString()).ToList();
        var timestamp = store.Timestamp(height);
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                chain = store.ChainName, number = height, hash = store.BlockHash(height).ToString(), parent_hash = store.ParentHash(height).ToString(),
                timestamp, time = IsoTime(timestamp), miner = b.Miner.ToChecksumString(), gas_used = b.GasUsed, gas_limit = b.GasLimit,
                base_fee_per_gas = b.BaseFeePerGas?.ToString(), b.Size, withdrawal_count = b.Withdrawals?.Count, uncle_count = b.Uncles.Count,
                transaction_count = txCount, transfer_count = transferCount, traces = tracesMissing ? "missing" : "stored", transactions = hashes,
            });
            return 0;
        }

        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("number", $"{height}");
        grid.AddRow("hash", store.BlockHash(height).ToString());
        grid.AddRow("parent", store.ParentHash(height).ToString());
        grid.AddRow("time", IsoTime(timestamp));
        grid.AddRow("miner", b.Miner.ToChecksumString());
        grid.AddRow("gas used / limit", $"{b.GasUsed} / {b.GasLimit}");
        grid.AddRow("base fee", b.BaseFeePerGas is { } fee ? $"{fee} wei" : "none (before London)");
        grid.AddRow("transactions", $"{txCount}");
        grid.AddRow("transfers", $"{transferCount}");
        grid.AddRow("traces", tracesMissing ? "missing (internal transfers of this block are not known)" : "stored");
        ctx.Console.Write(grid);
        foreach (var t in hashes.Take(50))
        {
            ctx.Out.WriteLine($"  {t}");
        }

        if (hashes.Count > 50)
        {
            ctx.Out.WriteLine($"  … {hashes.Count - 50} more (use --json for all)");
        }

        return 0;
    }

    /// <summary>There is no block-hash index: the heights are scanned from the tip down.</summary>
    private static long? FindBlock(EvmChainStore store, EvmHash hash)
    {
        if (store.TipHeight is not { } tip)
        {
            return null;
        }

        for (var height = tip; height >= store.BaseHeight; height--)
        {
            if (store.BlockHash(height) == hash)
            {
                return height;
            }
        }

        return null;
    }

    // ---------------------------------------------------------------- transaction

    public static int Tx(CliContext ctx, ParseResult parse, EvmChainStore store, string id)
    {
        if (!EvmHash.TryParse(id, out var hash))
        {
            throw new UserErrorException($"'{id}' is not a transaction hash (0x + 64 hex digits)");
        }

        var txId = store.FindTransaction(hash);
        if (txId < 0)
        {
            throw new UserErrorException($"transaction {hash} is not in the store ({Range(store)})");
        }

        var (height, index) = store.TransactionLocation(txId);
        var bundle = Decode(store, height);
        if (index >= bundle.Block.Transactions.Count || index >= bundle.Receipts.Count)
        {
            throw new InvalidDataException($"chain '{store.ChainName}' block {height}: the bundle has no transaction or receipt {index}");
        }

        var tx = bundle.Block.Transactions[index];
        var receipt = bundle.Receipts[index];
        var timestamp = store.Timestamp(height);
        var (first, count) = store.BlockTransfers(height);
        var transfers = new List<StoredTransfer>();
        for (var i = first; i < first + count; i++)
        {
            var t = store.Transfer(i);
            if (t.TxId == txId)
            {
                transfers.Add(t);
            }
        }

        var assets = AssetBook.Resolve(store, transfers.Select(t => t.AssetId), bundle);
        var price = receipt.EffectiveGasPrice ?? tx.GasPrice;
        UInt256? fee = price is { } p && receipt.GasUsed >= 0
            ? (new UInt256((ulong)receipt.GasUsed) * p) + (receipt.BlobGasUsed is { } blobGas && blobGas > 0 && receipt.BlobGasPrice is { } blobPrice
                ? new UInt256((ulong)blobGas) * blobPrice
                : UInt256.Zero)
            : null;
        var status = receipt.Status switch
        {
            null => "unknown (no status before Byzantium)",
            0 => "failed",
            _ => "success",
        };

        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                chain = store.ChainName, hash = hash.ToString(), block_number = height, block_hash = store.BlockHash(height).ToString(), timestamp,
                time = IsoTime(timestamp), index, from = tx.From.ToChecksumString(), to = tx.To?.ToChecksumString(),
                contract_address = receipt.ContractAddress?.ToChecksumString(), value = tx.Value.ToString(), tx.Nonce, tx.Type,
                status = receipt.Status, gas = tx.Gas, gas_used = receipt.GasUsed, gas_price = tx.GasPrice?.ToString(),
                effective_gas_price = receipt.EffectiveGasPrice?.ToString(), fee = fee?.ToString(), l1_fee = receipt.L1Fee?.ToString(),
                input_bytes = tx.Input.Length, log_count = receipt.Logs.Count,
                transfers = transfers.Select(t =>
                {
                    var a = assets[t.AssetId];
                    return new
                    {
                        kind = t.Kind.ToString(), position = t.Position, asset = a.Contract?.ToChecksumString(), asset_symbol = a.Symbol,
                        asset_decimals = a.Decimals, from = AddressText(store, t.FromId), to = AddressText(store, t.ToId), amount = t.Amount.ToString(),
                        token_id = HasTokenId(t.Kind) ? t.TokenId.ToString() : null,
                    };
                }),
            });
            return 0;
        }

        var native = assets[-1];
        ctx.Out.WriteLine($"tx {hash}");
        ctx.Out.WriteLine($"block {height} ({store.BlockHash(height)}) at {IsoTime(timestamp)}, index {index}");
        var to = tx.To is { } callee ? callee.ToChecksumString()
            : receipt.ContractAddress is { } created ? $"{created.ToChecksumString()} (contract created)" : "(contract creation)";
        ctx.Out.WriteLine($"from {tx.From.ToChecksumString()} to {to}");
        ctx.Out.WriteLine($"value {Units(tx.Value.ToBigInteger(), NativeDecimals)} {native.Label} ({tx.Value} wei), nonce {tx.Nonce}");
        ctx.Out.WriteLine($"status {status}");
        ctx.Out.WriteLine($"gas used {receipt.GasUsed} of {tx.Gas}, price {(price is { } pr ? $"{pr} wei" : "unknown")}");
        ctx.Out.WriteLine(fee is { } f
            ? $"fee {Units(f.ToBigInteger(), NativeDecimals)} {native.Label} ({f} wei){(receipt.L1Fee is { } l1 ? $" + L1 fee {l1} wei" : "")}"
            : "fee unknown (no gas price)");
        ctx.Out.WriteLine($"transfers {transfers.Count}");
        if (transfers.Count == 0)
        {
            return 0;
        }

        var withTokenIds = transfers.Any(t => HasTokenId(t.Kind));
        var table = new Table().AddColumns("kind", "from", "to", "amount", "asset");
        if (withTokenIds)
        {
            table.AddColumn("token id");
        }

        foreach (var t in transfers)
        {
            var a = assets[t.AssetId];
            var cells = new List<string>
            {
                t.Kind.ToString(), Markup.Escape(Party(store, t.FromId, t.Kind, incoming: true)), Markup.Escape(Party(store, t.ToId, t.Kind, incoming: false)),
                Amount(t.Amount.ToBigInteger(), a, t.Kind), Markup.Escape(a.Label),
            };
            if (withTokenIds)
            {
                cells.Add(HasTokenId(t.Kind) ? t.TokenId.ToString() : "");
            }

            table.AddRow([.. cells]);
        }

        ctx.Console.Write(table);
        foreach (var a in transfers.Select(t => assets[t.AssetId]).Distinct().Where(a => a.Contract is not null && a.Label != a.ContractText))
        {
            ctx.Out.WriteLine($"  {a.Label} = {a.ContractText}");
        }

        return 0;
    }

    // ---------------------------------------------------------------- address

    private sealed class AssetTotals
    {
        public BigInteger Received;
        public BigInteger Sent;
        public int Transfers;
        public long FirstHeight = -1;
        public long LastHeight = -1;
        public bool NonFungible;
    }

    public static int Address(CliContext ctx, ParseResult parse, EvmChainStore store, string text, int page, int pageSize)
    {
        if (!EvmAddress.TryParse(text, out var address))
        {
            throw new UserErrorException($"'{text}' is not an EVM address (0x + 40 hex digits; a mixed-case address must carry a valid EIP-55 checksum)");
        }

        var display = address.ToChecksumString();
        var addressId = store.FindAddress(address);
        if (addressId < 0 || addressId >= store.AddressCount)
        {
            throw new UserErrorException($"address {display} is not in the store: no transfer to or from it in {Range(store)}");
        }

        var postings = new List<(long TransferId, bool Outgoing)>();
        var totals = new Dictionary<long, AssetTotals>();
        foreach (var p in store.Postings(addressId))
        {
            postings.Add(p);
            var t = store.Transfer(p.TransferId);
            if (!totals.TryGetValue(t.AssetId, out var sum))
            {
                totals[t.AssetId] = sum = new AssetTotals { FirstHeight = t.Height };
            }

            if (p.Outgoing)
            {
                sum.Sent += t.Amount.ToBigInteger();
            }
            else
            {
                sum.Received += t.Amount.ToBigInteger();
            }

            sum.Transfers++;
            sum.LastHeight = t.Height;
            sum.NonFungible |= HasTokenId(t.Kind);
        }

        var assets = AssetBook.Resolve(store, totals.Keys, null);
        var order = totals.Keys.OrderBy(a => a >= 0).ThenBy(a => a < 0 ? default : assets[a].Contract!.Value).ToList();
        var pages = Math.Max(1, (postings.Count + pageSize - 1) / pageSize);
        var pageItems = postings.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize).Select(p => (Transfer: store.Transfer(p.TransferId), p.Outgoing)).ToList();

        var notes = new List<string>();
        if (store.BaseHeight > 0)
        {
            notes.Add($"the store starts at block {store.BaseHeight}: what the address received or sent before it is missing, so balances can be too low or negative");
        }
        else if (totals.Values.Any(s => s.Received < s.Sent))
        {
            notes.Add("a negative balance is value the address got without a transfer (e.g. a genesis allocation)");
        }

        var gaps = store.TraceGaps();
        if (gaps.Count > 0)
        {
            notes.Add($"{gaps.Sum(g => g.To - g.From + 1)} blocks are stored without traces: their internal transfers are missing");
        }

        if (postings.Count == 0 && store.IsKnownAsset(addressId))
        {
            notes.Add("the address appears only as a token contract (no transfer to or from it)");
        }

        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                address = display, chain = store.ChainName, base_height = store.BaseHeight, tip_height = store.TipHeight, transfer_count = postings.Count,
                assets = order.Select(id =>
                {
                    var a = assets[id];
                    var s = totals[id];
                    return new
                    {
                        asset = a.Contract?.ToChecksumString(), symbol = a.Symbol, decimals = a.Decimals, received = s.Received.ToString(Invariant),
                        sent = s.Sent.ToString(Invariant), balance = (s.Received - s.Sent).ToString(Invariant), transfers = s.Transfers,
                        first_seen = Seen(store, s.FirstHeight), last_seen = Seen(store, s.LastHeight),
                    };
                }),
                notes,
                page, page_size = pageSize, pages,
                activity = pageItems.Select(x =>
                {
                    var t = x.Transfer;
                    var a = assets[t.AssetId];
                    var ts = store.Timestamp(t.Height);
                    return new
                    {
                        height = t.Height, timestamp = ts, time = IsoTime(ts), tx_hash = t.TxId >= 0 ? store.TransactionHash(t.TxId).ToString() : null,
                        transaction_index = t.TxId >= 0 ? t.TransactionIndex : (int?)null, kind = t.Kind.ToString(), direction = x.Outgoing ? "out" : "in",
                        counterparty = AddressText(store, x.Outgoing ? t.ToId : t.FromId), asset = a.Contract?.ToChecksumString(), asset_symbol = a.Symbol,
                        amount = t.Amount.ToString(), token_id = HasTokenId(t.Kind) ? t.TokenId.ToString() : null,
                    };
                }),
            });
            return 0;
        }

        ctx.Out.WriteLine($"address {display} ({store.ChainName})");
        foreach (var id in order)
        {
            var a = assets[id];
            var s = totals[id];
            var decimals = s.NonFungible ? null : a.Decimals;
            var name = a.Contract is null ? $"{a.Label} (native)" : a.Label == a.ContractText ? a.Label : $"{a.Label} {a.ContractText}";
            ctx.Out.WriteLine(
                $"{name}: balance {Units(s.Received - s.Sent, decimals)}  received {Units(s.Received, decimals)}  sent {Units(s.Sent, decimals)}  " +
                $"transfers {s.Transfers}  first seen {s.FirstHeight} {IsoTime(store.Timestamp(s.FirstHeight))}  last seen {s.LastHeight} {IsoTime(store.Timestamp(s.LastHeight))}");
        }

        if (order.Count == 0)
        {
            ctx.Out.WriteLine("no transfers");
        }

        foreach (var n in notes)
        {
            ctx.Out.WriteLine($"note: {n}");
        }

        var table = new Table().AddColumns("height", "tx", "kind", "dir", "counterparty", "amount", "asset");
        foreach (var (t, outgoing) in pageItems)
        {
            var a = assets[t.AssetId];
            var amount = Amount(t.Amount.ToBigInteger(), a, t.Kind) + (HasTokenId(t.Kind) ? $" #{t.TokenId}" : "");
            table.AddRow(
                $"{t.Height}", t.TxId >= 0 ? store.TransactionHash(t.TxId).ToString() : "(block)", t.Kind.ToString(), outgoing ? "out" : "in",
                Markup.Escape(Party(store, outgoing ? t.ToId : t.FromId, t.Kind, incoming: !outgoing)), Markup.Escape(amount), Markup.Escape(a.Label));
        }

        ctx.Console.Write(table);
        ctx.Out.WriteLine($"page {page} of {pages} ({postings.Count} transfers, oldest first)");
        return 0;
    }

    private static object? Seen(EvmChainStore store, long height)
    {
        if (height < 0)
        {
            return null;
        }

        var ts = store.Timestamp(height);
        return new { height, timestamp = ts, time = IsoTime(ts) };
    }

    // ---------------------------------------------------------------- helpers

    private static EvmBlockBundle Decode(EvmChainStore store, long height) =>
        EvmBundleCodec.Decode(store.Bundle(height), $"chain '{store.ChainName}' block {height}");

    private static string Range(EvmChainStore store) =>
        store.TipHeight is { } tip ? $"{store.ChainName} {store.BaseHeight}..{tip}" : $"{store.ChainName} (no blocks yet)";

    /// <summary>UTC, ISO 8601 ("2023-11-14T22:13:20Z"); a timestamp out of the calendar's range as the number.</summary>
    private static string IsoTime(long unix) =>
        unix is >= 0 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant)
            : unix.ToString(Invariant);

    private static bool HasTokenId(EvmTransferKind kind) => kind is EvmTransferKind.Erc721 or EvmTransferKind.Erc1155;

    private static string? AddressText(EvmChainStore store, long id) => id < 0 ? null : store.Address(id).ToChecksumString();

    /// <summary>A sender or recipient for text output; none is named after why value appeared or vanished.</summary>
    private static string Party(EvmChainStore store, long id, EvmTransferKind kind, bool incoming)
    {
        if (id >= 0)
        {
            return store.Address(id).ToChecksumString();
        }

        return kind switch
        {
            EvmTransferKind.FeeBurnt => "(burnt)",
            EvmTransferKind.BlockReward or EvmTransferKind.UncleReward => "(reward)",
            EvmTransferKind.Withdrawal => "(beacon chain)",
            EvmTransferKind.Wrap => "(wrapped)",
            EvmTransferKind.Unwrap => "(unwrapped)",
            _ => incoming ? "(mint)" : "(burn)",
        };
    }

    /// <summary>An amount for text: scaled by the decimals for the native coin and fungible tokens, raw for NFTs.</summary>
    private static string Amount(BigInteger amount, AssetInfo asset, EvmTransferKind kind) =>
        Units(amount, HasTokenId(kind) ? null : asset.Decimals);

    /// <summary>Exact decimal text of <paramref name="value"/> / 10^<paramref name="decimals"/>, trailing zeros dropped.</summary>
    internal static string Units(BigInteger value, int? decimals)
    {
        var digits = BigInteger.Abs(value).ToString(Invariant);
        var sign = value.Sign < 0 ? "-" : "";
        if (decimals is not { } d || d <= 0)
        {
            return sign + digits;
        }

        digits = digits.PadLeft(d + 1, '0');
        var whole = digits[..^d];
        var fraction = digits[^d..].TrimEnd('0');
        return sign + whole + (fraction.Length > 0 ? "." + fraction : "");
    }

    /// <summary>An asset as shown: the native coin (id -1) or a token contract with whatever metadata is known.</summary>
    private sealed record AssetInfo(long Id, EvmAddress? Contract, string? Symbol, int? Decimals, string Label)
    {
        public string? ContractText => Contract?.ToChecksumString();
    }

    /// <summary>The assets of one view, with their labels (see the class remarks).</summary>
    private static class AssetBook
    {
        public static Dictionary<long, AssetInfo> Resolve(EvmChainStore store, IEnumerable<long> assetIds, EvmBlockBundle? decoded)
        {
            var native = EvmChains.FindById(store.ChainId)?.NativeSymbol ?? EvmChains.Find(store.ChainName)?.NativeSymbol ?? "native";
            var ids = assetIds.Where(a => a >= 0).Distinct().ToList();
            var tokens = Metadata(store, ids, decoded);
            var result = new Dictionary<long, AssetInfo> { [-1] = new AssetInfo(-1, null, native, NativeDecimals, native) };
            var usable = ids.ToDictionary(id => id, id => tokens.TryGetValue(id, out var t) && IsLabel(t.Symbol) ? t.Symbol : null);
            var taken = usable.Values.OfType<string>().GroupBy(s => s, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
            foreach (var id in ids)
            {
                var contract = store.Address(id);
                tokens.TryGetValue(id, out var token);
                var symbol = usable[id];
                var label = symbol is not null && taken[symbol] == 1 && !string.Equals(symbol, native, StringComparison.OrdinalIgnoreCase)
                    ? symbol
                    : contract.ToChecksumString();
                var decimals = token?.Decimals is { } d and >= 0 and <= 77 ? d : (int?)null;
                result[id] = new AssetInfo(id, contract, token?.Symbol, decimals, label);
            }

            return result;
        }

        private static bool IsLabel(string? symbol) =>
            symbol is { Length: > 0 and <= 16 }
            && symbol.All(c => !char.IsWhiteSpace(c) && !char.IsControl(c) && !char.IsSurrogate(c) && c != '(' && c != '#'
                && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            && !symbol.StartsWith("0x", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Token metadata from the bundle of the block where each token was first seen (where ingest stored it): the already
        /// decoded bundle first, then one decode per remaining block, for at most <see cref="MaxTokenLookups"/> tokens.
        /// </summary>
        private static Dictionary<long, EvmToken> Metadata(EvmChainStore store, List<long> ids, EvmBlockBundle? decoded)
        {
            var found = new Dictionary<long, EvmToken>();
            if (ids.Count == 0)
            {
                return found;
            }

            var byAddress = ids.ToDictionary(store.Address);
            void Take(EvmBlockBundle bundle)
            {
                foreach (var token in bundle.NewTokens)
                {
                    if (byAddress.TryGetValue(token.Address, out var id))
                    {
                        found.TryAdd(id, token);
                    }
                }
            }

            if (decoded is not null)
            {
                Take(decoded);
            }

            var wanted = ids.Where(id => !found.ContainsKey(id)).Take(MaxTokenLookups).Select(id => (uint)id).ToHashSet();
            if (wanted.Count == 0)
            {
                return found;
            }

            var heights = new SortedSet<long>();
            foreach (var segment in store.Segments)
            {
                for (long row = 0; row < segment.AssetFirstCount && wanted.Count > 0; row++)
                {
                    var first = segment.AssetFirst(row);
                    if (wanted.Remove(first.AddressId))
                    {
                        heights.Add(store.Transfer(segment.Info.TransferBase + first.TransferLocal).Height);
                    }
                }
            }

            foreach (var height in heights)
            {
                Take(Decode(store, height));
            }

            return found;
        }
    }
}
