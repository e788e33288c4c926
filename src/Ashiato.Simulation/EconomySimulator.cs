using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Serialization;
using Ashiato.Core;

namespace Ashiato.Simulation;

/// <summary>Progress of a run: blocks written of the planned total, transactions so far.</summary>
public readonly record struct SimulationProgress(long Blocks, long PlannedBlocks, long Transactions);

/// <summary>
/// Generates the economy block by block and streams the blocks to blk files. Memory holds the entities, their
/// unspent outputs (wallets consolidate when they grow) and the theft records, never the history.
/// </summary>
internal sealed partial class EconomySimulator
{
    private const long Btc = 100_000_000;
    private const int Maturity = 100;
    private const int PreHistoryBlocks = 100;
    private const uint Bits = 0x207fffff;
    private const uint GenesisTime = 1296688602;
    private const long Dust = 2_000;

    private static readonly HackPlan[] Plans =
    [
        new("hack-2018-kaiyo", "Kaiyo Exchange hot wallet theft", new(2018, 1, 26), "kaiyo-exchange", "lazarus"),
        new("hack-2019-hanbit", "Hanbit Exchange hot wallet theft", new(2019, 11, 27), "hanbit-exchange", "lazarus"),
        new("hack-2020-liberty", "Liberty Digital hot wallet theft", new(2020, 9, 25), "liberty-digital", "silent-kraken"),
        new("hack-2022-harbor", "Harbor Exchange hot wallet theft", new(2022, 6, 24), "harbor-exchange", "silent-kraken"),
        new("hack-2023-merlion", "Merlion Crypto hot and cold wallet theft", new(2023, 11, 10), "merlion-crypto", "lazarus"),
    ];

    private readonly SimRandom _rng;
    private readonly long _targetTx;
    private readonly BlockFileWriter _writer;
    private readonly PriceSeries _prices;
    private readonly List<Transaction> _txs = [];
    private readonly List<Hash256> _txids = [];
    private readonly Queue<(int Height, Wallet Wallet, Coin Coin)> _immature = new();
    private readonly List<Coin> _in = [];
    private readonly List<(long Value, Address To, Wallet? Dest, int Segment, byte Hops)> _out = [];
    private readonly List<MixJob> _mixJobs = [];
    private bool _anyWitness;
    private long _blockFees;
    private int _height;
    private int _dayIndex = -1;
    private DateOnly _day;
    private long _feeRate = 10;
    private Hash256 _prev;
    private long _commitments;

    public EconomySimulator(ulong seed, long targetTx, string blocksDir, TextWriter addressTruth, PriceSeries prices)
    {
        _rng = new SimRandom(seed);
        _targetTx = targetTx;
        _prices = prices;
        World = new World(_rng, targetTx, addressTruth);
        _writer = new BlockFileWriter(blocksDir, Network.BitcoinRegtest);
        PlannedBlocks = 1 + PreHistoryBlocks + EconomyBlocks;
    }

    public World World { get; }

    public Ledger Ledger { get; } = new();

    public List<TheftRecord> Thefts { get; } = [];

    public List<Segment> Segments { get; } = [];

    /// <summary>Addresses that received stolen coins straight from a victim (published as sanctioned).</summary>
    public List<(string Address, TheftRecord Theft)> Sanctioned { get; } = [];

    public List<MixJob> OpenMixJobs => _mixJobs;

    /// <summary>The hack schedule (the EVM chain adds its own thefts on the same dates).</summary>
    public static IReadOnlyList<HackPlan> HackPlans => Plans;

    /// <summary>Hackers' deposits to the bridge's custody address (the EVM chain mints wrapped BTC for them).</summary>
    public List<BridgeDeposit> BridgeDeposits { get; } = [];

    /// <summary>Burns of wrapped BTC on the EVM chain that the bridge releases (or has released) on this chain.</summary>
    public List<BridgeReturn> BridgeReturns { get; } = [];

