using System.Globalization;
using System.Text.Json;
using Ashiato.TestSupport;

namespace Ashiato.Analysis.Tests.Integration;

/// <summary>How one wallet of the workload receives and spends.</summary>
/// <param name="Name">Wallet name (prefixed, so the workload does not collide with other tests on the node).</param>
/// <param name="ReceiveTypes">Address types it hands out to payers.</param>
/// <param name="ChangeType">Explicit change type (spends through <c>fundrawtransaction</c> with <c>change_type</c>), or null for the
/// wallet's default change behaviour (<c>sendtoaddress</c>).</param>
/// <param name="Role">What else it does: "peeler" (one coin, pays from its change again and again, nobody pays it),
/// "merchant" (two reused receiving addresses, batched payouts with <c>sendmany</c>), "spender" (now and then a payment larger
/// than any of its coins), or "" (plain payments).</param>
internal sealed record WalletProfile(string Name, string[] ReceiveTypes, string? ChangeType, string Role);

/// <summary>A transaction the workload sent, with the sending wallet's truth: the index of its change output (-1: none).</summary>
internal sealed record SentTx(string TxId, string Wallet, string Kind, int ChangeOutput, int OutputCount);

/// <summary>The workload's transactions and what was skipped for want of funds.</summary>
internal sealed record WorkloadResult(IReadOnlyList<SentTx> Sent, int Skipped, int Blocks);

/// <summary>
/// A realistic Litecoin Core workload on the shared regtest node: several wallets paying each other and an outside party
/// (the miner wallet) to legacy, p2sh-segwit and bech32 addresses, round and non-round amounts, default and explicit change
/// types, sendmany, reused addresses, multi-input spends and a peeling chain; one block per round. The truth about every
/// transaction comes from the sending wallet afterwards (<c>getaddressinfo</c>: <c>ismine</c> and <c>ischange</c>).
/// </summary>
internal sealed class WalletWorkload(LitecoindNode node, string minerAddress, int seed)
{
    private const long Coin = 100_000_000;
    private const int MwebActivationHeight = 432;

    public static readonly WalletProfile[] Profiles =
    [
        new("ca-default", ["bech32"], null, ""),
        new("ca-mixed", ["legacy", "p2sh-segwit", "bech32"], null, "spender"),
        new("ca-legacy", ["legacy"], "legacy", ""),
        new("ca-p2sh", ["p2sh-segwit"], "p2sh-segwit", "spender"),
        new("ca-merchant", ["legacy", "bech32"], null, "merchant"),
        new("ca-peeler", ["bech32"], null, "peeler"),
    ];

    /// <summary>The outside party: addresses derived from BIP 32 test vector 1's public key (nobody's wallet on the node),
    /// bech32 on one branch, legacy on the other. Deriving them writes nothing, unlike <c>getnewaddress</c>.</summary>
    private const string OutsideKey =
        "tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B";

    private readonly Random _random = new(seed);
    private readonly Dictionary<string, string[]> _reused = [];
    private readonly List<SentTx> _sent = [];
    private readonly Dictionary<string, Queue<string>> _outside = new() { ["bech32"] = new(), ["legacy"] = new() };
    private int _skipped;
    private int _blocks;

    /// <summary>One payment, drawn before any RPC so the draws do not depend on timing.</summary>
    private sealed record Plan(WalletProfile From, WalletProfile? Payee, string PayeeType, int ReuseIndex, long Amount, long[] Batch,
        bool MultiInput);

