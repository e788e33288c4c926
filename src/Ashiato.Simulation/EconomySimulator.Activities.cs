namespace Ashiato.Simulation;

/// <summary>The ordinary economy: retail payments, exchange deposits, sweeps and batched withdrawals, pools, services.</summary>
internal sealed partial class EconomySimulator
{
    private void RegularTransactions(int n)
    {
        var made = 0;
        for (var attempts = 0; made < n && attempts < (4 * n) + 8; attempts++)
        {
            var before = _txs.Count;
            var r = _rng.Next(100);
            var ok = r switch
            {
                < 24 => RetailPay(),
                < 34 => RetailP2P(),
                < 48 => RetailSell(),
                < 64 => Withdraw(),
                < 74 => Sweep(),
                < 78 => MerchantSettle(),
                < 82 => PoolPayout(),
                < 84 => Rebalance(World.Exchanges[_rng.Next(World.Exchanges.Count)]),
                < 87 => CoinJoinRound(null),
                < 89 => RetailMixer(),
                < 91 => OtcSell(),
                < 93 => RetailBridge(),
                < 95 => BridgeRelease(),
                _ => ConsolidateSomeone(),
            };
            if (ok)
            {
                made += _txs.Count - before;
            }
        }
    }

    private Entity? PickFunded(List<Entity> from, long min)
    {
        for (var t = 0; t < 6; t++)
        {
            var e = from[_rng.Next(from.Count)];
            if (e.Main.Balance >= min)
            {
                return e;
            }
        }

        return null;
    }

    private Address ReceiveAddress(Entity e, string role = "receive") =>
        e.ReuseAddress ?? World.NewAddress(e, e.PreferredKind, role);

    private Address ChangeAddress(Entity e) => e.ReuseAddress ?? World.NewAddress(e, e.PreferredKind, "change");

    private Address DepositAddress(Entity customer)
    {
        var ex = customer.HomeExchange!;
        return customer.DepositAddress ??= World.NewAddress(ex, _rng.Chance(70) ? ScriptKind.P2WPKH : ScriptKind.P2SH_P2WPKH, "deposit");
    }

    /// <summary>Adds the change output if it is worth one; otherwise leaves it to the fee.</summary>
    private void Change(long change, Address to, Wallet dest)
    {
        if (change >= Dust)
        {
            Pay(change, to, dest);
        }
    }

    /// <summary>Change to a fresh address made only when there is change to pay (an address never paid is not in the truth).</summary>
    private void Change(long change, Func<Address> to, Wallet dest)
    {
        if (change >= Dust)
        {
            Pay(change, to(), dest);
        }
    }

    private bool RetailPay()
    {
        var payer = PickFunded(World.Retail, 50_000);
        if (payer is null)
        {
            return false;
        }

        if (payer.Main.Coins.Count > 40)
        {
            return Consolidate(payer.Main, ChangeAddress(payer), 30);
        }

        var merchant = World.Merchants[_rng.Next(World.Merchants.Count)];
        var amount = _rng.Amount(20_000, Math.Max(20_000, payer.Main.Balance / 2));
        if (!Take(payer.Main, amount, 2, 6, out var sum, out var fee))
        {
            return false;
        }

        Pay(amount, World.NewAddress(merchant, merchant.PreferredKind, "invoice"), merchant.Main);
        Change(sum - amount - fee, () => ChangeAddress(payer), payer.Main);
        Emit(shuffleOutputs: true);
        return true;
    }

    private bool RetailP2P()
    {
        var payer = PickFunded(World.Retail, 50_000);
        if (payer is null)
        {
            return false;
        }

        var payee = World.Retail[_rng.Next(World.Retail.Count)];
        var amount = _rng.Amount(20_000, Math.Max(20_000, payer.Main.Balance * 2 / 3));
        if (payee == payer || !Take(payer.Main, amount, 2, 6, out var sum, out var fee))
        {
            return false;
        }

        Pay(amount, ReceiveAddress(payee), payee.Main);
        Change(sum - amount - fee, () => ChangeAddress(payer), payer.Main);
        Emit(shuffleOutputs: true);
        return true;
    }

