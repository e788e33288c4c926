namespace Ashiato.Intel.Incidents;

/// <summary>What an IncidentPack import did: counts, warnings (incident kept) and rejections (incident dropped), each located.</summary>
public sealed class IncidentImportReport
{
    public const int MaxMessages = 1000;

    private readonly List<string> _warnings = [];
    private readonly List<string> _rejections = [];
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public int Files { get; set; }

    public int Read { get; set; }

    /// <summary>Incidents written (new or replacing one with the same id).</summary>
    public int Imported { get; set; }

    /// <summary>Of <see cref="Imported"/>, those that replaced an incident already in the store.</summary>
    public int Replaced { get; set; }

    public int Rejected { get; private set; }

    public int WarningCount { get; private set; }

    /// <summary>Theft transactions on chains the store holds that were found there.</summary>
    public int TransactionsFound { get; set; }

    /// <summary>Theft transactions on chains the store holds that it does not have (each one warned about).</summary>
    public int TransactionsMissing { get; set; }

    /// <summary>Theft transactions on chains not in the store (or of unknown family): not looked up.</summary>
    public int TransactionsNotChecked { get; set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public IReadOnlyList<string> Rejections => _rejections;

    /// <summary>Records a warning; the same message twice (a header field inherited by many incidents) counts once.</summary>
    public void Warn(string message)
    {
        if (!_warned.Add(message))
        {
            return;
        }

        WarningCount++;
        if (_warnings.Count < MaxMessages)
        {
            _warnings.Add(message);
        }
    }

    public void Reject(string message)
    {
        Rejected++;
        if (_rejections.Count < MaxMessages)
        {
            _rejections.Add(message);
        }
    }
}
