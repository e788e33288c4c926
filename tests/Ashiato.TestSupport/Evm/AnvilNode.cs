using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.TestSupport.Evm;

/// <summary>How <see cref="AnvilNode.StartAsync"/> starts anvil.</summary>
public sealed record AnvilOptions
{
    /// <summary><c>--chain-id</c>; anvil's default is 31337.</summary>
    public ulong? ChainId { get; init; }

    /// <summary><c>--gas-limit</c>, the block gas limit; anvil's default is 30,000,000.</summary>
    public ulong? BlockGasLimit { get; init; }

    /// <summary>False starts anvil with <c>--no-mining</c>: blocks are mined only by <see cref="AnvilNode.MineAsync"/>.</summary>
    public bool Automine { get; init; } = true;

    /// <summary>
    /// <c>--timestamp</c> of the genesis block. Fixed by default so that, with a block timestamp interval
    /// (<see cref="AnvilNode.SetBlockTimestampIntervalAsync"/>), the same transactions give the same block hashes.
    /// Null takes the wall clock.
    /// </summary>
    public ulong? GenesisTimestamp { get; init; } = 1_700_000_000;

    /// <summary>
    /// <c>--order</c>: how pending transactions are ordered in a block. <c>fifo</c> (default here) keeps the
    /// order they were sent in; anvil's own default, <c>fees</c>, sorts by tip.
    /// </summary>
    public string Order { get; init; } = "fifo";

    /// <summary><c>--hardfork</c> (e.g. <c>cancun</c>, <c>prague</c>); null takes anvil's latest.</summary>
    public string? Hardfork { get; init; }

    /// <summary>More command-line arguments, appended as they are.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>A transaction for <see cref="AnvilNode.ReorgAsync"/>: sent from an unlocked account into the new block at <see cref="BlockOffset"/>.</summary>
public sealed record ReorgTransaction(EvmAddress From, EvmAddress? To, UInt256 Value, int BlockOffset, byte[]? Data = null);

/// <summary>
/// A real anvil (Foundry) dev node for integration tests: RPC on 127.0.0.1 on a free port, its own temp folder
/// for persisted states, run as a child process and killed by its PID. The 10 dev accounts are unlocked and
/// hold 10,000 ETH each; <c>eth_sendTransaction</c> signs for them.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private const int LogTailLines = 60;

    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan _pollRequestTimeout = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<AnvilNode, byte> _running = new();

    private readonly AnvilOptions _options;
    private readonly Queue<string> _consoleTail = new();
    private Process? _process;
    private TestRpcClient _rpc;
    private bool _disposed;

