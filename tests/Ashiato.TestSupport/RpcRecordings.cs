using System.Globalization;
using System.Text.Json;

namespace Ashiato.TestSupport;

/// <summary>
/// Recorded Bitcoin Core JSON-RPC answers in blockchain-etl's layout: one file per call,
/// <c>rpc_response_&lt;method&gt;_&lt;params&gt;.json</c>, holding the bare <c>result</c> value.
/// </summary>
/// <remarks>
/// File names follow blockchain-etl's <c>MockBitcoinRpc</c>: the parameters as Python's
/// <c>str.format</c> prints them (numbers as written, <c>True</c>/<c>False</c>/<c>None</c>), joined
/// with <c>_</c>, with two exceptions:
/// <list type="bullet">
/// <item><c>getblock &lt;hash&gt;</c> without verbosity is <c>getblock_&lt;hash&gt;_None</c>.</item>
/// <item><c>getrawtransaction &lt;txid&gt; 1</c> (or <c>true</c>) is <c>getrawtransaction_&lt;txid&gt;</c>: the
/// verbose flag is not in the name and the files hold the verbose=1 (decoded) answer, so a call
/// asking for hex (verbose absent, 0 or false) or for verbosity 2 has no recording.</item>
/// </list>
/// For <c>getblock</c>, verbosity 1, <c>true</c> and absent mean the same to the node (as do 0 and
/// <c>false</c>), so a recording under any of them answers the others.
/// </remarks>
public sealed class RpcRecordings
{
    public const string FilePrefix = "rpc_response_";
    public const string FileSuffix = ".json";

    /// <summary>Code answered when nothing is recorded for a call (JSON-RPC "method not found").</summary>
    public const int NoRecordingCode = -32601;

    /// <summary>Code answered when a block is recorded but not at the asked verbosity (Bitcoin Core's invalid parameter).</summary>
    public const int UnrecordedVerbosityCode = -8;

    private static readonly string[][] _equivalentVerbosities = [["None", "1", "True"], ["0", "False"]];

    private readonly Dictionary<string, RecordedFile> _byKey;

    private RpcRecordings(Dictionary<string, RecordedFile> byKey) => _byKey = byKey;

    /// <summary>Number of distinct recorded calls.</summary>
    public int Count => _byKey.Count;

    /// <summary>
    /// Loads every <c>rpc_response_*.json</c> of the folders. The same call recorded twice must hold
    /// the same answer; conflicting answers (e.g. bitcoin's and zcash's <c>getblockhash 0</c>) throw.
    /// </summary>
    public static RpcRecordings Load(IEnumerable<string> directories)
    {
        var byKey = new Dictionary<string, RecordedFile>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Recording folder not found: {directory}");
            }

            foreach (var path in Directory.EnumerateFiles(directory, FilePrefix + "*" + FileSuffix).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                var key = name[FilePrefix.Length..^FileSuffix.Length];
                var file = new RecordedFile(path, Compact(path));
                if (byKey.TryGetValue(key, out var earlier))
                {
                    if (earlier.Json != file.Json)
                    {
                        throw new InvalidDataException(
                            $"Conflicting recordings for the same call: {earlier.Path} and {file.Path}. Load them in separate servers.");
                    }

                    continue;
                }

                byKey.Add(key, file);
            }
        }

        return new RpcRecordings(byKey);
    }

    /// <summary>The file name blockchain-etl gives a call, e.g. <c>rpc_response_getblockhash_50001.json</c>.</summary>
    /// <returns>Null when no recording can answer the call (getrawtransaction not asking for verbose=1).</returns>
    public static string? FileNameFor(string method, IReadOnlyList<JsonElement> parameters) =>
        KeysFor(method, parameters.Select(PythonText).ToArray()).FirstOrDefault() is { } key
            ? FilePrefix + key + FileSuffix
            : null;

    /// <summary>A JSON value as Python's <c>str()</c> prints the decoded value, for file names.</summary>
    public static string PythonText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null or JsonValueKind.Undefined => "None",
        JsonValueKind.Number => value.GetRawText(),
        _ => value.GetRawText(),
    };

    /// <summary>The recorded <c>result</c> (compact JSON) for a call, or the error a node-like server answers.</summary>
    public ReplayAnswer Find(string method, IReadOnlyList<JsonElement> parameters)
    {
        var texts = parameters.Select(PythonText).ToArray();
        foreach (var key in KeysFor(method, texts))
        {
            if (_byKey.TryGetValue(key, out var file))
            {
                return new ReplayAnswer.Recorded(file.Json);
            }
        }

        var call = string.Join(' ', [method, .. texts]);
        if (method == "getblock" && texts.Length > 0)
        {
            var prefix = $"getblock_{texts[0]}_";
            var recorded = _byKey.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => k[prefix.Length..]).Order(StringComparer.Ordinal).ToArray();
            if (recorded.Length > 0)
            {
                return new ReplayAnswer.Failed(
                    UnrecordedVerbosityCode,
                    $"no recording for {call} (block recorded with verbosity {string.Join(", ", recorded)})");
            }
        }

        if (method == "getrawtransaction" && texts.Length > 0 && _byKey.ContainsKey($"getrawtransaction_{texts[0]}"))
        {
            return new ReplayAnswer.Failed(
                NoRecordingCode, $"no recording for {call} (recorded with verbose=1 only)");
        }

        return new ReplayAnswer.Failed(NoRecordingCode, $"no recording for {call}");
    }

    /// <summary>The recording keys (file names without prefix and suffix) that answer a call, best first.</summary>
    private static IEnumerable<string> KeysFor(string method, string[] texts)
    {
        switch (method)
        {
            case "getblock" when texts.Length is 1 or 2:
                var verbosity = texts.Length == 2 ? texts[1] : "None";
                yield return $"getblock_{texts[0]}_{verbosity}";
                foreach (var alias in _equivalentVerbosities.FirstOrDefault(group => group.Contains(verbosity)) ?? [])
                {
                    if (alias != verbosity)
                    {
                        yield return $"getblock_{texts[0]}_{alias}";
                    }
                }

                break;

            case "getrawtransaction":
                // The verbose flag is not part of the name; the files hold verbose=1 answers.
                if (texts.Length >= 2 && texts[1] is ("1" or "True"))
                {
                    yield return $"getrawtransaction_{texts[0]}";
                }

                break;

            default:
                yield return texts.Length == 0 ? method : $"{method}_{string.Join('_', texts)}";
                break;
        }
    }

    private static string Compact(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                document.RootElement.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{path}: not JSON at line {e.LineNumber + 1}: {e.Message}"), e);
        }
    }

    private sealed record RecordedFile(string Path, string Json);
}

/// <summary>What a replayed call answers: a recorded result, or a JSON-RPC error.</summary>
public abstract record ReplayAnswer
{
    private ReplayAnswer()
    {
    }

    /// <summary>The recorded <c>result</c> value as compact JSON (numbers exactly as recorded).</summary>
    public sealed record Recorded(string ResultJson) : ReplayAnswer;

    public sealed record Failed(int Code, string Message) : ReplayAnswer;
}
