namespace Ashiato.Simulation;

/// <summary>A scheduled hack: who, whom, when.</summary>
public sealed record HackPlan(string Id, string Title, DateOnly Date, string VictimId, string HackerId);

/// <summary>A hacker's deposit to the bridge on the Bitcoin side: the outpoint, its value and when.</summary>
public sealed record BridgeDeposit(string TheftId, string HackerId, string TxId, uint Vout, long Amount, DateOnly Day, int Height);

/// <summary>
/// The way back over the bridge: a hacker burns wrapped BTC on the EVM chain naming a Bitcoin destination (scriptPubKey of
/// <see cref="To"/>), and the bridge releases the burned amount less its 0.1 % fee from its custody on the Bitcoin chain
/// on <see cref="DueDay"/> or the first day after it when the custody can pay. The release starts a new segment of the
/// theft (kind <c>bridge_release</c>, parent <c>evm:</c>burn transaction) that the hacker launders on.
/// </summary>
public sealed class BridgeReturn(string theftId, string hackerId, string burnTx, int lot, long burned, Address to, int dueDay)
{
    public string TheftId { get; } = theftId;

    public string HackerId { get; } = hackerId;

    /// <summary>The EVM burn transaction (0x…).</summary>
    public string BurnTx { get; } = burnTx;

    /// <summary>The EVM lot burned.</summary>
    public int Lot { get; } = lot;

    /// <summary>Wrapped units burned (1 unit = 1 sat).</summary>
    public long Burned { get; } = burned;

    public long BridgeFee => Burned / 1000;

    public long Released => Burned - BridgeFee;

    public Address To { get; } = to;

    public int DueDay { get; } = dueDay;

    /// <summary>The release transaction once paid (output 0 pays <see cref="To"/>), else null.</summary>
    public string? ReleaseTxId { get; set; }

    public int ReleaseHeight { get; set; }

    public DateOnly ReleaseDay { get; set; }

    public int Segment { get; set; } = -1;
}

/// <summary>Where stolen value ended: an output (or a held coin) of an entity.</summary>
public sealed record Endpoint(string Kind, string EntityId, string TxId, uint Vout, long Amount);

/// <summary>One laundering step: a transaction that moved the segment's coins.</summary>
public sealed record Hop(string Kind, string TxId, long AmountIn, long AmountOut, long MiningFee, long ServiceFee);

/// <summary>
/// A segment of a theft's path: the stolen outputs themselves (kind <c>theft</c>) or a mixer's payout of a deposit
/// (kind <c>mixer_payout</c>, new coins with no on-chain link) or a bridge's release of coins burned on the EVM chain
/// (kind <c>bridge_release</c>, parent <c>evm:</c>burn tx). Invariant: AmountIn = Σ endpoints + mining fees + service fees.
/// </summary>
public sealed class Segment(int index, TheftRecord theft, string kind, string? parent)
{
    public int Index { get; } = index;

    public TheftRecord Theft { get; } = theft;

    public string Kind { get; } = kind;

    /// <summary>For a mixer payout: the mixer deposit endpoint(s) it continues ("txid:vout").</summary>
    public string? Parent { get; } = parent;

    public long AmountIn { get; set; }

    public long MiningFees { get; set; }

    public long ServiceFees { get; set; }

    public List<string> Sources { get; } = [];

    public List<Hop> Hops { get; } = [];

    public List<Endpoint> Endpoints { get; } = [];
}

/// <summary>One theft as it happened: the transaction, the loss, and its segments.</summary>
public sealed class TheftRecord(HackPlan plan, Entity victim, Entity hacker)
{
    public HackPlan Plan { get; } = plan;

    public Entity Victim { get; } = victim;

    public Entity Hacker { get; } = hacker;

    public string TxId { get; set; } = "";

    public DateOnly Day { get; set; }

    public int Height { get; set; }

    /// <summary>What the victim lost (inputs of the theft transaction).</summary>
    public long Loss { get; set; }

    /// <summary>Fee of the theft transaction (Loss − Stolen).</summary>
    public long TheftFee { get; set; }

    /// <summary>What the hacker received.</summary>
    public long Stolen { get; set; }

    public decimal LossUsd { get; set; }

    public List<string> StolenOutputs { get; } = [];

    public List<Segment> Segments { get; } = [];
}

/// <summary>A custodial-mixer job: a deposit to pay out later, minus the mixer's fee.</summary>
public sealed class MixJob(Entity customer, Segment? from, long owed, int dueDay)
{
    public Entity Customer { get; } = customer;

    /// <summary>The tainted segment deposited (null for ordinary customers).</summary>
    public Segment? From { get; } = from;

    public long Owed { get; set; } = owed;

    public int DueDay { get; } = dueDay;

    /// <summary>The payout segment, created at the first payout.</summary>
    public Segment? Payout { get; set; }

    public List<string> DepositOutputs { get; } = [];
}

/// <summary>The simulator's own accounting (written as ledger.json).</summary>
public sealed class Ledger
{
    public long Blocks { get; set; }

    public long Transactions { get; set; }

    public long Inputs { get; set; }

    public long Outputs { get; set; }

    public long Addresses { get; set; }

    public long CoinbaseValue { get; set; }

    public long Subsidy { get; set; }

    public long Fees { get; set; }

    public long UtxoCount { get; set; }

    public long UtxoValue { get; set; }

    public long BlockBytes { get; set; }

    public string TipHash { get; set; } = "";
}
