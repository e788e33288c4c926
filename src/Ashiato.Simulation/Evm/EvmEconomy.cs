using System.Numerics;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.Simulation.Evm;

/// <summary>An entity that exists only on the EVM chain (token issuer, DEX, lending protocol, mixer…).</summary>
internal sealed record EvmEntity(string Id, string Name, string Kind, string Country);

/// <summary>A stolen lot on the EVM chain: an amount of one asset at one address, and what became of it.</summary>
internal sealed class EvmLot
{
    public int Id { get; init; }

    public string TheftId { get; init; } = "";

    public string HackerId { get; init; } = "";

    public string VictimCountry { get; init; } = "ZZ";

    /// <summary>The lot it came from (id), or for a bridge mint the Bitcoin outpoint ("btc:txid:vout"); null for a theft.</summary>
    public string? Parent { get; init; }

    public string Origin { get; init; } = "";

    public string Asset { get; init; } = "ETH";

    public BigInteger Amount { get; init; }

    public EvmAddress Holder { get; init; }

    public string Tx { get; init; } = "";

    public long Block { get; init; }

    public int Hops { get; init; }

    public List<int> Children { get; } = [];

    public string? EndKind { get; set; }

    public string? EndEntity { get; set; }

    public string? EndTx { get; set; }

    public BigInteger ServiceFee { get; set; }

    public bool Open => EndKind is null && Children.Count == 0;
}

/// <summary>An EVM theft: a drained exchange hot wallet or an exploited DeFi protocol.</summary>
internal sealed record EvmTheft(string Id, string Title, string Actor, string HackerId, string VictimId, DateOnly Date, long Block, List<string> Txs, List<int> Lots);

/// <summary>A bridge hop: a hacker's BTC deposit to the bridge and the wrapped-BTC mint it became on the EVM chain.</summary>
internal sealed record EvmBridgeHop(string TheftId, string BtcOutpoint, long BtcAmountSat, string EvmTx, long EvmBlock, EvmAddress To, BigInteger Minted, BigInteger Fee, int Lot);

/// <summary>
/// The EVM half of the simulated economy: one block per day 2017–2024 (block 0 = genesis on 2016-12-31), the same
/// entities as the Bitcoin chain plus EVM-only ones, tokens, an AMM, a lending protocol, a Tornado-like mixer, the
/// bridge's wrapped BTC, hacks and laundering. Uses its own random stream so the Bitcoin chain is unchanged.
/// </summary>
internal sealed partial class EvmEconomy
{
    private const int Gas20 = 52_000;
    private const int GasSwap = 125_000;

    private readonly SimRandom _rng;
    private readonly EconomySimulator _btc;
    private readonly long _targetTx;
    private readonly EvmChainBuilder _chain;
    private readonly List<(EvmAddress Address, string Entity, string Role)> _addresses = [];
    private readonly Dictionary<EvmAddress, string> _owner = [];
    private readonly Dictionary<string, EvmAddress> _hot = [];
    private readonly List<Retail> _users = [];
    private readonly List<EvmAddress> _pendingSweeps = [];
    private readonly HashSet<EvmAddress> _pendingSet = [];
    private readonly Dictionary<EvmAddress, string> _depositExchange = [];
    private readonly List<MixNote> _notes = [];
    private readonly Dictionary<(EvmAddress User, bool Token), BigInteger> _supplied = [];
    private readonly Dictionary<string, EvmAddress> _gasWallet = [];
    private EvmAddress _usdt, _weth, _sbtc, _poolUsdt, _poolSbtc, _vault, _mixer, _bridgeOperator, _otc, _relayer, _lp;

    public EvmEconomy(ulong seed, long targetTx, EconomySimulator btc, string chainFile)
    {
        _rng = SimRandom.Derive(seed, 0xE7E7);
        _btc = btc;
        _targetTx = Math.Clamp(targetTx / 8, 1200, 200_000);
        _chain = new EvmChainBuilder(chainFile, SimRandom.Derive(seed, 0xFEE));
    }

    public static IReadOnlyList<EvmEntity> OwnEntities { get; } =
    [
        new("sim-tether", "Tether-like USD issuer (USDT)", "Issuer", "VG"),
        new("wrapped-ether", "Wrapped Ether (WETH9-style)", "Contract", "ZZ"),
        new("aurora-swap", "Aurora Swap (AMM)", "Dex", "ZZ"),
        new("crescent-lending", "Crescent Lending (DeFi)", "DeFi", "US"),
        new("cyclone-mixer", "Cyclone Cash (Tornado-like mixer)", "Mixer", "ZZ"),
        new("cyclone-relayer", "Cyclone relayer", "Relayer", "ZZ"),
    ];

