namespace Ashiato.Simulation;

/// <summary>Hacks, laundering, and the CoinJoin coordinator (Wasabi- and Whirlpool-shaped rounds).</summary>
internal sealed partial class EconomySimulator
{
    private void DailyEvents(int lastDay, int today)
    {
        foreach (var plan in Plans)
        {
            var d = SimCalendar.DayIndex(plan.Date);
            if (d > lastDay && d <= today)
            {
                Hack(plan);
            }
        }

        ReleaseBridgeReturns(today);
        HackerDay(World.Lazarus);
        HackerDay(World.Kraken);
        MixerPayouts();
    }

    /// <summary>The bridge pays out the EVM burns that are due, from its custody, to the destinations the burns name.</summary>
    private void ReleaseBridgeReturns(int today)
    {
        var bridge = World.Bridge;
        foreach (var r in BridgeReturns)
        {
            if (r.ReleaseTxId is not null || r.DueDay > today)
            {
                continue;
            }

            if (!Take(bridge.Main, r.Released, 2, 300, out var sum, out var fee))
            {
                continue; // the custody cannot pay today: tried again tomorrow
            }

            var theft = Thefts.First(t => t.Plan.Id == r.TheftId);
            var seg = new Segment(Segments.Count, theft, "bridge_release", "evm:" + r.BurnTx);
            Segments.Add(seg);
            theft.Segments.Add(seg);
            Pay(r.Released, r.To, theft.Hacker.Main, seg.Index, 1);
            Change(sum - r.Released - fee, bridge.Fixed[0], bridge.Main);
            var (txid, _) = Emit();
            seg.AmountIn = r.Released;
            seg.Sources.Add(Outpoint(txid, 0));
            r.ReleaseTxId = txid.ToString();
            r.ReleaseHeight = _height;
            r.ReleaseDay = _day;
            r.Segment = seg.Index;
        }
    }

    private void Hack(HackPlan plan)
    {
        var victim = World.ById(plan.VictimId);
        var hacker = World.ById(plan.HackerId);
        var sum = TakeMany(victim.Main, 300);
        if (sum < victim.Cold!.Balance / 3)
        {
            sum += TakeMany(victim.Cold, 20);
        }

        var k = (int)_rng.Between(1, 4);
        var fee = Fee(_in.Count, k);
        if (sum - fee < k * 1_000_000)
        {
            Restore(victim.Main); // nothing worth stealing (never expected at the planned dates)
            return;
        }

        var theft = new TheftRecord(plan, victim, hacker) { Day = _day, Height = _height, Loss = sum };
        var seg = new Segment(Segments.Count, theft, "theft", null);
        Segments.Add(seg);
        theft.Segments.Add(seg);
        var parts = Split(sum - fee, k);
        foreach (var part in parts)
        {
            var address = World.NewAddress(hacker, ScriptKind.P2WPKH, "theft");
            Pay(part, address, hacker.Main, seg.Index, 0);
            Sanctioned.Add((address.Text, theft));
        }

        var (txid, realFee) = Emit();
        theft.TxId = txid.ToString();
        theft.TheftFee = realFee;
        theft.Stolen = sum - realFee;
        theft.LossUsd = _prices.UsdValue(sum, _day);
        seg.AmountIn = theft.Stolen;
        for (var o = 0; o < parts.Length; o++)
        {
            theft.StolenOutputs.Add(Outpoint(txid, o));
            seg.Sources.Add(Outpoint(txid, o));
        }

        Thefts.Add(theft);
    }

    /// <summary>Random split of <paramref name="total"/> into <paramref name="k"/> positive parts summing exactly to it.</summary>
    private long[] Split(long total, int k)
    {
        var parts = new long[k];
        var left = total;
        for (var i = 0; i < k - 1; i++)
        {
            var part = left / (k - i) * (60 + _rng.Next(81)) / 100;
            parts[i] = Math.Clamp(part, 1, left - (k - 1 - i));
            left -= parts[i];
        }

        parts[k - 1] = left;
        return parts;
    }

