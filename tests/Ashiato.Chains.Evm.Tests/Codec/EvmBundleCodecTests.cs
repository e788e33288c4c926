using System.Reflection;
using Ashiato.Chains.Evm.Codec;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;
using static Ashiato.Chains.Evm.Tests.Codec.Samples;

namespace Ashiato.Chains.Evm.Tests.Codec;

public sealed class EvmBundleCodecTests
{
    private static readonly UInt256 Big = UInt256.Parse("123456789012345678901234567890123456789");

    /// <summary>Every nullable field present, every list non-empty, parity-style traces.</summary>
    internal static EvmBlockBundle FullBundle()
    {
        var blockHash = H(0xB1);
        const long number = 19_000_000;
        var txs = Enumerable.Range(0, 3).Select(i => new EvmTransaction
        {
            Hash = H(0x70, (byte)i),
            Nonce = i == 2 ? ulong.MaxValue : (ulong)i * 1000,
            BlockHash = blockHash,
            BlockNumber = number,
            TransactionIndex = i,
            From = A((byte)(10 + i)),
            To = A((byte)(20 + i)),
            Value = i == 0 ? UInt256.MaxValue : new UInt256((ulong)i),
            Gas = 21_000 + i,
            GasPrice = new UInt256(30_000_000_000),
            Input = i == 1 ? [] : [0xa9, 0x05, 0x9c, 0xbb, (byte)i],
            MaxFeePerGas = new UInt256(50_000_000_000),
            MaxPriorityFeePerGas = UInt256.Zero,
            Type = i == 0 ? 3 : 2,
            MaxFeePerBlobGas = Big,
            BlobVersionedHashes = i == 1 ? [] : [H(0x01, 1), H(0x01, 2)],
        }).ToArray();
        var logIndex = 0;
        var receipts = txs.Select((tx, i) => new EvmReceipt
        {
            TransactionHash = tx.Hash,
            TransactionIndex = i,
            BlockHash = blockHash,
            BlockNumber = number,
            CumulativeGasUsed = 21_000L * (i + 1),
            GasUsed = 21_000,
            ContractAddress = A(0xC0),
            Root = H(0x2A),
            Status = i == 1 ? 0 : 1,
            EffectiveGasPrice = new UInt256(31_000_000_000),
            L1Fee = UInt256.MaxValue,
            L1GasUsed = 1600,
            L1GasPrice = new UInt256(7),
            L1FeeScalar = i == 2 ? string.Empty : "0.684",
            BlobGasUsed = 131072,
            BlobGasPrice = UInt256.One,
            Logs = i == 1
                ? []
                : Enumerable.Range(0, 2).Select(k => new EvmLog
                {
                    LogIndex = logIndex++,
                    TransactionHash = tx.Hash,
                    TransactionIndex = i,
                    BlockHash = blockHash,
                    BlockNumber = number,
                    Address = A(0xEE),
                    Data = k == 0 ? [] : Word(Big),
                    Topics = k == 0 ? [] : [H(0xDD), Topic(A(1)), Topic(A(2))],
                }).ToArray(),
        }).ToArray();
        var block = new EvmBlock
        {
            Number = number,
            Hash = blockHash,
            ParentHash = H(0xB0),
            Nonce = [0, 0, 0, 0, 0, 0, 0, 0x42],
            Sha3Uncles = H(0x1D),
            LogsBloom = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
            TransactionsRoot = H(0x11),
            StateRoot = H(0x12),
            ReceiptsRoot = H(0x13),
            Miner = A(0x99),
            Difficulty = UInt256.Zero,
            TotalDifficulty = UInt256.Parse("58750003716598352816469"),
            Size = 123_456,
            ExtraData = "beaverbuild.org"u8.ToArray(),
            GasLimit = 30_000_000,
            GasUsed = 63_000,
            Timestamp = 1_705_000_000,
            BaseFeePerGas = new UInt256(25_000_000_000),
            WithdrawalsRoot = H(0x14),
            Withdrawals = [new EvmWithdrawal(1, 2, A(0x51), 32_000_000_000), new EvmWithdrawal(ulong.MaxValue, ulong.MaxValue, A(0x52), ulong.MaxValue)],
            BlobGasUsed = 262_144,
            ExcessBlobGas = 0,
            ParentBeaconBlockRoot = H(0x15),
            Uncles = [H(0x0C, 1), H(0x0C, 2)],
            Transactions = txs,
        };
        EvmTrace Trace(EvmTraceType type, int tx, int[] address, string callType, string? error = "Reverted") => new()
        {
            BlockNumber = number,
            TransactionHash = txs[tx].Hash,
            TransactionIndex = tx,
            TraceType = type,
            CallType = callType,
            RewardType = "block",
            From = A(10),
            To = A(20),
            Value = Big,
            Input = [1, 2, 3],
            Output = [],
            Gas = 100_000,
            GasUsed = 0,
            Subtraces = address.Length == 0 ? 2 : 0,
            TraceAddress = address,
            Error = error,
        };
        var traces = new[]
        {
            Trace(EvmTraceType.Call, 0, [], "call", string.Empty),
            Trace(EvmTraceType.Call, 0, [0], "delegatecall"),
            Trace(EvmTraceType.Create, 0, [1], "staticcall"),
            Trace(EvmTraceType.Suicide, 2, [0, 1, 2], "callcode"),
            Trace(EvmTraceType.Reward, 2, [], "call"),
        };
        return new EvmBlockBundle
        {
            Block = block,
            Receipts = receipts,
            Traces = traces,
            NewTokens = [new EvmToken(A(0xEE), "WETH", "Wrapped Ether", 18, UInt256.MaxValue, number), new EvmToken(A(0xEF), "日本", "🦊 fox", 0, UInt256.Zero, 0)],
        };
    }

