using System.Buffers.Binary;
using Ashiato.Chains.Bitcoin.Encoding;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Parsing;

/// <summary>
/// Parses serialized Bitcoin-family blocks: legacy and SegWit (BIP144) transactions and Litecoin MWEB
/// blocks (HogEx transaction flagged 0x08, extension bytes after the transaction list). Pure: bytes in,
/// records out. Verifies the merkle root. Not thread-safe; use one parser per thread.
/// </summary>
public sealed class BlockParser
{
    public const int HeaderSize = 80;
    private const int MaxBlockBytes = 64 * 1024 * 1024;

    private readonly Sha256Hasher _sha = new();
    private Hash256[] _merkle = new Hash256[64];

    /// <summary>Parses one block. <paramref name="source"/> and <paramref name="baseOffset"/> locate errors.</summary>
    public ParsedBlock Parse(ReadOnlyMemory<byte> raw, string source, long baseOffset, ParsedBlock? reuse = null)
    {
        var block = reuse ?? new ParsedBlock();
        block.Raw = raw;
        block.TxCount = 0;
        block.InputCount = 0;
        block.OutputCount = 0;
        block.MwebExtensionLength = 0;
        block.MwebTxBytes = 0;
        var span = raw.Span;
        if (span.Length < HeaderSize + 1)
        {
            throw new DataFormatException(source, baseOffset, $"block of {span.Length} bytes is shorter than a header and a transaction count");
        }

        if (span.Length > MaxBlockBytes)
        {
            throw new DataFormatException(source, baseOffset, $"block of {span.Length} bytes exceeds {MaxBlockBytes}");
        }

        block.Header = ReadHeader(span);
        Span<byte> headerHash = stackalloc byte[32];
        _sha.DoubleHash(span[..HeaderSize], headerHash);
        block.Hash = new Hash256(headerHash);
        var r = new Reader(span, HeaderSize, source, baseOffset);
        var txCount = r.CompactSizeCount("transaction count", 60);
        if (txCount == 0)
        {
            throw r.Error("block has no transactions");
        }

        var stripped = HeaderSize + CompactSizeLength((ulong)txCount);
        EnsureCapacity(ref block.Txs, txCount);
        for (var t = 0; t < txCount; t++)
        {
            ParseTx(ref r, block, t);
            stripped += block.Txs[t].StrippedSize;
            block.MwebTxBytes += block.Txs[t].MwebBytes;
        }

        block.TxCount = txCount;
        var trailing = span.Length - r.Position;
        if (trailing > 0)
        {
            if (txCount >= 2 && block.Txs[txCount - 1].IsHogEx)
            {
                // Litecoin MWEB: OptionalPtr<mw::Block> follows the transactions. We do not interpret it.
                if (span[r.Position] > 1)
                {
                    throw r.Error($"MWEB extension starts with 0x{span[r.Position]:x2}, expected 0x00 or 0x01");
                }

                if (span[r.Position] == 0 && trailing > 1)
                {
                    throw r.Error($"null MWEB extension (0x00) followed by {trailing - 1} unexpected bytes");
                }

                block.MwebExtensionLength = trailing;
            }
            else
            {
                throw r.Error($"{trailing} unexpected bytes after the last transaction");
            }
        }

        block.Size = span.Length;
        block.StrippedSize = stripped;
        var root = ComputeMerkleRoot(block);
        if (root != block.Header.MerkleRoot)
        {
            throw new DataFormatException(source, baseOffset,
                $"merkle root mismatch in block {block.Hash}: header says {block.Header.MerkleRoot}, transactions give {root}");
        }

        return block;
    }

    /// <summary>Parses one standalone transaction (e.g. from getrawtransaction) into <c>Txs[0]</c> of a block-less container.</summary>
    public ParsedBlock ParseTransaction(ReadOnlyMemory<byte> raw, string source)
    {
        var block = new ParsedBlock { Raw = raw };
        var r = new Reader(raw.Span, 0, source, 0);
        ParseTx(ref r, block, 0);
        if (r.Position != raw.Length)
        {
            throw r.Error($"{raw.Length - r.Position} unexpected bytes after the transaction");
        }

        block.TxCount = 1;
        return block;
    }

    public static BlockHeader ReadHeader(ReadOnlySpan<byte> header) => new(
        BinaryPrimitives.ReadInt32LittleEndian(header),
        new Hash256(header.Slice(4, 32)),
        new Hash256(header.Slice(36, 32)),
        BinaryPrimitives.ReadUInt32LittleEndian(header[68..]),
        BinaryPrimitives.ReadUInt32LittleEndian(header[72..]),
        BinaryPrimitives.ReadUInt32LittleEndian(header[76..]));

