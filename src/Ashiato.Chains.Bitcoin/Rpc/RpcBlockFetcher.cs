using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Rpc;

/// <summary>How a node gives us a block's bytes.</summary>
public enum BlockFetchMode
{
    /// <summary><c>getblock hash 0</c>: the serialized block as hex (exact bytes, MWEB extension included).</summary>
    Raw,

    /// <summary><c>getblock hash 2</c>: header fields and each transaction's hex; the block is rebuilt from them.</summary>
    Verbose,

    /// <summary>Old API (<c>getblock hash true</c> lists txids; <c>getrawtransaction txid 1</c> gives each hex).</summary>
    Legacy,
}

/// <summary>A block as fetched: its bytes, and the sizes the node reports when the bytes were rebuilt.</summary>
public sealed record FetchedBlock(int Height, Hash256 Hash, byte[] Raw, int? ReportedSize, int? ReportedStrippedSize);

/// <summary>Fetches blocks by height in batches, detecting once which getblock form the node supports.</summary>
public sealed class RpcBlockFetcher(BitcoinRpcClient rpc)
{
    public BlockFetchMode? Mode { get; private set; }

    public async Task<int> GetBlockCountAsync(CancellationToken ct) =>
        (await rpc.CallAsync("getblockcount", ct).ConfigureAwait(false)).GetInt32();

    public async Task<Hash256> GetBlockHashAsync(int height, CancellationToken ct) =>
        ParseHash(await rpc.CallAsync("getblockhash", ct, height).ConfigureAwait(false), "getblockhash", height);

    public async Task<Hash256[]> GetBlockHashesAsync(IReadOnlyList<int> heights, CancellationToken ct)
    {
        var results = await rpc.BatchAsync([.. heights.Select(h => ("getblockhash", new object?[] { h }))], ct).ConfigureAwait(false);
        var hashes = new Hash256[heights.Count];
        for (var i = 0; i < heights.Count; i++)
        {
            if (results[i].IsError)
            {
                throw new RpcException("getblockhash", results[i].ErrorCode!.Value, $"{results[i].ErrorMessage} (height {heights[i]})");
            }

            hashes[i] = ParseHash(results[i].Result, "getblockhash", heights[i]);
        }

        return hashes;
    }

    public async Task<FetchedBlock[]> GetBlocksAsync(IReadOnlyList<int> heights, IReadOnlyList<Hash256> hashes, CancellationToken ct)
    {
        if (Mode is null)
        {
            Mode = await DetectModeAsync(hashes[0], heights[0], ct).ConfigureAwait(false);
        }

        return Mode switch
        {
            BlockFetchMode.Raw => await FetchRawAsync(heights, hashes, ct).ConfigureAwait(false),
            BlockFetchMode.Verbose => await FetchVerboseAsync(heights, hashes, ct).ConfigureAwait(false),
            _ => await FetchLegacyAsync(heights, hashes, ct).ConfigureAwait(false),
        };
    }

    private async Task<BlockFetchMode> DetectModeAsync(Hash256 hash, int height, CancellationToken ct)
    {
        var probes = await rpc.BatchAsync(
        [
            ("getblock", new object?[] { hash.ToString(), 0 }),
            ("getblock", new object?[] { hash.ToString(), 2 }),
        ], ct).ConfigureAwait(false);
        if (!probes[0].IsError && probes[0].Result.ValueKind == JsonValueKind.String)
        {
            return BlockFetchMode.Raw;
        }

        if (!probes[1].IsError && probes[1].Result.ValueKind == JsonValueKind.Object && probes[1].Result.TryGetProperty("tx", out var txs)
            && txs.ValueKind == JsonValueKind.Array && (txs.GetArrayLength() == 0 || txs[0].ValueKind == JsonValueKind.Object))
        {
            return BlockFetchMode.Verbose;
        }

        var legacy = await rpc.BatchAsync([("getblock", new object?[] { hash.ToString(), true })], ct).ConfigureAwait(false);
        if (!legacy[0].IsError && legacy[0].Result.ValueKind == JsonValueKind.Object)
        {
            return BlockFetchMode.Legacy;
        }

        var err = legacy[0].IsError ? legacy[0] : probes[0];
        throw new RpcException("getblock", err.ErrorCode ?? -1, $"{err.ErrorMessage ?? "unexpected answer"} (block {height} {hash}; tried verbosity 0, 2 and true)");
    }

    private async Task<FetchedBlock[]> FetchRawAsync(IReadOnlyList<int> heights, IReadOnlyList<Hash256> hashes, CancellationToken ct)
    {
        var results = await rpc.BatchAsync([.. hashes.Select(h => ("getblock", new object?[] { h.ToString(), 0 }))], ct).ConfigureAwait(false);
        var blocks = new FetchedBlock[heights.Count];
        for (var i = 0; i < heights.Count; i++)
        {
            var r = Check(results[i], "getblock", heights[i]);
            if (r.ValueKind != JsonValueKind.String)
            {
                throw Malformed("getblock", heights[i], "expected a hex string");
            }

            blocks[i] = new FetchedBlock(heights[i], hashes[i], Hex(r.GetString()!, "getblock", heights[i]), null, null);
        }

        return blocks;
    }

