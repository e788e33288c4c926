using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Evm;

public sealed record EvmClusterResult(EvmClusterMeta Meta, TimeSpan Elapsed, TimeSpan DepositTime, TimeSpan ContractTime);

/// <summary>
/// Runs the EVM heuristics over a stored EVM chain from its first block to the target height and writes the derived files.
/// Always a full rebuild (the tags that define the hot wallets may have changed since the last run); the output depends only
/// on the stored chain, the tags and the settings, so two runs give the same bytes.
/// </summary>
public static class EvmClusterBuilder
{
    public static EvmClusterResult Run(EvmChainStore store, IReadOnlyList<EvmTag> tags, EvmClusterSettings settings, long? toHeight = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (store.TipHeight is not { } tip)
        {
            throw new UserErrorException($"chain '{store.ChainName}' holds no committed block yet");
        }

        var target = Math.Min(toHeight ?? tip, tip);
        if (target < store.BaseHeight)
        {
            throw new UserErrorException($"--to-height {target} is below chain '{store.ChainName}''s first block {store.BaseHeight}");
        }

        var sw = Stopwatch.StartNew();

        // exchanges and their hot wallets, from the exchange tags (stable order: entity, then address id)
        var exchangeTags = tags.Where(t => t.IsExchange).ToList();
        var entities = exchangeTags.Select(t => t.Entity).Distinct().Order(StringComparer.Ordinal).ToList();
        var exchangeIndex = entities.Select((e, i) => (e, i)).ToDictionary(x => x.e, x => x.i, StringComparer.Ordinal);
        var hot = new Dictionary<long, int>();
        var exchanges = entities.Select((e, i) => new EvmExchangeMeta(i, e, [], 0)).ToList();
        long inactive = 0;
        foreach (var t in exchangeTags.OrderBy(t => exchangeIndex[t.Entity]).ThenBy(t => t.Address))
        {
            var id = store.FindAddress(t.Address);
            if (id < 0 || id >= store.AddressCount)
            {
                inactive++;
                continue;
            }

            if (hot.TryAdd(id, exchangeIndex[t.Entity]) || hot[id] == exchangeIndex[t.Entity])
            {
                exchanges[exchangeIndex[t.Entity]].HotWallets.Add(new EvmHotWalletMeta(t.Address.ToString(), id, t.Label, t.Source, t.Confidence));
            }
        }

        // deposit addresses
        var detection = settings.DepositAddress
            ? DepositAddressDetector.Detect(() => store.Transfers(store.BaseHeight, target), hot, settings, store.Timestamp)
            : new DepositDetection([], new Dictionary<long, IReadOnlyList<DepositSender>>(), 0, 0, 0);
        var depositTime = sw.Elapsed;

        // contracts (needed to keep contracts out of sender reuse, and labelled at the end)
        var creations = ContractLabels.Find(store, store.BaseHeight, target);
        var contractIds = new HashSet<long>(creations.Select(c => store.FindAddress(c.Contract)).Where(id => id >= 0));
        var contractTime = sw.Elapsed - depositTime;

        if (store.AddressCount > int.MaxValue)
        {
            throw new InvalidOperationException("more than 2^31 addresses: the union-find uses int ids");
        }

        var uf = new DisjointSets((int)store.AddressCount);
        var log = new List<EvmMergeRecord>();
        var merges = new SortedDictionary<string, long>(StringComparer.Ordinal);
        void Union(long a, long b, EvmHeuristicId h, long tx, uint via, long transfer)
        {
            if (uf.Union((int)a, (int)b))
            {
                log.Add(new EvmMergeRecord(tx, (uint)a, (uint)b, h, via, transfer));
                var name = EvmHeuristicInfo.ById(h).Name;
                merges[name] = merges.GetValueOrDefault(name) + 1;
            }
        }

        foreach (var d in detection.Deposits.OrderBy(d => d.First.TransferId))
        {
            foreach (var f in d.Forwards.GroupBy(f => f.HotWallet).Select(g => g.First()))
            {
                Union(d.AddressId, f.HotWallet, EvmHeuristicId.DepositAddress, f.TxId, (uint)d.Exchange, f.TransferId);
            }
        }

        var depositIds = detection.Deposits.Select(d => d.AddressId).ToHashSet();
        var senderCounts = new Dictionary<long, int>();
        if (settings.DepositSenderReuse)
        {
            var taggedIds = tags.Select(t => store.FindAddress(t.Address)).Where(id => id >= 0).ToHashSet();
            bool Eligible(long a) => !hot.ContainsKey(a) && !taggedIds.Contains(a) && !contractIds.Contains(a) && !depositIds.Contains(a) && !store.IsKnownAsset(a);
            var perSender = new Dictionary<long, int>();
            foreach (var d in detection.Deposits)
            {
                foreach (var s in detection.Senders[d.AddressId].Where(s => Eligible(s.AddressId)))
                {
                    perSender[s.AddressId] = perSender.GetValueOrDefault(s.AddressId) + 1;
                }
            }

            foreach (var d in detection.Deposits)
            {
                var senders = detection.Senders[d.AddressId].Where(s => Eligible(s.AddressId) && perSender[s.AddressId] <= settings.MaxDepositsPerSender).ToList();
                senderCounts[d.AddressId] = senders.Count;
                if (senders.Count < 2 || senders.Count > settings.MaxSenders)
                {
                    continue;
                }

                for (var i = 1; i < senders.Count; i++)
                {
                    Union(senders[0].AddressId, senders[i].AddressId, EvmHeuristicId.DepositSenderReuse, senders[i].TxId, (uint)d.AddressId, senders[i].TransferId);
                }
            }
        }

        var ids = uf.ClusterIds();
        var (clusters, largest, largestId) = Summarize(ids);

        // exchange of each cluster that holds a hot wallet (for contract labels)
        var clusterExchange = new Dictionary<uint, (int Exchange, long Hot)>();
        foreach (var (id, ex) in hot.OrderBy(kv => kv.Key))
        {
            clusterExchange.TryAdd(ids[id], (ex, id));
        }

        var deposits = detection.Deposits.OrderBy(d => d.AddressId).Select(d => new EvmDepositRecord((uint)d.AddressId, (uint)d.First.HotWallet, (uint)d.Exchange,
            (uint)d.Forwards.Count, (uint)d.Rejected, (uint)senderCounts.GetValueOrDefault(d.AddressId, detection.Senders[d.AddressId].Count),
            d.First.TransferId, d.First.SharePpm)).ToArray();
        foreach (var g in detection.Deposits.GroupBy(d => d.Exchange))
        {
            exchanges[g.Key] = exchanges[g.Key] with { Deposits = g.Count() };
        }

        var labels = ContractLabels.Label(creations, tags, creator =>
        {
            var id = store.FindAddress(creator);
            if (id < 0 || id >= ids.Length || !clusterExchange.TryGetValue(ids[id], out var e) || hot.ContainsKey(id))
            {
                return null;
            }

            return (entities[e.Exchange], EvmHeuristicInfo.ById(EvmHeuristicId.DepositAddress).Confidence,
                $"in the cluster of {entities[e.Exchange]}'s hot wallet {store.Address(e.Hot)} (deposit-address)");
        });

        var contractBytes = ContractsJsonl(labels);
        var dir = EvmClusterFiles.DirectoryOf(store.Directory);
        EvmClusterMeta? written = null;
        EvmClusterFiles.Write(dir, ids, log.ToArray(), deposits, contractBytes, files => written = new EvmClusterMeta(
            EvmClusterFiles.Format, store.ChainName, settings.Describe(), target, store.BlockHash(target).ToString(),
            target == tip ? store.TransferCount : store.BlockTransfers(target + 1).FirstTransferId,
            ids.Length, clusters, largest, largestId, merges, detection.Candidates, detection.Deposits.Count, detection.Conflicts,
            detection.TooFewForwards, inactive, exchanges, labels.Count, labels.Count(l => l.Creation.ByFactory), labels.Count(l => l.Entity is not null), files));
        return new EvmClusterResult(written!, sw.Elapsed, depositTime, contractTime);
    }

