using Microsoft.Data.Sqlite;

namespace Ashiato.Storage;

/// <summary>
/// Relational metadata beside the chain store (SQLite): chains, the audit of ingest runs and (schema 2) the intelligence
/// tables: tags, actors and entities. A schema-1 store is upgraded in place when opened.
/// </summary>
public sealed class MetaDb : IDisposable
{
    public const int SchemaVersion = 3;

    /// <summary>Schema 2: attribution tags (with validity for lists that delist), actors, entities.</summary>
    private const string SchemaV2 = """
        CREATE TABLE IF NOT EXISTS actors (
            id TEXT PRIMARY KEY, label TEXT NOT NULL, jurisdictions TEXT NOT NULL DEFAULT '', categories TEXT NOT NULL DEFAULT '',
            aliases TEXT NOT NULL DEFAULT '', uri TEXT, context TEXT, source TEXT);
        CREATE TABLE IF NOT EXISTS entities (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, country TEXT, actor TEXT, source TEXT);
        CREATE TABLE IF NOT EXISTS tags (
            id INTEGER PRIMARY KEY, address TEXT NOT NULL, currency TEXT NOT NULL, network TEXT,
            label TEXT NOT NULL, category TEXT, abuse TEXT, actor TEXT, entity TEXT, source TEXT NOT NULL,
            confidence TEXT, confidence_level INTEGER, is_cluster_definer INTEGER NOT NULL DEFAULT 0, concepts TEXT, context TEXT,
            tagpack_file TEXT, tagpack_title TEXT, lastmod TEXT, list_key TEXT, valid_from TEXT, valid_to TEXT,
            UNIQUE (address, label, source)); -- its index also serves look-ups by address
        CREATE INDEX IF NOT EXISTS tags_actor ON tags (actor);
        CREATE INDEX IF NOT EXISTS tags_list ON tags (list_key, valid_to);
        """;

    /// <summary>Schema 3, part one: price series (owned by the price importer, Ashiato.Intel.Prices).</summary>
    private const string SchemaV3Prices = """
        CREATE TABLE IF NOT EXISTS price_series (
            id INTEGER PRIMARY KEY, asset TEXT NOT NULL, fiat TEXT NOT NULL, source TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 100, format TEXT NOT NULL, files TEXT NOT NULL, imported_utc TEXT NOT NULL,
            UNIQUE (asset, fiat, source));
        CREATE TABLE IF NOT EXISTS price_points (
            series INTEGER NOT NULL REFERENCES price_series (id), date TEXT NOT NULL, price TEXT NOT NULL, time_utc TEXT,
            PRIMARY KEY (series, date)) WITHOUT ROWID; -- price: the exact decimal text; time_utc: the instant of the point kept, if the source had one
        """;

    /// <summary>Schema 3, part two: incidents (owned by the IncidentPack importer, Ashiato.Intel.Incidents).</summary>
    private const string SchemaV3Incidents = """
        CREATE TABLE IF NOT EXISTS incidents (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT NOT NULL, year INTEGER NOT NULL, description TEXT,
            victim TEXT, victim_name TEXT, victim_country TEXT, victim_type TEXT,
            loss_usd TEXT, loss_usd_source TEXT, attributed_actor TEXT, attribution_source TEXT, confidence TEXT, confidence_level INTEGER,
            pack_file TEXT, pack_title TEXT, pack_line INTEGER);
        CREATE INDEX IF NOT EXISTS incidents_actor ON incidents (attributed_actor);
        CREATE INDEX IF NOT EXISTS incidents_country_year ON incidents (victim_country, year);
        CREATE INDEX IF NOT EXISTS incidents_year ON incidents (year);
        CREATE TABLE IF NOT EXISTS incident_chains (
            incident TEXT NOT NULL, ord INTEGER NOT NULL, chain TEXT NOT NULL, family TEXT NOT NULL, network TEXT,
            PRIMARY KEY (incident, ord));
        CREATE TABLE IF NOT EXISTS incident_transactions (
            incident TEXT NOT NULL, ord INTEGER NOT NULL, chain TEXT NOT NULL, txid TEXT NOT NULL, output_index INTEGER, log_index INTEGER,
            PRIMARY KEY (incident, ord));
        CREATE INDEX IF NOT EXISTS incident_transactions_txid ON incident_transactions (txid, chain);
        CREATE TABLE IF NOT EXISTS incident_addresses (
            incident TEXT NOT NULL, ord INTEGER NOT NULL, chain TEXT NOT NULL, address TEXT NOT NULL,
            PRIMARY KEY (incident, ord));
        CREATE INDEX IF NOT EXISTS incident_addresses_address ON incident_addresses (address, chain);
        CREATE TABLE IF NOT EXISTS incident_losses (
            incident TEXT NOT NULL, ord INTEGER NOT NULL, asset TEXT NOT NULL, chain TEXT, token TEXT,
            amount TEXT NOT NULL, decimals INTEGER NOT NULL, usd TEXT, usd_source TEXT,
            PRIMARY KEY (incident, ord));
        CREATE TABLE IF NOT EXISTS incident_references (
            incident TEXT NOT NULL, ord INTEGER NOT NULL, url TEXT NOT NULL,
            PRIMARY KEY (incident, ord));
        """;

