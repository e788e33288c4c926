using System.Security.Cryptography;
using System.Text;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Storage.Tests.Evm;

/// <summary>
/// Seeded random EVM blocks, and a canonical text dump of everything a store can read back — produced either through the
/// store's API or from a reference model computed directly from the blocks, so the two can be compared line by line.
/// </summary>
internal static class EvmTestChain
{
    public static EvmAddress Address(int n) => new(SHA256.HashData(BitConverter.GetBytes(n))[..20]);

    public static EvmHash RandomHash(Random r)
    {
        var b = new byte[32];
        r.NextBytes(b);
        return new EvmHash(b);
    }

    public static UInt256 RandomAmount(Random r) => r.Next(10) switch
    {
        0 => UInt256.MaxValue,
        1 => UInt256.Zero,
        2 => new UInt256((ulong)r.NextInt64(), (ulong)r.NextInt64(), (ulong)r.NextInt64(), ulong.MaxValue - (ulong)r.Next(100)),
        3 => new UInt256((ulong)r.NextInt64(), (ulong)r.NextInt64()),
        _ => new UInt256((ulong)r.NextInt64(1, 1_000_000_000_000_000_000)),
    };

    /// <summary>
    /// <paramref name="count"/> blocks from <paramref name="firstHeight"/>, the first with parent <paramref name="parent"/>.
    /// Accounts are drawn from a pool (offset <paramref name="pool"/>) that widens with height; tokens from a small pool
    /// that overlaps the accounts, so an address can be an account first and a token asset later.
    /// </summary>
    public static List<EvmStoredBlock> Blocks(int seed, long firstHeight, int count, EvmHash parent, int pool = 0, int maxTransfers = 8, int maxAccounts = 200)
    {
        var r = new Random(seed);
        var blocks = new List<EvmStoredBlock>();
        for (var i = 0; i < count; i++)
        {
            var height = firstHeight + i;
            var txs = new List<EvmHash>();
            for (var t = r.Next(0, 5); t > 0; t--)
            {
                txs.Add(RandomHash(r));
            }

            var accounts = 5 + (int)Math.Min(maxAccounts, height * 2);
            EvmAddress Account() => Address(pool + r.Next(accounts));
            EvmAddress? Party() => r.Next(8) == 0 ? null : Account();
            var transfers = new List<EvmTransfer>();
            for (var j = r.Next(0, maxTransfers + 1); j > 0; j--)
            {
                var kind = (EvmTransferKind)r.Next(1, 15);
                EvmAddress? asset = kind >= EvmTransferKind.Erc20
                    ? (r.Next(4) == 0 ? Account() : Address(100_000 + r.Next(6)))
                    : null;
                var from = Party();
                var to = r.Next(10) == 0 ? from : Party();
                var tokenId = kind is EvmTransferKind.Erc721 or EvmTransferKind.Erc1155
                    ? (r.Next(5) == 0 ? UInt256.MaxValue : new UInt256((ulong)r.Next(1000), (ulong)r.Next(3)))
                    : UInt256.Zero;
                var txIndex = txs.Count == 0 || r.Next(6) == 0 ? -1 : r.Next(txs.Count);
                transfers.Add(new EvmTransfer(kind, txIndex, transfers.Count, asset, from, to, RandomAmount(r), tokenId));
            }

            var bundle = new byte[r.Next(0, 200)];
            r.NextBytes(bundle);
            var block = new EvmStoredBlock
            {
                Number = height,
                Hash = RandomHash(r),
                ParentHash = blocks.Count == 0 ? parent : blocks[^1].Hash,
                Timestamp = 1_600_000_000 + (height * 12),
                TracesMissing = r.Next(6) == 0,
                Bundle = bundle,
                TransactionHashes = txs,
                Transfers = transfers,
            };
            blocks.Add(block);
        }

        return blocks;
    }

    /// <summary>Appends the blocks, committing after the given batch sizes (the rest in a last commit).</summary>
    public static void AppendAndCommit(EvmChainStore store, IReadOnlyList<EvmStoredBlock> blocks, params int[] batches)
    {
        var i = 0;
        foreach (var n in batches.Append(int.MaxValue))
        {
            for (var k = 0; k < n && i < blocks.Count; k++)
            {
                store.Append(blocks[i++]);
            }

            store.Commit();
            if (i == blocks.Count)
            {
                return;
            }
        }
    }

