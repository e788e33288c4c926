using System.Globalization;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Storage;
using Ashiato.Storage.Evm;
using Ashiato.Storage.Utxo;

namespace Ashiato.Intel.Incidents;

/// <summary>Whether the store has a theft transaction.</summary>
public enum TxPresence
{
    /// <summary>In the store (with the output, when one is named).</summary>
    Found,

    /// <summary>The chain is in the store but the transaction (or the named output) is not.</summary>
    Missing,

    /// <summary>The chain is not in the store: not looked up.</summary>
    ChainNotInStore,

    /// <summary>The chain in the store is of another family than the incident says, or the incident's chain family is unknown: not looked up.</summary>
    NotChecked,
}

/// <summary>The answer for one theft transaction: presence, and a detail (the block height, or why it was not looked up).</summary>
public sealed record TxCheck(TxPresence Presence, string Detail);

/// <summary>
/// Looks theft transactions up in the chain stores (tx-by-hash indexes of <see cref="UtxoChainStore"/> and
/// <see cref="EvmChainStore"/>); each chain is opened read-only once, on first use.
/// </summary>
public sealed class TheftTxLookup(StoreDirectory store) : IDisposable
{
    private readonly Dictionary<string, UtxoChainStore> _utxo = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvmChainStore> _evm = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _chains;

    public TxCheck Check(IncidentChain chain, TheftTransaction tx)
    {
        var name = chain.Chain.Value;
        _chains ??= store.Chains();
        if (!_chains.Contains(name))
        {
            return new TxCheck(TxPresence.ChainNotInStore, $"chain '{name}' is not in the store");
        }

        if (chain.Family == ChainFamily.Unknown)
        {
            return new TxCheck(TxPresence.NotChecked, $"chain '{name}' has no known family in the incident");
        }

        var family = store.ChainFamily(name);
        if (family != IncidentStore.FamilyName(chain.Family))
        {
            return new TxCheck(TxPresence.NotChecked, $"chain '{name}' in the store is {family}, the incident names a {IncidentStore.FamilyName(chain.Family)} chain");
        }

        if (chain.Family == ChainFamily.Utxo)
        {
            if (!_utxo.TryGetValue(name, out var utxo))
            {
                _utxo[name] = utxo = store.OpenUtxoChain(name, null, create: false);
            }

            var id = utxo.FindTx(Hash256.Parse(tx.TxId));
            if (id < 0)
            {
                return new TxCheck(TxPresence.Missing, $"not in chain '{name}' (heights {utxo.BaseHeight}..{utxo.TipHeight})");
            }

            var row = utxo.GetTx(id);
            if (tx.OutputIndex is { } o && o >= row.OutputCount)
            {
                return new TxCheck(TxPresence.Missing, $"the transaction is in block {row.Height} but has {row.OutputCount} outputs, no output {o}");
            }

            return new TxCheck(TxPresence.Found, "block " + row.Height.ToString(CultureInfo.InvariantCulture));
        }

        if (!_evm.TryGetValue(name, out var evm))
        {
            _evm[name] = evm = store.OpenEvmChain(name, null, writer: false);
        }

        var txId = evm.FindTransaction(EvmHash.Parse(tx.TxId));
        if (txId < 0)
        {
            return new TxCheck(TxPresence.Missing, $"not in chain '{name}' (blocks {evm.BaseHeight}..{evm.TipHeight?.ToString(CultureInfo.InvariantCulture) ?? "none"})");
        }

        var (height, index) = evm.TransactionLocation(txId);
        return new TxCheck(TxPresence.Found, $"block {height.ToString(CultureInfo.InvariantCulture)}, index {index.ToString(CultureInfo.InvariantCulture)}");
    }

    public void Dispose()
    {
        foreach (var s in _utxo.Values)
        {
            s.Dispose();
        }

        foreach (var s in _evm.Values)
        {
            s.Dispose();
        }

        _utxo.Clear();
        _evm.Clear();
    }
}
