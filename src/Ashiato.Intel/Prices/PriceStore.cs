using System.Globalization;
using Ashiato.Core;
using Ashiato.Storage;
using Microsoft.Data.Sqlite;

namespace Ashiato.Intel.Prices;

/// <summary>
/// The price tables of meta.sqlite (schema 3): <c>price_series</c> (asset, fiat, source, priority) and <c>price_points</c>
/// (one exact decimal price per UTC day, as text). A series is replaced as a whole, in one transaction.
/// </summary>
public sealed class PriceStore(MetaDb meta, TimeProvider? clock = null)
{
    /// <summary>Priority of a series imported without one; lower numbers take precedence.</summary>
    public const int DefaultPriority = 100;

    private readonly SqliteConnection _db = Checked(meta.Connection);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>
    /// Replaces each series (asset, fiat, source) by the one given — all of them in one SQLite transaction: an error leaves
    /// every stored series as it was. A series keeps its stored priority unless <paramref name="priority"/> is given.
    /// </summary>
    public List<PriceSeriesImported> Replace(IReadOnlyList<ParsedPriceSeries> series, int? priority)
    {
        var results = new List<PriceSeriesImported>();
        var now = _clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        using var tx = _db.BeginTransaction();
        using var insert = _db.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO price_points (series, date, price, time_utc) VALUES ($s, $d, $p, $t)";
        foreach (var n in (string[])["$s", "$d", "$p", "$t"])
        {
            insert.Parameters.Add(new SqliteParameter(n, null));
        }

        foreach (var s in series)
        {
            long? id = null;
            var keptPriority = priority ?? DefaultPriority;
            var replaced = 0;
            using (var find = Command("SELECT id, priority FROM price_series WHERE asset = $a AND fiat = $f AND source = $s", tx))
            {
                find.Parameters.AddWithValue("$a", s.Key.Asset);
                find.Parameters.AddWithValue("$f", s.Key.Fiat);
                find.Parameters.AddWithValue("$s", s.Key.Source);
                using var r = find.ExecuteReader();
                if (r.Read())
                {
                    id = r.GetInt64(0);
                    keptPriority = priority ?? r.GetInt32(1);
                }
            }

            if (id is { } existing)
            {
                using var del = Command("DELETE FROM price_points WHERE series = $id", tx);
                del.Parameters.AddWithValue("$id", existing);
                replaced = del.ExecuteNonQuery();
                using var upd = Command("UPDATE price_series SET priority = $p, format = $fmt, files = $files, imported_utc = $t WHERE id = $id", tx);
                upd.Parameters.AddWithValue("$p", keptPriority);
                upd.Parameters.AddWithValue("$fmt", s.Format);
                upd.Parameters.AddWithValue("$files", string.Join(" ", s.Files));
                upd.Parameters.AddWithValue("$t", now);
                upd.Parameters.AddWithValue("$id", existing);
                upd.ExecuteNonQuery();
            }
            else
            {
                using var add = Command("""
                    INSERT INTO price_series (asset, fiat, source, priority, format, files, imported_utc) VALUES ($a, $f, $s, $p, $fmt, $files, $t);
                    SELECT last_insert_rowid();
                    """, tx);
                add.Parameters.AddWithValue("$a", s.Key.Asset);
                add.Parameters.AddWithValue("$f", s.Key.Fiat);
                add.Parameters.AddWithValue("$s", s.Key.Source);
                add.Parameters.AddWithValue("$p", keptPriority);
                add.Parameters.AddWithValue("$fmt", s.Format);
                add.Parameters.AddWithValue("$files", string.Join(" ", s.Files));
                add.Parameters.AddWithValue("$t", now);
                id = (long)add.ExecuteScalar()!;
            }

            insert.Parameters[0].Value = id;
            foreach (var p in s.Points)
            {
                insert.Parameters[1].Value = PriceTickers.Day(p.Date);
                insert.Parameters[2].Value = p.Price.ToString(CultureInfo.InvariantCulture);
                insert.Parameters[3].Value = p.TimeUtc is { } t ? PriceTickers.Instant(t) : DBNull.Value;
                insert.ExecuteNonQuery();
            }

            results.Add(new PriceSeriesImported(s.Key.Asset, s.Key.Fiat, s.Key.Source, s.Format, s.Points.Count,
                PriceTickers.Day(s.Points[0].Date), PriceTickers.Day(s.Points[^1].Date), replaced, keptPriority));
        }

        tx.Commit();
        return results;
    }

