using Ashiato.Storage.Files;

namespace Ashiato.Storage.Tests.Unit;

public sealed class HashIndexTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"ashiato-idx-{Guid.NewGuid():N}.idx");

    private static ulong KeyHash(long key) => HashIndex.Mix((ulong)key + 12345);

    private struct KeyMatcher(long[] keys, long key) : IKeyMatcher
    {
        public readonly bool Matches(long id) => keys[id] == key;
    }

    [Fact]
    public void Find_AfterInserts_ReturnsEveryId()
    {
        using var index = HashIndex.Create(_path, 4096);
        var keys = Enumerable.Range(0, 1500).Select(i => (long)i * 7919).ToArray();
        for (var id = 0; id < keys.Length; id++)
        {
            index.Insert(KeyHash(keys[id]), id, id);
        }

        for (var id = 0; id < keys.Length; id++)
        {
            var m = new KeyMatcher(keys, keys[id]);
            Assert.Equal(id, index.Find(KeyHash(keys[id]), keys.Length, ref m));
        }

        var missing = new KeyMatcher(keys, -1);
        Assert.Equal(-1, index.Find(KeyHash(-1), keys.Length, ref missing));
    }

    [Fact]
    public void StaleEntries_BeyondTheBound_AreIgnoredAndOverwritten()
    {
        using var index = HashIndex.Create(_path, 1024);
        var keys = Enumerable.Range(0, 400).Select(i => (long)i).ToArray();
        for (var id = 0; id < keys.Length; id++)
        {
            index.Insert(KeyHash(keys[id]), id, id);
        }

        // roll back to 200 committed ids: the rest are stale
        for (var id = 0; id < keys.Length; id++)
        {
            var m = new KeyMatcher(keys, keys[id]);
            Assert.Equal(id < 200 ? id : -1, index.Find(KeyHash(keys[id]), 200, ref m));
        }

        // new rows 200..399 with other keys reuse the ids; every valid key is found, old keys are gone
        var replaced = keys.Select((k, i) => i < 200 ? k : 1_000_000 + k).ToArray();
        for (var id = 200; id < replaced.Length; id++)
        {
            index.Insert(KeyHash(replaced[id]), id, id);
        }

        for (var id = 0; id < replaced.Length; id++)
        {
            var m = new KeyMatcher(replaced, replaced[id]);
            Assert.Equal(id, index.Find(KeyHash(replaced[id]), replaced.Length, ref m));
        }

        var old = new KeyMatcher(replaced, 300);
        Assert.Equal(-1, index.Find(KeyHash(300), replaced.Length, ref old));
    }

    [Fact]
    public void DuplicateKeys_ResolveToTheLatestId()
    {
        using var index = HashIndex.Create(_path, 1024);
        long[] keys = [5, 9, 5];
        for (var id = 0; id < keys.Length; id++)
        {
            index.Insert(KeyHash(keys[id]), id, id);
        }

        var m = new KeyMatcher(keys, 5);
        Assert.Equal(2, index.Find(KeyHash(5), 3, ref m));
        Assert.Equal(0, index.Find(KeyHash(5), 2, ref m));
    }

    [Fact]
    public void TryOpen_WrongCapacity_ReturnsNull()
    {
        HashIndex.Create(_path, 1024).Dispose();
        Assert.Null(HashIndex.TryOpen(_path, 2048));
        using var ok = HashIndex.TryOpen(_path, 1024);
        Assert.NotNull(ok);
    }

    public void Dispose()
    {
        if (File.Exists(_path))
        {
            File.Delete(_path);
        }
    }
}
