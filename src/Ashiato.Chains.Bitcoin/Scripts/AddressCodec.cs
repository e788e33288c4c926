using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>Address strings for address keys (kind + payload) on a network, and the legacy Core "addresses" list.</summary>
public static class AddressCodec
{
    public const string NonstandardPrefix = "nonstandard";
    public const string MultisigPrefix = "multisig";

    /// <summary>Hex characters of the payload after "nonstandard"/"multisig" (bitcoin-etl keeps sha256hex[:40]).</summary>
    private const int HashedPrefixBytes = 20;

    /// <summary>
    /// The display string: base58check for PubKeyHash/ScriptHash, bech32/bech32m for witness kinds
    /// (WitnessUnknown payload = version byte + program), "nonstandard"/"multisig" + the first 40 hex characters
    /// of the payload (SHA256 of the script, as bitcoin-etl's script_hex_to_non_standard_address).
    /// </summary>
    public static string Encode(Network network, AddressKind kind, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(network);
        switch (kind)
        {
            case AddressKind.PubKeyHash:
                RequireLength(kind, payload, 20);
                return Base58Check.Encode(network.PubKeyHashPrefix, payload);
            case AddressKind.ScriptHash:
                RequireLength(kind, payload, 20);
                return Base58Check.Encode(network.ScriptHashPrefix, payload);
            case AddressKind.WitnessV0KeyHash:
                RequireLength(kind, payload, 20);
                return Bech32.EncodeSegwit(network.Bech32Hrp, 0, payload);
            case AddressKind.WitnessV0ScriptHash:
                RequireLength(kind, payload, 32);
                return Bech32.EncodeSegwit(network.Bech32Hrp, 0, payload);
            case AddressKind.Taproot:
                RequireLength(kind, payload, 32);
                return Bech32.EncodeSegwit(network.Bech32Hrp, 1, payload);
            case AddressKind.WitnessUnknown:
                if (payload.Length < 1)
                {
                    throw new ArgumentException("a witness_unknown payload starts with the version byte", nameof(payload));
                }

                return Bech32.EncodeSegwit(network.Bech32Hrp, payload[0], payload[1..]);
            case AddressKind.Nonstandard:
                return HashedName(NonstandardPrefix, kind, payload);
            case AddressKind.Multisig:
                return HashedName(MultisigPrefix, kind, payload);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "this kind has no address");
        }
    }

    /// <summary>
    /// Inverse of <see cref="Encode"/> for this network. False for other networks' prefixes or HRPs, bad checksums,
    /// and "nonstandard…"/"multisig…" strings (they keep only a 20-byte prefix of the key).
    /// </summary>
    public static bool TryParse(Network network, string address, out AddressKind kind, out byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(network);
        kind = AddressKind.None;
        payload = [];
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        if (Bech32.TryDecodeSegwit(address, out var hrp, out var version, out var program))
        {
            if (!string.Equals(hrp, network.Bech32Hrp, StringComparison.Ordinal))
            {
                return false;
            }

            (kind, payload) = (version, program.Length) switch
            {
                (0, 20) => (AddressKind.WitnessV0KeyHash, program),
                (0, 32) => (AddressKind.WitnessV0ScriptHash, program),
                (1, 32) => (AddressKind.Taproot, program),
                _ => (AddressKind.WitnessUnknown, [(byte)version, .. program]),
            };
            return true;
        }

        if (Base58Check.TryDecode(address, out var prefix, out var hash) && hash.Length == 20)
        {
            if (prefix == network.PubKeyHashPrefix)
            {
                kind = AddressKind.PubKeyHash;
            }
            else if (prefix == network.ScriptHashPrefix || prefix == network.LegacyScriptHashPrefix)
            {
                kind = AddressKind.ScriptHash;
            }
            else
            {
                return false;
            }

            payload = hash;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The "addresses" array Bitcoin Core up to 0.21 printed in a scriptPubKey (what bitcoin-etl exports):
    /// pubkey → [P2PKH of the key]; pubkeyhash, scripthash, witness v0, taproot, witness_unknown → [the address];
    /// multisig → [P2PKH of each key]; nulldata and nonstandard → [].
    /// </summary>
    public static IReadOnlyList<string> LegacyCoreAddresses(Network network, ReadOnlySpan<byte> scriptPubKey)
    {
        ArgumentNullException.ThrowIfNull(network);
        Span<byte> payload = stackalloc byte[ScriptClassifier.MaxPayload];
        var type = ScriptClassifier.Classify(scriptPubKey, payload, out var length, out var kind, out _);
        switch (type)
        {
            case ScriptType.NullData:
            case ScriptType.Nonstandard:
                return [];
            case ScriptType.Multisig:
                var keys = ScriptClassifier.MultisigPubKeys(scriptPubKey);
                var addresses = new string[keys.Count];
                Span<byte> keyHash = stackalloc byte[Hashes.Ripemd160Size];
                for (var i = 0; i < keys.Count; i++)
                {
                    Hashes.Hash160(keys[i], keyHash);
                    addresses[i] = Base58Check.Encode(network.PubKeyHashPrefix, keyHash);
                }

                return addresses;
            default:
                return [Encode(network, kind, payload[..length])];
        }
    }

    private static string HashedName(string prefix, AddressKind kind, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HashedPrefixBytes)
        {
            throw new ArgumentException($"a {kind} payload has at least {HashedPrefixBytes} bytes", nameof(payload));
        }

        return prefix + Convert.ToHexStringLower(payload[..HashedPrefixBytes]);
    }

    private static void RequireLength(AddressKind kind, ReadOnlySpan<byte> payload, int expected)
    {
        if (payload.Length != expected)
        {
            throw new ArgumentException($"a {kind} payload has {expected} bytes, got {payload.Length}", nameof(payload));
        }
    }
}
