using System.Numerics;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Transfers;
using Ashiato.Core;
using static Ashiato.Chains.Evm.Tests.Codec.Samples;
using K = Ashiato.Chains.Evm.Model.EvmTransferKind;

namespace Ashiato.Chains.Evm.Tests.Transfers;

public sealed class EvmTransferExtractorTests
{
    private static readonly EvmAddress Miner = A(0x99);
    private static readonly EvmHash BlockHash = H(0xB1);
    private static readonly UInt256 Gwei = new(1_000_000_000);

    private static UInt256 U(ulong v) => new(v);

    // ---- builders ----

    private static EvmTransaction Tx(int i, EvmAddress from, EvmAddress? to, ulong value = 0, ulong? gasPrice = null) => new()
    {
        Hash = H(0x70, (byte)i),
        BlockHash = BlockHash,
        BlockNumber = 100,
        TransactionIndex = i,
        From = from,
        To = to,
        Value = U(value),
        GasPrice = gasPrice is { } g ? U(g) : null,
    };

    private static EvmReceipt Receipt(int i, long gasUsed, int? status = 1, ulong? effectivePrice = null, EvmAddress? contract = null, params EvmLog[] logs) => new()
    {
        TransactionHash = H(0x70, (byte)i),
        TransactionIndex = i,
        BlockHash = BlockHash,
        BlockNumber = 100,
        GasUsed = gasUsed,
        Status = status,
        EffectiveGasPrice = effectivePrice is { } p ? U(p) : null,
        ContractAddress = contract,
        Logs = logs,
    };

    private static EvmLog Log(int logIndex, int tx, EvmAddress address, byte[] data, params EvmHash[] topics) => new()
    {
        LogIndex = logIndex,
        TransactionHash = H(0x70, (byte)tx),
        TransactionIndex = tx,
        BlockHash = BlockHash,
        BlockNumber = 100,
        Address = address,
        Data = data,
        Topics = topics,
    };

    private static EvmTrace Trace(int tx, int[] address, EvmTraceType type, EvmAddress from, EvmAddress? to, ulong value, string? callType = "call", string? error = null) => new()
    {
        BlockNumber = 100,
        TransactionHash = H(0x70, (byte)tx),
        TransactionIndex = tx,
        TraceType = type,
        CallType = type == EvmTraceType.Call ? callType : null,
        From = from,
        To = to,
        Value = U(value),
        TraceAddress = address,
        Error = error,
    };

    private static EvmTrace Reward(EvmAddress author, ulong value, string type) => new()
    {
        BlockNumber = 100,
        TraceType = EvmTraceType.Reward,
        RewardType = type,
        To = author,
        Value = U(value),
    };

    private static EvmBlockBundle Bundle(EvmTransaction[] txs, EvmReceipt[] receipts, EvmTrace[]? traces = null, ulong? baseFee = null, EvmWithdrawal[]? withdrawals = null) => new()
    {
        Block = new EvmBlock
        {
            Number = 100,
            Hash = BlockHash,
            Miner = Miner,
            BaseFeePerGas = baseFee is { } b ? U(b) : null,
            Withdrawals = withdrawals,
            Transactions = txs,
        },
        Receipts = receipts,
        Traces = traces,
    };

    private static IReadOnlyList<EvmTransfer> Extract(EvmBlockBundle b, EvmTransferOptions? options = null) => new EvmTransferExtractor(options).Extract(b);

    private static EvmTransfer Native(K kind, int tx, int position, EvmAddress? from, EvmAddress? to, UInt256 amount) =>
        new(kind, tx, position, null, from, to, amount, UInt256.Zero);

    // ---- native value and fees ----

