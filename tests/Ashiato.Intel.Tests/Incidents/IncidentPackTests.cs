using System.Text.RegularExpressions;
using Ashiato.Core;
using Ashiato.Intel.Incidents;

namespace Ashiato.Intel.Tests.Incidents;

/// <summary>IncidentPack reading, checks and storage (docs/formats/incidentpacks.md).</summary>
public sealed class IncidentPackTests : IDisposable
{
    private const string BtcTx = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";
    private const string EvmTx = "0xc28fad5e8d5e0ce6a2eaf67b6687be5d58113e16be590824d6cfa1a94467d0b7";

    private readonly IncidentWorkspace _w = new();

    public void Dispose() => _w.Dispose();

    /// <summary>One incident on Bitcoin mainnet with the given extra lines (indented as incident fields).</summary>
    private static string One(string id, string extra = "", string chains = $"  chains:\n  - chain: bitcoin\n    transactions:\n    - {BtcTx}\n") =>
        $"- id: {id}\n  title: Theft {id}\n  date: 2021-05-06\n{chains}{extra}";

    private static string Pack(params string[] incidents) => "title: Test pack\nincidents:\n" + string.Concat(incidents);

    private static string DocsExample()
    {
        var md = File.ReadAllText(Path.Combine(IncidentWorkspace.RepoRoot(), "docs", "formats", "incidentpacks.md"));
        var m = Regex.Match(md, "## Example\\s+```yaml\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(m.Success, "the docs have an ## Example with a yaml block");
        return m.Groups[1].Value;
    }

    [Fact]
    public void Full_example_of_the_docs_imports_every_field()
    {
        var report = _w.Import(_w.Pack("example.yaml", DocsExample()));
        Assert.Equal((2, 2, 0), (report.Read, report.Imported, report.Rejected));
        Assert.Empty(report.Warnings);
        Assert.Equal((3, 0, 0), (report.TransactionsNotChecked, report.TransactionsFound, report.TransactionsMissing)); // neither bitcoin nor ethereum is in this store

        var bridge = _w.Incidents.Get("example-2022-bridge")!;
        Assert.Equal("Example bridge validator-key theft", bridge.Title);
        Assert.Equal(new DateOnly(2022, 3, 23), bridge.Date);
        Assert.Equal("Validator keys were compromised and two withdrawals drained the bridge.", bridge.Description);
        Assert.Equal(("example-bridge", "Example Bridge", "VN", "bridge"), (bridge.Victim, bridge.VictimName, bridge.VictimCountry, bridge.VictimType));
        var chain = Assert.Single(bridge.Chains);
        Assert.Equal(("ethereum", ChainFamily.Evm, "evm"), (chain.Chain.Value, chain.Family, chain.Network));
        Assert.Equal([new TheftTransaction(EvmTx), new TheftTransaction("0xed2c72ef1a552ddaec6dd1f5cddf0b59a8f37f82bdda5257d9c7c37db7bb9b08", null, 12)], chain.Transactions);
        Assert.Equal(["0x098b716b8aaf21512996dc57eb0615e2383e2f96"], chain.Addresses);
        Assert.Equal(2, bridge.Losses.Count);
        var eth = bridge.Losses[0];
        Assert.Equal(("ETH", "ethereum", (string?)null, 18), (eth.Asset, eth.Chain?.Value, eth.Token, eth.Decimals));
        Assert.Equal(UInt256.Parse("173600000000000000000000"), eth.Amount); // above 2^64: kept exact
        Assert.Equal((545_900_000.00m, "reported by the victim"), (eth.Usd!.Value, eth.UsdSource)); // usd_source inherited from the header
        var usdc = bridge.Losses[1];
        Assert.Equal(("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 25_500_000.00m, "USDC at face value"), (usdc.Token, usdc.Usd!.Value, usdc.UsdSource));
        Assert.Equal((611_400_000.00m, "https://example.org/post-mortem"), (bridge.LossUsd!.Value, bridge.LossUsdSource));
        Assert.Equal(("lazarusgroup", "https://home.treasury.gov/news/press-releases/jy0731", "authority_data", 90),
            (bridge.AttributedActor, bridge.AttributionSource, bridge.Confidence, bridge.ConfidenceLevel!.Value));
        Assert.Equal(["https://example.org/post-mortem", "https://example.org/press/attribution"], bridge.References);
        Assert.Equal("Example incidents", bridge.PackTitle);
        Assert.Equal(10, bridge.PackLine); // the line of "- id: example-2022-bridge"

        var exchange = _w.Incidents.Get("example-2020-exchange")!;
        Assert.Equal(("forensic", 50), (exchange.Confidence, exchange.ConfidenceLevel!.Value)); // the incident overrides the header
        var btc = Assert.Single(exchange.Chains);
        Assert.Equal((ChainFamily.Utxo, "bitcoin"), (btc.Family, btc.Network));
        Assert.Equal([new TheftTransaction(BtcTx, 0)], btc.Transactions);
        Assert.Equal(["1Archive1n2C579dMsAu3iC6tWzuQJz8dN", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"], btc.Addresses);
        var loss = Assert.Single(exchange.Losses);
        Assert.Equal((UInt256.Parse("5000000000"), 8, (decimal?)null, (string?)null), (loss.Amount, loss.Decimals, loss.Usd, loss.UsdSource));
        Assert.Null(exchange.LossUsd);

        Assert.Equal(["example-2020-exchange", "example-2022-bridge"], _w.Incidents.List().Select(i => i.Id)); // by date
    }

    [Fact]
    public void Header_fields_are_inherited_unless_the_incident_sets_them()
    {
        var yaml = "title: Inheriting\nvictim_country: kr\nvictim_type: centralised_exchange\nattributed_actor: lazarusgroup\nconfidence: web_crawl\n" +
            "references:\n- https://example.org/header\nincidents:\n" +
            One("a") +
            One("b", "  victim_country: JP\n  attributed_actor: other\n  references:\n  - https://example.org/own\n");
        var report = _w.Import(_w.Pack("inherit.yaml", yaml));
        Assert.Equal((2, 0), (report.Imported, report.Rejected));
        var a = _w.Incidents.Get("a")!;
        Assert.Equal(("KR", "centralised_exchange", "lazarusgroup", "web_crawl", 20), (a.VictimCountry, a.VictimType, a.AttributedActor, a.Confidence, a.ConfidenceLevel!.Value));
        Assert.Equal(["https://example.org/header"], a.References);
        var b = _w.Incidents.Get("b")!;
        Assert.Equal(("JP", "centralised_exchange", "other", "web_crawl"), (b.VictimCountry, b.VictimType, b.AttributedActor, b.Confidence));
        Assert.Equal(["https://example.org/own"], b.References); // a list set in the incident replaces the header's, not merged
    }

    [Fact]
    public void Malformed_yaml_is_a_located_error_and_what_was_imported_before_stays()
    {
        var good = _w.Pack("a-good.yaml", Pack(One("kept")));
        var bad = _w.Pack("b-bad.yaml", "title: Broken\nincidents:\n- id: x\n  title: 'unclosed\n  date: 2021-01-01\n");
        var e = Assert.Throws<UserErrorException>(() => _w.Import(good, bad));
        Assert.Matches(@"b-bad\.yaml:\d+:\d+: malformed YAML", e.Message);
        Assert.NotNull(_w.Incidents.Get("kept"));
        Assert.Equal(1, _w.Incidents.Count());

        var flow = _w.Pack("c-flow.yaml", "title: Flow\nincidents: [ {id: y\n");
        var e2 = Assert.Throws<UserErrorException>(() => _w.Import(flow));
        Assert.Matches(@"c-flow\.yaml:\d+:\d+: malformed YAML", e2.Message);

        var notPack = _w.Pack("d-list.yaml", "- just\n- a list\n");
        Assert.Contains("d-list.yaml:1:1: expected an IncidentPack", Assert.Throws<UserErrorException>(() => _w.Import(notPack)).Message, StringComparison.Ordinal);

        var noTitle = _w.Pack("e-notitle.yaml", "incidents:\n" + One("z"));
        Assert.Contains("e-notitle.yaml:1:1: IncidentPack has no 'title'", Assert.Throws<UserErrorException>(() => _w.Import(noTitle)).Message, StringComparison.Ordinal);
        Assert.Equal(1, _w.Incidents.Count());
    }

    [Fact]
    public void Unknown_victim_type_confidence_and_field_are_warnings_and_the_incident_is_kept()
    {
        var report = _w.Import(_w.Pack("warn.yaml", Pack(One("w", "  victim_type: mining_pool\n  confidence: rumour\n  victm: typo\n  references:\n  - not a url\n"))));
        Assert.Equal((1, 0), (report.Imported, report.Rejected));
        Assert.Contains(report.Warnings, m => m.Contains("warn.yaml:10:16: unknown victim_type 'mining_pool' (incident kept", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, m => m.Contains("warn.yaml:11:15: unknown confidence 'rumour' (incident kept, no level)", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, m => m.Contains("warn.yaml:12:10: unknown incident field 'victm' (ignored)", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, m => m.Contains("warn.yaml:14:5: reference 'not a url' is not an http(s) URL (dropped)", StringComparison.Ordinal));
        var w = _w.Incidents.Get("w")!;
        Assert.Equal(("mining_pool", "rumour", (int?)null), (w.VictimType, w.Confidence, w.ConfidenceLevel));
        Assert.Empty(w.References);
    }

    [Fact]
    public void Bad_country_code_rejects_that_incident_with_its_location()
    {
        var report = _w.Import(_w.Pack("country.yaml", Pack(One("uk", "  victim_country: UK\n"), One("zz", "  victim_country: ZZ\n"), One("gb", "  victim_country: gb\n"))));
        Assert.Equal((1, 2), (report.Imported, report.Rejected));
        Assert.Contains("country.yaml:10:19: incident 'uk': victim_country 'UK' is not an ISO 3166-1 alpha-2 country code", report.Rejections[0], StringComparison.Ordinal);
        Assert.EndsWith("; incident rejected", report.Rejections[0], StringComparison.Ordinal);
        Assert.Contains("incident 'zz': victim_country 'ZZ'", report.Rejections[1], StringComparison.Ordinal);
        Assert.Equal("GB", _w.Incidents.Get("gb")!.VictimCountry);
        Assert.Null(_w.Incidents.Get("uk"));
    }

    [Theory]
    [InlineData("bitcoin", "0x" + BtcTx, "is not a valid transaction id for Bitcoin-family chain 'bitcoin' (64 hex digits)")]
    [InlineData("bitcoin", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33", "is not a valid transaction id for Bitcoin-family chain")]
    [InlineData("litecoin", "zz5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "is not a valid transaction id for Bitcoin-family chain 'litecoin'")]
    [InlineData("ethereum", BtcTx, "is not a valid transaction hash for EVM chain 'ethereum' (0x + 64 hex digits)")]
    [InlineData("ethereum", "0xc28fad5e8d5e0ce6a2eaf67b6687be5d58113e16be590824d6cfa1a94467d0", "is not a valid transaction hash for EVM chain")]
    public void Bad_txid_for_the_chain_family_rejects_the_incident(string chain, string txid, string reason)
    {
        var chains = $"  chains:\n  - chain: {chain}\n    transactions:\n    - '{txid}'\n";
        var report = _w.Import(_w.Pack("tx.yaml", Pack(One("bad", chains: chains), One("good"))));
        Assert.Equal((1, 1), (report.Imported, report.Rejected));
        Assert.Contains($"tx.yaml:9:7: incident 'bad': '{txid}' {reason}", report.Rejections[0], StringComparison.Ordinal);
        Assert.NotNull(_w.Incidents.Get("good"));
    }

    [Theory]
    [InlineData("bitcoin", "1Archive1n2C579dMsAu3iC6tWzuQJz8dM", "is not a valid bitcoin mainnet address")]
    [InlineData("ethereum", "0x098b716b8aaf21512996dc57eb0615e2383e2f9", "is not a valid ETH address")]
    [InlineData("sim-bitcoin\n    network: bitcoin-regtest", "1Archive1n2C579dMsAu3iC6tWzuQJz8dN", "is not a valid bitcoin-regtest address")]
    public void Bad_address_for_the_chain_rejects_the_incident(string chain, string address, string reason)
    {
        var chains = $"  chains:\n  - chain: {chain}\n    addresses:\n    - '{address}'\n";
        var report = _w.Import(_w.Pack("addr.yaml", Pack(One("bad", chains: chains))));
        Assert.Equal((0, 1), (report.Imported, report.Rejected));
        Assert.Contains(reason, report.Rejections[0], StringComparison.Ordinal);
        Assert.Matches(@"addr\.yaml:\d+:7: incident 'bad': chain '[a-z-]+': ", report.Rejections[0]);
    }

    [Fact]
    public void Index_of_the_other_family_unknown_network_and_a_chain_listed_twice_reject_the_incident()
    {
        var report = _w.Import(_w.Pack("idx.yaml", Pack(
            One("log-on-btc", chains: $"  chains:\n  - chain: bitcoin\n    transactions:\n    - txid: {BtcTx}\n      log_index: 3\n"),
            One("output-on-evm", chains: $"  chains:\n  - chain: ethereum\n    transactions:\n    - txid: {EvmTx}\n      output: 1\n"),
            One("bad-network", chains: $"  chains:\n  - chain: mychain\n    network: dogecoin\n    transactions:\n    - {BtcTx}\n"),
            One("twice", chains: $"  chains:\n  - chain: bitcoin\n    transactions:\n    - {BtcTx}\n  - chain: bitcoin\n"),
            One("negative", chains: $"  chains:\n  - chain: bitcoin\n    transactions:\n    - txid: {BtcTx}\n      output: -1\n"))));
        Assert.Equal((0, 5), (report.Imported, report.Rejected));
        Assert.Contains("incident 'log-on-btc': chain 'bitcoin' is Bitcoin-family: 'log_index' is for EVM chains", report.Rejections[0], StringComparison.Ordinal);
        Assert.Contains("incident 'output-on-evm': chain 'ethereum' is an EVM chain: 'output' is for Bitcoin-family chains", report.Rejections[1], StringComparison.Ordinal);
        Assert.Contains("incident 'bad-network': chain 'mychain': network 'dogecoin' is not known", report.Rejections[2], StringComparison.Ordinal);
        Assert.Contains("incident 'twice': chain 'bitcoin' is listed twice", report.Rejections[3], StringComparison.Ordinal);
        Assert.Contains("incident 'negative': 'output' '-1' is not a non-negative integer", report.Rejections[4], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_field_rejects_that_incident_with_the_reason_and_the_others_are_imported()
    {
        var yaml = Pack(
            One("first"),
            $"- title: No id\n  date: 2021-01-01\n  chains:\n  - chain: bitcoin\n    transactions: [{BtcTx}]\n",
            $"- id: no-date\n  title: No date\n  chains:\n  - chain: bitcoin\n    transactions: [{BtcTx}]\n",
            "- id: no-chains\n  title: Nothing on chain\n  date: 2021-01-01\n",
            One("bad-date", "  date: 2021-13-01\n"),
            One("last"));
        var report = _w.Import(_w.Pack("req.yaml", yaml));
        Assert.Equal((6, 2, 4), (report.Read, report.Imported, report.Rejected));
        Assert.Equal("req.yaml:10:3: incident without id: required field 'id' is missing (neither in the incident nor in the header); incident rejected",
            Path.GetFileName(report.Rejections[0]));
        Assert.Contains("incident 'no-date': required field 'date' is missing", report.Rejections[1], StringComparison.Ordinal);
        Assert.Contains("incident 'no-chains': names no theft transaction and no theft address", report.Rejections[2], StringComparison.Ordinal);
        Assert.Contains("incident 'bad-date': date '2021-13-01' is not a date YYYY-MM-DD", report.Rejections[3], StringComparison.Ordinal);
        Assert.Equal(["first", "last"], _w.Incidents.List().Select(i => i.Id));
    }

    [Fact]
    public void Duplicate_ids_in_a_file_keep_the_first_and_reject_the_later_one()
    {
        var report = _w.Import(_w.Pack("dup.yaml", Pack(One("same", "  victim_name: First\n"), One("same", "  victim_name: Second\n"))));
        Assert.Equal((1, 1), (report.Imported, report.Rejected));
        Assert.Contains("dup.yaml:", report.Rejections[0], StringComparison.Ordinal);
        Assert.Contains("duplicate incident id 'same' (first at ", report.Rejections[0], StringComparison.Ordinal);
        Assert.Contains("dup.yaml:3:3)", report.Rejections[0], StringComparison.Ordinal);
        Assert.Equal("First", _w.Incidents.Get("same")!.VictimName);
    }

    [Fact]
    public void Losses_need_integer_base_units_decimals_and_a_source_for_usd()
    {
        static string Loss(string body) => "  losses:\n  - asset: ETH\n" + body;
        var report = _w.Import(_w.Pack("loss.yaml", Pack(
            One("float", Loss("    amount: 1.5\n    decimals: 18\n")),
            One("negative", Loss("    amount: '-5'\n    decimals: 18\n")),
            One("too-big", Loss($"    amount: '{new string('9', 80)}'\n    decimals: 18\n")),
            One("no-decimals", Loss("    amount: '5'\n")),
            One("usd-no-source", Loss("    amount: '5'\n    decimals: 18\n    usd: '12.50'\n")),
            One("usd-comma", Loss("    amount: '5'\n    decimals: 18\n    usd: '1,250.00'\n    usd_source: x\n")),
            One("bad-token", Loss("    amount: '5'\n    decimals: 6\n    token: '0x12'\n")),
            One("max", Loss("    amount: '115792089237316195423570985008687907853269984665640564039457584007913129639935'\n    decimals: 18\n    usd: '0.01'\n    usd_source: test\n")))));
        Assert.Equal((1, 7), (report.Imported, report.Rejected));
        Assert.Contains("incident 'float': loss of ETH: amount '1.5' is not an integer in base units", report.Rejections[0], StringComparison.Ordinal);
        Assert.Contains("incident 'negative': loss of ETH: amount '-5'", report.Rejections[1], StringComparison.Ordinal);
        Assert.Contains("incident 'too-big': loss of ETH: amount", report.Rejections[2], StringComparison.Ordinal);
        Assert.Contains("incident 'no-decimals': loss of ETH has no 'decimals'", report.Rejections[3], StringComparison.Ordinal);
        Assert.Contains("incident 'usd-no-source': loss of ETH: 'usd' needs its source", report.Rejections[4], StringComparison.Ordinal);
        Assert.Contains("incident 'usd-comma': loss of ETH: usd '1,250.00' is not a non-negative decimal", report.Rejections[5], StringComparison.Ordinal);
        Assert.Contains("incident 'bad-token': loss of ETH: token '0x12' is not an EVM contract address", report.Rejections[6], StringComparison.Ordinal);
        var max = Assert.Single(_w.Incidents.Get("max")!.Losses);
        Assert.Equal("115792089237316195423570985008687907853269984665640564039457584007913129639935", max.Amount.ToString());
        Assert.Equal((0.01m, "test"), (max.Usd!.Value, max.UsdSource));
    }

    [Fact]
    public void Reimport_of_an_id_replaces_the_incident_with_all_its_rows()
    {
        var v1 = Pack(One("r", "  victim_name: Old\n  losses:\n  - {asset: BTC, amount: '1', decimals: 8}\n  - {asset: BTC, amount: '2', decimals: 8}\n  references: [https://example.org/1, https://example.org/2]\n",
            $"  chains:\n  - chain: bitcoin\n    transactions:\n    - {BtcTx}\n    - txid: {BtcTx}\n      output: 3\n  - chain: ethereum\n    transactions: [{EvmTx}]\n"), One("other"));
        Assert.Equal(0, _w.Import(_w.Pack("v1.yaml", v1)).Replaced);
        Assert.Equal(3, _w.Incidents.Get("r")!.Chains.Sum(c => c.Transactions.Count));

        var v2 = Pack(One("r", "  victim_name: New\n  losses:\n  - {asset: BTC, amount: '7', decimals: 8}\n"));
        var report = _w.Import(_w.Pack("v2.yaml", v2));
        Assert.Equal((1, 1), (report.Imported, report.Replaced));
        var r = _w.Incidents.Get("r")!;
        Assert.Equal("New", r.VictimName);
        Assert.Equal([new TheftTransaction(BtcTx)], Assert.Single(r.Chains).Transactions);
        Assert.Equal("7", Assert.Single(r.Losses).Amount.ToString());
        Assert.Empty(r.References);
        Assert.EndsWith("v2.yaml", r.PackFile, StringComparison.Ordinal);
        Assert.Equal(2, _w.Incidents.Count());

        // the same file again: nothing changes
        var again = _w.Import(_w.Pack("v2.yaml", v2));
        Assert.Equal((1, 1), (again.Imported, again.Replaced));
        Assert.Equal(r, _w.Incidents.Get("r")! with { }, new IncidentComparer());
    }

    /// <summary>Records with list members compare by reference; this compares the lists' contents.</summary>
    private sealed class IncidentComparer : IEqualityComparer<Incident>
    {
        public bool Equals(Incident? x, Incident? y) => x is not null && y is not null
            && x with { Chains = [], Losses = [], References = [] } == y with { Chains = [], Losses = [], References = [] }
            && x.Losses.SequenceEqual(y.Losses) && x.References.SequenceEqual(y.References)
            && x.Chains.Count == y.Chains.Count
            && x.Chains.Zip(y.Chains).All(p => p.First.Chain == p.Second.Chain && p.First.Transactions.SequenceEqual(p.Second.Transactions)
                && p.First.Addresses.SequenceEqual(p.Second.Addresses));

        public int GetHashCode(Incident obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }

    [Fact]
    public void List_filters_by_actor_country_and_year()
    {
        _w.Import(_w.Pack("list.yaml", Pack(
            One("a", "  date: 2018-01-02\n  victim_country: JP\n  attributed_actor: lazarusgroup\n"),
            One("b", "  date: 2018-07-01\n  victim_country: KR\n  attributed_actor: lazarusgroup\n"),
            One("c", "  date: 2019-03-01\n  victim_country: JP\n  attributed_actor: other\n"),
            One("d", "  date: 2017-03-01\n"))));
        Assert.Equal(["d", "a", "b", "c"], _w.Incidents.List().Select(i => i.Id));
        Assert.Equal(["a", "b"], _w.Incidents.List(new IncidentQuery(Actor: "lazarusgroup")).Select(i => i.Id));
        Assert.Equal(["a", "c"], _w.Incidents.List(new IncidentQuery(Country: "jp")).Select(i => i.Id));
        Assert.Equal(["a", "b"], _w.Incidents.List(new IncidentQuery(Year: 2018)).Select(i => i.Id));
        Assert.Equal(["a"], _w.Incidents.List(new IncidentQuery("lazarusgroup", "JP", 2018)).Select(i => i.Id));
        Assert.Empty(_w.Incidents.List(new IncidentQuery(Year: 2030)));
        Assert.Equal(["a", "b", "c", "d"], _w.Incidents.IncidentsOfTransaction(BtcTx.ToUpperInvariant()));
    }

    [Fact]
    public void A_chain_of_unknown_family_is_kept_unchecked_with_a_warning()
    {
        var report = _w.Import(_w.Pack("tron.yaml", Pack(One("t", chains: "  chains:\n  - chain: tron\n    transactions:\n    - abc123\n    addresses:\n    - TXYZ\n"))));
        Assert.Equal((1, 0), (report.Imported, report.Rejected));
        Assert.Contains(report.Warnings, m => m.Contains("chain 'tron' is neither a Bitcoin-family network nor a known EVM chain", StringComparison.Ordinal));
        var c = Assert.Single(_w.Incidents.Get("t")!.Chains);
        Assert.Equal((ChainFamily.Unknown, (string?)null, "abc123", "TXYZ"), (c.Family, c.Network, c.Transactions[0].TxId, c.Addresses[0]));
    }

    [Fact]
    public void Txids_and_addresses_are_stored_in_canonical_form_and_repeats_are_warned_about()
    {
        var chains = $"  chains:\n  - chain: ethereum\n    transactions:\n    - '{EvmTx.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}'\n    - '{EvmTx}'\n" +
            $"    addresses: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96']\n  - chain: btc\n    transactions: ['{BtcTx.ToUpperInvariant()}']\n";
        var report = _w.Import(_w.Pack("canon.yaml", Pack(One("c", chains: chains))));
        Assert.Equal((1, 0), (report.Imported, report.Rejected));
        Assert.Contains(report.Warnings, m => m.Contains($"transaction {EvmTx} is listed twice on chain 'ethereum' (once kept)", StringComparison.Ordinal));
        var i = _w.Incidents.Get("c")!;
        Assert.Equal([new TheftTransaction(EvmTx)], i.Chains[0].Transactions);
        Assert.Equal(["0x098b716b8aaf21512996dc57eb0615e2383e2f96"], i.Chains[0].Addresses);
        Assert.Equal((ChainFamily.Utxo, "bitcoin", BtcTx), (i.Chains[1].Family, i.Chains[1].Network, i.Chains[1].Transactions[0].TxId));
    }
}
