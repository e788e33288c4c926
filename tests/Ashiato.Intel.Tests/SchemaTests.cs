using Ashiato.Storage;
using Microsoft.Data.Sqlite;

namespace Ashiato.Intel.Tests;

public sealed class SchemaTests
{
    [Fact]
    public void A_schema_1_store_is_upgraded_to_3_in_place_and_keeps_its_rows()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ashiato-v1-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "meta.sqlite");
        try
        {
            using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                db.Open();
                using var cmd = db.CreateCommand();
                cmd.CommandText = """
                    CREATE TABLE schema_version (version INTEGER NOT NULL);
                    INSERT INTO schema_version VALUES (1);
                    CREATE TABLE chains (name TEXT PRIMARY KEY, family TEXT NOT NULL, network TEXT NOT NULL, created_utc TEXT NOT NULL);
                    INSERT INTO chains VALUES ('btc', 'utxo', 'bitcoin', '2026-01-01T00:00:00Z');
                    CREATE TABLE ingest_runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, chain TEXT NOT NULL, source TEXT NOT NULL,
                        started_utc TEXT NOT NULL, finished_utc TEXT, status TEXT NOT NULL,
                        from_height INTEGER, to_height INTEGER, blocks INTEGER NOT NULL DEFAULT 0, message TEXT);
                    INSERT INTO ingest_runs (chain, source, started_utc, status, blocks) VALUES ('btc', 'blocks', '2026-01-01T00:00:00Z', 'ok', 7);
                    """;
                cmd.ExecuteNonQuery();
            }

            using (var meta = MetaDb.Open(path, TimeProvider.System))
            {
                Assert.Equal(3, meta.Version);
                Assert.Equal(7, Assert.Single(meta.Runs("btc", 10)).Blocks);
                var tags = new TagStore(meta);
                var report = new ImportReport();
                tags.InsertTags([new TagRow { Address = "1Archive1n2C579dMsAu3iC6tWzuQJz8dN", Currency = "BTC", Label = "x", Source = "s" }], report);
                Assert.Equal(1, tags.Counts().Tags);
            }

            using (var again = MetaDb.Open(path, TimeProvider.System))
            {
                Assert.Equal(3, again.Version);
                Assert.Equal(1, new TagStore(again).Counts().Tags);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_new_store_starts_at_schema_3()
    {
        using var store = new TempStore();
        Assert.Equal(MetaDb.SchemaVersion, store.Store.Meta.Version);
        Assert.Equal(3, MetaDb.SchemaVersion);
    }

    [Fact]
    public void Ofac_actor_matching_is_by_normalised_name()
    {
        var matcher = new OfacActorMatcher([
            new ActorRow { Id = "lazarusgroup", Label = "Lazarus Group" },
            new ActorRow { Id = "abc", Label = "Same Name" },
            new ActorRow { Id = "abd", Label = "Same Name" },
        ]);
        Assert.Equal("lazarusgroup", matcher.Match("LAZARUS GROUP", []));
        Assert.Equal("lazarusgroup", matcher.Match("Someone", ["Lazarus-Group"]));
        Assert.Null(matcher.Match("Same Name", []));
        Assert.Null(matcher.Match("ABC", []));
    }
}
