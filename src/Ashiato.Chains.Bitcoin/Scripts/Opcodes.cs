namespace Ashiato.Chains.Bitcoin.Scripts;

/// <summary>The opcode values the classifier and the asm printer need.</summary>
internal static class Opcodes
{
    public const byte Op0 = 0x00;
    public const byte PushData1 = 0x4c;
    public const byte PushData2 = 0x4d;
    public const byte PushData4 = 0x4e;
    public const byte Op1Negate = 0x4f;
    public const byte Op1 = 0x51;
    public const byte Op16 = 0x60;
    public const byte Return = 0x6a;
    public const byte Dup = 0x76;
    public const byte Equal = 0x87;
    public const byte EqualVerify = 0x88;
    public const byte Hash160 = 0xa9;
    public const byte CheckSig = 0xac;
    public const byte CheckMultiSig = 0xae;

    public static bool IsSmallInteger(byte opcode) => opcode is >= Op1 and <= Op16;

    public static int DecodeSmallInteger(byte opcode) => opcode == Op0 ? 0 : opcode - (Op1 - 1);
}