    /// <summary>A user sells: everything (or a part) to the customer deposit address at the home exchange.</summary>
    private bool RetailSell()
    {
        var seller = PickFunded(World.Retail, 100_000);
        if (seller is null)
        {
            return false;
        }

        var ex = seller.HomeExchange!;
        if (_rng.Chance(40))
        {
            var sum = TakeMany(seller.Main, 10);
            var fee = Fee(_in.Count, 1);
            if (sum - fee < Dust)
            {
                Restore(seller.Main);
                return false;
            }

            Pay(sum - fee, DepositAddress(seller), ex.Deposits);
            Emit();
            return true;
        }

        var amount = _rng.Amount(50_000, Math.Max(50_000, seller.Main.Balance * 3 / 4));
        if (!Take(seller.Main, amount, 2, 6, out var s, out var f))
        {
            return false;
        }

        Pay(amount, DepositAddress(seller), ex.Deposits);
        Change(s - amount - f, () => ChangeAddress(seller), seller.Main);
        Emit(shuffleOutputs: true);
        return true;
    }

    private void Restore(Wallet w)
    {
        foreach (var coin in _in)
        {
            w.Add(coin);
        }

        _in.Clear();
        _out.Clear();
    }

    /// <summary>A batched withdrawal from an exchange's hot wallet to its customers; change back to a hot address.</summary>
    private bool Withdraw()
    {
        var ex = World.Exchanges[_rng.Next(World.Exchanges.Count)];
        var hot = ex.Main;
        var k = _rng.Chance(60) ? (int)_rng.Between(1, 5) : (int)_rng.Between(6, 30);
        var cap = hot.Balance / (2 * k);
        if (cap < 200_000)
        {
            return Rebalance(ex);
        }

        long total = 0;
        for (var i = 0; i < k; i++)
        {
            var customer = _rng.Chance(93) ? World.Retail[_rng.Next(World.Retail.Count)] : World.Merchants[_rng.Next(World.Merchants.Count)];
            var amount = _rng.Amount(100_000, Math.Min(cap, 80_000_000));
            Pay(amount, ReceiveAddress(customer), customer.Main);
            total += amount;
        }

        if (!Take(hot, total, k + 1, 20, out var sum, out var fee))
        {
            _out.Clear();
            return Rebalance(ex);
        }

        Change(sum - total - fee, ex.Fixed[_rng.Next(ex.Fixed.Count)], hot);
        Emit(shuffleOutputs: true);
        return true;
    }

    /// <summary>Sweeps customer deposit addresses into a hot address.</summary>
    private bool Sweep()
    {
        var ex = World.Exchanges[_rng.Next(World.Exchanges.Count)];
        if (ex.Deposits!.Coins.Count < 3)
        {
            return false;
        }

        var sum = TakeMany(ex.Deposits, 100);
        var fee = Fee(_in.Count, 1);
        Pay(sum - fee, ex.Fixed[0], ex.Main);
        Emit();
        return true;
    }

    /// <summary>Moves value between hot and cold storage when the hot wallet runs low or holds too much.</summary>
    private bool Rebalance(Entity ex)
    {
        var hot = ex.Main;
        var cold = ex.Cold!;
        var total = hot.Balance + cold.Balance;
        if (hot.Balance < total / 10 && cold.Balance > 10 * Btc)
        {
            var amount = cold.Balance / 4;
            if (!Take(cold, amount, 2, 10, out var sum, out var fee))
            {
                return false;
            }

            Pay(amount, ex.Fixed[0], hot);
            Change(sum - amount - fee, ex.Cold0!, cold);
            Emit();
            return true;
        }

        if (hot.Balance > total / 2 && hot.Balance > 20 * Btc)
        {
            var amount = hot.Balance * 3 / 10;
            if (!Take(hot, amount, 2, 50, out var sum, out var fee))
            {
                return false;
            }

            Pay(amount, ex.Cold0!, cold);
            Change(sum - amount - fee, ex.Fixed[1], hot);
            Emit();
            return true;
        }

        return false;
    }

    /// <summary>A merchant consolidates its invoices into its deposit address at the home exchange (sells).</summary>
    private bool MerchantSettle()
    {
        var m = World.Merchants[_rng.Next(World.Merchants.Count)];
        if (m.Main.Coins.Count < 3)
        {
            return false;
        }

        var sum = TakeMany(m.Main, 50);
        var fee = Fee(_in.Count, 1);
        if (sum - fee < Dust)
        {
            Restore(m.Main);
            return false;
        }

        Pay(sum - fee, DepositAddress(m), m.HomeExchange!.Deposits);
        Emit();
        return true;
    }