    private static (long Clusters, long Largest, long LargestId) Summarize(uint[] ids)
    {
        var sizes = new Dictionary<uint, long>();
        foreach (var c in ids)
        {
            sizes[c] = sizes.GetValueOrDefault(c) + 1;
        }

        long largest = 0, largestId = -1;
        foreach (var (c, n) in sizes.OrderBy(kv => kv.Key))
        {
            if (n > largest)
            {
                (largest, largestId) = (n, c);
            }
        }

        return (sizes.Count, largest, largestId);
    }

    /// <summary>One JSON object a line, in creation order: contract, creator, how, transaction, height, token metadata, label.</summary>
    private static byte[] ContractsJsonl(IReadOnlyList<ContractLabel> labels)
    {
        using var ms = new MemoryStream();
        foreach (var l in labels)
        {
            using (var w = new Utf8JsonWriter(ms))
            {
                var c = l.Creation;
                w.WriteStartObject();
                w.WriteString("contract", c.Contract.ToString());
                w.WriteString("creator", c.Creator.ToString());
                w.WriteString("creator_kind", c.ByFactory ? "factory" : "eoa");
                w.WriteString("tx", c.Tx.ToString());
                w.WriteNumber("height", c.Height);
                if (c.Token is { } t)
                {
                    w.WriteString("token_name", t.Name);
                    w.WriteString("token_symbol", t.Symbol);
                    if (t.Decimals is { } dec)
                    {
                        w.WriteNumber("token_decimals", dec);
                    }
                }

                if (l.Entity is not null)
                {
                    w.WriteString("entity", l.Entity);
                    w.WriteString("confidence", l.Confidence.ToString("0.0###", CultureInfo.InvariantCulture));
                    w.WriteString("reason", l.Reason);
                }

                w.WriteEndObject();
            }

            ms.WriteByte((byte)'\n');
        }

        return ms.ToArray();
    }