    [Fact]
    public void FailedTransaction_PaysTheFeeOnly()
    {
        var token = A(0x70);
        var b = Bundle(
            [Tx(0, A(1), A(2), value: 5_000, gasPrice: 20)],
            [Receipt(0, 21_000, status: 0, effectivePrice: 20, logs: Log(0, 0, token, Word(U(9)), EventSignatures.Transfer, Topic(A(1)), Topic(A(3))))],
            [Trace(0, [], EvmTraceType.Call, A(1), A(2), 5_000, error: "Reverted"), Trace(0, [0], EvmTraceType.Call, A(2), A(3), 10)],
            baseFee: 15);

        var transfers = Extract(b);

        Assert.Equal(
            [Native(K.FeeBurnt, 0, 1, A(1), null, U(21_000 * 15)), Native(K.FeeTip, 0, 2, A(1), Miner, U(21_000 * 5))],
            transfers);
    }

    [Fact]
    public void Eip1559_BurntPlusTip_EqualsGasUsedTimesEffectivePrice()
    {
        var baseFee = 10 * 1_000_000_000UL;
        var effective = 12 * 1_000_000_000UL + 7;
        var b = Bundle([Tx(0, A(1), A(2), value: 1)], [Receipt(0, 50_000, effectivePrice: effective)], baseFee: baseFee);

        var transfers = Extract(b);

        Assert.Equal(
            [
                Native(K.Native, 0, 0, A(1), A(2), U(1)),
                Native(K.FeeBurnt, 0, 1, A(1), null, U(50_000) * U(baseFee)),
                Native(K.FeeTip, 0, 2, A(1), Miner, U(50_000) * U(effective - baseFee)),
            ],
            transfers);
        Assert.Equal(U(50_000) * U(effective), transfers[1].Amount + transfers[2].Amount);
    }

    [Fact]
    public void BlobTransaction_BurnsTheBlobFeeToo()
    {
        var receipt = new EvmReceipt
        {
            TransactionHash = H(0x70, 0),
            GasUsed = 21_000,
            Status = 1,
            EffectiveGasPrice = U(12),
            BlobGasUsed = 131_072,
            BlobGasPrice = U(3),
        };
        var transfers = Extract(Bundle([Tx(0, A(1), A(2))], [receipt], baseFee: 10));

        Assert.Equal(
            [Native(K.FeeBurnt, 0, 1, A(1), null, U((21_000 * 10) + (131_072 * 3))), Native(K.FeeTip, 0, 2, A(1), Miner, U(21_000 * 2))],
            transfers);
    }

    [Fact]
    public void PreLondon_TheWholeFeeGoesToTheMiner()
    {
        // no base fee, no effectiveGasPrice in the receipt: gasPrice of the transaction
        var transfers = Extract(Bundle([Tx(0, A(1), A(2), value: 3, gasPrice: 20_000_000_000)], [Receipt(0, 21_000, status: null)]));

        Assert.Equal(
            [Native(K.Native, 0, 0, A(1), A(2), U(3)), Native(K.FeeTip, 0, 2, A(1), Miner, U(21_000) * U(20_000_000_000))],
            transfers);
    }

    [Fact]
    public void ContractCreation_SendsTheValueToTheNewContract()
    {
        var transfers = Extract(Bundle([Tx(0, A(1), null, value: 70)], [Receipt(0, 0, contract: A(0xC3))]));

        Assert.Equal([Native(K.Native, 0, 0, A(1), A(0xC3), U(70))], transfers);
    }