    /// <summary>A mining pool pays its miners (retail users) in one batch and sells some at an exchange.</summary>
    private bool PoolPayout()
    {
        var pool = World.Miners[_rng.Next(World.Miners.Count)];
        if (pool.Main.Balance < Btc)
        {
            return false;
        }

        var k = (int)_rng.Between(5, 40);
        var budget = pool.Main.Balance * 7 / 10;
        var share = budget / (k + 1);
        long total = 0;
        for (var i = 0; i < k; i++)
        {
            var miner = World.Retail[_rng.Next(World.Retail.Count)];
            var amount = Math.Max(Dust, share / 2 + _rng.NextLong(Math.Max(1, share)));
            Pay(amount, ReceiveAddress(miner), miner.Main);
            total += amount;
        }

        var ex = World.Exchanges[_rng.Next(World.Exchanges.Count)];
        Pay(share, World.NewAddress(ex, ScriptKind.P2WPKH, "deposit"), ex.Deposits);
        total += share;
        if (!Take(pool.Main, total, k + 2, 60, out var sum, out var fee))
        {
            _out.Clear();
            return false;
        }

        Change(sum - total - fee, pool.Fixed[0], pool.Main);
        Emit();
        return true;
    }

    private bool RetailMixer()
    {
        var user = PickFunded(World.Retail, 1_000_000);
        if (user is null)
        {
            return false;
        }

        var amount = _rng.Amount(500_000, user.Main.Balance * 9 / 10);
        if (!Take(user.Main, amount, 2, 6, out var sum, out var fee))
        {
            return false;
        }

        Pay(amount, World.NewAddress(World.Mixer, ScriptKind.P2SH_P2WPKH, "mixer-deposit"), World.Mixer.Main);
        Change(sum - amount - fee, () => ChangeAddress(user), user.Main);
        Emit(shuffleOutputs: true);
        _mixJobs.Add(new MixJob(user, null, amount * 975 / 1000, _dayIndex + (int)_rng.Between(1, 5)));
        return true;
    }

    /// <summary>The OTC desk sells coins to customers.</summary>
    private bool OtcSell()
    {
        var otc = World.Otc;
        if (otc.Main.Balance < 2 * Btc)
        {
            return false;
        }

        var k = (int)_rng.Between(1, 3);
        long total = 0;
        for (var i = 0; i < k; i++)
        {
            var buyer = World.Retail[_rng.Next(World.Retail.Count)];
            var amount = _rng.Amount(1_000_000, otc.Main.Balance / 4);
            Pay(amount, ReceiveAddress(buyer), buyer.Main);
            total += amount;
        }

        if (!Take(otc.Main, total, k + 1, 20, out var sum, out var fee))
        {
            _out.Clear();
            return false;
        }

        Change(sum - total - fee, otc.Fixed[0], otc.Main);
        Emit(shuffleOutputs: true);
        return true;
    }

    /// <summary>A user bridges coins to the other chain: a deposit to the bridge's custody address.</summary>
    private bool RetailBridge()
    {
        var user = PickFunded(World.Retail, 1_000_000);
        if (user is null)
        {
            return false;
        }

        var amount = _rng.Amount(500_000, user.Main.Balance * 9 / 10);
        if (!Take(user.Main, amount, 2, 6, out var sum, out var fee))
        {
            return false;
        }

        Pay(amount, World.Bridge.Fixed[0], World.Bridge.Main);
        Change(sum - amount - fee, () => ChangeAddress(user), user.Main);
        Emit(shuffleOutputs: true);
        return true;
    }

    /// <summary>The bridge releases coins coming back from the other chain to a user.</summary>
    private bool BridgeRelease()
    {
        var bridge = World.Bridge;
        long owed = 0;
        foreach (var r in BridgeReturns)
        {
            owed += r.ReleaseTxId is null ? r.Released : 0;
        }

        var free = bridge.Main.Balance - owed - (WrappedSupply?.Invoke() ?? 0); // burns are paid first; the custody backs the wrapped supply
        if (free < 5 * Btc)
        {
            return false;
        }

        var user = World.Retail[_rng.Next(World.Retail.Count)];
        var amount = _rng.Amount(500_000, free / 5);
        if (!Take(bridge.Main, amount, 2, 30, out var sum, out var fee))
        {
            return false;
        }

        Pay(amount, ReceiveAddress(user), user.Main);
        Change(sum - amount - fee, bridge.Fixed[0], bridge.Main);
        Emit();
        return true;
    }

