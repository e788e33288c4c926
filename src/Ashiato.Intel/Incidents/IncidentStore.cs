using System.Globalization;
using Ashiato.Core;
using Ashiato.Storage;
using Microsoft.Data.Sqlite;

namespace Ashiato.Intel.Incidents;

/// <summary>Filters for <see cref="IncidentStore.List"/>; null fields do not filter.</summary>
/// <param name="Actor">The attributed actor id (exact).</param>
/// <param name="Country">The victim's ISO 3166-1 alpha-2 code (any case).</param>
/// <param name="Year">The year of the incident's date.</param>
public sealed record IncidentQuery(string? Actor = null, string? Country = null, int? Year = null);

/// <summary>
/// The incidents tables of meta.sqlite (schema 3): writes IncidentPack imports (an incident id imported again replaces the
/// stored one, all its rows in one transaction) and reads them back for the CLI, the tracing and the reports.
/// </summary>
public sealed class IncidentStore(MetaDb meta)
{
    private readonly SqliteConnection _db = meta.Connection;

    private static readonly string[] ChildTables = ["incident_chains", "incident_transactions", "incident_addresses", "incident_losses", "incident_references"];

    /// <summary>
    /// Writes <paramref name="incidents"/> in one transaction: an incident whose id is stored already replaces it
    /// (every row of the old one is deleted first). Returns how many replaced a stored incident.
    /// </summary>
    public int Replace(IReadOnlyList<Incident> incidents)
    {
        var replaced = 0;
        using var tx = _db.BeginTransaction();
        foreach (var incident in incidents)
        {
            if (Delete(incident.Id, tx))
            {
                replaced++;
            }

            Insert(incident, tx);
        }

        tx.Commit();
        return replaced;
    }

    /// <summary>Deletes an incident and its rows; false when it is not stored.</summary>
    public bool Delete(string id)
    {
        using var tx = _db.BeginTransaction();
        var found = Delete(id, tx);
        tx.Commit();
        return found;
    }

    private bool Delete(string id, SqliteTransaction tx)
    {
        foreach (var table in ChildTables)
        {
            Exec(tx, $"DELETE FROM {table} WHERE incident = $id", ("$id", id));
        }

        return Exec(tx, "DELETE FROM incidents WHERE id = $id", ("$id", id)) > 0;
    }

    private int Exec(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd.ExecuteNonQuery();
    }

    private static string? Dec(decimal? d) => d?.ToString(CultureInfo.InvariantCulture);

    private void Insert(Incident i, SqliteTransaction tx)
    {
        Exec(tx, """
            INSERT INTO incidents (id, title, date, year, description, victim, victim_name, victim_country, victim_type, loss_usd, loss_usd_source,
                attributed_actor, attribution_source, confidence, confidence_level, pack_file, pack_title, pack_line)
            VALUES ($id, $title, $date, $year, $desc, $victim, $vname, $country, $vtype, $usd, $usdsrc, $actor, $asrc, $conf, $level, $file, $ptitle, $line)
            """,
            ("$id", i.Id), ("$title", i.Title), ("$date", i.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$year", i.Date.Year),
            ("$desc", i.Description), ("$victim", i.Victim), ("$vname", i.VictimName), ("$country", i.VictimCountry), ("$vtype", i.VictimType),
            ("$usd", Dec(i.LossUsd)), ("$usdsrc", i.LossUsdSource), ("$actor", i.AttributedActor), ("$asrc", i.AttributionSource),
            ("$conf", i.Confidence), ("$level", i.ConfidenceLevel), ("$file", i.PackFile), ("$ptitle", i.PackTitle), ("$line", i.PackLine));
        int chainOrd = 0, txOrd = 0, addressOrd = 0;
        foreach (var c in i.Chains)
        {
            Exec(tx, "INSERT INTO incident_chains (incident, ord, chain, family, network) VALUES ($id, $o, $c, $f, $n)",
                ("$id", i.Id), ("$o", chainOrd++), ("$c", c.Chain.Value), ("$f", FamilyName(c.Family)), ("$n", c.Network));
            foreach (var t in c.Transactions)
            {
                Exec(tx, "INSERT INTO incident_transactions (incident, ord, chain, txid, output_index, log_index) VALUES ($id, $o, $c, $t, $out, $log)",
                    ("$id", i.Id), ("$o", txOrd++), ("$c", c.Chain.Value), ("$t", t.TxId), ("$out", t.OutputIndex), ("$log", t.LogIndex));
            }

            foreach (var a in c.Addresses)
            {
                Exec(tx, "INSERT INTO incident_addresses (incident, ord, chain, address) VALUES ($id, $o, $c, $a)",
                    ("$id", i.Id), ("$o", addressOrd++), ("$c", c.Chain.Value), ("$a", a));
            }
        }

        var lossOrd = 0;
        foreach (var l in i.Losses)
        {
            Exec(tx, """
                INSERT INTO incident_losses (incident, ord, asset, chain, token, amount, decimals, usd, usd_source)
                VALUES ($id, $o, $asset, $c, $token, $amount, $dec, $usd, $src)
                """,
                ("$id", i.Id), ("$o", lossOrd++), ("$asset", l.Asset), ("$c", l.Chain?.Value), ("$token", l.Token), ("$amount", l.Amount.ToString()),
                ("$dec", l.Decimals), ("$usd", Dec(l.Usd)), ("$src", l.UsdSource));
        }

        var refOrd = 0;
        foreach (var r in i.References)
        {
            Exec(tx, "INSERT INTO incident_references (incident, ord, url) VALUES ($id, $o, $u)", ("$id", i.Id), ("$o", refOrd++), ("$u", r));
        }
    }

    internal static string FamilyName(ChainFamily f) => f switch
    {
        ChainFamily.Utxo => "utxo",
        ChainFamily.Evm => "evm",
        _ => "unknown",
    };

    private static ChainFamily ParseFamily(string s) => s switch
    {
        "utxo" => ChainFamily.Utxo,
        "evm" => ChainFamily.Evm,
        _ => ChainFamily.Unknown,
    };

    /// <summary>The incident with this id (all fields, chains with their theft transactions and addresses, losses, references), or null.</summary>
    public Incident? Get(string id)
    {
        var list = Load("WHERE id = $id", [("$id", id)]);
        return list.Count == 0 ? null : list[0];
    }

    /// <summary>The incidents matching <paramref name="query"/>, ordered by date, then id, each with all its fields.</summary>
    public IReadOnlyList<Incident> List(IncidentQuery? query = null)
    {
        var q = query ?? new IncidentQuery();
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (q.Actor is not null)
        {
            where.Add("attributed_actor = $actor");
            args.Add(("$actor", q.Actor.Trim()));
        }

        if (q.Country is not null)
        {
            where.Add("victim_country = $country");
            args.Add(("$country", q.Country.Trim().ToUpperInvariant()));
        }

        if (q.Year is { } year)
        {
            where.Add("year = $year");
            args.Add(("$year", year));
        }

        return Load(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), args);
    }

