using Ashiato.Analysis.Evm;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using Ashiato.Storage.Evm;

namespace Ashiato.Analysis.Tests.Evm;

/// <summary>The deposit-address heuristic on hand-built transfer sequences.</summary>
public sealed class DepositAddressDetectorTests
{
    private const long HotA = 0, HotB = 1, User = 10, Deposit = 11, Other = 12, Token = 5;

    private static readonly Dictionary<long, int> Hot = new() { [HotA] = 0, [HotB] = 1 };

    /// <summary>Transfers in chain order; each call to <see cref="Tx"/> is one transaction (the sender pays <c>fee</c> wei, burnt).</summary>
    private sealed class Transfers
    {
        private readonly List<StoredTransfer> _list = [];
        private long _tx;

        public IReadOnlyList<StoredTransfer> List => _list;

        public Transfers Tx(long height, long from, long to, ulong amount, long asset = -1, ulong fee = 0)
        {
            var tx = _tx++;
            var kind = asset < 0 ? EvmTransferKind.Native : EvmTransferKind.Erc20;
            _list.Add(new StoredTransfer(_list.Count, height, tx, 0, 0, kind, asset, from, to, new UInt256(amount), UInt256.Zero));
            if (fee > 0)
            {
                _list.Add(new StoredTransfer(_list.Count, height, tx, 0, 1, EvmTransferKind.FeeBurnt, -1, from, -1, new UInt256(fee), UInt256.Zero));
            }

            return this;
        }

        public DepositDetection Detect(EvmClusterSettings? settings = null, IReadOnlyDictionary<long, int>? hot = null, Func<long, long>? time = null) =>
            DepositAddressDetector.Detect(() => _list, hot ?? Hot, settings ?? new EvmClusterSettings(), time);
    }

    [Fact]
    public void Forward_within_the_window_makes_a_deposit_address_of_the_hot_wallets_exchange()
    {
        var d = new Transfers()
            .Tx(10, User, Deposit, 1_000, fee: 21)
            .Tx(12, Deposit, HotA, 990, fee: 10) // the fee the deposit address paid counts as forwarded: 100 %
            .Detect();
        var found = Assert.Single(d.Deposits);
        Assert.Equal(Deposit, found.AddressId);
        Assert.Equal(0, found.Exchange);
        Assert.Equal(1_000_000, found.First.SharePpm);
        Assert.Equal(HotA, found.First.HotWallet);
        Assert.Equal(1, found.First.TxId);
        Assert.Equal([User], d.Senders[Deposit].Select(s => s.AddressId));
    }

    [Fact]
    public void Forward_outside_the_window_is_not_a_deposit()
    {
        var transfers = new Transfers().Tx(10, User, Deposit, 1_000).Tx(20, Deposit, HotA, 1_000);
        Assert.Empty(transfers.Detect(new EvmClusterSettings { WindowBlocks = 5 }).Deposits);
        Assert.Single(transfers.Detect(new EvmClusterSettings { WindowBlocks = 10 }).Deposits); // the edge is inside
    }

    [Fact]
    public void Time_window_counts_seconds_between_the_blocks()
    {
        var settings = new EvmClusterSettings { WindowBlocks = null, WindowSeconds = 3_600 };
        static long Time(long h) => 1_000_000 + (h * 600);
        Assert.Single(new Transfers().Tx(1, User, Deposit, 1_000).Tx(5, Deposit, HotA, 1_000).Detect(settings, time: Time).Deposits);
        Assert.Empty(new Transfers().Tx(1, User, Deposit, 1_000).Tx(10, Deposit, HotA, 1_000).Detect(settings, time: Time).Deposits);
    }

    [Fact]
    public void Partial_forward_below_the_min_share_does_not_qualify()
    {
        var d = new Transfers().Tx(10, User, Deposit, 1_000).Tx(11, Deposit, HotA, 500).Detect();
        Assert.Empty(d.Deposits);
        Assert.Equal(1, d.Candidates);

        var lower = new Transfers().Tx(10, User, Deposit, 1_000).Tx(11, Deposit, HotA, 500).Detect(new EvmClusterSettings { MinSharePpm = 500_000 });
        Assert.Equal(500_000, Assert.Single(lower.Deposits).First.SharePpm);
    }

