using System.Runtime.InteropServices;

namespace Ashiato.Bench;

/// <summary>The machine line of a report: CPU model, cores, RAM, OS, .NET.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadField("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var ram = long.TryParse(memKb, out var kb) ? $"{kb / 1024.0 / 1024.0:F1} GiB RAM" : "RAM unknown";
        var os = ReadOsRelease() ?? RuntimeInformation.OSDescription;
        return $"{cpu}, {Environment.ProcessorCount} cores, {ram}, {os} (kernel {Environment.OSVersion.Version}), " +
               $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.RuntimeIdentifier}";
    }

    private static string? ReadField(string path, string name)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == name)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static string? ReadOsRelease()
    {
        const string path = "/etc/os-release";
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        return line?["PRETTY_NAME=".Length..].Trim('"');
    }
}