    public EvmChainBuilder Chain => _chain;

    public List<EvmTheft> Thefts { get; } = [];

    public List<EvmLot> Lots { get; } = [];

    public List<EvmBridgeHop> BridgeHops { get; } = [];

    /// <summary>sBTC in circulation (sat): what the bridge's custody on the Bitcoin chain must keep.</summary>
    public long WrappedSupplySat { get; private set; }

    /// <summary>The burns back to the Bitcoin chain and their releases there.</summary>
    public IReadOnlyList<BridgeReturn> BridgeReturns => _btc.BridgeReturns;

    public IReadOnlyList<(EvmAddress Address, string Entity, string Role)> Addresses => _addresses;

    public List<(EvmAddress Address, string Entity, string Kind, string? Name, string? Symbol, int? Decimals, long Block)> ContractList { get; } = [];

    private World World => _btc.World;

    private sealed class Retail(Entity entity, EvmAddress main)
    {
        public Entity Entity { get; } = entity;

        public EvmAddress Main { get; } = main;

        public EvmAddress? Deposit { get; set; }
    }

    private sealed record MixNote(int DueDay, BigInteger Denomination, EvmAddress Recipient, string RecipientEntity, int? Lot);

    // ---------------------------------------------------------------- run

    private int _nextDay;
    private bool _started;
    private double _carry;

    /// <summary>Simulates the whole chain in one go (the days after the Bitcoin chain's).</summary>
    public void Run(CancellationToken ct)
    {
        RunUntil(SimCalendar.Days, ct);
        Finish();
    }

    /// <summary>
    /// Simulates the days before <paramref name="dayExclusive"/> not simulated yet (genesis first). The Bitcoin simulator
    /// calls it as each of its days begins, so mints follow its deposits and its releases follow the burns here.
    /// </summary>
    public void RunUntil(int dayExclusive, CancellationToken ct = default)
    {
        if (!_started)
        {
            Genesis();
            _started = true;
        }

        var perDay = (double)_targetTx / SimCalendar.Days;
        for (; _nextDay < Math.Min(dayExclusive, SimCalendar.Days); _nextDay++)
        {
            ct.ThrowIfCancellationRequested();
            var d = _nextDay;
            var day = SimCalendar.Start.AddDays(d);
            var time = SimCalendar.UnixOf(day) + 36_000 + _rng.NextLong(14_400);
            _chain.BeginBlock(time, MinerAddress(World.Miners[_rng.Next(World.Miners.Count)]));
            if (d == 0)
            {
                Deploy();
            }

            BridgeMints(day);
            Hacks(day);
            MixerWithdrawals(d);
            Launder(d);
            _carry += perDay;
            var n = (int)_carry;
            _carry -= n;
            for (var i = 0; i < n; i++)
            {
                RetailActivity(d);
            }

            Sweeps();
            _chain.EndBlock();
        }
    }

    /// <summary>Ends the chain: what the hackers still hold is "held"; the chain file is closed.</summary>
    public void Finish()
    {
        foreach (var lot in Lots.Where(l => l.Open))
        {
            lot.EndKind = "held";
            lot.EndEntity = lot.HackerId;
        }

        _chain.Dispose();
    }

    private EvmAddress NewAddress(string entity, string role)
    {
        var a = new EvmAddress(_rng.Bytes(20));
        _addresses.Add((a, entity, role));
        _owner[a] = entity;
        return a;
    }

    private readonly Dictionary<string, EvmAddress> _minerAddress = [];

    private EvmAddress MinerAddress(Entity pool) =>
        _minerAddress.TryGetValue(pool.Id, out var a) ? a : _minerAddress[pool.Id] = NewAddress(pool.Id, "fee-recipient");

    private static BigInteger Eth(decimal n) => EvmChainBuilder.Eth(n);

    private static BigInteger Usdt(long n) => new BigInteger(n) * 1_000_000;

    private static BigInteger Sbtc(decimal n) => new(decimal.Round(n * 100_000_000m, 0));

