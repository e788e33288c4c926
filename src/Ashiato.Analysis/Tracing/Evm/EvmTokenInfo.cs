using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tracing.Evm;

/// <summary>Symbol and decimals of a token contract, as ingest read them when the token first moved (null when unknown).</summary>
public sealed record EvmTokenMeta(string? Symbol, int? Decimals);

/// <summary>
/// Token metadata from the store: ingest keeps each token's <c>symbol()</c>/<c>decimals()</c> in the bundle of the block
/// where the token first moved (<c>asset.first</c> says which), so one bundle is decoded per token, once.
/// </summary>
public sealed class EvmTokenInfo(EvmChainStore store)
{
    private readonly Dictionary<long, EvmTokenMeta> _cache = [];
    private Dictionary<long, long>? _firstTransfer;

    public EvmTokenMeta Get(long assetId)
    {
        if (_cache.TryGetValue(assetId, out var meta))
        {
            return meta;
        }

        meta = Read(assetId);
        _cache[assetId] = meta;
        return meta;
    }

    private EvmTokenMeta Read(long assetId)
    {
        if (_firstTransfer is null)
        {
            _firstTransfer = [];
            foreach (var s in store.Segments)
            {
                for (long i = 0; i < s.AssetFirstCount; i++)
                {
                    var row = s.AssetFirst(i);
                    _firstTransfer.TryAdd(row.AddressId, s.Info.TransferBase + row.TransferLocal);
                }
            }
        }

        if (!_firstTransfer.TryGetValue(assetId, out var transferId))
        {
            return new EvmTokenMeta(null, null);
        }

        var height = store.Transfer(transferId).Height;
        var bundle = store.Bundle(height);
        if (bundle.IsEmpty)
        {
            return new EvmTokenMeta(null, null);
        }

        var address = store.Address(assetId);
        var decoded = EvmBundleCodec.Decode(bundle, $"{store.ChainName} block {height}");
        var token = decoded.NewTokens.FirstOrDefault(t => t.Address == address);
        return token is null ? new EvmTokenMeta(null, null) : new EvmTokenMeta(token.Symbol, token.Decimals);
    }
}
