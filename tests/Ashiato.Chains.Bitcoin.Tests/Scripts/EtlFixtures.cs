using System.Text.Json;
using Ashiato.Chains.Bitcoin.Encoding;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;

namespace Ashiato.Chains.Bitcoin.Tests.Scripts;

/// <summary>
/// Rows read from bitcoin-etl's test resources: its exports (expected_transactions.json, JSON lines) and the
/// recorded Bitcoin Core RPC answers they were made from (rpc_response_*.json).
/// </summary>
public static class EtlFixtures
{
    /// <summary>Dogecoin: P2PKH 0x1e (D…), P2SH 0x16; no segwit (the HRP is never used).</summary>
    public static readonly Network Dogecoin = new(
        "dogecoin", "dogecoin", [0xc0, 0xc0, 0xc0, 0xc0], 0x1e, 0x16, "doge", Hash256.Zero, false);

    public static Network NetworkFor(string coin) => coin switch
    {
        "bitcoin" => Network.BitcoinMain,
        "dogecoin" => Dogecoin,
        _ => throw new ArgumentOutOfRangeException(nameof(coin), coin, "no fixture network"),
    };

    public static string DirectoryFor(string coin) => coin switch
    {
        "bitcoin" => TestPaths.EtlBitcoinBlocks,
        "dogecoin" => TestPaths.EtlDogecoinBlocks,
        _ => throw new ArgumentOutOfRangeException(nameof(coin), coin, "no fixture directory"),
    };

    /// <summary>Outputs in expected_transactions.json: label, script_hex, script_asm, type, required_signatures (-1 for null), addresses.</summary>
    public static IEnumerable<(string Label, string ScriptHex, string Asm, string? Type, int RequiredSignatures, string[] Addresses)>
        ExportedOutputs(string coin)
    {
        foreach (var (label, tx) in ExportedTransactions(coin))
        {
            foreach (var output in tx.GetProperty("outputs").EnumerateArray())
            {
                yield return (
                    $"{label} tx {tx.GetProperty("hash").GetString()![..12]} out {output.GetProperty("index").GetInt32()}",
                    output.GetProperty("script_hex").GetString()!,
                    output.GetProperty("script_asm").GetString()!,
                    output.GetProperty("type").GetString(),
                    NullableInt(output, "required_signatures"),
                    Strings(output, "addresses"));
            }
        }
    }

    /// <summary>Inputs in expected_transactions.json: label, scriptSig hex, scriptSig asm.</summary>
    public static IEnumerable<(string Label, string ScriptHex, string Asm)> ExportedInputs(string coin)
    {
        foreach (var (label, tx) in ExportedTransactions(coin))
        {
            foreach (var input in tx.GetProperty("inputs").EnumerateArray())
            {
                yield return (
                    $"{label} tx {tx.GetProperty("hash").GetString()![..12]} in {input.GetProperty("index").GetInt32()}",
                    input.GetProperty("script_hex").GetString()!,
                    input.GetProperty("script_asm").GetString()!);
            }
        }
    }

