using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ashiato.TestSupport;

/// <summary>
/// A real Litecoin Core regtest node (Bitcoin Core 0.21's code base) for integration tests: its own
/// temp data directory, RPC on 127.0.0.1 on a free port, run as a non-daemon child process that is
/// stopped by its PID.
/// </summary>
/// <remarks>
/// MWEB activates at regtest height 432: <c>generatetoaddress</c> cannot mine block 432 unless a
/// peg-in is in the mempool (see <see cref="PegInToMwebAsync"/>). From then on every block ends with
/// a HogEx transaction and carries MWEB extension bytes after the transaction list.
/// </remarks>
public sealed class LitecoindNode : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private const int LogTailLines = 40;

    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _stopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan _pollRequestTimeout = TimeSpan.FromSeconds(5);

    private static readonly HttpClient _httpClient = new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    private static readonly ConcurrentDictionary<LitecoindNode, byte> _running = new();

    private readonly string? _extraConf;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly Queue<string> _consoleTail = new();
    private Process? _process;
    private long _nextRequestId;
    private bool _disposed;

    static LitecoindNode()
    {
        // Last resort when a test run ends without disposing its nodes: never leave a node behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in _running.Keys)
            {
                node.KillQuietly();
            }
        };
    }

    private LitecoindNode(string? extraConf)
    {
        _extraConf = extraConf;
        DataDir = Directory.CreateTempSubdirectory("ashiato-litecoind-").FullName;
        RpcPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RpcUser}:{RpcPassword}")));
        RpcUrl = new Uri("http://127.0.0.1:0/");
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RpcUrl { get; private set; }

    public int RpcPort => RpcUrl.Port;

    /// <summary>The p2p port in the conf; nothing listens on it (<c>listen=0</c>).</summary>
    public int P2pPort { get; private set; }

    public string RpcUser { get; } = "ashiato";

    public string RpcPassword { get; }

    /// <summary>The node's temp data directory; deleted on dispose.</summary>
    public string DataDir { get; }

    public string ConfPath => Path.Combine(DataDir, "litecoin.conf");

    /// <summary><c>$DataDir/regtest/blocks</c>, holding <c>blk*.dat</c> and <c>rev*.dat</c>.</summary>
    public string BlocksDir => Path.Combine(DataDir, "regtest", "blocks");

    public string DebugLogPath => Path.Combine(DataDir, "regtest", "debug.log");

    /// <summary>PID of the running litecoind (changes on restart).</summary>
    public int Pid { get; private set; }

    /// <summary>
    /// Starts a fresh regtest node and waits until its RPC answers. <paramref name="extraConf"/> is
    /// appended to the conf file inside its <c>[regtest]</c> section.
    /// </summary>
    public static async Task<LitecoindNode> StartAsync(CancellationToken ct, string? extraConf = null)
    {
        var node = new LitecoindNode(extraConf);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                node.RpcUrl = new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}/");
                node.P2pPort = FreeTcpPort.Pick();
                await File.WriteAllTextAsync(node.ConfPath, node.BuildConf(), ct);
                node.Launch();
                if (await node.WaitForRpcAsync(ct))
                {
                    return node;
                }

                // The process exited during start-up. A port taken between picking and binding is
                // worth another try with new ports; anything else is reported.
                if (attempt < StartAttempts && node.Diagnostics().Contains("Unable to bind", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new InvalidOperationException(
                    $"litecoind exited with code {node._process!.ExitCode} during start-up.\n{node.Diagnostics()}");
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls a node RPC (JSON-RPC 1.0) and returns its <c>result</c>.</summary>
    /// <exception cref="LitecoindRpcException">The node answered with an error.</exception>
    public Task<JsonElement> RpcAsync(string method, CancellationToken ct, params object?[] args) =>
        SendAsync(RpcUrl, method, args, ct);

    /// <summary>Calls a wallet RPC at <c>/wallet/&lt;name&gt;</c>.</summary>
    public Task<JsonElement> WalletRpcAsync(string wallet, string method, CancellationToken ct, params object?[] args) =>
        SendAsync(new Uri(RpcUrl, "wallet/" + Uri.EscapeDataString(wallet)), method, args, ct);

    /// <summary>Creates a legacy (non-descriptor) wallet that is loaded again after a restart.</summary>
    public Task CreateWalletAsync(string name, CancellationToken ct) =>
        RpcAsync("createwallet", ct, name, false, false, "", false, false, true);

    /// <summary>A new address of <paramref name="type"/>: legacy, p2sh-segwit, bech32 or mweb.</summary>
    public async Task<string> GetNewAddressAsync(string wallet, string type, CancellationToken ct)
    {
        var address = await WalletRpcAsync(wallet, "getnewaddress", ct, "", type);
        return address.GetString()!;
    }

    /// <summary>Mines <paramref name="blocks"/> blocks to <paramref name="address"/>; returns their hashes.</summary>
    public async Task<string[]> GenerateToAddressAsync(int blocks, string address, CancellationToken ct)
    {
        try
        {
            var hashes = await RpcAsync("generatetoaddress", ct, blocks, address);
            return hashes.EnumerateArray().Select(h => h.GetString()!).ToArray();
        }
        catch (LitecoindRpcException e) when (e.RpcMessage.Contains("bad-txns-vin-empty", StringComparison.Ordinal))
        {
            throw new LitecoindRpcException(
                e.Method,
                e.Code,
                e.RpcMessage,
                "MWEB activates at regtest height 432 and its first block needs a peg-in in the mempool: " +
                "call PegInToMwebAsync first. Blocks mined before this error stay mined.");
        }
    }

    /// <summary>
    /// Sends <paramref name="amountLitoshis"/> from <paramref name="wallet"/> to a new MWEB address of
    /// the same wallet (a peg-in) and returns the transaction id. With it in the mempool,
    /// <c>generatetoaddress</c> can mine past the MWEB activation height 432.
    /// </summary>
    public async Task<string> PegInToMwebAsync(string wallet, long amountLitoshis, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountLitoshis);
        var mwebAddress = await GetNewAddressAsync(wallet, "mweb", ct);
        var txid = await WalletRpcAsync(wallet, "sendtoaddress", ct, mwebAddress, FormatAmount(amountLitoshis));
        return txid.GetString()!;
    }

    /// <summary>
    /// Writes the chain state and block index to disk (RPC <c>gettxoutsetinfo</c> forces the flush).
    /// Without it a <see cref="KillAsync"/> loses every block mined since start-up: the node comes
    /// back at the last flushed height although the lost blocks are still in the blk files.
    /// </summary>
    public Task FlushAsync(CancellationToken ct) => RpcAsync("gettxoutsetinfo", ct);

    /// <summary>RPC <c>stop</c>, then waits for the process to exit; kills it after 30 s.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            Forget();
            return;
        }

        try
        {
            using var requestTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            requestTimeout.CancelAfter(_pollRequestTimeout);
            await RpcAsync("stop", requestTimeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or LitecoindRpcException ||
                                  (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The exit wait below decides; a node that ignores stop is killed.
        }

        using (var exitTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            exitTimeout.CancelAfter(_stopTimeout);
            try
            {
                await process.WaitForExitAsync(exitTimeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        Forget();
    }

    /// <summary>
    /// SIGKILL by PID (a crash), then waits for the process to be gone. After a restart the node is
    /// back at the last flushed height (see <see cref="FlushAsync"/>), and the next blocks it mines
    /// overwrite the unindexed ones in the blk file, leaving stale records behind them.
    /// </summary>
    public async Task KillAsync(CancellationToken ct)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync(ct);
        Forget();
    }

    /// <summary>Stops the node if it runs, then starts it again on the same data directory and ports.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await StopAsync(ct);
        Launch();
        if (!await WaitForRpcAsync(ct))
        {
            throw new InvalidOperationException(
                $"litecoind exited with code {_process!.ExitCode} during restart.\n{Diagnostics()}");
        }
    }

    /// <summary>Stops the node and deletes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync(CancellationToken.None);
        }
        finally
        {
            _process?.Dispose();
            DeleteDataDir();
        }
    }

    private string BuildConf()
    {
        var conf = new StringBuilder()
            .AppendLine("regtest=1")
            .AppendLine("server=1")
            .AppendLine("txindex=1")
            .AppendLine("fallbackfee=0.0001")
            // The default keypool (1000) makes createwallet take ~2 s; 50 keys take ~0.15 s.
            .AppendLine("keypool=50")
            .AppendLine("[regtest]")
            .AppendLine($"rpcuser={RpcUser}")
            .AppendLine($"rpcpassword={RpcPassword}")
            .AppendLine("rpcbind=127.0.0.1")
            .AppendLine("rpcallowip=127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"rpcport={RpcPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"port={P2pPort}")
            .AppendLine("listen=0");
        if (!string.IsNullOrWhiteSpace(_extraConf))
        {
            conf.AppendLine(_extraConf);
        }

        return conf.ToString();
    }

    private void Launch()
    {
        var startInfo = new ProcessStartInfo(ResolveBinary())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDir,
        };
        startInfo.ArgumentList.Add($"-datadir={DataDir}");
        startInfo.ArgumentList.Add($"-conf={ConfPath}");
        startInfo.ArgumentList.Add("-daemon=0");
        startInfo.ArgumentList.Add("-printtoconsole=0");

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

    /// <summary>True once RPC answers; false if the process exited first; throws after 60 s.</summary>
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
                await RpcAsync("getblockchaininfo", requestTimeout.Token);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException ||
                                      (e is LitecoindRpcException rpc && rpc.Code == -28) ||
                                      (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet (refused), or warming up (-28): poll again.
            }

            if (clock.Elapsed > _startTimeout)
            {
                KillQuietly();
                throw new TimeoutException(
                    $"litecoind (PID {Pid}) did not answer RPC at {RpcUrl} within {_startTimeout.TotalSeconds:0} s.\n{Diagnostics()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private async Task<JsonElement> SendAsync(Uri url, string method, object?[] args, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(SerializeRequest(method, args)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = _authorization;

        using var response = await _httpClient.SendAsync(request, ct);
        // Bitcoin Core answers RPC errors with HTTP 404/500 and a JSON body: read the body first.
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new HttpRequestException(
                $"litecoind answered '{method}' with HTTP {(int)response.StatusCode} and no JSON body: " +
                Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)),
                null,
                response.StatusCode);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new HttpRequestException($"litecoind answered '{method}' with a JSON {root.ValueKind}, not an object.");
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
                var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : error.GetRawText();
                throw new LitecoindRpcException(method, code, message);
            }

            return root.TryGetProperty("result", out var result) ? result.Clone() : default;
        }
    }

    private byte[] SerializeRequest(string method, object?[] args)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "1.0");
            writer.WriteNumber("id", Interlocked.Increment(ref _nextRequestId));
            writer.WriteString("method", method);
            writer.WriteStartArray("params");
            foreach (var arg in args)
            {
                JsonSerializer.Serialize(writer, arg, arg?.GetType() ?? typeof(object));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>An amount as the exact decimal string RPC accepts (8 places), no floating point.</summary>
    private static string FormatAmount(long litoshis) =>
        string.Create(CultureInfo.InvariantCulture, $"{litoshis / 100_000_000}.{litoshis % 100_000_000:D8}");

    private static string ResolveBinary()
    {
        var configured = Environment.GetEnvironmentVariable("ASHIATO_LITECOIND");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        // Debian's /usr/bin/litecoind is a shell wrapper that writes ~/.litecoin before exec'ing
        // the real binary; run the real binary so nothing outside the temp data directory changes.
        const string debianBinary = "/usr/lib/litecoin/litecoind";
        if (File.Exists(debianBinary))
        {
            return debianBinary;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "litecoind");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            "litecoind is not installed. Run scripts/test.sh (it installs the apt package litecoind) " +
            "or set ASHIATO_LITECOIND to the binary.");
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

    private string Diagnostics()
    {
        var text = new StringBuilder();
        lock (_consoleTail)
        {
            if (_consoleTail.Count > 0)
            {
                text.AppendLine("litecoind console:").AppendJoin('\n', _consoleTail).AppendLine();
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{DebugLogPath} (last {LogTailLines} lines):");
        try
        {
            var lines = File.ReadAllLines(DebugLogPath);
            text.AppendJoin('\n', lines.Skip(Math.Max(0, lines.Length - LogTailLines)));
        }
        catch (IOException e)
        {
            text.Append("(unreadable: ").Append(e.Message).Append(')');
        }

        return text.ToString();
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

    private void DeleteDataDir()
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
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