    public async Task<WorkloadResult> RunAsync(int rounds, CancellationToken ct)
    {
        await Task.WhenAll(Profiles.Select(p => node.CreateWalletAsync(p.Name, ct)));
        foreach (var p in Profiles.Where(p => p.Role == "merchant"))
        {
            _reused[p.Name] = [await node.GetNewAddressAsync(p.Name, "legacy", ct), await node.GetNewAddressAsync(p.Name, "bech32", ct)];
        }

        await DeriveOutsideAsync("wpkh", 0, "bech32", rounds * 3, ct);
        await DeriveOutsideAsync("pkh", 1, "legacy", rounds * 3, ct);

        // Mature coinbases for the miner wallet, then the wallets' starting coins in one batch.
        await node.GenerateToAddressAsync(15, minerAddress, ct);
        var funding = new Dictionary<string, string>();
        foreach (var p in Profiles)
        {
            var coins = p.Role == "peeler" ? new[] { 40 * Coin } : [12 * Coin, 12 * Coin];
            foreach (var amount in coins)
            {
                funding[await ReceiveAddressAsync(p, p.ReceiveTypes[_random.Next(p.ReceiveTypes.Length)], _random.Next(2), ct)] = Amount(amount);
            }
        }

        await node.WalletRpcAsync(LitecoindFixture.MinerWallet, "sendmany", ct, "", funding);
        await MineAsync(ct);

        for (var round = 0; round < rounds; round++)
        {
            // Each wallet's payment of the round runs in parallel (wallet writes wait on the disk); results are kept in plan order.
            var plans = Profiles.Select(p => Draw(p, round)).ToArray();
            var sent = await Task.WhenAll(plans.Select(plan => PayAsync(plan, ct)));
            _sent.AddRange(sent.OfType<SentTx>());
            _skipped += sent.Count(s => s is null);

            if (round % 10 == 9)
            {
                // Outside money coming in keeps the wallets paying and gives them several coins (multi-input spends).
                var refill = new Dictionary<string, string>();
                foreach (var p in Profiles.Where(p => p.Role != "peeler"))
                {
                    refill[await ReceiveAddressAsync(p, p.ReceiveTypes[_random.Next(p.ReceiveTypes.Length)], _random.Next(2), ct)] = Amount(3 * Coin);
                }

                await node.WalletRpcAsync(LitecoindFixture.MinerWallet, "sendmany", ct, "", refill);
            }

            await MineAsync(ct);
        }

        var truth = await Task.WhenAll(Profiles.Select(async p =>
        {
            var mine = new List<SentTx>();
            foreach (var s in _sent.Where(s => s.Wallet == p.Name))
            {
                mine.Add(await WithTruthAsync(s, ct));
            }

            return mine;
        }));
        var byId = truth.SelectMany(t => t).ToDictionary(s => s.TxId);
        return new WorkloadResult(_sent.Select(s => byId[s.TxId]).ToList(), _skipped, _blocks);
    }

    private Plan Draw(WalletProfile p, int round)
    {
        var payees = Profiles.Where(q => q != p && q.Role != "peeler").ToArray();
        var payee = _random.Next(4) == 0 ? null : payees[_random.Next(payees.Length)];
        var type = payee is null ? (_random.Next(2) == 0 ? "bech32" : "legacy") : payee.ReceiveTypes[_random.Next(payee.ReceiveTypes.Length)];
        var reuse = _random.Next(2);
        var amount = p.Role == "peeler" ? NextAmount(500_000, 60_000_000) : NextAmount(1_000_000, 150_000_000);
        long[] batch = p.Role == "merchant" && round % 3 == 0 ? [NextAmount(1_000_000, 50_000_000), NextAmount(1_000_000, 50_000_000)] : [];
        return new Plan(p, payee, type, reuse, amount, batch, p.Role == "spender" && round % 4 == 1);
    }

