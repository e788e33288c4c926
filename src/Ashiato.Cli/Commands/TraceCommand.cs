using System.CommandLine;
using System.Globalization;
using Ashiato.Analysis.Tracing;
using Ashiato.Analysis.Tracing.Evm;
using Ashiato.Analysis.Tracing.Output;
using Ashiato.Analysis.Tracing.Utxo;
using Ashiato.Core;
using Ashiato.Intel.Prices;
using Ashiato.Simulation.Evaluation;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;
using Ashiato.Storage.Files;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary><c>ashiato trace</c>: follow value forward or backward from addresses, transactions, outputs or clusters (docs/tracing.md).</summary>
public static class TraceCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("trace", "Follow value forward (where did it go) or backward (where did it come from) with a taint model; summary by entity, category, country and rule");
        var chain = new Option<string?>("--chain") { Description = "Chain in the store (default: the only one)" };
        var address = new Option<string[]>("--address") { Description = "Seed: an address (what it received); repeatable" };
        var tx = new Option<string[]>("--tx") { Description = "Seed: a transaction id (its outputs); repeatable" };
        var output = new Option<string[]>("--output") { Description = "Seed: one output TXID:N; repeatable" };
        var cluster = new Option<string[]>("--cluster") { Description = "Seed: a cluster, by member address or cluster id (needs 'ashiato cluster'); repeatable" };
        var incident = new Option<string[]>("--incident") { Description = "Seed: an incident's theft transactions on every chain of the store (needs 'ashiato incidents import'); repeatable" };
        var direction = new Option<string>("--direction") { Description = "forward | backward", DefaultValueFactory = _ => "forward" };
        var model = new Option<string>("--model") { Description = "Taint model: poison | haircut | fifo", DefaultValueFactory = _ => "haircut" };
        var maxHops = new Option<int>("--max-hops") { Description = "Stop after this many transaction hops", DefaultValueFactory = _ => 20 };
        var maxEdges = new Option<long>("--max-edges") { Description = "Stop the whole trace after this many edges (partial result)", DefaultValueFactory = _ => 1_000_000 };
        var minAmount = new Option<string?>("--min-amount") { Description = "Do not follow tainted amounts below this many base units (satoshi)" };
        var minFiat = new Option<string?>("--min-fiat") { Description = "Do not follow tainted amounts worth less than this in the first --fiat" };
        var fiat = new Option<string>("--fiat") { Description = "Fiat currencies to value every edge in, comma-separated", DefaultValueFactory = _ => "USD" };
        var from = new Option<string?>("--from") { Description = "Only follow transactions from this date (YYYY-MM-DD or ISO 8601, UTC)" };
        var to = new Option<string?>("--to") { Description = "Only follow transactions up to this date (a date means its end)" };
        var coinjoin = new Option<string>("--coinjoin") { Description = "At a CoinJoin: stop | haircut", DefaultValueFactory = _ => "stop" };
        var stopCategory = new Option<string[]>("--stop-category") { Description = "Stop at addresses labelled with this category (default: exchange and otc, the cash-out points); repeatable" };
        var budget = new Option<double?>("--time-budget") { Description = "Seconds; when exceeded the result is partial" };
        var format = new Option<string?>("--format") { Description = "json | csv | graphml | dot (default json with --out)" };
        var outPath = new Option<string?>("--out") { Description = "Write the trace to this file (csv: edges here, nodes in FILE.nodes.csv)" };
        var amount = new Option<string?>("--amount") { Description = "With one seed (--address, --tx, --output or --cluster): trace only this much of it, in base units (satoshi, wei, token units)" };
        var asset = new Option<string?>("--asset") { Description = "EVM chains, with one seed: the token contract (0x…) the seed and --amount are in (default: the native coin)" };
        foreach (var o in new Option[] { chain, address, tx, output, cluster, incident, amount, asset, direction, model, maxHops, maxEdges, minAmount, minFiat, fiat, from, to, coinjoin, stopCategory, budget, format, outPath })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(parse =>
        {
            var ct = CancellationToken.None;
            var hops = parse.GetValue(maxHops);
            var edgesLimit = parse.GetValue(maxEdges);
            var seeds = new List<(TraceSeedKind Kind, string Value)>();
            seeds.AddRange((parse.GetValue(address) ?? []).Select(v => (TraceSeedKind.Address, v)));
            seeds.AddRange((parse.GetValue(tx) ?? []).Select(v => (TraceSeedKind.Transaction, v)));
            seeds.AddRange((parse.GetValue(output) ?? []).Select(v => (TraceSeedKind.Output, v)));
            seeds.AddRange((parse.GetValue(cluster) ?? []).Select(v => (TraceSeedKind.Cluster, v)));
            var incidents = parse.GetValue(incident) ?? [];
            if (seeds.Count == 0 && incidents.Length == 0)
            {
                throw new UserErrorException("nothing to trace: give --address, --tx, --output, --cluster or --incident");
            }

            var (seedAmount, seedAsset) = (parse.GetValue(amount), parse.GetValue(asset));
            if ((seedAmount is not null || seedAsset is not null) && (seeds.Count != 1 || incidents.Length > 0))
            {
                throw new UserErrorException($"{(seedAmount is not null ? "--amount" : "--asset")} applies to exactly one --address, --tx, --output or --cluster seed " +
                    $"(got {seeds.Count} seed(s){(incidents.Length > 0 ? $" and {incidents.Length} incident(s)" : "")})");
            }

            UInt256? limit = seedAmount is null ? null
                : UInt256.TryParse(seedAmount, out var av) && !av.IsZero ? av
                : throw new UserErrorException($"--amount '{seedAmount}': expected a positive integer amount in base units (satoshi, wei, token units)");

            var fiats = (parse.GetValue(fiat) ?? "USD").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => f.ToUpperInvariant()).Distinct().ToList();
            var stops = parse.GetValue(stopCategory) is { Length: > 0 } sc ? sc : [.. TraceOptions.CashOutCategories];
            var options = new TraceOptions
            {
                Direction = ParseEnum<TraceDirection>("--direction", parse.GetValue(direction)!),
                Model = ParseEnum<TaintModel>("--model", parse.GetValue(model)!),
                MaxHops = hops >= 0 ? hops : throw new UserErrorException($"--max-hops {hops}: must be 0 or more"),
                MaxEdges = edgesLimit > 0 ? edgesLimit : throw new UserErrorException($"--max-edges {edgesLimit}: must be positive"),
                MinAmount = parse.GetValue(minAmount) is { } ma
                    ? (UInt256.TryParse(ma, out var mv) ? mv : throw new UserErrorException($"--min-amount '{ma}': expected an integer amount in base units (satoshi)"))
                    : UInt256.Zero,
                MinFiat = parse.GetValue(minFiat) is { } mf
                    ? (decimal.TryParse(mf, NumberStyles.Number, CultureInfo.InvariantCulture, out var fv) && fv >= 0 ? fv
                        : throw new UserErrorException($"--min-fiat '{mf}': expected a non-negative decimal amount"))
                    : null,
                Fiats = fiats,
                From = parse.GetValue(from) is { } f ? ParseTime("--from", f, endOfDay: false) : null,
                To = parse.GetValue(to) is { } t ? ParseTime("--to", t, endOfDay: true) : null,
                CoinJoin = ParseEnum<CoinJoinPolicy>("--coinjoin", parse.GetValue(coinjoin)!),
                StopCategories = new SortedSet<string>(stops, StringComparer.Ordinal),
                TimeBudget = parse.GetValue(budget) is { } b ? (b > 0 ? TimeSpan.FromSeconds(b) : throw new UserErrorException($"--time-budget {b}: must be positive")) : null,
            };
            var fmt = parse.GetValue(format)?.ToLowerInvariant();
            if (fmt is not null && !TraceOutput.Formats.Contains(fmt))
            {
                throw new UserErrorException($"--format '{fmt}': expected one of {string.Join(", ", TraceOutput.Formats)}");
            }

            // --out's directory is made (as report and evaluate do) before the trace runs, so that a path that cannot be written
            // is named at once rather than after a long trace; a failed write names the file
            var path = parse.GetValue(outPath);
            if (path is not null && Path.GetDirectoryName(Path.GetFullPath(path)) is { } outDir)
            {
                try
                {
                    Directory.CreateDirectory(outDir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UserErrorException($"--out {path}: cannot create directory {outDir}: {e.Message}");
                }
            }

            var result = Run(ctx, parse, parse.GetValue(chain), seeds, incidents, options, ct, limit, seedAsset);
            if (path is not null)
            {
                foreach (var (file, write) in TraceOutput.Writers(result, fmt ?? "json", path))
                {
                    try
                    {
                        DurableFile.WriteAtomic(file, write);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw new UserErrorException($"--out {file}: cannot write the trace: {e.Message} (the previous file, if any, is unchanged)");
                    }

                    ctx.Err.WriteLine($"wrote {file} ({new FileInfo(file).Length} bytes)");
                }
            }
            else if (fmt is not null || ctx.Json(parse))
            {
                var bytes = TraceOutput.Render(result, fmt ?? "json", "-")[0].Bytes;
                ctx.Out.Write(System.Text.Encoding.UTF8.GetString(bytes));
                ctx.Out.WriteLine();
                return 0;
            }

            PrintSummary(ctx, result);
            return 0;
        });
        return cmd;
    }

    private static TraceResult Run(CliContext ctx, ParseResult parse, string? chainName, List<(TraceSeedKind Kind, string Value)> seeds, string[] incidents,
        TraceOptions options, CancellationToken ct, UInt256? amount, string? asset)
    {
        using var store = ctx.OpenStore(parse, create: false);
        var traceSeeds = new List<TraceSeed>();
        foreach (var id in incidents)
        {
            traceSeeds.AddRange(IncidentSeeds(store, id));
        }

        var name = seeds.Count > 0 || chainName is not null ? CliContext.ResolveChain(store, chainName) : traceSeeds[0].Chain;
        traceSeeds.AddRange(seeds.Select(s => new TraceSeed(name, s.Kind, s.Value) { Amount = amount, Asset = asset }));
        using var session = new TraceSession(store, line => ctx.Err.WriteLine(line));
        if (session.Valuer is null)
        {
            ctx.Err.WriteLine("note: no prices in the store ('ashiato prices import'); edges carry no fiat values");
        }

        if (session.Labels.TryGetValue(name, out var labels) && !labels.Clustered)
        {
            ctx.Err.WriteLine($"note: chain '{name}' is not clustered ('ashiato cluster'); labels come from tagged addresses only");
        }

        if (session.BridgePairers > 0 && options.FollowBridges)
        {
            ctx.Err.WriteLine($"note: following bridges across chains: {string.Join(", ", session.Bridges.Select(b => $"{b.Actor} (token {b.Token} on {b.EvmChain})"))}");
        }

        return session.Run(traceSeeds, options, ct);
    }

    /// <summary>The seeds of <c>--incident ID</c>: the incident's theft transactions on the chains of the store.</summary>
    public static List<TraceSeed> IncidentSeeds(StoreDirectory store, string id)
    {
        var i = new Intel.Incidents.IncidentStore(store.Meta).Get(id)
            ?? throw new UserErrorException($"--incident {id}: no such incident in the store ('ashiato incidents list')");
        var chains = store.Chains().ToHashSet(StringComparer.Ordinal);
        var found = i.Chains.Where(c => chains.Contains(c.Chain.Value))
            .SelectMany(c => c.Transactions.Select(t => new TraceSeed(c.Chain.Value, TraceSeedKind.Transaction, t.TxId) { Why = "incident " + id }))
            .ToList();
        return found.Count > 0 ? found
            : throw new UserErrorException($"--incident {id}: its theft transactions are on {string.Join(", ", i.Chains.Select(c => c.Chain.Value))}, none of which is in this store");
    }

    private static T ParseEnum<T>(string option, string value)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var v) && Enum.IsDefined(v)
            ? v
            : throw new UserErrorException($"{option} '{value}': expected one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static DateTimeOffset ParseTime(string option, string text, bool endOfDay)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            var start = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1).AddSeconds(-1) : start;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new UserErrorException($"{option} '{text}': expected a date YYYY-MM-DD or an ISO 8601 time");
    }

    private static string Coins(UInt256 baseUnits, string asset) =>
        asset is "BTC" or "LTC" && baseUnits.FitsUInt64
            ? ((decimal)baseUnits.Low64 / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture) + " " + asset
            : baseUnits + " " + (asset.Length > 12 ? asset[..10] + "…" : asset) + " (base units)";

    private static string Fiat(IReadOnlyList<FiatValue> values) =>
        string.Join(", ", values.Select(v => $"{v.Amount.ToString("N2", CultureInfo.InvariantCulture)} {v.Fiat}"));

    /// <summary>The summary tables: seeded, endpoints by entity, category, country and rule (amounts, shares, fiat), partial flag.</summary>
    public static void PrintSummary(CliContext ctx, TraceResult r)
    {
        var o = r.Options;
        ctx.Console.WriteLine($"trace {o.Direction.ToString().ToLowerInvariant()}, model {o.Model.ToString().ToLowerInvariant()}, max hops {o.MaxHops}, " +
            $"coinjoin {o.CoinJoin.ToString().ToLowerInvariant()}: {r.Edges.Count} edges, {r.Nodes.Count} nodes, {r.EdgesVisited} visited");
        foreach (var s in r.Summary.Seeded)
        {
            ctx.Console.WriteLine($"seeded on {s.Chain}: {Coins(s.Tainted, s.Asset)}{(s.Values.Count > 0 ? " = " + Fiat(s.Values) : "")}");
        }

        void Table(string title, IReadOnlyList<EndpointTotal> rows)
        {
            var table = new Table().Title(title).AddColumns(title.Split(' ')[^1], "chain", "amount", "share", "fiat");
            foreach (var t in rows)
            {
                table.AddRow(Markup.Escape(t.Key), Markup.Escape(t.Chain), Markup.Escape(Coins(t.Tainted, t.Asset)),
                    (t.ShareOfSeed * 100m).ToString("0.00", CultureInfo.InvariantCulture) + " %", Markup.Escape(Fiat(t.Values)));
            }

            ctx.Console.Write(table);
        }

        Table("endpoints by entity", r.Summary.ByEntity);
        Table("endpoints by category", r.Summary.ByCategory);
        Table("endpoints by country", r.Summary.ByCountry);
        Table("endpoints by rule", r.Summary.ByRule);
        var unresolved = r.Summary.ByEntity.Where(t => t.Key == TraceSummaryBuilder.Unattributed).ToList();
        foreach (var u in unresolved)
        {
            ctx.Console.WriteLine($"unresolved remainder on {u.Chain} (endpoints without attribution): {Coins(u.Tainted, u.Asset)} " +
                $"({(u.ShareOfSeed * 100m).ToString("0.00", CultureInfo.InvariantCulture)} %)");
        }

        ctx.Console.WriteLine(r.Partial ? $"PARTIAL: {r.PartialReason}" : "complete (not partial)");
        foreach (var w in r.Warnings)
        {
            ctx.Console.WriteLine("warning: " + w);
        }
    }

    /// <summary>
    /// Traces every theft of a simulated world forward from its theft transaction (the given options; labels from the
    /// store's tags and clusters; no prices needed) and scores the endpoints by value against the truth (<see cref="TraceScoring"/>).
    /// </summary>
    public static IReadOnlyList<(TheftTraceScore Score, TraceResult Trace)> ScoreThefts(string truthPath, UtxoChainStore chain, StoreDirectory store, TraceOptions options)
    {
        var labels = ClusterTraceLabels.Open(chain, store.Meta);
        var tracer = new UtxoTracer(chain, labels);
        var tagged = labels.Labels.Clusters.Select(c => TraceScoring.EntityKey(c.Label.Entity ?? c.Label.Name)).ToHashSet(StringComparer.Ordinal);
        var scores = new List<(TheftTraceScore, TraceResult)>();
        foreach (var trail in TraceScoring.LoadTrails(truthPath))
        {
            if (!Hash256.TryParse(trail.TxId, out var txid) || chain.FindTx(txid) < 0)
            {
                continue;
            }

            var r = tracer.Run([new TraceSeed(chain.ChainName, TraceSeedKind.Transaction, trail.TxId) { Why = trail.Id }], options with { Direction = TraceDirection.Forward });
            var attributed = r.Summary.ByEntity.Where(t => t.Key != TraceSummaryBuilder.Unattributed)
                .Select(t => KeyValuePair.Create(t.Key, (long)(ulong)t.Tainted));
            var unattributed = r.Summary.ByEntity.Where(t => t.Key == TraceSummaryBuilder.Unattributed).Sum(t => (long)(ulong)t.Tainted);
            scores.Add((TraceScoring.Score(trail, attributed, unattributed, tagged), r));
        }

        return scores;
    }

    /// <summary>
    /// The EVM tracing cell of <c>ashiato evaluate</c>: every EVM theft of the world traced forward from its theft transactions
    /// with the default options across all chains of the store (bridges followed), its endpoints on the EVM chain classified in
    /// the truth's terms (<see cref="EvmTraceScoring.Key"/>) and scored by value per asset.
    /// </summary>
    public static string EvmEvaluationCell(string truthPath, StoreDirectory store)
    {
        if (EvmTraceScoring.Load(Path.GetDirectoryName(Path.GetFullPath(truthPath))!) is not { } evm)
        {
            return "n/a: the world has no EVM chain";
        }

        if (!store.Chains().Contains(evm.Chain) || store.ChainFamily(evm.Chain) != "evm")
        {
            return $"**missing**: the store holds no EVM chain `{evm.Chain}`";
        }

        using var chain = store.OpenEvmChain(evm.Chain, null, writer: false);
        var tokens = new EvmTokenInfo(chain);
        string Symbol(string asset) =>
            Chains.Evm.EvmAddress.TryParse(asset, out var a) && chain.FindAddress(a) is var id and >= 0 && tokens.Get(id).Symbol is { } symbol ? symbol : asset;
        using var session = new TraceSession(store);
        var options = new TraceOptions { Fiats = [] };
        var scored = new List<(EvmTheftTrail, IReadOnlyDictionary<(string Asset, string Key), System.Numerics.BigInteger>)>();
        var partial = 0;
        foreach (var theft in evm.Thefts)
        {
            var r = session.Run(theft.Transactions.Select(tx => new TraceSeed(evm.Chain, TraceSeedKind.Transaction, tx) { Why = theft.Id }).ToList(), options);
            partial += r.Partial ? 1 : 0;
            var nodes = r.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
            var traced = new Dictionary<(string Asset, string Key), System.Numerics.BigInteger>();
            foreach (var e in r.Edges.Where(e => e.Chain == evm.Chain && TraceSummaryBuilder.IsEndpoint(e.Rule) && e.Rule != TraceRules.Fee && !e.Tainted.IsZero))
            {
                var label = nodes.TryGetValue(e.To, out var node) ? node.Label : null;
                var key = (Symbol(e.Asset), EvmTraceScoring.Key(e.Rule, label?.Category, label?.Entity));
                traced[key] = traced.GetValueOrDefault(key) + e.Tainted.ToBigInteger();
            }

            scored.Add((theft, traced));
        }

        var per = string.Join("; ", EvmTraceScoring.Score(scored).Select(a =>
            $"{a.Asset} {TraceScoring.Format(a.Recall)}/{TraceScoring.Format(a.Precision)} (held at the end: truth {Share(a.TruthHeld, a.TruthAtServices + a.TruthHeld)}, " +
            $"traced {Share(a.TracedHeld, a.TracedAtServices + a.TracedHeld)})"));
        return $"{evm.Thefts.Count} EVM thefts traced forward across the store's chains (haircut, ≤ 20 hops, stop at exchanges and OTC brokers, mixers; " +
            $"bridges followed{(partial > 0 ? $"; {partial} partial" : "")}): recall/precision by value at services, per asset: {per}";
    }

    private static string Share(System.Numerics.BigInteger part, System.Numerics.BigInteger whole) =>
        whole.IsZero ? "0 %" : ((double)part / (double)whole).ToString("P1", CultureInfo.InvariantCulture);

    /// <summary>The tracing cell of <c>ashiato evaluate</c>'s score table (default options: forward, haircut, 20 hops, stop at exchanges, OTC brokers, mixers and CoinJoins).</summary>
    public static string EvaluationCell(string truthPath, UtxoChainStore chain, StoreDirectory store)
    {
        var results = ScoreThefts(truthPath, chain, store, new TraceOptions());
        if (results.Count == 0)
        {
            return "**missing**: no theft transaction of the truth is on the chain";
        }

        var scores = results.Select(r => r.Score).ToList();
        var (recall, precision) = TraceScoring.Total(scores);
        var untagged = scores.Sum(s => s.TruthAtServicesSat - s.TruthAtTaggedSat);
        var truthAt = scores.Sum(s => s.TruthAtServicesSat);
        var per = string.Join("; ", results.Select(r => $"{r.Score.Id} {TraceScoring.Format(r.Score.Recall)}/{TraceScoring.Format(r.Score.Precision)}"));
        return $"{results.Count} thefts traced forward (haircut, ≤ 20 hops, stop at exchange/OTC/mixer/CoinJoin/bridge): recall by value {TraceScoring.Format(recall)}, " +
            $"precision by value {TraceScoring.Format(precision)}; recall at services with a tagged address {TraceScoring.Format(TraceScoring.TotalRecallTagged(scores))} " +
            $"({EvaluateCommand.Percent(untagged, truthAt)} of the value at services went to services nobody tagged: no trace can name them) (per theft recall/precision: {per})";
    }
}
