using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using Ashiato.Analysis.Reports;
using Ashiato.Analysis.Reports.Rendering;
using Ashiato.Analysis.Tracing;
using Ashiato.Core;
using Ashiato.Intel;
using Ashiato.Intel.Incidents;
using Ashiato.Intel.Prices;
using Ashiato.Storage;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato report thefts | actor NAME | incident ID</c>: the incidents of the store, their theft transactions measured on
/// chain and valued with the price book, each incident traced forward from its theft transactions (across bridges), and the
/// report (Analysis/Reports) rendered as Markdown, CSV, JSON or one self-contained HTML file.
/// </summary>
public static class ReportCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("report", "Reports from incidents, traces and prices: thefts (all incidents), actor NAME, incident ID");
        cmd.Subcommands.Add(Build(ctx, "thefts", "Stolen value per year, actor, victim type, country and chain, reported beside measured", null));
        cmd.Subcommands.Add(Build(ctx, "actor", "Where an actor's money came from: totals by victim country, year, victim type and chain, with shares", "NAME"));
        cmd.Subcommands.Add(Build(ctx, "incident", "One incident: theft transactions, laundering path, cash-out points, timeline, what may be frozen", "ID"));
        return cmd;
    }

    private static Command Build(CliContext ctx, string kind, string description, string? argName)
    {
        var cmd = new Command(kind, description);
        var arg = argName is null ? null : new Argument<string>(argName);
        if (arg is not null)
        {
            cmd.Arguments.Add(arg);
        }

        var from = new Option<string?>("--from") { Description = "Incidents from this date (YYYY-MM-DD)" };
        var to = new Option<string?>("--to") { Description = "Incidents up to this date (YYYY-MM-DD)" };
        var fiat = new Option<string>("--fiat") { Description = "Fiat currencies, comma-separated (the first is used for shares and charts)", DefaultValueFactory = _ => "USD,JPY" };
        var basis = new Option<string>("--share-basis") { Description = "reported | measured", DefaultValueFactory = _ => "reported" };
        var format = new Option<string>("--format") { Description = "md | csv | json | html", DefaultValueFactory = _ => "md" };
        var outPath = new Option<string?>("--out", "-o") { Description = "Directory to write the report file(s) to (default: print Markdown/JSON to stdout)" };
        var noTrace = new Option<bool>("--no-trace") { Description = "Do not trace the incidents (no laundering paths or cash-out points)" };
        foreach (var o in new Option[] { from, to, fiat, basis, format, outPath, noTrace })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            var fmt = ReportRenderer.Parse(parse.GetValue(format)!) ?? throw new UserErrorException($"--format {parse.GetValue(format)}: expected md, csv, json or html");
            var p = new ReportParameters
            {
                From = Date("--from", parse.GetValue(from)),
                To = Date("--to", parse.GetValue(to)),
                Fiats = Fiats(parse.GetValue(fiat)!),
                ShareBasis = parse.GetValue(basis) switch
                {
                    "reported" => ShareBasis.Reported,
                    "measured" => ShareBasis.Measured,
                    var b => throw new UserErrorException($"--share-basis {b}: expected reported or measured"),
                },
                Generator = "ashiato",
            };
            using var store = ctx.OpenStore(parse, create: false);
            var id = arg is null ? null : parse.GetValue(arg);
            var data = ReportData.Gather(store, p, !parse.GetValue(noTrace), only: kind == "incident" ? id : null,
                progress: ctx.ShowProgress ? line => ctx.Err.WriteLine(line) : null);
            var doc = kind switch
            {
                "thefts" => ReportDocuments.From(ReportBuilder.BuildThefts(data.Incidents, data.Measured, data.Traces, data.Parameters)),
                "actor" => ReportDocuments.From(ReportData.BuildActorReport(store, data, data.Actor(id!), !parse.GetValue(noTrace), ctx.ShowProgress ? line => ctx.Err.WriteLine(line) : null)),
                _ => ReportDocuments.From(ReportBuilder.BuildIncident(data.Incident(id!), data.Measured, data.Traces, data.Parameters)),
            };
            var baseName = kind == "thefts" ? "thefts" : $"{kind}-{Safe(id!)}";
            var files = ReportRenderer.Render(doc, fmt, baseName);
            var dir = parse.GetValue(outPath);
            if (dir is null)
            {
                if (fmt is ReportOutputFormat.Csv or ReportOutputFormat.Html)
                {
                    throw new UserErrorException($"--format {parse.GetValue(format)} writes files: give --out DIR");
                }

                ctx.Out.Write(files[0].Value);
                return 0;
            }

            Directory.CreateDirectory(dir);
            foreach (var (name, content) in files)
            {
                File.WriteAllText(Path.Combine(dir, name), content, new UTF8Encoding(false));
                ctx.Err.WriteLine($"wrote {Path.Combine(dir, name)}");
            }

            return 0;
        });
        return cmd;
    }

    private static DateOnly? Date(string option, string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new UserErrorException($"{option} {text}: expected a date YYYY-MM-DD");

    internal static IReadOnlyList<string> Fiats(string text)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f => f.ToUpperInvariant()).Distinct().ToList();
        return list.Count > 0 && list.TrueForAll(f => f.Length == 3 && f.All(char.IsAsciiLetterUpper))
            ? list
            : throw new UserErrorException($"--fiat {text}: expected ISO 4217 codes such as USD,JPY");
    }

    private static string Safe(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}