    /// <summary>Everything the store reads back for its committed blocks, one fact per line.</summary>
    public static string Dump(EvmChainStore store)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"chain {store.ChainName} id {store.ChainId} base {store.BaseHeight} tip {store.TipHeight}");
        sb.AppendLine($"counts {store.BlockCount} {store.TxCount} {store.TransferCount} {store.AddressCount}");
        var tip = store.BaseHeight + store.BlockCount - 1;
        for (var h = store.BaseHeight; h <= tip; h++)
        {
            var (ft, nt) = store.BlockTransactions(h);
            var (fx, nx) = store.BlockTransfers(h);
            sb.AppendLine($"block {h} {store.BlockHash(h)} {store.ParentHash(h)} {store.Timestamp(h)} {store.TracesMissing(h)} tx {ft}+{nt} xfer {fx}+{nx} {Convert.ToHexString(store.Bundle(h))}");
        }

        for (long id = 0; id < store.TxCount; id++)
        {
            var hash = store.TransactionHash(id);
            sb.AppendLine($"tx {id} {hash} at {store.TransactionLocation(id)} find {store.FindTransaction(hash)}");
        }

        for (long id = 0; id < store.AddressCount; id++)
        {
            var a = store.Address(id);
            var postings = string.Join(",", store.Postings(id).Select(p => $"{p.TransferId}{(p.Outgoing ? "-" : "+")}"));
            sb.AppendLine($"addr {id} {a} find {store.FindAddress(a)} asset {store.IsKnownAsset(a)} {store.IsKnownAsset(id)} postings {postings}");
        }

        var all = new List<StoredTransfer>();
        for (long id = 0; id < store.TransferCount; id++)
        {
            all.Add(store.Transfer(id));
            sb.AppendLine($"xfer {all[^1]}");
        }

        var range = store.Transfers(long.MinValue, long.MaxValue).ToList();
        sb.AppendLine($"range {(range.SequenceEqual(all) ? "same" : "DIFFERENT")}");
        for (var h = store.BaseHeight; h <= tip; h++)
        {
            var (fx, nx) = store.BlockTransfers(h);
            if (!store.Transfers(h, h).Select(t => t.Id).SequenceEqual(Enumerable.Range(0, nx).Select(k => fx + k)))
            {
                sb.AppendLine($"range of block {h} DIFFERENT");
            }
        }

        sb.AppendLine($"gaps {string.Join(",", store.TraceGaps())}");
        return sb.ToString();
    }

    /// <summary>What <see cref="Dump"/> must give for a chain holding exactly <paramref name="blocks"/>, computed without a store.</summary>
    public static string Expected(string chain, long chainId, long baseHeight, IReadOnlyList<EvmStoredBlock> blocks)
    {
        var addresses = new List<EvmAddress>();
        var ids = new Dictionary<EvmAddress, long>();
        var assets = new HashSet<long>();
        var postings = new Dictionary<long, List<string>>();
        var transfers = new List<StoredTransfer>();
        var txs = new List<(EvmHash Hash, long Height, int Index)>();
        var lines = new StringBuilder();
        var gaps = new List<(long From, long To)>();

        long Id(EvmAddress? a)
        {
            if (a is not { } x)
            {
                return -1;
            }

            if (!ids.TryGetValue(x, out var id))
            {
                id = addresses.Count;
                ids[x] = id;
                addresses.Add(x);
            }

            return id;
        }

        void Post(long address, long transfer, bool outgoing)
        {
            if (address < 0)
            {
                return;
            }

            if (!postings.TryGetValue(address, out var list))
            {
                postings[address] = list = [];
            }

            list.Add($"{transfer}{(outgoing ? "-" : "+")}");
        }

        var tip = blocks.Count == 0 ? (long?)null : blocks[^1].Number;
        lines.AppendLine($"chain {chain} id {chainId} base {baseHeight} tip {tip}");
        var blockLines = new List<string>();
        foreach (var b in blocks)
        {
            var firstTx = txs.Count;
            var firstTransfer = transfers.Count;
            for (var i = 0; i < b.TransactionHashes.Count; i++)
            {
                txs.Add((b.TransactionHashes[i], b.Number, i));
            }

            foreach (var t in b.Transfers)
            {
                var asset = Id(t.Asset);
                var from = Id(t.From);
                var to = Id(t.To);
                if (asset >= 0)
                {
                    assets.Add(asset);
                }

                var id = (long)transfers.Count;
                transfers.Add(new StoredTransfer(id, b.Number, t.TransactionIndex < 0 ? -1 : firstTx + t.TransactionIndex, t.TransactionIndex,
                    t.Position, t.Kind, asset, from, to, t.Amount, t.TokenId));
                Post(from, id, true);
                Post(to, id, false);
            }

            if (b.TracesMissing)
            {
                if (gaps.Count > 0 && gaps[^1].To == b.Number - 1)
                {
                    gaps[^1] = (gaps[^1].From, b.Number);
                }
                else
                {
                    gaps.Add((b.Number, b.Number));
                }
            }

            blockLines.Add($"block {b.Number} {b.Hash} {b.ParentHash} {b.Timestamp} {b.TracesMissing} tx {firstTx}+{b.TransactionHashes.Count} xfer {firstTransfer}+{b.Transfers.Count} {Convert.ToHexString(b.Bundle)}");
        }

        lines.AppendLine($"counts {blocks.Count} {txs.Count} {transfers.Count} {addresses.Count}");
        foreach (var l in blockLines)
        {
            lines.AppendLine(l);
        }

        for (var id = 0; id < txs.Count; id++)
        {
            lines.AppendLine($"tx {id} {txs[id].Hash} at {(txs[id].Height, txs[id].Index)} find {id}");
        }

        for (var id = 0; id < addresses.Count; id++)
        {
            var isAsset = assets.Contains(id);
            var list = postings.TryGetValue(id, out var p) ? string.Join(",", p) : "";
            lines.AppendLine($"addr {id} {addresses[id]} find {id} asset {isAsset} {isAsset} postings {list}");
        }

        foreach (var t in transfers)
        {
            lines.AppendLine($"xfer {t}");
        }

        lines.AppendLine("range same");
        lines.AppendLine($"gaps {string.Join(",", gaps)}");
        return lines.ToString();
    }
}
