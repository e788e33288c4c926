using System.CommandLine;
using System.Globalization;
using Ashiato.Analysis.Evm;
using Ashiato.Chains.Evm;
using Ashiato.Core;
using Ashiato.Intel;
using Ashiato.Storage.Evm;
using Spectre.Console;

namespace Ashiato.Cli.Commands;

/// <summary>
/// <c>ashiato cluster</c>, <c>cluster show</c> and <c>explain</c> on an EVM chain: the deposit-address heuristic (and the
/// optional deposit-sender-reuse), contract creators and labels. ClusterCommand dispatches here when the chain is an EVM one.
/// </summary>
public static class ClusterEvmCommand
{
    private static readonly Option<string?> Window = new("--evm-window")
    {
        Description = "EVM deposit-address window: N (blocks, default 3200) or a duration (90s, 30m, 12h, 2d)",
    };

    private static readonly Option<string?> MinShare = new("--evm-min-share") { Description = "EVM: least share of the value received that a forward must pass on (default 0.9)" };

    private static readonly Option<string?> MaxShare = new("--evm-max-share") { Description = "EVM: largest share of the value received a forward may pass on (default 1.05)" };

    private static readonly Option<string?> Assets = new("--evm-assets") { Description = "EVM: assets whose forwards count: native, erc20 or native,erc20 (default)" };

    private static readonly Option<int?> MinForwards = new("--evm-min-forwards") { Description = "EVM: qualifying forwards needed (default 1)" };

    private static readonly Option<int?> MaxSenders = new("--evm-max-senders") { Description = "EVM deposit-sender-reuse: most senders of one deposit address that are linked (default 3)" };

    /// <summary>Adds the EVM options to <c>ashiato cluster</c>.</summary>
    public static void AddOptions(Command cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        foreach (var o in new Option[] { Window, MinShare, MaxShare, Assets, MinForwards, MaxSenders })
        {
            cluster.Options.Add(o);
        }
    }

