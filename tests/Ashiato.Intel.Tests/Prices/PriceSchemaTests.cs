using Ashiato.Intel.Prices;
using Ashiato.Storage;
using Microsoft.Data.Sqlite;

namespace Ashiato.Intel.Tests.Prices;

public sealed class PriceSchemaTests
{
    [Fact]
    public void A_schema_2_store_gains_the_price_tables_in_place_and_keeps_its_tags()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ashiato-v2-prices-" + Guid.NewGuid().ToString("N"));
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
                    INSERT INTO schema_version VALUES (2);
                    CREATE TABLE tags (id INTEGER PRIMARY KEY, address TEXT NOT NULL, currency TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL);
                    INSERT INTO tags (address, currency, label, source) VALUES ('1Archive1n2C579dMsAu3iC6tWzuQJz8dN', 'BTC', 'x', 's');
                    """;
                cmd.ExecuteNonQuery();
            }

            using (var meta = MetaDb.Open(path, TimeProvider.System))
            {
                Assert.Equal(3, meta.Version);
                var store = new PriceStore(meta);
                store.Replace([new ParsedPriceSeries(new PriceSeriesKey("BTC", "USD", "t"), "csv", ["t.csv"], [new DailyPrice(new DateOnly(2024, 1, 1), 42000.10m, null)])], null);
                using var count = meta.Connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM tags";
                Assert.Equal(1L, count.ExecuteScalar());
            }

            using (var again = MetaDb.Open(path, TimeProvider.System))
            {
                var row = Assert.Single(new PriceStore(again).Points());
                Assert.Equal(("2024-01-01", "42000.10"), (row.Date, row.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
