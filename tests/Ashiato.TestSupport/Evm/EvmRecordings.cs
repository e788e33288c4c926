using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ashiato.TestSupport.Evm;

/// <summary>
/// Recorded Ethereum JSON-RPC answers in ethereum-etl's test layout: one file per call,
/// <c>web3_response.&lt;method&gt;_&lt;params&gt;.json</c>, holding the whole JSON-RPC response
/// (<c>{"jsonrpc":"2.0","id":…,"result":…}</c>; one file holds only <c>{"result":…}</c>; a bare value is
/// accepted too).
/// </summary>
/// <remarks>
/// The file name follows ethereum-etl's <c>MockWeb3Provider.build_file_name</c>: <c>method + "_" +</c> the
/// parameters joined with <c>_</c>, each written as Python's <c>str(value).lower()</c> (so <c>true</c>,
/// <c>none</c>, lower-case hex); an object parameter is its keys in sorted (ordinal) order, each followed by
/// <c>_</c> and its value; a list is its items joined with <c>_</c>. A call without parameters keeps the
/// trailing <c>_</c> (<c>eth_chainId_</c>). The tokens job also holds a bare <c>eth_getBlockByNumber.json</c>
/// (the latest block when it was recorded); it answers <c>eth_getBlockByNumber</c> for <c>latest</c> and for
/// its own number, with either transaction flag (it has no transactions).
/// </remarks>
public sealed class EvmRecordings
{
    public const string FilePrefix = "web3_response.";
    public const string FileSuffix = ".json";
    public const string LatestBlockFile = "eth_getBlockByNumber.json";

    private readonly Dictionary<string, Recorded> _byKey;

    private EvmRecordings(Dictionary<string, Recorded> byKey) => _byKey = byKey;

    /// <summary>The ethereum-etl recordings folder in the shared data: <c>etl/ethereum-etl/tests/resources</c>.</summary>
    public static string ResourcesDir => SharedData.PathTo("etl", "ethereum-etl", "tests", "resources");

    /// <summary>Number of distinct recorded calls.</summary>
    public int Count => _byKey.Count;

    /// <summary>The recording keys (file names without prefix and suffix), sorted.</summary>
    public IReadOnlyList<string> Keys => _byKey.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The folder of one recorded case, e.g. <c>CaseDir("test_export_blocks_job", "block_with_logs")</c>.</summary>
    public static string CaseDir(string job, string caseName) => Path.Combine(ResourcesDir, job, caseName);

    /// <summary>Every case folder that holds recordings, sorted.</summary>
    public static IReadOnlyList<string> AllCaseDirs() =>
        Directory.EnumerateDirectories(ResourcesDir)
            .SelectMany(Directory.EnumerateDirectories)
            .Where(dir => Directory.EnumerateFiles(dir, FilePrefix + "*" + FileSuffix).Any() || File.Exists(Path.Combine(dir, LatestBlockFile)))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// Loads the recordings of the folders. The same call recorded twice must hold the same result; conflicting
    /// results throw.
    /// </summary>
    public static EvmRecordings Load(IEnumerable<string> directories)
    {
        var byKey = new Dictionary<string, Recorded>(StringComparer.Ordinal);
        var aliases = new List<(string Key, Recorded File)>();
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Recording folder not found: {directory}");
            }

            foreach (var path in Directory.EnumerateFiles(directory, FilePrefix + "*" + FileSuffix).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                Add(byKey, name[FilePrefix.Length..^FileSuffix.Length], new Recorded(path, ReadAnswer(path)));
            }

            var latest = Path.Combine(directory, LatestBlockFile);
            if (File.Exists(latest))
            {
                var file = new Recorded(latest, ReadAnswer(latest));
                using var block = JsonDocument.Parse(file.Answer.Json);
                var number = file.Answer.IsError || block.RootElement.ValueKind != JsonValueKind.Object ||
                             !block.RootElement.TryGetProperty("number", out var n)
                    ? null
                    : n.GetString()?.ToLowerInvariant();
                foreach (var key in new[] { "latest", number }.OfType<string>().SelectMany(tag => new[] { $"eth_getBlockByNumber_{tag}_true", $"eth_getBlockByNumber_{tag}_false" }))
                {
                    aliases.Add((key, file));
                }
            }
        }

        // The bare latest-block files only answer what no web3_response file answers.
        foreach (var (key, file) in aliases)
        {
            if (!byKey.ContainsKey(key))
            {
                byKey[key] = file;
            }
        }

        return new EvmRecordings(byKey);
    }

    /// <summary>The key ethereum-etl's mock gives a call: <c>eth_getBlockByNumber_0x76250_true</c>, <c>eth_chainId_</c>.</summary>
    public static string KeyFor(string method, IReadOnlyList<JsonElement> parameters) =>
        method + "_" + string.Join('_', parameters.Select(ParamText));

    /// <summary>True if any recording answers <paramref name="method"/>, with whatever parameters.</summary>
    public bool HasMethod(string method) => _byKey.Keys.Any(k => k.StartsWith(method + "_", StringComparison.Ordinal));

    /// <summary>The recorded answer of the call, or null when nothing is recorded for it.</summary>
    public EvmRecordedAnswer? Find(string method, IReadOnlyList<JsonElement> parameters) =>
        _byKey.TryGetValue(KeyFor(method, parameters), out var recorded) ? recorded.Answer : null;

    /// <summary>ethereum-etl's <c>param_to_str</c> for one decoded JSON value.</summary>
    private static string ParamText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => string.Join('_', value.EnumerateObject()
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "_" + ParamText(p.Value))),
        JsonValueKind.Array => string.Join('_', value.EnumerateArray().Select(ParamText)),
        JsonValueKind.String => value.GetString()!.ToLowerInvariant(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "none",
        _ => value.GetRawText().ToLowerInvariant(),
    };

    private static void Add(Dictionary<string, Recorded> byKey, string key, Recorded file)
    {
        if (byKey.TryGetValue(key, out var earlier))
        {
            if (earlier.Answer != file.Answer)
            {
                throw new InvalidDataException(
                    $"Conflicting recordings for the same call: {earlier.Path} and {file.Path}. Load them in separate servers.");
            }

            return;
        }

        byKey.Add(key, file);
    }

    /// <summary>
    /// The <c>result</c> (or <c>error</c>) member of a recorded JSON-RPC response as compact JSON; a file that is
    /// not a response object is taken as the bare result.
    /// </summary>
    private static EvmRecordedAnswer ReadAnswer(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var isResponse = root.ValueKind == JsonValueKind.Object &&
                             root.EnumerateObject().All(p => p.Name is "jsonrpc" or "id" or "result" or "error") &&
                             (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _));
            if (isResponse && root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                return new EvmRecordedAnswer(Compact(error), IsError: true);
            }

            if (!isResponse)
            {
                return new EvmRecordedAnswer(Compact(root), IsError: false);
            }

            return new EvmRecordedAnswer(root.TryGetProperty("result", out var result) ? Compact(result) : "null", IsError: false);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: not JSON at line {e.LineNumber + 1}: {e.Message}"), e);
        }
    }

    private static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed record Recorded(string Path, EvmRecordedAnswer Answer);
}

/// <summary>A recorded answer: the <c>result</c> value, or (if <see cref="IsError"/>) the <c>error</c> object, as compact JSON.</summary>
public sealed record EvmRecordedAnswer(string Json, bool IsError);