    /// <summary>
    /// Called when the first block of a new day is built, with that day's index, before the day's events: the EVM chain
    /// simulates the days before it (so its bridge mints see this chain's deposits, and its burns are released here).
    /// </summary>
    public Action<int>? BeforeDay { get; set; }

    /// <summary>The wrapped BTC in circulation on the EVM chain (sat), which the custody keeps back from users' releases.</summary>
    public Func<long>? WrappedSupply { get; set; }

    /// <summary>Day index of the last block of the economy (releases due later are never paid).</summary>
    public int LastEconomyDay => (int)((EconomyBlocks - 1) * (SimCalendar.Days * 86400L / EconomyBlocks) / 86400);

    /// <summary>Whether this chain has a theft of that id (the EVM chain's DeFi exploits have none).</summary>
    public bool HasTheft(string theftId) => Thefts.Exists(t => t.Plan.Id == theftId);

    /// <summary>A fresh address of the hacker for a bridge release (the burn names its script).</summary>
    public Address BridgeReturnAddress(string hackerId) => World.NewAddress(World.ById(hackerId), ScriptKind.P2WPKH, "bridge-release");

    public long PlannedBlocks { get; }

    private long EconomyBlocks => Math.Clamp(_targetTx / 25, 300, 420_000);

    public void Run(IProgress<SimulationProgress>? progress, CancellationToken ct)
    {
        using (_writer)
        {
            WriteGenesis();
            for (var h = 1; h <= PreHistoryBlocks; h++)
            {
                _height = h;
                ReleaseImmature();
                PreHistoryCoinbase();
                FinishBlock((uint)(SimCalendar.StartUnix - ((PreHistoryBlocks + 1 - h) * 3600L)), null);
            }

            var span = SimCalendar.Days * 86400L;
            var blocks = EconomyBlocks;
            long lastTime = SimCalendar.StartUnix - 3600;
            for (long i = 0; i < blocks; i++)
            {
                ct.ThrowIfCancellationRequested();
                _height++;
                var slot = span / blocks;
                var time = Math.Max(lastTime + 1, SimCalendar.StartUnix + (i * span / blocks) + _rng.NextLong(Math.Max(1, Math.Min(slot / 2, 1200))));
                lastTime = time;
                ReleaseImmature();
                var dayIndex = (int)((time - SimCalendar.StartUnix) / 86400);
                _day = SimCalendar.Start.AddDays(dayIndex);
                _feeRate = FeeRate(_day.Year);
                if (dayIndex != _dayIndex)
                {
                    BeforeDay?.Invoke(dayIndex);
                    DailyEvents(_dayIndex, dayIndex);
                    _dayIndex = dayIndex;
                }

                var remaining = _targetTx - Ledger.Transactions - _txs.Count;
                var left = blocks - i;
                var n = (remaining / left) - 1;
                n += n > 4 ? _rng.Between(-n / 5, n / 5) : 0;
                RegularTransactions((int)Math.Clamp(n, 0, 5000));
                FinishBlock((uint)time, World.Miners[_rng.Next(World.Miners.Count)]);
                if (progress is not null && (_height % 500 == 0))
                {
                    progress.Report(new SimulationProgress(_height + 1, PlannedBlocks, Ledger.Transactions));
                }
            }

            _writer.Flush();
        }

        FinishLedger();
        progress?.Report(new SimulationProgress(Ledger.Blocks, PlannedBlocks, Ledger.Transactions));
    }

    private static long FeeRate(int year) => year switch
    {
        2017 => 40,
        2018 => 12,
        2019 => 15,
        2020 => 25,
        2021 => 30,
        2022 => 6,
        2023 => 18,
        _ => 12,
    };

    private long Subsidy() => _height <= PreHistoryBlocks ? 50 * Btc
        : _day < new DateOnly(2020, 5, 11) ? 1_250_000_000
        : _day < new DateOnly(2024, 4, 20) ? 625_000_000
        : 312_500_000;

