using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Serialization;
using Ashiato.Core;

namespace Ashiato.Bench;

/// <summary>Output script templates of the synthetic chain.</summary>
internal enum OutKind : byte
{
    P2WPKH,
    P2PKH,
    P2SH_P2WPKH,
    P2TR,
    P2WSH,
}

/// <summary>What the generator made: the blocks (in memory and as blk files) and counts.</summary>
internal sealed class GeneratedChain
{
    public required List<byte[]> Blocks { get; init; }

    public required string BlocksDirectory { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public bool Obfuscated { get; init; }

    public long TxCount { get; set; }

    public long InputCount { get; set; }

    public long OutputCount { get; set; }

    public long WitnessTxCount { get; set; }

    public long[] OutputsByKind { get; } = new long[5];

    public long[] InputsByKind { get; } = new long[5];

    public long ReusedOutputs { get; set; }
}

/// <summary>
/// A deterministic synthetic regtest chain with mainnet-like shapes: the real regtest genesis; then a coinbase per
/// block (BIP34 height, witness commitment, 100-block maturity respected); ~2,000 transactions per block, each with
/// 1–3 inputs spending uniformly random unspent outputs of earlier blocks and 1–3 outputs with the script mix
/// P2WPKH 55 %, P2PKH 20 %, P2SH-P2WPKH 10 %, P2TR 10 %, P2WSH 5 % (10 % of outputs pay an address seen before).
/// Inputs carry scriptSigs and witnesses of realistic sizes (71–72-byte DER-shaped signatures, 33-byte keys, 64-byte
/// Schnorr signatures, 2-of-3 P2WSH multisig). Signatures are random bytes and proof of work is not done: the parser
/// and the ingest check neither.
/// </summary>
internal sealed class SyntheticChainGenerator
{
    private const long Coin = 100_000_000;
    private const int RegtestHalving = 150;
    private const int CoinbaseMaturity = 100;
    private const uint GenesisTime = 1296688602;
    private const int ReuseRing = 1 << 16;

    private readonly Rng _rng;
    private readonly List<Utxo> _pool = [];
    private readonly Queue<(int Height, Utxo Coin)> _immature = new();
    private readonly byte[][] _recentScripts = new byte[ReuseRing][];
    private int _recentCount;
    private GeneratedChain _chain = null!;

    public SyntheticChainGenerator(ulong seed)
    {
        _rng = new Rng(seed);
    }

    /// <summary>Bitcoin's genesis coinbase, the same in every Bitcoin network.</summary>
    public static Transaction GenesisCoinbase() => new(1,
        [TxInput.Coinbase(Convert.FromHexString(
            "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"))],
        [new TxOutput(50 * Coin, Convert.FromHexString(
            "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac"))],
        0);

    /// <summary>Generates about <paramref name="targetTx"/> transactions (exactly, when it exceeds the bootstrap blocks) into <paramref name="directory"/>.</summary>
    public GeneratedChain Generate(long targetTx, string directory, bool obfuscate, Action<string>? log = null)
    {
        var xorKey = obfuscate ? _rng.Bytes(8) : null;
        using var writer = new BlockFileWriter(directory, Network.BitcoinRegtest, xorKey);
        _chain = new GeneratedChain { Blocks = [], BlocksDirectory = directory, Files = writer.Files, Obfuscated = obfuscate };

        // Height 0: the real regtest genesis block.
        var genesis = GenesisCoinbase();
        var genesisHeader = new BlockHeader(1, Hash256.Zero, TransactionSerializer.ComputeTxId(genesis), GenesisTime, 0x207fffff, 2);
        if (BlockSerializer.ComputeHash(genesisHeader) != Network.BitcoinRegtest.GenesisHash)
        {
            throw new InvalidOperationException("the serializer does not reproduce the regtest genesis block");
        }

        var prev = AddBlock(writer, genesisHeader, [genesis]);
        Count(genesis);

        // Height 1: a coinbase paying 20 outputs. Height 2: 20 fan-out payouts of 250 outputs each (spending height 1
        // early, the one place maturity is ignored, so that regular blocks can start at height 3).
        var height = 1;
        prev = MineBlock(writer, prev, height++, 0, coinbaseOutputs: 20);
        ReleaseImmature(int.MaxValue);
        prev = MineBlock(writer, prev, height++, 0, fanOut: 250);
        while (_chain.TxCount < targetTx)
        {
            ReleaseImmature(height);
            var n = 1800 + _rng.Next(401);
            n = (int)Math.Min(n, targetTx - _chain.TxCount);
            prev = MineBlock(writer, prev, height++, n - 1);
            if (log is not null && height % 50 == 0)
            {
                log($"  generated {height} blocks, {_chain.TxCount:N0} tx, pool {_pool.Count:N0} unspent");
            }
        }

        writer.Flush();
        return _chain;
    }

