using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Codec;

/// <summary>
/// A compact, lossless binary form of an <see cref="EvmBlockBundle"/> (block, transactions, receipts with logs, traces or
/// "traces missing", new tokens), as the store keeps it. <c>Decode(Encode(x))</c> equals x field for field and
/// <c>Encode(Decode(Encode(x)))</c> is byte-identical: the encoding is deterministic.
/// </summary>
/// <remarks>
/// <para>Layout (format version 1): one version byte; a varint of bundle flags (bit 0: traces present); the block; the
/// receipts; the traces when present; the new tokens. Nothing may follow.</para>
/// <para>Primitives: integers are LEB128 varints (signed ones zigzag); byte strings and lists have a varint length
/// prefix; hashes (32 bytes) and addresses (20 bytes) are raw; a <see cref="UInt256"/> is a length byte (0…32) and its
/// big-endian bytes without leading zeros; text is a varint header (byte length × 2, +1 for UTF-16LE, used only for text
/// with unpaired surrogates) and UTF-8.</para>
/// <para>Every record starts with a varint of flags: one bit per nullable field (set = present), and one bit per field
/// that usually repeats its parent (block hash and number in transactions, receipts and logs, transaction hash and index
/// in receipts, logs and traces; set = written because it differs). So the common case stores such a field once, and an
/// unusual one is still kept exactly. Unknown flag bits are refused.</para>
/// <para>Trace call and reward types are one byte for the usual values ("call", "delegatecall", "staticcall", "callcode",
/// "create", "create2", "block", "uncle"), 0 followed by the text otherwise.</para>
/// <para>Truncated or corrupt input throws <see cref="DataFormatException"/> naming the source, the byte offset and the
/// field; never an index exception.</para>
/// </remarks>
public static class EvmBundleCodec
{
    public const byte FormatVersion = 1;

    private const ulong BundleHasTraces = 1;

    // block
    private const ulong BNonce = 1 << 0, BTotalDifficulty = 1 << 1, BBaseFee = 1 << 2, BWithdrawalsRoot = 1 << 3,
        BWithdrawals = 1 << 4, BBlobGasUsed = 1 << 5, BExcessBlobGas = 1 << 6, BParentBeaconRoot = 1 << 7;

    private const ulong BlockKnown = (1 << 8) - 1;

    // transaction
    private const ulong TBlockHash = 1 << 0, TBlockNumber = 1 << 1, TIndex = 1 << 2, TTo = 1 << 3, TGasPrice = 1 << 4,
        TMaxFee = 1 << 5, TMaxPriority = 1 << 6, TType = 1 << 7, TMaxBlobFee = 1 << 8, TBlobHashes = 1 << 9;

    private const ulong TxKnown = (1 << 10) - 1;

    // receipt
    private const ulong RTxHash = 1 << 0, RTxIndex = 1 << 1, RBlockHash = 1 << 2, RBlockNumber = 1 << 3, RContract = 1 << 4,
        RRoot = 1 << 5, RStatus = 1 << 6, REffectivePrice = 1 << 7, RL1Fee = 1 << 8, RL1GasUsed = 1 << 9, RL1GasPrice = 1 << 10,
        RL1FeeScalar = 1 << 11, RBlobGasUsed = 1 << 12, RBlobGasPrice = 1 << 13;

    private const ulong ReceiptKnown = (1 << 14) - 1;

    // log
    private const ulong LIndex = 1 << 0, LTxHash = 1 << 1, LTxIndex = 1 << 2, LBlockHash = 1 << 3, LBlockNumber = 1 << 4;

    private const ulong LogKnown = (1 << 5) - 1;

    // trace
    private const ulong XBlockNumber = 1 << 0, XTxIndex = 1 << 1, XTxHash = 1 << 2, XTxHashExplicit = 1 << 3, XFrom = 1 << 4,
        XTo = 1 << 5, XValue = 1 << 6, XInput = 1 << 7, XOutput = 1 << 8, XGas = 1 << 9, XGasUsed = 1 << 10, XError = 1 << 11,
        XCallType = 1 << 12, XRewardType = 1 << 13;

    private const ulong TraceKnown = (1 << 14) - 1;

    // token
    private const ulong KSymbol = 1 << 0, KName = 1 << 1, KDecimals = 1 << 2, KTotalSupply = 1 << 3, KBlockNumber = 1 << 4;

