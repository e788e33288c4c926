using Ashiato.Core;
using Ashiato.Intel.Prices;

namespace Ashiato.Intel.Tests.Prices;

/// <summary>
/// Bad input: an error naming file, line (or JSON path) and field, and nothing stored changes — the series imported
/// before from the same source is still there, point for point.
/// </summary>
public sealed class PriceBadInputTests : IDisposable
{
    private readonly PriceScratch _s = new();
    private readonly List<string> _before;

    public PriceBadInputTests()
    {
        _s.Import(new PriceImportOptions("BTC", "USD", "vendor"), _s.Write("good.csv", "date,price\n2024-01-01,42000.5\n2024-01-02,43000.25\n"));
        _before = _s.Dump();
        Assert.Equal(2, _before.Count);
    }

    private UserErrorException Fails(string name, string text)
    {
        var path = _s.Write(name, text);
        var e = Assert.Throws<UserErrorException>(() => _s.Import(new PriceImportOptions("BTC", "USD", "vendor"), path));
        Assert.Equal(_before, _s.Dump());
        Assert.Equal(2, Assert.Single(_s.Prices.Series()).Points);
        return e;
    }

    [Fact]
    public void Bad_date_names_file_line_and_field()
    {
        var e = Fails("bad-date.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-13-45,3\n");
        Assert.Matches(@"bad-date\.csv:4: field date: '2024-13-45' is not a date", e.Message);
    }

    [Fact]
    public void Non_numeric_price_names_file_line_and_field()
    {
        var e = Fails("bad-price.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-03,n/a\n");
        Assert.Matches(@"bad-price\.csv:4: field price: 'n/a' is not a number", e.Message);
    }

    [Fact]
    public void Thousands_separator_is_refused_rather_than_read_as_another_column()
    {
        var e = Fails("thousands.csv", "date,price\n2024-01-01,1\n2024-01-02,12,345.00\n");
        Assert.Matches(@"thousands\.csv:3: 3 field\(s\), expected 2", e.Message);
    }

    [Fact]
    public void Zero_or_negative_price_is_refused_not_stored_as_a_price()
    {
        var e = Fails("zero.csv", "date,price\n2024-01-01,0\n");
        Assert.Matches(@"zero\.csv:2: field price: price 0 is not positive", e.Message);
    }

    [Fact]
    public void Empty_file_and_header_only_file_are_errors()
    {
        Assert.Matches(@"empty\.csv: empty file", Fails("empty.csv", "").Message);
        Assert.Matches(@"header\.csv: no price points", Fails("header.csv", "date,price\n\n").Message);
    }

    [Fact]
    public void Duplicate_date_with_a_different_price_names_both_lines()
    {
        var e = Fails("dup.csv", "date,price\n2024-01-01,1\n2024-01-02,2\n2024-01-01,1.5\n");
        Assert.Contains("dup.csv:4: field price: duplicate date 2024-01-01 with a different price (1.5; ", e.Message, StringComparison.Ordinal);
        Assert.Contains("dup.csv:2 has 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CryptoCompare_error_answer_gives_its_message()
    {
        var e = Fails("cc.json", """{"Response":"Error","Message":"You are over your rate limit please upgrade your account!","HasWarning":false,"Type":99,"Data":{}}""");
        Assert.Equal("""cc.json: CryptoCompare answered Response "Error": You are over your rate limit please upgrade your account!""",
            e.Message[(e.Message.IndexOf("cc.json", StringComparison.Ordinal))..]);
    }

    [Fact]
    public void Malformed_json_names_line_and_column()
    {
        var e = Fails("broken.json", "{\"prices\": [\n  [1704067200000, 42000.5],\n  [1704153600000, ]\n]}");
        Assert.Matches(@"broken\.json:3:\d+: malformed JSON", e.Message);
    }

    [Fact]
    public void CoinGecko_point_with_a_string_price_names_its_json_path()
    {
        var e = Fails("cg.json", """{"prices":[[1704067200000,42000.5],[1704153600000,"43000"]]}""");
        Assert.Matches(@"cg\.json: \$\.prices\[1\]\[1\]: ""43000"" is not a number", e.Message);
    }

    [Fact]
    public void Timestamps_in_milliseconds_in_a_seconds_csv_are_refused()
    {
        var e = Fails("ms.csv", "timestamp,price\n1704067200000,1\n");
        Assert.Matches(@"ms\.csv:2: field date: '1704067200000' is out of range for unix seconds", e.Message);
    }

    [Fact]
    public void A_bad_second_file_leaves_the_first_file_of_the_same_import_unwritten()
    {
        var good = _s.Write("new-good.csv", "date,price\n2024-02-01,50000\n");
        var bad = _s.Write("new-bad.csv", "date,price\n2024-02-02,x\n");
        Assert.Throws<UserErrorException>(() => _s.Import(new PriceImportOptions("BTC", "USD", "vendor"), good, bad));
        Assert.Equal(_before, _s.Dump());
    }

    [Fact]
    public void Unknown_pair_without_options_asks_for_asset_and_fiat()
    {
        var path = _s.Write("export.csv", "date,price\n2024-01-01,1\n");
        var e = Assert.Throws<UserErrorException>(() => _s.Import(path));
        Assert.Contains("export.csv: which asset and fiat", e.Message, StringComparison.Ordinal);
        Assert.Equal(_before, _s.Dump());
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_a_located_error()
    {
        var path = Path.Combine(_s.FilesDir, "latin1.csv");
        File.WriteAllBytes(path, [.. "date,price\n2024-01-01,1\n"u8, 0xE9, (byte)'\n']);
        var e = Assert.Throws<UserErrorException>(() => _s.Import(new PriceImportOptions("BTC", "USD", "vendor"), path));
        Assert.Matches(@"latin1\.csv: not UTF-8 text \(byte offset", e.Message);
        Assert.Equal(_before, _s.Dump());
    }

    public void Dispose() => _s.Dispose();
}