    private async Task<SentTx?> PayAsync(Plan plan, CancellationToken ct)
    {
        var p = plan.From;
        var to = await ReceiveAddressAsync(plan.Payee, plan.PayeeType, plan.ReuseIndex, ct);
        var amount = plan.Amount;
        try
        {
            if (plan.Batch.Length > 0)
            {
                var payouts = new Dictionary<string, string> { [to] = Amount(amount) };
                foreach (var extra in plan.Batch)
                {
                    payouts[await ReceiveAddressAsync(null, "bech32", 0, ct)] = Amount(extra);
                }

                var id = await node.WalletRpcAsync(p.Name, "sendmany", ct, "", payouts);
                return new SentTx(id.GetString()!, p.Name, "sendmany", -1, 0);
            }

            var kind = "payment";
            if (plan.MultiInput)
            {
                // More than its largest coin: the wallet must combine inputs.
                var unspent = await node.WalletRpcAsync(p.Name, "listunspent", ct);
                var coins = unspent.EnumerateArray().Select(u => Litoshis(u.GetProperty("amount"))).ToList();
                if (coins.Count >= 2 && coins.Sum() > coins.Max() + Coin)
                {
                    amount = coins.Max() + (Coin / 2);
                    kind = "multi-input";
                }
            }

            string txid;
            if (p.ChangeType is null)
            {
                txid = (await node.WalletRpcAsync(p.Name, "sendtoaddress", ct, to, Amount(amount))).GetString()!;
            }
            else
            {
                var raw = await node.WalletRpcAsync(p.Name, "createrawtransaction", ct, Array.Empty<object>(),
                    new Dictionary<string, string> { [to] = Amount(amount) });
                var funded = await node.WalletRpcAsync(p.Name, "fundrawtransaction", ct, raw.GetString(),
                    new Dictionary<string, object> { ["change_type"] = p.ChangeType });
                var signed = await node.WalletRpcAsync(p.Name, "signrawtransactionwithwallet", ct, funded.GetProperty("hex").GetString());
                Assert.True(signed.GetProperty("complete").GetBoolean(), $"{p.Name} could not sign its transaction");
                txid = (await node.RpcAsync("sendrawtransaction", ct, signed.GetProperty("hex").GetString())).GetString()!;
                kind += "-changetype-" + p.ChangeType;
            }

            return new SentTx(txid, p.Name, p.Role == "peeler" ? "peel" : kind, -1, 0);
        }
        catch (LitecoindRpcException e) when (e.RpcMessage.Contains("Insufficient funds", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    /// <summary>A round amount (a multiple of 0.001 LTC from a short list of typical ones) half of the time, otherwise any amount.</summary>
    private long NextAmount(long min, long max)
    {
        long[] round = [1_000_000, 2_500_000, 5_000_000, 10_000_000, 20_000_000, 25_000_000, 50_000_000, 100_000_000, 12_300_000];
        if (_random.Next(2) == 0)
        {
            var fitting = round.Where(r => r >= min && r <= max).ToArray();
            return fitting[_random.Next(fitting.Length)];
        }

        return _random.NextInt64(min, max);
    }

    /// <summary>An address of <paramref name="payee"/> (null: the outside party) of <paramref name="type"/>; the merchant hands out
    /// one of its two reused addresses.</summary>
    private async Task<string> ReceiveAddressAsync(WalletProfile? payee, string type, int reuseIndex, CancellationToken ct)
    {
        if (payee is null)
        {
            lock (_outside)
            {
                return _outside[type].Dequeue();
            }
        }

        return _reused.TryGetValue(payee.Name, out var reused) ? reused[reuseIndex % reused.Length] : await node.GetNewAddressAsync(payee.Name, type, ct);
    }

    private async Task DeriveOutsideAsync(string function, int branch, string type, int count, CancellationToken ct)
    {
        var info = await node.RpcAsync("getdescriptorinfo", ct, $"{function}({OutsideKey}/{branch}/*)");
        var addresses = await node.RpcAsync("deriveaddresses", ct, info.GetProperty("descriptor").GetString(), new[] { 0, count - 1 });
        foreach (var a in addresses.EnumerateArray())
        {
            _outside[type].Enqueue(a.GetString()!);
        }
    }

    /// <summary>One block; block 432 (MWEB activation) needs a peg-in in the mempool first.</summary>
    private async Task MineAsync(CancellationToken ct)
    {
        if ((await node.RpcAsync("getblockcount", ct)).GetInt32() + 1 == MwebActivationHeight)
        {
            await node.PegInToMwebAsync(LitecoindFixture.MinerWallet, 10_000_000, ct);
        }

        await node.GenerateToAddressAsync(1, minerAddress, ct);
        _blocks++;
    }

    /// <summary>The sending wallet's truth: the output to an address that is its own and change (<c>ischange</c>), if any.</summary>
    private async Task<SentTx> WithTruthAsync(SentTx s, CancellationToken ct)
    {
        var tx = await node.RpcAsync("getrawtransaction", ct, s.TxId, true);
        var outputs = tx.GetProperty("vout").EnumerateArray().ToArray();
        var change = -1;
        for (var i = 0; i < outputs.Length; i++)
        {
            var spk = outputs[i].GetProperty("scriptPubKey");
            var address = spk.TryGetProperty("address", out var one) ? one.GetString()
                : spk.TryGetProperty("addresses", out var many) ? many[0].GetString() : null;
            if (address is null)
            {
                continue;
            }

            var info = await node.WalletRpcAsync(s.Wallet, "getaddressinfo", ct, address);
            if (info.GetProperty("ismine").GetBoolean() && info.GetProperty("ischange").GetBoolean())
            {
                Assert.True(change < 0, $"{s.TxId}: two change outputs ({change} and {i})");
                change = i;
            }
        }

        return s with { ChangeOutput = change, OutputCount = outputs.Length };
    }

    public static string Amount(long litoshis) =>
        string.Create(CultureInfo.InvariantCulture, $"{litoshis / Coin}.{litoshis % Coin:D8}");

    /// <summary>An RPC amount (a JSON number with up to 8 decimals) in litoshis, parsed from its text: no floating point.</summary>
    public static long Litoshis(JsonElement amount)
    {
        var text = amount.GetRawText();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = long.Parse(dot < 0 ? text : text[..dot], CultureInfo.InvariantCulture);
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (fraction.Length > 8 || text.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"amount '{text}' has more than 8 decimals");
        }

        return (whole * Coin) + long.Parse(fraction.PadRight(8, '0'), CultureInfo.InvariantCulture);
    }
}