    /// <summary>Reads evm-contracts.jsonl back (for show/explain).</summary>
    public static IEnumerable<JsonElement> ReadContracts(string dir)
    {
        var path = Path.Combine(dir, EvmClusterFiles.Contracts);
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            yield return doc.RootElement.Clone();
        }
    }

    /// <summary>Union by size with path halving; the cluster id is the smallest member.</summary>
    private sealed class DisjointSets
    {
        private readonly int[] _parent;
        private readonly int[] _size;

        public DisjointSets(int n)
        {
            _parent = new int[n];
            _size = new int[n];
            for (var i = 0; i < n; i++)
            {
                _parent[i] = i;
                _size[i] = 1;
            }
        }

        public int Find(int x)
        {
            while (_parent[x] != x)
            {
                _parent[x] = _parent[_parent[x]];
                x = _parent[x];
            }

            return x;
        }

        public bool Union(int a, int b)
        {
            var (ra, rb) = (Find(a), Find(b));
            if (ra == rb)
            {
                return false;
            }

            if (_size[ra] < _size[rb])
            {
                (ra, rb) = (rb, ra);
            }

            _parent[rb] = ra;
            _size[ra] += _size[rb];
            return true;
        }

        public uint[] ClusterIds()
        {
            var n = _parent.Length;
            var min = new int[n];
            Array.Fill(min, int.MaxValue);
            for (var i = 0; i < n; i++)
            {
                var r = Find(i);
                if (i < min[r])
                {
                    min[r] = i;
                }
            }

            var ids = new uint[n];
            for (var i = 0; i < n; i++)
            {
                ids[i] = (uint)min[Find(i)];
            }

            return ids;
        }
    }
}
