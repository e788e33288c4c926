using System.Globalization;

namespace Ashiato.Analysis.Evm;

/// <summary>EVM heuristic ids as stored in evm-clusters.log: do not renumber.</summary>
public enum EvmHeuristicId : byte
{
    /// <summary>An address forwards what it receives to an exchange hot wallet: it is that exchange's deposit address.</summary>
    DepositAddress = 1,

    /// <summary>Addresses that pay into one deposit address are one customer's.</summary>
    DepositSenderReuse = 2,
}

/// <summary>A named EVM heuristic, for listing and for the evidence printed by <c>explain</c>.</summary>
public sealed record EvmHeuristicInfo(EvmHeuristicId Id, string Name, bool DefaultOn, double Confidence, string Description)
{
    public static IReadOnlyList<EvmHeuristicInfo> All { get; } =
    [
        new(EvmHeuristicId.DepositAddress, "deposit-address", true, 0.9,
            "EVM: an address that forwards what it received (native and/or ERC-20, fee counted) to a tagged exchange hot wallet within the window belongs to that exchange"),
        new(EvmHeuristicId.DepositSenderReuse, "deposit-sender-reuse", false, 0.6,
            "EVM: the untagged, non-contract addresses that pay into one detected deposit address (at most --evm-max-senders of them) are one customer's"),
    ];

    public static EvmHeuristicInfo ById(EvmHeuristicId id) => All.First(h => h.Id == id);

    public static EvmHeuristicInfo? ByName(string name) => All.FirstOrDefault(h => h.Name == name);
}

/// <summary>
/// Settings of the EVM heuristics. Shares are integers in parts per million so that the settings, the decisions and the
/// files are exact and deterministic.
/// </summary>
public sealed record EvmClusterSettings
{
    public const int Million = 1_000_000;

    public bool DepositAddress { get; init; } = true;

    public bool DepositSenderReuse { get; init; }

    /// <summary>A forward counts the receipts of at most this many blocks before it (null: no block limit).</summary>
    public long? WindowBlocks { get; init; } = 3200;

    /// <summary>… and of at most this many seconds before it (null: no time limit).</summary>
    public long? WindowSeconds { get; init; }

    /// <summary>A forward qualifies when (forwarded + the forward's fee for the native coin) ≥ this share of the value received in the window.</summary>
    public int MinSharePpm { get; init; } = 900_000;

    /// <summary>… and ≤ this share (an address paying much more than it just received is spending its own funds).</summary>
    public int MaxSharePpm { get; init; } = 1_050_000;

    public bool Native { get; init; } = true;

    public bool Erc20 { get; init; } = true;

    /// <summary>Qualifying forwards to one exchange needed before an address is called its deposit address.</summary>
    public int MinForwards { get; init; } = 1;

    /// <summary>Sender reuse: a deposit address paid by more distinct candidate senders than this is skipped (not one customer's).</summary>
    public int MaxSenders { get; init; } = 3;

    /// <summary>Sender reuse: a sender that paid into more detected deposit addresses than this is skipped (looks like a service).</summary>
    public int MaxDepositsPerSender { get; init; } = 5;

    /// <summary>The settings as stored in evm-clusters.json (sorted keys; a change forces no migration, only a rebuild).</summary>
    public SortedDictionary<string, string> Describe()
    {
        static string Share(int ppm) => (ppm / (decimal)Million).ToString("0.######", CultureInfo.InvariantCulture);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["deposit-address"] = DepositAddress ? "on" : "off",
            ["deposit-sender-reuse"] = DepositSenderReuse ? "on" : "off",
            ["window-blocks"] = WindowBlocks?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["window-seconds"] = WindowSeconds?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["min-share"] = Share(MinSharePpm),
            ["max-share"] = Share(MaxSharePpm),
            ["assets"] = string.Join(",", new[] { Native ? "native" : null, Erc20 ? "erc20" : null }.Where(a => a is not null)),
            ["min-forwards"] = MinForwards.ToString(CultureInfo.InvariantCulture),
            ["max-senders"] = MaxSenders.ToString(CultureInfo.InvariantCulture),
            ["max-deposits-per-sender"] = MaxDepositsPerSender.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Checks the settings; the message names the setting.</summary>
    public void Validate()
    {
        if (WindowBlocks is < 0)
        {
            throw new Core.UserErrorException($"window: {WindowBlocks} blocks is negative");
        }

        if (WindowSeconds is < 0)
        {
            throw new Core.UserErrorException($"window: {WindowSeconds} seconds is negative");
        }

        if (MinSharePpm is <= 0 or > Million)
        {
            throw new Core.UserErrorException($"min share {MinSharePpm / (double)Million} must be in (0, 1]");
        }

        if (MaxSharePpm < MinSharePpm)
        {
            throw new Core.UserErrorException($"max share {MaxSharePpm / (double)Million} is below the min share {MinSharePpm / (double)Million}");
        }

        if (!Native && !Erc20)
        {
            throw new Core.UserErrorException("assets: choose native, erc20 or both");
        }

        if (MinForwards < 1 || MaxSenders < 2 || MaxDepositsPerSender < 1)
        {
            throw new Core.UserErrorException("min forwards must be ≥ 1, max senders ≥ 2 and max deposits per sender ≥ 1");
        }
    }
}
