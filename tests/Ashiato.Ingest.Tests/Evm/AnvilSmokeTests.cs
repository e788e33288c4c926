using System.Net;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;
using Ashiato.TestSupport;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Ingest.Tests.Evm;

/// <summary>The test collection sharing one anvil node (and one scenario run) in this assembly.</summary>
[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilFixture>
{
    public const string Name = "anvil";
}

/// <summary>
/// The EVM test support against a real anvil node: the scenario's effects as the node itself reports them.
/// </summary>
[Collection(AnvilCollection.Name)]
public sealed class AnvilSmokeTests(AnvilFixture fixture)
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Scenario_ProducesManyBlocksAndTransactions_AllMinedAsMeant()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;
        var scenario = await fixture.ScenarioAsync(cts.Token);

        Assert.True(scenario.LastBlock - scenario.FirstBlock + 1 >= 15, $"blocks {scenario.FirstBlock}..{scenario.LastBlock}");
        Assert.True(scenario.Transactions.Count >= 100, $"{scenario.Transactions.Count} transactions");
        Assert.Equal(scenario.Transactions.Count, scenario.Transactions.Select(t => t.Hash).Distinct().Count());
        Assert.True(scenario.Transactions.GroupBy(t => t.BlockNumber).Count(g => g.Count() >= 3) >= 10, "several transactions per block");
        foreach (var kind in Enum.GetValues<EvmScenarioKind>())
        {
            Assert.True(scenario.OfKind(kind).Any(), $"no {kind} transaction");
        }

        // Every transaction is mined with the status it was meant to have, as the node reports it.
        var receipts = new Dictionary<EvmHash, JsonElement>();
        for (var number = scenario.FirstBlock; number <= scenario.LastBlock; number++)
        {
            foreach (var receipt in (await node.GetBlockReceiptsAsync(number, cts.Token)).EnumerateArray())
            {
                receipts[EvmHash.Parse(receipt.GetProperty("transactionHash").GetString()!)] = receipt.Clone();
            }
        }

        Assert.Equal(scenario.Transactions.Count, receipts.Count);
        foreach (var tx in scenario.Transactions)
        {
            var receipt = receipts[tx.Hash];
            Assert.Equal(tx.ExpectSuccess ? "0x1" : "0x0", receipt.GetProperty("status").GetString());
            Assert.Equal(Hex.Quantity(tx.BlockNumber), receipt.GetProperty("blockNumber").GetString());
        }

        // The block range holds an empty block.
        var counts = new List<int>();
        for (var number = scenario.FirstBlock; number <= scenario.LastBlock; number++)
        {
            counts.Add((await node.GetBlockAsync(number, false, cts.Token)).GetProperty("transactions").GetArrayLength());
        }

        Assert.Contains(0, counts);
        Assert.Equal(scenario.Transactions.Count, counts.Sum());
    }

    [Fact]
    public async Task Scenario_FailedTransaction_HasStatusZeroAndMovesNothing()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;
        var scenario = await fixture.ScenarioAsync(cts.Token);

        var receipt = await node.GetTransactionReceiptAsync(scenario.FailedTransaction, cts.Token);

        Assert.Equal("0x0", receipt.GetProperty("status").GetString());
        Assert.Equal(scenario.Contracts["Reverter"].ToString(), receipt.GetProperty("to").GetString());
        Assert.Empty(receipt.GetProperty("logs").EnumerateArray());
        Assert.True(scenario.OfKind(EvmScenarioKind.FailedCall).Count() >= 3);
        Assert.All(scenario.OfKind(EvmScenarioKind.FailedCall), t => Assert.False(t.ExpectSuccess));

        // The try/catch transaction succeeded although its internal call (with value) reverted: the value stayed.
        var tryCall = await node.GetTransactionReceiptAsync(scenario.TryCallTransaction, cts.Token);
        Assert.Equal("0x1", tryCall.GetProperty("status").GetString());
        Assert.Equal(
            Abi.EventTopic("Caught(address,uint256)").ToString(),
            Assert.Single(tryCall.GetProperty("logs").EnumerateArray()).GetProperty("topics")[0].GetString());
    }

    [Fact]
    public async Task Scenario_EthBalances_MatchTheLedger()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;
        var scenario = await fixture.ScenarioAsync(cts.Token);
        var atEnd = Hex.Quantity(scenario.LastBlock);

        // FanOut: each of the 20 fresh recipients got exactly its share; the remainder stayed in the contract.
        Assert.Equal(20, scenario.FanOutRecipients.Count);
        foreach (var recipient in scenario.FanOutRecipients)
        {
            Assert.Equal(scenario.FanOutShare, await node.GetBalanceAsync(recipient, atEnd, cts.Token));
        }

        Assert.Equal(scenario.FanOutRemainder, await node.GetBalanceAsync(scenario.Contracts["FanOut"], atEnd, cts.Token));

        // SELFDESTRUCT moved the vault's balance to the (fresh) beneficiary; after Cancun the vault keeps its code.
        var destroyedIn = scenario.Transactions.Single(t => t.Hash == scenario.SelfDestructTransaction).BlockNumber;
        Assert.Equal(scenario.VaultBalanceAtDestroy, await node.GetBalanceAsync(scenario.VaultBeneficiary, destroyedIn, cts.Token));
        Assert.Equal(UInt256.Zero, await node.GetBalanceAsync(scenario.VaultBeneficiary, destroyedIn - 1, cts.Token));
        Assert.Equal(UInt256.Zero, await node.GetBalanceAsync(scenario.Contracts["Vault"], destroyedIn, cts.Token));
        Assert.NotEmpty(await node.GetCodeAsync(scenario.Contracts["Vault"], atEnd, cts.Token));

        // The CREATE2 child holds the value it was created with, and has code.
        Assert.Equal(scenario.Create2Value, await node.GetBalanceAsync(scenario.Create2Child, atEnd, cts.Token));
        Assert.NotEmpty(await node.GetCodeAsync(scenario.Create2Child, atEnd, cts.Token));

        // Every address that never paid gas holds exactly what the ledger says.
        foreach (var (address, expected) in scenario.ExpectedEthBalances)
        {
            Assert.True(expected == await node.GetBalanceAsync(address, atEnd, cts.Token), $"ETH balance of {address}");
        }
    }

    [Fact]
    public async Task Scenario_TokenBalances_MatchTheLedger()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;
        var scenario = await fixture.ScenarioAsync(cts.Token);
        var atEnd = Hex.Quantity(scenario.LastBlock);

        var totalSupply = UInt256.Zero;
        foreach (var (holder, expected) in scenario.ExpectedTokenBalances)
        {
            var balance = Abi.DecodeUInt256(await node.CallAsync(scenario.Contracts["TestToken"], Abi.EncodeCall("balanceOf(address)", holder), atEnd, cts.Token));
            Assert.True(expected == balance, $"TestToken balance of {holder}: {balance}, expected {expected}");
            totalSupply += expected;
        }

        Assert.Equal(totalSupply, Abi.DecodeUInt256(await node.CallAsync(scenario.Contracts["TestToken"], Abi.EncodeCall("totalSupply()"), atEnd, cts.Token)));

        foreach (var (id, owner) in scenario.ExpectedNftOwners)
        {
            Assert.Equal(owner, Abi.DecodeAddress(await node.CallAsync(scenario.Contracts["TestNft"], Abi.EncodeCall("ownerOf(uint256)", id), atEnd, cts.Token)));
        }

        foreach (var ((holder, id), expected) in scenario.ExpectedMultiBalances)
        {
            var balance = Abi.DecodeUInt256(await node.CallAsync(scenario.Contracts["TestMulti"], Abi.EncodeCall("balanceOf(address,uint256)", holder, id), atEnd, cts.Token));
            Assert.True(expected == balance, $"TestMulti balance of {holder} id {id}: {balance}, expected {expected}");
        }

        foreach (var (holder, expected) in scenario.ExpectedWethBalances)
        {
            var balance = Abi.DecodeUInt256(await node.CallAsync(scenario.Contracts["Weth"], Abi.EncodeCall("balanceOf(address)", holder), atEnd, cts.Token));
            Assert.True(expected == balance, $"Weth balance of {holder}: {balance}, expected {expected}");
        }
    }

    [Fact]
    public async Task Scenario_Traces_ShowInternalValueTransfersAndSelfDestruct()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var node = fixture.Node;
        var scenario = await fixture.ScenarioAsync(cts.Token);

        // trace_block (parity style): the 20 FanOut payments are internal calls with value; no reward traces.
        var fan = scenario.OfKind(EvmScenarioKind.FanOut).Single();
        var traces = (await node.CallAsync("trace_block", [Hex.Quantity(fan.BlockNumber)], cts.Token)).EnumerateArray().ToArray();
        Assert.DoesNotContain(traces, t => t.GetProperty("type").GetString() == "reward");
        var payments = traces.Where(t => t.GetProperty("transactionHash").GetString() == fan.Hash.ToString() &&
                                          t.GetProperty("traceAddress").GetArrayLength() == 1).ToArray();
        Assert.Equal(20, payments.Length);
        Assert.All(payments, t => Assert.Equal(scenario.FanOutShare.ToHexQuantity(), t.GetProperty("action").GetProperty("value").GetString()));

        // SELFDESTRUCT is a "suicide" trace carrying the balance to the refund address.
        var destroy = scenario.Transactions.Single(t => t.Hash == scenario.SelfDestructTransaction);
        var suicide = (await node.CallAsync("trace_block", [Hex.Quantity(destroy.BlockNumber)], cts.Token)).EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "suicide");
        Assert.Equal(scenario.VaultBeneficiary.ToString(), suicide.GetProperty("action").GetProperty("refundAddress").GetString());
        Assert.Equal(scenario.VaultBalanceAtDestroy.ToHexQuantity(), suicide.GetProperty("action").GetProperty("balance").GetString());

        // debug_traceBlockByNumber with callTracer: the reverted internal call of tryCall keeps its value and error.
        var tryCall = scenario.Transactions.Single(t => t.Hash == scenario.TryCallTransaction);
        var callTraces = await node.CallAsync(
            "debug_traceBlockByNumber", [Hex.Quantity(tryCall.BlockNumber), new Dictionary<string, object?> { ["tracer"] = "callTracer" }], cts.Token);
        var frame = callTraces.EnumerateArray().Single(t => t.GetProperty("txHash").GetString() == tryCall.Hash.ToString()).GetProperty("result");
        Assert.False(frame.TryGetProperty("error", out _));
        var inner = Assert.Single(frame.GetProperty("calls").EnumerateArray());
        Assert.Equal("execution reverted", inner.GetProperty("error").GetString());
        Assert.Equal(tryCall.Value.ToHexQuantity(), inner.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Scenario_IsDeterministic_OnFreshNodes()
    {
        using var cts = new CancellationTokenSource(_timeout);
        var runs = new List<(EvmScenarioResult Result, string LastBlockHash)>();
        for (var i = 0; i < 2; i++)
        {
            await using var node = await AnvilNode.StartAsync(new AnvilOptions(), cts.Token);
            var result = await EvmScenario.RunAsync(node, cts.Token);
            var last = await node.GetBlockAsync(result.LastBlock, false, cts.Token);
            runs.Add((result, last.GetProperty("hash").GetString()!));
        }

        Assert.Equal(runs[0].Result.Transactions.Select(t => (t.Hash, t.BlockNumber)), runs[1].Result.Transactions.Select(t => (t.Hash, t.BlockNumber)));
        Assert.Equal(runs[0].Result.Contracts.OrderBy(c => c.Key), runs[1].Result.Contracts.OrderBy(c => c.Key));
        Assert.Equal(runs[0].LastBlockHash, runs[1].LastBlockHash);
    }

    [Fact]
    public async Task OwnNode_NoMining_ChainId_SnapshotRevert_AndReorg()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var node = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 1337, Automine = false, BlockGasLimit = 20_000_000 }, cts.Token);
        Assert.Equal(1337UL, node.ChainId);
        Assert.Equal("127.0.0.1", node.RpcUrl.Host);
        Assert.Equal(10, node.Accounts.Count);
        Assert.False(await node.GetAutomineAsync(cts.Token));

        // Nothing is mined until asked.
        var first = await node.SendTransactionAsync(node.Accounts[0], node.Accounts[1], 1000, gas: 21_000, ct: cts.Token);
        Assert.Equal(JsonValueKind.Null, (await node.GetTransactionReceiptAsync(first, cts.Token)).ValueKind);
        await node.MineAsync(ct: cts.Token);
        Assert.Equal(1UL, await node.BlockNumberAsync(cts.Token));
        Assert.Equal("0x1312d00", (await node.GetBlockAsync(1, false, cts.Token)).GetProperty("gasLimit").GetString());

        // Snapshot, mine more, revert: back at block 1.
        var snapshot = await node.SnapshotAsync(cts.Token);
        await node.MineAsync(3, cts.Token);
        Assert.Equal(4UL, await node.BlockNumberAsync(cts.Token));
        Assert.True(await node.RevertAsync(snapshot, cts.Token));
        Assert.Equal(1UL, await node.BlockNumberAsync(cts.Token));

        // anvil_reorg replaces block 1: its transaction is gone (no receipt), the new one is in the new block 1.
        var oldHash = (await node.GetBlockAsync(1, false, cts.Token)).GetProperty("hash").GetString();
        var fresh = EvmScenario.FreshAddress(1000);
        await node.ReorgAsync(1, [new ReorgTransaction(node.Accounts[2], fresh, 777, BlockOffset: 0)], cts.Token);
        Assert.Equal(1UL, await node.BlockNumberAsync(cts.Token));
        var newBlock = await node.GetBlockAsync(1, true, cts.Token);
        Assert.NotEqual(oldHash, newBlock.GetProperty("hash").GetString());
        Assert.Equal(JsonValueKind.Null, (await node.GetTransactionReceiptAsync(first, cts.Token)).ValueKind);
        Assert.Equal(fresh.ToString(), Assert.Single(newBlock.GetProperty("transactions").EnumerateArray()).GetProperty("to").GetString());
        Assert.Equal((UInt256)777UL, await node.GetBalanceAsync(fresh, ct: cts.Token));
        Assert.Equal(UInt256.Parse("10000000000000000000000"), await node.GetBalanceAsync(node.Accounts[1], ct: cts.Token)); // the dropped 1000 wei

        var pid = node.Pid;
        await node.StopAsync();
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }
}


