using System.Text.Json;
using Ashiato.TestSupport;

namespace Ashiato.Ingest.Tests.Fixtures;

public sealed class RpcRecordingsTests
{
    [Theory]
    [InlineData("getblockhash", "[50001]", "rpc_response_getblockhash_50001.json")]
    [InlineData("getblockcount", "[]", "rpc_response_getblockcount.json")]
    [InlineData("getblock", """["00ab", 2]""", "rpc_response_getblock_00ab_2.json")]
    [InlineData("getblock", """["00ab", true]""", "rpc_response_getblock_00ab_True.json")]
    [InlineData("getblock", """["00ab"]""", "rpc_response_getblock_00ab_None.json")]
    [InlineData("getrawtransaction", """["7f01", 1]""", "rpc_response_getrawtransaction_7f01.json")]
    [InlineData("getrawtransaction", """["7f01", true]""", "rpc_response_getrawtransaction_7f01.json")]
    [InlineData("getrawtransaction", """["7f01"]""", null)]
    [InlineData("getrawtransaction", """["7f01", 0]""", null)]
    [InlineData("getrawtransaction", """["7f01", 2]""", null)]
    public void FileNameFor_FollowsBlockchainEtlNaming(string method, string paramsJson, string? expected)
    {
        using var document = JsonDocument.Parse(paramsJson);

        var name = RpcRecordings.FileNameFor(method, document.RootElement.EnumerateArray().ToArray());

        Assert.Equal(expected, name);
    }

    [Fact]
    public void Load_ConflictingAnswersForOneCall_ThrowsNamingBothFiles()
    {
        // bitcoin's and zcash's getblockhash 0 differ.
        var bitcoin = Recordings.Folder("bitcoin", "block_0");
        var zcash = Recordings.Folder("zcash", "block_0");

        var error = Assert.Throws<InvalidDataException>(() => RpcRecordings.Load([bitcoin, zcash]));

        Assert.Contains(Path.Combine(bitcoin, "rpc_response_getblockhash_0.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(zcash, "rpc_response_getblockhash_0.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameAnswerInTwoFolders_KeepsOne()
    {
        var recordings = RpcRecordings.Load([Recordings.BlockWithTransactions, Recordings.Stream50001To50002]);

        // 4 files in the first folder, 10 in the second, 4 of them the same calls.
        Assert.Equal(10, recordings.Count);
    }

    [Fact]
    public void Load_MissingFolder_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => RpcRecordings.Load([Recordings.Folder("bitcoin", "no_such_folder")]));
    }
}

/// <summary>Folders of blockchain-etl recordings in the shared test data.</summary>
internal static class Recordings
{
    public static string BlockWithTransactions => Folder("bitcoin", "block_with_transactions");

    public static string Stream50001To50002 => Folder("bitcoin", "stream_50001_50002");

    public static string BitcoinCashDuplicateTxid => Folder("bitcoin_cash", "block_with_duplicate_txid");

    public static string Folder(string chain, string name) =>
        SharedData.PathTo("etl", "bitcoin-etl", "tests", "resources", "test_export_blocks_job", chain, name);
}
