using System.Security.Cryptography;
using Ashiato.Analysis.Tracing;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tests.Tracing.Evm;

/// <summary>A hand-written EVM chain in a temp directory: one block a day, transactions given as their transfers.</summary>
internal sealed class EvmTraceTestChain : IDisposable
{
    public const string Name = "test-evm";
    public const long Start = 1_600_000_000;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ashiato-evmtrace-" + Guid.NewGuid().ToString("N"));
    private readonly List<List<EvmTransfer>> _txs = [];
    private long _height;
    private EvmHash _parent;

    public EvmTraceTestChain()
    {
        Store = EvmChainStore.Open(_dir, new EvmChainCreate(Name, 31337, 0), writer: true);
        EndBlock(); // genesis: no transactions
    }

    public EvmChainStore Store { get; }

    public static EvmAddress A(string name) => new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))[..20]);

    public static EvmHash TxHash(long height, int index) =>
        new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"tx {height} {index}")));

    /// <summary>One transfer of a hand-written transaction (token id: ERC-721/1155 only).</summary>
    public readonly record struct Leg(EvmTransferKind Kind, EvmAddress? Asset, EvmAddress? From, EvmAddress? To, UInt256 Amount, ulong TokenId = 0);

    public static Leg Eth(string from, string to, ulong amount) =>
        new(EvmTransferKind.Native, null, A(from), A(to), amount);

    public static Leg Internal(string from, string to, ulong amount) =>
        new(EvmTransferKind.Internal, null, A(from), A(to), amount);

    public static Leg Token(string token, string from, string to, ulong amount) =>
        new(EvmTransferKind.Erc20, A(token), A(from), A(to), amount);

    public static Leg Burnt(string from, ulong amount) =>
        new(EvmTransferKind.FeeBurnt, null, A(from), null, amount);

    /// <summary>An ERC-721 transfer of token <paramref name="id"/> (null from = a mint).</summary>
    public static Leg Nft(string contract, string? from, string? to, ulong id) =>
        new(EvmTransferKind.Erc721, A(contract), from is null ? null : A(from), to is null ? null : A(to), 1, id);

    /// <summary>An ERC-1155 transfer of <paramref name="count"/> tokens of id <paramref name="id"/>.</summary>
    public static Leg Multi(string contract, string from, string to, ulong id, ulong count) =>
        new(EvmTransferKind.Erc1155, A(contract), A(from), A(to), count, id);

    public static Leg Of(EvmTransferKind kind, string? asset, string? from, string? to, ulong amount) =>
        new(kind, asset is null ? null : A(asset), from is null ? null : A(from), to is null ? null : A(to), amount);

    /// <summary>Adds a transaction (its transfers in order) to the current block; returns its hash.</summary>
    public EvmHash Tx(params Leg[] transfers)
    {
        _txs.Add(transfers.Select(t => new EvmTransfer(t.Kind, _txs.Count, 0, t.Asset, t.From, t.To, t.Amount, t.TokenId)).ToList());
        return TxHash(_height, _txs.Count - 1);
    }

    /// <summary>Appends the current block (positions numbered through the block) and starts the next one.</summary>
    public void EndBlock()
    {
        var transfers = new List<EvmTransfer>();
        foreach (var tx in _txs)
        {
            foreach (var t in tx)
            {
                transfers.Add(t with { Position = transfers.Count });
            }
        }

        var hash = new EvmHash(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"block {_height}")));
        Store.Append(new EvmStoredBlock
        {
            Number = _height,
            Hash = hash,
            ParentHash = _parent,
            Timestamp = Start + (_height * 86_400),
            TransactionHashes = Enumerable.Range(0, _txs.Count).Select(i => TxHash(_height, i)).ToList(),
            Transfers = transfers,
        });
        _parent = hash;
        _height++;
        _txs.Clear();
    }

    public void Commit()
    {
        if (_txs.Count > 0)
        {
            EndBlock();
        }

        Store.Commit();
    }

    public static TraceSeed Transfer(EvmHash tx, int position, UInt256? amount = null, string? asset = null) =>
        new(Name, TraceSeedKind.Output, $"{tx}:{position}") { Amount = amount, Asset = asset };

    public void Dispose()
    {
        Store.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}

/// <summary>Labels by address for tests (handwritten fake).</summary>
internal sealed class FakeLabels(EvmChainStore store, params (string Address, string Entity, string Category)[] labels) : ITraceLabels
{
    private readonly Dictionary<long, TraceLabel> _byId = labels.ToDictionary(
        l => store.FindAddress(EvmTraceTestChain.A(l.Address)),
        l => new TraceLabel(l.Entity, l.Entity, l.Category, "ZZ", null, "test label"));

    public TraceLabel? Lookup(long addressId) => _byId.GetValueOrDefault(addressId);

    public long? ClusterOf(long addressId) => null;
}

internal static class TraceAssert
{
    /// <summary>
    /// Per asset: seeded + tainted carried in by swaps = Σ endpoint edges + Σ tainted swapped away ("swap:follow"), exactly.
    /// </summary>
    public static void Conserved(TraceResult r)
    {
        var assets = r.Edges.Select(e => e.Asset).Concat(r.Summary.Seeded.Select(s => s.Asset)).Distinct().ToList();
        Assert.NotEmpty(assets);
        foreach (var asset in assets)
        {
            var seeded = Sum(r.Summary.Seeded.Where(s => s.Asset == asset).Select(s => s.Tainted));
            var swappedIn = Sum(r.Edges.Where(e => e.Asset == asset && e.Rule == TraceRules.Follow && (e.Detail?.StartsWith("swap leg", StringComparison.Ordinal) ?? false)).Select(e => e.Tainted));
            var ends = Sum(r.Edges.Where(e => e.Asset == asset && TraceSummaryBuilder.IsEndpoint(e.Rule)).Select(e => e.Tainted));
            var swappedOut = Sum(r.Edges.Where(e => e.Asset == asset && e.Rule == TraceRules.SwapFollow).Select(e => e.Tainted));
            Assert.True(seeded + swappedIn == ends + swappedOut, $"{asset}: seeded {seeded} + swapped in {swappedIn} ≠ endpoints {ends} + swapped out {swappedOut}");
        }
    }

    public static UInt256 Sum(IEnumerable<UInt256> values) => values.Aggregate(UInt256.Zero, (a, b) => a + b);

    /// <summary>A stable text form of a result's edges, for hand-checked expectations and determinism.</summary>
    public static List<string> Lines(TraceResult r, Func<string, string>? name = null) =>
        r.Edges.Select(e => $"{e.Hop} {Short(e.From, name)}>{Short(e.To, name)} {e.Tainted}/{e.Amount} {e.Rule}").ToList();

    private static string Short(string node, Func<string, string>? name)
    {
        var address = node[(node.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return name?.Invoke(address) ?? address;
    }
}
