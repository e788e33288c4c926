using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.Simulation.Evm;

/// <summary>A log a simulated contract emits.</summary>
internal sealed record SimLog(EvmAddress Address, EvmHash[] Topics, byte[] Data);

/// <summary>One call frame of a simulated transaction (the top-level call is the transaction itself).</summary>
internal sealed class SimCall
{
    public string Type { get; init; } = "CALL";

    public EvmAddress From { get; init; }

    public EvmAddress To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Input { get; init; } = [];

    public byte[] Output { get; set; } = [];

    public long Gas { get; set; }

    public long GasUsed { get; set; }

    public string? Error { get; set; }

    public List<SimCall> Calls { get; } = [];
}

/// <summary>A simulated transaction with its effects (already applied to the state when it was added).</summary>
internal sealed class SimTx
{
    public EvmHash Hash { get; init; }

    public ulong Nonce { get; init; }

    public EvmAddress From { get; init; }

    public EvmAddress? To { get; init; }

    public BigInteger Value { get; init; }

    public byte[] Input { get; init; } = [];

    public long GasLimit { get; set; }

    public long GasUsed { get; set; }

    public int Type { get; init; }

    public BigInteger GasPrice { get; init; }

    public BigInteger MaxFee { get; init; }

    public BigInteger MaxPriority { get; init; }

    public bool Ok { get; set; } = true;

    public EvmAddress? Created { get; init; }

    public List<SimLog> Logs { get; } = [];

    public SimCall Root { get; init; } = null!;
}

/// <summary>
/// The state and the blocks of the simulated EVM chain: balances (native and tokens), nonces, and for each
/// transaction its receipt, logs and call tree. Writes every block as one JSON line holding exactly the JSON a node
/// answers (block with transactions, receipts, trace_block, callTracer), and the balance history (state index).
/// </summary>
internal sealed class EvmChainBuilder : IDisposable
{
    public const long ChainId = 31338;
    public const long BlockGasLimit = 30_000_000;
    public static readonly EvmAddress ZeroAddress = EvmAddress.Zero;
    public static readonly string EmptyUncles = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
    public static readonly string EmptyTrie = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
    public static readonly long LondonUnix = SimCalendar.UnixOf(new DateOnly(2021, 8, 5));
    public static readonly long MergeUnix = SimCalendar.UnixOf(new DateOnly(2022, 9, 15));

    private readonly Dictionary<EvmAddress, BigInteger> _native = [];
    private readonly Dictionary<(EvmAddress Token, EvmAddress Holder), BigInteger> _tokens = [];
    private readonly Dictionary<EvmAddress, BigInteger> _supply = [];
    private readonly Dictionary<EvmAddress, ulong> _nonces = [];
    private readonly HashSet<(EvmAddress Asset, EvmAddress Holder)> _touched = [];
    private readonly SortedDictionary<string, List<(long Block, BigInteger Balance)>> _history = new(StringComparer.Ordinal);
    private readonly Stream _out;
    private readonly List<SimTx> _txs = [];
    private readonly SimRandom _rng;