    private Hash256 MineBlock(BlockFileWriter writer, Hash256 prev, int height, int regularTx, int coinbaseOutputs = 1, int fanOut = 0)
    {
        var txs = new List<Transaction>(regularTx + 1) { null! };
        var txids = new List<Hash256>(regularTx + 1) { default };
        var created = new List<Utxo>();
        long fees = 0;
        var anyWitness = false;
        if (fanOut > 0)
        {
            // spend every unspent output into fanOut outputs each
            var sources = _pool.ToList();
            _pool.Clear();
            foreach (var source in sources)
            {
                var tx = BuildTx([source], fanOut, height, out var fee);
                AddTx(tx, txs, txids, created, ref anyWitness);
                fees += fee;
            }
        }

        for (var k = 0; k < regularTx && _pool.Count > 0; k++)
        {
            var roll = _rng.Next(100);
            var nIn = Math.Min(roll < 60 ? 1 : roll < 85 ? 2 : 3, _pool.Count);
            roll = _rng.Next(100);
            var nOut = roll < 15 ? 1 : roll < 85 ? 2 : 3;
            var spent = new Utxo[nIn];
            for (var i = 0; i < nIn; i++)
            {
                var at = _rng.Next(_pool.Count);
                spent[i] = _pool[at];
                _pool[at] = _pool[^1];
                _pool.RemoveAt(_pool.Count - 1);
            }

            var tx = BuildTx(spent, nOut, height, out var fee);
            AddTx(tx, txs, txids, created, ref anyWitness);
            fees += fee;
        }

        // Coinbase: BIP34 height then OP_0 (as Core's miner writes it); outputs to the miner and, if the block has a
        // witness, the BIP141 commitment with a zero witness reserved value.
        var reward = (height / RegtestHalving >= 64 ? 0 : (50 * Coin) >> (height / RegtestHalving)) + fees;
        var outputs = new List<TxOutput>();
        for (var o = 0; o < coinbaseOutputs; o++)
        {
            outputs.Add(new TxOutput(reward / coinbaseOutputs + (o == 0 ? reward % coinbaseOutputs : 0), NewScript(OutKind.P2WPKH, allowReuse: false)));
        }

        var reserved = new byte[32];
        var coinbaseScript = (byte[])[.. HeightPush(height), 0x00];
        var coinbase = new Transaction(2, [TxInput.Coinbase(coinbaseScript, uint.MaxValue, anyWitness ? [reserved] : [])], outputs, 0);
        txs[0] = coinbase;
        if (anyWitness)
        {
            // the commitment covers the wtxids with the coinbase's replaced by zero, so the coinbase can take it afterwards
            var commitment = BlockSerializer.ComputeWitnessCommitment(txs, reserved);
            coinbase = coinbase with { Outputs = [.. outputs, new TxOutput(0, BlockSerializer.WitnessCommitmentScript(commitment))] };
            txs[0] = coinbase;
        }

        txids[0] = TransactionSerializer.ComputeTxId(coinbase);
        for (var o = 0; o < coinbaseOutputs; o++)
        {
            _immature.Enqueue((height + CoinbaseMaturity, new Utxo(txids[0], (uint)o, OutKind.P2WPKH, outputs[o].Value)));
        }

        Count(coinbase);
        var header = new BlockHeader(0x20000000, prev, BlockSerializer.ComputeMerkleRoot(txids), GenesisTime + ((uint)height * 600),
            0x207fffff, (uint)_rng.Next64());
        var hash = AddBlock(writer, header, txs);
        _pool.AddRange(created);
        return hash;
    }

