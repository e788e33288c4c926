namespace Ashiato.Ingest.Bitcoin;

/// <summary>Knobs shared by the block-file and RPC ingesters.</summary>
public sealed record IngestOptions
{
    /// <summary>Commit a segment after this many bytes of block data.</summary>
    public long CommitBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Commit at least this often, so a kill loses little work.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep scriptSigs and witnesses (needed for script_asm/script_hex of inputs in exports).</summary>
    public bool KeepInputScripts { get; init; } = true;

    /// <summary>Height of the first block when the files start after genesis and the block has no BIP34 height.</summary>
    public int? StartHeight { get; init; }
}

/// <summary>Progress of an ingest run, for progress bars.</summary>
public readonly record struct IngestProgress(string Stage, long Done, long Total, int Height);

/// <summary>What an ingest run did.</summary>
public sealed record IngestResult(
    string Chain,
    int BlocksAdded,
    int FromHeight,
    int TipHeight,
    long Transactions,
    long Inputs,
    long Outputs,
    long UnresolvedInputs,
    long NodeResolvedInputs,
    int RolledBack,
    int StaleBlocks,
    long BytesRead,
    TimeSpan Elapsed);