/// <summary>The EVM replay server against ethereum-etl's recordings.</summary>
public sealed class EvmReplayServerSmokeTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(30);

    private static string BlocksJob(string caseName) => EvmRecordings.CaseDir("test_export_blocks_job", caseName);

    [Fact]
    public async Task GetBlockByNumber_0x76250_AnswersTheRecordedBlock()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(BlocksJob("block_with_logs"));
        var rpc = new TestRpcClient(server.Url);

        var answer = await rpc.PostAsync("""{"jsonrpc":"2.0","id":42,"method":"eth_getBlockByNumber","params":["0x76250",true]}""", cts.Token);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("127.0.0.1", server.Url.Host);
        using var reply = JsonDocument.Parse(answer.Body);
        using var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(BlocksJob("block_with_logs"), "web3_response.eth_getBlockByNumber_0x76250_true.json")));
        Assert.Equal("2.0", reply.RootElement.GetProperty("jsonrpc").GetString());
        Assert.Equal(42, reply.RootElement.GetProperty("id").GetInt32());
        Assert.True(JsonElement.DeepEquals(recorded.RootElement.GetProperty("result"), reply.RootElement.GetProperty("result")));
        Assert.Equal("0x76250", reply.RootElement.GetProperty("result").GetProperty("number").GetString());
        Assert.Equal(1, server.CallCount("eth_getBlockByNumber"));
    }

    [Fact]
    public async Task Batch_OfTwo_AnsweredInOrder()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(BlocksJob("blocks_with_transactions"));
        var rpc = new TestRpcClient(server.Url);

        var answer = await rpc.PostAsync(
            """[{"jsonrpc":"2.0","id":"b","method":"eth_getBlockByNumber","params":["0xb873",true]},{"jsonrpc":"2.0","id":"a","method":"eth_getBlockByNumber","params":["0xb872",true]}]""",
            cts.Token);

        using var replies = JsonDocument.Parse(answer.Body);
        var items = replies.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, items.Length);
        Assert.Equal(("b", "0xb873"), (items[0].GetProperty("id").GetString(), items[0].GetProperty("result").GetProperty("number").GetString()));
        Assert.Equal(("a", "0xb872"), (items[1].GetProperty("id").GetString(), items[1].GetProperty("result").GetProperty("number").GetString()));
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(2, server.CallCount("eth_getBlockByNumber"));

        // The client's batch helper matches replies by id.
        var results = await rpc.BatchAsync([("eth_getBlockByNumber", ["0xb872", true]), ("eth_getBlockByNumber", ["0xb873", true])], cts.Token);
        Assert.Equal(["0xb872", "0xb873"], results.Select(r => r.Result.GetProperty("number").GetString()));
    }

    [Fact]
    public async Task TraceMethods_UnrecordedOrDisabled_AnswerMethodNotFound()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(
            BlocksJob("block_with_logs"), EvmRecordings.CaseDir("test_export_traces_job", "block_with_create"));
        var rpc = new TestRpcClient(server.Url);

        // Recorded: answered.
        Assert.NotEmpty((await rpc.CallAsync("trace_block", "0xf44f2")).EnumerateArray());

        // Recorded method, unrecorded params: -32000 naming the file it looked for.
        var missing = await Assert.ThrowsAsync<TestRpcException>(() => rpc.CallAsync("trace_block", "0x1"));
        Assert.Equal(EvmReplayServer.NoRecordingCode, missing.Code);
        Assert.Contains("web3_response.trace_block_0x1.json", missing.RpcMessage, StringComparison.Ordinal);

        // Never recorded: -32601, as a node without the debug API answers.
        var unknown = await Assert.ThrowsAsync<TestRpcException>(
            () => rpc.CallAsync("debug_traceBlockByNumber", "0xf44f2", new Dictionary<string, object?> { ["tracer"] = "callTracer" }));
        Assert.Equal(EvmReplayServer.MethodNotFoundCode, unknown.Code);
        Assert.Equal("the method debug_traceBlockByNumber does not exist/is not available", unknown.RpcMessage);

        // Disabled: -32601 although recorded; enabled again: answered.
        server.DisableMethods("trace_block", "debug_traceBlockByNumber");
        var disabled = await Assert.ThrowsAsync<TestRpcException>(() => rpc.CallAsync("trace_block", "0xf44f2"));
        Assert.Equal(EvmReplayServer.MethodNotFoundCode, disabled.Code);
        Assert.Equal("the method trace_block does not exist/is not available", disabled.RpcMessage);
        server.EnableMethods("trace_block");
        Assert.NotEmpty((await rpc.CallAsync("trace_block", "0xf44f2")).EnumerateArray());
        Assert.Equal(4, server.CallCount("trace_block"));
    }

    [Fact]
    public async Task Http429_ThenSuccess()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(BlocksJob("block_without_transactions"));
        var rpc = new TestRpcClient(server.Url);
        server.FailNext(EvmReplayFault.Http429);
        var call = """{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",true]}""";

        var limited = await rpc.PostAsync(call, cts.Token);
        var answered = await rpc.PostAsync(call, cts.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(TimeSpan.Zero, limited.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, answered.Status);
        using var reply = JsonDocument.Parse(answered.Body);
        Assert.Equal("0x0", reply.RootElement.GetProperty("result").GetProperty("number").GetString());
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task OtherFaults_Http500_MalformedJson_Timeout()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(BlocksJob("block_without_transactions"));
        var rpc = new TestRpcClient(server.Url);
        server.FailNext(EvmReplayFault.Http500);
        server.FailNext(EvmReplayFault.MalformedJson);
        server.FailNext(EvmReplayFault.Timeout);

        Assert.Equal(HttpStatusCode.InternalServerError, (await rpc.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",true]}""", cts.Token)).Status);
        await Assert.ThrowsAsync<HttpRequestException>(() => rpc.CallAsync("eth_getBlockByNumber", "0x0", true));
        using (var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            giveUp.CancelAfter(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rpc.CallAsync("eth_getBlockByNumber", ["0x0", true], giveUp.Token));
        }

        Assert.Equal("0x0", (await rpc.CallAsync("eth_getBlockByNumber", "0x0", true)).GetProperty("number").GetString());
    }

    [Fact]
    public async Task TokensJob_EthCallKeysSorted_ChainId_LatestBlock()
    {
        using var cts = new CancellationTokenSource(_timeout);
        await using var server = EvmReplayServer.Start(EvmRecordings.CaseDir("test_export_tokens_job", "token_with_alternative_return_type"));
        var rpc = new TestRpcClient(server.Url);

        // web3 sends {to, data}; the file name has the keys sorted: eth_call_data_…_to_…_latest. Case does not matter.
        var symbol = await rpc.CallAsync(
            "eth_call", new Dictionary<string, object?> { ["to"] = "0x86FA049857E0209aa7D9e616F7eb3b3B78ECfdb0", ["data"] = "0x95d89b41" }, "latest");
        Assert.Equal("0x454f530000000000000000000000000000000000000000000000000000000000", symbol.GetString());
        Assert.Equal("0x1234", (await rpc.CallAsync("eth_chainId")).GetString());
        Assert.Equal("0x3ba494", (await rpc.CallAsync("eth_getBlockByNumber", "latest", false)).GetProperty("number").GetString());

        // Where no chain id is recorded, the override answers it.
        await using var blocks = EvmReplayServer.Start(BlocksJob("block_with_logs"));
        var blocksRpc = new TestRpcClient(blocks.Url);
        Assert.Equal(EvmReplayServer.MethodNotFoundCode, (await Assert.ThrowsAsync<TestRpcException>(() => blocksRpc.CallAsync("eth_chainId"))).Code);
        blocks.ChainId = 1;
        Assert.Equal("0x1", (await blocksRpc.CallAsync("eth_chainId")).GetString());
    }

    [Fact]
    public void AllRecordings_LoadTogether()
    {
        var recordings = EvmRecordings.Load(EvmRecordings.AllCaseDirs());

        Assert.Contains("eth_getBlockByNumber_0x76250_true", recordings.Keys);
        Assert.Contains("trace_block_0xf7105", recordings.Keys);
        Assert.Contains("eth_chainId_", recordings.Keys);
        Assert.True(recordings.Count >= 26, $"{recordings.Count} recordings");
    }
}