    private void AddTx(Transaction tx, List<Transaction> txs, List<Hash256> txids, List<Utxo> created, ref bool anyWitness)
    {
        var txid = TransactionSerializer.ComputeTxId(tx);
        txs.Add(tx);
        txids.Add(txid);
        for (var o = 0; o < tx.Outputs.Count; o++)
        {
            created.Add(new Utxo(txid, (uint)o, KindOf(tx.Outputs[o].ScriptPubKey), tx.Outputs[o].Value));
        }

        anyWitness |= tx.HasWitness;
        Count(tx);
    }

    private Transaction BuildTx(Utxo[] spent, int nOut, int height, out long fee)
    {
        var inputs = new List<TxInput>(spent.Length);
        long total = 0;
        var rbf = _rng.Next(100) < 60;
        foreach (var coin in spent)
        {
            total += coin.Value;
            _chain.InputsByKind[(int)coin.Kind]++;
            var (scriptSig, witness) = Unlock(coin.Kind);
            inputs.Add(new TxInput(coin.TxId, coin.Vout, scriptSig, rbf ? 0xfffffffdu : 0xffffffffu, witness));
        }

        fee = (150L * spent.Length) + (40L * nOut) + 50; // ~1 sat/vB
        if (total <= fee + nOut)
        {
            fee = 0;
        }

        var outputs = new List<TxOutput>(nOut);
        var left = total - fee;
        for (var o = 0; o < nOut; o++)
        {
            var value = o == nOut - 1 ? left : (long)(left * (0.2 + (0.6 * _rng.NextDouble())) / (nOut - o));
            left -= value;
            outputs.Add(new TxOutput(value, NewScript(PickKind(), allowReuse: true)));
        }

        // anti-fee-sniping: most wallets set the locktime to the current height
        var lockTime = _rng.Next(100) < 50 ? (uint)(height - 1) : 0u;
        return new Transaction(2, inputs, outputs, lockTime);
    }

    private OutKind PickKind()
    {
        var r = _rng.Next(100);
        return r < 55 ? OutKind.P2WPKH : r < 75 ? OutKind.P2PKH : r < 85 ? OutKind.P2SH_P2WPKH : r < 95 ? OutKind.P2TR : OutKind.P2WSH;
    }

    private byte[] NewScript(OutKind kind, bool allowReuse)
    {
        byte[] script;
        if (allowReuse && _recentCount > 1000 && _rng.Next(100) < 10)
        {
            script = _recentScripts[_rng.Next(Math.Min(_recentCount, ReuseRing))];
            _chain.ReusedOutputs++;
        }
        else
        {
            script = kind switch
            {
                OutKind.P2WPKH => [0x00, 0x14, .. _rng.Bytes(20)],
                OutKind.P2PKH => [0x76, 0xa9, 0x14, .. _rng.Bytes(20), 0x88, 0xac],
                OutKind.P2SH_P2WPKH => [0xa9, 0x14, .. _rng.Bytes(20), 0x87],
                OutKind.P2TR => [0x51, 0x20, .. _rng.Bytes(32)],
                _ => [0x00, 0x20, .. _rng.Bytes(32)],
            };
            _recentScripts[_recentCount++ % ReuseRing] = script;
        }

        if (allowReuse)
        {
            _chain.OutputsByKind[(int)KindOf(script)]++; // non-coinbase outputs only
        }

        return script;
    }

    private static OutKind KindOf(byte[] script) => script[0] switch
    {
        0x76 => OutKind.P2PKH,
        0xa9 => OutKind.P2SH_P2WPKH,
        0x51 => OutKind.P2TR,
        _ => script[1] == 0x14 ? OutKind.P2WPKH : OutKind.P2WSH,
    };