    private void HackerDay(Entity hacker)
    {
        var w = hacker.Main;
        var actions = Math.Min(w.Coins.Count, 1 + _rng.Next(6));
        for (var a = 0; a < actions && w.Coins.Count > 0; a++)
        {
            var index = _rng.Next(w.Coins.Count);
            if (!_rng.Chance(60))
            {
                continue;
            }

            var coin = w.RemoveAt(index);
            if (!Launder(hacker, coin))
            {
                w.Add(coin);
            }
        }
    }

    private bool Launder(Entity h, Coin coin)
    {
        var seg = Segments[coin.Segment];
        if (coin.Value < 400_000 || coin.Hops >= 9)
        {
            return CashOut(h, coin, seg, _rng.Chance(25) ? "otc" : "exchange");
        }

        if (coin.Hops == 0)
        {
            return SplitCoin(h, coin, seg) || Peel(h, coin, seg);
        }

        var r = _rng.Next(100);
        var ok = r switch
        {
            < 30 => Peel(h, coin, seg),
            < 40 => Wasabi(h, coin, seg),
            < 48 => Whirlpool(h, coin, seg),
            < 60 => CashOut(h, coin, seg, "mixer"),
            < 68 => CashOut(h, coin, seg, "bridge"),
            < 78 => ConsolidateTainted(h, coin, seg),
            < 93 => CashOut(h, coin, seg, "exchange"),
            _ => CashOut(h, coin, seg, "otc"),
        };
        return ok || Peel(h, coin, seg) || CashOut(h, coin, seg, "exchange");
    }

    private Address HackerAddress(Entity h, string role) => World.NewAddress(h, _rng.Chance(80) ? ScriptKind.P2WPKH : ScriptKind.P2TR, role);

    private void RecordHop(Segment seg, string kind, string txid, long amountIn, long miningFee, long serviceFee)
    {
        seg.MiningFees += miningFee;
        seg.ServiceFees += serviceFee;
        seg.Hops.Add(new Hop(kind, txid, amountIn, amountIn - miningFee - serviceFee, miningFee, serviceFee));
    }

    private bool SplitCoin(Entity h, Coin coin, Segment seg)
    {
        var k = (int)_rng.Between(2, 6);
        var fee = Fee(1, k);
        if (coin.Value - fee < k * 200_000L)
        {
            return false;
        }

        _in.Add(coin);
        foreach (var part in Split(coin.Value - fee, k))
        {
            Pay(part, HackerAddress(h, "split"), h.Main, seg.Index, (byte)(coin.Hops + 1));
        }

        var (txid, realFee) = Emit();
        RecordHop(seg, "split", txid.ToString(), coin.Value, realFee, 0);
        return true;
    }

    /// <summary>Where a cash-out lands: a fresh deposit address (a mule account) at an exchange abroad, or the OTC desk.</summary>
    private (Entity Entity, Address To, Wallet Dest) CashOutPoint(Segment seg, string kind)
    {
        switch (kind)
        {
            case "otc":
                return (World.Otc, World.NewAddress(World.Otc, ScriptKind.P2PKH, "otc"), World.Otc.Main);
            case "bridge":
                return (World.Bridge, World.Bridge.Fixed[0], World.Bridge.Main);
            case "mixer":
                return (World.Mixer, World.NewAddress(World.Mixer, ScriptKind.P2SH_P2WPKH, "mixer-deposit"), World.Mixer.Main);
            default:
                var abroad = World.Exchanges.Where(e => e.Country != seg.Theft.Victim.Country).ToList();
                var ex = abroad[_rng.Next(abroad.Count)];
                return (ex, World.NewAddress(ex, ScriptKind.P2WPKH, "deposit"), ex.Deposits!);
        }
    }

