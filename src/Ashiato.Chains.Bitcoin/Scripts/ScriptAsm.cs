using System.Globalization;
using System.Text;

namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>Bitcoin Core's ScriptToAsmStr: the "asm" strings of RPC output and bitcoin-etl exports.</summary>
public static class ScriptAsm
{
    private const int MaxScriptSize = 10_000;

    private static readonly string[] _opNames = BuildOpNames();

    /// <summary>
    /// Renders a script as Core does. Pushes of up to 4 bytes print as a CScriptNum in decimal, longer ones as hex.
    /// With <paramref name="attemptSighashDecode"/> (scriptSigs) and a spendable script, a push that is a strict-DER
    /// signature with a defined sighash byte prints as hex without that byte plus "[ALL]", "[NONE|ANYONECANPAY]", ….
    /// Other opcodes print GetOpName. A truncated push ends the output with "[error]".
    /// </summary>
    public static string ToAsm(ReadOnlySpan<byte> script, bool attemptSighashDecode)
    {
        var sb = new StringBuilder(script.Length * 2 + 16);
        var decodeSignatures = attemptSighashDecode && !IsUnspendable(script);
        var pos = 0;
        while (pos < script.Length)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            if (!ScriptReader.TryReadOp(script, ref pos, out var op, out var start, out var length))
            {
                sb.Append("[error]");
                break;
            }

            if (op > Opcodes.PushData4)
            {
                sb.Append(_opNames[op]);
                continue;
            }

            var data = script.Slice(start, length);
            if (data.Length <= 4)
            {
                sb.Append(DecodeScriptNum(data).ToString(CultureInfo.InvariantCulture));
            }
            else if (decodeSignatures && IsValidSignatureEncoding(data) && SighashName(data[^1]) is { } sighash)
            {
                AppendHex(sb, data[..^1]);
                sb.Append('[').Append(sighash).Append(']');
            }
            else
            {
                AppendHex(sb, data);
            }
        }