    static AnvilNode()
    {
        // Last resort when a test run ends without disposing its nodes: never leave anvil behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in _running.Keys)
            {
                node.KillQuietly();
            }
        };
    }

    private AnvilNode(AnvilOptions options)
    {
        _options = options;
        StateDir = Directory.CreateTempSubdirectory("ashiato-anvil-").FullName;
        _rpc = new TestRpcClient(new Uri("http://127.0.0.1:0/"));
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RpcUrl => _rpc.Url;

    public int Port => RpcUrl.Port;

    /// <summary>PID of the anvil process.</summary>
    public int Pid { get; private set; }

    /// <summary>The node's temp folder (<c>--cache-path</c>); deleted on dispose.</summary>
    public string StateDir { get; }

    public ulong ChainId { get; private set; }

    /// <summary>The dev accounts (<c>eth_accounts</c>), unlocked: use them as <c>from</c>.</summary>
    public IReadOnlyList<EvmAddress> Accounts { get; private set; } = [];

    /// <summary>The JSON-RPC client of this node.</summary>
    public TestRpcClient Rpc => _rpc;

    /// <summary>Starts anvil and waits until <c>eth_chainId</c> answers.</summary>
    public static async Task<AnvilNode> StartAsync(AnvilOptions? options = null, CancellationToken ct = default)
    {
        var node = new AnvilNode(options ?? new AnvilOptions());
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                node._rpc = new TestRpcClient(new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}/"));
                node.Launch();
                if (await node.WaitForRpcAsync(ct))
                {
                    break;
                }

                // The process exited during start-up. A port taken between picking and binding is worth another
                // try on a new port; anything else is reported.
                var diagnostics = node.Diagnostics();
                if (attempt < StartAttempts && diagnostics.Contains("ddress already in use", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new InvalidOperationException($"anvil exited with code {node._process!.ExitCode} during start-up.\n{diagnostics}");
            }

            node.ChainId = ParseQuantity(await node.CallAsync("eth_chainId"));
            var accounts = await node.CallAsync("eth_accounts");
            node.Accounts = accounts.EnumerateArray().Select(a => EvmAddress.Parse(a.GetString()!)).ToArray();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls a JSON-RPC method and returns its <c>result</c> (see <see cref="TestRpcClient"/> for parameter conversions).</summary>
    /// <exception cref="TestRpcException">The node answered with an error.</exception>
    public Task<JsonElement> CallAsync(string method, params object?[] parameters) => _rpc.CallAsync(method, parameters);

    /// <inheritdoc cref="CallAsync(string, object?[])"/>
    public Task<JsonElement> CallAsync(string method, IReadOnlyList<object?> parameters, CancellationToken ct) =>
        _rpc.CallAsync(method, parameters, ct);

    /// <summary><c>eth_sendTransaction</c> from an unlocked account; returns the transaction hash.</summary>
    /// <param name="to">Null creates a contract from <paramref name="data"/>.</param>
    /// <param name="gas">The gas limit; null lets anvil estimate it (give one for a call meant to fail, or one that depends on a still pending transaction).</param>
    public async Task<EvmHash> SendTransactionAsync(
        EvmAddress from, EvmAddress? to, UInt256 value, byte[]? data = null, ulong? gas = null, CancellationToken ct = default)
    {
        var hash = await CallAsync("eth_sendTransaction", [TransactionObject(from, to, value, data, gas)], ct);
        return EvmHash.Parse(hash.GetString()!);
    }

    /// <summary><c>anvil_mine</c>: mines <paramref name="blocks"/> blocks now (pending transactions go into the first).</summary>
    public async Task MineAsync(int blocks = 1, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        await CallAsync("anvil_mine", [Hex.Quantity((ulong)blocks)], ct);
    }

    /// <summary><c>evm_setAutomine</c>: on, every transaction is mined in its own block at once; off, they wait for <see cref="MineAsync"/>.</summary>
    public Task SetAutomineAsync(bool enabled, CancellationToken ct = default) =>
        CallAsync("evm_setAutomine", [enabled], ct);

    /// <summary><c>anvil_getAutomine</c>.</summary>
    public async Task<bool> GetAutomineAsync(CancellationToken ct = default) =>
        (await CallAsync("anvil_getAutomine", [], ct)).GetBoolean();

    /// <summary><c>anvil_setBlockTimestampInterval</c>: each next block is <paramref name="seconds"/> after the previous one.</summary>
    public Task SetBlockTimestampIntervalAsync(ulong seconds, CancellationToken ct = default) =>
        CallAsync("anvil_setBlockTimestampInterval", [seconds], ct);

    /// <summary><c>eth_blockNumber</c>.</summary>
    public async Task<ulong> BlockNumberAsync(CancellationToken ct = default) =>
        ParseQuantity(await CallAsync("eth_blockNumber", [], ct));

    /// <summary><c>eth_getBalance</c> at a block tag ("latest", "pending", "earliest") or "0x…" number.</summary>
    public async Task<UInt256> GetBalanceAsync(EvmAddress address, string block = "latest", CancellationToken ct = default) =>
        UInt256.ParseHex((await CallAsync("eth_getBalance", [address, block], ct)).GetString()!);

    /// <summary><c>eth_getBalance</c> at block <paramref name="blockNumber"/>.</summary>
    public Task<UInt256> GetBalanceAsync(EvmAddress address, ulong blockNumber, CancellationToken ct = default) =>
        GetBalanceAsync(address, Hex.Quantity(blockNumber), ct);

    /// <summary><c>eth_getCode</c>.</summary>
    public async Task<byte[]> GetCodeAsync(EvmAddress address, string block = "latest", CancellationToken ct = default) =>
        Hex.Decode((await CallAsync("eth_getCode", [address, block], ct)).GetString()!);

    /// <summary><c>eth_getTransactionCount</c>: the account's nonce at a block tag (use "pending" to count queued ones).</summary>
    public async Task<ulong> GetTransactionCountAsync(EvmAddress address, string block = "latest", CancellationToken ct = default) =>
        ParseQuantity(await CallAsync("eth_getTransactionCount", [address, block], ct));

    /// <summary><c>eth_getTransactionReceipt</c>; <see cref="JsonValueKind.Null"/> while not mined.</summary>
    public Task<JsonElement> GetTransactionReceiptAsync(EvmHash hash, CancellationToken ct = default) =>
        CallAsync("eth_getTransactionReceipt", [hash], ct);

    /// <summary>
    /// The receipt of <paramref name="hash"/>, asking again until the transaction is mined (with automine on, a receipt
    /// asked for at once can still be null on a loaded machine). Fails after <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public async Task<JsonElement> WaitForReceiptAsync(EvmHash hash, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var receipt = await GetTransactionReceiptAsync(hash, ct);
            if (receipt.ValueKind != JsonValueKind.Null)
            {
                return receipt;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"transaction {hash} was not mined within {timeout ?? TimeSpan.FromSeconds(30)}\n{Diagnostics()}");
            }

            await Task.Delay(20, ct);
        }
    }

    /// <summary><c>eth_getBlockReceipts</c>: the receipts of a block, in transaction order.</summary>
    public Task<JsonElement> GetBlockReceiptsAsync(ulong blockNumber, CancellationToken ct = default) =>
        CallAsync("eth_getBlockReceipts", [Hex.Quantity(blockNumber)], ct);

    /// <summary><c>eth_getBlockByNumber</c> with full transactions or their hashes.</summary>
    public Task<JsonElement> GetBlockAsync(ulong blockNumber, bool fullTransactions = false, CancellationToken ct = default) =>
        CallAsync("eth_getBlockByNumber", [Hex.Quantity(blockNumber), fullTransactions], ct);

    /// <summary><c>eth_call</c> of <paramref name="data"/> on <paramref name="to"/>; returns the return data.</summary>
    /// <exception cref="TestRpcException">The call reverted.</exception>
    public async Task<byte[]> CallAsync(EvmAddress to, byte[] data, string block = "latest", CancellationToken ct = default)
    {
        var call = new Dictionary<string, object?> { ["to"] = to, ["data"] = data };
        return Hex.Decode((await CallAsync("eth_call", [call, block], ct)).GetString()!);
    }

    /// <summary><c>evm_snapshot</c>: returns the snapshot id for <see cref="RevertAsync"/>.</summary>
    public async Task<string> SnapshotAsync(CancellationToken ct = default) =>
        (await CallAsync("evm_snapshot", [], ct)).GetString()!;

    /// <summary><c>evm_revert</c>: back to the snapshot (blocks after it are gone); false if the id is unknown. A snapshot is used up by reverting to it.</summary>
    public async Task<bool> RevertAsync(string snapshotId, CancellationToken ct = default) =>
        (await CallAsync("evm_revert", [snapshotId], ct)).GetBoolean();

    /// <summary>
    /// <c>anvil_reorg</c>: replaces the last <paramref name="depth"/> blocks with as many new ones, holding
    /// <paramref name="transactions"/> (each in the block at its offset, 0 = the first new block). The
    /// transactions of the replaced blocks are dropped: they get no receipt and do not return to the pool.
    /// </summary>
    public Task ReorgAsync(int depth, IReadOnlyList<ReorgTransaction>? transactions = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        var pairs = (transactions ?? [])
            .Select(t => (object?)new object?[] { TransactionObject(t.From, t.To, t.Value, t.Data, null), t.BlockOffset })
            .ToArray();
        return CallAsync("anvil_reorg", [depth, pairs], ct);
    }

    /// <summary><c>anvil_impersonateAccount</c>: <c>eth_sendTransaction</c> then accepts <paramref name="address"/> as <c>from</c>.</summary>
    public Task ImpersonateAsync(EvmAddress address, CancellationToken ct = default) =>
        CallAsync("anvil_impersonateAccount", [address], ct);

    /// <summary><c>anvil_stopImpersonatingAccount</c>.</summary>
    public Task StopImpersonatingAsync(EvmAddress address, CancellationToken ct = default) =>
        CallAsync("anvil_stopImpersonatingAccount", [address], ct);

    /// <summary>Kills anvil by its PID and waits for it to exit. The node cannot be used afterwards.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is not null && !process.HasExited)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        Forget();
    }

    /// <summary>Stops the node and deletes its temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            _process?.Dispose();
            DeleteStateDir();
        }
    }

    /// <summary>The last lines anvil printed (for failure messages).</summary>
    public string Diagnostics()
    {
        lock (_consoleTail)
        {
            return _consoleTail.Count == 0 ? "(anvil printed nothing)" : "anvil console:\n" + string.Join('\n', _consoleTail);
        }
    }

    /// <summary>Parses a JSON-RPC quantity ("0x1a") that fits in 64 bits.</summary>
    public static ulong ParseQuantity(JsonElement quantity) =>
        Hex.TryParseQuantity(quantity.GetString(), out var value)
            ? value
            : throw new FormatException($"'{quantity.GetRawText()}' is not a 64-bit quantity");

    private static Dictionary<string, object?> TransactionObject(EvmAddress from, EvmAddress? to, UInt256 value, byte[]? data, ulong? gas)
    {
        var tx = new Dictionary<string, object?> { ["from"] = from, ["value"] = value };
        if (to is { } recipient)
        {
            tx["to"] = recipient;
        }

        if (data is { Length: > 0 })
        {
            tx["data"] = data;
        }

        if (gas is { } limit)
        {
            tx["gas"] = Hex.Quantity(limit);
        }

        return tx;
    }

    private void Launch()
    {
        var startInfo = new ProcessStartInfo(EvmTools.AnvilPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = StateDir,
        };
        var args = startInfo.ArgumentList;
        args.Add("--host");
        args.Add("127.0.0.1");
        args.Add("--port");
        args.Add(Port.ToString(CultureInfo.InvariantCulture));
        args.Add("--cache-path");
        args.Add(StateDir);
        args.Add("--color");
        args.Add("never");
        args.Add("--order");
        args.Add(_options.Order);
        if (_options.ChainId is { } chainId)
        {
            args.Add("--chain-id");
            args.Add(chainId.ToString(CultureInfo.InvariantCulture));
        }

        if (_options.BlockGasLimit is { } gasLimit)
        {
            args.Add("--gas-limit");
            args.Add(gasLimit.ToString(CultureInfo.InvariantCulture));
        }

        if (_options.GenesisTimestamp is { } timestamp)
        {
            args.Add("--timestamp");
            args.Add(timestamp.ToString(CultureInfo.InvariantCulture));
        }

        if (_options.Hardfork is { } hardfork)
        {
            args.Add("--hardfork");
            args.Add(hardfork);
        }

        if (!_options.Automine)
        {
            args.Add("--no-mining");
        }

        foreach (var extra in _options.ExtraArguments)
        {
            args.Add(extra);
        }

        // Foundry reads and writes ~/.foundry; keep it inside the node's temp folder.
        startInfo.Environment["HOME"] = StateDir;
        startInfo.Environment["FOUNDRY_DISABLE_NIGHTLY_WARNING"] = "1";

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => RememberConsoleLine(e.Data);
        process.ErrorDataReceived += (_, e) => RememberConsoleLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        _process?.Dispose();
        _process = process;
        Pid = process.Id;
        _running[this] = 0;
    }

    /// <summary>True once <c>eth_chainId</c> answers; false if the process exited first; throws after 30 s.</summary>
    private async Task<bool> WaitForRpcAsync(CancellationToken ct)
    {
        var process = _process!;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(ct); // drains the console pipes
                Forget();
                return false;
            }

            try
            {
                using var requestTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                requestTimeout.CancelAfter(_pollRequestTimeout);
                await _rpc.CallAsync("eth_chainId", [], requestTimeout.Token);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException ||
                                      (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet: poll again.
            }

            if (clock.Elapsed > _startTimeout)
            {
                KillQuietly();
                throw new TimeoutException(
                    $"anvil (PID {Pid}) did not answer eth_chainId at {RpcUrl} within {_startTimeout.TotalSeconds:0} s.\n{Diagnostics()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), ct);
        }
    }

    private void RememberConsoleLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_consoleTail)
        {
            _consoleTail.Enqueue(line);
            while (_consoleTail.Count > LogTailLines)
            {
                _consoleTail.Dequeue();
            }
        }
    }

    private void KillQuietly()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Forget();
    }

    private void Forget() => _running.TryRemove(this, out _);

    private void DeleteStateDir()
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                Directory.Delete(StateDir, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 3)
            {
                Thread.Sleep(100);
            }
        }
    }
}