    private void Genesis()
    {
        _chain.BeginBlock(SimCalendar.StartUnix - 86_400 + 43_200, EvmAddress.Zero);
        foreach (var pool in World.Miners)
        {
            MinerAddress(pool);
        }

        foreach (var ex in World.Exchanges)
        {
            var hot = NewAddress(ex.Id, "hot");
            _hot[ex.Id] = hot;
            _chain.Allocate(hot, Eth(20_000 + _rng.Next(20_000)));
        }

        var retail = (int)Math.Clamp(_targetTx / 10, 40, Math.Min(5000, World.Retail.Count));
        for (var i = 0; i < retail; i++)
        {
            var u = new Retail(World.Retail[i], NewAddress(World.Retail[i].Id, "wallet"));
            _users.Add(u);
            _chain.Allocate(u.Main, Eth(_rng.Between(50, 3000) / 100m));
        }

        _otc = NewAddress(World.Otc.Id, "otc");
        _chain.Allocate(_otc, Eth(5_000));
        _bridgeOperator = NewAddress(World.Bridge.Id, "bridge-operator");
        _chain.Allocate(_bridgeOperator, Eth(100));
        foreach (var h in new[] { World.Lazarus, World.Kraken })
        {
            var gas = NewAddress(h.Id, "gas");
            _gasWallet[h.Id] = gas;
            _chain.Allocate(gas, Eth(500));
        }

        _relayer = NewAddress("cyclone-relayer", "relayer");
        _chain.Allocate(_relayer, Eth(20));
        _lp = NewAddress("aurora-swap", "liquidity-provider");
        _chain.Allocate(_lp, Eth(40_000));
        foreach (var e in OwnEntities.Where(e => e.Kind != "Relayer"))
        {
            var deployer = NewAddress(e.Id, "deployer");
            _gasWallet["deployer:" + e.Id] = deployer;
            _chain.Allocate(deployer, Eth(e.Id == "crescent-lending" ? 30_000 : 100));
        }

        _gasWallet["deployer:" + World.Bridge.Id] = _bridgeOperator;
        _chain.EndBlock();
    }

    /// <summary>The address CREATE gives: keccak256(rlp([sender, nonce]))[12:], for nonces below 128.</summary>
    private static EvmAddress CreateAddress(EvmAddress sender, ulong nonce)
    {
        var rlp = new byte[23];
        rlp[0] = 0xd6;
        rlp[1] = 0x94;
        sender.WriteTo(rlp.AsSpan(2, 20));
        rlp[22] = nonce == 0 ? (byte)0x80 : (byte)nonce;
        return new EvmAddress(Keccak256.Hash(rlp).AsSpan(12, 20));
    }

    private EvmAddress Deploy(string entity, string kind, ulong nonce, string? name = null, string? symbol = null, int? decimals = null, EvmAddress? deployer = null)
    {
        var from = deployer ?? _gasWallet["deployer:" + entity];
        var address = CreateAddress(from, nonce);
        _chain.Send(from, null, BigInteger.Zero, Abi.Concat([0x60, 0x80, 0x60, 0x40], _rng.Bytes(60)), 900_000, create: address);
        _addresses.Add((address, entity, kind));
        _owner[address] = entity;
        if (symbol is not null)
        {
            _chain.TokenInfo[address] = (name!, symbol, decimals!.Value);
        }

        ContractList.Add((address, entity, kind, name, symbol, decimals, _chain.Number));
        return address;
    }

