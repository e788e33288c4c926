using System.CommandLine;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Export;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato show block|tx|address</c>.</summary>
public static class ShowCommand
{
    public static Command Create(CliContext ctx)
    {
        var show = new Command("show", "Look up a block, a transaction or an address");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)", Recursive = true };
        show.Options.Add(chain);

        var block = new Command("block", "A block by height or hash");
        var blockId = new Argument<string>("height-or-hash");
        block.Arguments.Add(blockId);
        block.SetAction(parse => WithChain(ctx, parse, chain, views => ShowBlock(ctx, parse, views, parse.GetValue(blockId)!),
            evm => ShowEvm.Block(ctx, parse, evm, parse.GetValue(blockId)!)));

        var tx = new Command("tx", "A transaction by txid");
        var txId = new Argument<string>("txid");
        tx.Arguments.Add(txId);
        tx.SetAction(parse => WithChain(ctx, parse, chain, views => ShowTx(ctx, parse, views, parse.GetValue(txId)!),
            evm => ShowEvm.Tx(ctx, parse, evm, parse.GetValue(txId)!)));

        var address = new Command("address", "An address: balance, received, sent, first/last seen, transactions, paged activity");
        var addr = new Argument<string>("address");
        var page = new Option<int>("--page") { Description = "Activity page (1 = oldest)", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "Transactions per page", DefaultValueFactory = _ => 25 };
        address.Arguments.Add(addr);
        address.Options.Add(page);
        address.Options.Add(pageSize);
        address.SetAction(parse => WithChain(ctx, parse, chain,
            views => ShowAddress(ctx, parse, views, parse.GetValue(addr)!, Math.Max(1, parse.GetValue(page)), Math.Clamp(parse.GetValue(pageSize), 1, 10_000)),
            evm => ShowEvm.Address(ctx, parse, evm, parse.GetValue(addr)!, Math.Max(1, parse.GetValue(page)), Math.Clamp(parse.GetValue(pageSize), 1, 10_000))));

