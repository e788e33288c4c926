using Ashiato.Chains.Bitcoin.Encoding;

namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>
/// Recognises output script templates exactly like Bitcoin Core's Solver and derives the address key the store uses.
/// Allocation-free: runs for every output of every block.
/// </summary>
public static class ScriptClassifier
{
    /// <summary>Largest payload <see cref="Classify"/> writes: a witness version byte plus a 40-byte program.</summary>
    public const int MaxPayload = 41;

    private const int HashSize = 20;
    private const int CompressedKeySize = 33;
    private const int UncompressedKeySize = 65;

    /// <summary>
    /// Classifies a scriptPubKey like Core's Solver and writes the address payload:
    /// PubKey → Hash160(pubkey) with kind PubKeyHash; PubKeyHash/ScriptHash → the 20-byte hash;
    /// WitnessV0KeyHash → 20 bytes; WitnessV0ScriptHash and Taproot → 32 bytes;
    /// WitnessUnknown → [version][program]; Multisig → SHA256(script) with kind Multisig;
    /// NullData and Nonstandard → SHA256(script) with kind Nonstandard.
    /// </summary>
    /// <param name="payload">At least <see cref="MaxPayload"/> bytes.</param>
    /// <param name="requiredSignatures">1 for pubkey, pubkeyhash, scripthash, witness v0 and taproot; m for multisig;
    /// 0 for nulldata, nonstandard and witness_unknown.</param>
    public static ScriptType Classify(
        ReadOnlySpan<byte> scriptPubKey,
        Span<byte> payload,
        out int payloadLength,
        out AddressKind kind,
        out int requiredSignatures)
    {
        if (payload.Length < MaxPayload)
        {
            throw new ArgumentException($"the payload buffer needs {MaxPayload} bytes, got {payload.Length}", nameof(payload));
        }

        var s = scriptPubKey;
        var n = s.Length;

        // P2SH first, as Core does: OP_HASH160 <20> OP_EQUAL.
        if (n == 23 && s[0] == Opcodes.Hash160 && s[1] == HashSize && s[22] == Opcodes.Equal)
        {
            s.Slice(2, HashSize).CopyTo(payload);
            return Result(ScriptType.ScriptHash, AddressKind.ScriptHash, HashSize, 1,
                out payloadLength, out kind, out requiredSignatures);
        }

        // Witness program: a version opcode (OP_0, OP_1..OP_16) and one direct push of 2..40 bytes.
        if (n is >= 4 and <= 42 && (s[0] == Opcodes.Op0 || Opcodes.IsSmallInteger(s[0])) && s[1] + 2 == n)
        {
            var version = Opcodes.DecodeSmallInteger(s[0]);
            var program = s[2..];
            if (version == 0 && program.Length == 20)
            {
                program.CopyTo(payload);
                return Result(ScriptType.WitnessV0KeyHash, AddressKind.WitnessV0KeyHash, 20, 1,
                    out payloadLength, out kind, out requiredSignatures);
            }

            if (version == 0 && program.Length == 32)
            {
                program.CopyTo(payload);
                return Result(ScriptType.WitnessV0ScriptHash, AddressKind.WitnessV0ScriptHash, 32, 1,
                    out payloadLength, out kind, out requiredSignatures);
            }

            if (version == 1 && program.Length == 32)
            {
                program.CopyTo(payload);
                return Result(ScriptType.WitnessV1Taproot, AddressKind.Taproot, 32, 1,
                    out payloadLength, out kind, out requiredSignatures);
            }

            if (version != 0)
            {
                payload[0] = (byte)version;
                program.CopyTo(payload[1..]);
                return Result(ScriptType.WitnessUnknown, AddressKind.WitnessUnknown, 1 + program.Length, 0,
                    out payloadLength, out kind, out requiredSignatures);
            }

            return ScriptHashed(s, payload, ScriptType.Nonstandard, AddressKind.Nonstandard, 0,
                out payloadLength, out kind, out requiredSignatures);
        }

        // Provably unspendable data carrier: OP_RETURN followed by pushes only.
        if (n >= 1 && s[0] == Opcodes.Return && ScriptReader.IsPushOnly(s[1..]))
        {
            return ScriptHashed(s, payload, ScriptType.NullData, AddressKind.Nonstandard, 0,
                out payloadLength, out kind, out requiredSignatures);
        }

        // P2PK: <33 or 65-byte key of the matching header> OP_CHECKSIG.
        if (((n == UncompressedKeySize + 2 && s[0] == UncompressedKeySize) ||
             (n == CompressedKeySize + 2 && s[0] == CompressedKeySize)) &&
            s[n - 1] == Opcodes.CheckSig && IsValidPubKeySize(s.Slice(1, n - 2)))
        {
            Hashes.Hash160(s.Slice(1, n - 2), payload);
            return Result(ScriptType.PubKey, AddressKind.PubKeyHash, HashSize, 1,
                out payloadLength, out kind, out requiredSignatures);
        }

        // P2PKH: OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG.
        if (n == 25 && s[0] == Opcodes.Dup && s[1] == Opcodes.Hash160 && s[2] == HashSize &&
            s[23] == Opcodes.EqualVerify && s[24] == Opcodes.CheckSig)
        {
            s.Slice(3, HashSize).CopyTo(payload);
            return Result(ScriptType.PubKeyHash, AddressKind.PubKeyHash, HashSize, 1,
                out payloadLength, out kind, out requiredSignatures);
        }

        if (TryMatchMultisig(s, out var required, out _))
        {
            return ScriptHashed(s, payload, ScriptType.Multisig, AddressKind.Multisig, required,
                out payloadLength, out kind, out requiredSignatures);
        }

        return ScriptHashed(s, payload, ScriptType.Nonstandard, AddressKind.Nonstandard, 0,
            out payloadLength, out kind, out requiredSignatures);
    }

