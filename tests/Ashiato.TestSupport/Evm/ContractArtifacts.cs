using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ashiato.Chains.Evm.Encoding;

namespace Ashiato.TestSupport.Evm;

/// <summary>One compiled contract: its ABI (JSON) and creation bytecode.</summary>
public sealed record ContractArtifact(string Name, JsonElement Abi, byte[] Bytecode)
{
    /// <summary>The creation transaction's data: the bytecode followed by the ABI-encoded constructor arguments.</summary>
    public byte[] DeployData(byte[]? encodedConstructorArguments = null) =>
        encodedConstructorArguments is null or { Length: 0 } ? Bytecode.ToArray() : [.. Bytecode, .. encodedConstructorArguments];
}

/// <summary>
/// The contracts of <c>tests/evm/contracts</c>, compiled with <c>node tests/evm/compile.js</c> (solc-js) into
/// a cache under the system temp folder, keyed by a hash of the sources, compile.js and package-lock.json:
/// every test run after the first reuses the cached JSON.
/// </summary>
public sealed class ContractArtifacts
{
    private static readonly TimeSpan _compileTimeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim _compileGate = new(1, 1);
    private static ContractArtifacts? _loaded;

    private readonly Dictionary<string, ContractArtifact> _byName;

    private ContractArtifacts(string cacheFile, Dictionary<string, ContractArtifact> byName)
    {
        CacheFile = cacheFile;
        _byName = byName;
    }

    /// <summary>The compiled JSON this was read from: <c>{"Name": {"abi": [...], "bytecode": "0x..."}}</c>.</summary>
    public string CacheFile { get; }

    /// <summary>Contract names, sorted.</summary>
    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <exception cref="KeyNotFoundException">No contract of that name.</exception>
    public ContractArtifact this[string name] =>
        _byName.TryGetValue(name, out var artifact)
            ? artifact
            : throw new KeyNotFoundException($"No contract '{name}' in {CacheFile} (has {string.Join(", ", Names)}).");

    /// <summary>The cache file for the current sources: <c>$TMP/ashiato-evm-contracts/&lt;hash&gt;.json</c>.</summary>
    public static string CachePath() =>
        Path.Combine(Path.GetTempPath(), "ashiato-evm-contracts", SourceHash() + ".json");

    /// <summary>Compiles the contracts unless the cache for the current sources exists, then reads them (once per process).</summary>
    /// <exception cref="FileNotFoundException">node is not installed.</exception>
    /// <exception cref="DirectoryNotFoundException">npm packages are not installed in tests/evm.</exception>
    /// <exception cref="InvalidOperationException">compile.js failed.</exception>
    public static async Task<ContractArtifacts> LoadAsync(CancellationToken ct = default)
    {
        if (_loaded is { } loaded)
        {
            return loaded;
        }

        await _compileGate.WaitAsync(ct);
        try
        {
            if (_loaded is null)
            {
                var cacheFile = CachePath();
                if (!File.Exists(cacheFile))
                {
                    await CompileAsync(cacheFile, ct);
                }

                _loaded = Read(cacheFile);
            }

            return _loaded;
        }
        finally
        {
            _compileGate.Release();
        }
    }

    private static async Task CompileAsync(string output, CancellationToken ct)
    {
        var node = EvmTools.NodePath;
        EvmTools.RequireCompilerPackages();
        var startInfo = new ProcessStartInfo(node)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = EvmTools.EvmDir,
        };
        startInfo.ArgumentList.Add(EvmTools.CompileScript);
        startInfo.ArgumentList.Add(output);

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {node}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_compileTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"node compile.js did not finish within {_compileTimeout.TotalMinutes:0} minutes.");
        }

        if (process.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException(
                $"node {EvmTools.CompileScript} failed with exit code {process.ExitCode}:\n{await stderr}{await stdout}");
        }
    }

    private static ContractArtifacts Read(string cacheFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(cacheFile));
        var byName = new Dictionary<string, ContractArtifact>(StringComparer.Ordinal);
        foreach (var contract in document.RootElement.EnumerateObject())
        {
            byName[contract.Name] = new ContractArtifact(
                contract.Name,
                contract.Value.GetProperty("abi").Clone(),
                Hex.Decode(contract.Value.GetProperty("bytecode").GetString()!));
        }

        return new ContractArtifacts(cacheFile, byName);
    }

    /// <summary>SHA-256 (first 16 bytes, hex) over the names and contents of the inputs that decide the output.</summary>
    private static string SourceHash()
    {
        var inputs = Directory.EnumerateFiles(EvmTools.ContractsDir, "*.sol")
            .Select(path => Path.GetRelativePath(EvmTools.EvmDir, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Append("compile.js")
            .Append("package-lock.json");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var relative in inputs)
        {
            var path = Path.Combine(EvmTools.EvmDir, relative);
            var content = File.Exists(path) ? File.ReadAllBytes(path) : [];
            hash.AppendData(Encoding.UTF8.GetBytes($"{relative}\n{content.Length}\n"));
            hash.AppendData(content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }
}