    public static Hash256 HashHeader(ReadOnlySpan<byte> header80)
    {
        Span<byte> h = stackalloc byte[32];
        Sha256Hasher.ForThread.DoubleHash(header80, h);
        return new Hash256(h);
    }

    public static int CompactSizeLength(ulong n) => n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;

    private void ParseTx(ref Reader r, ParsedBlock block, int index)
    {
        ref var tx = ref block.Txs[index];
        var start = r.Position;
        tx = default;
        tx.Offset = start;
        tx.Version = r.Int32();
        tx.FirstInput = block.InputCount;
        tx.FirstOutput = block.OutputCount;
        var flags = 0;
        var vinCountPos = r.Position;
        var vinCount = r.CompactSizeCount("input count", 41);
        if (vinCount == 0)
        {
            // BIP144 marker 0x00, then a non-zero flags byte.
            flags = r.Byte();
            if (flags == 0)
            {
                throw r.Error("transaction with no inputs and no extended-format flag");
            }

            vinCountPos = r.Position;
            vinCount = r.CompactSizeCount("input count", 41);
        }

        var bodyStart = vinCountPos;
        EnsureCapacity(ref block.Inputs, block.InputCount + vinCount);
        for (var i = 0; i < vinCount; i++)
        {
            ref var input = ref block.Inputs[block.InputCount + i];
            input.PrevTxId = new Hash256(r.Bytes(32));
            input.PrevIndex = r.UInt32();
            var len = r.CompactSizeCount("script length", 1);
            input.ScriptOffset = r.Position;
            input.ScriptLength = len;
            r.Skip(len);
            input.Sequence = r.UInt32();
            input.WitnessOffset = 0;
            input.WitnessLength = 0;
        }

        var voutCount = r.CompactSizeCount("output count", 9);
        EnsureCapacity(ref block.Outputs, block.OutputCount + voutCount);
        for (var o = 0; o < voutCount; o++)
        {
            ref var output = ref block.Outputs[block.OutputCount + o];
            output.Value = r.Int64();
            var len = r.CompactSizeCount("script length", 1);
            output.ScriptOffset = r.Position;
            output.ScriptLength = len;
            r.Skip(len);
        }

        var bodyEnd = r.Position;
        if ((flags & 1) != 0)
        {
            var any = false;
            for (var i = 0; i < vinCount; i++)
            {
                ref var input = ref block.Inputs[block.InputCount + i];
                var ws = r.Position;
                var items = r.CompactSizeCount("witness item count", 1);
                for (var k = 0; k < items; k++)
                {
                    var len = r.CompactSizeCount("witness item length", 1);
                    r.Skip(len);
                }

                input.WitnessOffset = ws;
                input.WitnessLength = r.Position - ws;
                any |= items > 0;
            }

            if (!any)
            {
                throw r.Error("superfluous witness record (all witness stacks empty)");
            }

            tx.HasWitness = true;
        }

        if ((flags & 8) != 0)
        {
            // Litecoin MWEB: OptionalPtr<mw::Transaction>. Inside a block only the HogEx carries the flag, with a null body.
            var present = r.Byte();
            if (present != 0)
            {
                throw r.Error("transaction carries an MWEB body (flag 0x08 with data); only HogEx transactions (empty body) are expected in blocks");
            }

            if (voutCount == 0)
            {
                throw r.Error("HogEx transaction without outputs");
            }

            tx.IsHogEx = true;
        }

        if ((flags & ~9) != 0)
        {
            throw r.Error($"unknown transaction flags 0x{flags:x2}");
        }

        var extraEnd = r.Position;
        tx.LockTime = r.UInt32();
        tx.Size = r.Position - start;
        tx.InputCount = vinCount;
        tx.OutputCount = voutCount;
        block.InputCount += vinCount;
        block.OutputCount += voutCount;

        // txid = double SHA-256 of version | inputs | outputs | locktime (no marker, flags, witness or MWEB data).
        var span = r.Span;
        Span<byte> h = stackalloc byte[32];
        if (flags == 0)
        {
            _sha.Hash(span.Slice(start, tx.Size), h);
            tx.StrippedSize = tx.Size;
        }
        else
        {
            _sha.Append(span.Slice(start, 4));
            _sha.Append(span[bodyStart..bodyEnd]);
            _sha.Append(span.Slice(extraEnd, 4));
            _sha.Finish(h);
            tx.StrippedSize = 4 + (bodyEnd - bodyStart) + 4;
        }

        _sha.Hash(h, h);
        tx.TxId = new Hash256(h);
    }

