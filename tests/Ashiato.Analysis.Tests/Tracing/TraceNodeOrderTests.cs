using Ashiato.Analysis.Tracing;

namespace Ashiato.Analysis.Tests.Tracing;

public sealed class TraceNodeOrderTests
{
    private static TraceNode Node(string id) => new(id, "c", id, null, null);

    [Fact]
    public void Sorting_by_packed_keys_gives_the_ordinal_order_of_the_ids()
    {
        var random = new Random(11);
        const string alphabet = "0123456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ():-\0é\uffff";
        for (var round = 0; round < 300; round++)
        {
            // ids with a long shared prefix, as a trace's are ("chain:bc1q…"), of varied lengths (some a prefix of another)
            var prefix = round % 3 == 0 ? "" : "sim-bitcoin:" + (round % 2 == 0 ? "bcrt1q" : "");
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var count = random.Next(0, 80);
            while (ids.Count < count)
            {
                var length = random.Next(0, random.Next(0, 3) == 0 ? 3 : 12);
                var chars = new char[length];
                for (var i = 0; i < length; i++)
                {
                    chars[i] = alphabet[random.Next(round % 5 == 0 ? 3 : alphabet.Length)];
                }

                ids.Add(prefix + new string(chars));
            }

            var nodes = ids.Select(Node).ToList();
            var expected = ids.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, TraceNodeOrder.SortById(nodes).Select(n => n.Id).ToList());
        }

        Assert.Equal(["c:(fee)", "c:(no-address)", "c:bc1q", "c:bc1qa"],
            TraceNodeOrder.SortById([Node("c:bc1qa"), Node("c:(no-address)"), Node("c:bc1q"), Node("c:(fee)")]).Select(n => n.Id));
    }
}