    /// <summary>scriptSig and witness that spend an output of this kind (shapes and sizes as on mainnet).</summary>
    private (byte[] ScriptSig, IReadOnlyList<byte[]> Witness) Unlock(OutKind kind)
    {
        switch (kind)
        {
            case OutKind.P2WPKH:
                return ([], [Signature(), PubKey()]);
            case OutKind.P2PKH:
                var sig = Signature();
                return ([(byte)sig.Length, .. sig, 33, .. PubKey()], []);
            case OutKind.P2SH_P2WPKH:
                return ([0x16, 0x00, 0x14, .. _rng.Bytes(20)], [Signature(), PubKey()]);
            case OutKind.P2TR:
                return ([], [_rng.Bytes(64)]); // key path, default sighash
            default:
                // 2-of-3 multisig: dummy, two signatures, witness script OP_2 <key> <key> <key> OP_3 OP_CHECKMULTISIG
                byte[] witnessScript = [0x52, 33, .. PubKey(), 33, .. PubKey(), 33, .. PubKey(), 0x53, 0xae];
                return ([], [[], Signature(), Signature(), witnessScript]);
        }
    }

    /// <summary>DER-shaped ECDSA signature with SIGHASH_ALL: 71 bytes (low R) or 72 (high R).</summary>
    private byte[] Signature()
    {
        var rLen = _rng.Next(2) == 0 ? 32 : 33;
        var sig = new byte[6 + rLen + 32 + 1];
        sig[0] = 0x30;
        sig[1] = (byte)(4 + rLen + 32);
        sig[2] = 0x02;
        sig[3] = (byte)rLen;
        var r = sig.AsSpan(4, rLen);
        _rng.Fill(r);
        if (rLen == 33)
        {
            r[0] = 0;
            r[1] |= 0x80;
        }
        else
        {
            r[0] &= 0x7f;
        }

        sig[4 + rLen] = 0x02;
        sig[5 + rLen] = 32;
        var s = sig.AsSpan(6 + rLen, 32);
        _rng.Fill(s);
        s[0] &= 0x7f;
        sig[^1] = 0x01;
        return sig;
    }

    private byte[] PubKey()
    {
        var key = _rng.Bytes(33);
        key[0] = (byte)(2 + (key[0] & 1));
        return key;
    }

    /// <summary>The height as Core's <c>CScript() &lt;&lt; nHeight</c> writes it: OP_0, OP_1..OP_16, or a minimal CScriptNum push.</summary>
    private static byte[] HeightPush(int height)
    {
        if (height == 0)
        {
            return [0x00];
        }

        if (height <= 16)
        {
            return [(byte)(0x50 + height)];
        }

        var bytes = new List<byte>();
        for (var v = height; v > 0; v >>= 8)
        {
            bytes.Add((byte)v);
        }

        if ((bytes[^1] & 0x80) != 0)
        {
            bytes.Add(0);
        }

        return [(byte)bytes.Count, .. bytes];
    }

    private void ReleaseImmature(int height)
    {
        while (_immature.Count > 0 && _immature.Peek().Height <= height)
        {
            _pool.Add(_immature.Dequeue().Coin);
        }
    }

    private Hash256 AddBlock(BlockFileWriter writer, BlockHeader header, List<Transaction> txs)
    {
        var raw = BlockSerializer.Serialize(header, txs);
        writer.Append(raw);
        _chain.Blocks.Add(raw);
        return BlockSerializer.ComputeHash(header);
    }

    private void Count(Transaction tx)
    {
        _chain.TxCount++;
        _chain.InputCount += tx.Inputs.Count;
        _chain.OutputCount += tx.Outputs.Count;
        if (tx.HasWitness)
        {
            _chain.WitnessTxCount++;
        }
    }

    private readonly record struct Utxo(Hash256 TxId, uint Vout, OutKind Kind, long Value);
}