/// <summary>What the reports are built from, gathered from one store.</summary>
public sealed class ReportData
{
    private readonly TagStore _tags;

    private ReportData(TagStore tags, ReportParameters parameters, List<ReportIncident> incidents, List<MeasuredLoss> measured, List<IncidentTrace> traces)
    {
        _tags = tags;
        Parameters = parameters;
        Incidents = incidents;
        Measured = measured;
        Traces = traces;
    }

    public ReportParameters Parameters { get; }

    public List<ReportIncident> Incidents { get; }

    public List<MeasuredLoss> Measured { get; }

    public List<IncidentTrace> Traces { get; }

    /// <summary>The trace options every incident is traced with (echoed in the methodology through the trace results).</summary>
    public static TraceOptions Options(IReadOnlyList<string> fiats) => new()
    {
        Direction = TraceDirection.Forward,
        Model = TaintModel.Haircut,
        MaxHops = 20,
        MaxEdges = 200_000,
        Fiats = fiats,
        TimeBudget = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Incidents (IncidentStore) → report incidents, a report fiat the source did not give converted at the incident date's
    /// rate (<see cref="FiatRates"/>); each theft transaction measured once (UTXO: the outputs the incident names, else its
    /// outputs to addresses that are not its inputs'; EVM: its transfers to the addresses the incident names) and valued at
    /// its block time; each incident (or only <paramref name="only"/>) traced forward from its theft transactions on the
    /// chains the store holds; the EVM tokens met described by their symbol and decimals.
    /// </summary>
    public static ReportData Gather(StoreDirectory store, ReportParameters parameters, bool trace, string? only = null, Action<string>? progress = null)
    {
        var tags = new TagStore(store.Meta);
        var stored = new IncidentStore(store.Meta).List();
        if (only is not null && !stored.Any(i => i.Id == only))
        {
            throw new UserErrorException($"no incident '{only}' in the store ('ashiato incidents list'; import with 'ashiato incidents import')");
        }

        var chains = store.Chains().ToHashSet(StringComparer.Ordinal);
        var book = PriceBook.Load(store.Meta);
        var incidents = stored.Select(ToReport).ToList();
        if (book.Pairs.Count > 0)
        {
            // a fiat the source did not give (JPY beside loss_usd): converted at the rate of the incident date, from the price series
            incidents = [.. new FiatRates(book).Convert(incidents, parameters.Fiats)];
        }

        var measured = new List<MeasuredLoss>();
        var traces = new List<IncidentTrace>();
        var sources = new List<ReportDataSource>();
        foreach (var s in tags.Sources())
        {
            sources.Add(new ReportDataSource("tags", s, null));
        }

        foreach (var file in stored.Select(i => i.PackFile).Where(f => f is not null).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            sources.Add(new ReportDataSource("incident-pack", Path.GetFileName(file!), null));
        }

        var assets = new List<ReportAsset>();
        var evmTokens = new Dictionary<string, EvmTokens>(StringComparer.Ordinal);
        var open = new List<IDisposable>(); // EVM stores, read again for token symbols after tracing
        try
        {
            using (var session = new TraceSession(store))
            {
                foreach (var name in session.Chains.Order(StringComparer.Ordinal))
                {
                    if (store.ChainFamily(name) is "utxo" or null)
                    {
                        using var utxo = store.OpenUtxoChain(name, null, create: false);
                        var asset = Analysis.Tracing.Utxo.UtxoTracer.AssetOf(utxo);
                        assets.Add(new ReportAsset(name, asset, asset, 8));
                        sources.Add(new ReportDataSource("chain", name, $"height {utxo.TipHeight}", utxo.GetBlockHash(utxo.TipHeight).ToString()));
                        foreach (var i in stored)
                        {
                            Measure(utxo, name, asset, i, session.Valuer, parameters.Fiats, measured);
                        }
                    }
                    else
                    {
                        var evm = store.OpenEvmChain(name, null, writer: false);
                        open.Add(evm);
                        var settings = Analysis.Tracing.Evm.EvmTraceSettings.ForChain(name, evm.ChainId);
                        var tokens = new EvmTokens(evm, settings);
                        evmTokens[name] = tokens;
                        assets.Add(new ReportAsset(name, settings.NativeSymbol, settings.NativeSymbol, 18));
                        sources.Add(evm.TipHeight is { } tip
                            ? new ReportDataSource("chain", name, $"height {tip}", evm.BlockHash(tip).ToString())
                            : new ReportDataSource("chain", name, null));
                        foreach (var i in stored)
                        {
                            MeasureEvm(evm, name, tokens, i, session.Valuer, parameters.Fiats, measured);
                        }
                    }
                }

                if (trace)
                {
                    var options = Options(parameters.Fiats);
                    foreach (var i in stored.Where(i => only is null || i.Id == only))
                    {
                        var seeds = i.Chains.Where(c => chains.Contains(c.Chain.Value))
                            .SelectMany(c => c.Transactions.Select(t => new TraceSeed(c.Chain.Value, TraceSeedKind.Transaction, t.TxId) { Why = i.Id }))
                            .ToList();
                        if (seeds.Count == 0)
                        {
                            continue;
                        }

                        progress?.Invoke($"tracing {i.Id} forward from {seeds.Count} theft transaction(s)");
                        try
                        {
                            traces.Add(new IncidentTrace(i.Id, session.Run(seeds, options)));
                        }
                        catch (UserErrorException e)
                        {
                            progress?.Invoke($"warning: {i.Id} not traced: {e.Message}");
                        }
                    }
                }
            }

            // symbols and decimals of the EVM tokens met (measured or traced), so that reports show "1,000 USDT", not base units
            foreach (var (name, tokens) in evmTokens)
            {
                var met = measured.Where(m => m.Chain == name).Select(m => m.Asset)
                    .Concat(traces.SelectMany(t => t.Result.Edges).Where(e => e.Chain == name).Select(e => e.Asset));
                assets.AddRange(tokens.Describe(met));
            }
        }
        finally
        {
            foreach (var d in open)
            {
                d.Dispose();
            }
        }

        foreach (var s in new PriceStore(store.Meta).Series())
        {
            sources.Add(new ReportDataSource("price-series", $"{s.Asset}-{s.Fiat} ({s.Source})", s.LastDate?.ToString(), $"{s.Points} points from {s.FirstDate}"));
        }

        var p = parameters with { Sources = [.. parameters.Sources, .. sources], Assets = [.. parameters.Assets, .. assets] };
        return new ReportData(tags, p, incidents, measured, traces);
    }

    /// <summary>Where the backward trace from an actor's addresses stops: the services thieves take from (exchanges, DeFi protocols, OTC desks).</summary>
    public static readonly IReadOnlySet<string> BacktraceStops = new SortedSet<string>(StringComparer.Ordinal) { "defi", "defi_dex", "defi_lending", "exchange", "otc" };

    /// <summary>The actor report, with the backward trace from the actor's addresses unless tracing is off.</summary>
    public static ActorReport BuildActorReport(StoreDirectory store, ReportData data, ActorProfile actor, bool trace, Action<string>? progress = null) =>
        ReportBuilder.BuildActor(actor, data.Incidents, data.Measured, data.Traces, data.Parameters, trace ? data.TraceActorBackward(store, actor, progress) : null);

    /// <summary>
    /// The actor report's own measurement: a backward trace (the incidents' trace options, direction backward) from every
    /// address the tag store attributes to the actor that is on a chain of the store; null when there is none.
    /// </summary>
    public TraceResult? TraceActorBackward(StoreDirectory store, ActorProfile actor, Action<string>? progress = null)
    {
        var tags = _tags.List(new TagQuery(Actor: actor.Id, IncludeDelisted: false, Limit: 0));
        using var session = new TraceSession(store);
        var seeds = session.AddressSeeds(tags);
        if (seeds.Count == 0)
        {
            return null;
        }

        progress?.Invoke($"tracing backward from {seeds.Count} address(es) attributed to {actor.Id}");
        return session.Run(seeds, Options(Parameters.Fiats) with { Direction = TraceDirection.Backward, StopCategories = BacktraceStops });
    }

    /// <summary>The actor by id, label or alias (case-insensitive); unknown → a user error naming close matches.</summary>
    public ActorProfile Actor(string name)
    {
        var actors = _tags.Actors();
        var a = actors.FirstOrDefault(x => string.Equals(x.Id, name, StringComparison.OrdinalIgnoreCase))
            ?? actors.FirstOrDefault(x => string.Equals(x.Label, name, StringComparison.OrdinalIgnoreCase) || x.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (a is null)
        {
            var near = actors.Where(x => x.Id.Contains(name, StringComparison.OrdinalIgnoreCase) || x.Label.Contains(name, StringComparison.OrdinalIgnoreCase))
                .Select(x => x.Id).Order(StringComparer.Ordinal).Take(5).ToList();
            throw new UserErrorException($"no actor '{name}' in the tag store" + (near.Count > 0 ? $" (did you mean: {string.Join(", ", near)}?)" : " (import an ActorPack with 'ashiato tags import')"));
        }

        var tagged = _tags.List(new TagQuery(Actor: a.Id, IncludeDelisted: false, Limit: 0)).Count;
        return new ActorProfile(a.Id, a.Label, a.Aliases, tagged, a.Jurisdictions.Count == 1 ? a.Jurisdictions[0] : null);
    }

    public ReportIncident Incident(string id) =>
        Incidents.FirstOrDefault(i => i.Id == id) ?? throw new UserErrorException($"no incident '{id}' in the store");

    private static ReportIncident ToReport(Incident i) => new(
        i.Id,
        i.Title,
        i.Date,
        i.AttributedActor,
        i.VictimName ?? i.Victim,
        i.VictimCountry,
        i.VictimType == "defi_protocol" ? ReportBuilder.DefiType : i.VictimType,
        [.. i.Chains.Select(c => c.Chain.Value)],
        [.. i.Chains.SelectMany(c => c.Transactions.Select(t => new IncidentTransaction(c.Chain.Value, t.TxId)))],
        i.LossUsd is { } usd ? [new ReportedFiat("USD", usd, i.LossUsdSource ?? i.PackTitle ?? "incident pack")] : [],
        i.PackTitle ?? i.PackFile);

    /// <summary>
    /// A UTXO theft transaction, measured once however often the incident lists it: the outputs the incident names (its
    /// <c>output</c> entries) when it names any, else its outputs to addresses none of its inputs spent from (what the thief
    /// received, assuming no change went back to the victim at a new address).
    /// </summary>
    private static void Measure(Storage.Utxo.UtxoChainStore chain, string name, string asset, Incident incident, IValuer? valuer, IReadOnlyList<string> fiats,
        List<MeasuredLoss> measured)
    {
        foreach (var c in incident.Chains.Where(c => c.Chain.Value == name))
        {
            foreach (var t in c.Transactions.GroupBy(t => t.TxId, StringComparer.OrdinalIgnoreCase))
            {
                if (!Hash256.TryParse(t.Key, out var txid) || chain.FindTx(txid) is var id && id < 0)
                {
                    continue;
                }

                var tx = chain.GetTx(id);
                var named = t.Where(x => x.OutputIndex is { } k && k >= 0 && k < tx.OutputCount).Select(x => x.OutputIndex!.Value).ToHashSet();
                var inputs = new HashSet<uint>();
                for (var k = 0; k < tx.InputCount; k++)
                {
                    var prev = chain.GetInput(tx.FirstInput + k).Prev;
                    if (prev >= 0)
                    {
                        inputs.Add(chain.GetOutput(prev).AddressId);
                    }
                }

                long sum = 0;
                for (var k = 0; k < tx.OutputCount; k++)
                {
                    var o = chain.GetOutput(tx.FirstOutput + k);
                    if (named.Count > 0 ? named.Contains(k) : !inputs.Contains(o.AddressId))
                    {
                        sum += o.Value;
                    }
                }

                var time = DateTimeOffset.FromUnixTimeSeconds(chain.GetBlockHeader(tx.Height).Time);
                var values = fiats.Select(f => valuer?.Value(asset, new BigInteger(sum), 8, time, f)).Where(v => v is not null).Select(v => v!).ToList();
                measured.Add(new MeasuredLoss(incident.Id, name, asset, (ulong)sum, values, named.Count > 0
                    ? "the theft transaction's outputs the incident names (each transaction once)"
                    : "outputs of the theft transaction to addresses that are not its inputs' (each transaction once)"));
            }
        }
    }

    /// <summary>
    /// An EVM theft transaction, measured once however often the incident lists it: its native and token transfers (fees
    /// and NFTs excluded) to the addresses the incident names on that chain, per asset. Nothing is measured when the
    /// incident names no address on the chain.
    /// </summary>
    private static void MeasureEvm(Storage.Evm.EvmChainStore chain, string name, EvmTokens tokens, Incident incident, IValuer? valuer,
        IReadOnlyList<string> fiats, List<MeasuredLoss> measured)
    {
        foreach (var c in incident.Chains.Where(c => c.Chain.Value == name))
        {
            var receivers = c.Addresses.Select(a => Chains.Evm.EvmAddress.TryParse(a, out var x) ? chain.FindAddress(x) : -1).Where(id => id >= 0).ToHashSet();
            if (receivers.Count == 0)
            {
                continue;
            }

            foreach (var t in c.Transactions.GroupBy(t => t.TxId, StringComparer.OrdinalIgnoreCase))
            {
                if (!Chains.Evm.EvmHash.TryParse(t.Key, out var hash) || chain.FindTransaction(hash) is var txId && txId < 0)
                {
                    continue;
                }

                var (height, _) = chain.TransactionLocation(txId);
                if (height > (chain.TipHeight ?? -1))
                {
                    continue;
                }

                var sums = new SortedDictionary<long, UInt256>();
                var (first, count) = chain.BlockTransfers(height);
                for (var k = 0; k < count; k++)
                {
                    var tr = chain.Transfer(first + k);
                    if (tr.TxId == txId && receivers.Contains(tr.ToId) && tr.Kind is Chains.Evm.Model.EvmTransferKind.Native or Chains.Evm.Model.EvmTransferKind.Internal
                            or Chains.Evm.Model.EvmTransferKind.Create or Chains.Evm.Model.EvmTransferKind.SelfDestruct or Chains.Evm.Model.EvmTransferKind.Erc20
                            or Chains.Evm.Model.EvmTransferKind.Wrap)
                    {
                        sums[tr.AssetId] = sums.TryGetValue(tr.AssetId, out var sum) ? sum + tr.Amount : tr.Amount;
                    }
                }

                var time = DateTimeOffset.FromUnixTimeSeconds(chain.Timestamp(height));
                foreach (var (assetId, amount) in sums)
                {
                    var (asset, ticker, decimals) = tokens.Valuation(assetId);
                    var values = ticker is null || decimals is null
                        ? []
                        : fiats.Select(f => valuer?.Value(ticker, amount.ToBigInteger(), decimals.Value, time, f)).Where(v => v is not null).Select(v => v!).ToList();
                    measured.Add(new MeasuredLoss(incident.Id, name, asset, amount, values,
                        "EVM: the theft transaction's native and token transfers to the addresses the incident names (fees excluded; each transaction once)"));
                }
            }
        }
    }

    /// <summary>
    /// Symbols and decimals of an EVM chain's tokens as ingest read them when the token first moved (kept in that block's
    /// bundle), read once per token; the valuation ticker follows the tracer's pegs (sBTC is valued as BTC).
    /// </summary>
    private sealed class EvmTokens(Storage.Evm.EvmChainStore chain, Analysis.Tracing.Evm.EvmTraceSettings settings)
    {
        private readonly Analysis.Tracing.Evm.EvmTokenInfo _tokens = new(chain);

        /// <summary>Asset id as the reports and traces name it, the price ticker and the decimals (null when unknown).</summary>
        public (string Asset, string? Ticker, int? Decimals) Valuation(long assetId)
        {
            if (assetId < 0)
            {
                return (settings.NativeSymbol, settings.NativeSymbol, 18);
            }

            var (symbol, decimals) = Meta(assetId);
            return (chain.Address(assetId).ToString(), symbol is null ? null : settings.Pegs.TryGetValue(symbol, out var peg) ? peg : symbol, decimals);
        }

        /// <summary>Report assets (symbol, decimals) of the token ids among <paramref name="assets"/> whose metadata is known.</summary>
        public IEnumerable<ReportAsset> Describe(IEnumerable<string> assets)
        {
            foreach (var a in assets.Where(a => a.StartsWith("0x", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (Chains.Evm.EvmAddress.TryParse(a, out var address) && chain.FindAddress(address) is var id && id >= 0 &&
                    Meta(id) is { Symbol: { } symbol, Decimals: { } decimals })
                {
                    yield return new ReportAsset(chain.ChainName, a, symbol, decimals);
                }
            }
        }

        private (string? Symbol, int? Decimals) Meta(long assetId)
        {
            var m = _tokens.Get(assetId);
            return (m.Symbol, m.Decimals);
        }
    }
}