    private void Deploy()
    {
        var tether = _gasWallet["deployer:sim-tether"];
        _usdt = Deploy("sim-tether", "token", 0, "Tether USD (simulated)", "USDT", 6);
        var created = _chain.Send(tether, _usdt, BigInteger.Zero, Abi.Call("issue(uint256)", Abi.Word(Usdt(1_000_000_000))), 60_000);
        _chain.TokenTransfer(created, created.Root, _usdt, EvmAddress.Zero, tether, Usdt(1_000_000_000));
        _weth = Deploy("wrapped-ether", "wrapper", 0, "Wrapped Ether", "WETH", 18);
        _sbtc = Deploy(World.Bridge.Id, "token", 0, "Shoreline Wrapped BTC", "sBTC", 8);
        _poolUsdt = Deploy("aurora-swap", "pool", 0);
        _poolSbtc = Deploy("aurora-swap", "pool", 1);
        _vault = Deploy("crescent-lending", "vault", 0);
        _mixer = Deploy("cyclone-mixer", "mixer", 0);

        foreach (var ex in World.Exchanges)
        {
            TokenPay(tether, _hot[ex.Id], Usdt(3_000_000 + _rng.Next(5_000_000)));
        }

        TokenPay(tether, _otc, Usdt(20_000_000));
        TokenPay(tether, _lp, Usdt(40_000_000));
        var crescent = _gasWallet["deployer:crescent-lending"];
        TokenPay(tether, crescent, Usdt(30_000_000));
        foreach (var u in _users.Where(_ => _rng.Chance(30)))
        {
            TokenPay(tether, u.Main, Usdt(_rng.Between(50, 20_000)));
        }

        // wrapped BTC for the pool, backed by the bridge's pre-2017 custody on the Bitcoin chain
        var mint = _chain.Send(_bridgeOperator, _sbtc, BigInteger.Zero, Abi.Call("mint(address,uint256)", Abi.Word(_lp), Abi.Word(Sbtc(400))), 70_000);
        _chain.TokenTransfer(mint, mint.Root, _sbtc, EvmAddress.Zero, _lp, Sbtc(400));
        WrappedSupplySat += (long)Sbtc(400);
        AddLiquidity(_poolUsdt, _usdt, Eth(20_000), Usdt(20_000_000));
        AddLiquidity(_poolSbtc, _sbtc, Eth(6_000), Sbtc(400));
        SupplyVault(crescent, Eth(25_000), false);
        SupplyVault(crescent, Usdt(25_000_000), true);
    }

    private void AddLiquidity(EvmAddress pool, EvmAddress token, BigInteger eth, BigInteger tokens)
    {
        var tx = _chain.Send(_lp, pool, eth, Abi.Call("addLiquidity(uint256)", Abi.Word(tokens)), 150_000);
        _chain.TokenTransfer(tx, tx.Root, token, _lp, pool, tokens);
    }

    private SimTx TokenPay(EvmAddress from, EvmAddress to, BigInteger amount, EvmAddress? token = null)
    {
        var t = token ?? _usdt;
        var tx = _chain.Send(from, t, BigInteger.Zero, Abi.Call("transfer(address,uint256)", Abi.Word(to), Abi.Word(amount)), Gas20);
        _chain.TokenTransfer(tx, tx.Root, t, from, to, amount);
        tx.Root.Output = Abi.Word(BigInteger.One);
        return tx;
    }

    private SimTx Pay(EvmAddress from, EvmAddress to, BigInteger value) => _chain.Send(from, to, value, [], 21_000);

    private bool CanPay(EvmAddress from, BigInteger value, long gas) => _chain.Native(from) >= value + _chain.Fee(gas);

    private void SupplyVault(EvmAddress user, BigInteger amount, bool token)
    {
        SimTx tx;
        if (token)
        {
            tx = _chain.Send(user, _vault, BigInteger.Zero, Abi.Call("supply(address,uint256)", Abi.Word(_usdt), Abi.Word(amount)), 95_000);
            _chain.TokenTransfer(tx, tx.Root, _usdt, user, _vault, amount);
        }
        else
        {
            tx = _chain.Send(user, _vault, amount, Abi.Call("supplyEth()"), 70_000);
        }

        tx.Logs.Add(new SimLog(_vault, [Topics.Supplied, Topics.Of(user), Topics.Of(token ? _usdt : EvmAddress.Zero)], Abi.Word(amount)));
        _supplied[(user, token)] = _supplied.GetValueOrDefault((user, token)) + amount;
    }

    // ---------------------------------------------------------------- swaps

    /// <summary>Constant-product output with a 0.3 % fee (Uniswap v1/v2 formula).</summary>
    private static BigInteger AmountOut(BigInteger amountIn, BigInteger reserveIn, BigInteger reserveOut) =>
        reserveIn.IsZero ? BigInteger.Zero : amountIn * 997 * reserveOut / ((reserveIn * 1000) + (amountIn * 997));

    private (EvmAddress Pool, EvmAddress Token) PoolFor(string asset) => asset == "sBTC" ? (_poolSbtc, _sbtc) : (_poolUsdt, _usdt);

