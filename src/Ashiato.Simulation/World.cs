using System.Text;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Scripts;

namespace Ashiato.Simulation;

/// <summary>The entities of the economy and the address factory (every new address goes to the ground truth).</summary>
public sealed class World
{
    private readonly SimRandom _rng;
    private readonly TextWriter _addressTruth;

    public World(SimRandom rng, long targetTx, TextWriter addressTruth)
    {
        _rng = rng;
        _addressTruth = addressTruth;
        (string Id, string Name, string Country)[] exchanges =
        [
            ("kaiyo-exchange", "Kaiyo Exchange", "JP"), ("sakura-coin", "Sakura Coin", "JP"), ("saigon-bitcoin", "Saigon Bitcoin", "VN"),
            ("liberty-digital", "Liberty Digital", "US"), ("bay-trading", "Bay Trading", "US"), ("harbor-exchange", "Harbor Exchange", "HK"),
            ("hanbit-exchange", "Hanbit Exchange", "KR"), ("gangnam-bit", "Gangnam Bit", "KR"), ("merlion-crypto", "Merlion Crypto", "SG"),
        ];
        foreach (var (id, name, country) in exchanges)
        {
            var e = Add(id, name, EntityKind.Exchange, country, id);
            e.Deposits = new Wallet(e, "deposit");
            e.Cold = new Wallet(e, "cold");
            var hotKind = (ScriptKind)_rng.Next(3);
            for (var i = 0; i < 2; i++)
            {
                e.Fixed.Add(NewAddress(e, hotKind, "hot"));
            }

            e.Cold0 = NewAddress(e, ScriptKind.P2SH_P2WPKH, "cold");
            Exchanges.Add(e);
        }

        string[] pools = ["Pool Alpha", "Pool Bravo", "Pool Charlie", "Pool Delta"];
        for (var i = 0; i < pools.Length; i++)
        {
            var e = Add("miner-" + (char)('a' + i), pools[i], EntityKind.Miner, i % 2 == 0 ? "CN" : "US", null);
            e.Fixed.Add(NewAddress(e, i % 2 == 0 ? ScriptKind.P2PKH : ScriptKind.P2WPKH, "coinbase"));
            Miners.Add(e);
        }

        Coordinator = Add("coinjoin-coordinator", "CoinJoin Coordinator (Wasabi/Whirlpool-style)", EntityKind.CoinJoinCoordinator, "ZZ", "coinjoin-coordinator");
        Coordinator.Fixed.Add(NewAddress(Coordinator, ScriptKind.P2WPKH, "coordinator-fee"));
        Coordinator.Fixed.Add(NewAddress(Coordinator, ScriptKind.P2WPKH, "coordinator-fee"));
        Mixer = Add("tumbleweed-mixer", "Tumbleweed Mixer", EntityKind.Mixer, "ZZ", "tumbleweed-mixer");
        for (var i = 0; i < 3; i++)
        {
            Mixer.Fixed.Add(NewAddress(Mixer, ScriptKind.P2SH_P2WPKH, "mixer-reserve"));
        }

        Bridge = Add("shoreline-bridge", "Shoreline Bridge", EntityKind.Bridge, "ZZ", "shoreline-bridge");
        Bridge.Fixed.Add(NewAddress(Bridge, ScriptKind.P2WPKH, "bridge-custody"));
        Otc = Add("jade-otc", "Jade OTC Desk", EntityKind.Otc, "HK", "jade-otc");
        Otc.Fixed.Add(NewAddress(Otc, ScriptKind.P2PKH, "otc"));
        Lazarus = Add("lazarus", "Lazarus Group", EntityKind.Hacker, "KP", "lazarus");
        Kraken = Add("silent-kraken", "Silent Kraken", EntityKind.Hacker, "ZZ", "silent-kraken");

        var retail = (int)Math.Clamp(targetTx / 40, 300, 200_000);
        for (var i = 0; i < retail; i++)
        {
            var e = Add($"user-{i:D6}", $"User {i}", EntityKind.Retail, exchanges[_rng.Next(exchanges.Length)].Country, null);
            e.PreferredKind = PickKind();
            e.HomeExchange = Exchanges.FirstOrDefault(x => x.Country == e.Country && _rng.Chance(60)) ?? Exchanges[_rng.Next(Exchanges.Count)];
            e.PrivacyMinded = _rng.Chance(6);
            if (_rng.Chance(20))
            {
                e.ReuseAddress = NewAddress(e, e.PreferredKind, "receive");
            }

            Retail.Add(e);
        }

        var merchants = Math.Clamp(retail / 50, 10, 4000);
        for (var i = 0; i < merchants; i++)
        {
            var e = Add($"merchant-{i:D4}", $"Merchant {i}", EntityKind.Merchant, exchanges[_rng.Next(exchanges.Length)].Country, null);
            e.PreferredKind = _rng.Chance(50) ? ScriptKind.P2WPKH : ScriptKind.P2SH_P2WPKH;
            e.HomeExchange = Exchanges[_rng.Next(Exchanges.Count)];
            Merchants.Add(e);
        }
    }

    public List<Entity> Entities { get; } = [];

    public List<Entity> Exchanges { get; } = [];

    public List<Entity> Miners { get; } = [];

    public List<Entity> Retail { get; } = [];

    public List<Entity> Merchants { get; } = [];

    public Entity Coordinator { get; }

    public Entity Mixer { get; }

    public Entity Bridge { get; }

    public Entity Otc { get; }

    public Entity Lazarus { get; }

    public Entity Kraken { get; }

    public long AddressCount { get; private set; }

    public Entity ById(string id) => Entities.First(e => e.Id == id);

    /// <summary>Script type mix of 2017–2024 wallets: P2WPKH 45 %, P2PKH 25 %, P2SH-P2WPKH 20 %, P2TR 10 %.</summary>
    public ScriptKind PickKind()
    {
        var r = _rng.Next(100);
        return r < 45 ? ScriptKind.P2WPKH : r < 70 ? ScriptKind.P2PKH : r < 90 ? ScriptKind.P2SH_P2WPKH : ScriptKind.P2TR;
    }

    /// <summary>A new address of <paramref name="owner"/>, recorded in the ground truth (address,entity,role).</summary>
    public Address NewAddress(Entity owner, ScriptKind kind, string role)
    {
        var payload = _rng.Bytes(kind == ScriptKind.P2TR ? 32 : 20);
        var addressKind = kind switch
        {
            ScriptKind.P2PKH => AddressKind.PubKeyHash,
            ScriptKind.P2SH_P2WPKH => AddressKind.ScriptHash,
            ScriptKind.P2WPKH => AddressKind.WitnessV0KeyHash,
            _ => AddressKind.Taproot,
        };
        var script = ScriptClassifier.BuildScript(addressKind, payload)!;
        var text = AddressCodec.Encode(Network.BitcoinRegtest, addressKind, payload);
        _addressTruth.Write(text);
        _addressTruth.Write(',');
        _addressTruth.Write(owner.Id);
        _addressTruth.Write(',');
        _addressTruth.Write(role);
        _addressTruth.Write('\n');
        AddressCount++;
        return new Address(kind, script, text);
    }

    private Entity Add(string id, string name, EntityKind kind, string country, string? actor)
    {
        var e = new Entity(Entities.Count, id, name, kind, country, actor);
        e.Main = new Wallet(e, "main");
        Entities.Add(e);
        return e;
    }

    /// <summary>UTF-8 without BOM, '\n' line ends.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(false);
}
