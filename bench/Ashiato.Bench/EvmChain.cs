using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;
using Ashiato.TestSupport.Evm;

namespace Ashiato.Bench;

/// <summary>What <see cref="EvmChainBuilder"/> built on the node: the measured block range and how it got there.</summary>
internal sealed class EvmBenchChain
{
    /// <summary>An empty block right before <see cref="FirstBlock"/>.</summary>
    public required long EmptyBlock { get; init; }

    public required long FirstBlock { get; init; }

    public required long LastBlock { get; init; }

    public required int TxPerBlock { get; init; }

    public required EvmAddress Token { get; init; }

    public required EvmAddress FanOut { get; init; }

    public required int Senders { get; init; }

    public required long EthTransfers { get; init; }

    public required long TokenTransfers { get; init; }

    public required long FanOuts { get; init; }

    /// <summary>Recipients drawn (ETH, token and fan-out), and how many of them were distinct addresses.</summary>
    public required long Recipients { get; init; }

    public required long DistinctRecipients { get; init; }

    public required TimeSpan Setup { get; init; }

    public required TimeSpan Sending { get; init; }

    public required TimeSpan Mining { get; init; }

    public int Blocks => (int)(LastBlock - FirstBlock + 1);

    public long Transactions => (long)Blocks * TxPerBlock;
}

/// <summary>
/// Builds the benchmark chain on an anvil node (automine off): deploys TestToken and FanOut, hands tokens to the dev
/// accounts, then mines <c>blocks</c> blocks of exactly <c>txPerBlock</c> transactions each — a seeded mix of plain ETH
/// transfers, ERC-20 transfers and FanOut calls paying 5 recipients each (internal transfers) — sent as one
/// <c>eth_sendTransaction</c> batch per block with explicit gas and nonces.
/// </summary>
internal static class EvmChainBuilder
{
    public const int FanRecipients = 5;
    public const double EthShare = 0.5;
    public const double TokenShare = 0.4;
    public const double FreshRecipientShare = 0.8;

    private const ulong EthGas = 21_000;
    private const ulong TokenGas = 100_000;
    private const ulong FanGas = 400_000;
    private const ulong DeployGas = 3_000_000;
    private const int SendChunk = 500;

    public static string MixDescription =>
        $"{EthShare * 100:F0} % plain ETH transfers, {TokenShare * 100:F0} % TestToken (ERC-20) `transfer`s, " +
        $"{(1 - EthShare - TokenShare) * 100:F0} % FanOut `fan` calls paying {FanRecipients} recipients each (internal transfers), drawn per transaction";