    private Hash256 ComputeMerkleRoot(ParsedBlock block)
    {
        var n = block.TxCount;
        EnsureCapacity(ref _merkle, n + 1);
        for (var i = 0; i < n; i++)
        {
            _merkle[i] = block.Txs[i].TxId;
        }

        Span<byte> pair = stackalloc byte[64];
        Span<byte> h = stackalloc byte[32];
        while (n > 1)
        {
            if ((n & 1) == 1)
            {
                _merkle[n] = _merkle[n - 1];
                n++;
            }

            for (var i = 0; i < n; i += 2)
            {
                _merkle[i].WriteTo(pair);
                _merkle[i + 1].WriteTo(pair[32..]);
                _sha.DoubleHash(pair, h);
                _merkle[i / 2] = new Hash256(h);
            }

            n /= 2;
        }

        return _merkle[0];
    }

    private static void EnsureCapacity<T>(ref T[] array, int needed)
    {
        if (array.Length < needed)
        {
            Array.Resize(ref array, Math.Max(needed, array.Length * 2));
        }
    }

    /// <summary>Bounds-checked little-endian reader; every failure names the source and absolute offset.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _span;
        private readonly string _source;
        private readonly long _baseOffset;

        public Reader(ReadOnlySpan<byte> span, int position, string source, long baseOffset)
        {
            _span = span;
            Position = position;
            _source = source;
            _baseOffset = baseOffset;
        }

        public int Position { get; private set; }

        public readonly ReadOnlySpan<byte> Span => _span;

        public readonly DataFormatException Error(string problem) => new(_source, _baseOffset + Position, problem);

        public byte Byte()
        {
            Need(1, null);
            return _span[Position++];
        }

        public int Int32()
        {
            Need(4, null);
            var v = BinaryPrimitives.ReadInt32LittleEndian(_span[Position..]);
            Position += 4;
            return v;
        }

        public uint UInt32()
        {
            Need(4, null);
            var v = BinaryPrimitives.ReadUInt32LittleEndian(_span[Position..]);
            Position += 4;
            return v;
        }

        public long Int64()
        {
            Need(8, null);
            var v = BinaryPrimitives.ReadInt64LittleEndian(_span[Position..]);
            Position += 8;
            return v;
        }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            Need(n, null);
            var s = _span.Slice(Position, n);
            Position += n;
            return s;
        }

        public void Skip(int n)
        {
            Need(n, null);
            Position += n;
        }

        /// <summary>Reads a CompactSize used as a count of items of at least <paramref name="minItemBytes"/> each; rejects impossible counts.</summary>
        public int CompactSizeCount(string what, int minItemBytes)
        {
            var at = Position;
            Need(1, what);
            ulong v = _span[Position++];
            ulong min = 0;
            if (v == 0xfd)
            {
                Need(2, what);
                v = BinaryPrimitives.ReadUInt16LittleEndian(_span[Position..]);
                Position += 2;
                min = 0xfd;
            }
            else if (v == 0xfe)
            {
                Need(4, what);
                v = BinaryPrimitives.ReadUInt32LittleEndian(_span[Position..]);
                Position += 4;
                min = 0x10000;
            }
            else if (v == 0xff)
            {
                Need(8, what);
                v = BinaryPrimitives.ReadUInt64LittleEndian(_span[Position..]);
                Position += 8;
                min = 0x100000000;
            }

            if (v < min)
            {
                // Bitcoin Core rejects these ("non-canonical ReadCompactSize()"); sizes computed from counts assume the short form.
                Position = at;
                throw Error($"{what} {v} has a non-canonical CompactSize encoding");
            }

            var remaining = (ulong)(_span.Length - Position);
            if (v > remaining / (ulong)minItemBytes)
            {
                Position = at;
                throw Error($"{what} {v} does not fit in the {remaining} bytes left");
            }

            return (int)v;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private readonly void Need(int n, string? what)
        {
            if (_span.Length - Position < n)
            {
                throw Truncated(n, what);
            }
        }

        private readonly DataFormatException Truncated(int n, string? what) =>
            Error($"truncated: needed {what ?? $"{n} bytes"}, {_span.Length - Position} bytes left");
    }
}
