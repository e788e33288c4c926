using System.Globalization;
using System.Text;

namespace Ashiato.Export;

/// <summary>
/// Writes one JSON object per line the way Python's <c>json.dumps</c> does by default (", " and ": "
/// separators, ASCII with \u escapes), so our blockchain-etl exports are byte-identical to theirs.
/// </summary>
internal sealed class PyJsonWriter
{
    private readonly StringBuilder _sb = new(1024);
    private readonly Stack<bool> _first = new();

    public void BeginObject()
    {
        Separator();
        _sb.Append('{');
        _first.Push(true);
    }

    public void EndObject()
    {
        _first.Pop();
        _sb.Append('}');
    }

    public void BeginArray(string name)
    {
        Name(name);
        _sb.Append('[');
        _first.Push(true);
    }

    public void EndArray()
    {
        _first.Pop();
        _sb.Append(']');
    }

    public void String(string name, string? value)
    {
        Name(name);
        Str(value);
    }

    public void Number(string name, long? value)
    {
        Name(name);
        _sb.Append(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null");
    }

    public void Bool(string name, bool value)
    {
        Name(name);
        _sb.Append(value ? "true" : "false");
    }

    public void StringArray(string name, IReadOnlyList<string>? values)
    {
        Name(name);
        if (values is null)
        {
            _sb.Append("null");
            return;
        }

        _sb.Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                _sb.Append(", ");
            }

            Str(values[i]);
        }

        _sb.Append(']');
    }

    public string TakeLine()
    {
        var s = _sb.ToString();
        _sb.Clear();
        _first.Clear();
        return s;
    }

    private void Name(string name)
    {
        Separator();
        Str(name);
        _sb.Append(": ");
    }

    private void Separator()
    {
        if (_first.Count == 0)
        {
            return;
        }

        if (_first.Peek())
        {
            _first.Pop();
            _first.Push(false);
        }
        else
        {
            _sb.Append(", ");
        }
    }

    private void Str(string? s)
    {
        if (s is null)
        {
            _sb.Append("null");
            return;
        }

        _sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': _sb.Append("\\\""); break;
                case '\\': _sb.Append("\\\\"); break;
                case '\n': _sb.Append("\\n"); break;
                case '\r': _sb.Append("\\r"); break;
                case '\t': _sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _sb.Append(c);
                    }

                    break;
            }
        }

        _sb.Append('"');
    }
}