    /// <summary>True when the chain named (or the only one) is an EVM chain.</summary>
    public static bool IsEvm(CliContext ctx, ParseResult parse, string? chainName)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        using var store = ctx.OpenStore(parse, create: false);
        return store.ChainFamily(CliContext.ResolveChain(store, chainName)) == "evm";
    }

    /// <summary>The EVM heuristics as <c>heuristics list</c> shows them.</summary>
    public static IReadOnlyList<EvmHeuristicInfo> Heuristics => EvmHeuristicInfo.All;

    public static EvmClusterSettings ParseSettings(ParseResult parse, IEnumerable<string> switches)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var s = new EvmClusterSettings();
        foreach (var sw in switches)
        {
            var eq = sw.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? sw : sw[..eq];
            var value = eq < 0 ? "on" : sw[(eq + 1)..];
            var on = value switch
            {
                "on" or "true" or "1" => true,
                "off" or "false" or "0" => false,
                _ => throw new UserErrorException($"--heuristic {sw}: expected NAME, NAME=on or NAME=off"),
            };
            s = EvmHeuristicInfo.ByName(name)?.Id switch
            {
                EvmHeuristicId.DepositAddress => s with { DepositAddress = on },
                EvmHeuristicId.DepositSenderReuse => s with { DepositSenderReuse = on },
                _ => throw new UserErrorException($"unknown EVM heuristic '{name}'; known: {string.Join(", ", EvmHeuristicInfo.All.Select(h => h.Name))}"),
            };
        }

        if (parse.GetValue(Window) is { } w)
        {
            var (blocks, seconds) = ParseWindow(w);
            s = s with { WindowBlocks = blocks, WindowSeconds = seconds };
        }

        if (parse.GetValue(MinShare) is { } min)
        {
            s = s with { MinSharePpm = ParseShare("--evm-min-share", min) };
        }

        if (parse.GetValue(MaxShare) is { } max)
        {
            s = s with { MaxSharePpm = ParseShare("--evm-max-share", max) };
        }

        if (parse.GetValue(Assets) is { } a)
        {
            var parts = a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var p in parts.Where(p => p is not ("native" or "erc20")))
            {
                throw new UserErrorException($"--evm-assets {a}: unknown asset class '{p}' (native, erc20)");
            }

            s = s with { Native = parts.Contains("native"), Erc20 = parts.Contains("erc20") };
        }

        if (parse.GetValue(MinForwards) is { } f)
        {
            s = s with { MinForwards = f };
        }

        if (parse.GetValue(MaxSenders) is { } m)
        {
            s = s with { MaxSenders = m };
        }

        s.Validate();
        return s;
    }

    /// <summary>"3200" (blocks) or a duration with unit s, m, h or d (seconds).</summary>
    public static (long? Blocks, long? Seconds) ParseWindow(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var unit = t.Length > 0 ? t[^1] : ' ';
        var multiplier = unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86_400L, _ => 0L };
        var number = multiplier == 0 ? t : t[..^1];
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new UserErrorException($"--evm-window {text}: expected a number of blocks (3200) or a duration (90s, 30m, 12h, 2d)");
        }

        return multiplier == 0 ? (n, null) : (null, checked(n * multiplier));
    }

    private static int ParseShare(string option, string text)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) || d <= 0 || d > 1000)
        {
            throw new UserErrorException($"{option} {text}: expected a share such as 0.9");
        }

        return (int)decimal.Round(d * EvmClusterSettings.Million, 0);
    }

    public static int Build(CliContext ctx, ParseResult parse, string? chainName, string[] switches, int? toHeight)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var settings = ParseSettings(parse, switches);
        using var store = ctx.OpenStore(parse, create: false);
        var name = CliContext.ResolveChain(store, chainName);
        using var chain = store.OpenEvmChain(name, null, writer: false);
        var tags = EvmTag.Load(new TagStore(store.Meta));
        var result = EvmClusterBuilder.Run(chain, tags, settings, toHeight);
        var m = result.Meta;
        if (ctx.Json(parse))
        {
            ctx.WriteJson(new { chain = name, seconds = result.Elapsed.TotalSeconds, deposit_seconds = result.DepositTime.TotalSeconds, contract_seconds = result.ContractTime.TotalSeconds, meta = m });
            return 0;
        }

        ctx.Out.WriteLine($"built EVM clusters of '{name}': heights {chain.BaseHeight:N0}..{m.Height:N0} ({m.TransferCount:N0} transfers) in {result.Elapsed.TotalSeconds:0.00} s");
        ctx.Out.WriteLine($"settings: {string.Join(", ", m.Settings.Select(kv => $"{kv.Key}={kv.Value}"))}");
        var hotWallets = m.Exchanges.Sum(e => e.HotWallets.Count);
        if (hotWallets == 0)
        {
            ctx.Err.WriteLine("note: no exchange hot wallet of this chain is tagged (category exchange, EVM address): the deposit-address heuristic had nothing to follow; import TagPacks with 'ashiato tags import'");
        }

        ctx.Out.WriteLine($"tagged exchange hot wallets with activity: {hotWallets} ({m.HotWalletsWithoutActivity} tagged without activity on this chain); " +
            $"candidates {m.Candidates:N0}; deposit addresses {m.Deposits:N0}; conflicts (forwards to two exchanges) {m.Conflicts:N0}; too few forwards {m.TooFewForwards:N0}");
        ctx.Out.WriteLine($"addresses {m.AddressCount:N0}, clusters {m.Clusters:N0}, largest {m.LargestCluster:N0} addresses" +
            (m.LargestClusterId >= 0 ? $" ({chain.Address(m.LargestClusterId).ToChecksumString()})" : ""));
        var table = new Table().AddColumns("exchange", "hot wallets", "deposit addresses");
        foreach (var e in m.Exchanges)
        {
            table.AddRow(Markup.Escape(e.Entity), $"{e.HotWallets.Count}", $"{e.Deposits:N0}");
        }

        ctx.Console.Write(table);
        var merges = new Table().AddColumns("merges by heuristic", "count");
        foreach (var (h, c) in m.MergesByHeuristic)
        {
            merges.AddRow(h, $"{c:N0}");
        }

        ctx.Console.Write(merges);
        ctx.Out.WriteLine($"contracts created: {m.Contracts:N0} ({m.ContractsByFactory:N0} by factories), labelled with an entity: {m.ContractsLabelled:N0}");
        ctx.Out.WriteLine($"files: {EvmClusterFiles.DirectoryOf(chain.Directory)}");
        return 0;
    }

    public static int Show(CliContext ctx, ParseResult parse, string? chainName, string text, int limit) =>
        WithClusters(ctx, parse, chainName, (chain, view) =>
        {
            var id = AddressId(chain, text);
            var cluster = view.ClusterOf(id);
            var members = view.Members(cluster).ToList();
            var listed = members.Take(limit).Select(a => chain.Address(a).ToChecksumString()).ToList();
            var exchange = view.ExchangeOf(cluster);
            var why = Evidence(chain, view, id);
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new
                {
                    address = text,
                    cluster,
                    cluster_address = chain.Address(cluster).ToChecksumString(),
                    size = members.Count,
                    covers_height = view.Meta.Height,
                    exchange = exchange?.Exchange.Entity,
                    hot_wallet = exchange?.Hot,
                    evidence = why,
                    members = listed,
                });
                return 0;
            }

            ctx.Out.WriteLine($"{text}: cluster {cluster} ({chain.Address(cluster).ToChecksumString()}), {members.Count:N0} address(es), up to height {view.Meta.Height:N0}");
            if (exchange is { } e)
            {
                ctx.Out.WriteLine($"  the cluster of exchange {e.Exchange.Entity}: hot wallet {e.Hot.Address} tagged '{e.Hot.Label}' ({e.Hot.Source}, confidence {e.Hot.Confidence:0.00})");
            }

            foreach (var line in why)
            {
                ctx.Out.WriteLine($"  {line}");
            }

            foreach (var a in listed)
            {
                ctx.Out.WriteLine($"  {a}");
            }

            if (members.Count > listed.Count)
            {
                ctx.Out.WriteLine($"  … {members.Count - listed.Count:N0} more (--limit)");
            }

            return 0;
        });

    public static int Explain(CliContext ctx, ParseResult parse, string? chainName, string textA, string textB) =>
        WithClusters(ctx, parse, chainName, (chain, view) =>
        {
            var (ia, ib) = (AddressId(chain, textA), AddressId(chain, textB));
            var path = view.Explain(ia, ib);
            var steps = path?.Select(p => Step(chain, view, p.From, p.To, p.Merge)).ToList();
            if (ctx.Json(parse))
            {
                ctx.WriteJson(new { address1 = textA, address2 = textB, linked = path is not null, covers_height = view.Meta.Height, steps });
                return 0;
            }

            if (steps is null)
            {
                ctx.Out.WriteLine($"{textA} and {textB} are not linked (clusters {view.ClusterOf(ia)} and {view.ClusterOf(ib)}, up to height {view.Meta.Height})");
                return 0;
            }

            ctx.Out.WriteLine($"{textA} and {textB} are in cluster {view.ClusterOf(ia)}: {steps.Count} merge(s)");
            var n = 0;
            foreach (var s in steps)
            {
                ctx.Out.WriteLine($"{++n,4}. {s.From} — {s.To}  by {s.Heuristic} ({s.Confidence:0.00}) in tx {s.Tx} (height {s.Height}): {s.Evidence}");
            }

            return 0;
        });

    private sealed record ExplainStep(string From, string To, string Heuristic, double Confidence, string Tx, long Height, string Evidence);

    private static ExplainStep Step(EvmChainStore chain, EvmClusterView view, uint from, uint to, EvmMergeRecord m)
    {
        var h = EvmHeuristicInfo.ById(m.Heuristic);
        var (height, _) = chain.TransactionLocation(m.TxId);
        string evidence;
        if (m.Heuristic == EvmHeuristicId.DepositAddress)
        {
            var ex = view.Meta.Exchanges[(int)m.Via];
            var hot = ex.HotWallets.FirstOrDefault(w => w.AddressId == m.B);
            var d = view.Deposit(m.A);
            evidence = $"{Addr(chain, m.A)} forwarded to {ex.Entity}'s hot wallet {Addr(chain, m.B)}" +
                (hot is null ? "" : $" (tag '{hot.Label}', {hot.Source})") +
                (d is { } r ? $"; {r.Forwards} qualifying forward(s), {r.Rejected} not qualifying; the first passed on {Share(r.FirstForwardSharePpm)} of what it received in the window" : "");
        }
        else
        {
            evidence = $"both paid deposit address {Addr(chain, m.Via)}" + (view.Deposit(m.Via) is { } r
                ? $" of {view.Meta.Exchanges[(int)r.Exchange].Entity} ({r.Senders} eligible sender(s))"
                : "");
        }

        return new ExplainStep(Addr(chain, from), Addr(chain, to), h.Name, h.Confidence, chain.TransactionHash(m.TxId).ToString(), height, evidence);
    }

    /// <summary>Why an address is where it is: deposit-address evidence, and the contract line (creator, token, label).</summary>
    private static List<string> Evidence(EvmChainStore chain, EvmClusterView view, long id)
    {
        var lines = new List<string>();
        if (view.Deposit(id) is { } d)
        {
            var ex = view.Meta.Exchanges[(int)d.Exchange];
            var first = chain.Transfer(d.FirstForwardTransfer);
            lines.Add($"deposit address of {ex.Entity}: {d.Forwards} qualifying forward(s) to its hot wallet {Addr(chain, d.HotWallet)} ({d.Rejected} not qualifying, {d.Senders} sender(s)); " +
                $"first in tx {chain.TransactionHash(first.TxId)} (height {first.Height}), passing on {Share(d.FirstForwardSharePpm)} of what it received in the window");
        }

        if (view.Contract(chain.Address(id).ToString()) is { } c)
        {
            var token = c.TryGetProperty("token_symbol", out var sym) ? $", token {c.GetProperty("token_name").GetString()} ({sym.GetString()})" : "";
            var label = c.TryGetProperty("entity", out var ent)
                ? $"; labelled {ent.GetString()}'s contract (confidence {c.GetProperty("confidence").GetString()}): {c.GetProperty("reason").GetString()}"
                : "";
            lines.Add($"contract created by {c.GetProperty("creator").GetString()} ({c.GetProperty("creator_kind").GetString()}) in tx {c.GetProperty("tx").GetString()} " +
                $"(height {c.GetProperty("height").GetInt64()}){token}{label}");
        }

        return lines;
    }

    private static string Share(long ppm) =>
        ppm < 0 ? "n/a" : (ppm / 10_000m).ToString("0.##", CultureInfo.InvariantCulture) + " %";

    private static string Addr(EvmChainStore chain, long id) => chain.Address(id).ToChecksumString();

    private static int WithClusters(CliContext ctx, ParseResult parse, string? chainName, Func<EvmChainStore, EvmClusterView, int> action)
    {
        using var store = ctx.OpenStore(parse, create: false);
        var name = CliContext.ResolveChain(store, chainName);
        using var chain = store.OpenEvmChain(name, null, writer: false);
        var view = EvmClusterView.Open(chain.Directory)
            ?? throw new UserErrorException($"no EVM clusters for chain '{name}' yet (or they are damaged): run 'ashiato cluster --chain {name}'");
        if (view.Meta.Height < chain.TipHeight)
        {
            ctx.Err.WriteLine($"note: EVM clusters cover heights up to {view.Meta.Height:N0}, the chain is at {chain.TipHeight:N0}; run 'ashiato cluster --chain {name}' to update");
        }

        return action(chain, view);
    }

    private static long AddressId(EvmChainStore chain, string text)
    {
        if (!EvmAddress.TryParse(text, out var address))
        {
            throw new UserErrorException($"'{text}' is not a valid EVM address (0x + 40 hex digits, EIP-55 checksum if mixed case)");
        }

        var id = chain.FindAddress(address);
        if (id < 0 || id >= chain.AddressCount)
        {
            throw new UserErrorException($"address {text} has no activity in the store ({chain.ChainName} {chain.BaseHeight}..{chain.TipHeight})");
        }

        return id;
    }
}