    private const string SchemaV3 = SchemaV3Prices + "\n" + SchemaV3Incidents;
    private readonly SqliteConnection _db;
    private readonly TimeProvider _clock;

    private MetaDb(SqliteConnection db, TimeProvider clock)
    {
        _db = db;
        _clock = clock;
    }

    public static MetaDb Open(string path, TimeProvider clock)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Exec(db, """
            CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS chains (
                name TEXT PRIMARY KEY, family TEXT NOT NULL, network TEXT NOT NULL, created_utc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ingest_runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, chain TEXT NOT NULL, source TEXT NOT NULL,
                started_utc TEXT NOT NULL, finished_utc TEXT, status TEXT NOT NULL,
                from_height INTEGER, to_height INTEGER, blocks INTEGER NOT NULL DEFAULT 0, message TEXT);
            """);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT version FROM schema_version";
            var v = cmd.ExecuteScalar();
            if (v is null)
            {
                Exec(db, SchemaV2);
                Exec(db, SchemaV3);
                Exec(db, $"INSERT INTO schema_version VALUES ({SchemaVersion})");
            }
            else
            {
                var version = Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture);
                if (version is 1 or 2)
                {
                    // 1 -> 2: add the intelligence tables; 2 -> 3: prices and incidents. Existing tables are kept as they are.
                    using var tx = db.BeginTransaction();
                    if (version == 1)
                    {
                        Exec(db, SchemaV2, tx);
                    }

                    Exec(db, SchemaV3, tx);
                    Exec(db, $"UPDATE schema_version SET version = {SchemaVersion}", tx);
                    tx.Commit();
                }
                else if (version == SchemaVersion)
                {
                    // idempotent (CREATE … IF NOT EXISTS): re-creates any schema-3 table or index that is missing
                    Exec(db, SchemaV3);
                }
                else
                {
                    throw new Core.UserErrorException($"{path}: metadata schema {v}, this build reads {SchemaVersion} (and upgrades 1 and 2)");
                }
            }
        }

        return new MetaDb(db, clock);
    }

    public void RegisterChain(string name, string family, string network)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT OR IGNORE INTO chains (name, family, network, created_utc) VALUES ($n, $f, $net, $t)";
        cmd.Parameters.AddWithValue("$n", name);
        cmd.Parameters.AddWithValue("$f", family);
        cmd.Parameters.AddWithValue("$net", network);
        cmd.Parameters.AddWithValue("$t", Now());
        cmd.ExecuteNonQuery();
    }

    public long StartRun(string chain, string source)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT INTO ingest_runs (chain, source, started_utc, status) VALUES ($c, $s, $t, 'running'); SELECT last_insert_rowid();";
        cmd.Parameters.AddWithValue("$c", chain);
        cmd.Parameters.AddWithValue("$s", source);
        cmd.Parameters.AddWithValue("$t", Now());
        return (long)cmd.ExecuteScalar()!;
    }

    public void FinishRun(long id, string status, int? fromHeight, int? toHeight, int blocks, string? message)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            UPDATE ingest_runs SET finished_utc = $t, status = $st, from_height = $f, to_height = $to, blocks = $b, message = $m
            WHERE id = $id
            """;
        cmd.Parameters.AddWithValue("$t", Now());
        cmd.Parameters.AddWithValue("$st", status);
        cmd.Parameters.AddWithValue("$f", (object?)fromHeight ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$to", (object?)toHeight ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$b", blocks);
        cmd.Parameters.AddWithValue("$m", (object?)message ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyList<IngestRun> Runs(string chain, int limit)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            SELECT id, source, started_utc, finished_utc, status, from_height, to_height, blocks, message
            FROM ingest_runs WHERE chain = $c ORDER BY id DESC LIMIT $l
            """;
        cmd.Parameters.AddWithValue("$c", chain);
        cmd.Parameters.AddWithValue("$l", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<IngestRun>();
        while (r.Read())
        {
            list.Add(new IngestRun(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetInt32(6), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8)));
        }

        return list;
    }

    private string Now() => _clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The open connection, for the relational readers and writers built on this store (tags, actors).</summary>
    public SqliteConnection Connection => _db;

    public int Version
    {
        get
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT version FROM schema_version";
            return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            return;
        }

        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}

public sealed record IngestRun(long Id, string Source, string StartedUtc, string? FinishedUtc, string Status, int? FromHeight, int? ToHeight, int Blocks, string? Message);
