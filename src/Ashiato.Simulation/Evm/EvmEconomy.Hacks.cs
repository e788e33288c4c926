using System.Numerics;
using Ashiato.Chains.Evm;

namespace Ashiato.Simulation.Evm;

/// <summary>Hacks on the EVM chain, bridge mints of hackers' BTC, and the laundering of every stolen lot.</summary>
internal sealed partial class EvmEconomy
{
    /// <summary>DeFi exploits (the exchange hacks of the Bitcoin schedule also drain the victims' EVM hot wallets).</summary>
    public static IReadOnlyList<HackPlan> DefiPlans { get; } =
    [
        new("hack-2022-crescent", "Crescent Lending exploit", new(2022, 3, 29), "crescent-lending", "lazarus"),
        new("hack-2024-aurora", "Aurora Swap sBTC pool exploit", new(2024, 5, 31), "aurora-swap", "silent-kraken"),
    ];

    private readonly List<(int Due, BridgeDeposit Deposit)> _mintQueue = [];
    private int _depositsQueued;

    private EvmLot NewLot(EvmLot? parent, string origin, string asset, BigInteger amount, EvmAddress holder, SimTx? tx,
        string? theftId = null, string? hackerId = null, string? victimCountry = null, string? externalParent = null)
    {
        var lot = new EvmLot
        {
            Id = Lots.Count,
            TheftId = parent?.TheftId ?? theftId!,
            HackerId = parent?.HackerId ?? hackerId!,
            VictimCountry = parent?.VictimCountry ?? victimCountry ?? "ZZ",
            Parent = parent is null ? externalParent : parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Origin = origin,
            Asset = asset,
            Amount = amount,
            Holder = holder,
            Tx = tx?.Hash.ToString() ?? "",
            Block = _chain.Number,
            Hops = parent is null ? 0 : parent.Hops + 1,
        };
        Lots.Add(lot);
        parent?.Children.Add(lot.Id);
        return lot;
    }

    private EvmAddress Fresh(string hackerId, string role) => NewAddress(hackerId, role);

    /// <summary>Tops up <paramref name="a"/> from its group's gas wallet so it can send <paramref name="value"/> and pay the fee, keeping its other stolen ETH intact.</summary>
    private void Fund(EvmLot lot, BigInteger value, long gas, BigInteger reserve = default)
    {
        var a = lot.Holder;
        var others = Lots.Where(l => l.Open && l.Id != lot.Id && l.Asset == "ETH" && l.Holder == a).Aggregate(BigInteger.Zero, (s, l) => s + l.Amount);
        var need = others + reserve + value + _chain.Fee(gas);
        var have = _chain.Native(a);
        if (have < need)
        {
            Pay(_gasWallet[lot.HackerId], a, need - have);
        }
    }

    // ---------------------------------------------------------------- hacks

    private void Hacks(DateOnly day)
    {
        foreach (var plan in EconomySimulator.HackPlans.Where(p => p.Date == day))
        {
            ExchangeHack(plan);
        }

        foreach (var plan in DefiPlans.Where(p => p.Date == day))
        {
            DefiHack(plan);
        }
    }

    private EvmTheft StartTheft(HackPlan plan)
    {
        var hacker = World.ById(plan.HackerId);
        var theft = new EvmTheft(plan.Id, plan.Title, hacker.Actor ?? hacker.Id, hacker.Id, plan.VictimId, plan.Date, _chain.Number, [], []);
        Thefts.Add(theft);
        return theft;
    }

    private void ExchangeHack(HackPlan plan)
    {
        var victim = World.ById(plan.VictimId);
        var hot = _hot[victim.Id];
        var theft = StartTheft(plan);
        var eth = _chain.Native(hot) * 60 / 100;
        var a = Fresh(plan.HackerId, "theft");
        var tx = Pay(hot, a, eth);
        theft.Txs.Add(tx.Hash.ToString());
        theft.Lots.Add(NewLot(null, "theft", "ETH", eth, a, tx, plan.Id, plan.HackerId, victim.Country).Id);
        var usdt = _chain.Token(_usdt, hot) * 60 / 100;
        if (usdt > 0)
        {
            var b = Fresh(plan.HackerId, "theft");
            var t2 = TokenPay(hot, b, usdt);
            theft.Txs.Add(t2.Hash.ToString());
            theft.Lots.Add(NewLot(null, "theft", "USDT", usdt, b, t2, plan.Id, plan.HackerId, victim.Country).Id);
        }
    }