    /// <summary>
    /// Inputs that bitcoin-etl enriched with the spent output's type/addresses, joined with that output's script from the
    /// recorded getrawtransaction answer: label, spent scriptPubKey hex, type, required_signatures (-1 for null), addresses.
    /// </summary>
    public static IEnumerable<(string Label, string ScriptHex, string? Type, int RequiredSignatures, string[] Addresses)>
        EnrichedInputs(string coin)
    {
        foreach (var (label, tx) in ExportedTransactions(coin))
        {
            var directory = Path.GetDirectoryName(Path.Combine(DirectoryFor(coin), label))!;
            foreach (var input in tx.GetProperty("inputs").EnumerateArray())
            {
                if (input.GetProperty("type").ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                var spentHash = input.GetProperty("spent_transaction_hash").GetString()!;
                var spentIndex = input.GetProperty("spent_output_index").GetInt32();
                var rawFile = Path.Combine(directory, $"rpc_response_getrawtransaction_{spentHash}.json");
                using var raw = JsonDocument.Parse(File.ReadAllText(rawFile));
                var spentOutput = raw.RootElement.GetProperty("vout")[spentIndex];
                yield return (
                    $"{label} tx {tx.GetProperty("hash").GetString()![..12]} in {input.GetProperty("index").GetInt32()}",
                    spentOutput.GetProperty("scriptPubKey").GetProperty("hex").GetString()!,
                    input.GetProperty("type").GetString(),
                    NullableInt(input, "required_signatures"),
                    Strings(input, "addresses"));
            }
        }
    }

    /// <summary>
    /// scriptPubKeys in the recorded Core RPC answers (getblock verbosity 2, getrawtransaction): label, hex, asm, type,
    /// reqSigs (-1 when absent), addresses (empty when absent).
    /// </summary>
    public static IEnumerable<(string Label, string ScriptHex, string Asm, string Type, int RequiredSignatures, string[] Addresses)>
        RpcScriptPubKeys(string coin)
    {
        foreach (var (label, tx) in RpcTransactions(coin))
        {
            foreach (var vout in tx.GetProperty("vout").EnumerateArray())
            {
                var spk = vout.GetProperty("scriptPubKey");
                yield return (
                    $"{label} tx {tx.GetProperty("txid").GetString()![..12]} vout {vout.GetProperty("n").GetInt32()}",
                    spk.GetProperty("hex").GetString()!,
                    spk.GetProperty("asm").GetString()!,
                    spk.GetProperty("type").GetString()!,
                    NullableInt(spk, "reqSigs"),
                    Strings(spk, "addresses"));
            }
        }
    }

    /// <summary>scriptSigs in the recorded Core RPC answers: label, hex, asm (with sighash decoding).</summary>
    public static IEnumerable<(string Label, string ScriptHex, string Asm)> RpcScriptSigs(string coin)
    {
        foreach (var (label, tx) in RpcTransactions(coin))
        {
            var index = 0;
            foreach (var vin in tx.GetProperty("vin").EnumerateArray())
            {
                if (vin.TryGetProperty("scriptSig", out var scriptSig))
                {
                    yield return (
                        $"{label} tx {tx.GetProperty("txid").GetString()![..12]} vin {index}",
                        scriptSig.GetProperty("hex").GetString()!,
                        scriptSig.GetProperty("asm").GetString()!);
                }

                index++;
            }
        }
    }

    /// <summary>What bitcoin-etl exports for an output: Core's legacy fields, with empty address lists rewritten to
    /// type "nonstandard" and the address "nonstandard" + sha256(script) hex [:40].</summary>
    public static (string Type, int RequiredSignatures, IReadOnlyList<string> Addresses) ExpectedEtlOutput(
        Network network, ReadOnlySpan<byte> script)
    {
        Span<byte> payload = stackalloc byte[ScriptClassifier.MaxPayload];
        var type = ScriptClassifier.Classify(script, payload, out _, out _, out var required);
        var addresses = AddressCodec.LegacyCoreAddresses(network, script);
        if (addresses.Count > 0)
        {
            // Core <= 0.21 reported reqSigs 1 for witness_unknown; our classifier reports 0 for it.
            return (ScriptTypeNames.CoreName(type), type == ScriptType.WitnessUnknown ? 1 : required, addresses);
        }

        Span<byte> sha = stackalloc byte[32];
        Hashes.Sha256(script, sha);
        return ("nonstandard", -1, [AddressCodec.Encode(network, AddressKind.Nonstandard, sha)]);
    }

    private static IEnumerable<(string Label, JsonElement Tx)> ExportedTransactions(string coin)
    {
        var root = DirectoryFor(coin);
        foreach (var file in Directory.EnumerateFiles(root, "expected_transactions.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var label = Path.GetRelativePath(root, file);
            foreach (var line in File.ReadLines(file))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(line);
                yield return (label, doc.RootElement.Clone());
            }
        }
    }

    private static IEnumerable<(string Label, JsonElement Tx)> RpcTransactions(string coin)
    {
        var root = DirectoryFor(coin);
        foreach (var file in Directory.EnumerateFiles(root, "rpc_response_*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var label = Path.GetRelativePath(root, file);
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var rootElement = doc.RootElement;
            if (rootElement.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (rootElement.TryGetProperty("vout", out _))
            {
                yield return (label, rootElement.Clone());
            }
            else if (rootElement.TryGetProperty("tx", out var txs))
            {
                foreach (var tx in txs.EnumerateArray())
                {
                    if (tx.ValueKind == JsonValueKind.Object)
                    {
                        yield return (label, tx.Clone());
                    }
                }
            }
        }
    }

    private static int NullableInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : -1;

    private static string[] Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString()!).ToArray()
            : [];
}