    /// <summary>Recipient <paramref name="index"/>: the last 20 bytes of keccak256("ashiato/bench/evm/{index}").</summary>
    public static EvmAddress Recipient(long index) =>
        new(Keccak256.Hash(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"ashiato/bench/evm/{index}")))[12..]);

    public static async Task<EvmBenchChain> BuildAsync(AnvilNode node, int blocks, int txPerBlock, ulong seed, Action<string> log, CancellationToken ct)
    {
        var setupClock = Stopwatch.StartNew();
        var artifacts = await ContractArtifacts.LoadAsync(ct);
        await node.SetAutomineAsync(false, ct);
        await node.SetBlockTimestampIntervalAsync(12, ct);
        var accounts = node.Accounts.ToArray();
        var nonces = new Dictionary<EvmAddress, ulong>();
        foreach (var a in accounts)
        {
            nonces[a] = await node.GetTransactionCountAsync(a, "pending", ct);
        }

        Dictionary<string, object?> Tx(EvmAddress from, EvmAddress? to, UInt256 value, byte[]? data, ulong gas)
        {
            var tx = new Dictionary<string, object?>
            {
                ["from"] = from,
                ["value"] = value,
                ["gas"] = Hex.Quantity(gas),
                ["nonce"] = Hex.Quantity(nonces[from]++),
            };
            if (to is { } t)
            {
                tx["to"] = t;
            }

            if (data is not null)
            {
                tx["data"] = data;
            }

            return tx;
        }

        // Block 1: the contracts. Block 2: tokens for every sender.
        var a0 = accounts[0];
        var tokenUnit = (UInt256)1_000_000_000_000_000_000UL;
        var deployToken = Tx(a0, null, 0, artifacts["TestToken"].DeployData(Abi.EncodeArguments(["uint256"], [tokenUnit * 1_000_000_000UL])), DeployGas);
        var deployFan = Tx(a0, null, 0, artifacts["FanOut"].DeployData(), DeployGas);
        var hashes = await SendAsync(node, [deployToken, deployFan], ct);
        await MineAndCheckAsync(node, null, 2, ct);
        var token = EvmAddress.Parse((await node.GetTransactionReceiptAsync(hashes[0], ct)).GetProperty("contractAddress").GetString()!);
        var fan = EvmAddress.Parse((await node.GetTransactionReceiptAsync(hashes[1], ct)).GetProperty("contractAddress").GetString()!);
        var handouts = accounts.Skip(1)
            .Select(a => Tx(a0, token, 0, Abi.EncodeCall("transfer(address,uint256)", a, tokenUnit * 10_000_000UL), TokenGas))
            .ToList();
        await SendAsync(node, handouts, ct);
        var setupBlock = await MineAndCheckAsync(node, null, handouts.Count, ct);
        await CheckReceiptsAsync(node, setupBlock - 1, setupBlock, ct);
        setupClock.Stop();

        // The measured blocks.
        var rng = new Rng(seed);
        var recipients = new List<EvmAddress>();
        long drawn = 0;
        EvmAddress NextRecipient()
        {
            drawn++;
            if (recipients.Count == 0 || rng.NextDouble() < FreshRecipientShare)
            {
                recipients.Add(Recipient(recipients.Count));
                return recipients[^1];
            }

            return recipients[rng.Next(recipients.Count)];
        }

        long eth = 0, tokens = 0, fans = 0;
        var sending = TimeSpan.Zero;
        var mining = TimeSpan.Zero;
        // An empty block before the measured ones (an ingest variant starts there; see EvmBenchmark).
        var empty = await MineAndCheckAsync(node, setupBlock + 1, 0, ct);
        var first = empty + 1;
        var clock = new Stopwatch();
        for (var b = 0; b < blocks; b++)
        {
            var txs = new List<Dictionary<string, object?>>(txPerBlock);
            for (var k = 0; k < txPerBlock; k++)
            {
                var from = accounts[k % accounts.Length];
                var kind = rng.NextDouble();
                if (kind < EthShare)
                {
                    eth++;
                    txs.Add(Tx(from, NextRecipient(), (UInt256)(1_000_000_000_000UL * (ulong)(1 + rng.Next(1000))), null, EthGas));
                }
                else if (kind < EthShare + TokenShare)
                {
                    tokens++;
                    var amount = tokenUnit * (ulong)(1 + rng.Next(1000));
                    txs.Add(Tx(from, token, 0, Abi.EncodeCall("transfer(address,uint256)", NextRecipient(), amount), TokenGas));
                }
                else
                {
                    fans++;
                    var to = Enumerable.Range(0, FanRecipients).Select(_ => NextRecipient()).ToArray();
                    var value = (UInt256)(1_000_000_000_000UL * FanRecipients * (ulong)(1 + rng.Next(1000)));
                    txs.Add(Tx(from, fan, value, Abi.EncodeCall("fan(address[])", [to]), FanGas));
                }
            }

            clock.Restart();
            await SendAsync(node, txs, ct);
            sending += clock.Elapsed;
            clock.Restart();
            await MineAndCheckAsync(node, first + b, txPerBlock, ct);
            mining += clock.Elapsed;
            if ((b + 1) % 25 == 0 || b + 1 == blocks)
            {
                log($"[evm] mined {b + 1}/{blocks} blocks (sending {sending.TotalSeconds:F1} s, mining {mining.TotalSeconds:F1} s)");
            }
        }

        await node.CallAsync("anvil_removeBlockTimestampInterval", [], ct);
        return new EvmBenchChain
        {
            EmptyBlock = empty,
            FirstBlock = first,
            LastBlock = first + blocks - 1,
            TxPerBlock = txPerBlock,
            Token = token,
            FanOut = fan,
            Senders = accounts.Length,
            EthTransfers = eth,
            TokenTransfers = tokens,
            FanOuts = fans,
            Recipients = drawn,
            DistinctRecipients = recipients.Count,
            Setup = setupClock.Elapsed,
            Sending = sending,
            Mining = mining,
        };
    }

    /// <summary>One <c>eth_sendTransaction</c> batch (split at 500 calls); throws on the first refused transaction.</summary>
    private static async Task<EvmHash[]> SendAsync(AnvilNode node, IReadOnlyList<Dictionary<string, object?>> txs, CancellationToken ct)
    {
        var hashes = new List<EvmHash>(txs.Count);
        foreach (var chunk in txs.Chunk(SendChunk))
        {
            var replies = await node.Rpc.BatchAsync(chunk.Select(tx => ("eth_sendTransaction", (IReadOnlyList<object?>)[tx])).ToArray(), ct);
            foreach (var reply in replies)
            {
                if (reply.Error is { } error)
                {
                    throw new InvalidOperationException($"eth_sendTransaction was refused: {error.Message}\n{node.Diagnostics()}");
                }

                hashes.Add(EvmHash.Parse(reply.Result.GetString()!));
            }
        }

        return [.. hashes];
    }

    /// <summary>Mines one block and checks its height (when given) and that it holds <paramref name="txCount"/> transactions.</summary>
    private static async Task<long> MineAndCheckAsync(AnvilNode node, long? expectedNumber, int txCount, CancellationToken ct)
    {
        await node.MineAsync(1, ct);
        var block = await node.CallAsync("eth_getBlockByNumber", ["latest", false], ct);
        var number = (long)AnvilNode.ParseQuantity(block.GetProperty("number"));
        var count = block.GetProperty("transactions").GetArrayLength();
        if ((expectedNumber is { } n && number != n) || count != txCount)
        {
            throw new InvalidOperationException(
                $"block {number} (expected {expectedNumber?.ToString(CultureInfo.InvariantCulture) ?? "any"}) holds {count} transactions, " +
                $"{txCount} were sent\n{node.Diagnostics()}");
        }

        return number;
    }

    /// <summary>Checks that every transaction of the blocks succeeded (status 0x1).</summary>
    public static async Task CheckReceiptsAsync(AnvilNode node, long from, long to, CancellationToken ct)
    {
        for (var h = from; h <= to; h++)
        {
            var receipts = await node.GetBlockReceiptsAsync((ulong)h, ct);
            var failed = receipts.EnumerateArray().Count(r => r.GetProperty("status").GetString() != "0x1");
            if (failed > 0)
            {
                throw new InvalidOperationException($"block {h}: {failed} transactions failed\n{node.Diagnostics()}");
            }
        }
    }

    /// <summary><c>anvil --version</c>, first line.</summary>
    public static string AnvilVersion()
    {
        try
        {
            var info = new ProcessStartInfo(EvmTools.AnvilPath, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.Environment["FOUNDRY_DISABLE_NIGHTLY_WARNING"] = "1";
            using var p = Process.Start(info)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "anvil (version unknown)";
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            return "anvil (version unknown)";
        }
    }
}