    private void DefiHack(HackPlan plan)
    {
        var victim = OwnEntities.First(e => e.Id == plan.VictimId);
        var theft = StartTheft(plan);
        var (contract, token) = plan.VictimId == "crescent-lending" ? (_vault, _usdt) : (_poolSbtc, _sbtc);
        var asset = token == _usdt ? "USDT" : "sBTC";
        var attacker = Fresh(plan.HackerId, "exploiter");
        theft.Txs.Add(Pay(_gasWallet[plan.HackerId], attacker, Eth(2)).Hash.ToString());

        // a first attempt reverts (pays its fee, moves nothing), the second drains the contract
        var input = Abi.Concat(Abi.Selector("flashExploit(uint256,bytes)"), _rng.Bytes(96));
        theft.Txs.Add(_chain.Send(attacker, contract, BigInteger.Zero, input, 310_000, fail: true).Hash.ToString());
        var eth = _chain.Native(contract) * (plan.VictimId == "crescent-lending" ? 85 : 40) / 100;
        var tokens = _chain.Token(token, contract) * (plan.VictimId == "crescent-lending" ? 85 : 40) / 100;
        var tx = _chain.Send(attacker, contract, BigInteger.Zero, input, 520_000);
        _chain.Call(tx, tx.Root, attacker, eth, [], 2_300, 0);
        _chain.TokenTransfer(tx, tx.Root, token, contract, attacker, tokens);
        theft.Txs.Add(tx.Hash.ToString());
        theft.Lots.Add(NewLot(null, "theft", "ETH", eth, attacker, tx, plan.Id, plan.HackerId, victim.Country).Id);
        theft.Lots.Add(NewLot(null, "theft", asset, tokens, attacker, tx, plan.Id, plan.HackerId, victim.Country).Id);
    }

    // ---------------------------------------------------------------- bridge

    /// <summary>The bridge mints wrapped BTC (1 sat = 1 unit, minus 0.1 %) for hackers' BTC deposits, 1–3 days later.</summary>
    private void BridgeMints(DateOnly day)
    {
        for (; _depositsQueued < _btc.BridgeDeposits.Count; _depositsQueued++)
        {
            var deposit = _btc.BridgeDeposits[_depositsQueued];
            _mintQueue.Add((SimCalendar.DayIndex(deposit.Day) + 1 + _rng.Next(3), deposit));
        }

        var today = SimCalendar.DayIndex(day);
        foreach (var (_, d) in _mintQueue.Where(q => q.Due == today).ToList())
        {
            var fee = new BigInteger(d.Amount) / 1000;
            var minted = new BigInteger(d.Amount) - fee;
            var to = Fresh(d.HackerId, "bridge-receive");
            var btcTx = Convert.FromHexString(d.TxId);
            var tx = _chain.Send(_bridgeOperator, _sbtc, BigInteger.Zero, Abi.Call("mint(address,uint256,bytes32)", Abi.Word(to), Abi.Word(minted), btcTx), 90_000);
            _chain.TokenTransfer(tx, tx.Root, _sbtc, EvmAddress.Zero, to, minted);
            WrappedSupplySat += (long)minted;
            tx.Logs.Add(new SimLog(_sbtc, [Topics.BridgeMint, Topics.Of(to)], Abi.Concat(Abi.Word(minted), btcTx)));
            var country = _btc.Thefts.FirstOrDefault(t => t.Plan.Id == d.TheftId)?.Victim.Country ?? "ZZ";
            var outpoint = $"{d.TxId}:{d.Vout}";
            var lot = NewLot(null, "bridge_mint", "sBTC", minted, to, tx, d.TheftId, d.HackerId, country, "btc:" + outpoint);
            BridgeHops.Add(new EvmBridgeHop(d.TheftId, outpoint, d.Amount, tx.Hash.ToString(), _chain.Number, to, minted, fee, lot.Id));
        }
    }