    /// <summary>Swaps ETH for the pool's token: value in, a token Transfer out. Returns the tokens received.</summary>
    private (SimTx Tx, BigInteger Out) SwapEthForToken(EvmAddress user, EvmAddress pool, EvmAddress token, BigInteger ethIn)
    {
        var amountOut = AmountOut(ethIn, _chain.Native(pool), _chain.Token(token, pool));
        var tx = _chain.Send(user, pool, ethIn, Abi.Call("ethToTokenSwapInput(uint256,uint256)", Abi.Word(amountOut * 99 / 100), Abi.Word(_chain.Timestamp + 900)), GasSwap);
        _chain.TokenTransfer(tx, tx.Root, token, pool, user, amountOut);
        tx.Root.Output = Abi.Word(amountOut);
        tx.Logs.Add(new SimLog(pool, [Topics.Swap, Topics.Of(user), Topics.Of(user)], Abi.Concat(Abi.Word(ethIn), Abi.Word(BigInteger.Zero), Abi.Word(BigInteger.Zero), Abi.Word(amountOut))));
        return (tx, amountOut);
    }

    /// <summary>Swaps the pool's token for ETH: a token Transfer in, an internal call paying ETH out.</summary>
    private (SimTx Tx, BigInteger Out) SwapTokenForEth(EvmAddress user, EvmAddress pool, EvmAddress token, BigInteger tokensIn)
    {
        var amountOut = AmountOut(tokensIn, _chain.Token(token, pool), _chain.Native(pool));
        var tx = _chain.Send(user, pool, BigInteger.Zero, Abi.Call("tokenToEthSwapInput(uint256,uint256,uint256)", Abi.Word(tokensIn), Abi.Word(amountOut * 99 / 100), Abi.Word(_chain.Timestamp + 900)), GasSwap);
        _chain.TokenTransfer(tx, tx.Root, token, user, pool, tokensIn);
        _chain.Call(tx, tx.Root, user, amountOut, [], 2_300, 0);
        tx.Root.Output = Abi.Word(amountOut);
        tx.Logs.Add(new SimLog(pool, [Topics.Swap, Topics.Of(user), Topics.Of(user)], Abi.Concat(Abi.Word(BigInteger.Zero), Abi.Word(tokensIn), Abi.Word(amountOut), Abi.Word(BigInteger.Zero))));
        return (tx, amountOut);
    }

    // ---------------------------------------------------------------- retail

    private Retail PickUser() => _users[_rng.Next(_users.Count)];

    private void RetailActivity(int day)
    {
        var u = PickUser();
        var r = _rng.Next(100);
        switch (r)
        {
            case < 20:
                ExchangeWithdrawal(u);
                break;
            case < 38:
                DepositAtExchange(u);
                break;
            case < 55:
                PayUser(u);
                break;
            case < 67:
                RetailSwap(u);
                break;
            case < 69:
                FailedSwap(u);
                break;
            case < 76:
                WrapOrUnwrap(u);
                break;
            case < 84:
                Lending(u);
                break;
            case < 89:
                RetailMix(u, day);
                break;
            case < 92:
                OtcTrade(u);
                break;
            default:
                ExchangeWithdrawal(u);
                break;
        }
    }

    private void ExchangeWithdrawal(Retail u)
    {
        var ex = World.Exchanges[_rng.Next(World.Exchanges.Count)];
        var hot = _hot[ex.Id];
        if (_rng.Chance(65))
        {
            var amount = Eth(_rng.Between(5, 2_000) / 100m);
            if (CanPay(hot, amount, 21_000))
            {
                Pay(hot, u.Main, amount);
            }
        }
        else
        {
            var amount = Usdt(_rng.Between(20, 20_000));
            if (_chain.Token(_usdt, hot) >= amount && CanPay(hot, 0, Gas20))
            {
                TokenPay(hot, u.Main, amount);
            }
        }
    }

    private EvmAddress DepositAddress(Entity exchange, string ownerId) =>
        NewAddress(exchange.Id, "deposit:" + ownerId);

    private void DepositAtExchange(Retail u)
    {
        var home = u.Entity.HomeExchange ?? World.Exchanges[0];
        u.Deposit ??= DepositAddress(home, u.Entity.Id);
        _depositExchange[u.Deposit.Value] = home.Id;
        var eth = _chain.Native(u.Main);
        var usdt = _chain.Token(_usdt, u.Main);
        if (usdt > 0 && _rng.Chance(40) && CanPay(u.Main, 0, Gas20))
        {
            TokenPay(u.Main, u.Deposit.Value, usdt * _rng.Between(20, 100) / 100);
            QueueSweep(u.Deposit.Value);
        }
        else
        {
            var amount = eth * _rng.Between(10, 80) / 100;
            if (amount > Eth(0.01m) && CanPay(u.Main, amount, 21_000))
            {
                Pay(u.Main, u.Deposit.Value, amount);
                QueueSweep(u.Deposit.Value);
            }
        }
    }

