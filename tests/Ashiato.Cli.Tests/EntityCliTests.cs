using System.Text.Json;
using Ashiato.Analysis.Clustering;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Cli.Tests.EndToEnd;

namespace Ashiato.Cli.Tests;

/// <summary>
/// The small simulated world (seed 1, as <c>ashiato demo</c>) through the CLI: simulate, ingest, import its TagPacks, cluster.
/// Built once per class; <see cref="CompleteDemoPipeline"/> adds the demo's remaining steps.
/// </summary>
public sealed class SmallWorldStore : IDisposable
{
    public SmallWorldStore()
    {
        Cli = new CliRunner();
        World = Path.Combine(Cli.WorkDir, "world");
        Run("simulate", "--seed", "1", "--scale", "small", "--out", World);
        Run("ingest", "bitcoin", "--blocks", Path.Combine(World, "bitcoin", "blocks"), "--network", "bitcoin-regtest", "--chain", "sim-bitcoin");
        Run("tags", "import", Path.Combine(World, "tags"));
        ClusterJson = JsonDocument.Parse(Run("cluster", "--chain", "sim-bitcoin", "--json")).RootElement.Clone();
    }

    internal CliRunner Cli { get; }

    public string World { get; }

    public JsonElement ClusterJson { get; }

    private readonly Lock _gate = new();
    private bool _complete;

