using System.Globalization;
using System.Text;
using Ashiato.Core;
using Ashiato.Storage;
using Microsoft.Data.Sqlite;

namespace Ashiato.Intel;

/// <summary>Filters for <see cref="TagStore.List"/>; null fields do not filter.</summary>
public sealed record TagQuery(string? Actor = null, string? Category = null, string? Currency = null, string? Source = null,
    bool IncludeDelisted = true, int Limit = 100);

/// <summary>Counts of the intelligence tables.</summary>
public sealed record TagCounts(long Tags, long ActiveTags, long Actors, long Entities, long Sources);

/// <summary>Reads and writes the tags, actors and entities tables of meta.sqlite (schema 2).</summary>
public sealed class TagStore(MetaDb meta)
{
    private const string Columns = """
        address, currency, network, label, category, abuse, actor, entity, source, confidence, confidence_level, is_cluster_definer,
        concepts, context, tagpack_file, tagpack_title, lastmod, list_key, valid_from, valid_to
        """;

    private readonly SqliteConnection _db = Tuned(meta.Connection);

    /// <summary>A page cache of up to 256 MB: the tag indexes of a full GraphSense import do not fit SQLite's default 2 MB.</summary>
    private static SqliteConnection Tuned(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;";
        cmd.ExecuteNonQuery();
        return db;
    }

    /// <summary>Inserts tags; one already present with the same address, label and source is counted as a duplicate and skipped.</summary>
    public void InsertTags(IEnumerable<TagRow> rows, ImportReport report)
    {
        using var tx = _db.BeginTransaction();
        using var cmd = InsertCommand(tx);
        foreach (var row in rows)
        {
            if (Insert(cmd, row))
            {
                report.TagsImported++;
            }
            else
            {
                report.Duplicates++;
            }
        }

        tx.Commit();
    }

    private SqliteCommand InsertCommand(SqliteTransaction tx)
    {
        var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        var names = Columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        cmd.CommandText = $"INSERT OR IGNORE INTO tags ({Columns}) VALUES ({string.Join(", ", names.Select(n => "$" + n))})";
        foreach (var n in names)
        {
            cmd.Parameters.Add(new SqliteParameter("$" + n, null));
        }

        cmd.Prepare();
        return cmd;
    }

    private static bool Insert(SqliteCommand cmd, TagRow t)
    {
        var p = cmd.Parameters;
        p[0].Value = t.Address;
        p[1].Value = t.Currency;
        p[2].Value = Db(t.Network);
        p[3].Value = t.Label;
        p[4].Value = Db(t.Category);
        p[5].Value = Db(t.Abuse);
        p[6].Value = Db(t.Actor);
        p[7].Value = Db(t.Entity);
        p[8].Value = t.Source;
        p[9].Value = Db(t.Confidence);
        p[10].Value = t.ConfidenceLevel is { } l ? l : DBNull.Value;
        p[11].Value = t.IsClusterDefiner ? 1 : 0;
        p[12].Value = Db(t.Concepts);
        p[13].Value = Db(t.Context);
        p[14].Value = Db(t.TagPackFile);
        p[15].Value = Db(t.TagPackTitle);
        p[16].Value = Db(t.LastMod);
        p[17].Value = Db(t.ListKey);
        p[18].Value = Db(t.ValidFrom);
        p[19].Value = Db(t.ValidTo);
        return cmd.ExecuteNonQuery() == 1;
    }

    private static object Db(string? s) => (object?)s ?? DBNull.Value;

