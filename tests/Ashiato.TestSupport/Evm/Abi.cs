using System.Numerics;
using System.Text;
using Ashiato.Chains.Evm;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.TestSupport.Evm;

/// <summary>
/// A small Solidity ABI encoder for test transactions: function selectors and arguments of types
/// <c>address</c>, <c>uint&lt;N&gt;</c>, <c>bool</c>, <c>bytes32</c>, <c>bytes</c>, <c>address[]</c> and
/// <c>uint&lt;N&gt;[]</c>; plus decoding of single-word results.
/// </summary>
/// <remarks>
/// Arguments are converted by the declared type: an address takes an <see cref="EvmAddress"/> or its
/// string; a uint takes <see cref="UInt256"/>, any non-negative integer or <see cref="BigInteger"/>;
/// bytes32 takes an <see cref="EvmHash"/> or 32 bytes; arrays take any sequence of those.
/// </remarks>
public static class Abi
{
    private const int Word = 32;

    /// <summary>The first 4 bytes of keccak256 of the canonical signature, e.g. <c>transfer(address,uint256)</c>.</summary>
    public static byte[] Selector(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature))[..4];

    /// <summary>keccak256 of an event signature: its topic 0, e.g. <c>Transfer(address,address,uint256)</c>.</summary>
    public static EvmHash EventTopic(string signature) => new(Keccak256.Hash(Encoding.ASCII.GetBytes(signature)));

    /// <summary>Call data: selector of <paramref name="signature"/> followed by the encoded arguments.</summary>
    /// <example><c>Abi.EncodeCall("transfer(address,uint256)", to, 1000UL)</c></example>
    public static byte[] EncodeCall(string signature, params object[] arguments) =>
        [.. Selector(signature), .. EncodeArguments(ParameterTypes(signature), arguments)];

    /// <summary>The head/tail encoding of <paramref name="arguments"/> as <paramref name="types"/> (constructor arguments, return data).</summary>
    public static byte[] EncodeArguments(IReadOnlyList<string> types, IReadOnlyList<object> arguments)
    {
        if (types.Count != arguments.Count)
        {
            throw new ArgumentException($"{types.Count} parameter types but {arguments.Count} arguments");
        }

        var heads = new List<byte[]>();
        var tails = new List<byte[]>();
        var headSize = types.Count * Word;
        var tailSize = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i].Trim();
            if (IsDynamic(type))
            {
                heads.Add(UInt256Word((ulong)(headSize + tailSize)));
                var tail = EncodeDynamic(type, arguments[i]);
                tails.Add(tail);
                tailSize += tail.Length;
            }
            else
            {
                heads.Add(EncodeStatic(type, arguments[i]));
            }
        }

        return [.. heads.SelectMany(h => h), .. tails.SelectMany(t => t)];
    }

    /// <summary>The parameter types of a signature: <c>f(address,uint256[])</c> → <c>["address", "uint256[]"]</c>.</summary>
    public static string[] ParameterTypes(string signature)
    {
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new FormatException($"'{signature}' is not a function signature like name(type,type)");
        }

        var inner = signature[(open + 1)..^1];
        if (inner.Contains('(', StringComparison.Ordinal))
        {
            throw new NotSupportedException($"tuples are not supported: {signature}");
        }

        return inner.Length == 0 ? [] : inner.Split(',');
    }

    /// <summary>A 32-byte big-endian word of <paramref name="value"/>.</summary>
    public static byte[] UInt256Word(UInt256 value)
    {
        var word = new byte[Word];
        value.WriteBigEndian(word);
        return word;
    }

    /// <summary>A 32-byte word holding <paramref name="address"/> right-aligned.</summary>
    public static byte[] AddressWord(EvmAddress address)
    {
        var word = new byte[Word];
        address.WriteTo(word.AsSpan(12));
        return word;
    }

    /// <summary>Reads word <paramref name="index"/> of <paramref name="returnData"/> as a uint256.</summary>
    public static UInt256 DecodeUInt256(ReadOnlySpan<byte> returnData, int index = 0) =>
        UInt256.FromBigEndian(WordAt(returnData, index));

    /// <summary>Reads word <paramref name="index"/> of <paramref name="returnData"/> as an address.</summary>
    public static EvmAddress DecodeAddress(ReadOnlySpan<byte> returnData, int index = 0) =>
        EvmAddress.FromWord(WordAt(returnData, index));

    private static ReadOnlySpan<byte> WordAt(ReadOnlySpan<byte> data, int index)
    {
        if (data.Length < (index + 1) * Word)
        {
            throw new FormatException($"return data has {data.Length} bytes, no word {index}");
        }

        return data.Slice(index * Word, Word);
    }

    private static bool IsDynamic(string type) => type.EndsWith("[]", StringComparison.Ordinal) || type is "bytes" or "string";

    private static byte[] EncodeStatic(string type, object value) => type switch
    {
        "address" => AddressWord(ToAddress(value)),
        "bool" => UInt256Word(value is true ? 1UL : value is false ? 0UL : throw Mismatch(type, value)),
        "bytes32" => ToBytes32(value),
        _ when type.StartsWith("uint", StringComparison.Ordinal) => UInt256Word(ToUInt256(value)),
        _ => throw new NotSupportedException($"ABI type '{type}' is not supported by this encoder"),
    };

    private static byte[] EncodeDynamic(string type, object value)
    {
        switch (type)
        {
            case "bytes":
            case "string":
                var bytes = value switch
                {
                    byte[] b when type == "bytes" => b,
                    string s when type == "string" => Encoding.UTF8.GetBytes(s),
                    string s when type == "bytes" => Hex.Decode(s),
                    _ => throw Mismatch(type, value),
                };
                var padded = new byte[(bytes.Length + Word - 1) / Word * Word];
                bytes.CopyTo(padded, 0);
                return [.. UInt256Word((ulong)bytes.Length), .. padded];

            default:
                var elementType = type[..^2];
                if (IsDynamic(elementType))
                {
                    throw new NotSupportedException($"arrays of dynamic types are not supported: {type}");
                }

                if (value is not System.Collections.IEnumerable items || value is string)
                {
                    throw Mismatch(type, value);
                }

                var elements = items.Cast<object>().Select(item => EncodeStatic(elementType, item)).ToArray();
                return [.. UInt256Word((ulong)elements.Length), .. elements.SelectMany(e => e)];
        }
    }

    private static EvmAddress ToAddress(object value) => value switch
    {
        EvmAddress a => a,
        string s => EvmAddress.Parse(s),
        _ => throw Mismatch("address", value),
    };

    private static byte[] ToBytes32(object value) => value switch
    {
        EvmHash h => h.ToBytes(),
        byte[] { Length: Word } b => b.ToArray(),
        UInt256 u => UInt256Word(u),
        _ => throw Mismatch("bytes32", value),
    };

    private static UInt256 ToUInt256(object value) => value switch
    {
        UInt256 u => u,
        ulong u => u,
        uint u => u,
        ushort u => u,
        byte u => u,
        long l when l >= 0 => (ulong)l,
        int i when i >= 0 => (ulong)i,
        BigInteger b => UInt256.FromBigInteger(b),
        _ => throw Mismatch("uint256", value),
    };

    private static ArgumentException Mismatch(string type, object? value) =>
        new($"cannot encode {value?.GetType().Name ?? "null"} '{value}' as ABI {type}");
}