    /// <summary>Every nullable field absent, lists empty, traces missing.</summary>
    internal static EvmBlockBundle MinimalBundle() => new()
    {
        Block = new EvmBlock
        {
            Transactions = [new EvmTransaction { Hash = H(0x70) }],
        },
        Receipts = [new EvmReceipt { TransactionHash = H(0x70) }],
        Traces = null,
        NewTokens = [new EvmToken(A(1), null, null, null, null, null)],
    };

    /// <summary>Values that break every "usually equal to the parent" shortcut, plus extremes.</summary>
    internal static EvmBlockBundle IrregularBundle()
    {
        var tx = new EvmTransaction
        {
            Hash = H(0x70),
            BlockHash = H(0x01),
            BlockNumber = -5,
            TransactionIndex = 7,
            Nonce = ulong.MaxValue,
            Gas = long.MinValue,
            Type = int.MinValue,
            Value = UInt256.MaxValue,
        };
        return new EvmBlockBundle
        {
            Block = new EvmBlock
            {
                Number = long.MaxValue,
                Hash = H(0xB1),
                Size = -1,
                GasLimit = long.MinValue,
                Difficulty = UInt256.MaxValue,
                Withdrawals = [],
                Transactions = [tx],
            },
            Receipts =
            [
                new EvmReceipt
                {
                    TransactionHash = H(0x99), // not the transaction's hash
                    TransactionIndex = -1,
                    BlockHash = H(0x02),
                    BlockNumber = 3,
                    Status = int.MaxValue,
                    L1FeeScalar = "\ud800 lone surrogate",
                    Logs =
                    [
                        new EvmLog { LogIndex = 5, TransactionHash = H(0x98), TransactionIndex = 4, BlockHash = H(0x03), BlockNumber = 9, Topics = [H(0xFF)] },
                        new EvmLog { LogIndex = 3, TransactionHash = H(0x99), TransactionIndex = -1, BlockHash = H(0x02), BlockNumber = 3 },
                        new EvmLog { LogIndex = int.MaxValue, TransactionHash = H(0x99), TransactionIndex = -1, BlockHash = H(0x02), BlockNumber = 3 },
                        new EvmLog { LogIndex = int.MinValue, TransactionHash = H(0x99), TransactionIndex = -1, BlockHash = H(0x02), BlockNumber = 3 },
                    ],
                },
                new EvmReceipt { TransactionHash = H(0x97), TransactionIndex = 1 }, // more receipts than transactions
            ],
            Traces =
            [
                new EvmTrace { BlockNumber = 0, TransactionIndex = 99, TransactionHash = H(0x70) }, // position not in the block
                new EvmTrace { TransactionHash = H(0x70) }, // hash without position
                new EvmTrace { TransactionIndex = 0, TransactionHash = H(0x55) }, // hash that is not the transaction's
                new EvmTrace { TraceType = (EvmTraceType)200, CallType = "CALL", RewardType = string.Empty, Subtraces = int.MinValue, TraceAddress = [int.MaxValue, 0, -1] },
            ],
            NewTokens = [new EvmToken(A(2), string.Empty, "\udfff", int.MinValue, UInt256.One, long.MinValue)],
        };
    }