    public EvmChainBuilder(string chainFile, SimRandom rng)
    {
        _out = new FileStream(chainFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _rng = rng;
    }

    /// <summary>Contracts (address → creation block), tokens among them with name, symbol, decimals.</summary>
    public Dictionary<EvmAddress, long> Contracts { get; } = [];

    public Dictionary<EvmAddress, (string Name, string Symbol, int Decimals)> TokenInfo { get; } = [];

    public long Number { get; private set; } = -1;

    public long Timestamp { get; private set; }

    public BigInteger? BaseFee { get; private set; }

    public EvmAddress Miner { get; private set; }

    public EvmHash ParentHash { get; private set; }

    public long Transactions { get; private set; }

    public long Logs { get; private set; }

    public long Calls { get; private set; }

    public long FailedTransactions { get; private set; }

    public BigInteger Burnt { get; private set; }

    public int PendingCount => _txs.Count;

    private BigInteger _legacyPrice;
    private BigInteger _priority;
    private BigInteger _baseFee = Gwei(20);

    public static BigInteger Gwei(long n) => new BigInteger(n) * 1_000_000_000;

    public static BigInteger Eth(decimal n) => new BigInteger(decimal.Round(n * 1_000_000m, 0)) * 1_000_000_000_000;

    // ---------------------------------------------------------------- state

    public BigInteger Native(EvmAddress a) => _native.GetValueOrDefault(a);

    public BigInteger Token(EvmAddress token, EvmAddress holder) => _tokens.GetValueOrDefault((token, holder));

    public BigInteger Supply(EvmAddress token) => _supply.GetValueOrDefault(token);

    /// <summary>Genesis allocation (block 0 only).</summary>
    public void Allocate(EvmAddress a, BigInteger amount) => AddNative(a, amount);

    private void AddNative(EvmAddress a, BigInteger delta)
    {
        var v = _native.GetValueOrDefault(a) + delta;
        if (v < 0)
        {
            throw new InvalidOperationException($"simulated EVM: {a} would go negative at block {Number}");
        }

        _native[a] = v;
        _touched.Add((ZeroAddress, a));
    }

    private void AddToken(EvmAddress token, EvmAddress holder, BigInteger delta)
    {
        if (holder == ZeroAddress)
        {
            _supply[token] = _supply.GetValueOrDefault(token) - delta;
            _touched.Add((token, ZeroAddress));
            return;
        }

        var v = _tokens.GetValueOrDefault((token, holder)) + delta;
        if (v < 0)
        {
            throw new InvalidOperationException($"simulated EVM: token {token} holder {holder} would go negative at block {Number}");
        }

        _tokens[(token, holder)] = v;
        _touched.Add((token, holder));
    }

    // ---------------------------------------------------------------- blocks

    /// <summary>Starts block <see cref="Number"/> + 1 at <paramref name="timestamp"/>, mined by <paramref name="miner"/>.</summary>
    public void BeginBlock(long timestamp, EvmAddress miner)
    {
        Number++;
        Timestamp = timestamp;
        Miner = miner;
        if (timestamp >= LondonUnix)
        {
            // a bounded random walk (the real EIP-1559 rule would drive the base fee to zero in blocks this empty)
            var step = _rng.Between(-125, 125);
            _baseFee = BigInteger.Max(Gwei(3), BigInteger.Min(Gwei(150), _baseFee + (_baseFee * step / 1000)));
            BaseFee = _baseFee;
            _priority = Gwei(1 + _rng.Next(3));
        }
        else
        {
            BaseFee = null;
            _legacyPrice = Gwei(_rng.Between(4, 60));
        }
    }

    /// <summary>The price one unit of gas costs the sender in this block (effective gas price).</summary>
    public BigInteger Price(out BigInteger maxFee, out BigInteger priority)
    {
        if (BaseFee is { } b)
        {
            priority = _priority;
            maxFee = (b * 2) + priority;
            return b + priority;
        }

        priority = maxFee = _legacyPrice;
        return _legacyPrice;
    }

    /// <summary>The fee a transaction of <paramref name="gasUsed"/> costs in this block (one price per block).</summary>
    public BigInteger Fee(long gasUsed) => Price(out _, out _) * gasUsed;

    /// <summary>
    /// Sends a transaction: charges the fee (burnt base fee + tip to the miner), moves the value (unless it fails),
    /// and returns it so the caller can add its calls and logs (which move value too).
    /// </summary>
    public SimTx Send(EvmAddress from, EvmAddress? to, BigInteger value, byte[] input, long gasUsed, bool fail = false, EvmAddress? create = null)
    {
        var price = Price(out var maxFee, out var priority);
        var nonce = _nonces.GetValueOrDefault(from);
        _nonces[from] = nonce + 1;
        var hashInput = new byte[8 + 20 + 8];
        BitConverter.TryWriteBytes(hashInput.AsSpan(0, 8), ChainId);
        from.WriteTo(hashInput.AsSpan(8, 20));
        BitConverter.TryWriteBytes(hashInput.AsSpan(28, 8), nonce);
        var hash = new EvmHash(Keccak256.Hash(hashInput));
        var gasLimit = gasUsed + (gasUsed / 5 / 1000 * 1000);
        var fee = price * gasUsed;
        AddNative(from, -fee);
        var burnt = BaseFee is { } b ? b * gasUsed : BigInteger.Zero;
        Burnt += burnt;
        if (fee - burnt > 0)
        {
            AddNative(Miner, fee - burnt);
        }

        var intrinsic = create is null ? 21_000 : 53_000;
        var root = new SimCall
        {
            Type = create is null ? "CALL" : "CREATE",
            From = from,
            To = create ?? to!.Value,
            Value = value,
            Input = input,
            Gas = gasLimit - intrinsic,
            GasUsed = gasUsed - intrinsic,
        };
        var tx = new SimTx
        {
            Hash = hash,
            Nonce = nonce,
            From = from,
            To = to,
            Value = value,
            Input = input,
            GasLimit = gasLimit,
            GasUsed = gasUsed,
            Type = BaseFee is null ? 0 : 2,
            GasPrice = price,
            MaxFee = maxFee,
            MaxPriority = priority,
            Root = root,
            Created = create,
        };
        if (fail)
        {
            tx.Ok = false;
            root.Error = "Reverted";
            FailedTransactions++;
        }
        else if (!value.IsZero)
        {
            AddNative(from, -value);
            AddNative(root.To, value);
        }

        if (create is { } c)
        {
            Contracts[c] = Number;
            root.Output = [0x60, 0x80, 0x60, 0x40, 0x52];
        }

        _txs.Add(tx);
        Transactions++;
        return tx;
    }

    /// <summary>An internal call from <paramref name="parent"/>'s callee, moving <paramref name="value"/>.</summary>
    public SimCall Call(SimTx tx, SimCall parent, EvmAddress to, BigInteger value, byte[] input, long gas = 30_000, long gasUsed = 9_000)
    {
        _ = tx;
        var call = new SimCall { From = parent.To, To = to, Value = value, Input = input, Gas = gas, GasUsed = gasUsed };
        parent.Calls.Add(call);
        if (!value.IsZero)
        {
            AddNative(parent.To, -value);
            AddNative(to, value);
        }

        Calls++;
        return call;
    }

    /// <summary>
    /// An ERC-20 transfer of <paramref name="token"/> from <paramref name="from"/> to <paramref name="to"/> (zero address:
    /// mint or burn) emitted by the token; when <paramref name="parent"/>'s callee is not the token itself, a call into
    /// the token is added under it.
    /// </summary>
    public void TokenTransfer(SimTx tx, SimCall parent, EvmAddress token, EvmAddress from, EvmAddress to, BigInteger amount)
    {
        if (parent.To != token)
        {
            var input = Abi.Call("transfer(address,uint256)", Abi.Word(to), Abi.Word(amount));
            Call(tx, parent, token, BigInteger.Zero, input, 60_000, 29_000).Output = Abi.Word(BigInteger.One);
        }

        AddToken(token, from, -amount);
        AddToken(token, to, amount);
        tx.Logs.Add(new SimLog(token, [Topics.Transfer, Topics.Of(from), Topics.Of(to)], Abi.Word(amount)));
    }

    /// <summary>A WETH-style balance change (Deposit/Withdrawal events) on the wrapper's own token ledger.</summary>
    public void WrapperLedger(EvmAddress weth, EvmAddress holder, BigInteger delta)
    {
        AddToken(weth, holder, delta);
        AddToken(weth, ZeroAddress, -delta);
    }

    /// <summary>Ends the block: writes its JSON line and records the balances it changed.</summary>
    public void EndBlock()
    {
        var hashes = new byte[(_txs.Count * 32) + 8 + 32 + 8];
        ParentHash.WriteTo(hashes.AsSpan(0, 32));
        BitConverter.TryWriteBytes(hashes.AsSpan(32, 8), Number);
        BitConverter.TryWriteBytes(hashes.AsSpan(40, 8), Timestamp);
        for (var i = 0; i < _txs.Count; i++)
        {
            _txs[i].Hash.WriteTo(hashes.AsSpan(48 + (i * 32), 32));
        }

        var blockHash = new EvmHash(Keccak256.Hash(hashes));
        WriteBlock(blockHash);
        foreach (var key in _touched.OrderBy(k => k.Asset).ThenBy(k => k.Holder))
        {
            var name = StateKey(key.Asset, key.Holder);
            var value = key.Asset == ZeroAddress ? Native(key.Holder)
                : key.Holder == ZeroAddress ? Supply(key.Asset)
                : Token(key.Asset, key.Holder);
            if (!_history.TryGetValue(name, out var list))
            {
                _history[name] = list = [];
            }

            if (list.Count == 0 || list[^1].Balance != value)
            {
                list.Add((Number, value));
            }
        }

        _touched.Clear();
        _txs.Clear();
        ParentHash = blockHash;
    }

    /// <summary>"native,holder" or "token,holder"; the supply of a token is "token,totalSupply".</summary>
    public static string StateKey(EvmAddress asset, EvmAddress holder) =>
        (asset == ZeroAddress ? "native" : asset.ToString()) + "," + (asset != ZeroAddress && holder == ZeroAddress ? "totalSupply" : holder.ToString());

    /// <summary>The state index: one line per balance change, "asset,holder,block,balance", sorted by asset and holder.</summary>
    public void WriteState(string path)
    {
        using var w = new StreamWriter(path, false, World.Utf8, 1 << 20) { NewLine = "\n" };
        w.Write("asset,holder,block,balance\n");
        foreach (var (key, list) in _history)
        {
            foreach (var (block, balance) in list)
            {
                w.Write(key);
                w.Write(',');
                w.Write(block.ToString(CultureInfo.InvariantCulture));
                w.Write(',');
                w.Write(balance.ToString(CultureInfo.InvariantCulture));
                w.Write('\n');
            }
        }
    }

    public void Dispose() => _out.Dispose();

    // ---------------------------------------------------------------- JSON

    private void WriteBlock(EvmHash blockHash)
    {
        var number = Q(Number);
        var hash = blockHash.ToString();
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("number", number);

            // receipts first (logs need block-wide indices), kept to be written after the block
            var bloom = new byte[256];
            var gasUsed = 0L;
            var logIndex = 0;
            var receiptBlooms = new List<byte[]>();
            foreach (var tx in _txs)
            {
                var rb = new byte[256];
                foreach (var log in tx.Ok ? tx.Logs : [])
                {
                    AddBloom(rb, log.Address.ToBytes());
                    foreach (var t in log.Topics)
                    {
                        AddBloom(rb, t.ToBytes());
                    }
                }

                for (var i = 0; i < 256; i++)
                {
                    bloom[i] |= rb[i];
                }

                receiptBlooms.Add(rb);
                gasUsed += tx.GasUsed;
            }

            w.WritePropertyName("block");
            w.WriteStartObject();
            if (BaseFee is { } bf)
            {
                w.WriteString("baseFeePerGas", Q(bf));
            }

            w.WriteString("difficulty", Timestamp >= MergeUnix ? "0x0" : "0x2");
            w.WriteString("extraData", "0x");
            w.WriteString("gasLimit", Q(BlockGasLimit));
            w.WriteString("gasUsed", Q(gasUsed));
            w.WriteString("hash", hash);
            w.WriteString("logsBloom", Hex.Encode(bloom));
            w.WriteString("miner", Miner.ToString());
            w.WriteString("mixHash", EvmHash.Zero.ToString());
            w.WriteString("nonce", "0x0000000000000000");
            w.WriteString("number", number);
            w.WriteString("parentHash", ParentHash.ToString());
            w.WriteString("receiptsRoot", _txs.Count == 0 ? EmptyTrie : Derived(blockHash, "receipts"));
            w.WriteString("sha3Uncles", EmptyUncles);
            w.WriteNumber("size", 0); // replaced below
            w.WriteString("stateRoot", Derived(blockHash, "state"));
            w.WriteString("timestamp", Q(Timestamp));
            w.WritePropertyName("transactions");
            w.WriteStartArray();
            for (var i = 0; i < _txs.Count; i++)
            {
                WriteTransaction(w, _txs[i], i, hash, number);
            }

            w.WriteEndArray();
            w.WriteString("transactionsRoot", _txs.Count == 0 ? EmptyTrie : Derived(blockHash, "transactions"));
            w.WritePropertyName("uncles");
            w.WriteStartArray();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WritePropertyName("receipts");
            w.WriteStartArray();
            var cumulative = 0L;
            for (var i = 0; i < _txs.Count; i++)
            {
                var tx = _txs[i];
                cumulative += tx.GasUsed;
                w.WriteStartObject();
                w.WriteString("blockHash", hash);
                w.WriteString("blockNumber", number);
                if (tx.Created is { } created)
                {
                    w.WriteString("contractAddress", created.ToString());
                }
                else
                {
                    w.WriteNull("contractAddress");
                }

                w.WriteString("cumulativeGasUsed", Q(cumulative));
                w.WriteString("effectiveGasPrice", Q(tx.GasPrice));
                w.WriteString("from", tx.From.ToString());
                w.WriteString("gasUsed", Q(tx.GasUsed));
                w.WritePropertyName("logs");
                w.WriteStartArray();
                foreach (var log in tx.Ok ? tx.Logs : [])
                {
                    w.WriteStartObject();
                    w.WriteString("address", log.Address.ToString());
                    w.WritePropertyName("topics");
                    w.WriteStartArray();
                    foreach (var t in log.Topics)
                    {
                        w.WriteStringValue(t.ToString());
                    }

                    w.WriteEndArray();
                    w.WriteString("data", Hex.Encode(log.Data));
                    w.WriteString("blockNumber", number);
                    w.WriteString("transactionHash", tx.Hash.ToString());
                    w.WriteString("transactionIndex", Q(i));
                    w.WriteString("blockHash", hash);
                    w.WriteString("logIndex", Q(logIndex++));
                    w.WriteBoolean("removed", false);
                    w.WriteEndObject();
                    Logs++;
                }

                w.WriteEndArray();
                w.WriteString("logsBloom", Hex.Encode(receiptBlooms[i]));
                w.WriteString("status", tx.Ok ? "0x1" : "0x0");
                if (tx.To is { } to)
                {
                    w.WriteString("to", to.ToString());
                }
                else
                {
                    w.WriteNull("to");
                }

                w.WriteString("transactionHash", tx.Hash.ToString());
                w.WriteString("transactionIndex", Q(i));
                w.WriteString("type", Q(tx.Type));
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WritePropertyName("trace_block");
            w.WriteStartArray();
            for (var i = 0; i < _txs.Count; i++)
            {
                WriteParity(w, _txs[i], _txs[i].Root, [], i, hash, false);
            }

            w.WriteEndArray();
            w.WritePropertyName("callTracer");
            w.WriteStartArray();
            for (var i = 0; i < _txs.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("txHash", _txs[i].Hash.ToString());
                w.WritePropertyName("result");
                WriteGeth(w, _txs[i].Root, true, _txs[i].GasLimit, _txs[i].GasUsed);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        // a block's size: the length of its JSON with transactions (stands in for the RLP size)
        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var size = 508 + _txs.Sum(t => 110 + t.Input.Length);
        line = line.Replace("\"size\":0,", "\"size\":\"" + Q(size) + "\",", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        _out.Write(bytes);
    }

    private void WriteTransaction(Utf8JsonWriter w, SimTx tx, int index, string blockHash, string number)
    {
        w.WriteStartObject();
        w.WriteString("blockHash", blockHash);
        w.WriteString("blockNumber", number);
        w.WriteString("from", tx.From.ToString());
        w.WriteString("gas", Q(tx.GasLimit));
        w.WriteString("gasPrice", Q(tx.GasPrice));
        if (tx.Type == 2)
        {
            w.WriteString("maxFeePerGas", Q(tx.MaxFee));
            w.WriteString("maxPriorityFeePerGas", Q(tx.MaxPriority));
        }

        w.WriteString("hash", tx.Hash.ToString());
        w.WriteString("input", Hex.Encode(tx.Input));
        w.WriteString("nonce", Q(tx.Nonce));
        if (tx.To is { } to)
        {
            w.WriteString("to", to.ToString());
        }
        else
        {
            w.WriteNull("to");
        }

        w.WriteString("transactionIndex", Q(index));
        w.WriteString("value", Q(tx.Value));
        w.WriteString("type", Q(tx.Type));
        if (tx.Type == 2)
        {
            w.WritePropertyName("accessList");
            w.WriteStartArray();
            w.WriteEndArray();
        }

        w.WriteString("chainId", Q(ChainId));
        var sig = Keccak256.Hash(tx.Hash.ToBytes());
        var sig2 = Keccak256.Hash(sig);
        var parity = sig[0] & 1;
        w.WriteString("v", tx.Type == 2 ? Q(parity) : Q((ChainId * 2) + 35 + parity));
        w.WriteString("r", Q(new BigInteger(sig, isUnsigned: true, isBigEndian: true)));
        w.WriteString("s", Q(new BigInteger(sig2.AsSpan(0, 31), isUnsigned: true, isBigEndian: true)));
        if (tx.Type == 2)
        {
            w.WriteString("yParity", Q(parity));
        }

        w.WriteEndObject();
    }

    private void WriteParity(Utf8JsonWriter w, SimTx tx, SimCall call, int[] address, int txIndex, string blockHash, bool underFailure)
    {
        var failed = underFailure || call.Error is not null;
        w.WriteStartObject();
        w.WritePropertyName("action");
        w.WriteStartObject();
        w.WriteString("from", call.From.ToString());
        if (call.Type == "CREATE")
        {
            w.WriteString("gas", Q(call.Gas));
            w.WriteString("init", Hex.Encode(call.Input));
            w.WriteString("value", Q(call.Value));
        }
        else
        {
            w.WriteString("callType", "call");
            w.WriteString("gas", Q(call.Gas));
            w.WriteString("input", Hex.Encode(call.Input));
            w.WriteString("to", call.To.ToString());
            w.WriteString("value", Q(call.Value));
        }

        w.WriteEndObject();
        w.WriteString("blockHash", blockHash);
        w.WriteNumber("blockNumber", Number);
        if (call.Error is not null)
        {
            w.WriteString("error", call.Error);
        }
        else if (!failed)
        {
            w.WritePropertyName("result");
            w.WriteStartObject();
            if (call.Type == "CREATE")
            {
                w.WriteString("address", call.To.ToString());
                w.WriteString("code", Hex.Encode(call.Output));
                w.WriteString("gasUsed", Q(call.GasUsed));
            }
            else
            {
                w.WriteString("gasUsed", Q(call.GasUsed));
                w.WriteString("output", Hex.Encode(call.Output));
            }

            w.WriteEndObject();
        }

        w.WriteNumber("subtraces", call.Calls.Count);
        w.WritePropertyName("traceAddress");
        w.WriteStartArray();
        foreach (var a in address)
        {
            w.WriteNumberValue(a);
        }

        w.WriteEndArray();
        w.WriteString("transactionHash", tx.Hash.ToString());
        w.WriteNumber("transactionPosition", txIndex);
        w.WriteString("type", call.Type == "CREATE" ? "create" : "call");
        w.WriteEndObject();
        for (var c = 0; c < call.Calls.Count; c++)
        {
            WriteParity(w, tx, call.Calls[c], [.. address, c], txIndex, blockHash, failed);
        }
    }

    private static void WriteGeth(Utf8JsonWriter w, SimCall call, bool top, long txGas, long txGasUsed)
    {
        w.WriteStartObject();
        w.WriteString("from", call.From.ToString());
        w.WriteString("gas", Q(top ? txGas : call.Gas));
        w.WriteString("gasUsed", Q(top ? txGasUsed : call.GasUsed));
        w.WriteString("to", call.To.ToString());
        w.WriteString("input", Hex.Encode(call.Input));
        if (call.Error is null)
        {
            w.WriteString("output", Hex.Encode(call.Output));
        }
        else
        {
            w.WriteString("error", "execution reverted");
        }

        if (call.Calls.Count > 0)
        {
            w.WritePropertyName("calls");
            w.WriteStartArray();
            foreach (var c in call.Calls)
            {
                WriteGeth(w, c, false, 0, 0);
            }

            w.WriteEndArray();
        }

        w.WriteString("value", Q(call.Value));
        w.WriteString("type", call.Type);
        w.WriteEndObject();
    }

    private static string Derived(EvmHash blockHash, string what)
    {
        var bytes = new byte[32 + what.Length];
        blockHash.WriteTo(bytes);
        Encoding.ASCII.GetBytes(what, bytes.AsSpan(32));
        return Hex.Encode(Keccak256.Hash(bytes));
    }

    private static void AddBloom(byte[] bloom, byte[] item)
    {
        var h = Keccak256.Hash(item);
        for (var i = 0; i < 6; i += 2)
        {
            var bit = ((h[i] << 8) | h[i + 1]) & 2047;
            bloom[255 - (bit / 8)] |= (byte)(1 << (bit % 8));
        }
    }

    /// <summary>A hex quantity as nodes print it: "0x0", "0x1f", no leading zeros.</summary>
    public static string Q(BigInteger v)
    {
        if (v.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(v));
        }

        if (v.IsZero)
        {
            return "0x0";
        }

        var s = v.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return "0x" + s;
    }

    public static string Q(long v) => Q(new BigInteger(v));

    public static string Q(ulong v) => Q(new BigInteger(v));
}

/// <summary>Event topics the simulated contracts emit.</summary>
internal static class Topics
{
    public static readonly EvmHash Transfer = Sig("Transfer(address,address,uint256)");
    public static readonly EvmHash WethDeposit = Sig("Deposit(address,uint256)");
    public static readonly EvmHash WethWithdrawal = Sig("Withdrawal(address,uint256)");
    public static readonly EvmHash MixerDeposit = Sig("Deposit(bytes32,uint32,uint256)");
    public static readonly EvmHash MixerWithdrawal = Sig("Withdrawal(address,bytes32,address,uint256)");
    public static readonly EvmHash Swap = Sig("Swap(address,uint256,uint256,uint256,uint256,address)");
    public static readonly EvmHash BridgeMint = Sig("BridgeMint(address,uint256,bytes32)");
    public static readonly EvmHash BridgeBurn = Sig("BridgeBurn(address,uint256,bytes)");
    public static readonly EvmHash Supplied = Sig("Supplied(address,address,uint256)");
    public static readonly EvmHash Withdrawn = Sig("Withdrawn(address,address,uint256)");

    public static EvmHash Sig(string signature) => new(Keccak256.Hash(Encoding.ASCII.GetBytes(signature)));

    public static EvmHash Of(EvmAddress a) => new(Abi.Word(a));
}

/// <summary>ABI encoding of the few calls and answers the simulation needs.</summary>
internal static class Abi
{
    public static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];

    public static byte[] Call(string signature, params byte[][] words)
    {
        var result = new byte[4 + (32 * words.Length)];
        Selector(signature).CopyTo(result, 0);
        for (var i = 0; i < words.Length; i++)
        {
            words[i].CopyTo(result, 4 + (32 * i));
        }

        return result;
    }

    public static byte[] Word(EvmAddress a)
    {
        var w = new byte[32];
        a.WriteTo(w.AsSpan(12));
        return w;
    }

    public static byte[] Word(BigInteger v)
    {
        var w = new byte[32];
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(w, 32 - bytes.Length);
        return w;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>The tail of a dynamic <c>bytes</c> value: its length word and the bytes padded to whole words.</summary>
    public static byte[] Bytes(byte[] bytes)
    {
        var padded = new byte[(bytes.Length + 31) / 32 * 32];
        bytes.CopyTo(padded, 0);
        return Concat(Word(new BigInteger(bytes.Length)), padded);
    }

    /// <summary>An ABI-encoded string answer (offset, length, padded bytes).</summary>
    public static byte[] String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var padded = new byte[(bytes.Length + 31) / 32 * 32];
        bytes.CopyTo(padded, 0);
        return Concat(Word(new BigInteger(32)), Word(new BigInteger(bytes.Length)), padded);
    }
}
