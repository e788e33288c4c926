using System.Text;
using System.Text.Json;
using Ashiato.Core;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ashiato.Intel;

/// <summary>A YAML node with the position it starts at (1-based line and column), built from YamlDotNet's event parser.</summary>
public abstract class YNode(Mark start)
{
    public Mark Start { get; } = start;

    public string Where(string file) => $"{file}:{Start.Line}:{Start.Column}";
}

public sealed class YScalar(string value, bool plain, Mark start) : YNode(start)
{
    public string Value { get; } = value;

    public bool Plain { get; } = plain;

    /// <summary>Null for the YAML nulls (plain <c>~</c>, <c>null</c> or empty).</summary>
    public string? Text => Plain && Value is "" or "~" or "null" or "Null" or "NULL" ? null : Value;
}

public sealed class YSequence(Mark start) : YNode(start)
{
    public List<YNode> Items { get; } = [];
}

public sealed class YMapping(Mark start) : YNode(start)
{
    public List<KeyValuePair<string, YNode>> Items { get; } = [];

    public YNode? this[string key]
    {
        get
        {
            foreach (var kv in Items)
            {
                if (kv.Key == key)
                {
                    return kv.Value;
                }
            }

            return null;
        }
    }
}

public static class YamlTree
{
    /// <summary>
    /// Parses the first document of a file. Malformed YAML is a <see cref="UserErrorException"/> naming file, line and
    /// column.
    /// </summary>
    public static YNode? Load(TextReader reader, string file)
    {
        var parser = new Parser(reader);
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var last = new Mark[] { Mark.Empty };
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            return Read(parser, anchors, file, last);
        }
        catch (YamlException e)
        {
            throw new UserErrorException($"{file}:{e.Start.Line}:{e.Start.Column}: malformed YAML: {Short(e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way at the end of the file inside an unclosed flow collection
            throw new UserErrorException($"{file}:{last[0].Line}:{last[0].Column}: malformed YAML: cannot parse past this point (unclosed '[', '{{' or quote?)");
        }
    }

    private static string Short(string message)
    {
        var i = message.IndexOf("): ", StringComparison.Ordinal);
        return i >= 0 && message.StartsWith('(') ? message[(i + 3)..] : message;
    }

    private static YNode Read(IParser p, Dictionary<string, YNode> anchors, string file, Mark[] last)
    {
        var ev = p.Current ?? throw new YamlException("unexpected end of the stream");
        last[0] = ev.End;
        p.MoveNext();
        YNode node;
        switch (ev)
        {
            case Scalar s:
                node = new YScalar(s.Value, s.Style == ScalarStyle.Plain, s.Start);
                break;
            case SequenceStart:
            {
                var seq = new YSequence(ev.Start);
                while (p.Current is not SequenceEnd)
                {
                    seq.Items.Add(Read(p, anchors, file, last));
                }

                p.MoveNext();
                node = seq;
                break;
            }

            case MappingStart:
            {
                var map = new YMapping(ev.Start);
                while (p.Current is not MappingEnd)
                {
                    var key = Read(p, anchors, file, last);
                    var value = Read(p, anchors, file, last);
                    if (key is not YScalar k)
                    {
                        throw new UserErrorException($"{key.Where(file)}: a mapping key must be a scalar");
                    }

                    map.Items.Add(new(k.Value, value));
                }

                p.MoveNext();
                node = map;
                break;
            }

            case AnchorAlias alias:
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new UserErrorException($"{file}:{ev.Start.Line}:{ev.Start.Column}: unknown alias *{alias.Value.Value}");
            default:
                throw new UserErrorException($"{file}:{ev.Start.Line}:{ev.Start.Column}: unexpected YAML event {ev.GetType().Name}");
        }

        if (ev is NodeEvent { Anchor.IsEmpty: false } ne)
        {
            anchors[ne.Anchor.Value] = node;
        }

        return node;
    }

    /// <summary>A scalar's text, a sequence of scalars comma-joined, other nodes as JSON.</summary>
    public static string? AsText(YNode? node) => node switch
    {
        null => null,
        YScalar s => s.Text,
        _ => ToJson(node),
    };

    public static string ToJson(YNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            WriteJson(w, node);
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter w, YNode node)
    {
        switch (node)
        {
            case YScalar s:
                if (s.Text is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(s.Value);
                }

                break;
            case YSequence seq:
                w.WriteStartArray();
                foreach (var i in seq.Items)
                {
                    WriteJson(w, i);
                }

                w.WriteEndArray();
                break;
            case YMapping map:
                w.WriteStartObject();
                foreach (var kv in map.Items)
                {
                    w.WritePropertyName(kv.Key);
                    WriteJson(w, kv.Value);
                }

                w.WriteEndObject();
                break;
        }
    }
}
