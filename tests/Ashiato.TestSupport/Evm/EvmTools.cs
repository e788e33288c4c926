using System.Runtime.CompilerServices;

namespace Ashiato.TestSupport.Evm;

/// <summary>
/// Where the EVM test tools are: the repository's <c>tests/evm</c> folder (contracts, <c>compile.js</c>,
/// <c>package-lock.json</c>) and what <c>npm ci</c> installs there (anvil, solc-js, OpenZeppelin).
/// </summary>
/// <remarks>
/// The repository root is the first folder holding <c>Ashiato.slnx</c> above this source file's
/// compile-time location, the test binaries or the working directory (binaries may be built outside
/// the repository with <c>--artifacts-path</c>). <c>ASHIATO_ANVIL</c> overrides the anvil binary.
/// </remarks>
public static class EvmTools
{
    private const string RepoMarker = "Ashiato.slnx";
    private const string InstallHint = "Run scripts/test.sh, which installs them (npm ci in tests/evm).";

    private static readonly Lazy<string> _repoRoot = new(() => LocateRepoRoot());

    /// <summary>Absolute path of the repository root (the folder holding <c>Ashiato.slnx</c>).</summary>
    public static string RepoRoot => _repoRoot.Value;

    /// <summary><c>tests/evm</c>: package.json, package-lock.json, compile.js, contracts/.</summary>
    public static string EvmDir => Path.Combine(RepoRoot, "tests", "evm");

    public static string ContractsDir => Path.Combine(EvmDir, "contracts");

    public static string CompileScript => Path.Combine(EvmDir, "compile.js");

    public static string NodeModulesDir => Path.Combine(EvmDir, "node_modules");

    /// <summary>The anvil binary: <c>ASHIATO_ANVIL</c> if set, else the one npm installed in tests/evm.</summary>
    /// <exception cref="FileNotFoundException">Not installed.</exception>
    public static string AnvilPath
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ASHIATO_ANVIL");
            if (!string.IsNullOrEmpty(configured))
            {
                return File.Exists(configured)
                    ? configured
                    : throw new FileNotFoundException($"ASHIATO_ANVIL={configured} does not exist.", configured);
            }

            var installed = Path.Combine(NodeModulesDir, "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
            return File.Exists(installed)
                ? installed
                : throw new FileNotFoundException($"anvil is not installed at {installed}. {InstallHint}", installed);
        }
    }

    /// <summary>The <c>node</c> executable found on PATH.</summary>
    /// <exception cref="FileNotFoundException">Node.js is not installed.</exception>
    public static string NodePath
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(dir, "node");
                if (dir.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException(
                "node (Node.js) is not on PATH; the EVM tests need it to compile their contracts with solc-js. " +
                "Install Node.js 20+ and npm, then run scripts/test.sh, which installs the npm packages.");
        }
    }

    /// <summary>Throws a clear exception when solc-js or OpenZeppelin is missing from tests/evm/node_modules.</summary>
    public static void RequireCompilerPackages()
    {
        foreach (var package in new[] { "solc", Path.Combine("@openzeppelin", "contracts") })
        {
            var dir = Path.Combine(NodeModulesDir, package);
            if (!Directory.Exists(dir))
            {
                throw new DirectoryNotFoundException($"The npm package {package} is not installed in {NodeModulesDir}. {InstallHint}");
            }
        }
    }

    private static string LocateRepoRoot([CallerFilePath] string sourceFile = "")
    {
        string?[] starts = [Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory, Environment.CurrentDirectory];
        foreach (var start in starts)
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, RepoMarker)) && Directory.Exists(Path.Combine(dir.FullName, "tests", "evm")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"Cannot find the repository root ({RepoMarker} with tests/evm) above " + string.Join(", ", starts) + ".");
    }
}
