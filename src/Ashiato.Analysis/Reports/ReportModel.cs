using Ashiato.Core;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// One row of a breakdown (by victim country, year, actor, victim type or chain). <see cref="Reported"/> and
/// <see cref="MeasuredFiat"/> hold one <see cref="FiatAmount"/> per report fiat (parameter order); <see cref="Measured"/> the
/// on-chain amounts per chain and asset. <see cref="Share"/> = this row / the table's total, <see cref="ShareOfAll"/> = this row
/// / everything stolen in the period (actor report), <see cref="ShareOfKey"/> = this row / everything stolen with the same key
/// (e.g. the actor's share of all losses of a country); each on the report's share basis, null when not computable.
/// </summary>
public sealed record BreakdownRow(
    string Key,
    int Incidents,
    IReadOnlyList<FiatAmount> Reported,
    IReadOnlyList<AssetAmount> Measured,
    IReadOnlyList<FiatAmount> MeasuredFiat,
    decimal? Share,
    decimal? ShareOfAll = null,
    decimal? ShareOfKey = null);

/// <summary>An incident line in a report, with its reported and measured losses.</summary>
public sealed record IncidentLine(
    ReportIncident Incident,
    IReadOnlyList<FiatAmount> Reported,
    IReadOnlyList<AssetAmount> Measured,
    IReadOnlyList<FiatAmount> MeasuredFiat,
    bool Traced);

/// <summary>A weighted link of the flow chart (victim → actor → laundering → cash-out), in the report's first fiat.</summary>
public sealed record FlowLink(int SourceColumn, string Source, string Target, decimal Value);

/// <summary>The flow chart's data: column titles, links, and what could not be drawn (flows without a price, untraced incidents).</summary>
public sealed record FlowData(string Fiat, IReadOnlyList<string> Columns, IReadOnlyList<FlowLink> Links, int UnpricedFlows, IReadOnlyList<string> UntracedIncidents);

/// <summary>A parameter that produced the numbers, as name and value text.</summary>
public sealed record MethodParameter(string Name, string Value);

/// <summary>A price series the fiat values used: asset, fiat, source and the range of price dates used.</summary>
public sealed record PriceSourceUse(string Asset, string Fiat, string Source, string FirstDate, string LastDate, int Values);

/// <summary>How to reproduce a report: parameters, data sources, price sources and method notes.</summary>
public sealed record Methodology(
    IReadOnlyList<MethodParameter> Parameters,
    IReadOnlyList<ReportDataSource> DataSources,
    IReadOnlyList<PriceSourceUse> PriceSources,
    IReadOnlyList<string> Method);

/// <summary>Grand totals of a set of incidents.</summary>
public sealed record ReportTotals(int Incidents, IReadOnlyList<FiatAmount> Reported, IReadOnlyList<AssetAmount> Measured, IReadOnlyList<FiatAmount> MeasuredFiat);

/// <summary><c>report actor NAME</c>: where an actor's money came from.</summary>
public sealed record ActorReport(
    ActorProfile Actor,
    ReportParameters Parameters,
    ReportTotals ActorTotals,
    ReportTotals AllTotals,
    decimal? ShareOfAll,
    IReadOnlyList<BreakdownRow> ByCountry,
    IReadOnlyList<BreakdownRow> ByYear,
    IReadOnlyList<BreakdownRow> ByVictimType,
    IReadOnlyList<BreakdownRow> ByChain,
    IReadOnlyList<IncidentLine> Incidents,
    FlowData Flows,
    Methodology Methodology,
    IReadOnlyList<string> Notes,
    ActorBacktrace? Backtrace = null);

/// <summary>
/// Where the actor's own addresses got their money, measured without the incidents: a backward trace from every address
/// attributed to the actor, its endpoints (the services and other stops it was traced back to) grouped by entity and by
/// country. <see cref="Share"/> of a row = its value in the first fiat ÷ that of all rows.
/// </summary>
public sealed record ActorBacktrace(int Seeds, int Edges, bool Partial, string? PartialReason, IReadOnlyList<BacktraceRow> ByEntity, IReadOnlyList<BacktraceRow> ByCountry);

/// <summary>One group of a backward trace's endpoints: tainted amounts per chain and asset, their fiat values, the share.</summary>
public sealed record BacktraceRow(string Key, IReadOnlyList<AssetAmount> Tainted, IReadOnlyList<FiatAmount> Values, decimal? Share);

/// <summary><c>report thefts</c>: all incidents of the period.</summary>
public sealed record TheftsReport(
    ReportParameters Parameters,
    ReportTotals Totals,
    IReadOnlyList<BreakdownRow> ByYear,
    IReadOnlyList<BreakdownRow> ByActor,
    IReadOnlyList<BreakdownRow> ByVictimType,
    IReadOnlyList<BreakdownRow> ByCountry,
    IReadOnlyList<BreakdownRow> ByChain,
    decimal? DefiShare,
    IReadOnlyList<IncidentLine> Incidents,
    FlowData Flows,
    Methodology Methodology,
    IReadOnlyList<string> Notes);

/// <summary>A theft transaction of an incident, with the tainted value leaving it (when the trace reached it).</summary>
public sealed record TheftTransactionRow(string Chain, string Tx, DateTimeOffset? Time, IReadOnlyList<AssetAmount> Tainted, IReadOnlyList<FiatAmount> Values, bool InTrace);

/// <summary>The laundering path at one hop: edges, transactions, tainted value and the rules met.</summary>
public sealed record HopRow(int Hop, int Edges, int Transactions, IReadOnlyList<AssetAmount> Tainted, IReadOnlyList<FiatAmount> Values, IReadOnlyList<string> Rules);

/// <summary>Tainted value that reached a service (a cash-out point), by entity.</summary>
public sealed record CashOutRow(
    string Entity,
    string? Name,
    string? Category,
    string? Country,
    int Deposits,
    IReadOnlyList<AssetAmount> Tainted,
    IReadOnlyList<FiatAmount> Values,
    DateTimeOffset First,
    DateTimeOffset Last,
    decimal? Share);

/// <summary>What happened on one day of the laundering: edges by kind and tainted value moved.</summary>
public sealed record TimelineRow(DateOnly Day, int Edges, IReadOnlyList<string> Events, IReadOnlyList<FiatAmount> Values);

/// <summary>Tainted value grouped by a key (an endpoint class, a country): edges, amounts, values and share of the group's total.</summary>
public sealed record FlowRow(string Key, int Edges, IReadOnlyList<AssetAmount> Tainted, IReadOnlyList<FiatAmount> Values, decimal? Share);

/// <summary>Value that may still be frozen: resting at a custodial service, or unspent in a stablecoin whose issuer can freeze.</summary>
public sealed record FreezeCandidate(string Kind, string Where, string Chain, string Asset, string? Country, UInt256 Amount, IReadOnlyList<FiatAmount> Values, DateTimeOffset Since);

/// <summary><c>report incident ID</c>: one incident in detail.</summary>
public sealed record IncidentReport(
    IncidentLine Incident,
    ReportParameters Parameters,
    IReadOnlyList<TheftTransactionRow> TheftTransactions,
    IReadOnlyList<HopRow> Path,
    IReadOnlyList<FlowRow> Endpoints,
    IReadOnlyList<CashOutRow> CashOut,
    IReadOnlyList<FlowRow> CashOutByCountry,
    IReadOnlyList<TimelineRow> Timeline,
    IReadOnlyList<FreezeCandidate> MayBeFrozen,
    FlowData Flows,
    Methodology Methodology,
    IReadOnlyList<string> Notes);