        return sb.ToString();
    }

    /// <summary>Core's GetOpName for a non-push opcode ("OP_DUP", "1".."16", "-1", "OP_UNKNOWN", …).</summary>
    internal static string OpName(byte opcode) => _opNames[opcode];

    /// <summary>CScript::IsUnspendable: starts with OP_RETURN or is larger than MAX_SCRIPT_SIZE.</summary>
    private static bool IsUnspendable(ReadOnlySpan<byte> script) =>
        (script.Length > 0 && script[0] == Opcodes.Return) || script.Length > MaxScriptSize;

    /// <summary>CScriptNum(vch, fRequireMinimal: false).getint() for at most 4 bytes: little-endian sign-magnitude.</summary>
    private static long DecodeScriptNum(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        long result = 0;
        for (var i = 0; i < data.Length; i++)
        {
            result |= (long)data[i] << (8 * i);
        }

        if ((data[^1] & 0x80) != 0)
        {
            return -(result & ~(0x80L << (8 * (data.Length - 1))));
        }

        return result;
    }

    private static string? SighashName(byte sighash) => sighash switch
    {
        0x01 => "ALL",
        0x81 => "ALL|ANYONECANPAY",
        0x02 => "NONE",
        0x82 => "NONE|ANYONECANPAY",
        0x03 => "SINGLE",
        0x83 => "SINGLE|ANYONECANPAY",
        _ => null,
    };

    /// <summary>BIP66 strict DER plus the trailing sighash byte (Core's IsValidSignatureEncoding).</summary>
    internal static bool IsValidSignatureEncoding(ReadOnlySpan<byte> sig)
    {
        // Format: 0x30 [total-length] 0x02 [R-length] [R] 0x02 [S-length] [S] [sighash]
        if (sig.Length < 9 || sig.Length > 73)
        {
            return false;
        }

        if (sig[0] != 0x30 || sig[1] != sig.Length - 3)
        {
            return false;
        }

        int lenR = sig[3];
        if (5 + lenR >= sig.Length)
        {
            return false;
        }

        int lenS = sig[5 + lenR];
        if (lenR + lenS + 7 != sig.Length)
        {
            return false;
        }

        if (sig[2] != 0x02 || lenR == 0 || (sig[4] & 0x80) != 0)
        {
            return false;
        }

        if (lenR > 1 && sig[4] == 0x00 && (sig[5] & 0x80) == 0)
        {
            return false;
        }

        if (sig[lenR + 4] != 0x02 || lenS == 0 || (sig[lenR + 6] & 0x80) != 0)
        {
            return false;
        }

        return lenS <= 1 || sig[lenR + 6] != 0x00 || (sig[lenR + 7] & 0x80) != 0;
    }

    private static void AppendHex(StringBuilder sb, ReadOnlySpan<byte> data)
    {
        const string digits = "0123456789abcdef";
        foreach (var b in data)
        {
            sb.Append(digits[b >> 4]).Append(digits[b & 0xf]);
        }
    }

    private static string[] BuildOpNames()
    {
        var names = new string[256];
        Array.Fill(names, "OP_UNKNOWN");

        // Push opcodes only reach GetOpName from outside ScriptToAsmStr; kept for completeness.
        names[0x00] = "0";
        names[0x4c] = "OP_PUSHDATA1";
        names[0x4d] = "OP_PUSHDATA2";
        names[0x4e] = "OP_PUSHDATA4";
        names[0x4f] = "-1";
        names[0x50] = "OP_RESERVED";
        for (var i = 1; i <= 16; i++)
        {
            names[0x50 + i] = i.ToString(CultureInfo.InvariantCulture);
        }

        string[] rest =
        [
            // 0x61..0x6a control
            "OP_NOP", "OP_VER", "OP_IF", "OP_NOTIF", "OP_VERIF", "OP_VERNOTIF", "OP_ELSE", "OP_ENDIF", "OP_VERIFY", "OP_RETURN",
            // 0x6b..0x7d stack
            "OP_TOALTSTACK", "OP_FROMALTSTACK", "OP_2DROP", "OP_2DUP", "OP_3DUP", "OP_2OVER", "OP_2ROT", "OP_2SWAP",
            "OP_IFDUP", "OP_DEPTH", "OP_DROP", "OP_DUP", "OP_NIP", "OP_OVER", "OP_PICK", "OP_ROLL", "OP_ROT", "OP_SWAP", "OP_TUCK",
            // 0x7e..0x82 splice
            "OP_CAT", "OP_SUBSTR", "OP_LEFT", "OP_RIGHT", "OP_SIZE",
            // 0x83..0x8a bit logic
            "OP_INVERT", "OP_AND", "OP_OR", "OP_XOR", "OP_EQUAL", "OP_EQUALVERIFY", "OP_RESERVED1", "OP_RESERVED2",
            // 0x8b..0xa5 numeric
            "OP_1ADD", "OP_1SUB", "OP_2MUL", "OP_2DIV", "OP_NEGATE", "OP_ABS", "OP_NOT", "OP_0NOTEQUAL",
            "OP_ADD", "OP_SUB", "OP_MUL", "OP_DIV", "OP_MOD", "OP_LSHIFT", "OP_RSHIFT", "OP_BOOLAND", "OP_BOOLOR",
            "OP_NUMEQUAL", "OP_NUMEQUALVERIFY", "OP_NUMNOTEQUAL", "OP_LESSTHAN", "OP_GREATERTHAN",
            "OP_LESSTHANOREQUAL", "OP_GREATERTHANOREQUAL", "OP_MIN", "OP_MAX", "OP_WITHIN",
            // 0xa6..0xaf crypto
            "OP_RIPEMD160", "OP_SHA1", "OP_SHA256", "OP_HASH160", "OP_HASH256", "OP_CODESEPARATOR",
            "OP_CHECKSIG", "OP_CHECKSIGVERIFY", "OP_CHECKMULTISIG", "OP_CHECKMULTISIGVERIFY",
            // 0xb0..0xb9 expansion
            "OP_NOP1", "OP_CHECKLOCKTIMEVERIFY", "OP_CHECKSEQUENCEVERIFY", "OP_NOP4", "OP_NOP5",
            "OP_NOP6", "OP_NOP7", "OP_NOP8", "OP_NOP9", "OP_NOP10",
            // 0xba tapscript
            "OP_CHECKSIGADD",
        ];
        rest.CopyTo(names, 0x61);
        names[0xff] = "OP_INVALIDOPCODE";
        return names;
    }
}
