using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Tests.Unit;

/// <summary>
/// Writes store rows directly (no parser): block n has a coinbase paying address (n % 7) and, from block 1, a transaction
/// spending the previous block's coinbase to two addresses. Hashes are derived from (seed, n) so branches differ.
/// </summary>
internal static class SyntheticChain
{
    public static Hash256 Hash(string seed, int n, string what) =>
        new(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"{seed}/{n}/{what}")));

    public static byte[] Payload(int address) => SHA256.HashData(BitConverter.GetBytes(address))[..20];

    public static void AddBlocks(UtxoChainStore store, WriteBatch batch, string seed, int count, string? parentSeed = null)
    {
        for (var i = 0; i < count; i++)
        {
            var n = batch.NextHeight;
            var prev = batch.TipHash;
            var header = new BlockHeader(1, prev, Hash(seed, n, "merkle"), (uint)(1_600_000_000 + (n * 600)), 0x207fffff, (uint)n);
            batch.BeginBlock(Hash(seed, n, "block"), header, 300, 300, 0);
            batch.BeginTx(Hash(seed, n, "coinbase"), 1, 0, 100, 100, TxFlags.Coinbase);
            batch.AddCoinbaseInput([1, 2, 3], uint.MaxValue, []);
            batch.AddOutput(5_000_000_000, ScriptType.PubKeyHash, AddressKind.PubKeyHash, Payload(n % 7), []);
            batch.EndTx();
            if (n > store.BaseHeight)
            {
                var spent = Hash(i == 0 ? parentSeed ?? seed : seed, n - 1, "coinbase");
                Assert.True(batch.TryResolve(spent, 0, out var prevout), $"coinbase of {n - 1} must resolve");
                batch.BeginTx(Hash(seed, n, "spend"), 2, 0, 200, 200, TxFlags.None);
                batch.AddInput(prevout, [9], 0xfffffffe, []);
                batch.AddOutput(3_000_000_000, ScriptType.PubKeyHash, AddressKind.PubKeyHash, Payload(100 + n), []);
                batch.AddOutput(1_999_990_000, ScriptType.PubKeyHash, AddressKind.PubKeyHash, Payload(n % 7), []);
                batch.EndTx();
            }

            batch.EndBlock();
        }
    }
}
