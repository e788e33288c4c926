using Ashiato.Storage.Files;

namespace Ashiato.Storage.Tests.Unit;

public sealed class DurableFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ashiato-durable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Streamed_write_replaces_the_file_with_what_the_writer_wrote()
    {
        var path = Path.Combine(_dir, "out.json");
        DurableFile.WriteAtomic(path, "old"u8);
        var big = new byte[3_000_000];
        new Random(7).NextBytes(big);
        DurableFile.WriteAtomic(path, s =>
        {
            // in pieces, as a streaming writer does
            for (var i = 0; i < big.Length; i += 65_000)
            {
                s.Write(big, i, Math.Min(65_000, big.Length - i));
            }
        });
        Assert.Equal(big, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_writer_that_fails_leaves_the_old_file_and_no_temporary_file()
    {
        var path = Path.Combine(_dir, "out.json");
        DurableFile.WriteAtomic(path, "old"u8);
        var e = Assert.Throws<InvalidOperationException>(() => DurableFile.WriteAtomic(path, s =>
        {
            s.Write("half of the new conte"u8);
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("writer failed", e.Message);
        Assert.Equal("old"u8.ToArray(), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
