using System.Runtime.CompilerServices;
using System.Text.Json;
using Ashiato.Analysis.Clustering;
using Ashiato.Analysis.CoinJoin;
using Ashiato.Intel;
using Ashiato.Storage;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Entities;

/// <summary>
/// Labels of a chain's clusters derived from the tags (chains/&lt;chain&gt;/derived/labels.json): for every cluster with a
/// tagged address — or every tagged address when the chain has no clusters, or is beyond them — its label and conflicts.
/// The file records the digests of its inputs (the tags for the chain, the registry rows they name, clusters.ids, the
/// store's address count); <see cref="Open"/> rebuilds it when one changed. <see cref="Lookup"/> is O(1) and never touches SQLite.
/// </summary>
public sealed class ClusterLabels
{
    public const int Format = 1;
    public const string FileName = "labels.json";

    private readonly uint[]? _ids;
    private readonly Dictionary<uint, ClusterLabel> _byCluster;
    private readonly Dictionary<uint, List<ChainTag>> _tagsByAddress;

    // one bit per address id: set when the address's cluster (the address itself when no cluster covers it) is labelled
    // made on first use (a pass over every address's cluster id: ≈ 0.1 s per 44 M addresses), not at every open: only
    // traces ask for it
    private ulong[]? _labelledBits;

    private ClusterLabels(string chain, uint[]? ids, int? clusterHeight, List<ClusterLabel> clusters, List<ChainTag> tags, string? rebuildReason,
        StoredCoinJoins? coinJoins)
    {
        Chain = chain;
        CoinJoins = coinJoins;
        _ids = ids;
        ClusterHeight = clusterHeight;
        Clusters = clusters;
        _byCluster = clusters.ToDictionary(c => c.Cluster);
        _tagsByAddress = tags.GroupBy(t => t.Address).ToDictionary(g => g.Key, g => g.ToList());
        RebuildReason = rebuildReason;
    }

    private ulong[] LabelledBitSet => _labelledBits ?? MakeLabelledBits();

    private ulong[] MakeLabelledBits()
    {
        // two threads may both make it: the same bits either way, one is kept
        var bits = LabelledBits(_ids, _byCluster);
        return Interlocked.CompareExchange(ref _labelledBits, bits, null) ?? bits;
    }

    /// <summary>
    /// The bit set of <see cref="IsLabelled"/>: labelled cluster ids into a bit set first, then every stored address whose
    /// cluster is in it (one sequential pass over the cluster ids), plus labelled ids above the stored clusters (addresses
    /// that are their own cluster).
    /// </summary>
    private static ulong[] LabelledBits(uint[]? ids, Dictionary<uint, ClusterLabel> byCluster)
    {
        if (byCluster.Count == 0)
        {
            return [];
        }

        var maxCluster = byCluster.Keys.Max();
        var clusterBits = new ulong[(maxCluster >> 6) + 1];
        foreach (var c in byCluster.Keys)
        {
            clusterBits[c >> 6] |= 1UL << (int)(c & 63);
        }

        if (ids is null)
        {
            return clusterBits;
        }

        var n = Math.Max((long)ids.Length, (long)maxCluster + 1);
        var bits = new ulong[(n + 63) >> 6];
        for (var a = 0; a < ids.Length; a++)
        {
            var c = ids[a];
            if ((c >> 6) < (uint)clusterBits.Length && (clusterBits[c >> 6] & (1UL << (int)(c & 63))) != 0)
            {
                bits[a >> 6] |= 1UL << (a & 63);
            }
        }

        // ids at or above the stored clusters' end are their own cluster
        foreach (var c in byCluster.Keys)
        {
            if (c >= ids.Length)
            {
                bits[c >> 6] |= 1UL << (int)(c & 63);
            }
        }

        return bits;
    }