    private void QueueSweep(EvmAddress deposit)
    {
        if (_pendingSet.Add(deposit))
        {
            _pendingSweeps.Add(deposit);
        }
    }

    /// <summary>At the end of the day exchanges sweep the day's customer deposits into their hot wallet; token deposits get gas first.</summary>
    private void Sweeps()
    {
        var due = _pendingSweeps.ToList();
        _pendingSweeps.Clear();
        _pendingSet.Clear();
        foreach (var d in due)
        {
            var hot = _hot[_depositExchange[d]];
            var tokens = _chain.Token(_usdt, d);
            if (tokens > 0)
            {
                var need = _chain.Fee(Gas20);
                if (_chain.Native(d) < need)
                {
                    Pay(hot, d, need - _chain.Native(d));
                }

                TokenPay(d, hot, tokens);
            }

            var fee = _chain.Fee(21_000);
            var eth = _chain.Native(d);
            if (eth > fee)
            {
                Pay(d, hot, eth - fee);
            }
        }
    }

    private void PayUser(Retail u)
    {
        var to = PickUser();
        if (to == u)
        {
            return;
        }

        var usdt = _chain.Token(_usdt, u.Main);
        if (usdt > 0 && _rng.Chance(35) && CanPay(u.Main, 0, Gas20))
        {
            TokenPay(u.Main, to.Main, usdt * _rng.Between(5, 60) / 100);
            return;
        }

        var amount = _chain.Native(u.Main) * _rng.Between(3, 40) / 100;
        if (amount > 0 && CanPay(u.Main, amount, 21_000))
        {
            Pay(u.Main, to.Main, amount);
        }
    }

    private void RetailSwap(Retail u)
    {
        var pool = _rng.Chance(80) ? "USDT" : "sBTC";
        var (p, token) = PoolFor(pool);
        var held = _chain.Token(token, u.Main);
        if (held > 0 && _rng.Chance(50) && CanPay(u.Main, 0, GasSwap))
        {
            SwapTokenForEth(u.Main, p, token, held * _rng.Between(20, 100) / 100);
            return;
        }

        var amount = _chain.Native(u.Main) * _rng.Between(5, 50) / 100;
        if (amount > Eth(0.01m) && CanPay(u.Main, amount, GasSwap))
        {
            SwapEthForToken(u.Main, p, token, amount);
        }
    }

    /// <summary>A swap whose slippage limit is not met: it reverts, pays its fee, moves nothing.</summary>
    private void FailedSwap(Retail u)
    {
        var amount = _chain.Native(u.Main) / 4;
        if (amount > Eth(0.01m) && CanPay(u.Main, amount, 48_000))
        {
            _chain.Send(u.Main, _poolUsdt, amount, Abi.Call("ethToTokenSwapInput(uint256,uint256)", Abi.Word(BigInteger.Pow(10, 30)), Abi.Word(_chain.Timestamp)), 48_000, fail: true);
        }
    }

    private void WrapOrUnwrap(Retail u)
    {
        var wrapped = _chain.Token(_weth, u.Main);
        if (wrapped > 0 && _rng.Chance(50) && CanPay(u.Main, 0, 36_000))
        {
            var wad = wrapped * _rng.Between(30, 100) / 100;
            var tx = _chain.Send(u.Main, _weth, BigInteger.Zero, Abi.Call("withdraw(uint256)", Abi.Word(wad)), 36_000);
            _chain.WrapperLedger(_weth, u.Main, -wad);
            tx.Logs.Add(new SimLog(_weth, [Topics.WethWithdrawal, Topics.Of(u.Main)], Abi.Word(wad)));
            _chain.Call(tx, tx.Root, u.Main, wad, [], 2_300, 0);
            return;
        }

        var amount = _chain.Native(u.Main) * _rng.Between(10, 50) / 100;
        if (amount > 0 && CanPay(u.Main, amount, 46_000))
        {
            var tx = _chain.Send(u.Main, _weth, amount, Abi.Call("deposit()"), 46_000);
            _chain.WrapperLedger(_weth, u.Main, amount);
            tx.Logs.Add(new SimLog(_weth, [Topics.WethDeposit, Topics.Of(u.Main)], Abi.Word(amount)));
        }
    }

