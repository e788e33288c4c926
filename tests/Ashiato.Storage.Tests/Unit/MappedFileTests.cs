using Ashiato.Storage.Files;

namespace Ashiato.Storage.Tests.Unit;

public sealed class MappedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ashiato-mapped-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Prefetch_is_a_hint_anywhere_and_reads_are_unchanged()
    {
        var path = Path.Combine(_dir, "col.bin");
        var bytes = new byte[10_000];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        using var file = new MappedFile(path, bytes.Length);

        // inside, at the edges and outside the file: never a fault, never an exception (a hint is dropped past the end)
        foreach (var offset in new long[] { 0, 1, 63, 64, 9_999, 10_000, 10_001, -1, long.MinValue, long.MaxValue })
        {
            file.Prefetch(offset);
        }

        Assert.True(file.Span(0, bytes.Length).SequenceEqual(bytes));
        Assert.Equal(BitConverter.ToInt64(bytes, 8 * 7), file.Read<long>(7));
    }
}