    // ---------------------------------------------------------------- laundering

    private void Launder(int day)
    {
        foreach (var lot in Lots.Where(l => l.Open && l.Block < _chain.Number).ToList())
        {
            if (_rng.Chance(45))
            {
                Act(lot, day);
            }
        }
    }

    private void Act(EvmLot lot, int day)
    {
        var r = _rng.Next(100);
        switch (lot.Asset)
        {
            case "sBTC":
                // back over the bridge: swapped-in sBTC, long-laundered sBTC, and 40 % of freshly minted sBTC (a round
                // trip to break the trail); only where the Bitcoin chain has the theft and still runs to pay the release
                if ((lot.Origin == "swap" || lot.Hops >= 6 || (lot.Origin == "bridge_mint" && r < 40)) && CanReturn(lot, day))
                {
                    BridgeOut(lot, day);
                }
                else
                {
                    SwapLot(lot, "ETH");
                }

                return;
            case "USDT":
                if (r < 45 && lot.Hops < 6)
                {
                    SwapLot(lot, "ETH");
                }
                else
                {
                    CashOut(lot, r < 85 ? "exchange" : "otc");
                }

                return;
        }

        if (lot.Hops >= 6 || lot.Amount < Eth(0.2m))
        {
            CashOut(lot, r < 80 ? "exchange" : "otc");
        }
        else if (lot.Hops == 0 && lot.Amount > Eth(3))
        {
            Split(lot);
        }
        else if (r < 35)
        {
            Mix(lot, day);
        }
        else if (r < 45)
        {
            SwapLot(lot, "sBTC");
        }
        else if (r < 55)
        {
            SwapLot(lot, "USDT");
        }
        else if (r < 78)
        {
            CashOut(lot, "exchange");
        }
        else if (r < 86)
        {
            CashOut(lot, "otc");
        }
        else
        {
            Move(lot);
        }
    }

    private void Split(EvmLot lot)
    {
        var k = (int)_rng.Between(2, 4);
        var left = lot.Amount;
        for (var i = 0; i < k; i++)
        {
            var part = i == k - 1 ? left : left * _rng.Between(25, 60) / 100;
            left -= part;
            var to = Fresh(lot.HackerId, "split");
            Fund(lot, part, 21_000, left);
            var tx = Pay(lot.Holder, to, part);
            NewLot(lot, "split", "ETH", part, to, tx);
        }
    }

    private void Move(EvmLot lot)
    {
        var to = Fresh(lot.HackerId, "peel");
        Fund(lot, lot.Amount, 21_000);
        var tx = Pay(lot.Holder, to, lot.Amount);
        NewLot(lot, "move", "ETH", lot.Amount, to, tx);
    }

    private void SwapLot(EvmLot lot, string target)
    {
        if (lot.Asset == "ETH")
        {
            var (pool, token) = PoolFor(target);
            Fund(lot, lot.Amount, GasSwap);
            var (tx, amountOut) = SwapEthForToken(lot.Holder, pool, token, lot.Amount);
            NewLot(lot, "swap", target, amountOut, lot.Holder, tx);
        }
        else
        {
            var (pool, token) = PoolFor(lot.Asset);
            Fund(lot, BigInteger.Zero, GasSwap);
            var (tx, amountOut) = SwapTokenForEth(lot.Holder, pool, token, lot.Amount);
            NewLot(lot, "swap", "ETH", amountOut, lot.Holder, tx);
        }
    }

    private bool CanReturn(EvmLot lot, int day) => _btc.HasTheft(lot.TheftId) && day + 4 <= _btc.LastEconomyDay;

