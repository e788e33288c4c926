using System.Globalization;
using System.Text.Json;
using Ashiato.Chains.Evm.Encoding;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Json;

/// <summary>
/// One value inside a node's answer together with where it is (the request it answered and its JSON path), so
/// every decoding failure names both. Readers never default: a missing or malformed value throws
/// <see cref="EvmDataException"/>; the <c>Opt…</c> readers return null only for an absent or JSON-null field.
/// </summary>
internal readonly struct JsonField
{
    private const string RootPath = "result";

    // The path is kept as (the container's path node, this field's name or index) and only turned into a string when an
    // error needs it: building "transactions[3].value" for every field read cost a large share of decoding time.
    private readonly PathNode? _parent;
    private readonly string? _name;
    private readonly int _index;
    private readonly PathNode? _self;

    private JsonField(JsonElement element, PathNode? parent, string? name, int index, string source)
    {
        Element = element;
        _parent = parent;
        _name = name;
        _index = index;
        Source = source;

        // Only containers have children, so only they need a node of their own (leaves allocate nothing).
        _self = element.ValueKind is JsonValueKind.Object or JsonValueKind.Array && (name is not null || index >= 0 || parent is not null)
            ? new PathNode(parent, name, index)
            : null;
    }

    public JsonElement Element { get; }

    /// <summary>JSON path from the answer's result ("" for the result itself).</summary>
    public string Path => PathNode.Format(_parent, _name, _index);

    public string Source { get; }

    public bool IsNull => Element.ValueKind == JsonValueKind.Null;

    public static JsonField Root(JsonElement element, string source) => new(element, null, null, -1, source);

    /// <summary>This field as the parent of its children's paths.</summary>
    private PathNode? Node => _self;

    public EvmDataException Error(string problem) => new(Source, Path.Length == 0 ? RootPath : Path, problem);

    public JsonField ExpectObject() =>
        Element.ValueKind == JsonValueKind.Object ? this : throw Error($"expected an object, got {Describe(Element)}");

    public int ArrayLength() =>
        Element.ValueKind == JsonValueKind.Array ? Element.GetArrayLength() : throw Error($"expected an array, got {Describe(Element)}");

    public JsonField Item(int index) => new(Element[index], Node, null, index, Source);

    public bool Has(string name) => Element.TryGetProperty(name, out _);

    /// <summary>A field that must be present and not null.</summary>
    public JsonField Req(string name)
    {
        if (!Element.TryGetProperty(name, out var value))
        {
            throw new EvmDataException(Source, ChildPath(name), "missing");
        }

        return value.ValueKind == JsonValueKind.Null ? throw new EvmDataException(Source, ChildPath(name), "is null") : new JsonField(value, Node, name, -1, Source);
    }

    /// <summary>A field that may be absent or null (both give null).</summary>
    public JsonField? Opt(string name) =>
        Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? new JsonField(value, Node, name, -1, Source) : null;

    public string String() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error($"expected a string, got {Describe(Element)}");

    /// <summary>A QUANTITY ("0x1a") or a non-negative JSON integer (trace_block gives some numbers that way).</summary>
    public ulong U64()
    {
        if (Element.ValueKind == JsonValueKind.Number)
        {
            return Element.TryGetUInt64(out var n) ? n : throw Error($"expected a non-negative integer below 2^64, got {Element.GetRawText()}");
        }

        var text = HexString("a hex quantity");
        return Hex.TryParseQuantity(text, out var value)
            ? value
            : throw Error(UInt256.TryParseHex(text, out _) ? $"{Hex.Shorten(text)} does not fit in 64 bits" : $"expected a hex quantity, got \"{Hex.Shorten(text)}\"");
    }

    public long I64()
    {
        var v = U64();
        return v <= long.MaxValue ? (long)v : throw Error($"{v} is out of range (above {long.MaxValue})");
    }

    public int I32()
    {
        var v = U64();
        return v <= int.MaxValue ? (int)v : throw Error($"{v} is out of range (above {int.MaxValue})");
    }

    public UInt256 U256()
    {
        if (Element.ValueKind == JsonValueKind.Number)
        {
            var raw = Element.GetRawText();
            return UInt256.TryParse(raw, out var n) ? n : throw Error($"expected a non-negative integer below 2^256, got {Hex.Shorten(raw)}");
        }

        var text = HexString("a hex quantity");
        return UInt256.TryParseHex(text, out var value) ? value : throw Error($"expected a 256-bit hex quantity, got \"{Hex.Shorten(text)}\"");
    }

    public EvmHash Hash()
    {
        var text = HexString("a 32-byte hash");
        return EvmHash.TryParse(text, out var hash) ? hash : throw Error($"expected a 32-byte hash (0x + 64 hex digits), got \"{Hex.Shorten(text)}\"");
    }

    public EvmAddress Address()
    {
        var text = HexString("an address");
        return EvmAddress.TryParse(text, out var address)
            ? address
            : throw Error($"expected a 20-byte address (0x + 40 hex digits), got \"{Hex.Shorten(text)}\"");
    }

    public byte[] Data()
    {
        var text = HexString("hex data");
        return Hex.TryDecode(text, out var bytes) ? bytes : throw Error($"expected 0x-prefixed hex data, got \"{Hex.Shorten(text)}\"");
    }

    /// <summary>A decimal number given as a string or a JSON number (Optimism's l1FeeScalar), kept as its text.</summary>
    public string DecimalText()
    {
        var text = Element.ValueKind switch
        {
            JsonValueKind.Number => Element.GetRawText(),
            JsonValueKind.String => Element.GetString()!,
            _ => throw Error($"expected a decimal number, got {Describe(Element)}"),
        };
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? text
            : throw Error($"expected a decimal number, got \"{Hex.Shorten(text)}\"");
    }

    public IReadOnlyList<EvmHash> HashList()
    {
        var list = new EvmHash[ArrayLength()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = Item(i).NotNull().Hash();
        }

        return list;
    }

    public JsonField NotNull() => IsNull ? throw Error("is null") : this;

    private string HexString(string what) =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error($"expected {what} as a string, got {Describe(Element)}");

    private string ChildPath(string name) => Path.Length == 0 ? name : Path + "." + name;

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Hex.Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Hex.Shorten(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>A step of a JSON path (a property name or an array index) with its parent; formatted only on error.</summary>
internal sealed class PathNode(PathNode? parent, string? name, int index)
{
    public static string Format(PathNode? parent, string? name, int index)
    {
        if (parent is null && name is null && index < 0)
        {
            return "";
        }

        var sb = new System.Text.StringBuilder();
        Append(sb, parent);
        AppendStep(sb, name, index);
        return sb.ToString();
    }

    private static void Append(System.Text.StringBuilder sb, PathNode? node)
    {
        if (node is null)
        {
            return;
        }

        Append(sb, node.Parent);
        AppendStep(sb, node.Name, node.Index);
    }

    private static void AppendStep(System.Text.StringBuilder sb, string? name, int index)
    {
        if (name is not null)
        {
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            sb.Append(name);
        }
        else if (index >= 0)
        {
            sb.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
    }

    private PathNode? Parent { get; } = parent;

    private string? Name { get; } = name;

    private int Index { get; } = index;
}