    /// <summary>Traces as converted from geth's callTracer: nested calls, a revert inside, create2 and selfdestruct.</summary>
    internal static EvmBlockBundle GethStyleBundle()
    {
        var full = FullBundle();
        var tx = full.Block.Transactions[0];
        EvmTrace T(int[] address, EvmTraceType type, string? callType, int subtraces, string? error = null, UInt256? value = null) => new()
        {
            BlockNumber = full.Block.Number,
            TransactionHash = tx.Hash,
            TransactionIndex = 0,
            TraceType = type,
            CallType = callType,
            From = A(10),
            To = A(30),
            Value = value ?? UInt256.Zero,
            Input = [0xde, 0xad],
            Output = error is null ? [0x01] : null,
            Gas = 90_000,
            GasUsed = 40_000,
            Subtraces = subtraces,
            TraceAddress = address,
            Error = error,
        };
        return new EvmBlockBundle
        {
            Block = full.Block,
            Receipts = full.Receipts,
            Traces =
            [
                T([], EvmTraceType.Call, "call", 3),
                T([0], EvmTraceType.Call, "staticcall", 0),
                T([1], EvmTraceType.Create, "create2", 1, value: new UInt256(5)),
                T([1, 0], EvmTraceType.Call, "call", 0, "execution reverted", new UInt256(1)),
                T([2], EvmTraceType.Suicide, null, 0, value: Big),
            ],
            NewTokens = [],
        };
    }

    public static TheoryData<string> BundleNames => ["full", "minimal", "irregular", "geth", "empty-traces"];

