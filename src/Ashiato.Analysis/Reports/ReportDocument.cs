namespace Ashiato.Analysis.Reports;

/// <summary>A typed table cell; renderers format each kind their own way (text for people, exact values for machines).</summary>
public abstract record Cell;

public sealed record TextCell(string? Text) : Cell;

public sealed record CountCell(long Value) : Cell;

public sealed record AmountsCell(IReadOnlyList<AssetAmount> Amounts) : Cell;

public sealed record FiatCell(FiatAmount Value) : Cell;

public sealed record ShareCell(decimal? Value) : Cell;

public sealed record DateCell(DateOnly? Value) : Cell;

public sealed record TimeCell(DateTimeOffset? Value) : Cell;

/// <summary>A column: a stable id (snake_case, for CSV and JSON), a title (for people), numeric or not (alignment), and whether
/// it holds fiat values (CSV adds <c>_status</c> and <c>_source</c> columns for those).</summary>
public sealed record ReportColumn(string Id, string Title, bool Numeric = false, bool Fiat = false);

public sealed record ReportTable(string Id, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<IReadOnlyList<Cell>> Rows);

/// <summary>A labelled value of a bar or column chart; <see cref="Value"/> may be unknown (drawn as a hatched stub).</summary>
public sealed record ChartItem(string Label, FiatAmount Value);

public abstract record ReportChart(string Title);

/// <summary>Horizontal bars (e.g. by victim country).</summary>
public sealed record BarChart(string Title, IReadOnlyList<ChartItem> Items) : ReportChart(Title);

/// <summary>Vertical columns in order (e.g. a timeline by year).</summary>
public sealed record ColumnChart(string Title, IReadOnlyList<ChartItem> Items) : ReportChart(Title);

/// <summary>A flow (Sankey) chart.</summary>
public sealed record SankeyChart(string Title, FlowData Flows) : ReportChart(Title);

/// <summary>A section of a report: a title, an optional description, chart and table.</summary>
public sealed record ReportSection(string Id, string Title, string? Description, ReportChart? Chart, ReportTable? Table);

/// <summary>A headline figure.</summary>
public sealed record KeyFigure(string Label, Cell Value);

/// <summary>
/// A report laid out for rendering: what every renderer (Markdown, CSV, JSON, HTML) draws. Built from a typed report by
/// <see cref="ReportDocuments"/>.
/// </summary>
public sealed record ReportDocument(
    string Kind,
    string Subject,
    string Title,
    string Subtitle,
    IReadOnlyList<KeyFigure> KeyFigures,
    IReadOnlyList<ReportSection> Sections,
    IReadOnlyList<string> Notes,
    Methodology Methodology,
    IReadOnlyList<ReportAsset> Assets);