    // ---------------------------------------------------------------- blocks

    private void WriteGenesis()
    {
        var genesis = new Transaction(1,
            [TxInput.Coinbase(Convert.FromHexString(
                "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"))],
            [new TxOutput(50 * Btc, Convert.FromHexString(
                "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac"))],
            0);
        var header = new BlockHeader(1, Hash256.Zero, TransactionSerializer.ComputeTxId(genesis), GenesisTime, Bits, 2);
        if (BlockSerializer.ComputeHash(header) != Network.BitcoinRegtest.GenesisHash)
        {
            throw new InvalidOperationException("the serializer does not reproduce the regtest genesis block");
        }

        var raw = BlockSerializer.Serialize(header, [genesis]);
        _writer.Append(raw);
        _prev = Network.BitcoinRegtest.GenesisHash;
        Ledger.Blocks = 1;
        Ledger.Transactions = 1;
        Ledger.Inputs = 1;
        Ledger.Outputs = 1;
        Ledger.CoinbaseValue = 50 * Btc;
        Ledger.Subsidy = 50 * Btc;
        Ledger.BlockBytes += raw.Length;
    }

    /// <summary>Before 2017: coinbases paying the initial holdings (exchanges' cold and hot wallets, services, pools).</summary>
    private void PreHistoryCoinbase()
    {
        var holders = new List<(Address To, Wallet Dest)>();
        foreach (var ex in World.Exchanges)
        {
            holders.Add((ex.Cold0!, ex.Cold!));
            holders.Add((ex.Fixed[0], ex.Main));
        }

        holders.Add((World.Mixer.Fixed[0], World.Mixer.Main));
        holders.Add((World.Otc.Fixed[0], World.Otc.Main));
        // the bridge thrice: its custody backs the wrapped BTC in the EVM chain's pools (400 sBTC at launch)
        holders.Add((World.Bridge.Fixed[0], World.Bridge.Main));
        holders.Add((World.Bridge.Fixed[0], World.Bridge.Main));
        holders.Add((World.Bridge.Fixed[0], World.Bridge.Main));
        foreach (var pool in World.Miners)
        {
            holders.Add((pool.Fixed[0], pool.Main));
        }

        var pick = new List<(Address To, Wallet Dest)>();
        for (var k = 0; k < 5; k++)
        {
            pick.Add(holders[(_height * 5 + k) % holders.Count]);
        }

        BuildCoinbase(pick, 50 * Btc);
    }

    private void BuildCoinbase(List<(Address To, Wallet Dest)> payees, long subsidy)
    {
        var total = subsidy + _blockFees;
        var outputs = new List<TxOutput>();
        for (var o = 0; o < payees.Count; o++)
        {
            var value = (total / payees.Count) + (o == 0 ? total % payees.Count : 0);
            outputs.Add(new TxOutput(value, payees[o].To.Script));
        }

        var reserved = new byte[32];
        byte[] coinbaseScript = [.. HeightPush(_height), 0x08, .. _rng.Bytes(8)];
        var coinbase = new Transaction(2, [TxInput.Coinbase(coinbaseScript, uint.MaxValue, _anyWitness ? [reserved] : [])], outputs, 0);
        _txs.Insert(0, coinbase);
        if (_anyWitness)
        {
            var commitment = BlockSerializer.ComputeWitnessCommitment(_txs, reserved);
            coinbase = coinbase with { Outputs = [.. outputs, new TxOutput(0, BlockSerializer.WitnessCommitmentScript(commitment))] };
            _txs[0] = coinbase;
            _commitments++;
        }

        var txid = TransactionSerializer.ComputeTxId(coinbase);
        _txids.Insert(0, txid);
        for (var o = 0; o < payees.Count; o++)
        {
            _immature.Enqueue((_height + Maturity, payees[o].Dest, new Coin(txid, (uint)o, outputs[o].Value, payees[o].To.Kind)));
        }

        Ledger.Transactions++;
        Ledger.Inputs++;
        Ledger.Outputs += coinbase.Outputs.Count;
        Ledger.CoinbaseValue += total;
        Ledger.Subsidy += subsidy;
    }

