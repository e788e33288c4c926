namespace Ashiato.Analysis.Reports.Rendering;

/// <summary>The output formats of a report.</summary>
public enum ReportOutputFormat
{
    Markdown,
    Csv,
    Json,
    Html,
}

/// <summary>One entry point for the CLI: a document in a format as named files (CSV gives several, the others one).</summary>
public static class ReportRenderer
{
    /// <summary>Parses <c>md|markdown|csv|json|html</c> (case-insensitive); null when unknown.</summary>
    public static ReportOutputFormat? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "md" or "markdown" => ReportOutputFormat.Markdown,
        "csv" => ReportOutputFormat.Csv,
        "json" => ReportOutputFormat.Json,
        "html" => ReportOutputFormat.Html,
        _ => null,
    };

    /// <summary>File name → content. <paramref name="baseName"/> names the single file (<c>baseName.md</c>, …); CSV files are
    /// <c>baseName.&lt;table&gt;.csv</c>. Contents are UTF-8 text with "\n" line ends.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Render(ReportDocument doc, ReportOutputFormat format, string baseName) => format switch
    {
        ReportOutputFormat.Markdown => [new(baseName + ".md", MarkdownRenderer.Render(doc))],
        ReportOutputFormat.Json => [new(baseName + ".json", JsonRenderer.Render(doc))],
        ReportOutputFormat.Html => [new(baseName + ".html", HtmlRenderer.Render(doc))],
        ReportOutputFormat.Csv => [.. CsvRenderer.Render(doc).Select(f => new KeyValuePair<string, string>(baseName + "." + f.Key, f.Value))],
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown report format"),
    };
}