    private async Task<FetchedBlock[]> FetchVerboseAsync(IReadOnlyList<int> heights, IReadOnlyList<Hash256> hashes, CancellationToken ct)
    {
        var results = await rpc.BatchAsync([.. hashes.Select(h => ("getblock", new object?[] { h.ToString(), 2 }))], ct).ConfigureAwait(false);
        var blocks = new FetchedBlock[heights.Count];
        for (var i = 0; i < heights.Count; i++)
        {
            var json = Check(results[i], "getblock", heights[i]);
            var txHex = new List<string>();
            foreach (var tx in Prop(json, "tx", heights[i]).EnumerateArray())
            {
                txHex.Add(Prop(tx, "hex", heights[i]).GetString() ?? throw Malformed("getblock", heights[i], "tx without hex"));
            }

            blocks[i] = Rebuild(json, txHex, heights[i], hashes[i]);
        }

        return blocks;
    }

    private async Task<FetchedBlock[]> FetchLegacyAsync(IReadOnlyList<int> heights, IReadOnlyList<Hash256> hashes, CancellationToken ct)
    {
        var results = await rpc.BatchAsync([.. hashes.Select(h => ("getblock", new object?[] { h.ToString(), true }))], ct).ConfigureAwait(false);
        var blocks = new FetchedBlock[heights.Count];
        for (var i = 0; i < heights.Count; i++)
        {
            var json = Check(results[i], "getblock", heights[i]);
            var txids = Prop(json, "tx", heights[i]).EnumerateArray().Select(t => t.GetString()!).ToList();
            var txs = await rpc.BatchAsync([.. txids.Select(t => ("getrawtransaction", new object?[] { t, 1 }))], ct).ConfigureAwait(false);
            var hex = new List<string>(txids.Count);
            for (var k = 0; k < txids.Count; k++)
            {
                var tx = Check(txs[k], "getrawtransaction", heights[i]);
                hex.Add(tx.ValueKind == JsonValueKind.String ? tx.GetString()! : Prop(tx, "hex", heights[i]).GetString()!);
            }

            blocks[i] = Rebuild(json, hex, heights[i], hashes[i]);
        }

        return blocks;
    }

    /// <summary>Rebuilds the serialized block from verbose header fields and transaction hex.</summary>
    private static FetchedBlock Rebuild(JsonElement json, List<string> txHex, int height, Hash256 hash)
    {
        var header = new byte[80];
        BinaryPrimitives.WriteInt32LittleEndian(header, Prop(json, "version", height).GetInt32());
        var prev = json.TryGetProperty("previousblockhash", out var p) ? Hash256.Parse(p.GetString()!) : Hash256.Zero;
        prev.WriteTo(header.AsSpan(4));
        Hash256.Parse(Prop(json, "merkleroot", height).GetString()!).WriteTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(68), Prop(json, "time", height).GetUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(72), uint.Parse(Prop(json, "bits", height).GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var nonce = Prop(json, "nonce", height);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(76), nonce.ValueKind == JsonValueKind.Number ? nonce.GetUInt32()
            : uint.Parse(nonce.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        using var ms = new MemoryStream();
        ms.Write(header);
        WriteCompactSize(ms, (ulong)txHex.Count);
        foreach (var hex in txHex)
        {
            ms.Write(Hex(hex, "getblock", height));
        }

        int? size = json.TryGetProperty("size", out var s) && s.TryGetInt32(out var si) ? si : null;
        int? stripped = json.TryGetProperty("strippedsize", out var ss) && ss.TryGetInt32(out var ssi) ? ssi : null;
        return new FetchedBlock(height, hash, ms.ToArray(), size, stripped ?? size);
    }

    private static void WriteCompactSize(Stream s, ulong n)
    {
        Span<byte> b = stackalloc byte[9];
        if (n < 0xfd)
        {
            s.WriteByte((byte)n);
        }
        else if (n <= 0xffff)
        {
            b[0] = 0xfd;
            BinaryPrimitives.WriteUInt16LittleEndian(b[1..], (ushort)n);
            s.Write(b[..3]);
        }
        else
        {
            b[0] = 0xfe;
            BinaryPrimitives.WriteUInt32LittleEndian(b[1..], (uint)n);
            s.Write(b[..5]);
        }
    }

    private static JsonElement Check(RpcResult r, string method, int height)
    {
        if (r.IsError)
        {
            throw new RpcException(method, r.ErrorCode!.Value, $"{r.ErrorMessage} (block {height})");
        }

        return r.Result;
    }

    private static JsonElement Prop(JsonElement json, string name, int height)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(name, out var v))
        {
            throw Malformed("getblock", height, $"field '{name}' missing");
        }

        return v;
    }

    private static byte[] Hex(string hex, string method, int height)
    {
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw Malformed(method, height, "invalid hex");
        }
    }

    private static Hash256 ParseHash(JsonElement e, string method, int height) =>
        e.ValueKind == JsonValueKind.String && Hash256.TryParse(e.GetString(), out var h) ? h : throw Malformed(method, height, "expected a block hash");

    private static UserErrorException Malformed(string method, int height, string problem) =>
        new($"malformed answer to {method} for block {height}: {problem}");
}