    private bool Peel(Entity h, Coin coin, Segment seg)
    {
        var fee = Fee(1, 2);
        var peel = coin.Value * (3 + _rng.Next(13)) / 100;
        var rest = coin.Value - peel - fee;
        if (peel < Dust || rest < Dust)
        {
            return false;
        }

        var kind = _rng.Chance(75) ? "exchange" : "otc";
        var (entity, to, dest) = CashOutPoint(seg, kind);
        _in.Add(coin);
        Pay(peel, to, dest);
        Pay(rest, HackerAddress(h, "peel"), h.Main, seg.Index, (byte)(coin.Hops + 1));
        var (txid, realFee) = Emit();
        RecordHop(seg, "peel", txid.ToString(), coin.Value, realFee, 0);
        seg.Endpoints.Add(new Endpoint(kind, entity.Id, txid.ToString(), 0, peel));
        return true;
    }

    /// <summary>The whole coin to one endpoint: an exchange deposit, the OTC desk, the bridge (leaves the chain) or the mixer.</summary>
    private bool CashOut(Entity h, Coin coin, Segment seg, string kind)
    {
        var fee = Fee(1, 1);
        var amount = coin.Value - fee;
        if (amount < Dust)
        {
            return false;
        }

        var (entity, to, dest) = CashOutPoint(seg, kind);
        _in.Add(coin);
        Pay(amount, to, dest);
        var (txid, realFee) = Emit();
        RecordHop(seg, kind == "exchange" || kind == "otc" ? "cash_out" : kind, txid.ToString(), coin.Value, realFee, 0);
        seg.Endpoints.Add(new Endpoint(kind, entity.Id, txid.ToString(), 0, amount));
        if (kind == "bridge")
        {
            BridgeDeposits.Add(new BridgeDeposit(seg.Theft.Plan.Id, h.Id, txid.ToString(), 0, amount, _day, _height));
        }

        if (kind == "mixer")
        {
            var job = new MixJob(h, seg, amount * 975 / 1000, _dayIndex + 2 + _rng.Next(9));
            job.DepositOutputs.Add(Outpoint(txid, 0));
            _mixJobs.Add(job);
        }

        return true;
    }

    private bool ConsolidateTainted(Entity h, Coin coin, Segment seg)
    {
        var w = h.Main;
        _in.Add(coin);
        var hops = coin.Hops;
        for (var i = w.Coins.Count - 1; i >= 0 && _in.Count < 10; i--)
        {
            if (w.Coins[i].Segment == seg.Index)
            {
                var other = w.RemoveAt(i);
                hops = Math.Max(hops, other.Hops);
                _in.Add(other);
            }
        }

        var sum = _in.Sum(c => c.Value);
        var fee = Fee(_in.Count, 1);
        if (_in.Count < 2 || sum - fee < Dust)
        {
            _in.RemoveAt(0);
            Restore(w);
            return false;
        }

        Pay(sum - fee, HackerAddress(h, "consolidation"), w, seg.Index, (byte)(hops + 1));
        var (txid, realFee) = Emit();
        RecordHop(seg, "consolidate", txid.ToString(), sum, realFee, 0);
        return true;
    }

    /// <summary>A retail-only CoinJoin round (Wasabi- or Whirlpool-shaped).</summary>
    private bool CoinJoinRound(Entity? unused)
    {
        _ = unused;
        return _day.Year >= 2019 && _rng.Chance(40) ? Whirlpool(null, default, null) : Wasabi(null, default, null);
    }

    private List<Entity> Entrants(int wanted, long minBalance, long minCoin = 0)
    {
        var list = new List<Entity>();
        for (var t = 0; t < wanted * 12 && list.Count < wanted; t++)
        {
            var e = World.Retail[_rng.Next(World.Retail.Count)];
            if (e.Main.Balance >= minBalance && (minCoin == 0 || e.Main.Coins.Exists(c => c.Value >= minCoin)) && !list.Contains(e))
            {
                list.Add(e);
            }
        }

        return list;
    }