    /// <summary>
    /// Whether <paramref name="address"/> has a label (<see cref="Lookup"/> is not null): one bit test in a bit set of all
    /// address ids (an eighth of a byte each), so the many unlabelled addresses a trace meets cost no dictionary look-up.
    /// </summary>
    /// <summary>Hints the CPU to fetch the cluster id <see cref="ClusterOf"/> will read for <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchClusterOf(uint address)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && _ids is not null && address < (uint)_ids.Length)
        {
            // a hint only (see StoredCoinJoins.Prefetch)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _ids[address]));
        }
    }

    /// <summary>Hints the CPU to fetch the bit <see cref="IsLabelled"/> will test for <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchIsLabelled(uint address)
    {
        var w = address >> 6;
        var bits = LabelledBitSet;
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported && w < (uint)bits.Length)
        {
            // a hint only (see StoredCoinJoins.Prefetch)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref bits[w]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLabelled(uint address)
    {
        var bits = LabelledBitSet;
        var w = address >> 6;
        return w < (uint)bits.Length && (bits[w] & (1UL << (int)(address & 63))) != 0;
    }

    public string Chain { get; }

    /// <summary>Height the clusters cover, or null when the labels are of single addresses (no stored clusters).</summary>
    public int? ClusterHeight { get; }

    /// <summary>The clustering run's CoinJoin verdicts, when its clusters are of the chain as it is now; null otherwise.</summary>
    public StoredCoinJoins? CoinJoins { get; }

    /// <summary>Every labelled cluster, by cluster id.</summary>
    public IReadOnlyList<ClusterLabel> Clusters { get; }

    /// <summary>Why the file was (re)built by this open, or null when it was read as stored.</summary>
    public string? RebuildReason { get; }

    /// <summary>The label of the cluster of <paramref name="address"/> (the address alone when no cluster covers it), or null.</summary>
    public ClusterLabel? Lookup(uint address) => _byCluster.GetValueOrDefault(ClusterOf(address));

    /// <summary>The cluster id used for labels: the stored cluster, or the address itself when no stored cluster covers it.</summary>
    public uint ClusterOf(uint address) => _ids is not null && address < _ids.Length ? _ids[address] : address;

    /// <summary>
    /// The addresses of cluster <paramref name="cluster"/> (its id: its smallest member), ascending; just the address itself
    /// when the clusters do not cover it.
    /// </summary>
    public List<uint> Members(uint cluster) =>
        _ids is not null && cluster < _ids.Length ? Clustering.ClusterMembers.Find(_ids, cluster, from: cluster) : [cluster];

    /// <summary>The tags of one address (best first).</summary>
    public IReadOnlyList<ChainTag> TagsOf(uint address) => _tagsByAddress.TryGetValue(address, out var list) ? list : [];

    /// <summary>Opens the labels of <paramref name="chain"/>, rebuilding labels.json when the tags, the registry or the clusters changed.</summary>
    public static ClusterLabels Open(UtxoChainStore chain, MetaDb meta) => Open(chain, ChainTags.Load(chain, new TagStore(meta)));

    /// <summary>As <see cref="Open(UtxoChainStore, MetaDb)"/> with tags already read.</summary>
    public static ClusterLabels Open(UtxoChainStore chain, ChainTags tags)
    {
        var dir = ClusterFiles.DirectoryOf(chain.Directory);
        var view = ClusterView.Open(chain.Directory);
        var header = Header(chain, tags, view);
        var path = Path.Combine(dir, FileName);
        string reason;
        if (!File.Exists(path))
        {
            reason = "no labels stored";
        }
        else
        {
            var stored = TryRead(path, header, tags);
            if (stored is not null)
            {
                return new ClusterLabels(chain.ChainName, view?.IdArray, view?.Meta.Height, stored, [.. tags.Tags], null, StoredCoinJoins.Of(chain, view));
            }

            reason = "tags, clusters or the store changed";
        }

        var built = Build(chain, tags, view, reason);
        Directory.CreateDirectory(dir);
        DurableFile.WriteAtomic(path, Serialize(header, built.Clusters));
        return built;
    }

    /// <summary>Derives the labels in memory (nothing written).</summary>
    public static ClusterLabels Build(UtxoChainStore chain, ChainTags tags, ClusterView? view, string? reason = null)
    {
        var ids = view?.IdArray;
        uint Cluster(uint a) => ids is not null && a < ids.Length ? ids[a] : a;
        var byCluster = new SortedDictionary<uint, List<ChainTag>>();
        foreach (var t in tags.Tags)
        {
            var c = Cluster(t.Address);
            if (!byCluster.TryGetValue(c, out var list))
            {
                byCluster[c] = list = [];
            }

            list.Add(t);
        }

        var sizes = new Dictionary<uint, long>();
        if (ids is not null)
        {
            foreach (var c in byCluster.Keys)
            {
                sizes[c] = 0;
            }

            foreach (var c in ids)
            {
                if (sizes.TryGetValue(c, out var n))
                {
                    sizes[c] = n + 1;
                }
            }
        }

        var labels = byCluster.Select(kv => LabelDerivation.Derive(kv.Key, Math.Max(1, sizes.GetValueOrDefault(kv.Key)), kv.Value, tags.Entities, tags.Actors))
            .ToList();
        return new ClusterLabels(chain.ChainName, ids, view?.Meta.Height, labels, [.. tags.Tags], reason, StoredCoinJoins.Of(chain, view));
    }

    private sealed record FileHeader(int Format, string Chain, string TagsDigest, string ClustersDigest, int ClusterHeight, long AddressCount);

    private static FileHeader Header(UtxoChainStore chain, ChainTags tags, ClusterView? view) =>
        new(Format, chain.ChainName, tags.Digest, view?.Meta.Files.GetValueOrDefault(ClusterFiles.Ids)?.Sha256 ?? "none", view?.Meta.Height ?? -1,
            chain.AddressCount);

    /// <summary>labels.json: the header, then per cluster its label and conflicts with their tags (address id and text, label,
    /// source, category, actor, entity, confidence, definer, delisting date). Written with sorted keys and no clock: same input, same bytes.</summary>
    private static byte[] Serialize(FileHeader header, IReadOnlyList<ClusterLabel> clusters)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", header.Format);
            w.WriteString("chain", header.Chain);
            w.WriteString("tags_sha256", header.TagsDigest);
            w.WriteString("clusters_ids_sha256", header.ClustersDigest);
            w.WriteNumber("cluster_height", header.ClusterHeight);
            w.WriteNumber("address_count", header.AddressCount);
            w.WriteNumber("labelled_clusters", clusters.Count);
            w.WriteNumber("conflicted_clusters", clusters.Count(c => c.HasConflicts));
            w.WriteStartArray("clusters");
            foreach (var c in clusters)
            {
                w.WriteStartObject();
                w.WriteNumber("cluster", c.Cluster);
                w.WriteNumber("size", c.Size);
                w.WriteNumber("tagged_addresses", c.TaggedAddresses);
                w.WriteStartArray("labels");
                foreach (var l in (EntityLabel[])[c.Label, .. c.Conflicts])
                {
                    w.WriteStartObject();
                    w.WriteStartArray("tags");
                    foreach (var t in l.Tags)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("address_id", t.Address);
                        w.WriteString("address", t.Tag.Address);
                        w.WriteString("currency", t.Tag.Currency);
                        w.WriteString("label", t.Tag.Label);
                        w.WriteString("source", t.Tag.Source);
                        Str(w, "category", t.Tag.Category);
                        Str(w, "abuse", t.Tag.Abuse);
                        Str(w, "actor", t.Tag.Actor);
                        Str(w, "entity", t.Entity);
                        Str(w, "party", t.Party);
                        Str(w, "confidence", t.Tag.Confidence);
                        if (t.Tag.ConfidenceLevel is { } level)
                        {
                            w.WriteNumber("level", level);
                        }

                        w.WriteBoolean("cluster_definer", t.Tag.IsClusterDefiner);
                        Str(w, "valid_to", t.Tag.ValidTo);
                        Str(w, "tagpack_title", t.Tag.TagPackTitle);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("name", l.Name);
                    Str(w, "country", l.Country);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>The stored labels when the header matches <paramref name="expected"/>; null otherwise (or when the file is damaged).</summary>
    private static List<ClusterLabel>? TryRead(string path, FileHeader expected, ChainTags tags)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var header = new FileHeader(root.GetProperty("format").GetInt32(), root.GetProperty("chain").GetString()!, root.GetProperty("tags_sha256").GetString()!,
                root.GetProperty("clusters_ids_sha256").GetString()!, root.GetProperty("cluster_height").GetInt32(), root.GetProperty("address_count").GetInt64());
            if (header != expected)
            {
                return null;
            }

            var list = new List<ClusterLabel>();
            foreach (var c in root.GetProperty("clusters").EnumerateArray())
            {
                var labels = new List<EntityLabel>();
                foreach (var l in c.GetProperty("labels").EnumerateArray())
                {
                    var chainTags = l.GetProperty("tags").EnumerateArray().Select(ReadTag).ToList();
                    var best = chainTags[0];
                    labels.Add(new EntityLabel(best.Entity, l.GetProperty("name").GetString()!, best.Tag.Category, S(l, "country"),
                        best.Tag.Actor ?? (best.Entity is { } e ? tags.Entities.GetValueOrDefault(e)?.Actor : null), best.Tag.ConfidenceLevel,
                        best.Tag.IsClusterDefiner, best.Address, chainTags));
                }

                list.Add(new ClusterLabel(c.GetProperty("cluster").GetUInt32(), c.GetProperty("size").GetInt64(), labels[0], labels.Skip(1).ToList(),
                    c.GetProperty("tagged_addresses").GetInt32()));
            }

            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static ChainTag ReadTag(JsonElement t)
    {
        var row = new TagRow
        {
            Address = t.GetProperty("address").GetString()!,
            Currency = t.GetProperty("currency").GetString()!,
            Label = t.GetProperty("label").GetString()!,
            Source = t.GetProperty("source").GetString()!,
            Category = S(t, "category"),
            Abuse = S(t, "abuse"),
            Actor = S(t, "actor"),
            Confidence = S(t, "confidence"),
            ConfidenceLevel = t.TryGetProperty("level", out var lv) ? lv.GetInt32() : null,
            IsClusterDefiner = t.GetProperty("cluster_definer").GetBoolean(),
            ValidTo = S(t, "valid_to"),
            TagPackTitle = S(t, "tagpack_title"),
        };
        return new ChainTag(t.GetProperty("address_id").GetUInt32(), row, S(t, "entity"), S(t, "party"));
    }

    private static string? S(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
}
