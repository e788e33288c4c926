namespace Ashiato.Storage.Files;

/// <summary>Writes that survive a crash: data flushed to disk, then an atomic rename over the target.</summary>
public static class DurableFile
{
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>As <see cref="WriteAtomic(string, ReadOnlySpan{byte})"/>, the content streamed by <paramref name="write"/> (large files
    /// need not be held in memory); a failure while writing leaves the old file and removes the temporary one.</summary>
    public static void WriteAtomic(string path, Action<Stream> write)
    {
        var tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }

        File.Move(tmp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void WriteFlushed(string path, ReadOnlySpan<byte> content)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        fs.Write(content);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>fsync a directory so a rename or a new file in it is durable (no-op where unsupported).</summary>
    public static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (UnauthorizedAccessException)
        {
            // some file systems refuse to open directories; rename is still atomic there
        }
        catch (IOException)
        {
        }
    }
}
