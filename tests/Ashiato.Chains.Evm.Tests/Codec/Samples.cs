using System.Collections;
using System.Reflection;
using Ashiato.Chains.Evm.Model;
using Ashiato.Core;

namespace Ashiato.Chains.Evm.Tests.Codec;

/// <summary>Small builders for hand-made bundles, and a field-by-field comparison.</summary>
internal static class Samples
{
    /// <summary>A hash whose 32 bytes are all <paramref name="fill"/> except the last, which is <paramref name="tag"/>.</summary>
    public static EvmHash H(byte fill, byte tag = 0)
    {
        var b = Enumerable.Repeat(fill, 32).ToArray();
        b[31] = tag;
        return new EvmHash(b);
    }

    public static EvmAddress A(byte n)
    {
        var b = new byte[20];
        b[0] = 0xA0;
        b[19] = n;
        return new EvmAddress(b);
    }

    /// <summary>A 32-byte ABI word holding an address.</summary>
    public static EvmHash Topic(EvmAddress a)
    {
        var b = new byte[32];
        a.WriteTo(b.AsSpan(12));
        return new EvmHash(b);
    }

    public static EvmHash Topic(UInt256 n)
    {
        var b = new byte[32];
        n.WriteBigEndian(b);
        return new EvmHash(b);
    }

    public static byte[] Word(UInt256 n)
    {
        var b = new byte[32];
        n.WriteBigEndian(b);
        return b;
    }

    public static byte[] Words(params UInt256[] values) => [.. values.SelectMany(Word)];

    /// <summary>Compares public properties recursively; lists element by element; fails naming the path of the first difference.</summary>
    public static void AssertDeepEqual(object? expected, object? actual, string path = "bundle")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }

        var type = expected.GetType();
        if (expected is string || type.IsPrimitive || type.IsEnum || expected is UInt256 or EvmAddress or EvmHash or decimal)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            return;
        }

        if (expected is byte[] eb)
        {
            Assert.True(actual is byte[] ab && eb.AsSpan().SequenceEqual(ab), $"{path}: byte arrays differ");
            return;
        }

        if (expected is IEnumerable el)
        {
            var e = el.Cast<object?>().ToList();
            var a = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
            Assert.True(e.Count == a.Count, $"{path}: expected {e.Count} items, got {a.Count}");
            for (var i = 0; i < e.Count; i++)
            {
                AssertDeepEqual(e[i], a[i], $"{path}[{i}]");
            }

            return;
        }

        Assert.Equal(type, actual.GetType());
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            AssertDeepEqual(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
        }
    }

    /// <summary>Names of nullable properties (or list properties) that are null somewhere in the object graph.</summary>
    public static IReadOnlyList<string> NullProperties(object root)
    {
        var found = new List<string>();
        Walk(root, root.GetType().Name);
        return found;

        void Walk(object o, string path)
        {
            var type = o.GetType();
            if (o is string || type.IsPrimitive || type.IsEnum || o is UInt256 or EvmAddress or EvmHash or byte[])
            {
                return;
            }

            if (o is IEnumerable list)
            {
                var i = 0;
                foreach (var item in list)
                {
                    if (item is not null)
                    {
                        Walk(item, $"{path}[{i}]");
                    }

                    i++;
                }

                return;
            }

            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var v = p.GetValue(o);
                if (v is null)
                {
                    found.Add($"{path}.{p.Name}");
                }
                else
                {
                    Walk(v, $"{path}.{p.Name}");
                }
            }
        }
    }
}