    private const ulong TokenKnown = (1 << 5) - 1;

    private static readonly string[] _knownTypes = ["", "call", "delegatecall", "staticcall", "callcode", "create", "create2", "block", "uncle"];

    public static byte[] Encode(EvmBlockBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var block = bundle.Block;
        var w = new CodecWriter(1024 + (block.Transactions.Count * 400));
        w.Byte(FormatVersion);
        w.VarUInt(bundle.Traces is null ? 0 : BundleHasTraces);
        WriteBlock(w, block);

        w.Count(bundle.Receipts.Count);
        var nextLogIndex = 0;
        for (var i = 0; i < bundle.Receipts.Count; i++)
        {
            WriteReceipt(w, bundle.Receipts[i], i, block, ref nextLogIndex);
        }

        if (bundle.Traces is { } traces)
        {
            w.Count(traces.Count);
            foreach (var t in traces)
            {
                WriteTrace(w, t, block);
            }
        }

        w.Count(bundle.NewTokens.Count);
        foreach (var token in bundle.NewTokens)
        {
            WriteToken(w, token);
        }

        return w.Written.ToArray();
    }

    public static EvmBlockBundle Decode(ReadOnlySpan<byte> data, string source)
    {
        var r = new CodecReader(data, source);
        if (data.IsEmpty)
        {
            throw r.Error("empty: no bundle");
        }

        var version = r.Byte("format version");
        if (version != FormatVersion)
        {
            throw r.Error($"unsupported bundle format version {version} (this build reads {FormatVersion})", 0);
        }

        var flags = r.Flags("bundle flags", BundleHasTraces);
        var block = ReadBlock(ref r);

        var receipts = new EvmReceipt[r.Count("receipt count", 4)];
        var nextLogIndex = 0;
        for (var i = 0; i < receipts.Length; i++)
        {
            receipts[i] = ReadReceipt(ref r, i, block, ref nextLogIndex);
        }

        EvmTrace[]? traces = null;
        if ((flags & BundleHasTraces) != 0)
        {
            traces = new EvmTrace[r.Count("trace count", 4)];
            for (var i = 0; i < traces.Length; i++)
            {
                traces[i] = ReadTrace(ref r, block);
            }
        }

        var tokens = new EvmToken[r.Count("token count", 1 + EvmAddress.Size)];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = ReadToken(ref r);
        }

        if (r.Remaining != 0)
        {
            throw r.Error($"{r.Remaining} unexpected bytes after the bundle");
        }