    /// <summary>Every stored series, ordered by asset, fiat, priority, source.</summary>
    public List<PriceSeriesInfo> Series()
    {
        var list = new List<PriceSeriesInfo>();
        var headers = new List<(long Id, string Asset, string Fiat, string Source, int Priority, string Format, string Files)>();
        using (var cmd = Command("SELECT id, asset, fiat, source, priority, format, files FROM price_series ORDER BY asset, fiat, priority, source"))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                headers.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), r.GetString(6)));
            }
        }

        foreach (var h in headers)
        {
            using var cmd = Command("SELECT date FROM price_points WHERE series = $id ORDER BY date");
            cmd.Parameters.AddWithValue("$id", h.Id);
            using var r = cmd.ExecuteReader();
            DateOnly? first = null, previous = null;
            int points = 0, longest = 0;
            while (r.Read())
            {
                var d = DateOnly.ParseExact(r.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                first ??= d;
                if (previous is { } p)
                {
                    longest = Math.Max(longest, d.DayNumber - p.DayNumber - 1);
                }

                previous = d;
                points++;
            }

            if (first is null || previous is null)
            {
                continue;
            }

            list.Add(new PriceSeriesInfo(h.Asset, h.Fiat, h.Source, h.Priority, h.Format, h.Files, points, PriceTickers.Day(first.Value),
                PriceTickers.Day(previous.Value), previous.Value.DayNumber - first.Value.DayNumber + 1 - points, longest));
        }

        return list;
    }

    /// <summary>
    /// Stored prices of an asset, ordered by fiat, date, then precedence (priority, source). Null filters do not filter;
    /// dates are inclusive.
    /// </summary>
    public List<PriceRow> Points(string? asset = null, string? fiat = null, string? source = null, DateOnly? from = null, DateOnly? to = null)
    {
        var where = new List<string>();
        using var cmd = Command("");
        void Filter(string sql, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(sql);
                cmd.Parameters.AddWithValue(name, value);
            }
        }

        Filter("s.asset = $a", "$a", asset);
        Filter("s.fiat = $f", "$f", fiat);
        Filter("s.source = $s", "$s", source);
        Filter("p.date >= $from", "$from", from is { } f ? PriceTickers.Day(f) : null);
        Filter("p.date <= $to", "$to", to is { } t ? PriceTickers.Day(t) : null);
        cmd.CommandText = $"""
            SELECT s.asset, s.fiat, s.source, p.date, p.price, p.time_utc FROM price_points p JOIN price_series s ON s.id = p.series
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            ORDER BY s.asset, s.fiat, p.date, s.priority, s.source
            """;
        using var r = cmd.ExecuteReader();
        var list = new List<PriceRow>();
        while (r.Read())
        {
            list.Add(new PriceRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), StoredPrice(r.GetString(4), r.GetString(3)),
                r.IsDBNull(5) ? null : r.GetString(5)));
        }

        return list;
    }

    internal static decimal StoredPrice(string text, string date) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d > 0
            ? d
            : throw new UserErrorException($"meta.sqlite: price_points {date}: stored price '{text}' is not a positive decimal");

    /// <summary>A store made by a build whose schema 3 had no price tables yet cannot hold prices: say so instead of a SQLite error.</summary>
    private static SqliteConnection Checked(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('price_series', 'price_points')";
        if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) != 2)
        {
            throw new UserErrorException($"{db.DataSource}: this metadata database has no price tables (made by a development build of schema 3); " +
                "use a new store directory");
        }

        return db;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }
}