    /// <summary>
    /// Burns the lot's sBTC naming a fresh Bitcoin address of the hacker (its scriptPubKey in the call and in the
    /// <c>BridgeBurn(address,uint256,bytes)</c> event); the Bitcoin chain releases the amount less 0.1 % 1–3 days later.
    /// </summary>
    private void BridgeOut(EvmLot lot, int day)
    {
        Fund(lot, BigInteger.Zero, 90_000);
        var to = _btc.BridgeReturnAddress(lot.HackerId);
        var script = Abi.Bytes(to.Script);
        var tx = _chain.Send(lot.Holder, _sbtc, BigInteger.Zero, Abi.Concat(Abi.Selector("burn(uint256,bytes)"), Abi.Word(lot.Amount), Abi.Word(new BigInteger(64)), script), 90_000);
        _chain.TokenTransfer(tx, tx.Root, _sbtc, lot.Holder, EvmAddress.Zero, lot.Amount);
        WrappedSupplySat -= (long)lot.Amount;
        tx.Logs.Add(new SimLog(_sbtc, [Topics.BridgeBurn, Topics.Of(lot.Holder)], Abi.Concat(Abi.Word(lot.Amount), Abi.Word(new BigInteger(64)), script)));
        End(lot, "bridge", World.Bridge.Id, tx);
        _btc.BridgeReturns.Add(new BridgeReturn(lot.TheftId, lot.HackerId, tx.Hash.ToString(), lot.Id, (long)lot.Amount, to, day + 1 + _rng.Next(3)));
    }

    private void End(EvmLot lot, string kind, string entity, SimTx tx)
    {
        lot.EndKind = kind;
        lot.EndEntity = entity;
        lot.EndTx = tx.Hash.ToString();
    }

    /// <summary>Cash-out: the whole lot to a fresh deposit address (a mule account) at an exchange in another country, or to the OTC desk.</summary>
    private void CashOut(EvmLot lot, string kind)
    {
        EvmAddress to;
        string entity;
        if (kind == "otc")
        {
            to = _otc;
            entity = World.Otc.Id;
        }
        else
        {
            var abroad = World.Exchanges.Where(e => e.Country != lot.VictimCountry).ToList();
            var ex = abroad[_rng.Next(abroad.Count)];
            to = DepositAddress(ex, "mule:" + lot.HackerId);
            _depositExchange[to] = ex.Id;
            entity = ex.Id;
            QueueSweep(to);
        }

        SimTx tx;
        if (lot.Asset == "ETH")
        {
            Fund(lot, lot.Amount, 21_000);
            tx = Pay(lot.Holder, to, lot.Amount);
        }
        else
        {
            Fund(lot, BigInteger.Zero, Gas20);
            tx = TokenPay(lot.Holder, to, lot.Amount, lot.Asset == "USDT" ? _usdt : _sbtc);
        }

        End(lot, kind, entity, tx);
    }

    /// <summary>Fixed-denomination deposits into the mixer; each is withdrawn 2–10 days later to a fresh address by a relayer.</summary>
    private void Mix(EvmLot lot, int day)
    {
        var d = Denominations.FirstOrDefault(x => x <= lot.Amount);
        if (d.IsZero)
        {
            CashOut(lot, "exchange");
            return;
        }

        var k = (int)BigInteger.Min(lot.Amount / d, 5);
        for (var i = 0; i < k; i++)
        {
            Fund(lot, d, 1_050_000, lot.Amount - (d * (i + 1)));
            var tx = MixerDeposit(lot.Holder, d);
            var deposit = NewLot(lot, "mixer_deposit", "ETH", d, _mixer, tx);
            deposit.EndKind = "mixer";
            deposit.EndEntity = "cyclone-mixer";
            deposit.EndTx = tx.Hash.ToString();
            _notes.Add(new MixNote(day + 2 + _rng.Next(9), d, Fresh(lot.HackerId, "mixer-withdrawal"), lot.HackerId, deposit.Id));
        }

        var rest = lot.Amount - (d * k);
        if (rest > 0)
        {
            NewLot(lot, "remainder", "ETH", rest, lot.Holder, null);
        }
    }
}