    /// <summary>The ids of the incidents that name this transaction as a theft transaction (on any chain), ordered.</summary>
    public IReadOnlyList<string> IncidentsOfTransaction(string txid)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT incident FROM incident_transactions WHERE txid = $t ORDER BY incident";
        cmd.Parameters.AddWithValue("$t", txid.Trim().ToLowerInvariant());
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read())
        {
            ids.Add(r.GetString(0));
        }

        return ids;
    }

    public long Count()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM incidents";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private List<Incident> Load(string where, IReadOnlyList<(string Name, object? Value)> args)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = $"""
            SELECT id, title, date, description, victim, victim_name, victim_country, victim_type, loss_usd, loss_usd_source,
                attributed_actor, attribution_source, confidence, confidence_level, pack_file, pack_title, pack_line
            FROM incidents {where} ORDER BY date, id
            """;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var list = new List<Incident>();
        using (var r = cmd.ExecuteReader())
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            while (r.Read())
            {
                list.Add(new Incident
                {
                    Id = r.GetString(0),
                    Title = r.GetString(1),
                    Date = DateOnly.ParseExact(r.GetString(2), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Description = S(3),
                    Victim = S(4),
                    VictimName = S(5),
                    VictimCountry = S(6),
                    VictimType = S(7),
                    LossUsd = S(8) is { } usd ? decimal.Parse(usd, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : null,
                    LossUsdSource = S(9),
                    AttributedActor = S(10),
                    AttributionSource = S(11),
                    Confidence = S(12),
                    ConfidenceLevel = r.IsDBNull(13) ? null : r.GetInt32(13),
                    PackFile = S(14),
                    PackTitle = S(15),
                    PackLine = r.IsDBNull(16) ? null : r.GetInt32(16),
                });
            }
        }

        return list.Count == 0 ? list : list.Select(Details).ToList();
    }

    private Incident Details(Incident i)
    {
        var chains = new List<(ChainName Chain, ChainFamily Family, string? Network)>();
        Query("SELECT chain, family, network FROM incident_chains WHERE incident = $id ORDER BY ord", i.Id,
            r => chains.Add((new ChainName(r.GetString(0)), ParseFamily(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2))));
        var txs = new List<(string Chain, TheftTransaction Tx)>();
        Query("SELECT chain, txid, output_index, log_index FROM incident_transactions WHERE incident = $id ORDER BY ord", i.Id,
            r => txs.Add((r.GetString(0), new TheftTransaction(r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3)))));
        var addresses = new List<(string Chain, string Address)>();
        Query("SELECT chain, address FROM incident_addresses WHERE incident = $id ORDER BY ord", i.Id,
            r => addresses.Add((r.GetString(0), r.GetString(1))));
        var losses = new List<ReportedLoss>();
        Query("SELECT asset, chain, token, amount, decimals, usd, usd_source FROM incident_losses WHERE incident = $id ORDER BY ord", i.Id,
            r => losses.Add(new ReportedLoss(r.GetString(0), r.IsDBNull(1) ? null : new ChainName(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2),
                UInt256.Parse(r.GetString(3)), r.GetInt32(4),
                r.IsDBNull(5) ? null : decimal.Parse(r.GetString(5), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : r.GetString(6))));
        var references = new List<string>();
        Query("SELECT url FROM incident_references WHERE incident = $id ORDER BY ord", i.Id, r => references.Add(r.GetString(0)));
        return i with
        {
            Chains = chains.Select(c => new IncidentChain(c.Chain, c.Family, c.Network,
                txs.Where(t => t.Chain == c.Chain.Value).Select(t => t.Tx).ToList(),
                addresses.Where(a => a.Chain == c.Chain.Value).Select(a => a.Address).ToList())).ToList(),
            Losses = losses,
            References = references,
        };
    }

    private void Query(string sql, string id, Action<SqliteDataReader> row)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            row(r);
        }
    }
}
