using System.Numerics;
using System.Text;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Export.Evm;
using Ashiato.Ingest.Bitcoin;
using Ashiato.Ingest.Evm;
using Ashiato.Storage;
using Ashiato.Storage.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>A temporary store for one EVM test, with helpers to ingest from a node and read the result back.</summary>
internal sealed class EvmTempStore : IDisposable
{
    public const string Chain = "anvil";

#pragma warning disable RS0030
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ashiato-evm-" + Guid.NewGuid().ToString("N"));

    public static EvmRpcClient Client(Uri url, EvmRpcOptions? options = null) => new(Http, url, options);

    public async Task<EvmIngestResult> IngestAsync(Uri url, long? from, long? to, CancellationToken ct, bool traces = true, EvmRpcOptions? rpc = null,
        int batch = 5, bool follow = false, long? chainId = null, string chain = Chain, IngestOptions? options = null)
    {
        using var store = StoreDirectory.Open(Path, create: true);
        var ingestor = new EvmIngestor(store, new EvmNodeSource(Client(url, rpc)), options ?? new IngestOptions { CommitInterval = TimeSpan.Zero });
        return await ingestor.RunAsync(new EvmIngestRequest(chain, chainId, from, to, follow, traces, TimeSpan.FromMilliseconds(100), batch), null, ct);
    }

    public T Read<T>(Func<EvmChainStore, T> read, string chain = Chain)
    {
        using var store = StoreDirectory.Open(Path, create: false);
        using var evm = store.OpenEvmChain(chain, null, writer: false);
        return read(evm);
    }

    /// <summary>Every transfer of the chain as one line of text (addresses resolved), in store order.</summary>
    public IReadOnlyList<string> TransferLines(string chain = Chain) => Read(evm =>
    {
        if (evm.TipHeight is not { } tip)
        {
            return (IReadOnlyList<string>)[];
        }

        string A(long id) => id < 0 ? "-" : evm.Address(id).ToString();
        return evm.Transfers(evm.BaseHeight, tip)
            .Select(t => $"{t.Height} {t.TransactionIndex} {t.Position} {t.Kind} {A(t.AssetId)} {A(t.FromId)} {A(t.ToId)} {t.Amount} {t.TokenId}")
            .ToList();
    }, chain);

    /// <summary>One ethereum-etl table of the whole chain, as exported from the store.</summary>
    public string Export(EvmTable table, EthereumEtlFormat format = EthereumEtlFormat.Json, string chain = Chain) => Read(evm =>
    {
        var w = new StringWriter { NewLine = "\n" };
        new EvmStoreExport(evm, new EthereumEtlExporter()).Write(w, table, evm.BaseHeight, evm.TipHeight!.Value, format);
        return w.ToString();
    }, chain);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Signed balance changes summed per (asset, holder, token id) — for conservation checks.</summary>
internal sealed class Ledger
{
    private readonly Dictionary<(string Asset, string Holder, string TokenId), BigInteger> _delta = [];

    public IReadOnlyDictionary<(string Asset, string Holder, string TokenId), BigInteger> Deltas => _delta;

    public void Add(string asset, string holder, string tokenId, BigInteger amount)
    {
        var key = (asset, holder, tokenId);
        _delta[key] = _delta.GetValueOrDefault(key) + amount;
    }

    public BigInteger Get(string asset, string holder, string tokenId = "") => _delta.GetValueOrDefault((asset, holder, tokenId));

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var ((asset, holder, id), v) in _delta.OrderBy(k => k.Key.Asset).ThenBy(k => k.Key.Holder))
        {
            sb.Append(asset).Append(' ').Append(holder).Append(' ').Append(id).Append(' ').Append(v).Append('\n');
        }

        return sb.ToString();
    }
}
