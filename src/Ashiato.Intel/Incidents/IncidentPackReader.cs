using System.Globalization;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Evm;
using Ashiato.Core;

namespace Ashiato.Intel.Incidents;

/// <summary>An incident as read, with where each of its theft transactions was written (for located messages).</summary>
public sealed record ReadIncident(Incident Incident, IReadOnlyList<(ChainName Chain, TheftTransaction Tx, string Where)> TxLocations);

/// <summary>
/// Reads IncidentPacks (docs/formats/incidentpacks.md): header fields other than title, creator, description, is_public
/// and lastmod are defaults each entry of <c>incidents:</c> inherits unless it sets them itself. An incident with a missing
/// required field, a bad date, country code, transaction id, address or amount is rejected with the reason (the others
/// are kept); an unknown victim type, confidence name or field is a warning (kept).
/// </summary>
public static class IncidentPackReader
{
    public static IReadOnlySet<string> VictimTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "centralised_exchange", "defi_protocol", "bridge", "wallet_provider", "individual",
    };

    private static readonly HashSet<string> HeaderOnly = new(StringComparer.Ordinal) { "title", "creator", "description", "is_public", "lastmod", "incidents" };

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        "id", "title", "date", "description", "victim", "victim_name", "victim_country", "victim_type", "chains", "losses", "loss_usd",
        "loss_usd_source", "usd_source", "attributed_actor", "attribution_source", "confidence", "references",
    };

    /// <summary>Reads one IncidentPack; <paramref name="display"/> names the file in messages. A pack without title or incidents list is a <see cref="UserErrorException"/>.</summary>
    public static List<ReadIncident> Read(YMapping root, string display, IncidentImportReport report)
    {
        var title = YamlTree.AsText(root["title"]);
        if (title is null)
        {
            throw new UserErrorException($"{root.Where(display)}: IncidentPack has no 'title'");
        }

        if (root["incidents"] is not YSequence incidents)
        {
            throw new UserErrorException($"{(root["incidents"] ?? root).Where(display)}: IncidentPack field 'incidents' must be a list of incidents");
        }

        var header = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var kv in root.Items)
        {
            if (HeaderOnly.Contains(kv.Key))
            {
                continue;
            }

            if (!Fields.Contains(kv.Key))
            {
                report.Warn($"{kv.Value.Where(display)}: unknown IncidentPack field '{kv.Key}' (ignored)");
                continue;
            }

            header[kv.Key] = kv.Value;
        }

        var result = new List<ReadIncident>(incidents.Items.Count);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in incidents.Items)
        {
            report.Read++;
            if (item is not YMapping entry)
            {
                report.Reject($"{item.Where(display)}: an incident must be a mapping; incident rejected");
                continue;
            }

            var fields = new Dictionary<string, YNode>(header, StringComparer.Ordinal);
            foreach (var kv in entry.Items)
            {
                if (!Fields.Contains(kv.Key))
                {
                    report.Warn($"{kv.Value.Where(display)}: unknown incident field '{kv.Key}' (ignored)");
                    continue;
                }

                fields[kv.Key] = kv.Value;
            }

            var id = Text(fields, "id");
            try
            {
                var read = ReadOne(fields, entry, display, title, report);
                if (seen.TryGetValue(read.Incident.Id, out var first))
                {
                    report.Reject($"{entry.Where(display)}: duplicate incident id '{read.Incident.Id}' (first at {first}); incident rejected");
                    continue;
                }

                seen[read.Incident.Id] = entry.Where(display);
                result.Add(read);
            }
            catch (RejectedException e)
            {
                report.Reject($"{e.Where}: incident {(id is null ? "without id" : $"'{id}'")}: {e.Message}; incident rejected");
            }
        }

        return result;
    }

    private sealed class RejectedException(string where, string message) : Exception(message)
    {
        public string Where { get; } = where;
    }

    private static string? Text(Dictionary<string, YNode> f, string key) =>
        f.TryGetValue(key, out var n) && n is YScalar s ? s.Text?.Trim() is { Length: > 0 } t ? t : null : null;

    private static ReadIncident ReadOne(Dictionary<string, YNode> f, YMapping entry, string display, string packTitle, IncidentImportReport report)
    {
        var where = entry.Where(display);
        string At(string key) => f.TryGetValue(key, out var n) ? n.Where(display) : where;

        // a field that must be a single value
        string? Scalar(string key)
        {
            if (!f.TryGetValue(key, out var n))
            {
                return null;
            }

            if (n is not YScalar)
            {
                throw new RejectedException(n.Where(display), $"field '{key}' must be a single value");
            }

            return Text(f, key);
        }

        string Required(string key) => Scalar(key) ?? throw new RejectedException(where, $"required field '{key}' is missing (neither in the incident nor in the header)");

        var id = Required("id");
        var title = Required("title");
        var dateText = Required("date");
        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new RejectedException(At("date"), $"date '{dateText}' is not a date YYYY-MM-DD");
        }

        var country = Scalar("victim_country")?.ToUpperInvariant();
        if (country is not null && !Iso3166.IsAssigned(country))
        {
            throw new RejectedException(At("victim_country"),
                $"victim_country '{Scalar("victim_country")}' is not an ISO 3166-1 alpha-2 country code (leave the field out when unknown)");
        }

        var victimType = Scalar("victim_type");
        if (victimType is not null && !VictimTypes.Contains(victimType))
        {
            report.Warn($"{At("victim_type")}: unknown victim_type '{victimType}' (incident kept; known: {string.Join(", ", VictimTypes)})");
        }

        var confidence = Scalar("confidence");
        var level = Taxonomy.Level(confidence);
        if (confidence is not null && level is null)
        {
            report.Warn($"{At("confidence")}: unknown confidence '{confidence}' (incident kept, no level)");
        }

        var locations = new List<(ChainName, TheftTransaction, string)>();
        var chains = ReadChains(f, display, where, report, locations);
        if (chains.Sum(c => c.Transactions.Count + c.Addresses.Count) == 0)
        {
            throw new RejectedException(f.TryGetValue("chains", out var cn) ? cn.Where(display) : where,
                "names no theft transaction and no theft address ('chains' with 'transactions' and/or 'addresses')");
        }

        var usdSource = Scalar("usd_source");
        var losses = ReadLosses(f, display, usdSource, chains);
        var lossUsd = Usd(Scalar("loss_usd"), At("loss_usd"), "loss_usd");
        var lossUsdSource = Scalar("loss_usd_source") ?? usdSource;
        if (lossUsd is not null && lossUsdSource is null)
        {
            throw new RejectedException(At("loss_usd"), "loss_usd needs its source ('loss_usd_source' or 'usd_source')");
        }

        var references = new List<string>();
        foreach (var (text, node) in List(f, "references"))
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                references.Add(text);
            }
            else
            {
                report.Warn($"{node.Where(display)}: reference '{text}' is not an http(s) URL (dropped)");
            }
        }

        var incident = new Incident
        {
            Id = id,
            Title = title,
            Date = date,
            Description = Scalar("description"),
            Victim = Scalar("victim"),
            VictimName = Scalar("victim_name"),
            VictimCountry = country,
            VictimType = victimType,
            Chains = chains,
            Losses = losses,
            LossUsd = lossUsd,
            LossUsdSource = lossUsd is null ? null : lossUsdSource,
            AttributedActor = Scalar("attributed_actor"),
            AttributionSource = Scalar("attribution_source"),
            Confidence = confidence,
            ConfidenceLevel = level,
            References = references,
            PackFile = display,
            PackTitle = packTitle,
            PackLine = (int)entry.Start.Line,
        };
        return new ReadIncident(incident, locations);
    }

    private static List<(string Text, YNode Node)> List(Dictionary<string, YNode> f, string key) => f.TryGetValue(key, out var n)
        ? n switch
        {
            YSequence s => s.Items.Select(i => (YamlTree.AsText(i)?.Trim(), i)).Where(t => t.Item1 is { Length: > 0 }).Select(t => (t.Item1!, t.i)).ToList(),
            YScalar { Text: { } t } when t.Trim().Length > 0 => [(t.Trim(), n)],
            _ => [],
        }
        : [];

    private static decimal? Usd(string? text, string where, string field)
    {
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd))
        {
            throw new RejectedException(where, $"{field} '{text}' is not a non-negative decimal number (digits and a '.', no sign, exponent or separators)");
        }

        return usd;
    }

    // ---------------------------------------------------------------- chains

    /// <summary>The family and network a chain entry's ids are checked against; null network: not checked.</summary>
    public static (ChainFamily Family, string? Network) Resolve(string chain, string? network)
    {
        var name = (network ?? chain).Trim().ToLowerInvariant();
        if (name == "evm" || EvmChains.Find(name) is not null)
        {
            return (ChainFamily.Evm, "evm");
        }

        try
        {
            return (ChainFamily.Utxo, Network.Parse(name).Name);
        }
        catch (UserErrorException)
        {
            return (ChainFamily.Unknown, null);
        }
    }

    private static List<IncidentChain> ReadChains(Dictionary<string, YNode> f, string display, string where, IncidentImportReport report,
        List<(ChainName, TheftTransaction, string)> locations)
    {
        var chains = new List<IncidentChain>();
        if (!f.TryGetValue("chains", out var node))
        {
            return chains;
        }

        if (node is not YSequence seq)
        {
            throw new RejectedException(node.Where(display), "'chains' must be a list (each: chain, network, transactions, addresses)");
        }

        foreach (var item in seq.Items)
        {
            var at = item.Where(display);
            string? chainName;
            string? network = null;
            YNode? txs = null, addresses = null;
            if (item is YScalar s)
            {
                chainName = s.Text?.Trim();
            }
            else if (item is YMapping m)
            {
                chainName = YamlTree.AsText(m["chain"])?.Trim();
                network = YamlTree.AsText(m["network"])?.Trim();
                txs = m["transactions"];
                addresses = m["addresses"];
                foreach (var kv in m.Items.Where(kv => kv.Key is not ("chain" or "network" or "transactions" or "addresses")))
                {
                    report.Warn($"{kv.Value.Where(display)}: unknown chain field '{kv.Key}' (ignored)");
                }
            }
            else
            {
                throw new RejectedException(at, "a 'chains' entry must be a mapping (chain, network, transactions, addresses)");
            }

            if (chainName is null or "")
            {
                throw new RejectedException(at, "a 'chains' entry has no 'chain'");
            }

            if (chains.Any(c => c.Chain.Value == chainName))
            {
                throw new RejectedException(at, $"chain '{chainName}' is listed twice");
            }

            var (family, checkedOn) = Resolve(chainName, network);
            if (family == ChainFamily.Unknown)
            {
                if (network is not null)
                {
                    throw new RejectedException(at, $"chain '{chainName}': network '{network}' is not known " +
                        $"(one of {string.Join(", ", Network.All.Select(n => n.Name))}, an EVM chain name or 'evm')");
                }

                report.Warn($"{at}: chain '{chainName}' is neither a Bitcoin-family network nor a known EVM chain: its transaction ids and addresses " +
                    "are kept as given, not checked (add 'network:')");
            }

            var chain = new ChainName(chainName);
            var theftTxs = new List<TheftTransaction>();
            foreach (var tx in Items(txs, "transactions", display))
            {
                var theft = Transaction(tx, chainName, family, display);
                if (theftTxs.Contains(theft))
                {
                    report.Warn($"{tx.Where(display)}: transaction {theft.TxId} is listed twice on chain '{chainName}' (once kept)");
                    continue;
                }

                theftTxs.Add(theft);
                locations.Add((chain, theft, tx.Where(display)));
            }

            var theftAddresses = new List<string>();
            foreach (var a in Items(addresses, "addresses", display))
            {
                var text = (a as YScalar)?.Text?.Trim() ?? throw new RejectedException(a.Where(display), "an address must be a single value");
                var canonical = Address(text, family, checkedOn, chainName, a.Where(display));
                if (!theftAddresses.Contains(canonical))
                {
                    theftAddresses.Add(canonical);
                }
            }

            chains.Add(new IncidentChain(chain, family, checkedOn, theftTxs, theftAddresses));
        }

        return chains;
    }

    private static IEnumerable<YNode> Items(YNode? node, string field, string display) => node switch
    {
        null => [],
        YSequence s => s.Items,
        YScalar { Text: null } => [],
        YScalar sc => [sc],
        _ => throw new RejectedException(node.Where(display), $"'{field}' must be a list"),
    };

    private static TheftTransaction Transaction(YNode node, string chain, ChainFamily family, string display)
    {
        var at = node.Where(display);
        string? text;
        int? output = null, log = null;
        if (node is YScalar s)
        {
            text = s.Text?.Trim();
        }
        else if (node is YMapping m)
        {
            text = YamlTree.AsText(m["txid"])?.Trim();
            output = Index(m["output"], "output", display);
            log = Index(m["log_index"], "log_index", display);
            if (m.Items.FirstOrDefault(kv => kv.Key is not ("txid" or "output" or "log_index")) is { Key: { } unknown } kv)
            {
                throw new RejectedException(kv.Value.Where(display), $"unknown transaction field '{unknown}' (txid, output, log_index)");
            }
        }
        else
        {
            throw new RejectedException(at, "a transaction must be a txid or a mapping (txid, output, log_index)");
        }

        if (text is null or "")
        {
            throw new RejectedException(at, "a transaction has no 'txid'");
        }

        switch (family)
        {
            case ChainFamily.Utxo:
                if (log is not null)
                {
                    throw new RejectedException(at, $"chain '{chain}' is Bitcoin-family: 'log_index' is for EVM chains (use 'output')");
                }

                if (!Hash256.TryParse(text, out _))
                {
                    throw new RejectedException(at, $"'{text}' is not a valid transaction id for Bitcoin-family chain '{chain}' (64 hex digits)");
                }

                return new TheftTransaction(text.ToLowerInvariant(), output, null);
            case ChainFamily.Evm:
                if (output is not null)
                {
                    throw new RejectedException(at, $"chain '{chain}' is an EVM chain: 'output' is for Bitcoin-family chains (use 'log_index')");
                }

                if (!EvmHash.TryParse(text, out var hash))
                {
                    throw new RejectedException(at, $"'{text}' is not a valid transaction hash for EVM chain '{chain}' (0x + 64 hex digits)");
                }

                return new TheftTransaction(hash.ToString(), null, log);
            default:
                return new TheftTransaction(text, output, log);
        }
    }

    private static int? Index(YNode? node, string field, string display)
    {
        if (node is null || YamlTree.AsText(node) is not { } text)
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? i
            : throw new RejectedException(node.Where(display), $"'{field}' '{text}' is not a non-negative integer");
    }

    private static string Address(string text, ChainFamily family, string? network, string chain, string at)
    {
        if (family == ChainFamily.Unknown)
        {
            return text;
        }

        var currency = family == ChainFamily.Evm ? "ETH" : network!.StartsWith("litecoin", StringComparison.Ordinal) ? "LTC" : "BTC";
        if (!AddressRules.TryCanonicalize(currency, text, out var canonical, out _, out var reason, family == ChainFamily.Utxo ? network : null))
        {
            throw new RejectedException(at, $"chain '{chain}': {reason}");
        }

        return canonical;
    }

    // ---------------------------------------------------------------- losses

    private static List<ReportedLoss> ReadLosses(Dictionary<string, YNode> f, string display, string? usdSource, List<IncidentChain> chains)
    {
        var losses = new List<ReportedLoss>();
        if (!f.TryGetValue("losses", out var node) || node is YScalar { Text: null })
        {
            return losses;
        }

        if (node is not YSequence seq)
        {
            throw new RejectedException(node.Where(display), "'losses' must be a list (each: asset, amount, decimals, chain, token, usd, usd_source)");
        }

        foreach (var item in seq.Items)
        {
            var at = item.Where(display);
            if (item is not YMapping m)
            {
                throw new RejectedException(at, "a loss must be a mapping (asset, amount, decimals, chain, token, usd, usd_source)");
            }

            string? Get(string key)
            {
                var n = m[key];
                if (n is not null and not YScalar)
                {
                    throw new RejectedException(n.Where(display), $"loss field '{key}' must be a single value");
                }

                return YamlTree.AsText(n)?.Trim() is { Length: > 0 } t ? t : null;
            }

            string Where(string key) => m[key]?.Where(display) ?? at;
            foreach (var kv in m.Items.Where(kv => kv.Key is not ("asset" or "amount" or "decimals" or "chain" or "token" or "usd" or "usd_source")))
            {
                throw new RejectedException(kv.Value.Where(display), $"unknown loss field '{kv.Key}' (asset, amount, decimals, chain, token, usd, usd_source)");
            }

            var asset = Get("asset") ?? throw new RejectedException(at, "a loss has no 'asset'");
            var amountText = Get("amount") ?? throw new RejectedException(at, $"loss of {asset} has no 'amount' (an integer in base units)");
            if (!UInt256.TryParse(amountText, out var amount))
            {
                throw new RejectedException(Where("amount"),
                    $"loss of {asset}: amount '{amountText}' is not an integer in base units (satoshi, wei, token units; digits only, below 2^256)");
            }

            var decimalsText = Get("decimals") ?? throw new RejectedException(at, $"loss of {asset} has no 'decimals'");
            if (!int.TryParse(decimalsText, NumberStyles.None, CultureInfo.InvariantCulture, out var decimals) || decimals > 77)
            {
                throw new RejectedException(Where("decimals"), $"loss of {asset}: decimals '{decimalsText}' is not an integer 0..77");
            }

            var chainText = Get("chain");
            var token = Get("token");
            if (token is not null && chainText is not null && chains.FirstOrDefault(c => c.Chain.Value == chainText) is { Family: ChainFamily.Evm }
                || token is not null && token.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                token = EvmAddress.TryParse(token, out var contract)
                    ? contract.ToString().ToLowerInvariant()
                    : throw new RejectedException(Where("token"), $"loss of {asset}: token '{token}' is not an EVM contract address (0x + 40 hex digits, EIP-55 if mixed case)");
            }

            var usd = Usd(Get("usd"), Where("usd"), $"loss of {asset}: usd");
            var source = Get("usd_source") ?? usdSource;
            if (usd is not null && source is null)
            {
                throw new RejectedException(Where("usd"), $"loss of {asset}: 'usd' needs its source ('usd_source' in the loss, the incident or the header)");
            }

            losses.Add(new ReportedLoss(asset, chainText is null ? null : new ChainName(chainText), token, amount, decimals, usd, usd is null ? null : source));
        }

        return losses;
    }
}
