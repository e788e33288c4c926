using System.Buffers.Binary;

namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>Walks script operations the way Bitcoin Core's GetScriptOp does.</summary>
internal static class ScriptReader
{
    /// <summary>
    /// Reads the operation at <paramref name="position"/> and advances past it. For pushes (opcode &lt;= OP_PUSHDATA4)
    /// the pushed bytes are script[dataStart..dataStart+dataLength]; for other opcodes dataLength is 0.
    /// Returns false at the end of the script or when a push runs past the end (Core's "[error]").
    /// </summary>
    public static bool TryReadOp(ReadOnlySpan<byte> script, ref int position, out byte opcode, out int dataStart, out int dataLength)
    {
        opcode = 0xff;
        dataStart = 0;
        dataLength = 0;
        var pc = position;
        if (pc >= script.Length)
        {
            return false;
        }

        var op = script[pc++];
        if (op <= Opcodes.PushData4)
        {
            uint size;
            var remaining = script.Length - pc;
            if (op < Opcodes.PushData1)
            {
                size = op;
            }
            else if (op == Opcodes.PushData1)
            {
                if (remaining < 1)
                {
                    return false;
                }

                size = script[pc];
                pc += 1;
            }
            else if (op == Opcodes.PushData2)
            {
                if (remaining < 2)
                {
                    return false;
                }

                size = BinaryPrimitives.ReadUInt16LittleEndian(script[pc..]);
                pc += 2;
            }
            else
            {
                if (remaining < 4)
                {
                    return false;
                }

                size = BinaryPrimitives.ReadUInt32LittleEndian(script[pc..]);
                pc += 4;
            }

            if ((uint)(script.Length - pc) < size)
            {
                return false;
            }

            dataStart = pc;
            dataLength = (int)size;
            pc += (int)size;
        }

        opcode = op;
        position = pc;
        return true;
    }

    /// <summary>Core's CScript::IsPushOnly: every operation parses and is at most OP_16 (OP_RESERVED counts as a push).</summary>
    public static bool IsPushOnly(ReadOnlySpan<byte> script)
    {
        var pos = 0;
        while (pos < script.Length)
        {
            if (!TryReadOp(script, ref pos, out var op, out _, out _) || op > Opcodes.Op16)
            {
                return false;
            }
        }

        return true;
    }
}
