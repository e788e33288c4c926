using System.Text.Json;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Chains.Evm.Model;
using Ashiato.Chains.Evm.Rpc;
using Ashiato.Chains.Evm.Tests.Rpc;
using Ashiato.Chains.Evm.Tokens;
using Ashiato.Core;
using Ashiato.TestSupport;

namespace Ashiato.Chains.Evm.Tests.Tokens;

public sealed class TokenMetadataReaderTests
{
    private static readonly string[] _selectors =
        [TokenMetadataReader.NameSelector, TokenMetadataReader.SymbolSelector, TokenMetadataReader.DecimalsSelector, TokenMetadataReader.TotalSupplySelector];

    public static TheoryData<string> Cases => ["token_with_alternative_return_type", "token_with_invalid_data"];

    private static string CaseDir(string name) => SharedData.PathTo("etl", "ethereum-etl", "tests", "resources", "test_export_tokens_job", name);

    /// <summary>The expected_tokens.csv row of the case (one token per case).</summary>
    private static Dictionary<string, string> ExpectedRow(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(CaseDir(name), "expected_tokens.csv")).Where(l => l.Length > 0).ToArray();
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        var values = lines[1].Split(',');
        Assert.Equal(header.Length, values.Length);
        return header.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>The recorded eth_call answer of a selector: the "result" of web3_response.eth_call_data_{selector}_to_{address}_latest.json.</summary>
    private static string? RecordedResult(string name, string selector, EvmAddress token)
    {
        var path = Path.Combine(CaseDir(name), $"web3_response.eth_call_data_{selector}_to_{token}_latest.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("result", out var r) ? r.GetString() : null;
    }

    private static void AssertMatchesCsv(Dictionary<string, string> expected, EvmToken token)
    {
        Assert.Equal(expected["address"], token.Address.ToString());
        Assert.Equal(expected["symbol"], token.Symbol ?? string.Empty);
        Assert.Equal(expected["name"], token.Name ?? string.Empty);
        Assert.Equal(expected["decimals"], token.Decimals?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        Assert.Equal(expected["total_supply"], token.TotalSupply?.ToString() ?? string.Empty);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RecordedAnswers_DecodeToTheExpectedCsv(string name)
    {
        var expected = ExpectedRow(name);
        var address = EvmAddress.Parse(expected["address"]);
        var answers = _selectors.Select(s => RecordedResult(name, s, address) is { } hex ? Hex.Decode(hex) : null).ToArray();

        var token = TokenMetadataReader.Decode(address, null, answers[0], answers[1], answers[2], answers[3]);

        AssertMatchesCsv(expected, token);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReadAsync_AgainstANodeServingTheRecordings_GivesTheExpectedCsv(string name)
    {
        var expected = ExpectedRow(name);
        var address = EvmAddress.Parse(expected["address"]);
        var reverting = EvmAddress.Parse("0x00000000000000000000000000000000000000aa");
        await using var server = FakeRpcServer.Start(req =>
        {
            var answers = req.Calls.Select(c =>
            {
                var id = c.GetProperty("id").GetRawText();
                var p = c.GetProperty("params");
                var to = EvmAddress.Parse(p[0].GetProperty("to").GetString()!);
                var result = RecordedResult(name, p[0].GetProperty("data").GetString()!, to);
                return result is null
                    ? $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32000,\"message\":\"execution reverted\"}}}}"
                    : $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{result}\"}}";
            });
            return FakeAnswer.Json("[" + string.Join(",", answers) + "]");
        });
        using var http = new HttpClient();
        var reader = new TokenMetadataReader(new EvmRpcClient(http, server.Url, new EvmRpcOptions { MaxRetries = 0 }));

        var tokens = await reader.ReadAsync([address, reverting], 5_000_000, CancellationToken.None);

        AssertMatchesCsv(expected, tokens[0]);
        Assert.Equal(5_000_000, tokens[0].BlockNumber);
        Assert.Equal(new EvmToken(reverting, null, null, null, null, 5_000_000), tokens[1]);
        var request = Assert.Single(server.Requests);
        Assert.Equal(8, request.Calls.Count);
        Assert.All(request.Calls, c => Assert.Equal("0x4c4b40", c.GetProperty("params")[1].GetString()));
        Assert.Equal(_selectors, request.Calls.Take(4).Select(c => c.GetProperty("params")[0].GetProperty("data").GetString()));
    }

    // ---- the decoding rules, one by one ----

    private static byte[] AbiString(byte[] text, int padTo = -1)
    {
        var padded = padTo >= 0 ? padTo : (text.Length + 31) / 32 * 32;
        var data = new byte[64 + padded];
        data[31] = 0x20;
        new UInt256((ulong)text.Length).WriteBigEndian(data.AsSpan(32, 32));
        text.CopyTo(data, 64);
        return data;
    }

    private static byte[] Bytes32(byte[] text)
    {
        var data = new byte[32];
        text.CopyTo(data, 0);
        return data;
    }

    [Fact]
    public void Text_AbiString()
    {
        Assert.Equal("Wrapped Ether", TokenMetadataReader.DecodeText(AbiString("Wrapped Ether"u8.ToArray())));
        Assert.Equal(string.Empty, TokenMetadataReader.DecodeText(AbiString([])));
        Assert.Equal("ÆON 🚀", TokenMetadataReader.DecodeText(AbiString("ÆON 🚀"u8.ToArray())));
    }

    [Fact]
    public void Text_NulsAreRemovedEverywhere()
    {
        Assert.Equal("ETH", TokenMetadataReader.DecodeText(AbiString("E\0TH\0\0"u8.ToArray())));
        Assert.Equal("MKR", TokenMetadataReader.DecodeText(Bytes32("MKR"u8.ToArray())));
        Assert.Equal("AB", TokenMetadataReader.DecodeText(Bytes32("A\0B"u8.ToArray())));
        Assert.Equal(string.Empty, TokenMetadataReader.DecodeText(new byte[32]));
    }

    [Fact]
    public void Text_FallsBackToBytes32_WhenTheStringDoesNotDecode()
    {
        // offset beyond the data: not a string, but valid bytes32 text
        Assert.Equal("EOS", TokenMetadataReader.DecodeText(Bytes32("EOS"u8.ToArray())));

        // invalid UTF-8 inside an ABI string: the string fails, and the first word (the offset 0x20) is read as bytes32,
        // as ethereum-etl does, giving a single space once the NULs are gone
        Assert.Equal(" ", TokenMetadataReader.DecodeText(AbiString([0x41, 0xFF, 0x42])));

        // non-zero padding after the text: refused as a string too
        var dirty = AbiString("ABC"u8.ToArray());
        dirty[^1] = 1;
        Assert.Null(TokenMetadataReader.DecodeAbiString(dirty));
        Assert.Equal(" ", TokenMetadataReader.DecodeText(dirty));

        // length longer than the data
        var truncated = AbiString("ABCDEFGH"u8.ToArray())[..70];
        Assert.Null(TokenMetadataReader.DecodeAbiString(truncated));
    }

    [Fact]
    public void Text_Garbage_IsNull()
    {
        Assert.Null(TokenMetadataReader.DecodeText([]));
        Assert.Null(TokenMetadataReader.DecodeText([0x41, 0x42]));
        var invalid = new byte[32];
        invalid[0] = 0xC3; // a lone UTF-8 lead byte, and an offset far beyond the data
        Assert.Null(TokenMetadataReader.DecodeText(invalid));
        var surrogate = Bytes32([0xED, 0xA0, 0x80]); // an encoded UTF-16 surrogate is not UTF-8
        Assert.Null(TokenMetadataReader.DecodeText(surrogate));
    }

    [Fact]
    public void Decimals_IsAUint8()
    {
        var word = new byte[32];
        word[31] = 18;
        Assert.Equal(18, TokenMetadataReader.DecodeUInt8(word));
        word[31] = 255;
        Assert.Equal(255, TokenMetadataReader.DecodeUInt8(word));
        word[30] = 1; // 511 does not fit in uint8
        Assert.Null(TokenMetadataReader.DecodeUInt8(word));
        Assert.Null(TokenMetadataReader.DecodeUInt8([18]));
        Assert.Null(TokenMetadataReader.DecodeUInt8([]));
    }

    [Fact]
    public void TotalSupply_IsAUint256()
    {
        var word = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.Equal(UInt256.MaxValue, TokenMetadataReader.DecodeUInt256(word));
        Assert.Equal(UInt256.MaxValue, TokenMetadataReader.DecodeUInt256([.. word, 1, 2])); // extra bytes are ignored
        Assert.Null(TokenMetadataReader.DecodeUInt256(word[..31]));
    }
}
