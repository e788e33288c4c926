using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Tokens;

/// <summary>
/// Reads token metadata — <c>name()</c>, <c>symbol()</c>, <c>decimals()</c>, <c>totalSupply()</c> — with <c>eth_call</c>, four
/// calls per token, all tokens of a list in one batch (which the client splits by its batch size).
/// </summary>
/// <remarks>
/// Answers are decoded as ethereum-etl's <c>EthTokenService</c> (web3.py 5 / eth-abi 2) does, so exports match:
/// <list type="bullet">
/// <item>name and symbol: first as an ABI <c>string</c> (offset word, length word, bytes; the offset and length must lie inside
/// the answer, the padding after the text must be zero, the text must be strict UTF-8); when that fails, as <c>bytes32</c>
/// (the first 32 bytes as strict UTF-8, e.g. MKR's or EOS's "EOS\0\0…"); when both fail, null. Then every NUL character is
/// removed, anywhere in the text (ethereum-etl's <c>clean_user_provided_content</c>). An empty ABI string stays "".</item>
/// <item>decimals: a <c>uint8</c> — the first word's upper 31 bytes must be zero, else null.</item>
/// <item>totalSupply: a <c>uint256</c> — the first 32 bytes.</item>
/// <item>An answer shorter than its type (e.g. "0x" from an account without code), a reverted call, or any JSON-RPC error is
/// null for that field; one token's failure never throws. Transport failures after the client's retries do throw.</item>
/// </list>
/// ethereum-etl additionally tries the upper-case <c>NAME()</c>, <c>SYMBOL()</c>, <c>DECIMALS()</c> functions; this reader
/// does not.
/// </remarks>
public sealed class TokenMetadataReader(EvmRpcClient rpc)
{
    public const string NameSelector = "0x06fdde03";
    public const string SymbolSelector = "0x95d89b41";
    public const string DecimalsSelector = "0x313ce567";
    public const string TotalSupplySelector = "0x18160ddd";

    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Metadata of each token, in the given order, read at <paramref name="blockNumber"/> (null: "latest").</summary>
    public async Task<IReadOnlyList<EvmToken>> ReadAsync(IReadOnlyList<EvmAddress> tokens, long? blockNumber, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
        {
            return [];
        }

        if (blockNumber is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockNumber), blockNumber, "a block number is not negative");
        }

        var tag = blockNumber is { } n ? Hex.Quantity((ulong)n) : "latest";
        string[] selectors = [NameSelector, SymbolSelector, DecimalsSelector, TotalSupplySelector];
        var calls = new EvmRpcCall[tokens.Count * selectors.Length];
        for (var k = 0; k < tokens.Count; k++)
        {
            var to = tokens[k].ToString();
            for (var s = 0; s < selectors.Length; s++)
            {
                var request = new Dictionary<string, object?> { ["to"] = to, ["data"] = selectors[s] };
                calls[(k * selectors.Length) + s] = new EvmRpcCall("eth_call", [request, tag]);
            }
        }

        var results = await rpc.BatchAsync(calls, ct).ConfigureAwait(false);
        var list = new EvmToken[tokens.Count];
        for (var k = 0; k < tokens.Count; k++)
        {
            var b = k * selectors.Length;
            list[k] = Decode(tokens[k], blockNumber, AnswerBytes(results[b]), AnswerBytes(results[b + 1]), AnswerBytes(results[b + 2]), AnswerBytes(results[b + 3]));
        }

        return list;
    }

    /// <summary>The bytes of an <c>eth_call</c> answer ("0x…"), or null for an error or a result that is not hex data.</summary>
    public static byte[]? AnswerBytes(EvmRpcResult result) =>
        result.Error is null && result.Result.ValueKind == JsonValueKind.String && Hex.TryDecode(result.Result.GetString(), out var bytes)
            ? bytes
            : null;

    /// <summary>Builds the token from the four raw answers (null = the call failed).</summary>
    public static EvmToken Decode(EvmAddress address, long? blockNumber, byte[]? name, byte[]? symbol, byte[]? decimals, byte[]? totalSupply) =>
        new(
            address,
            symbol is null ? null : DecodeText(symbol),
            name is null ? null : DecodeText(name),
            decimals is null ? null : DecodeUInt8(decimals),
            totalSupply is null ? null : DecodeUInt256(totalSupply),
            blockNumber);

    /// <summary>A name or symbol answer: ABI string, else bytes32, else null; NUL characters removed.</summary>
    public static string? DecodeText(ReadOnlySpan<byte> answer)
    {
        var text = DecodeAbiString(answer) ?? DecodeBytes32(answer);
        return text?.Replace("\0", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>An ABI-encoded dynamic <c>string</c> as eth-abi 2 decodes it, or null when eth-abi would refuse it.</summary>
    public static string? DecodeAbiString(ReadOnlySpan<byte> answer)
    {
        if (answer.Length < 32)
        {
            return null;
        }

        var offsetWord = UInt256.FromBigEndian(answer[..32]);
        if (!offsetWord.FitsUInt64 || offsetWord.Low64 > (ulong)(answer.Length - 32))
        {
            return null;
        }

        var offset = (int)offsetWord.Low64;
        var lengthWord = UInt256.FromBigEndian(answer.Slice(offset, 32));
        var available = (ulong)(answer.Length - offset - 32);
        if (!lengthWord.FitsUInt64 || lengthWord.Low64 > available)
        {
            return null;
        }

        var length = (int)lengthWord.Low64;
        var padded = (length + 31) / 32 * 32;
        if ((ulong)padded > available)
        {
            return null;
        }

        var body = answer.Slice(offset + 32, padded);
        if (body[length..].IndexOfAnyExcept((byte)0) >= 0)
        {
            return null; // eth-abi: NonEmptyPaddingBytes
        }

        return StrictUtf8(body[..length]);
    }

    /// <summary>A <c>bytes32</c> answer read as text: the first 32 bytes as strict UTF-8 (NULs kept), or null.</summary>
    public static string? DecodeBytes32(ReadOnlySpan<byte> answer) => answer.Length < 32 ? null : StrictUtf8(answer[..32]);

    /// <summary>A <c>uint8</c> answer: null when shorter than a word or when the value does not fit in 8 bits.</summary>
    public static int? DecodeUInt8(ReadOnlySpan<byte> answer) =>
        answer.Length < 32 || answer[..31].IndexOfAnyExcept((byte)0) >= 0 ? null : answer[31];

    /// <summary>A <c>uint256</c> answer: the first word, or null when the answer is shorter.</summary>
    public static UInt256? DecodeUInt256(ReadOnlySpan<byte> answer) => answer.Length < 32 ? null : UInt256.FromBigEndian(answer[..32]);

    private static string? StrictUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return _strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
