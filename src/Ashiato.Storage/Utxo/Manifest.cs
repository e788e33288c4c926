using System.Text.Json;
using System.Text.Json.Serialization;
using Ashiato.Storage.Files;

namespace Ashiato.Storage.Utxo;

/// <summary>
/// The committed state of one UTXO chain in the store. Written last, with an atomic rename: whatever
/// it does not list (segment directories, tails of index files) does not exist.
/// </summary>
public sealed class Manifest
{
    public const int CurrentFormat = 1;
    public const string FileName = "MANIFEST.json";

    public int Format { get; set; } = CurrentFormat;

    public string Chain { get; set; } = "";

    public string Network { get; set; } = "";

    /// <summary>Height of the first block in the store (0 unless only a later range was ingested).</summary>
    public int BaseHeight { get; set; }

    public bool InputScripts { get; set; } = true;

    public List<SegmentInfo> Segments { get; set; } = [];

    public IndexInfo TxIndex { get; set; } = new();

    public IndexInfo AddressIndex { get; set; } = new();

    public long Generation { get; set; }

    // BlockCount is read on every block look-up (TipHeight): summed once per segment list, not per call
    private List<SegmentInfo>? _countedList;
    private int _countedSegments = -1;
    private SegmentInfo? _countedLast;
    private int _blockCount;

    /// <summary>Blocks in all segments. Cached; recounted when the segment list, its length or its last segment changed
    /// (segments are only added, removed or replaced, never edited in place).</summary>
    [JsonIgnore]
    public int BlockCount
    {
        get
        {
            var list = Segments;
            var last = list.Count == 0 ? null : list[^1];
            if (!ReferenceEquals(list, _countedList) || list.Count != _countedSegments || !ReferenceEquals(last, _countedLast))
            {
                _blockCount = list.Sum(s => s.BlockCount);
                (_countedList, _countedSegments, _countedLast) = (list, list.Count, last);
            }

            return _blockCount;
        }
    }

    [JsonIgnore]
    public long TxCount => Segments.Count == 0 ? 0 : Segments[^1].TxBase + Segments[^1].TxCount;

    [JsonIgnore]
    public long InputCount => Segments.Count == 0 ? 0 : Segments[^1].InputBase + Segments[^1].InputCount;

    [JsonIgnore]
    public long OutputCount => Segments.Count == 0 ? 0 : Segments[^1].OutputBase + Segments[^1].OutputCount;

    [JsonIgnore]
    public long AddressCount => Segments.Count == 0 ? 0 : Segments[^1].AddressBase + Segments[^1].AddressCount;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static Manifest? Load(string dir)
    {
        var path = System.IO.Path.Combine(dir, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(path), Options)
                ?? throw new InvalidDataException($"{path}: empty manifest");
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

    public Manifest Clone() => JsonSerializer.Deserialize<Manifest>(JsonSerializer.SerializeToUtf8Bytes(this, Options), Options)!;
}

public sealed class SegmentInfo
{
    public string Name { get; set; } = "";

    public int FirstHeight { get; set; }

    public int BlockCount { get; set; }

    public long TxBase { get; set; }

    public long TxCount { get; set; }

    public long InputBase { get; set; }

    public long InputCount { get; set; }

    public long OutputBase { get; set; }

    public long OutputCount { get; set; }

    public long AddressBase { get; set; }

    public long AddressCount { get; set; }

    /// <summary>Committed byte length of every file in the segment (checked on open).</summary>
    public Dictionary<string, long> Files { get; set; } = [];
}

public sealed class IndexInfo
{
    public string File { get; set; } = "";

    public long Capacity { get; set; }
}
