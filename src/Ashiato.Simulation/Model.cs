using Ashiato.Core;

namespace Ashiato.Simulation;

/// <summary>What kind of economic actor an entity is.</summary>
public enum EntityKind
{
    Exchange,
    Retail,
    Merchant,
    Miner,
    CoinJoinCoordinator,
    Mixer,
    Bridge,
    Otc,
    Hacker,
}

/// <summary>Output script types used by simulated wallets.</summary>
public enum ScriptKind : byte
{
    P2PKH,
    P2SH_P2WPKH,
    P2WPKH,
    P2TR,
}

/// <summary>One simulated entity (an exchange, a user, a hacker group…). Index is its position in <see cref="World.Entities"/>.</summary>
public sealed class Entity(int index, string id, string name, EntityKind kind, string country, string? actor)
{
    public int Index { get; } = index;

    public string Id { get; } = id;

    public string Name { get; } = name;

    public EntityKind Kind { get; } = kind;

    /// <summary>ISO 3166 alpha-2 code, or "ZZ" when unknown.</summary>
    public string Country { get; } = country;

    /// <summary>Actor id (TagPack/ActorPack <c>actor</c>) for named actors, else null.</summary>
    public string? Actor { get; } = actor;

    /// <summary>The main wallet (hot wallet of an exchange, the wallet of a user, …).</summary>
    public Wallet Main { get; set; } = null!;

    /// <summary>Exchanges: cold storage.</summary>
    public Wallet? Cold { get; set; }

    /// <summary>Exchanges: coins sitting on customer deposit addresses, waiting to be swept.</summary>
    public Wallet? Deposits { get; set; }

    /// <summary>Reused addresses (exchange hot/cold, pool payout, bridge, mixer hot wallet…).</summary>
    public List<Address> Fixed { get; } = [];

    public Address? Cold0 { get; set; }

    public ScriptKind PreferredKind { get; set; }

    /// <summary>Retail users who reuse one receive/change address.</summary>
    public Address? ReuseAddress { get; set; }

    /// <summary>Retail/merchant/miner: the customer deposit address at the home exchange.</summary>
    public Address? DepositAddress { get; set; }

    public Entity? HomeExchange { get; set; }

    public bool PrivacyMinded { get; set; }
}

/// <summary>An address: its script type, its scriptPubKey and its text form.</summary>
public sealed class Address(ScriptKind kind, byte[] script, string text)
{
    public ScriptKind Kind { get; } = kind;

    public byte[] Script { get; } = script;

    public string Text { get; } = text;
}

/// <summary>
/// An unspent output owned by a wallet. <see cref="Segment"/> is the laundering segment it belongs to (-1 for
/// untainted coins); <see cref="Hops"/> counts laundering steps since the theft.
/// </summary>
public readonly record struct Coin(Hash256 TxId, uint Vout, long Value, ScriptKind Kind, int Segment = -1, byte Hops = 0);

/// <summary>A set of unspent outputs of one entity (bounded: wallets consolidate when they grow).</summary>
public sealed class Wallet(Entity owner, string role)
{
    public Entity Owner { get; } = owner;

    public string Role { get; } = role;

    public List<Coin> Coins { get; } = [];

    public long Balance { get; private set; }

    public void Add(Coin coin)
    {
        Coins.Add(coin);
        Balance += coin.Value;
    }

    public Coin RemoveAt(int index)
    {
        var coin = Coins[index];
        Coins[index] = Coins[^1];
        Coins.RemoveAt(Coins.Count - 1);
        Balance -= coin.Value;
        return coin;
    }
}
