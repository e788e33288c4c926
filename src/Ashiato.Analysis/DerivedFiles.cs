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