    /// <summary>Consolidates the fullest service wallet, keeping the UTXO set (and memory) bounded.</summary>
    private bool ConsolidateSomeone()
    {
        Wallet? fattest = null;
        Address? to = null;
        foreach (var e in World.Exchanges)
        {
            Consider(e.Main, e.Fixed[0]);
            Consider(e.Cold!, e.Cold0!);
        }

        Consider(World.Mixer.Main, World.Mixer.Fixed[0]);
        Consider(World.Bridge.Main, World.Bridge.Fixed[0]);
        Consider(World.Otc.Main, World.Otc.Fixed[0]);
        Consider(World.Coordinator.Main, World.Coordinator.Fixed[0]);
        foreach (var pool in World.Miners)
        {
            Consider(pool.Main, pool.Fixed[0]);
        }

        return fattest is not null && fattest.Coins.Count > 20 && Consolidate(fattest, to!, 200);

        void Consider(Wallet w, Address a)
        {
            if (fattest is null || w.Coins.Count > fattest.Coins.Count)
            {
                fattest = w;
                to = a;
            }
        }
    }

    private bool Consolidate(Wallet w, Address to, int max)
    {
        var sum = TakeMany(w, max);
        var fee = Fee(_in.Count, 1);
        if (sum - fee < Dust)
        {
            Restore(w);
            return false;
        }

        Pay(sum - fee, to, w);
        Emit();
        return true;
    }

    /// <summary>The mixer pays out due jobs from its reserve, in 1–3 outputs to fresh addresses, change to a reserve address.</summary>
    private void MixerPayouts()
    {
        var mixer = World.Mixer;
        for (var j = 0; j < _mixJobs.Count; j++)
        {
            var job = _mixJobs[j];
            if (job.DueDay > _dayIndex)
            {
                continue;
            }

            // The mixer breaks the link it is paid to break: a thief's payout never spends coins of the same theft (the
            // truth ends the stolen value at the mixer and starts the payout as a new segment). They are set aside
            // while this job is paid and put back after.
            var setAside = new List<Coin>();
            if (job.From is not null)
            {
                var own = job.From.Theft.Segments.Select(s => s.Index).ToHashSet();
                for (var c = mixer.Main.Coins.Count - 1; c >= 0; c--)
                {
                    if (mixer.Main.Coins[c].Segment >= 0 && own.Contains(mixer.Main.Coins[c].Segment))
                    {
                        setAside.Add(mixer.Main.RemoveAt(c));
                    }
                }
            }

            var paid = PayMixJob(mixer, job);
            foreach (var coin in setAside)
            {
                mixer.Main.Add(coin);
            }

            if (!paid)
            {
                break;
            }

            if (job.Owed <= 0)
            {
                _mixJobs.RemoveAt(j);
                j--;
            }
        }
    }

    /// <summary>Pays (part of) a mix job from the mixer's wallet; false when the mixer cannot pay now.</summary>
    private bool PayMixJob(Entity mixer, MixJob job)
    {
        var available = mixer.Main.Balance - (Fee(30, 4) * 2);
        var pay = Math.Min(job.Owed, available / 2);
        if (pay < 100_000)
        {
            return false;
        }

        var k = (int)_rng.Between(1, 3);
        if (!Take(mixer.Main, pay, k + 1, 40, out var sum, out var fee))
        {
            return false; // before any payout address is made: an address of the truth is always paid
        }

        var hacker = job.From is not null;
        Segment? seg = null;
        if (hacker)
        {
            if (job.Payout is null)
            {
                job.Payout = new Segment(Segments.Count, job.From!.Theft, "mixer_payout", string.Join(",", job.DepositOutputs));
                Segments.Add(job.Payout);
                job.From.Theft.Segments.Add(job.Payout);
            }

            seg = job.Payout;
        }

        var left = pay;
        var payouts = 0;
        for (var i = 0; i < k; i++)
        {
            var amount = i == k - 1 ? left : Math.Max(Dust, left / (k - i) * (80 + _rng.Next(41)) / 100);
            amount = Math.Min(amount, left);
            if (amount <= 0)
            {
                break;
            }

            left -= amount;
            var to = hacker ? World.NewAddress(job.Customer, ScriptKind.P2WPKH, "mixer-payout") : ReceiveAddress(job.Customer);
            Pay(amount, to, job.Customer.Main, seg?.Index ?? -1, 1);
            payouts++;
        }

        Change(sum - pay - fee, mixer.Fixed[_rng.Next(mixer.Fixed.Count)], mixer.Main);
        var (txid, _) = Emit();
        if (seg is not null)
        {
            seg.AmountIn += pay;
            seg.Hops.Add(new Hop("mixer_payout", txid.ToString(), pay, pay, 0, 0));
            for (var o = 0; o < payouts; o++)
            {
                seg.Sources.Add(Outpoint(txid, o)); // the payouts come first, the change (if any) last
            }
        }

        job.Owed -= pay;
        return true;
    }
}
