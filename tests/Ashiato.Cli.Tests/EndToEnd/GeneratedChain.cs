using System.Security.Cryptography;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Serialization;
using Ashiato.Core;

namespace Ashiato.Cli.Tests.EndToEnd;

/// <summary>
/// A deterministic regtest chain written as Bitcoin Core blk files: block 1 on top of the regtest genesis (BIP34
/// heights in the coinbases), each block paying a P2WPKH coinbase and holding transactions that spend earlier
/// outputs to P2WPKH and P2PKH outputs with signature-sized placeholder witnesses and scripts.
/// </summary>
internal static class GeneratedChain
{
    public static void Write(string directory, int blocks, int txPerBlock, long maxFileBytes)
    {
        Directory.CreateDirectory(directory);
        using var writer = new BlockFileWriter(directory, Network.BitcoinRegtest, null, maxFileBytes);
        var unspent = new Queue<(Hash256 TxId, uint Vout, long Value)>();
        var prev = Network.BitcoinRegtest.GenesisHash;
        var seed = 0;
        for (var height = 1; height <= blocks; height++)
        {
            var txs = new List<Transaction>
            {
                new(2, [TxInput.Coinbase([0x03, (byte)height, (byte)(height >> 8), (byte)(height >> 16), 0x51])],
                    [new TxOutput(5_000_000_000, P2wpkh(seed++))], 0),
            };
            for (var t = 0; t < txPerBlock && unspent.Count > 0; t++)
            {
                var (txid, vout, value) = unspent.Dequeue();
                var half = value / 2;
                var legacy = t % 4 == 0;
                var input = legacy
                    ? new TxInput(txid, vout, [72, .. Filler(seed, 72), 33, .. Filler(seed + 1, 33)], 0xfffffffd)
                    : new TxInput(txid, vout, [], 0xfffffffd, [Filler(seed, 72), Filler(seed + 1, 33)]);
                txs.Add(new Transaction(2, [input], [new TxOutput(half, P2wpkh(seed++)), new TxOutput(value - half - 1000, P2pkh(seed++))], 0));
            }

            var header = new BlockHeader(0x20000000, prev, BlockSerializer.ComputeMerkleRoot(txs), (uint)(1_700_000_000 + (height * 600)), 0x207fffff, (uint)height);
            writer.Append(BlockSerializer.Serialize(header, txs));
            prev = BlockSerializer.ComputeHash(header);
            foreach (var tx in txs)
            {
                var id = TransactionSerializer.ComputeTxId(tx);
                for (var o = 0; o < tx.Outputs.Count; o++)
                {
                    if (tx.Outputs[o].Value > 10_000)
                    {
                        unspent.Enqueue((id, (uint)o, tx.Outputs[o].Value));
                    }
                }
            }
        }
    }

    private static byte[] Filler(int seed, int length) => SHA256.HashData(BitConverter.GetBytes(seed)).Concat(SHA512.HashData(BitConverter.GetBytes(seed))).Take(length).ToArray();

    private static byte[] P2wpkh(int key) => [0x00, 0x14, .. Filler(key, 20)];

    private static byte[] P2pkh(int key) => [0x76, 0xa9, 0x14, .. Filler(key, 20), 0x88, 0xac];
}
