using Ashiato.Analysis.Tracing;
using Ashiato.Core;

namespace Ashiato.Analysis.Reports;

/// <summary>
/// A fiat loss figure as a source reported it (press release, court filing, IncidentPack), or — when
/// <paramref name="Converted"/> is set — a reported figure of another currency converted at that rate (see
/// <see cref="FiatRates"/>); <paramref name="Source"/> then names the original figure's source and the rate.
/// </summary>
/// <param name="Chain">The chain the figure is about, when the source splits it by chain; null = the whole incident.</param>
public sealed record ReportedFiat(string Fiat, decimal Amount, string Source, string? Chain = null, FxRate? Converted = null);

/// <summary>
/// An exchange rate between two fiat currencies on a day: <see cref="Rate"/> units of <see cref="To"/> per unit of
/// <see cref="From"/>, derived from price series (<see cref="FiatRates"/>). <see cref="Date"/> is the older price date of
/// the legs, <see cref="Source"/> describes the derivation, <see cref="Legs"/> are the prices used (one whole unit each),
/// echoed in the methodology's price sources.
/// </summary>
public sealed record FxRate(string From, string To, decimal Rate, string Date, string Source, IReadOnlyList<FiatValue> Legs);

/// <summary>
/// One incident as the reports see it (fed from the IncidentPack store). <see cref="Actor"/> is the attributed actor id,
/// null when unattributed; <see cref="VictimType"/> e.g. <c>exchange</c>, <c>defi</c>, <c>bridge</c>.
/// </summary>
public sealed record ReportIncident(
    string Id,
    string Title,
    DateOnly Date,
    string? Actor,
    string? VictimName,
    string? VictimCountry,
    string? VictimType,
    IReadOnlyList<string> Chains,
    IReadOnlyList<IncidentTransaction> Transactions,
    IReadOnlyList<ReportedFiat> Reported,
    string? Source);

/// <summary>A theft transaction of an incident on one chain.</summary>
public sealed record IncidentTransaction(string Chain, string Tx);

/// <summary>
/// An on-chain amount we measured for an incident (e.g. the theft transactions' outputs to the thief), in base units of
/// <see cref="Asset"/> on <see cref="Chain"/>, valued at the theft time in each fiat we have a price for. A fiat missing
/// from <see cref="Values"/> is unknown. <see cref="Method"/> says how it was measured.
/// </summary>
public sealed record MeasuredLoss(string IncidentId, string Chain, string Asset, UInt256 Amount, IReadOnlyList<FiatValue> Values, string Method);

/// <summary>A trace run for an incident (one per chain, plus continuations across bridges).</summary>
public sealed record IncidentTrace(string IncidentId, TraceResult Result);

/// <summary>An actor as the tag store knows it. <see cref="TaggedAddresses"/> = addresses attributed to it (any chain).</summary>
public sealed record ActorProfile(string Id, string? Label, IReadOnlyList<string> Aliases, long TaggedAddresses, string? Country = null);

/// <summary>How an asset is shown: its symbol and decimals (base units per whole coin = 10^decimals).</summary>
public sealed record ReportAsset(string Chain, string Asset, string Symbol, int Decimals, bool Stablecoin = false);

/// <summary>A data set the numbers come from: a tag pack, an incident pack, the OFAC list (with its edition), a chain store…</summary>
/// <param name="Kind">e.g. <c>tag-pack</c>, <c>incident-pack</c>, <c>ofac-sdn</c>, <c>chain</c>, <c>price-series</c>.</param>
/// <param name="Edition">version, publication date or list edition; null when the source has none.</param>
public sealed record ReportDataSource(string Kind, string Name, string? Edition, string? Detail = null);

/// <summary>Which fiat figure shares are computed on.</summary>
public enum ShareBasis
{
    /// <summary>The loss the sources reported (IncidentPack <c>loss_usd</c>): available for every incident.</summary>
    Reported,

    /// <summary>The on-chain amounts we measured, valued at the theft time with the price book.</summary>
    Measured,
}

/// <summary>Everything a report depends on besides the incidents and traces; all of it is echoed in the methodology.</summary>
public sealed record ReportParameters
{
    /// <summary>Incidents dated in [From, To] (inclusive; null = open).</summary>
    public DateOnly? From { get; init; }

    public DateOnly? To { get; init; }

    /// <summary>Fiat currencies shown; the first is the one shares and charts use.</summary>
    public IReadOnlyList<string> Fiats { get; init; } = ["USD", "JPY"];

    public ShareBasis ShareBasis { get; init; } = ShareBasis.Reported;

    /// <summary>Symbols and decimals of the assets met; unknown assets are shown in base units with their id.</summary>
    public IReadOnlyList<ReportAsset> Assets { get; init; } = [];

    /// <summary>Service categories whose custody can freeze deposits (cash-out points listed as "may be frozen").</summary>
    public IReadOnlySet<string> FreezableCategories { get; init; } =
        new SortedSet<string>(StringComparer.Ordinal) { "exchange", "otc", "payment_processor", "vasp", "wallet_service" };

    /// <summary>Data sets used (tag packs, incident packs, OFAC list edition, chains); price sources are added from the values.</summary>
    public IReadOnlyList<ReportDataSource> Sources { get; init; } = [];

    /// <summary>The generation time to print, given by the caller (reports print no clock of their own); null = none.</summary>
    public string? GeneratedAt { get; init; }

    /// <summary>Tool name and version to print in the methodology, e.g. <c>ashiato 0.1.0</c>; null = none.</summary>
    public string? Generator { get; init; }
}