    [Fact]
    public void Paying_much_more_than_was_just_received_is_spending_own_funds_not_forwarding()
    {
        // a customer's wallet that received a little and then deposits a lot straight to the hot wallet
        Assert.Empty(new Transfers().Tx(10, Other, User, 10).Tx(11, User, HotA, 1_000).Detect().Deposits);
    }

    [Fact]
    public void Hot_wallet_without_a_tag_gives_no_deposit_address()
    {
        var transfers = new Transfers().Tx(10, User, Deposit, 1_000).Tx(11, Deposit, HotA, 1_000);
        var d = transfers.Detect(hot: new Dictionary<long, int> { [HotB] = 1 }); // HotA is not tagged
        Assert.Empty(d.Deposits);
        Assert.Equal(0, d.Candidates);
    }

    [Fact]
    public void A_token_deposit_swept_after_a_gas_top_up_from_the_hot_wallet_qualifies_and_the_top_up_is_not_received_value()
    {
        var d = new Transfers()
            .Tx(10, User, Deposit, 500, asset: Token, fee: 30)
            .Tx(10, HotA, Deposit, 40, fee: 21) // gas top-up
            .Tx(10, Deposit, HotA, 500, asset: Token, fee: 40)
            .Detect();
        var found = Assert.Single(d.Deposits);
        Assert.Equal(1_000_000, found.First.SharePpm);
        Assert.Equal(2, found.First.TxId);
        Assert.Equal([User], d.Senders[Deposit].Select(s => s.AddressId)); // the hot wallet is no sender

        // only native forwards considered: the token sweep does not count
        Assert.Empty(new Transfers()
            .Tx(10, User, Deposit, 500, asset: Token)
            .Tx(10, HotA, Deposit, 40)
            .Tx(10, Deposit, HotA, 500, asset: Token, fee: 40)
            .Detect(new EvmClusterSettings { Erc20 = false }).Deposits);
    }

    [Fact]
    public void Forwards_to_two_exchanges_are_a_conflict_and_decide_nothing()
    {
        var d = new Transfers()
            .Tx(10, User, Deposit, 1_000).Tx(11, Deposit, HotA, 1_000)
            .Tx(20, User, Deposit, 2_000).Tx(21, Deposit, HotB, 2_000)
            .Detect();
        Assert.Empty(d.Deposits);
        Assert.Equal(1, d.Conflicts);
    }

    [Fact]
    public void Min_forwards_needs_that_many_qualifying_forwards()
    {
        var settings = new EvmClusterSettings { MinForwards = 2 };
        var once = new Transfers().Tx(10, User, Deposit, 1_000).Tx(11, Deposit, HotA, 1_000);
        var d = once.Detect(settings);
        Assert.Empty(d.Deposits);
        Assert.Equal(1, d.TooFewForwards);

        var twice = once.Tx(30, User, Deposit, 3_000).Tx(31, Deposit, HotA, 3_000).Detect(settings);
        var found = Assert.Single(twice.Deposits);
        Assert.Equal(2, found.Forwards.Count);
        Assert.Equal(0, found.Rejected);
    }

    [Fact]
    public void Receipts_before_an_earlier_outgoing_transfer_do_not_count_again()
    {
        // 1 000 in, 1 000 paid elsewhere, then 1 000 to the hot wallet without anything new received: nothing to forward
        var d = new Transfers().Tx(10, User, Deposit, 1_000).Tx(11, Deposit, Other, 1_000).Tx(12, Deposit, HotA, 1_000).Detect();
        Assert.Empty(d.Deposits);
    }

    [Fact]
    public void Settings_are_checked_with_the_name_of_the_bad_setting()
    {
        var e = Assert.Throws<UserErrorException>(() => new Transfers().Detect(new EvmClusterSettings { MinSharePpm = 0 }));
        Assert.Contains("min share", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<UserErrorException>(() => new Transfers().Detect(new EvmClusterSettings { Native = false, Erc20 = false }));
        Assert.Contains("assets", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<UserErrorException>(() => new Transfers().Detect(new EvmClusterSettings { MaxSharePpm = 800_000 }));
        Assert.Contains("max share", e.Message, StringComparison.Ordinal);
    }
}