    [Fact]
    public void PreByzantium_WithoutStatus_TheTopLevelTraceErrorDecides()
    {
        var txs = new[] { Tx(0, A(1), A(2), value: 5), Tx(1, A(1), A(2), value: 6) };
        var receipts = new[] { Receipt(0, 0, status: null), Receipt(1, 0, status: null) };
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, A(1), A(2), 5, error: "Out of gas"),
            Trace(1, [], EvmTraceType.Call, A(1), A(2), 6),
        };

        Assert.Equal([Native(K.Native, 1, 0, A(1), A(2), U(6))], Extract(Bundle(txs, receipts, traces)));

        // without traces a status-less transaction is taken as successful
        Assert.Equal(
            [Native(K.Native, 0, 0, A(1), A(2), U(5)), Native(K.Native, 1, 0, A(1), A(2), U(6))],
            Extract(Bundle(txs, receipts)));
    }

    // ---- traces ----

    [Fact]
    public void RevertedSubcall_AndEverythingBelowIt_MovesNothing()
    {
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, A(1), A(2), 0),
            Trace(0, [0], EvmTraceType.Call, A(2), A(3), 1),
            Trace(0, [1], EvmTraceType.Call, A(2), A(4), 2, error: "Reverted"),
            Trace(0, [1, 0], EvmTraceType.Call, A(4), A(5), 3),
            Trace(0, [1, 0, 0], EvmTraceType.Create, A(5), A(6), 4),
            Trace(0, [2], EvmTraceType.Call, A(2), A(7), 8),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), A(2))], [Receipt(0, 0)], traces));

        Assert.Equal([Native(K.Internal, 0, 1, A(2), A(3), U(1)), Native(K.Internal, 0, 5, A(2), A(7), U(8))], transfers);
    }

    [Fact]
    public void DelegatecallStaticcallAndCallcode_WithValue_MoveNothing()
    {
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, A(1), A(2), 0),
            Trace(0, [0], EvmTraceType.Call, A(2), A(3), 100, callType: "delegatecall"),
            Trace(0, [1], EvmTraceType.Call, A(2), A(3), 100, callType: "staticcall"),
            Trace(0, [2], EvmTraceType.Call, A(2), A(3), 100, callType: "callcode"),
            Trace(0, [3], EvmTraceType.Call, A(2), A(3), 100, callType: "call"),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), A(2))], [Receipt(0, 0)], traces));

        Assert.Equal([Native(K.Internal, 0, 4, A(2), A(3), U(100))], transfers);
    }

    [Fact]
    public void Create2WithValue_AndSelfDestruct()
    {
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, A(1), A(2), 0),
            Trace(0, [0], EvmTraceType.Create, A(2), A(0xC2), 7), // create2: same trace type, new contract in To
            Trace(0, [1], EvmTraceType.Create, A(2), A(0xC4), 0),
            Trace(0, [2], EvmTraceType.Suicide, A(0xC2), A(9), 7),
            Trace(0, [3], EvmTraceType.Suicide, A(0xC4), A(9), 0),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), A(2))], [Receipt(0, 0)], traces));

        Assert.Equal([Native(K.Create, 0, 1, A(2), A(0xC2), U(7)), Native(K.SelfDestruct, 0, 3, A(0xC2), A(9), U(7))], transfers);
    }

    [Fact]
    public void TraceTransfers_UseTheOrdinalInTheBlocksTraceList()
    {
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, A(1), A(2), 0),
            Trace(0, [0], EvmTraceType.Call, A(2), A(3), 1),
            Trace(1, [], EvmTraceType.Call, A(1), A(2), 0),
            Trace(1, [0], EvmTraceType.Call, A(2), A(4), 2),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), A(2)), Tx(1, A(1), A(2))], [Receipt(0, 0), Receipt(1, 0)], traces));

        Assert.Equal([Native(K.Internal, 0, 1, A(2), A(3), U(1)), Native(K.Internal, 1, 3, A(2), A(4), U(2))], transfers);
    }

    [Fact]
    public void WithoutTraces_InternalTransfersAreAbsent()
    {
        var transfers = Extract(Bundle([Tx(0, A(1), A(2), value: 4)], [Receipt(0, 0)], traces: null));

        Assert.Equal([Native(K.Native, 0, 0, A(1), A(2), U(4))], transfers);
    }

    // ---- tokens ----

    [Fact]
    public void Erc20AndErc721_ShareTheSignature_AndAreToldApartByShape()
    {
        var token = A(0x70);
        var nft = A(0x71);
        var logs = new[]
        {
            Log(4, 0, token, Word(U(1000)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))),
            Log(5, 0, nft, [], EventSignatures.Transfer, Topic(A(1)), Topic(A(2)), Topic(U(42))),
            Log(6, 0, token, [], EventSignatures.Transfer, Topic(A(1)), Topic(A(2))), // 3 topics, no data: neither
            Log(7, 0, nft, Word(U(1)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2)), Topic(U(43))), // 4 topics with data: neither
            Log(8, 0, token, Word(U(0)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))), // zero-value transfers are kept
        };

        var transfers = Extract(Bundle([Tx(0, A(1), token)], [Receipt(0, 0, logs: logs)]));

        Assert.Equal(
            [
                new EvmTransfer(K.Erc20, 0, 4, token, A(1), A(2), U(1000), UInt256.Zero),
                new EvmTransfer(K.Erc721, 0, 5, nft, A(1), A(2), UInt256.One, U(42)),
                new EvmTransfer(K.Erc20, 0, 8, token, A(1), A(2), UInt256.Zero, UInt256.Zero),
            ],
            transfers);
    }

    [Fact]
    public void MintAndBurn_HaveNoFromOrNoTo()
    {
        var token = A(0x70);
        var logs = new[]
        {
            Log(0, 0, token, Word(U(5)), EventSignatures.Transfer, Topic(EvmAddress.Zero), Topic(A(2))),
            Log(1, 0, token, Word(U(3)), EventSignatures.Transfer, Topic(A(2)), Topic(EvmAddress.Zero)),
            Log(2, 0, A(0x71), [], EventSignatures.Transfer, Topic(EvmAddress.Zero), Topic(A(2)), Topic(U(1))),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), token)], [Receipt(0, 0, logs: logs)]));

        Assert.Equal(
            [
                new EvmTransfer(K.Erc20, 0, 0, token, null, A(2), U(5), UInt256.Zero),
                new EvmTransfer(K.Erc20, 0, 1, token, A(2), null, U(3), UInt256.Zero),
                new EvmTransfer(K.Erc721, 0, 2, A(0x71), null, A(2), UInt256.One, U(1)),
            ],
            transfers);
    }

    [Fact]
    public void Erc1155_SingleAndBatch_AndMalformedBatchesAreSkipped()
    {
        var multi = A(0x72);
        var op = Topic(A(9));
        var single = Log(0, 0, multi, Words(U(7), U(100)), EventSignatures.TransferSingle, op, Topic(A(1)), Topic(A(2)));
        // ids [1, 2, 3], values [10, 20, 30]: offsets 0x40 and 0xc0
        var batchData = Words(U(0x40), U(0xC0), U(3), U(1), U(2), U(3), U(3), U(10), U(20), U(30));
        var batch = Log(1, 0, multi, batchData, EventSignatures.TransferBatch, op, Topic(EvmAddress.Zero), Topic(A(2)));
        var outOfRange = Log(2, 0, multi, Words(U(0x40), U(0x1000), U(1), U(1)), EventSignatures.TransferBatch, op, Topic(A(1)), Topic(A(2)));
        var lengthsDiffer = Log(3, 0, multi, Words(U(0x40), U(0x80), U(1), U(1), U(2), U(10), U(20)), EventSignatures.TransferBatch, op, Topic(A(1)), Topic(A(2)));
        var hugeLength = Log(4, 0, multi, Words(U(0x40), U(0x40), UInt256.MaxValue), EventSignatures.TransferBatch, op, Topic(A(1)), Topic(A(2)));
        var shortSingle = Log(5, 0, multi, Word(U(7)), EventSignatures.TransferSingle, op, Topic(A(1)), Topic(A(2)));

        var transfers = Extract(Bundle([Tx(0, A(1), multi)], [Receipt(0, 0, logs: [single, batch, outOfRange, lengthsDiffer, hugeLength, shortSingle])]));

        Assert.Equal(
            [
                new EvmTransfer(K.Erc1155, 0, 0, multi, A(1), A(2), U(100), U(7)),
                new EvmTransfer(K.Erc1155, 0, 1, multi, null, A(2), U(10), U(1)),
                new EvmTransfer(K.Erc1155, 0, 1, multi, null, A(2), U(20), U(2)),
                new EvmTransfer(K.Erc1155, 0, 1, multi, null, A(2), U(30), U(3)),
            ],
            transfers);
    }

    [Fact]
    public void TokenLogs_FollowLogIndexOrder()
    {
        var token = A(0x70);
        var logs = new[]
        {
            Log(9, 0, token, Word(U(2)), EventSignatures.Transfer, Topic(A(1)), Topic(A(3))),
            Log(3, 0, token, Word(U(1)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))),
        };

        var transfers = Extract(Bundle([Tx(0, A(1), token)], [Receipt(0, 0, logs: logs)]));

        Assert.Equal([3, 9], transfers.Select(t => t.Position));
    }

    [Fact]
    public void WethDeposit_CountsOnlyWithValueEvidenceOrWhenListed()
    {
        var weth = A(0xEE);
        var other = A(0xEF);
        var wad = U(1_000);
        var deposit = EventSignatures.Deposit;

        // 1. a direct payment of wad to the contract, which then emits Deposit(payer, wad): a wrap
        var paid = Bundle([Tx(0, A(1), weth, value: 1_000)], [Receipt(0, 0, logs: Log(0, 0, weth, Word(wad), deposit, Topic(A(1))))]);
        Assert.Equal(
            [Native(K.Native, 0, 0, A(1), weth, wad), new EvmTransfer(K.Wrap, 0, 0, weth, null, A(1), wad, UInt256.Zero)],
            Extract(paid));

        // 2. a staking contract's Deposit(user, amount) with no native value: not a wrap
        var staking = Bundle([Tx(0, A(1), other)], [Receipt(0, 0, logs: Log(0, 0, other, Word(wad), deposit, Topic(A(1))))]);
        Assert.Empty(Extract(staking));

        // 3. the same event from a listed wrapper: a wrap without evidence
        var listed = new EvmTransferOptions { WrapperContracts = new HashSet<EvmAddress> { other } };
        Assert.Equal([new EvmTransfer(K.Wrap, 0, 0, other, null, A(1), wad, UInt256.Zero)], Extract(staking, listed));

        // 4. paid less than wad: not a wrap
        var underpaid = Bundle([Tx(0, A(1), weth, value: 999)], [Receipt(0, 0, logs: Log(0, 0, weth, Word(wad), deposit, Topic(A(1))))]);
        Assert.DoesNotContain(Extract(underpaid), t => t.Kind == K.Wrap);

        // 5. one payment, two deposits: only the first is backed by value
        var twice = Bundle(
            [Tx(0, A(1), weth, value: 1_000)],
            [Receipt(0, 0, logs: [Log(0, 0, weth, Word(wad), deposit, Topic(A(1))), Log(1, 0, weth, Word(wad), deposit, Topic(A(1)))])]);
        Assert.Single(Extract(twice), t => t.Kind == K.Wrap);

        // 6. value that arrives by an internal call (a router wrapping for the user) is evidence too
        var viaRouter = Bundle(
            [Tx(0, A(1), A(0x50), value: 1_000)],
            [Receipt(0, 0, logs: Log(0, 0, weth, Word(wad), deposit, Topic(A(0x50))))],
            [Trace(0, [], EvmTraceType.Call, A(1), A(0x50), 1_000), Trace(0, [0], EvmTraceType.Call, A(0x50), weth, 1_000)]);
        Assert.Contains(new EvmTransfer(K.Wrap, 0, 0, weth, null, A(0x50), wad, UInt256.Zero), Extract(viaRouter));
    }

    [Fact]
    public void WethWithdrawal_NeedsValueGoingOutOfTheContract()
    {
        var weth = A(0xEE);
        var wad = U(400);
        var log = Log(0, 0, weth, Word(wad), EventSignatures.Withdrawal, Topic(A(1)));
        var withValue = Bundle(
            [Tx(0, A(1), weth)],
            [Receipt(0, 0, logs: log)],
            [Trace(0, [], EvmTraceType.Call, A(1), weth, 0), Trace(0, [0], EvmTraceType.Call, weth, A(1), 400)]);
        Assert.Equal(
            [Native(K.Internal, 0, 1, weth, A(1), wad), new EvmTransfer(K.Unwrap, 0, 0, weth, A(1), null, wad, UInt256.Zero)],
            Extract(withValue));

        // without traces there is no evidence, unless the wrapper is listed
        var noTraces = Bundle([Tx(0, A(1), weth)], [Receipt(0, 0, logs: log)]);
        Assert.Empty(Extract(noTraces));
        Assert.Equal(
            [new EvmTransfer(K.Unwrap, 0, 0, weth, A(1), null, wad, UInt256.Zero)],
            Extract(noTraces, new EvmTransferOptions { WrapperContracts = new HashSet<EvmAddress> { weth } }));
    }

    // ---- block level ----

    [Fact]
    public void RewardsThenWithdrawals_AreBlockLevel_InWei()
    {
        var traces = new[] { Reward(Miner, 2_000_000_000_000_000_000, "block"), Reward(A(5), 1_750_000_000_000_000_000, "uncle"), Reward(A(6), 0, "uncle") };
        var withdrawals = new[] { new EvmWithdrawal(10, 20, A(7), 32_000_000_000), new EvmWithdrawal(11, 21, A(8), 0), new EvmWithdrawal(12, 22, A(9), 1) };

        var transfers = Extract(Bundle([], [], traces, withdrawals: withdrawals));

        Assert.Equal(
            [
                Native(K.BlockReward, -1, 0, null, Miner, U(2_000_000_000_000_000_000)),
                Native(K.UncleReward, -1, 1, null, A(5), U(1_750_000_000_000_000_000)),
                Native(K.Withdrawal, -1, 2, null, A(7), U(32_000_000_000) * Gwei),
                Native(K.Withdrawal, -1, 3, null, A(9), Gwei),
            ],
            transfers);
        Assert.Equal("32000000000000000000", transfers[2].Amount.ToString());
    }

    [Fact]
    public void TokenContracts_AreTheAssetsSeen_InAddressOrder()
    {
        var logs = new[]
        {
            Log(0, 0, A(0x80), Word(U(1)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))),
            Log(1, 0, A(0x70), Word(U(1)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))),
            Log(2, 0, A(0x80), Word(U(1)), EventSignatures.Transfer, Topic(A(1)), Topic(A(2))),
        };
        var transfers = Extract(Bundle([Tx(0, A(1), A(2), value: 1)], [Receipt(0, 0, logs: logs)]));

        Assert.Equal([A(0x70), A(0x80)], EvmTransferExtractor.TokenContracts(transfers));
    }

    // ---- order and conservation ----

    private static EvmBlockBundle ConservationBlock()
    {
        var (u1, u2, u3, u4, u5) = (A(1), A(2), A(3), A(4), A(5));
        var (c1, c2, c3, lib, n, v1) = (A(0xC1), A(0xC2), A(0xC3), A(0x1B), A(0x0E), A(0x71));
        var token = A(0x70);
        var txs = new[]
        {
            Tx(0, u1, c1, value: 1000),
            Tx(1, u2, c2, value: 50),
            Tx(2, u3, null, value: 70),
        };
        var receipts = new[]
        {
            Receipt(0, 100, effectivePrice: 15, logs: Log(0, 0, token, Word(U(5)), EventSignatures.Transfer, Topic(c1), Topic(u2))),
            Receipt(1, 10, status: 0, effectivePrice: 12),
            Receipt(2, 20, effectivePrice: 10, contract: c3),
        };
        var traces = new[]
        {
            Trace(0, [], EvmTraceType.Call, u1, c1, 1000),
            Trace(0, [0], EvmTraceType.Call, c1, u2, 300),
            Trace(0, [1], EvmTraceType.Call, c1, lib, 50, callType: "delegatecall"),
            Trace(0, [2], EvmTraceType.Create, c1, n, 200),
            Trace(0, [2, 0], EvmTraceType.Call, n, u3, 20, error: "Reverted"),
            Trace(0, [3], EvmTraceType.Suicide, c1, u4, 100),
            Trace(1, [], EvmTraceType.Call, u2, c2, 50, error: "Reverted"),
            Trace(2, [], EvmTraceType.Create, u3, c3, 70),
            Reward(Miner, 2000, "block"),
            Reward(u5, 500, "uncle"),
        };
        return Bundle(txs, receipts, traces, baseFee: 10, withdrawals: [new EvmWithdrawal(0, 0, v1, 1)]);
    }

    [Fact]
    public void Order_IsPerTransaction_NativeBurntTipTracesLogs_ThenBlockLevel()
    {
        var transfers = Extract(ConservationBlock());

        Assert.Equal(
            [
                (K.Native, 0, 0), (K.FeeBurnt, 0, 1), (K.FeeTip, 0, 2), (K.Internal, 0, 1), (K.Create, 0, 3), (K.SelfDestruct, 0, 5), (K.Erc20, 0, 0),
                (K.FeeBurnt, 1, 1), (K.FeeTip, 1, 2),
                (K.Native, 2, 0), (K.FeeBurnt, 2, 1),
                (K.BlockReward, -1, 0), (K.UncleReward, -1, 1), (K.Withdrawal, -1, 2),
            ],
            transfers.Select(t => (t.Kind, t.TransactionIndex, t.Position)));
        Assert.Equal(transfers, Extract(ConservationBlock())); // deterministic
    }

    [Fact]
    public void NativeTransfers_ConserveValue_PerAddress()
    {
        var transfers = Extract(ConservationBlock());
        var net = new Dictionary<EvmAddress, BigInteger>();
        BigInteger created = 0, destroyed = 0;
        foreach (var t in transfers.Where(t => t.Asset is null))
        {
            var amount = t.Amount.ToBigInteger();
            if (t.From is { } from)
            {
                net[from] = net.GetValueOrDefault(from) - amount;
            }
            else
            {
                created += amount;
            }

            if (t.To is { } to)
            {
                net[to] = net.GetValueOrDefault(to) + amount;
            }
            else
            {
                destroyed += amount;
            }
        }

        // worked out by hand: base fee 10; tx0 gas 100 at 15 (burn 1000, tip 500); failed tx1 gas 10 at 12 (burn 100, tip 20);
        // creation tx2 gas 20 at 10 (burn 200, no tip); rewards 2000 + 500; a 1-gwei withdrawal
        var expected = new Dictionary<EvmAddress, BigInteger>
        {
            [A(1)] = -1000 - 1000 - 500, // value, burn, tip
            [A(0xC1)] = 1000 - 300 - 200 - 100, // the delegatecall and the reverted grandchild move nothing
            [A(2)] = 300 - 100 - 20, // received 300; its failed tx paid 120 in fees
            [A(0x0E)] = 200,
            [A(4)] = 100,
            [Miner] = 500 + 20 + 2000,
            [A(3)] = -70 - 200,
            [A(0xC3)] = 70,
            [A(5)] = 500,
            [A(0x71)] = 1_000_000_000,
        };
        Assert.Equal(expected.OrderBy(kv => kv.Key), net.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key));
        Assert.Equal(2000 + 500 + 1_000_000_000, created);
        Assert.Equal(1000 + 100 + 200, destroyed);
        Assert.Equal(created - destroyed, net.Values.Aggregate(BigInteger.Zero, (a, b) => a + b));
    }
}