        show.Subcommands.Add(block);
        show.Subcommands.Add(tx);
        show.Subcommands.Add(address);
        return show;
    }

    private static int WithChain(CliContext ctx, ParseResult parse, Option<string?> chain, Func<UtxoViews, int> action, Func<EvmChainStore, int> evmAction)
    {
        using var store = ctx.OpenStore(parse, create: false);
        var name = CliContext.ResolveChain(store, parse.GetValue(chain));
        if (store.ChainFamily(name) == "evm")
        {
            using var evm = store.OpenEvmChain(name, null, writer: false);
            return evmAction(evm);
        }

        using var utxo = store.OpenUtxoChain(name, null, create: false);
        return action(new UtxoViews(utxo));
    }

    private static int ShowBlock(CliContext ctx, ParseResult parse, UtxoViews views, string id)
    {
        var store = views.Store;
        int height;
        if (int.TryParse(id, out var h))
        {
            height = h;
        }
        else if (Hash256.TryParse(id, out var hash))
        {
            height = store.FindBlock(hash) ?? throw new UserErrorException($"block {hash} is not in the store");
        }
        else
        {
            throw new UserErrorException($"'{id}' is neither a height nor a 64-character block hash");
        }

        var b = views.Block(height);
        var txids = Enumerable.Range(0, b.TransactionCount).Select(i => store.GetTxId(b.FirstTx + i).ToString()).ToList();
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                height = b.Number, hash = b.Hash.ToString(), previous_hash = b.PreviousHash.ToString(), time = b.Timestamp, b.Version,
                merkle_root = b.MerkleRoot.ToString(), bits = b.Bits.ToString("x8"), b.Nonce, b.Size, stripped_size = b.StrippedSize, b.Weight,
                mweb_extension_bytes = b.MwebExtensionLength, transactions = txids,
            });
            return 0;
        }

        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("height", $"{b.Number}");
        grid.AddRow("hash", b.Hash.ToString());
        grid.AddRow("previous", b.PreviousHash.ToString());
        grid.AddRow("time", Format.Time(b.Timestamp));
        grid.AddRow("merkle root", b.MerkleRoot.ToString());
        grid.AddRow("size / weight", $"{b.Size} B / {b.Weight} WU");
        if (b.MwebExtensionLength > 0)
        {
            grid.AddRow("MWEB extension", $"{b.MwebExtensionLength} B");
        }

        grid.AddRow("transactions", $"{b.TransactionCount}");
        ctx.Console.Write(grid);
        foreach (var t in txids.Take(50))
        {
            ctx.Out.WriteLine($"  {t}");
        }

        if (txids.Count > 50)
        {
            ctx.Out.WriteLine($"  … {txids.Count - 50} more (use --json for all)");
        }

        return 0;
    }

    private static int ShowTx(CliContext ctx, ParseResult parse, UtxoViews views, string id)
    {
        if (!Hash256.TryParse(id, out var txid))
        {
            throw new UserErrorException($"'{id}' is not a 64-character txid");
        }

        var txId = views.Store.FindTx(txid);
        if (txId < 0)
        {
            throw new UserErrorException($"transaction {txid} is not in the store ({views.Store.ChainName} {views.Store.BaseHeight}..{views.Store.TipHeight})");
        }

        var tx = views.Tx(txId);
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                txid = tx.TxId.ToString(), block_height = tx.BlockNumber, block_hash = tx.BlockHash.ToString(), time = tx.BlockTimestamp, index = tx.Index,
                tx.Size, virtual_size = tx.VirtualSize, tx.Weight, tx.Version, lock_time = tx.LockTime, is_coinbase = tx.IsCoinbase,
                input_value = tx.InputValue, output_value = tx.OutputValue, tx.Fee,
                inputs = tx.Inputs.Select(i => new
                {
                    i.Index, coinbase = i.IsCoinbase, spent_txid = i.IsCoinbase ? null : i.SpentTxId.ToString(), spent_index = i.IsCoinbase ? (uint?)null : i.SpentIndex,
                    resolved = i.Resolved, i.Value, i.Type, i.Addresses, i.Sequence,
                    script_hex = i.Script is null ? null : Convert.ToHexStringLower(i.Script),
                    script_asm = i.Script is null ? null : ScriptAsm.ToAsm(i.Script, true),
                    witness_hex = i.Witness is { Length: > 0 } w ? Convert.ToHexStringLower(w) : null,
                }),
                outputs = tx.Outputs.Select(o => new
                {
                    o.Index, o.Value, o.Type, o.Addresses, required_signatures = o.RequiredSignatures,
                    script_hex = Convert.ToHexStringLower(o.Script), script_asm = ScriptAsm.ToAsm(o.Script, false),
                }),
            });
            return 0;
        }

        ctx.Out.WriteLine($"tx {tx.TxId}");
        ctx.Out.WriteLine($"block {tx.BlockNumber} ({tx.BlockHash}) at {Format.Time(tx.BlockTimestamp)}, index {tx.Index}");
        ctx.Out.WriteLine($"size {tx.Size} B, vsize {tx.VirtualSize}, version {tx.Version}, locktime {tx.LockTime}");
        var table = new Table().AddColumns("", "#", "address / source", "type", "value");
        foreach (var i in tx.Inputs)
        {
            var source = i.IsCoinbase ? "coinbase (new coins)" : !i.Resolved ? $"{i.SpentTxId}:{i.SpentIndex} (not in store)" : string.Join(" ", i.Addresses);
            table.AddRow("in", $"{i.Index}", Markup.Escape(source), i.Type ?? "", Format.Coins(i.IsCoinbase ? null : i.Value));
        }

        foreach (var o in tx.Outputs)
        {
            table.AddRow("out", $"{o.Index}", Markup.Escape(string.Join(" ", o.Addresses)), o.Type, Format.Coins(o.Value));
        }

        ctx.Console.Write(table);
        ctx.Out.WriteLine(tx.IsCoinbase ? "coinbase" : $"fee {Format.Coins(tx.Fee)}{(tx.Fee is null ? " (some inputs not resolved)" : "")}");
        return 0;
    }

    private sealed record Activity(long TxId, int Height, uint Time, string TxHash, long Received, long Sent, bool Unknown);

    private static int ShowAddress(CliContext ctx, ParseResult parse, UtxoViews views, string text, int page, int pageSize)
    {
        var store = views.Store;
        long addressId;
        if (text.StartsWith("nonstandard", StringComparison.Ordinal) || text.StartsWith("multisig", StringComparison.Ordinal))
        {
            throw new UserErrorException($"'{text}': look up nonstandard/multisig outputs by transaction (show tx)");
        }

        if (!AddressCodec.TryParse(store.Network, text, out var kind, out var payload))
        {
            throw new UserErrorException($"'{text}' is not a valid {store.Network} address");
        }

        addressId = store.FindAddress(kind, payload);
        if (addressId < 0)
        {
            throw new UserErrorException($"address {text} has no activity in the store ({store.ChainName} {store.BaseHeight}..{store.TipHeight})");
        }

        long received = 0, sent = 0;
        var unknownSent = false;
        var byTx = new Dictionary<long, (long In, long Out, bool Unknown)>();
        var order = new List<long>();
        foreach (var p in store.GetPostings((uint)addressId))
        {
            long txId;
            long amount;
            var unknown = false;
            if (p.IsInput)
            {
                txId = store.TxOfInput(p.Id);
                var input = store.GetInput(p.Id);
                amount = input.Prev >= 0 ? store.GetOutput(input.Prev).Value : input.External?.Value ?? -1;
                unknown = amount < 0;
                if (!unknown)
                {
                    sent += amount;
                }

                unknownSent |= unknown;
            }
            else
            {
                txId = store.TxOfOutput(p.Id);
                amount = store.GetOutput(p.Id).Value;
                received += amount;
            }

            if (!byTx.TryGetValue(txId, out var agg))
            {
                order.Add(txId);
                agg = (0, 0, false);
            }

            byTx[txId] = p.IsInput ? (agg.In + Math.Max(0, amount), agg.Out, agg.Unknown || unknown) : (agg.In, agg.Out + amount, agg.Unknown);
        }

        var activities = order.Select(t =>
        {
            var row = store.GetTx(t);
            return new Activity(t, row.Height, store.GetBlockHeader(row.Height).Time, row.TxId.ToString(), byTx[t].Out, byTx[t].In, byTx[t].Unknown);
        }).ToList();
        var pageItems = activities.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var first = activities.Count > 0 ? activities[0] : null;
        var last = activities.Count > 0 ? activities[^1] : null;
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new
            {
                address = text, chain = store.ChainName, balance = received - sent, received, sent, sent_includes_unknown = unknownSent,
                tx_count = activities.Count, first_seen = first is null ? null : new { height = first.Height, time = first.Time, txid = first.TxHash },
                last_seen = last is null ? null : new { height = last.Height, time = last.Time, txid = last.TxHash },
                page, page_size = pageSize, pages = (activities.Count + pageSize - 1) / pageSize,
                activity = pageItems.Select(a => new { height = a.Height, time = a.Time, txid = a.TxHash, received = a.Received, sent = a.Sent, net = a.Received - a.Sent, sent_unknown = a.Unknown }),
            });
            return 0;
        }

        ctx.Out.WriteLine($"address {text} ({store.ChainName})");
        ctx.Out.WriteLine($"balance {Format.Coins(received - sent)}  received {Format.Coins(received)}  sent {Format.Coins(sent)}{(unknownSent ? " + unknown (unresolved inputs)" : "")}");
        ctx.Out.WriteLine($"transactions {activities.Count}; first seen {(first is null ? "-" : $"{first.Height} {Format.Time(first.Time)}")}; last seen {(last is null ? "-" : $"{last.Height} {Format.Time(last.Time)}")}");
        var table = new Table().AddColumns("height", "time", "txid", "received", "sent");
        foreach (var a in pageItems)
        {
            table.AddRow($"{a.Height}", Format.Time(a.Time), a.TxHash, Format.Coins(a.Received), a.Unknown ? "unknown" : Format.Coins(a.Sent));
        }

        ctx.Console.Write(table);
        ctx.Out.WriteLine($"page {page} of {Math.Max(1, (activities.Count + pageSize - 1) / pageSize)}");
        return 0;
    }
}