    /// <summary>For a bare multisig script, its public keys in order; for any other script, an empty list.</summary>
    public static IReadOnlyList<byte[]> MultisigPubKeys(ReadOnlySpan<byte> scriptPubKey)
    {
        if (!TryMatchMultisig(scriptPubKey, out _, out var keyCount))
        {
            return [];
        }

        var keys = new byte[keyCount][];
        var pos = 0;
        ScriptReader.TryReadOp(scriptPubKey, ref pos, out _, out _, out _);
        for (var i = 0; i < keyCount; i++)
        {
            ScriptReader.TryReadOp(scriptPubKey, ref pos, out _, out var start, out var length);
            keys[i] = scriptPubKey.Slice(start, length).ToArray();
        }

        return keys;
    }

    /// <summary>
    /// Rebuilds the scriptPubKey for the kinds where the payload determines it (PubKeyHash → P2PKH, ScriptHash,
    /// WitnessV0KeyHash, WitnessV0ScriptHash, Taproot, WitnessUnknown); null for Multisig, Nonstandard and None.
    /// </summary>
    /// <exception cref="ArgumentException">the payload length does not fit the kind.</exception>
    public static byte[]? BuildScript(AddressKind kind, ReadOnlySpan<byte> payload)
    {
        switch (kind)
        {
            case AddressKind.PubKeyHash:
                RequireLength(kind, payload, HashSize);
                return [Opcodes.Dup, Opcodes.Hash160, HashSize, .. payload, Opcodes.EqualVerify, Opcodes.CheckSig];
            case AddressKind.ScriptHash:
                RequireLength(kind, payload, HashSize);
                return [Opcodes.Hash160, HashSize, .. payload, Opcodes.Equal];
            case AddressKind.WitnessV0KeyHash:
                RequireLength(kind, payload, 20);
                return [Opcodes.Op0, 20, .. payload];
            case AddressKind.WitnessV0ScriptHash:
                RequireLength(kind, payload, 32);
                return [Opcodes.Op0, 32, .. payload];
            case AddressKind.Taproot:
                RequireLength(kind, payload, 32);
                return [Opcodes.Op1, 32, .. payload];
            case AddressKind.WitnessUnknown:
                if (payload.Length is < 3 or > MaxPayload || payload[0] is < 1 or > 16)
                {
                    throw new ArgumentException(
                        "a witness_unknown payload is a version byte 1..16 followed by a 2..40-byte program", nameof(payload));
                }

                return [(byte)(Opcodes.Op1 - 1 + payload[0]), (byte)(payload.Length - 1), .. payload[1..]];
            case AddressKind.Multisig:
            case AddressKind.Nonstandard:
            case AddressKind.None:
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an address kind");
        }
    }

    /// <summary>
    /// Core's MatchMultisig as of the bitcoin-etl era: OP_m, then pushes of valid-size keys, OP_n, OP_CHECKMULTISIG,
    /// with m and n small-integer opcodes (1..16), m &lt;= n and exactly n keys. Keys may use any push opcode.
    /// </summary>
    internal static bool TryMatchMultisig(ReadOnlySpan<byte> script, out int required, out int keyCount)
    {
        required = 0;
        keyCount = 0;
        if (script.Length < 1 || script[^1] != Opcodes.CheckMultiSig)
        {
            return false;
        }

        var pos = 0;
        if (!ScriptReader.TryReadOp(script, ref pos, out var op, out _, out _) || !Opcodes.IsSmallInteger(op))
        {
            return false;
        }

        var m = Opcodes.DecodeSmallInteger(op);
        var keys = 0;
        bool read;
        int start, length;
        while ((read = ScriptReader.TryReadOp(script, ref pos, out op, out start, out length)) &&
               IsValidPubKeySize(script.Slice(start, length)))
        {
            keys++;
        }

        if (!read || !Opcodes.IsSmallInteger(op))
        {
            return false;
        }

        var n = Opcodes.DecodeSmallInteger(op);
        if (keys != n || n < m || pos + 1 != script.Length)
        {
            return false;
        }

        required = m;
        keyCount = n;
        return true;
    }

    /// <summary>Core's CPubKey::ValidSize: 33 bytes with header 02/03, or 65 bytes with header 04/06/07.</summary>
    internal static bool IsValidPubKeySize(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            return false;
        }

        return key[0] switch
        {
            2 or 3 => key.Length == CompressedKeySize,
            4 or 6 or 7 => key.Length == UncompressedKeySize,
            _ => false,
        };
    }

    private static void RequireLength(AddressKind kind, ReadOnlySpan<byte> payload, int expected)
    {
        if (payload.Length != expected)
        {
            throw new ArgumentException($"a {kind} payload has {expected} bytes, got {payload.Length}", nameof(payload));
        }
    }

    private static ScriptType ScriptHashed(
        ReadOnlySpan<byte> script,
        Span<byte> payload,
        ScriptType type,
        AddressKind addressKind,
        int required,
        out int payloadLength,
        out AddressKind kind,
        out int requiredSignatures)
    {
        Hashes.Sha256(script, payload);
        return Result(type, addressKind, Hashes.Sha256Size, required, out payloadLength, out kind, out requiredSignatures);
    }

    private static ScriptType Result(
        ScriptType type,
        AddressKind addressKind,
        int length,
        int required,
        out int payloadLength,
        out AddressKind kind,
        out int requiredSignatures)
    {
        payloadLength = length;
        kind = addressKind;
        requiredSignatures = required;
        return type;
    }
}
