namespace Ashiato.Intel.Incidents;

/// <summary>What an IncidentPack import did: counts, warnings (incident kept) and rejections (incident dropped), each located.</summary>
public sealed class IncidentImportReport : ImportMessages
{
    public int Files { get; set; }

    public int Read { get; set; }

    /// <summary>Incidents written (new or replacing one with the same id).</summary>
    public int Imported { get; set; }

    /// <summary>Of <see cref="Imported"/>, those that replaced an incident already in the store.</summary>
    public int Replaced { get; set; }

    /// <summary>Theft transactions on chains the store holds that were found there.</summary>
    public int TransactionsFound { get; set; }

    /// <summary>Theft transactions on chains the store holds that it does not have (each one warned about).</summary>
    public int TransactionsMissing { get; set; }

    /// <summary>Theft transactions on chains not in the store (or of unknown family): not looked up.</summary>
    public int TransactionsNotChecked { get; set; }
}
