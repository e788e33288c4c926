using System.Text.Json;
using Ashiato.Chains.Bitcoin;
using Ashiato.Core;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage;

/// <summary>
/// The embedded store: a directory holding <c>store.json</c> (format version, checked on open),
/// <c>meta.sqlite</c> (chains, ingest runs) and one directory per chain under <c>chains/</c>.
/// </summary>
public sealed class StoreDirectory : IDisposable
{
    public const int FormatVersion = 1;
    private const string FormatFile = "store.json";

    private StoreDirectory(string path, MetaDb meta)
    {
        Path = path;
        Meta = meta;
    }

    public string Path { get; }

    public MetaDb Meta { get; }

    /// <summary>Opens the store, creating it when <paramref name="create"/> is set and it does not exist.</summary>
    public static StoreDirectory Open(string path, bool create, TimeProvider? clock = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var formatPath = System.IO.Path.Combine(full, FormatFile);
        if (!File.Exists(formatPath))
        {
            if (!create)
            {
                throw new UserErrorException($"{full}: no Ashiato store here (run an ingest first, or pass --store)");
            }

            Directory.CreateDirectory(full);
            if (Directory.EnumerateFileSystemEntries(full).Any())
            {
                throw new UserErrorException($"{full}: directory is not empty and is not an Ashiato store");
            }

            DurableFile.WriteAtomic(formatPath, JsonSerializer.SerializeToUtf8Bytes(new StoreFormat("ashiato-store", FormatVersion)));
        }
        else
        {
            StoreFormat? format;
            try
            {
                format = JsonSerializer.Deserialize<StoreFormat>(File.ReadAllBytes(formatPath));
            }
            catch (JsonException e)
            {
                throw new UserErrorException($"{formatPath}: unreadable ({e.Message})");
            }

            if (format is null || format.Kind != "ashiato-store")
            {
                throw new UserErrorException($"{formatPath}: not an Ashiato store");
            }

            if (format.Version != FormatVersion)
            {
                throw new UserErrorException($"{formatPath}: store format version {format.Version}; this build reads version {FormatVersion}");
            }
        }

        Directory.CreateDirectory(System.IO.Path.Combine(full, "chains"));
        return new StoreDirectory(full, MetaDb.Open(System.IO.Path.Combine(full, "meta.sqlite"), clock ?? TimeProvider.System));
    }

    public string ChainPath(string chain)
    {
        if (chain.Length == 0 || chain.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new UserErrorException($"invalid chain name '{chain}' (letters, digits, '-' and '_' only)");
        }

        return System.IO.Path.Combine(Path, "chains", chain);
    }

    public IReadOnlyList<string> Chains() =>
        Directory.EnumerateDirectories(System.IO.Path.Combine(Path, "chains"))
            .Where(d => File.Exists(System.IO.Path.Combine(d, Manifest.FileName)))
            .Select(d => System.IO.Path.GetFileName(d))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The family of a chain in the store: "utxo" or "evm" (from its manifest; UTXO manifests carry no family), or null
    /// when the chain is not in the store.
    /// </summary>
    public string? ChainFamily(string chain) => EvmManifest.DetectFamily(ChainPath(chain));

    public UtxoChainStore OpenUtxoChain(string chain, Network? network, bool create, bool inputScripts = true)
    {
        if (ChainFamily(chain) is { } family && family != "utxo")
        {
            throw new UserErrorException($"chain '{chain}' in the store is an {family.ToUpperInvariant()} chain, not a UTXO chain");
        }

        var store = UtxoChainStore.Open(ChainPath(chain), chain, network, create, inputScripts);
        Meta.RegisterChain(chain, "utxo", store.Network.Name);
        return store;
    }

    /// <summary>Opens (or, for a writer given <paramref name="create"/>, creates) an EVM chain; see <see cref="EvmChainStore.Open"/>.</summary>
    public EvmChainStore OpenEvmChain(string chain, EvmChainCreate? create, bool writer)
    {
        if (create is not null && create.Chain != chain)
        {
            throw new ArgumentException($"chain '{chain}' opened with the creation parameters of '{create.Chain}'", nameof(create));
        }

        var store = EvmChainStore.Open(ChainPath(chain), create, writer);
        Meta.RegisterChain(chain, EvmManifest.FamilyName, store.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return store;
    }

    public void Dispose() => Meta.Dispose();

    private sealed record StoreFormat(string Kind, int Version);
}