    /// <summary>
    /// Wasabi-shaped: many inputs, equal outputs of 0.1 BTC (the hacker also takes 0.2/0.4/… levels), a coordinator fee
    /// output of 0.3 % of the mixed amount, change outputs. Each participant pays its own mining fee share.
    /// </summary>
    private bool Wasabi(Entity? h, Coin coin, Segment? seg)
    {
        const long denom = 10_000_000;
        const long coordPer = denom * 3 / 1000;
        var levels = new List<long>();
        long service = 0;
        long hackerMining = 0;
        long hackerChange = 0;
        if (h is not null)
        {
            hackerMining = Fee(1, 9);
            var rem = coin.Value - hackerMining;
            while (levels.Count < 8)
            {
                var level = denom << 6;
                while (level >= denom && level + (level * 3 / 1000) > rem)
                {
                    level >>= 1;
                }

                if (level < denom)
                {
                    break;
                }

                levels.Add(level);
                service += level * 3 / 1000;
                rem -= level + (level * 3 / 1000);
            }

            if (levels.Count == 0)
            {
                return false;
            }

            hackerChange = rem;
            if (hackerChange < Dust)
            {
                hackerMining += hackerChange;
                hackerChange = 0;
            }
        }

        // A round needs at least MinRoundEntrants paying entrants (Wasabi 1 coordinators required anonymity sets far
        // larger; a smaller "round" would not be Wasabi-shaped): each entrant's coins are taken first, and if too few
        // could pay, every taken coin goes back to its wallet and there is no round.
        const int MinRoundEntrants = 10;
        var entrants = Entrants((int)_rng.Between(12, 40), denom + coordPer + Fee(10, 2) + Dust);
        var joined = new List<(Entity P, long Change)>();
        var taken = new List<(Wallet W, int Start, int End)>();
        foreach (var p in entrants)
        {
            var start = _in.Count;
            if (Take(p.Main, denom + coordPer, 2, 10, out var sum, out var fee))
            {
                taken.Add((p.Main, start, _in.Count));
                joined.Add((p, sum - denom - coordPer - fee));
            }
        }

        if (joined.Count < MinRoundEntrants)
        {
            for (var k = taken.Count - 1; k >= 0; k--)
            {
                var (w, start, end) = taken[k];
                for (var i = end - 1; i >= start; i--)
                {
                    w.Add(_in[i]);
                    _in.RemoveAt(i);
                }
            }

            return false;
        }

        long coordinator = service;
        foreach (var (p, change) in joined)
        {
            Pay(denom, World.NewAddress(p, ScriptKind.P2WPKH, "coinjoin"), p.Main);
            Change(change, () => World.NewAddress(p, p.PreferredKind, "change"), p.Main);
            coordinator += coordPer;
        }

        if (h is not null)
        {
            _in.Add(coin);
            foreach (var level in levels)
            {
                Pay(level, HackerAddress(h, "coinjoin"), h.Main, seg!.Index, (byte)(coin.Hops + 1));
            }

            if (hackerChange > 0)
            {
                Pay(hackerChange, HackerAddress(h, "coinjoin-change"), h.Main, seg!.Index, (byte)(coin.Hops + 1));
            }
        }

        Pay(coordinator, World.Coordinator.Fixed[0], World.Coordinator.Main);
        ShuffleInputs();
        var (txid, _) = Emit(shuffleOutputs: true);
        if (h is not null)
        {
            RecordHop(seg!, "coinjoin_wasabi", txid.ToString(), coin.Value, hackerMining, service);
        }

        return true;
    }