    private void Lending(Retail u)
    {
        var token = _rng.Chance(40);
        var supplied = _supplied.GetValueOrDefault((u.Main, token));
        var vaultHas = token ? _chain.Token(_usdt, _vault) : _chain.Native(_vault);
        if (supplied > 0 && _rng.Chance(50) && vaultHas >= supplied && CanPay(u.Main, 0, 80_000))
        {
            var tx = _chain.Send(u.Main, _vault, BigInteger.Zero, Abi.Call("withdraw(address,uint256)", Abi.Word(token ? _usdt : EvmAddress.Zero), Abi.Word(supplied)), 80_000);
            if (token)
            {
                _chain.TokenTransfer(tx, tx.Root, _usdt, _vault, u.Main, supplied);
            }
            else
            {
                _chain.Call(tx, tx.Root, u.Main, supplied, [], 2_300, 0);
            }

            tx.Logs.Add(new SimLog(_vault, [Topics.Withdrawn, Topics.Of(u.Main), Topics.Of(token ? _usdt : EvmAddress.Zero)], Abi.Word(supplied)));
            _supplied.Remove((u.Main, token));
            return;
        }

        var amount = token ? _chain.Token(_usdt, u.Main) / 2 : _chain.Native(u.Main) / 3;
        if (amount > 0 && CanPay(u.Main, token ? 0 : amount, 95_000))
        {
            SupplyVault(u.Main, amount, token);
        }
    }

    private static readonly BigInteger[] Denominations = [Eth(100), Eth(10), Eth(1), Eth(0.1m)];

    private SimTx MixerDeposit(EvmAddress from, BigInteger denomination)
    {
        var tx = _chain.Send(from, _mixer, denomination, Abi.Call("deposit(bytes32)", _rng.Bytes(32)), 1_050_000);
        tx.Logs.Add(new SimLog(_mixer, [Topics.MixerDeposit, new EvmHash(_rng.Bytes(32))],
            Abi.Concat(Abi.Word(new BigInteger(_notes.Count)), Abi.Word(new BigInteger(_chain.Timestamp)))));
        return tx;
    }

    private void RetailMix(Retail u, int day)
    {
        if (!u.Entity.PrivacyMinded && !_rng.Chance(20))
        {
            return;
        }

        foreach (var d in Denominations.Reverse().Take(3).Reverse())
        {
            if (CanPay(u.Main, d, 1_050_000) && _chain.Native(u.Main) > d * 2)
            {
                MixerDeposit(u.Main, d);
                _notes.Add(new MixNote(day + 1 + _rng.Next(14), d, NewAddress(u.Entity.Id, "fresh"), u.Entity.Id, null));
                return;
            }
        }
    }

    private void MixerWithdrawals(int day)
    {
        for (var i = 0; i < _notes.Count; i++)
        {
            var note = _notes[i];
            if (note.DueDay > day)
            {
                continue;
            }

            _notes.RemoveAt(i--);
            var fee = note.Denomination * 3 / 1000;
            var tx = _chain.Send(_relayer, _mixer, BigInteger.Zero, Abi.Concat(Abi.Selector("withdraw(bytes,bytes32,bytes32,address,address,uint256,uint256)"), _rng.Bytes(64), Abi.Word(note.Recipient), Abi.Word(_relayer), Abi.Word(fee)), 360_000);
            _chain.Call(tx, tx.Root, note.Recipient, note.Denomination - fee, [], 2_300, 0);
            _chain.Call(tx, tx.Root, _relayer, fee, [], 2_300, 0);
            tx.Logs.Add(new SimLog(_mixer, [Topics.MixerWithdrawal, Topics.Of(_relayer)],
                Abi.Concat(Abi.Word(note.Recipient), _rng.Bytes(32), Abi.Word(fee))));
            if (note.Lot is { } parent)
            {
                var p = Lots[parent];
                p.ServiceFee = fee;
                NewLot(p, "mixer_withdrawal", "ETH", note.Denomination - fee, note.Recipient, tx);
            }
        }
    }

    private void OtcTrade(Retail u)
    {
        var usdt = Usdt(_rng.Between(5_000, 50_000));
        var eth = Eth((decimal)(usdt / 1_000_000) / 1_500m);
        if (_chain.Token(_usdt, _otc) >= usdt && CanPay(u.Main, eth, 21_000) && eth > 0)
        {
            Pay(u.Main, _otc, eth);
            TokenPay(_otc, u.Main, usdt);
        }
    }
}