    private static EvmBlockBundle Named(string name) => name switch
    {
        "full" => FullBundle(),
        "minimal" => MinimalBundle(),
        "irregular" => IrregularBundle(),
        "geth" => GethStyleBundle(),
        "empty-traces" => new EvmBlockBundle { Block = new EvmBlock(), Receipts = [], Traces = [] },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(BundleNames))]
    public void RoundTrip_IsLosslessAndByteIdentical(string name)
    {
        var bundle = Named(name);
        var bytes = EvmBundleCodec.Encode(bundle);
        Assert.Equal(EvmBundleCodec.FormatVersion, bytes[0]);

        var decoded = EvmBundleCodec.Decode(bytes, name);

        AssertDeepEqual(bundle, decoded);
        Assert.Equal(bytes, EvmBundleCodec.Encode(decoded));
    }

    [Fact]
    public void FullBundle_SetsEveryNullableField()
    {
        // if a field is added to the model, this fails until the sample (and so the codec round trip) covers it
        Assert.Empty(NullProperties(FullBundle()));
    }

    [Fact]
    public void MinimalBundle_LeavesEveryNullableFieldAbsent_AndTheyStayAbsent()
    {
        var decoded = EvmBundleCodec.Decode(EvmBundleCodec.Encode(MinimalBundle()), "minimal");
        var bareTrace = EvmBundleCodec.Decode(EvmBundleCodec.Encode(new EvmBlockBundle { Block = new EvmBlock(), Receipts = [], Traces = [new EvmTrace()] }), "bare");
        AssertDeepEqual(new EvmTrace(), bareTrace.Traces![0]);
        var nulls = NullProperties(decoded).Concat(NullProperties(bareTrace.Traces[0]))
            .Select(p => p[(p.LastIndexOf('.') + 1)..]).ToHashSet();
        var context = new NullabilityInfoContext();
        foreach (var type in new[] { typeof(EvmBlock), typeof(EvmTransaction), typeof(EvmReceipt), typeof(EvmTrace), typeof(EvmToken) })
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var nullable = Nullable.GetUnderlyingType(p.PropertyType) is not null || context.Create(p).ReadState == NullabilityState.Nullable;
                if (nullable)
                {
                    Assert.Contains(p.Name, nulls);
                }
            }
        }

        Assert.Null(decoded.Traces);
        Assert.DoesNotContain(decoded.NewTokens, t => t.Symbol is not null);
    }

    [Fact]
    public void EmptyTraceList_IsNotTheSameAsMissingTraces()
    {
        var missing = EvmBundleCodec.Decode(EvmBundleCodec.Encode(new EvmBlockBundle { Block = new EvmBlock(), Receipts = [] }), "x");
        var empty = EvmBundleCodec.Decode(EvmBundleCodec.Encode(new EvmBlockBundle { Block = new EvmBlock(), Receipts = [], Traces = [] }), "x");

        Assert.Null(missing.Traces);
        Assert.NotNull(empty.Traces);
        Assert.Empty(empty.Traces);
    }

    [Fact]
    public void Encode_IsDeterministic()
    {
        Assert.Equal(EvmBundleCodec.Encode(FullBundle()), EvmBundleCodec.Encode(FullBundle()));
        Assert.Equal(EvmBundleCodec.Encode(GethStyleBundle()), EvmBundleCodec.Encode(GethStyleBundle()));
        Assert.Equal(EvmBundleCodec.Encode(IrregularBundle()), EvmBundleCodec.Encode(IrregularBundle()));
    }

    [Fact]
    public void FieldsThatRepeatTheirParent_AreStoredOnce()
    {
        var usual = FullBundle();
        var block = usual.Block;
        var oddTx = block.Transactions.Select((t, i) => i != 1 ? t : new EvmTransaction
        {
            Hash = t.Hash, Nonce = t.Nonce, BlockHash = H(0x66), BlockNumber = t.BlockNumber, TransactionIndex = t.TransactionIndex, From = t.From, To = t.To,
            Value = t.Value, Gas = t.Gas, GasPrice = t.GasPrice, Input = t.Input, MaxFeePerGas = t.MaxFeePerGas, MaxPriorityFeePerGas = t.MaxPriorityFeePerGas,
            Type = t.Type, MaxFeePerBlobGas = t.MaxFeePerBlobGas, BlobVersionedHashes = t.BlobVersionedHashes,
        }).ToArray();
        var odd = new EvmBlockBundle
        {
            Block = CopyBlock(block, oddTx),
            Receipts = usual.Receipts,
            Traces = usual.Traces,
            NewTokens = usual.NewTokens,
        };

        Assert.Equal(EvmBundleCodec.Encode(usual).Length + EvmHash.Size, EvmBundleCodec.Encode(odd).Length);
    }

    private static EvmBlock CopyBlock(EvmBlock b, EvmTransaction[] txs) => new()
    {
        Number = b.Number, Hash = b.Hash, ParentHash = b.ParentHash, Nonce = b.Nonce, Sha3Uncles = b.Sha3Uncles, LogsBloom = b.LogsBloom,
        TransactionsRoot = b.TransactionsRoot, StateRoot = b.StateRoot, ReceiptsRoot = b.ReceiptsRoot, Miner = b.Miner, Difficulty = b.Difficulty,
        TotalDifficulty = b.TotalDifficulty, Size = b.Size, ExtraData = b.ExtraData, GasLimit = b.GasLimit, GasUsed = b.GasUsed, Timestamp = b.Timestamp,
        BaseFeePerGas = b.BaseFeePerGas, WithdrawalsRoot = b.WithdrawalsRoot, Withdrawals = b.Withdrawals, BlobGasUsed = b.BlobGasUsed,
        ExcessBlobGas = b.ExcessBlobGas, ParentBeaconBlockRoot = b.ParentBeaconBlockRoot, Uncles = b.Uncles, Transactions = txs,
    };

    [Theory]
    [MemberData(nameof(BundleNames))]
    public void EveryTruncation_ThrowsDataFormatException_NamingSourceAndOffset(string name)
    {
        var bytes = EvmBundleCodec.Encode(Named(name));
        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            var e = Assert.Throws<DataFormatException>(() => EvmBundleCodec.Decode(cut, "block 19000000"));
            Assert.Equal("block 19000000", e.Source);
            Assert.InRange(e.Offset, 0, length);
            Assert.StartsWith($"block 19000000 at offset {e.Offset}: ", e.Message);
        }
    }

    [Fact]
    public void Corruption_NeverThrowsAnythingButDataFormatException()
    {
        var bytes = EvmBundleCodec.Encode(FullBundle());
        var random = new Random(1234);
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= (byte)(1 << random.Next(8));
            try
            {
                var decoded = EvmBundleCodec.Decode(copy, "fuzz");
                Assert.NotNull(decoded.Block);
            }
            catch (DataFormatException e)
            {
                Assert.Equal("fuzz", e.Source);
            }
        }
    }

    [Fact]
    public void WrongVersion_TrailingBytes_AndUnknownFlags_AreClearErrors()
    {
        var bytes = EvmBundleCodec.Encode(MinimalBundle());

        var v2 = (byte[])bytes.Clone();
        v2[0] = 2;
        var e = Assert.Throws<DataFormatException>(() => EvmBundleCodec.Decode(v2, "seg.bin"));
        Assert.Contains("unsupported bundle format version 2", e.Message);
        Assert.Equal(0, e.Offset);

        e = Assert.Throws<DataFormatException>(() => EvmBundleCodec.Decode([.. bytes, 0], "seg.bin"));
        Assert.Contains("1 unexpected bytes after the bundle", e.Message);
        Assert.Equal(bytes.Length, e.Offset);

        var flags = (byte[])bytes.Clone();
        flags[1] = 0x40; // bundle flags
        e = Assert.Throws<DataFormatException>(() => EvmBundleCodec.Decode(flags, "seg.bin"));
        Assert.Contains("unknown flag bits", e.Message);
        Assert.Equal(1, e.Offset);

        e = Assert.Throws<DataFormatException>(() => EvmBundleCodec.Decode([], "seg.bin"));
        Assert.Equal("seg.bin at offset 0: empty: no bundle", e.Message);
    }
}
