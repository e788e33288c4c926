using System.Globalization;

namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>Cell values as text: for people (Markdown, HTML) and for machines (CSV).</summary>
public static class CellText
{
    /// <summary>The text a person reads.</summary>
    public static string Human(Cell cell, IReadOnlyList<ReportAsset> assets) => cell switch
    {
        TextCell t => t.Text ?? "–",
        CountCell c => ReportFormat.Int(c.Value),
        AmountsCell a => ReportFormat.Amounts(a.Amounts, assets),
        FiatCell f => ReportFormat.Fiat(f.Value),
        ShareCell s => ReportFormat.Share(s.Value),
        DateCell d => d.Value is { } v ? ReportFormat.Day(v) : "–",
        TimeCell t => t.Value is { } v ? ReportFormat.Instant(v) : "–",
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell.GetType().Name, "unknown cell kind"),
    };

    /// <summary>Where a fiat value comes from: sources and the range of price dates ("" when none).</summary>
    public static string Provenance(FiatAmount f)
    {
        if (f.Sources.Count == 0)
        {
            return "";
        }

        var dates = f.FirstDate is null ? "" : f.FirstDate == f.LastDate ? " (" + f.FirstDate + ")" : " (" + f.FirstDate + " … " + f.LastDate + ")";
        var unknown = f.UnknownParts > 0 ? "; " + f.UnknownParts.ToString(CultureInfo.InvariantCulture) + " part(s) without a value" : "";
        return string.Join("; ", f.Sources) + dates + unknown;
    }

    /// <summary>"known", "lower_bound", "unknown", or "none" (an empty sum: nothing to value).</summary>
    public static string Status(FiatAmount f) =>
        f.KnownParts == 0 && f.UnknownParts == 0 ? "none" : f.Amount is null ? "unknown" : f.UnknownParts > 0 ? "lower_bound" : "known";

    /// <summary>Exact machine text of an on-chain amount list: "base_units asset@chain" joined by "; ".</summary>
    public static string MachineAmounts(IReadOnlyList<AssetAmount> list) =>
        string.Join("; ", list.Select(a => a.Amount.ToString() + " " + a.Asset + "@" + a.Chain));

    public static string MachineTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
