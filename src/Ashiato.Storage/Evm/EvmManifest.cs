using System.Text.Json;
using System.Text.Json.Serialization;
using Ashiato.Core;
using Ashiato.Storage.Files;
using Ashiato.Storage.Utxo;

namespace Ashiato.Storage.Evm;

/// <summary>
/// The committed state of one EVM chain in the store (<c>MANIFEST.json</c>, <c>"family": "evm"</c>). Written last, with
/// an atomic rename: whatever it does not list (segment directories, index entries beyond its counts) does not exist.
/// </summary>
public sealed class EvmManifest
{
    public const int CurrentFormat = 1;
    public const string FileName = "MANIFEST.json";
    public const string FamilyName = "evm";

    public int Format { get; set; } = CurrentFormat;

    /// <summary>"evm"; a manifest without it is a UTXO chain's.</summary>
    public string Family { get; set; } = FamilyName;

    public string Chain { get; set; } = "";

    /// <summary>The EIP-155 chain id.</summary>
    public long ChainId { get; set; }

    /// <summary>Height of the first block in the store (0 unless only a later range was ingested).</summary>
    public long BaseHeight { get; set; }

    public List<EvmSegmentInfo> Segments { get; set; } = [];

    public IndexInfo TxIndex { get; set; } = new();

    public IndexInfo AddressIndex { get; set; } = new();

    public long Generation { get; set; }

    /// <summary>Committed blocks (segments are contiguous from <see cref="BaseHeight"/>).</summary>
    [JsonIgnore]
    public long BlockCount => Segments.Count == 0 ? 0 : Segments[^1].FirstHeight + Segments[^1].BlockCount - BaseHeight;

    [JsonIgnore]
    public long TxCount => Segments.Count == 0 ? 0 : Segments[^1].TxBase + Segments[^1].TxCount;

    [JsonIgnore]
    public long TransferCount => Segments.Count == 0 ? 0 : Segments[^1].TransferBase + Segments[^1].TransferCount;

    [JsonIgnore]
    public long AddressCount => Segments.Count == 0 ? 0 : Segments[^1].AddressBase + Segments[^1].AddressCount;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>The manifest in <paramref name="dir"/>, or null if there is none. A UTXO chain's manifest is a clear error.</summary>
    public static EvmManifest? Load(string dir)
    {
        var path = System.IO.Path.Combine(dir, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var family = ReadFamily(bytes, path);
        if (family != FamilyName)
        {
            throw new UserErrorException($"{path}: chain of family '{family}', not an EVM chain");
        }

        try
        {
            return JsonSerializer.Deserialize<EvmManifest>(bytes, Options) ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: unreadable manifest ({e.Message})", e);
        }
    }

    /// <summary>
    /// The family of the chain whose manifest is in <paramref name="dir"/>: "evm", or "utxo" for a manifest without a family
    /// (UTXO manifests predate the field); null if there is no manifest.
    /// </summary>
    public static string? DetectFamily(string dir)
    {
        var path = System.IO.Path.Combine(dir, FileName);
        return File.Exists(path) ? ReadFamily(File.ReadAllBytes(path), path) : null;
    }

    private static string ReadFamily(byte[] bytes, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.NameEquals("family") && p.Value.ValueKind == JsonValueKind.String)
                    {
                        return p.Value.GetString()!;
                    }
                }
            }

            return "utxo";
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: unreadable manifest ({e.Message})", e);
        }
    }

    public void Save(string dir)
    {
        Generation++;
        DurableFile.WriteAtomic(System.IO.Path.Combine(dir, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Options));
    }

    public EvmManifest Clone() => JsonSerializer.Deserialize<EvmManifest>(JsonSerializer.SerializeToUtf8Bytes(this, Options), Options)!;
}

/// <summary>One committed segment: a contiguous range of blocks and the first id and count of each kind of row.</summary>
public sealed class EvmSegmentInfo
{
    public string Name { get; set; } = "";

    public long FirstHeight { get; set; }

    public int BlockCount { get; set; }

    public long TxBase { get; set; }

    public long TxCount { get; set; }

    public long TransferBase { get; set; }

    public long TransferCount { get; set; }

    public long AddressBase { get; set; }

    public long AddressCount { get; set; }

    /// <summary>Committed byte length of every file in the segment (checked on open).</summary>
    public Dictionary<string, long> Files { get; set; } = [];
}
