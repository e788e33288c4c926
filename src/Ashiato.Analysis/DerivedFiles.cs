using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ashiato.Analysis.Clustering;
using Ashiato.Storage.Files;

namespace Ashiato.Analysis;

/// <summary>
/// Derived data files of a chain (clusters, EVM clusters…): each written durably and atomically (*.tmp, flushed, renamed)
/// with its size and SHA-256 recorded in a JSON file written last, so a crash between renames is detected on the next read.
/// </summary>
public static class DerivedFiles
{
    public static string Digest(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>True when every named file exists with the size and digest <paramref name="files"/> records.</summary>
    public static bool Verify(string dir, IEnumerable<string> names, IReadOnlyDictionary<string, FileDigest> files)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(dir, name);
            if (!files.TryGetValue(name, out var d) || !File.Exists(path) || new FileInfo(path).Length != d.Bytes
                || Digest(File.ReadAllBytes(path)) != d.Sha256)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads a data file once into an array and checks it against its recorded size and SHA-256 on the way (chunked: files
    /// above 2 GB work); null when the file is missing, of another size or digest, or not a whole number of items.
    /// </summary>
    public static unsafe T[]? ReadVerified<T>(string dir, string name, IReadOnlyDictionary<string, FileDigest> files)
        where T : unmanaged
    {
        var path = Path.Combine(dir, name);
        if (!files.TryGetValue(name, out var d) || !File.Exists(path))
        {
            return null;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        if (length != d.Bytes || length % sizeof(T) != 0)
        {
            return null;
        }

        var items = new T[length / sizeof(T)];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        const int chunkItems = 1 << 20;
        long offset = 0;
        for (long start = 0; start < items.LongLength; start += chunkItems)
        {
            var chunk = MemoryMarshal.AsBytes(items.AsSpan((int)start, (int)Math.Min(chunkItems, items.LongLength - start)));
            var got = 0;
            while (got < chunk.Length)
            {
                var n = RandomAccess.Read(handle, chunk[got..], offset + got);
                if (n <= 0)
                {
                    return null; // shorter than it said a moment ago: changed under us
                }

                got += n;
            }

            sha.AppendData(chunk);
            offset += chunk.Length;
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset()) == d.Sha256 ? items : null;
    }

    public static T[] ReadArray<T>(string dir, string name)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(Path.Combine(dir, name))).ToArray();

    /// <summary>Writes data files one by one and collects their digests for the JSON file written last.</summary>
    public sealed class Writer
    {
        private readonly string _dir;

        public Writer(string dir)
        {
            _dir = dir;
            Directory.CreateDirectory(dir);
        }

        public SortedDictionary<string, FileDigest> Files { get; } = new(StringComparer.Ordinal);

        public void Put(string name, ReadOnlySpan<byte> bytes)
        {
            DurableFile.WriteAtomic(Path.Combine(_dir, name), bytes);
            Files[name] = new FileDigest(bytes.Length, Digest(bytes));
        }

        public void Put<T>(string name, ReadOnlySpan<T> items)
            where T : unmanaged => Put(name, MemoryMarshal.AsBytes(items));

        /// <summary>The JSON file that names the others: written last, the same way.</summary>
        public void Finish(string name, byte[] json) => DurableFile.WriteAtomic(Path.Combine(_dir, name), json);
    }
}