        return new EvmBlockBundle { Block = block, Receipts = receipts, Traces = traces, NewTokens = tokens };
    }

    // ---- block ----

    private static void WriteBlock(CodecWriter w, EvmBlock b)
    {
        ulong flags = 0;
        Set(ref flags, BNonce, b.Nonce is not null);
        Set(ref flags, BTotalDifficulty, b.TotalDifficulty.HasValue);
        Set(ref flags, BBaseFee, b.BaseFeePerGas.HasValue);
        Set(ref flags, BWithdrawalsRoot, b.WithdrawalsRoot.HasValue);
        Set(ref flags, BWithdrawals, b.Withdrawals is not null);
        Set(ref flags, BBlobGasUsed, b.BlobGasUsed.HasValue);
        Set(ref flags, BExcessBlobGas, b.ExcessBlobGas.HasValue);
        Set(ref flags, BParentBeaconRoot, b.ParentBeaconBlockRoot.HasValue);
        w.VarUInt(flags);

        w.VarInt(b.Number);
        w.Hash(b.Hash);
        w.Hash(b.ParentHash);
        if (b.Nonce is { } nonce)
        {
            w.Bytes(nonce);
        }

        w.Hash(b.Sha3Uncles);
        w.Bytes(b.LogsBloom);
        w.Hash(b.TransactionsRoot);
        w.Hash(b.StateRoot);
        w.Hash(b.ReceiptsRoot);
        w.Address(b.Miner);
        w.UInt256(b.Difficulty);
        if (b.TotalDifficulty is { } td)
        {
            w.UInt256(td);
        }

        w.VarInt(b.Size);
        w.Bytes(b.ExtraData);
        w.VarInt(b.GasLimit);
        w.VarInt(b.GasUsed);
        w.VarInt(b.Timestamp);
        if (b.BaseFeePerGas is { } baseFee)
        {
            w.UInt256(baseFee);
        }

        if (b.WithdrawalsRoot is { } wr)
        {
            w.Hash(wr);
        }

        if (b.Withdrawals is { } withdrawals)
        {
            w.Count(withdrawals.Count);
            foreach (var x in withdrawals)
            {
                w.VarUInt(x.Index);
                w.VarUInt(x.ValidatorIndex);
                w.Address(x.Address);
                w.VarUInt(x.AmountGwei);
            }
        }

        if (b.BlobGasUsed is { } blobGasUsed)
        {
            w.VarInt(blobGasUsed);
        }

        if (b.ExcessBlobGas is { } excess)
        {
            w.VarInt(excess);
        }

        if (b.ParentBeaconBlockRoot is { } pbr)
        {
            w.Hash(pbr);
        }

        w.Count(b.Uncles.Count);
        foreach (var u in b.Uncles)
        {
            w.Hash(u);
        }

        w.Count(b.Transactions.Count);
        for (var i = 0; i < b.Transactions.Count; i++)
        {
            WriteTransaction(w, b.Transactions[i], i, b);
        }
    }

    private static EvmBlock ReadBlock(ref CodecReader r)
    {
        var flags = r.Flags("block flags", BlockKnown);
        var number = r.VarInt("block number");
        var hash = r.Hash("block hash");
        var parentHash = r.Hash("block parentHash");
        var nonce = Has(flags, BNonce) ? r.Bytes("block nonce") : null;
        var sha3Uncles = r.Hash("block sha3Uncles");
        var bloom = r.Bytes("block logsBloom");
        var txRoot = r.Hash("block transactionsRoot");
        var stateRoot = r.Hash("block stateRoot");
        var receiptsRoot = r.Hash("block receiptsRoot");
        var miner = r.Address("block miner");
        var difficulty = r.UInt256("block difficulty");
        UInt256? totalDifficulty = Has(flags, BTotalDifficulty) ? r.UInt256("block totalDifficulty") : null;
        var size = r.VarInt("block size");
        var extra = r.Bytes("block extraData");
        var gasLimit = r.VarInt("block gasLimit");
        var gasUsed = r.VarInt("block gasUsed");
        var timestamp = r.VarInt("block timestamp");
        UInt256? baseFee = Has(flags, BBaseFee) ? r.UInt256("block baseFeePerGas") : null;
        EvmHash? withdrawalsRoot = Has(flags, BWithdrawalsRoot) ? r.Hash("block withdrawalsRoot") : null;
        EvmWithdrawal[]? withdrawals = null;
        if (Has(flags, BWithdrawals))
        {
            withdrawals = new EvmWithdrawal[r.Count("withdrawal count", 3 + EvmAddress.Size)];
            for (var i = 0; i < withdrawals.Length; i++)
            {
                withdrawals[i] = new EvmWithdrawal(
                    r.VarUInt("withdrawal index"), r.VarUInt("withdrawal validatorIndex"), r.Address("withdrawal address"), r.VarUInt("withdrawal amount"));
            }
        }

        long? blobGasUsed = Has(flags, BBlobGasUsed) ? r.VarInt("block blobGasUsed") : null;
        long? excessBlobGas = Has(flags, BExcessBlobGas) ? r.VarInt("block excessBlobGas") : null;
        EvmHash? parentBeaconRoot = Has(flags, BParentBeaconRoot) ? r.Hash("block parentBeaconBlockRoot") : null;
        var uncles = new EvmHash[r.Count("uncle count", EvmHash.Size)];
        for (var i = 0; i < uncles.Length; i++)
        {
            uncles[i] = r.Hash("uncle hash");
        }

        var transactions = new EvmTransaction[r.Count("transaction count", 1 + EvmHash.Size + EvmAddress.Size)];
        for (var i = 0; i < transactions.Length; i++)
        {
            transactions[i] = ReadTransaction(ref r, i, hash, number);
        }

        return new EvmBlock
        {
            Number = number,
            Hash = hash,
            ParentHash = parentHash,
            Nonce = nonce,
            Sha3Uncles = sha3Uncles,
            LogsBloom = bloom,
            TransactionsRoot = txRoot,
            StateRoot = stateRoot,
            ReceiptsRoot = receiptsRoot,
            Miner = miner,
            Difficulty = difficulty,
            TotalDifficulty = totalDifficulty,
            Size = size,
            ExtraData = extra,
            GasLimit = gasLimit,
            GasUsed = gasUsed,
            Timestamp = timestamp,
            BaseFeePerGas = baseFee,
            WithdrawalsRoot = withdrawalsRoot,
            Withdrawals = withdrawals,
            BlobGasUsed = blobGasUsed,
            ExcessBlobGas = excessBlobGas,
            ParentBeaconBlockRoot = parentBeaconRoot,
            Uncles = uncles,
            Transactions = transactions,
        };
    }

    // ---- transaction ----

    private static void WriteTransaction(CodecWriter w, EvmTransaction t, int position, EvmBlock b)
    {
        ulong flags = 0;
        Set(ref flags, TBlockHash, t.BlockHash != b.Hash);
        Set(ref flags, TBlockNumber, t.BlockNumber != b.Number);
        Set(ref flags, TIndex, t.TransactionIndex != position);
        Set(ref flags, TTo, t.To.HasValue);
        Set(ref flags, TGasPrice, t.GasPrice.HasValue);
        Set(ref flags, TMaxFee, t.MaxFeePerGas.HasValue);
        Set(ref flags, TMaxPriority, t.MaxPriorityFeePerGas.HasValue);
        Set(ref flags, TType, t.Type.HasValue);
        Set(ref flags, TMaxBlobFee, t.MaxFeePerBlobGas.HasValue);
        Set(ref flags, TBlobHashes, t.BlobVersionedHashes is not null);
        w.VarUInt(flags);

        w.Hash(t.Hash);
        w.VarUInt(t.Nonce);
        if (Has(flags, TBlockHash))
        {
            w.Hash(t.BlockHash);
        }

        if (Has(flags, TBlockNumber))
        {
            w.VarInt(t.BlockNumber);
        }

        if (Has(flags, TIndex))
        {
            w.VarInt(t.TransactionIndex);
        }

        w.Address(t.From);
        if (t.To is { } to)
        {
            w.Address(to);
        }

        w.UInt256(t.Value);
        w.VarInt(t.Gas);
        if (t.GasPrice is { } gasPrice)
        {
            w.UInt256(gasPrice);
        }

        w.Bytes(t.Input);
        if (t.MaxFeePerGas is { } maxFee)
        {
            w.UInt256(maxFee);
        }

        if (t.MaxPriorityFeePerGas is { } maxPriority)
        {
            w.UInt256(maxPriority);
        }

        if (t.Type is { } type)
        {
            w.VarInt(type);
        }

        if (t.MaxFeePerBlobGas is { } maxBlob)
        {
            w.UInt256(maxBlob);
        }

        if (t.BlobVersionedHashes is { } blobHashes)
        {
            w.Count(blobHashes.Count);
            foreach (var h in blobHashes)
            {
                w.Hash(h);
            }
        }
    }

    private static EvmTransaction ReadTransaction(ref CodecReader r, int position, EvmHash blockHash, long blockNumber)
    {
        var flags = r.Flags("transaction flags", TxKnown);
        var hash = r.Hash("transaction hash");
        var nonce = r.VarUInt("transaction nonce");
        var txBlockHash = Has(flags, TBlockHash) ? r.Hash("transaction blockHash") : blockHash;
        var txBlockNumber = Has(flags, TBlockNumber) ? r.VarInt("transaction blockNumber") : blockNumber;
        var index = Has(flags, TIndex) ? r.Int("transaction transactionIndex") : position;
        var from = r.Address("transaction from");
        EvmAddress? to = Has(flags, TTo) ? r.Address("transaction to") : null;
        var value = r.UInt256("transaction value");
        var gas = r.VarInt("transaction gas");
        UInt256? gasPrice = Has(flags, TGasPrice) ? r.UInt256("transaction gasPrice") : null;
        var input = r.Bytes("transaction input");
        UInt256? maxFee = Has(flags, TMaxFee) ? r.UInt256("transaction maxFeePerGas") : null;
        UInt256? maxPriority = Has(flags, TMaxPriority) ? r.UInt256("transaction maxPriorityFeePerGas") : null;
        int? type = Has(flags, TType) ? r.Int("transaction type") : null;
        UInt256? maxBlob = Has(flags, TMaxBlobFee) ? r.UInt256("transaction maxFeePerBlobGas") : null;
        EvmHash[]? blobHashes = null;
        if (Has(flags, TBlobHashes))
        {
            blobHashes = new EvmHash[r.Count("blob hash count", EvmHash.Size)];
            for (var i = 0; i < blobHashes.Length; i++)
            {
                blobHashes[i] = r.Hash("blob versioned hash");
            }
        }

        return new EvmTransaction
        {
            Hash = hash,
            Nonce = nonce,
            BlockHash = txBlockHash,
            BlockNumber = txBlockNumber,
            TransactionIndex = index,
            From = from,
            To = to,
            Value = value,
            Gas = gas,
            GasPrice = gasPrice,
            Input = input,
            MaxFeePerGas = maxFee,
            MaxPriorityFeePerGas = maxPriority,
            Type = type,
            MaxFeePerBlobGas = maxBlob,
            BlobVersionedHashes = blobHashes,
        };
    }

    // ---- receipt and logs ----

    private static EvmHash? DefaultTxHash(EvmBlock b, int position) =>
        position >= 0 && position < b.Transactions.Count ? b.Transactions[position].Hash : null;

    private static void WriteReceipt(CodecWriter w, EvmReceipt x, int position, EvmBlock b, ref int nextLogIndex)
    {
        ulong flags = 0;
        Set(ref flags, RTxHash, DefaultTxHash(b, position) != x.TransactionHash);
        Set(ref flags, RTxIndex, x.TransactionIndex != position);
        Set(ref flags, RBlockHash, x.BlockHash != b.Hash);
        Set(ref flags, RBlockNumber, x.BlockNumber != b.Number);
        Set(ref flags, RContract, x.ContractAddress.HasValue);
        Set(ref flags, RRoot, x.Root.HasValue);
        Set(ref flags, RStatus, x.Status.HasValue);
        Set(ref flags, REffectivePrice, x.EffectiveGasPrice.HasValue);
        Set(ref flags, RL1Fee, x.L1Fee.HasValue);
        Set(ref flags, RL1GasUsed, x.L1GasUsed.HasValue);
        Set(ref flags, RL1GasPrice, x.L1GasPrice.HasValue);
        Set(ref flags, RL1FeeScalar, x.L1FeeScalar is not null);
        Set(ref flags, RBlobGasUsed, x.BlobGasUsed.HasValue);
        Set(ref flags, RBlobGasPrice, x.BlobGasPrice.HasValue);
        w.VarUInt(flags);

        if (Has(flags, RTxHash))
        {
            w.Hash(x.TransactionHash);
        }

        if (Has(flags, RTxIndex))
        {
            w.VarInt(x.TransactionIndex);
        }

        if (Has(flags, RBlockHash))
        {
            w.Hash(x.BlockHash);
        }

        if (Has(flags, RBlockNumber))
        {
            w.VarInt(x.BlockNumber);
        }

        w.VarInt(x.CumulativeGasUsed);
        w.VarInt(x.GasUsed);
        if (x.ContractAddress is { } contract)
        {
            w.Address(contract);
        }

        if (x.Root is { } root)
        {
            w.Hash(root);
        }

        if (x.Status is { } status)
        {
            w.VarInt(status);
        }

        if (x.EffectiveGasPrice is { } egp)
        {
            w.UInt256(egp);
        }

        if (x.L1Fee is { } l1Fee)
        {
            w.UInt256(l1Fee);
        }

        if (x.L1GasUsed is { } l1GasUsed)
        {
            w.VarInt(l1GasUsed);
        }

        if (x.L1GasPrice is { } l1GasPrice)
        {
            w.UInt256(l1GasPrice);
        }

        if (x.L1FeeScalar is { } scalar)
        {
            w.String(scalar);
        }

        if (x.BlobGasUsed is { } blobGasUsed)
        {
            w.VarInt(blobGasUsed);
        }

        if (x.BlobGasPrice is { } blobGasPrice)
        {
            w.UInt256(blobGasPrice);
        }

        w.Count(x.Logs.Count);
        foreach (var log in x.Logs)
        {
            WriteLog(w, log, x, ref nextLogIndex);
        }
    }

    private static EvmReceipt ReadReceipt(ref CodecReader r, int position, EvmBlock b, ref int nextLogIndex)
    {
        var flags = r.Flags("receipt flags", ReceiptKnown);
        EvmHash txHash;
        if (Has(flags, RTxHash))
        {
            txHash = r.Hash("receipt transactionHash");
        }
        else
        {
            txHash = DefaultTxHash(b, position)
                ?? throw r.Error($"receipt {position} leaves out its transaction hash but the block has only {b.Transactions.Count} transactions");
        }

        var txIndex = Has(flags, RTxIndex) ? r.Int("receipt transactionIndex") : position;
        var blockHash = Has(flags, RBlockHash) ? r.Hash("receipt blockHash") : b.Hash;
        var blockNumber = Has(flags, RBlockNumber) ? r.VarInt("receipt blockNumber") : b.Number;
        var cumulative = r.VarInt("receipt cumulativeGasUsed");
        var gasUsed = r.VarInt("receipt gasUsed");
        EvmAddress? contract = Has(flags, RContract) ? r.Address("receipt contractAddress") : null;
        EvmHash? root = Has(flags, RRoot) ? r.Hash("receipt root") : null;
        int? status = Has(flags, RStatus) ? r.Int("receipt status") : null;
        UInt256? egp = Has(flags, REffectivePrice) ? r.UInt256("receipt effectiveGasPrice") : null;
        UInt256? l1Fee = Has(flags, RL1Fee) ? r.UInt256("receipt l1Fee") : null;
        long? l1GasUsed = Has(flags, RL1GasUsed) ? r.VarInt("receipt l1GasUsed") : null;
        UInt256? l1GasPrice = Has(flags, RL1GasPrice) ? r.UInt256("receipt l1GasPrice") : null;
        var l1FeeScalar = Has(flags, RL1FeeScalar) ? r.String("receipt l1FeeScalar") : null;
        long? blobGasUsed = Has(flags, RBlobGasUsed) ? r.VarInt("receipt blobGasUsed") : null;
        UInt256? blobGasPrice = Has(flags, RBlobGasPrice) ? r.UInt256("receipt blobGasPrice") : null;
        var logs = new EvmLog[r.Count("log count", 1 + EvmAddress.Size + 2)];
        for (var i = 0; i < logs.Length; i++)
        {
            logs[i] = ReadLog(ref r, txHash, txIndex, blockHash, blockNumber, ref nextLogIndex);
        }

        return new EvmReceipt
        {
            TransactionHash = txHash,
            TransactionIndex = txIndex,
            BlockHash = blockHash,
            BlockNumber = blockNumber,
            CumulativeGasUsed = cumulative,
            GasUsed = gasUsed,
            ContractAddress = contract,
            Root = root,
            Status = status,
            EffectiveGasPrice = egp,
            L1Fee = l1Fee,
            L1GasUsed = l1GasUsed,
            L1GasPrice = l1GasPrice,
            L1FeeScalar = l1FeeScalar,
            BlobGasUsed = blobGasUsed,
            BlobGasPrice = blobGasPrice,
            Logs = logs,
        };
    }

    private static void WriteLog(CodecWriter w, EvmLog log, EvmReceipt x, ref int nextLogIndex)
    {
        ulong flags = 0;
        Set(ref flags, LIndex, log.LogIndex != nextLogIndex);
        Set(ref flags, LTxHash, log.TransactionHash != x.TransactionHash);
        Set(ref flags, LTxIndex, log.TransactionIndex != x.TransactionIndex);
        Set(ref flags, LBlockHash, log.BlockHash != x.BlockHash);
        Set(ref flags, LBlockNumber, log.BlockNumber != x.BlockNumber);
        w.VarUInt(flags);
        if (Has(flags, LIndex))
        {
            w.VarInt(log.LogIndex);
        }

        if (Has(flags, LTxHash))
        {
            w.Hash(log.TransactionHash);
        }

        if (Has(flags, LTxIndex))
        {
            w.VarInt(log.TransactionIndex);
        }

        if (Has(flags, LBlockHash))
        {
            w.Hash(log.BlockHash);
        }

        if (Has(flags, LBlockNumber))
        {
            w.VarInt(log.BlockNumber);
        }

        w.Address(log.Address);
        w.Bytes(log.Data);
        w.Count(log.Topics.Count);
        foreach (var topic in log.Topics)
        {
            w.Hash(topic);
        }

        nextLogIndex = unchecked(log.LogIndex + 1);
    }

    private static EvmLog ReadLog(ref CodecReader r, EvmHash txHash, int txIndex, EvmHash blockHash, long blockNumber, ref int nextLogIndex)
    {
        var flags = r.Flags("log flags", LogKnown);
        var index = Has(flags, LIndex) ? r.Int("log logIndex") : nextLogIndex;
        var logTxHash = Has(flags, LTxHash) ? r.Hash("log transactionHash") : txHash;
        var logTxIndex = Has(flags, LTxIndex) ? r.Int("log transactionIndex") : txIndex;
        var logBlockHash = Has(flags, LBlockHash) ? r.Hash("log blockHash") : blockHash;
        var logBlockNumber = Has(flags, LBlockNumber) ? r.VarInt("log blockNumber") : blockNumber;
        var address = r.Address("log address");
        var data = r.Bytes("log data");
        var topics = new EvmHash[r.Count("topic count", EvmHash.Size)];
        for (var i = 0; i < topics.Length; i++)
        {
            topics[i] = r.Hash("log topic");
        }

        nextLogIndex = unchecked(index + 1);
        return new EvmLog
        {
            LogIndex = index,
            TransactionHash = logTxHash,
            TransactionIndex = logTxIndex,
            BlockHash = logBlockHash,
            BlockNumber = logBlockNumber,
            Address = address,
            Data = data,
            Topics = topics,
        };
    }

    // ---- traces ----

    private static void WriteTrace(CodecWriter w, EvmTrace t, EvmBlock b)
    {
        var derivedHash = t.TransactionIndex is { } ti ? DefaultTxHash(b, ti) : null;
        ulong flags = 0;
        Set(ref flags, XBlockNumber, t.BlockNumber != b.Number);
        Set(ref flags, XTxIndex, t.TransactionIndex.HasValue);
        Set(ref flags, XTxHash, t.TransactionHash.HasValue);
        Set(ref flags, XTxHashExplicit, t.TransactionHash.HasValue && t.TransactionHash != derivedHash);
        Set(ref flags, XFrom, t.From.HasValue);
        Set(ref flags, XTo, t.To.HasValue);
        Set(ref flags, XValue, t.Value.HasValue);
        Set(ref flags, XInput, t.Input is not null);
        Set(ref flags, XOutput, t.Output is not null);
        Set(ref flags, XGas, t.Gas.HasValue);
        Set(ref flags, XGasUsed, t.GasUsed.HasValue);
        Set(ref flags, XError, t.Error is not null);
        Set(ref flags, XCallType, t.CallType is not null);
        Set(ref flags, XRewardType, t.RewardType is not null);
        w.VarUInt(flags);

        if (Has(flags, XBlockNumber))
        {
            w.VarInt(t.BlockNumber);
        }

        if (t.TransactionIndex is { } index)
        {
            w.VarInt(index);
        }

        if (Has(flags, XTxHashExplicit))
        {
            w.Hash(t.TransactionHash!.Value);
        }

        w.Byte((byte)t.TraceType);
        if (t.CallType is { } callType)
        {
            WriteTypeName(w, callType);
        }

        if (t.RewardType is { } rewardType)
        {
            WriteTypeName(w, rewardType);
        }

        if (t.From is { } from)
        {
            w.Address(from);
        }

        if (t.To is { } to)
        {
            w.Address(to);
        }

        if (t.Value is { } value)
        {
            w.UInt256(value);
        }

        if (t.Input is { } input)
        {
            w.Bytes(input);
        }

        if (t.Output is { } output)
        {
            w.Bytes(output);
        }

        if (t.Gas is { } gas)
        {
            w.VarInt(gas);
        }

        if (t.GasUsed is { } gasUsed)
        {
            w.VarInt(gasUsed);
        }

        w.VarInt(t.Subtraces);
        w.Count(t.TraceAddress.Count);
        foreach (var a in t.TraceAddress)
        {
            w.VarInt(a);
        }

        if (t.Error is { } error)
        {
            w.String(error);
        }
    }

    private static EvmTrace ReadTrace(ref CodecReader r, EvmBlock b)
    {
        var start = r.Position;
        var flags = r.Flags("trace flags", TraceKnown);
        if (Has(flags, XTxHashExplicit) && !Has(flags, XTxHash))
        {
            throw r.Error("trace flags: explicit transaction hash without a transaction hash", start);
        }

        var blockNumber = Has(flags, XBlockNumber) ? r.VarInt("trace blockNumber") : b.Number;
        int? txIndex = Has(flags, XTxIndex) ? r.Int("trace transactionPosition") : null;
        EvmHash? txHash = null;
        if (Has(flags, XTxHashExplicit))
        {
            txHash = r.Hash("trace transactionHash");
        }
        else if (Has(flags, XTxHash))
        {
            txHash = (txIndex is { } ti ? DefaultTxHash(b, ti) : null)
                ?? throw r.Error("trace leaves out a transaction hash that its transaction position cannot give", start);
        }

        var traceType = (EvmTraceType)r.Byte("trace type");
        var callType = Has(flags, XCallType) ? ReadTypeName(ref r, "trace callType") : null;
        var rewardType = Has(flags, XRewardType) ? ReadTypeName(ref r, "trace rewardType") : null;
        EvmAddress? from = Has(flags, XFrom) ? r.Address("trace from") : null;
        EvmAddress? to = Has(flags, XTo) ? r.Address("trace to") : null;
        UInt256? value = Has(flags, XValue) ? r.UInt256("trace value") : null;
        var input = Has(flags, XInput) ? r.Bytes("trace input") : null;
        var output = Has(flags, XOutput) ? r.Bytes("trace output") : null;
        long? gas = Has(flags, XGas) ? r.VarInt("trace gas") : null;
        long? gasUsed = Has(flags, XGasUsed) ? r.VarInt("trace gasUsed") : null;
        var subtraces = r.Int("trace subtraces");
        var address = new int[r.Count("trace address length")];
        for (var i = 0; i < address.Length; i++)
        {
            address[i] = r.Int("trace address");
        }

        var error = Has(flags, XError) ? r.String("trace error") : null;
        return new EvmTrace
        {
            BlockNumber = blockNumber,
            TransactionHash = txHash,
            TransactionIndex = txIndex,
            TraceType = traceType,
            CallType = callType,
            RewardType = rewardType,
            From = from,
            To = to,
            Value = value,
            Input = input,
            Output = output,
            Gas = gas,
            GasUsed = gasUsed,
            Subtraces = subtraces,
            TraceAddress = address,
            Error = error,
        };
    }

    private static void WriteTypeName(CodecWriter w, string name)
    {
        var code = Array.IndexOf(_knownTypes, name);
        if (code > 0)
        {
            w.Byte((byte)code);
        }
        else
        {
            w.Byte(0);
            w.String(name);
        }
    }

    private static string ReadTypeName(ref CodecReader r, string field)
    {
        var start = r.Position;
        var code = r.Byte(field);
        if (code == 0)
        {
            return r.String(field);
        }

        return code < _knownTypes.Length ? _knownTypes[code] : throw r.Error($"{field}: unknown type code {code}", start);
    }

    // ---- tokens ----

    private static void WriteToken(CodecWriter w, EvmToken token)
    {
        ulong flags = 0;
        Set(ref flags, KSymbol, token.Symbol is not null);
        Set(ref flags, KName, token.Name is not null);
        Set(ref flags, KDecimals, token.Decimals.HasValue);
        Set(ref flags, KTotalSupply, token.TotalSupply.HasValue);
        Set(ref flags, KBlockNumber, token.BlockNumber.HasValue);
        w.VarUInt(flags);
        w.Address(token.Address);
        if (token.Symbol is { } symbol)
        {
            w.String(symbol);
        }

        if (token.Name is { } name)
        {
            w.String(name);
        }

        if (token.Decimals is { } decimals)
        {
            w.VarInt(decimals);
        }

        if (token.TotalSupply is { } supply)
        {
            w.UInt256(supply);
        }

        if (token.BlockNumber is { } blockNumber)
        {
            w.VarInt(blockNumber);
        }
    }

    private static EvmToken ReadToken(ref CodecReader r)
    {
        var flags = r.Flags("token flags", TokenKnown);
        var address = r.Address("token address");
        var symbol = Has(flags, KSymbol) ? r.String("token symbol") : null;
        var name = Has(flags, KName) ? r.String("token name") : null;
        int? decimals = Has(flags, KDecimals) ? r.Int("token decimals") : null;
        UInt256? supply = Has(flags, KTotalSupply) ? r.UInt256("token totalSupply") : null;
        long? blockNumber = Has(flags, KBlockNumber) ? r.VarInt("token blockNumber") : null;
        return new EvmToken(address, symbol, name, decimals, supply, blockNumber);
    }

    private static void Set(ref ulong flags, ulong bit, bool on)
    {
        if (on)
        {
            flags |= bit;
        }
    }

    private static bool Has(ulong flags, ulong bit) => (flags & bit) != 0;
}
