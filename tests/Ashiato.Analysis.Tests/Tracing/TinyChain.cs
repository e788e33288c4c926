using System.Security.Cryptography;
using System.Text;
using Ashiato.Analysis.Tracing;
using Ashiato.Chains.Bitcoin;
using Ashiato.Chains.Bitcoin.Parsing;
using Ashiato.Chains.Bitcoin.Scripts;
using Ashiato.Core;
using Ashiato.Storage;
using Ashiato.Storage.Utxo;

namespace Ashiato.Analysis.Tests.Tracing;

/// <summary>
/// A hand-written regtest chain in a temporary store: every transaction is its own block (one block every 10 minutes from
/// 2020-01-01), addresses are names (P2WPKH of SHA-256(name)), outputs are referred to as "tx:n" by transaction name.
/// </summary>
public sealed class TinyChain : IDisposable
{
    public static readonly DateTimeOffset Start = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly StoreDirectory _store;
    private readonly Dictionary<string, Hash256> _txids = [];
    private WriteBatch? _batch;

    public TinyChain()
    {
        Root = Path.Combine(Path.GetTempPath(), "ashiato-trace-" + Guid.NewGuid().ToString("N"));
        _store = StoreDirectory.Open(Root, create: true);
        Chain = _store.OpenUtxoChain("tiny", Network.BitcoinRegtest, create: true);
    }

    public string Root { get; }

    public UtxoChainStore Chain { get; }

    public static byte[] Payload(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name))[..20];

    public static string Address(string name) => AddressCodec.Encode(Network.BitcoinRegtest, AddressKind.WitnessV0KeyHash, Payload(name));

    public string TxId(string name) => _txids[name].ToString();

    public uint AddressId(string name) => (uint)Chain.FindAddress(AddressKind.WitnessV0KeyHash, Payload(name));

    public DateTimeOffset TimeOfBlock(int height) => Start.AddMinutes(10 * height);

    public TinyChain Coinbase(string name, params (string? To, long Value)[] outputs) => Tx(name, [], outputs, coinbase: true);

    /// <summary>A transaction in a new block spending outputs "txname:n" (in order) to (address name, value) outputs (null name = OP_RETURN-like, no address).</summary>
    public TinyChain Tx(string name, string[] inputs, (string? To, long Value)[] outputs, bool coinbase = false)
    {
        _batch ??= Chain.BeginBatch();
        var height = _batch.NextHeight;
        var header = new BlockHeader(1, _batch.TipHash, Hash("merkle", height), (uint)TimeOfBlock(height).ToUnixTimeSeconds(), 0x207fffff, (uint)height);
        _batch.BeginBlock(Hash("block", height), header, 300, 300, 0);
        var txid = Hash("tx", name);
        _txids.Add(name, txid);
        _batch.BeginTx(txid, 2, 0, 200, 200, coinbase ? TxFlags.Coinbase : TxFlags.None);
        if (coinbase)
        {
            _batch.AddCoinbaseInput([1, 2], uint.MaxValue, []);
        }

        foreach (var input in inputs)
        {
            var parts = input.Split(':');
            if (!_batch.TryResolve(_txids[parts[0]], uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), out var prevout))
            {
                throw new InvalidOperationException($"{input} does not resolve");
            }

            _batch.AddInput(prevout, [], 0xffffffff, []);
        }

        foreach (var (to, value) in outputs)
        {
            if (to is null)
            {
                _batch.AddOutput(value, ScriptType.NullData, AddressKind.None, [], [0x6a]);
            }
            else
            {
                _batch.AddOutput(value, ScriptType.WitnessV0KeyHash, AddressKind.WitnessV0KeyHash, Payload(to), []);
            }
        }

        _batch.EndTx();
        _batch.EndBlock();
        return this;
    }

    public TinyChain Commit()
    {
        if (_batch is not null)
        {
            Chain.Commit(_batch);
            _batch = null;
        }

        return this;
    }

    public TraceSeed Seed(TraceSeedKind kind, string value) => new("tiny", kind, value);

    public TraceSeed TxSeed(string name) => Seed(TraceSeedKind.Transaction, TxId(name));

    private static Hash256 Hash(string what, object n) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"tiny/{what}/{n}")));

    public void Dispose()
    {
        Chain.Dispose();
        _store.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Labels by address name (a handwritten fake).</summary>
public sealed class FakeLabels(TinyChain chain) : ITraceLabels
{
    private readonly Dictionary<long, TraceLabel> _labels = [];

    public FakeLabels Add(string address, string entity, string category, string? country = null)
    {
        _labels[chain.AddressId(address)] = new TraceLabel(entity, entity, category, country, null, $"test label of {address}");
        return this;
    }

    public TraceLabel? Lookup(long addressId) => _labels.GetValueOrDefault(addressId);

    public long? ClusterOf(long addressId) => null;
}

/// <summary>A price of 10 000 USD per coin every day (and 1 500 000 JPY), as a handwritten fake.</summary>
public sealed class FixedPrices : IValuer
{
    public FiatValue? Value(string asset, System.Numerics.BigInteger baseUnits, int decimals, DateTimeOffset time, string fiat)
    {
        var price = fiat switch
        {
            "USD" => 10_000m,
            "JPY" => 1_500_000m,
            _ => (decimal?)null,
        };
        return price is { } p ? new FiatValue((decimal)baseUnits * p / 100_000_000m, fiat, asset, p, time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "test") : null;
    }
}