    private void FinishBlock(uint time, Entity? pool)
    {
        if (pool is not null)
        {
            BuildCoinbase([(pool.Fixed[0], pool.Main)], Subsidy());
        }

        var merkle = BlockSerializer.ComputeMerkleRoot(_txids);
        var header = new BlockHeader(0x20000000, _prev, merkle, time, Bits, 0);
        Span<byte> hash = stackalloc byte[32];
        Hash256 blockHash;
        while (true)
        {
            // regtest proof of work: the hash must not exceed the target of 0x207fffff (top byte below 0x7f suffices)
            blockHash = BlockSerializer.ComputeHash(header);
            blockHash.WriteTo(hash);
            if (hash[31] < 0x7f)
            {
                break;
            }

            header = header with { Nonce = header.Nonce + 1 };
        }

        var raw = BlockSerializer.Serialize(header, _txs);
        _writer.Append(raw);
        Ledger.BlockBytes += raw.Length;
        Ledger.Blocks++;
        _prev = blockHash;
        _txs.Clear();
        _txids.Clear();
        _anyWitness = false;
        _blockFees = 0;
    }

    private void ReleaseImmature()
    {
        while (_immature.Count > 0 && _immature.Peek().Height <= _height)
        {
            var (_, wallet, coin) = _immature.Dequeue();
            wallet.Add(coin);
        }
    }

    private void FinishLedger()
    {
        long count = 1 + _commitments; // the genesis output and the witness commitments (0 sat): unspent, in no wallet
        long value = 50 * Btc;
        var seen = new HashSet<Wallet>(ReferenceEqualityComparer.Instance);
        foreach (var e in World.Entities)
        {
            foreach (var w in new[] { e.Main, e.Cold, e.Deposits })
            {
                if (w is not null && seen.Add(w))
                {
                    count += w.Coins.Count;
                    value += w.Balance;
                }
            }
        }

        foreach (var (_, _, coin) in _immature)
        {
            count++;
            value += coin.Value;
        }

        Ledger.UtxoCount = count;
        Ledger.UtxoValue = value;
        Ledger.Addresses = World.AddressCount;
        Ledger.TipHash = _prev.ToString();
        foreach (var coin in World.Lazarus.Main.Coins.Concat(World.Kraken.Main.Coins))
        {
            Segments[coin.Segment].Endpoints.Add(new Endpoint("held", Segments[coin.Segment].Theft.Hacker.Id, coin.TxId.ToString(), coin.Vout, coin.Value));
        }
    }

    // ---------------------------------------------------------------- transactions

    private long Fee(int inputs, int outputs) => (11 + (inputs * 90L) + (outputs * 34L)) * _feeRate;

    /// <summary>Takes random coins of <paramref name="w"/> into the pending inputs until they cover amount + fee; puts them back on failure.</summary>
    private bool Take(Wallet w, long amount, int outputs, int maxInputs, out long sum, out long fee)
    {
        var start = _in.Count;
        sum = 0;
        while (true)
        {
            fee = Fee(Math.Max(1, _in.Count - start), outputs);
            if (_in.Count > start && sum >= amount + fee)
            {
                return true;
            }

            if (_in.Count - start >= maxInputs || w.Coins.Count == 0)
            {
                for (var i = _in.Count - 1; i >= start; i--)
                {
                    w.Add(_in[i]);
                    _in.RemoveAt(i);
                }

                return false;
            }

            var coin = w.RemoveAt(_rng.Next(w.Coins.Count));
            _in.Add(coin);
            sum += coin.Value;
        }
    }