    public void UpsertActors(IEnumerable<ActorRow> actors, ImportReport report)
    {
        using var tx = _db.BeginTransaction();
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT OR REPLACE INTO actors (id, label, jurisdictions, categories, aliases, uri, context, source)
            VALUES ($id, $label, $j, $c, $a, $uri, $ctx, $src)
            """;
        foreach (var n in (string[])["$id", "$label", "$j", "$c", "$a", "$uri", "$ctx", "$src"])
        {
            cmd.Parameters.Add(new SqliteParameter(n, null));
        }

        foreach (var a in actors)
        {
            cmd.Parameters[0].Value = a.Id;
            cmd.Parameters[1].Value = a.Label;
            cmd.Parameters[2].Value = string.Join(',', a.Jurisdictions);
            cmd.Parameters[3].Value = string.Join(',', a.Categories);
            cmd.Parameters[4].Value = string.Join('|', a.Aliases);
            cmd.Parameters[5].Value = Db(a.Uri);
            cmd.Parameters[6].Value = Db(a.Context);
            cmd.Parameters[7].Value = Db(a.Source);
            cmd.ExecuteNonQuery();
            report.ActorsImported++;
        }

        tx.Commit();
    }

    public void UpsertEntities(IEnumerable<EntityRow> entities, ImportReport report)
    {
        using var tx = _db.BeginTransaction();
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT OR REPLACE INTO entities (id, name, category, country, actor, source) VALUES ($id, $n, $c, $co, $a, $s)";
        foreach (var n in (string[])["$id", "$n", "$c", "$co", "$a", "$s"])
        {
            cmd.Parameters.Add(new SqliteParameter(n, null));
        }

        foreach (var e in entities)
        {
            cmd.Parameters[0].Value = e.Id;
            cmd.Parameters[1].Value = e.Name;
            cmd.Parameters[2].Value = Db(e.Category);
            cmd.Parameters[3].Value = Db(e.Country);
            cmd.Parameters[4].Value = Db(e.Actor);
            cmd.Parameters[5].Value = Db(e.Source);
            cmd.ExecuteNonQuery();
            report.EntitiesImported++;
        }

        tx.Commit();
    }

    /// <summary>
    /// Fills the entity registry from every tag (rules: <see cref="EntityRules"/>): one row per entity id the tags name.
    /// Name: the actor's label (actor entities), else the entity's label (smallest spelling). Category: the most frequent tag
    /// category of its tags (ties: alphabetical), else the actor's first category. Country: an explicit TagPack
    /// <c>country</c> (<paramref name="explicitCountries"/> of this import, or kept from an earlier one: source
    /// <c>tagpack: …</c>), else the actor's single jurisdiction, else null — never guessed. OFAC profiles keep their name,
    /// category and source; their country is their actor's single jurisdiction. Deterministic; only changed rows are written.
    /// </summary>
    public void RefreshEntities(IReadOnlyDictionary<string, (string Country, string Pack)> explicitCountries, ImportReport report)
    {
        var actors = Actors().ToDictionary(a => a.Id, StringComparer.Ordinal);
        var existing = Entities().ToDictionary(e => e.Id, StringComparer.Ordinal);
        var groups = new SortedDictionary<string, EntityTally>(StringComparer.Ordinal);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT label, category, actor, entity, list_key FROM tags";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var t = new TagRow
                {
                    Address = "", Currency = "", Source = "", Label = r.GetString(0), Category = r.IsDBNull(1) ? null : r.GetString(1),
                    Actor = r.IsDBNull(2) ? null : r.GetString(2), Entity = r.IsDBNull(3) ? null : r.GetString(3), ListKey = r.IsDBNull(4) ? null : r.GetString(4),
                };
                if (EntityRules.EntityId(t) is not { } id)
                {
                    continue;
                }

                if (!groups.TryGetValue(id, out var g))
                {
                    groups[id] = g = new EntityTally();
                }

                g.Add(t);
            }
        }

        foreach (var id in explicitCountries.Keys)
        {
            groups.TryAdd(id, new EntityTally());
        }

        var rows = new List<EntityRow>();
        foreach (var (id, g) in groups)
        {
            existing.TryGetValue(id, out var old);
            var actorId = g.Actor ?? old?.Actor;
            var actor = actorId is null ? null : actors.GetValueOrDefault(actorId);
            EntityRow row;
            if (old?.Source is { } src && src.StartsWith("OFAC", StringComparison.Ordinal))
            {
                row = old with { Country = EntityRules.CountryOf(actor) ?? old.Country };
            }
            else
            {
                var name = id.StartsWith(EntityRules.ActorPrefix, StringComparison.Ordinal) ? actor?.Label ?? actorId ?? id : g.Label ?? old?.Name ?? id;
                var category = g.Category ?? actor?.Categories.FirstOrDefault() ?? old?.Category;
                var (country, source) = explicitCountries.TryGetValue(id, out var ex) ? (ex.Country, "tagpack: " + ex.Pack)
                    : old?.Source is { } s && s.StartsWith("tagpack: ", StringComparison.Ordinal) ? (old.Country, s)
                    : (EntityRules.CountryOf(actor), "tags");
                row = new EntityRow(id, name, category, country, actorId, source);
            }

            if (row != old)
            {
                rows.Add(row);
            }
        }

        if (rows.Count > 0)
        {
            UpsertEntities(rows, report);
        }
    }

    private sealed class EntityTally
    {
        private readonly Dictionary<string, int> _categories = new(StringComparer.Ordinal);

        public string? Label { get; private set; }

        public string? Actor { get; private set; }

        public string? Category => _categories.Count == 0 ? null
            : _categories.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;

        public void Add(TagRow t)
        {
            var label = t.Label.Trim();
            if (Label is null || string.CompareOrdinal(label, Label) < 0)
            {
                Label = label;
            }

            if (t.Actor is { Length: > 0 } a && (Actor is null || string.CompareOrdinal(a, Actor) < 0))
            {
                Actor = a;
            }

            if (t.Category is { Length: > 0 } c)
            {
                _categories[c] = _categories.GetValueOrDefault(c) + 1;
            }
        }
    }

    /// <summary>One entity by id, or null.</summary>
    public EntityRow? Entity(string id)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, name, category, country, actor, source FROM entities WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return r.Read() ? new EntityRow(r.GetString(0), r.GetString(1), S(2), S(3), S(4), S(5)) : null;
    }

    /// <summary>Every tag naming entity <paramref name="id"/> (<see cref="EntityRules.EntityId"/>), ordered by address, currency, source, label.</summary>
    public List<TagRow> TagsOfEntity(string id)
    {
        using var cmd = _db.CreateCommand();
        if (id.StartsWith(EntityRules.ActorPrefix, StringComparison.Ordinal))
        {
            cmd.CommandText = $"SELECT {Columns} FROM tags WHERE actor = $v OR entity = $id ORDER BY address, currency, source, label";
            cmd.Parameters.AddWithValue("$v", id[EntityRules.ActorPrefix.Length..]);
        }
        else if (id.StartsWith(EntityRules.LabelPrefix, StringComparison.Ordinal))
        {
            cmd.CommandText = $"SELECT {Columns} FROM tags WHERE lower(trim(label)) = $v OR entity = $id ORDER BY address, currency, source, label";
            cmd.Parameters.AddWithValue("$v", id[EntityRules.LabelPrefix.Length..]);
        }
        else
        {
            cmd.CommandText = $"SELECT {Columns} FROM tags WHERE entity = $id ORDER BY address, currency, source, label";
        }

        cmd.Parameters.AddWithValue("$id", id);
        return ReadTags(cmd).Where(t => EntityRules.EntityId(t) == id).ToList();
    }

    /// <summary>
    /// Applies one edition of a re-published list (<paramref name="listKey"/>, dated <paramref name="date"/>): addresses
    /// not yet listed are inserted (valid_from = date); listed addresses it still has stay as they are (an actor the
    /// older edition lacked is filled in); listed addresses it no longer has are closed (valid_to = date). History is kept:
    /// nothing is deleted. An edition older than the newest one applied is refused.
    /// </summary>
    public void ApplyListEdition(string listKey, string date, IReadOnlyList<TagRow> rows, ImportReport report)
    {
        using (var check = _db.CreateCommand())
        {
            check.CommandText = "SELECT MAX(MAX(COALESCE(valid_from, '')), MAX(COALESCE(valid_to, ''))) FROM tags WHERE list_key = $k";
            check.Parameters.AddWithValue("$k", listKey);
            if (check.ExecuteScalar() is string newest && string.CompareOrdinal(date, newest) < 0)
            {
                throw new UserErrorException($"list {listKey} of {date} is older than the edition of {newest} already imported");
            }
        }

        using var tx = _db.BeginTransaction();
        var active = new Dictionary<string, List<ListedRow>>(StringComparer.Ordinal);
        using (var q = _db.CreateCommand())
        {
            q.Transaction = tx;
            q.CommandText = "SELECT id, address, currency, entity, label FROM tags WHERE list_key = $k AND valid_to IS NULL ORDER BY id";
            q.Parameters.AddWithValue("$k", listKey);
            using var r = q.ExecuteReader();
            while (r.Read())
            {
                var key = r.GetString(2) + ":" + r.GetString(1);
                if (!active.TryGetValue(key, out var ids))
                {
                    active[key] = ids = [];
                }

                ids.Add(new ListedRow(r.GetInt64(0), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4)));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var insert = InsertCommand(tx);
        using var enrich = _db.CreateCommand();
        enrich.Transaction = tx;
        enrich.CommandText = """
            UPDATE OR IGNORE tags SET label = $l, entity = $e, actor = COALESCE(actor, $a), context = COALESCE(context, $c)
            WHERE id = $id AND entity IS NULL
            """;
        foreach (var n in (string[])["$l", "$e", "$a", "$c", "$id"])
        {
            enrich.Parameters.Add(new SqliteParameter(n, null));
        }

        foreach (var row in rows)
        {
            var key = row.Currency + ":" + row.Address;
            if (active.TryGetValue(key, out var existing))
            {
                seen.Add(key);
                // an edition without party names (row.Entity null) only tells that the address is still listed
                var same = row.Entity is null ? 0 : existing.FindIndex(e => e.Entity is not null ? e.Entity == row.Entity : e.Label == row.Label);
                if (same >= 0)
                {
                    report.StillListed++;
                    continue;
                }

                // an edition without party names (per-asset lists) listed it: the named edition fills the name in
                var placeholder = existing.FindIndex(e => e.Entity is null);
                if (placeholder >= 0 && row.Entity is not null)
                {
                    enrich.Parameters[0].Value = row.Label;
                    enrich.Parameters[1].Value = row.Entity;
                    enrich.Parameters[2].Value = Db(row.Actor);
                    enrich.Parameters[3].Value = Db(row.Context);
                    enrich.Parameters[4].Value = existing[placeholder].Id;
                    if (enrich.ExecuteNonQuery() == 1)
                    {
                        existing[placeholder] = existing[placeholder] with { Entity = row.Entity, Label = row.Label };
                        report.StillListed++;
                        continue;
                    }
                }
            }

            if (Insert(insert, row with { ListKey = listKey, ValidFrom = date, ValidTo = null }))
            {
                report.TagsImported++;
            }
            else
            {
                report.Duplicates++;
            }
        }

        using var close = _db.CreateCommand();
        close.Transaction = tx;
        close.CommandText = "UPDATE tags SET valid_to = $d WHERE id = $id";
        close.Parameters.AddWithValue("$d", date);
        close.Parameters.Add(new SqliteParameter("$id", null));
        foreach (var (key, ids) in active.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (seen.Contains(key))
            {
                continue;
            }

            foreach (var listed in ids)
            {
                close.Parameters[1].Value = listed.Id;
                close.ExecuteNonQuery();
                report.Delisted++;
            }
        }

        tx.Commit();
    }

    private sealed record ListedRow(long Id, string? Entity, string Label);

    public List<TagRow> List(TagQuery q)
    {
        var where = new List<string>();
        using var cmd = _db.CreateCommand();
        void Filter(string column, string? value)
        {
            if (value is not null)
            {
                where.Add($"{column} = ${column}");
                cmd.Parameters.AddWithValue("$" + column, value);
            }
        }

        Filter("actor", q.Actor);
        Filter("category", q.Category);
        Filter("currency", q.Currency is null ? null : AddressRules.NormalizeCurrency(q.Currency));
        Filter("source", q.Source);
        if (!q.IncludeDelisted)
        {
            where.Add("valid_to IS NULL");
        }

        cmd.CommandText = $"SELECT {Columns} FROM tags {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} " +
            "ORDER BY address, currency, source, label LIMIT $limit";
        cmd.Parameters.AddWithValue("$limit", q.Limit <= 0 ? long.MaxValue : q.Limit);
        return ReadTags(cmd);
    }

    /// <summary>Tags whose address is <paramref name="text"/> (canonical forms tried), else whose label or actor contains it (case-insensitive).</summary>
    public List<TagRow> Search(string text, int limit)
    {
        var t = text.Trim();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM tags WHERE address IN ($a, $lower) ORDER BY address, currency, source, label LIMIT $limit";
        cmd.Parameters.AddWithValue("$a", t);
        cmd.Parameters.AddWithValue("$lower", t.ToLowerInvariant());
        cmd.Parameters.AddWithValue("$limit", limit <= 0 ? long.MaxValue : limit);
        var exact = ReadTags(cmd);
        if (exact.Count > 0)
        {
            return exact;
        }

        using var like = _db.CreateCommand();
        like.CommandText = $"""
            SELECT {Columns} FROM tags WHERE instr(lower(label), $t) > 0 OR instr(lower(COALESCE(actor, '')), $t) > 0
            ORDER BY address, currency, source, label LIMIT $limit
            """;
        like.Parameters.AddWithValue("$t", t.ToLowerInvariant());
        like.Parameters.AddWithValue("$limit", limit <= 0 ? long.MaxValue : limit);
        return ReadTags(like);
    }

    private static List<TagRow> ReadTags(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<TagRow>();
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (r.Read())
        {
            list.Add(new TagRow
            {
                Address = r.GetString(0),
                Currency = r.GetString(1),
                Network = S(2),
                Label = r.GetString(3),
                Category = S(4),
                Abuse = S(5),
                Actor = S(6),
                Entity = S(7),
                Source = r.GetString(8),
                Confidence = S(9),
                ConfidenceLevel = r.IsDBNull(10) ? null : r.GetInt32(10),
                IsClusterDefiner = r.GetInt64(11) != 0,
                Concepts = S(12),
                Context = S(13),
                TagPackFile = S(14),
                TagPackTitle = S(15),
                LastMod = S(16),
                ListKey = S(17),
                ValidFrom = S(18),
                ValidTo = S(19),
            });
        }

        return list;
    }

    public List<ActorRow> Actors()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, label, jurisdictions, categories, aliases, uri, context, source FROM actors ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<ActorRow>();
        static List<string> Split(string s, char c) => s.Length == 0 ? [] : s.Split(c).ToList();
        while (r.Read())
        {
            list.Add(new ActorRow
            {
                Id = r.GetString(0),
                Label = r.GetString(1),
                Jurisdictions = Split(r.GetString(2), ','),
                Categories = Split(r.GetString(3), ','),
                Aliases = Split(r.GetString(4), '|'),
                Uri = r.IsDBNull(5) ? null : r.GetString(5),
                Context = r.IsDBNull(6) ? null : r.GetString(6),
                Source = r.IsDBNull(7) ? null : r.GetString(7),
            });
        }

        return list;
    }

    public List<EntityRow> Entities()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, name, category, country, actor, source FROM entities ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<EntityRow>();
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        while (r.Read())
        {
            list.Add(new EntityRow(r.GetString(0), r.GetString(1), S(2), S(3), S(4), S(5)));
        }

        return list;
    }

    public TagCounts Counts()
    {
        long Scalar(string sql)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        return new TagCounts(Scalar("SELECT COUNT(*) FROM tags"), Scalar("SELECT COUNT(*) FROM tags WHERE valid_to IS NULL"),
            Scalar("SELECT COUNT(*) FROM actors"), Scalar("SELECT COUNT(*) FROM entities"), Scalar("SELECT COUNT(DISTINCT source) FROM tags"));
    }

    /// <summary>All sources, sorted.</summary>
    public List<string> Sources()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT source FROM tags ORDER BY source";
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    internal static string FileNameFor(string source)
    {
        var sb = new StringBuilder();
        foreach (var ch in source)
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_');
            if (sb.Length >= 60)
            {
                break;
            }
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..8];
        return $"{sb.ToString().Trim('_', '.')}-{hash}.yaml";
    }
}