    /// <summary>
    /// The rest of what <c>ashiato demo</c> does before its reports, once (for the report tests): the world's IncidentPack
    /// and prices (source <c>sim-world</c>), its EVM chain ingested from the simulated node, and the EVM deposit-address
    /// clustering. Classes that do not call it keep the Bitcoin-only store.
    /// </summary>
    public void CompleteDemoPipeline()
    {
        lock (_gate)
        {
            if (_complete)
            {
                return;
            }

            Run("incidents", "import", Path.Combine(World, "incidents"));
            Run("prices", "import", Path.Combine(World, "prices"), "--source", "sim-world");
            var node = Simulation.Evm.SimulatedEvmNode.Load(World);
            try
            {
                node.Start(0);
                Run("ingest", "evm", "--rpc", node.Url!.ToString(), "--chain", "sim-evm", "--chain-id", node.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            finally
            {
                node.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            Run("cluster", "--chain", "sim-evm");
            _complete = true;
        }
    }

    private string Run(params string[] args)
    {
        var (code, output, err) = Cli.RunAsync(args).GetAwaiter().GetResult();
        return code == 0 ? output : throw new InvalidOperationException($"{string.Join(' ', args)}: exit {code}: {err}");
    }

    public void Dispose() => Cli.Dispose();
}

public sealed class EntityCliTests(SmallWorldStore world) : IClassFixture<SmallWorldStore>
{
    private Task<(int Code, string Out, string Err)> Run(params string[] args) => world.Cli.RunAsync(args);

    /// <summary>(address, actor) of every exchange hot-wallet tag of the world's TagPack.</summary>
    private List<(string Address, string Actor)> HotWalletTags()
    {
        var list = new List<(string, string)>();
        string? address = null;
        foreach (var line in File.ReadLines(Path.Combine(world.World, "tags", "exchanges.yaml")))
        {
            if (line.StartsWith("- address: ", StringComparison.Ordinal))
            {
                address = line["- address: ".Length..].Trim();
            }
            else if (line.StartsWith("  actor: ", StringComparison.Ordinal) && address is not null)
            {
                list.Add((address, line["  actor: ".Length..].Trim()));
                address = null;
            }
        }

        return list;
    }

    [Fact]
    public async Task Exchange_hot_wallet_clusters_are_labelled_with_their_exchange_and_every_member_belongs_to_it()
    {
        var truth = File.ReadLines(Path.Combine(world.World, "truth", "addresses.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var truthActor = JsonDocument.Parse(File.ReadAllText(Path.Combine(world.World, "truth", "ground-truth.json"))).RootElement.GetProperty("entities")
            .EnumerateArray().Where(e => e.TryGetProperty("actor", out var a) && a.ValueKind == JsonValueKind.String)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("actor").GetString()!);
        var hot = HotWalletTags();
        Assert.True(hot.Count >= 10, $"{hot.Count} hot-wallet tags");
        foreach (var (address, actor) in hot)
        {
            var (code, output, err) = await Run("cluster", "show", address, "--chain", "sim-bitcoin", "--limit", "0", "--json");
            Assert.True(code == 0, err);
            var shown = JsonDocument.Parse(output).RootElement;
            var label = shown.GetProperty("label");
            Assert.Equal("actor:" + actor, label.GetProperty("entity").GetString());
            Assert.Equal("exchange", label.GetProperty("category").GetString());
            Assert.Equal(0, label.GetProperty("conflicts").GetArrayLength());

            (code, output, err) = await Run("cluster", "show", address, "--chain", "sim-bitcoin", "--limit", "100000", "--json");
            Assert.True(code == 0, err);
            foreach (var member in JsonDocument.Parse(output).RootElement.GetProperty("members").EnumerateArray())
            {
                var owner = truth[member.GetString()!];
                Assert.Equal(actor, truthActor.GetValueOrDefault(owner));
            }
        }
    }

    [Fact]
    public async Task The_guard_has_nothing_to_refuse_on_the_small_world_the_unguarded_clusters_are_identical()
    {
        var meta = world.ClusterJson.GetProperty("meta");
        Assert.Equal(0, meta.GetProperty("refusals").GetInt64());
        Assert.True(meta.GetProperty("guarded_addresses").GetInt64() >= HotWalletTags().Count);
        Assert.Equal(0, world.ClusterJson.GetProperty("labels").GetProperty("conflicted_clusters").GetInt32());

        // proof that it need not fire: clustering without any tag gives the same clusters byte for byte
        var dir = Path.Combine(world.Cli.StoreDir, "chains", "sim-bitcoin", "derived");
        var guarded = File.ReadAllBytes(Path.Combine(dir, ClusterFiles.Ids));
        var guardedLog = File.ReadAllBytes(Path.Combine(dir, ClusterFiles.Log));
        using var c2 = new CliRunner();
        Assert.Equal(0, (await c2.RunAsync("ingest", "bitcoin", "--blocks", Path.Combine(world.World, "bitcoin", "blocks"), "--network", "bitcoin-regtest",
            "--chain", "sim-bitcoin")).Code);
        var (code, output, err) = await c2.RunAsync("cluster", "--chain", "sim-bitcoin", "--json"); // no tags imported there
        Assert.True(code == 0, err);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("meta").GetProperty("guarded_addresses").GetInt64());
        var dir2 = Path.Combine(c2.StoreDir, "chains", "sim-bitcoin", "derived");
        Assert.Equal(guarded, File.ReadAllBytes(Path.Combine(dir2, ClusterFiles.Ids)));
        Assert.Equal(guardedLog, File.ReadAllBytes(Path.Combine(dir2, ClusterFiles.Log)));
    }

    [Fact]
    public async Task Entity_list_filters_by_category_and_country_and_rejects_a_bad_country()
    {
        var (code, output, err) = await Run("entity", "list", "--json");
        Assert.True(code == 0, err);
        var all = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Contains(all, e => e.GetProperty("id").GetString() == "actor:kaiyo-exchange" && e.GetProperty("country").GetString() == "JP"
            && e.GetProperty("category").GetString() == "exchange" && e.GetProperty("name").GetString() == "Kaiyo Exchange");
        Assert.Contains(all, e => e.GetProperty("id").GetString() == "actor:lazarus" && e.GetProperty("category").GetString() == "perpetrator");
        // an actor without a jurisdiction has no country: never guessed
        Assert.Contains(all, e => e.GetProperty("id").GetString() == "actor:tumbleweed-mixer" && e.GetProperty("country").ValueKind == JsonValueKind.Null);

        (code, output, err) = await Run("entity", "list", "--category", "exchange", "--country", "jp", "--json");
        Assert.True(code == 0, err);
        var jp = JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        var expected = all.Where(e => e.GetProperty("country").GetString() == "JP" && e.GetProperty("category").GetString() == "exchange")
            .Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(expected, jp);
        Assert.Contains("actor:kaiyo-exchange", jp);
        Assert.DoesNotContain("actor:hanbit-exchange", jp);

        (code, _, err) = await Run("entity", "list", "--country", "Japan");
        Assert.Equal(1, code);
        Assert.Contains("--country Japan: expected an ISO 3166-1 alpha-2 code", err);
    }

    [Fact]
    public async Task Entity_show_by_name_lists_tagged_addresses_and_their_clusters()
    {
        var (code, output, err) = await Run("entity", "show", "Kaiyo Exchange");
        Assert.True(code == 0, err);
        Assert.Contains("entity actor:kaiyo-exchange: Kaiyo Exchange", output);
        Assert.Contains("category exchange, country JP, actor kaiyo-exchange", output);
        Assert.Contains("https://example.invalid/ashiato-simulation/exchanges", output);
        foreach (var (address, actor) in HotWalletTags().Where(h => h.Actor == "kaiyo-exchange"))
        {
            Assert.Contains($"sim-bitcoin {address}: cluster ", output);
        }

        (code, output, err) = await Run("entity", "show", "actor:lazarus", "--json");
        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("KP", json.GetProperty("entity").GetProperty("country").GetString());
        Assert.True(json.GetProperty("addresses_in_store").GetArrayLength() > 0);
        Assert.All(json.GetProperty("clusters").EnumerateArray(), c => Assert.Equal("actor:lazarus", c.GetProperty("label").GetProperty("entity").GetString()));
    }

    [Fact]
    public async Task Entity_show_of_an_untagged_address_gives_its_cluster_label_the_tag_source_and_the_merge_path()
    {
        // a member of a labelled cluster that has no tag of its own
        var tagged = HotWalletTags().Select(h => h.Address).ToHashSet();
        var sanctions = File.ReadLines(Path.Combine(world.World, "tags", "sanctions.yaml")).Where(l => l.StartsWith("- address: ", StringComparison.Ordinal))
            .Select(l => l["- address: ".Length..].Trim()).ToList();
        string? member = null, taggedAddress = null;
        foreach (var a in sanctions.Concat(tagged))
        {
            var (_, output, _) = await Run("cluster", "show", a, "--chain", "sim-bitcoin", "--limit", "1000", "--json");
            var m = JsonDocument.Parse(output).RootElement.GetProperty("members").EnumerateArray().Select(x => x.GetString()!)
                .FirstOrDefault(x => !tagged.Contains(x) && !sanctions.Contains(x));
            if (m is not null)
            {
                (member, taggedAddress) = (m, a);
                break;
            }
        }

        Assert.NotNull(member);
        var (code, text, err) = await Run("entity", "show", member!);
        Assert.True(code == 0, err);
        Assert.Contains("no tags of its own", text);
        Assert.Contains("  why: tag \"", text);
        Assert.Contains("linked to this address by", text);
        Assert.Contains(" by multi-input (0.95) in tx ", text);

        (code, text, err) = await Run("entity", "show", member!, "--json");
        Assert.True(code == 0, err);
        var why = JsonDocument.Parse(text).RootElement.GetProperty("why");
        Assert.NotEmpty(why.GetProperty("merges").EnumerateArray());
        Assert.Equal(member, why.GetProperty("merges").EnumerateArray().Last().GetProperty("to").GetString());
        Assert.StartsWith("https://example.invalid/ashiato-simulation/", why.GetProperty("tag").GetProperty("source").GetString());
        Assert.NotNull(taggedAddress);
    }

    [Fact]
    public async Task Entity_show_names_what_is_unknown()
    {
        var (code, _, err) = await Run("entity", "show", "No Such Exchange");
        Assert.Equal(1, code);
        Assert.Contains("unknown entity or address 'No Such Exchange'", err);

        // a valid regtest address that was never used and has no tag
        var unused = AddressCodec.Encode(Network.BitcoinRegtest, AddressKind.WitnessV0KeyHash, Enumerable.Repeat((byte)0x42, 20).ToArray());
        (code, _, err) = await Run("entity", "show", unused);
        Assert.Equal(1, code);
        Assert.Contains("is neither in the store's UTXO chains (sim-bitcoin) nor tagged", err);

        (code, _, err) = await Run("entity", "show", "x", "--chain", "nope");
        Assert.Equal(1, code);
        Assert.Contains("chain 'nope' is not in the store", err);
    }

    [Fact]
    public async Task A_TagPack_country_and_entity_field_fill_the_registry_and_a_bad_country_is_a_located_warning()
    {
        using var cli = new CliRunner();
        var pack = Path.Combine(cli.WorkDir, "acme.yaml");
        File.WriteAllText(pack, """
            title: Acme
            source: https://example.invalid/acme
            currency: BTC
            category: exchange
            confidence: service_data
            country: FR
            tags:
            - address: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4
              label: Acme hot wallet
              entity: acme
            - address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2
              label: Other desk
              country: France
            """);
        var (code, output, err) = await cli.RunAsync("tags", "import", pack);
        Assert.True(code == 0, err);
        Assert.Contains("acme.yaml:13:12: country 'France' is not an ISO 3166-1 alpha-2 code (dropped)", err);
        (code, output, err) = await cli.RunAsync("entity", "list", "--country", "FR", "--json");
        Assert.True(code == 0, err);
        var row = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal("acme", row.GetProperty("id").GetString());
        Assert.Equal("exchange", row.GetProperty("category").GetString());
        Assert.Equal("tagpack: Acme", row.GetProperty("source").GetString());

        (code, output, err) = await cli.RunAsync("entity", "show", "acme");
        Assert.True(code == 0, err);
        Assert.Contains("entity acme: Acme hot wallet", output);
        Assert.Contains("0 tagged address(es) in the store's UTXO chains, 1 elsewhere", output);
        (code, output, _) = await cli.RunAsync("entity", "show", "label:other desk", "--json");
        Assert.Equal(0, code);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(output).RootElement.GetProperty("entity").GetProperty("country").ValueKind);
    }
}