    /// <summary>Takes up to <paramref name="max"/> coins of <paramref name="w"/>; returns their sum.</summary>
    private long TakeMany(Wallet w, int max)
    {
        long sum = 0;
        var n = Math.Min(max, w.Coins.Count);
        for (var i = 0; i < n; i++)
        {
            var coin = w.RemoveAt(w.Coins.Count - 1 - _rng.Next(Math.Min(w.Coins.Count, 8)));
            _in.Add(coin);
            sum += coin.Value;
        }

        return sum;
    }

    private void Pay(long value, Address to, Wallet? dest, int segment = -1, byte hops = 0) => _out.Add((value, to, dest, segment, hops));

    /// <summary>Builds the pending inputs/outputs into a transaction of the current block; returns its txid and fee.</summary>
    private (Hash256 TxId, long Fee) Emit(bool shuffleOutputs = false)
    {
        if (shuffleOutputs)
        {
            for (var i = _out.Count - 1; i > 0; i--)
            {
                var j = _rng.Next(i + 1);
                (_out[i], _out[j]) = (_out[j], _out[i]);
            }
        }

        long sumIn = 0;
        var rbf = _rng.Chance(50);
        var inputs = new TxInput[_in.Count];
        for (var i = 0; i < _in.Count; i++)
        {
            var coin = _in[i];
            sumIn += coin.Value;
            var (scriptSig, witness) = Unlock(coin.Kind);
            inputs[i] = new TxInput(coin.TxId, coin.Vout, scriptSig, rbf ? 0xfffffffdu : 0xffffffffu, witness);
        }

        long sumOut = 0;
        var outputs = new TxOutput[_out.Count];
        for (var o = 0; o < _out.Count; o++)
        {
            if (_out[o].Value <= 0)
            {
                throw new InvalidOperationException("simulator bug: an output without value");
            }

            sumOut += _out[o].Value;
            outputs[o] = new TxOutput(_out[o].Value, _out[o].To.Script);
        }

        var fee = sumIn - sumOut;
        if (fee < 0 || _in.Count == 0 || _out.Count == 0)
        {
            throw new InvalidOperationException($"simulator bug: inputs {sumIn} < outputs {sumOut}");
        }

        var tx = new Transaction(2, inputs, outputs, _rng.Chance(50) ? (uint)(_height - 1) : 0u);
        var txid = TransactionSerializer.ComputeTxId(tx);
        _txs.Add(tx);
        _txids.Add(txid);
        _anyWitness |= tx.HasWitness;
        for (var o = 0; o < _out.Count; o++)
        {
            var (value, to, dest, segment, hops) = _out[o];
            dest?.Add(new Coin(txid, (uint)o, value, to.Kind, segment, hops));
        }

        Ledger.Transactions++;
        Ledger.Inputs += inputs.Length;
        Ledger.Outputs += outputs.Length;
        Ledger.Fees += fee;
        _blockFees += fee;
        _in.Clear();
        _out.Clear();
        return (txid, fee);
    }

    /// <summary>Index of the pending output paying <paramref name="to"/> after <see cref="Emit"/> (outputs keep their order unless shuffled).</summary>
    private static string Outpoint(Hash256 txid, int vout) => $"{txid}:{vout}";

    /// <summary>scriptSig and witness that spend an output of this kind (placeholder signatures of realistic shape).</summary>
    private (byte[] ScriptSig, IReadOnlyList<byte[]> Witness) Unlock(ScriptKind kind)
    {
        switch (kind)
        {
            case ScriptKind.P2WPKH:
                return ([], [Signature(), PubKey()]);
            case ScriptKind.P2PKH:
                var sig = Signature();
                return ([(byte)sig.Length, .. sig, 33, .. PubKey()], []);
            case ScriptKind.P2SH_P2WPKH:
                return ([0x16, 0x00, 0x14, .. _rng.Bytes(20)], [Signature(), PubKey()]);
            default:
                return ([], [_rng.Bytes(64)]);
        }
    }

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

    private static byte[] HeightPush(int height)
    {
        if (height <= 16)
        {
            return [(byte)(height == 0 ? 0x00 : 0x50 + height)];
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
}