    /// <summary>
    /// Whirlpool-shaped: each entrant's Tx0 (premix output of denomination + mining fee share, pool fee to the
    /// coordinator, change), then a mix of exactly 5 premix inputs into 5 equal outputs.
    /// </summary>
    private bool Whirlpool(Entity? h, Coin coin, Segment? seg)
    {
        long[] pools = [1_000_000, 5_000_000, 50_000_000];
        var denom = pools[_rng.Next(pools.Length)];
        if (h is not null)
        {
            denom = pools.Where(p => p * 3 <= coin.Value).DefaultIfEmpty(0).Max();
            if (denom == 0)
            {
                return false;
            }
        }

        var poolFee = denom * 5 / 100;
        var premixFee = 200 * _feeRate;
        var rounds = 1;
        if (h is not null)
        {
            rounds = (int)Math.Min(3, (coin.Value - Fee(1, 5) - poolFee) / (denom + premixFee));
            if (rounds < 1)
            {
                return false;
            }
        }

        var retailPerRound = h is null ? 5 : 4;
        var need = denom + premixFee + poolFee + Fee(1, 3) + Dust;
        var entrants = Entrants(retailPerRound * rounds, need, need);
        if (entrants.Count < retailPerRound * rounds)
        {
            return false;
        }

        var hackerPremix = new List<Coin>();
        if (h is not null)
        {
            _in.Add(coin);
            for (var i = 0; i < rounds; i++)
            {
                Pay(denom + premixFee, HackerAddress(h, "premix"), null);
            }

            Pay(poolFee, World.Coordinator.Fixed[1], World.Coordinator.Main);
            var fee = Fee(1, rounds + 2);
            var change = coin.Value - (rounds * (denom + premixFee)) - poolFee - fee;
            if (change >= Dust)
            {
                Pay(change, HackerAddress(h, "tx0-change"), h.Main, seg!.Index, (byte)(coin.Hops + 1));
            }

            var (txid, realFee) = Emit();
            RecordHop(seg!, "whirlpool_tx0", txid.ToString(), coin.Value, realFee, poolFee);
            for (var i = 0; i < rounds; i++)
            {
                hackerPremix.Add(new Coin(txid, (uint)i, denom + premixFee, ScriptKind.P2WPKH, seg!.Index, coin.Hops));
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            var mix = new List<(Coin Premix, Entity Owner)>();
            foreach (var p in entrants.Skip(round * retailPerRound).Take(retailPerRound))
            {
                var at = p.Main.Coins.FindIndex(c => c.Value >= need);
                var own = p.Main.RemoveAt(at);
                _in.Add(own);
                var sum = own.Value;
                var fee = Fee(1, 3);

                var premixAddress = World.NewAddress(p, ScriptKind.P2WPKH, "premix");
                Pay(denom + premixFee, premixAddress, null);
                Pay(poolFee, World.Coordinator.Fixed[1], World.Coordinator.Main);
                Change(sum - denom - premixFee - poolFee - fee, () => World.NewAddress(p, p.PreferredKind, "change"), p.Main);
                var (txid, _) = Emit();
                mix.Add((new Coin(txid, 0, denom + premixFee, ScriptKind.P2WPKH), p));
            }

            if (h is not null)
            {
                mix.Add((hackerPremix[round], h));
            }

            foreach (var (premix, owner) in mix)
            {
                _in.Add(premix);
                if (owner == h)
                {
                    Pay(denom, HackerAddress(h, "postmix"), h.Main, seg!.Index, (byte)(coin.Hops + 1));
                }
                else
                {
                    Pay(denom, World.NewAddress(owner, ScriptKind.P2WPKH, "postmix"), owner.Main);
                }
            }

            ShuffleInputs();
            var (mixTxid, _) = Emit(shuffleOutputs: true);
            if (h is not null)
            {
                RecordHop(seg!, "coinjoin_whirlpool", mixTxid.ToString(), denom + premixFee, premixFee, 0);
            }
        }

        return true;
    }

    private void ShuffleInputs()
    {
        for (var i = _in.Count - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (_in[i], _in[j]) = (_in[j], _in[i]);
        }
    }
}
