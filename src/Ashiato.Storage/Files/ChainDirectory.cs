using Ashiato.Core;

namespace Ashiato.Storage.Files;

/// <summary>
/// What every chain directory (UTXO or EVM) does the same way on open: tidying what a run that did not commit left
/// behind, and opening the hash indexes read-only while another process writes.
/// </summary>
internal static class ChainDirectory
{
    /// <summary>
    /// Deletes segment directories the manifest does not list (written by a run that did not commit) and <c>*.tmp</c>
    /// files. Only call this when no writer holds the chain's lock.
    /// </summary>
    public static void DeleteUncommitted(string directory, IEnumerable<string> listedSegments)
    {
        var listed = listedSegments.ToHashSet(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(directory, "seg-*"))
        {
            if (!listed.Contains(Path.GetFileName(dir)))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        foreach (var tmp in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Deletes index files other than the ones the manifest names (older generations, rebuilt ones).</summary>
    public static void DeleteUnreferencedIndexes(string directory, params string[] keep)
    {
        var names = keep.ToHashSet(StringComparer.Ordinal);
        foreach (var idx in Directory.EnumerateFiles(directory, "*.idx"))
        {
            if (!names.Contains(Path.GetFileName(idx)))
            {
                File.Delete(idx);
            }
        }
    }

    /// <summary>
    /// Opens an index the manifest names, for a reader while another process writes the chain (a reader never
    /// rebuilds: the writer may be doing it).
    /// </summary>
    public static HashIndex OpenForReader(string directory, string file, long capacity, string what) =>
        HashIndex.TryOpen(Path.Combine(directory, file), capacity)
        ?? throw new UserErrorException($"{directory}: the {what} index is being rebuilt by the process writing this chain; try again when it finishes");

    /// <summary>
    /// Opens the index the manifest names, or — when it is missing or damaged (derived data) — creates one sized for
    /// <paramref name="count"/> entries under the next generation's name, rebuilds it from the segments, flushes it and
    /// saves the manifest that names it.
    /// </summary>
    public static HashIndex OpenOrRebuildIndex(string directory, Utxo.IndexInfo info, string prefix, long count, long generation,
        Action<HashIndex, long> rebuild, Action saveManifest)
    {
        if (info.File.Length > 0 && HashIndex.TryOpen(Path.Combine(directory, info.File), info.Capacity) is { } existing)
        {
            return existing;
        }

        var capacity = IndexCapacityFor(count);
        info.File = $"{prefix}.{generation + 1}.{capacity}.idx";
        info.Capacity = capacity;
        var index = HashIndex.Create(Path.Combine(directory, info.File), capacity);
        rebuild(index, count);
        index.Flush();
        saveManifest();
        return index;
    }

    /// <summary>The smallest power of two ≥ 1024 that keeps an index of <paramref name="count"/> entries at most half full.</summary>
    public static long IndexCapacityFor(long count)
    {
        var capacity = 1L << 10;
        while (count * 2 >= capacity)
        {
            capacity *= 2;
        }

        return capacity;
    }
}
