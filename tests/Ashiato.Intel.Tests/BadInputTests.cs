using Ashiato.Core;

namespace Ashiato.Intel.Tests;

public sealed class BadInputTests : IDisposable
{
    private readonly TempStore _store = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ashiato-intel-in-" + Guid.NewGuid().ToString("N"));

    public BadInputTests() => Directory.CreateDirectory(_dir);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Header = """
        title: Test pack
        creator: tests
        source: https://example.org/list
        label: Example exchange
        category: exchange
        confidence: service_data
        currency: BTC
        tags:

        """;

    [Fact]
    public void Malformed_yaml_names_file_line_and_column()
    {
        var path = Write("bad.yaml", "title: x\ncreator: y\ntags:\n- address: [unclosed\n  currency: BTC\n");
        var e = Assert.Throws<UserErrorException>(() => _store.Import(path));
        Assert.Matches(@"bad\.yaml:\d+:\d+: malformed YAML", e.Message);
        Assert.Equal(0, _store.Tags.Counts().Tags);
    }

    [Fact]
    public void Unknown_category_warns_and_keeps_the_tag()
    {
        var path = Write("cat.yaml", Header + "- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  category: not_a_category\n");
        var report = _store.Import(path);
        Assert.Equal(1, report.TagsImported);
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("cat.yaml:10:", warning, StringComparison.Ordinal);
        Assert.Contains("unknown category 'not_a_category'", warning, StringComparison.Ordinal);
        Assert.Equal("not_a_category", Assert.Single(_store.Tags.List(new TagQuery())).Category);
    }

    [Fact]
    public void Invalid_address_rejects_that_tag_with_the_reason_and_imports_the_rest()
    {
        var path = Write("addr.yaml", Header + """
            - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
            - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dX
            - address: '0xfa8e3920daf271dab92be9b87d9998ddd94fef08'
              currency: ETH
            - address: '0xFA8E3920daF271daB92Be9B87d9998DDd94FEF09'
              currency: ETH
            - address: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4
            """);
        var report = _store.Import(path);
        Assert.Equal(5, report.TagsRead);
        Assert.Equal(3, report.TagsImported);
        Assert.Equal(2, report.Rejected);
        Assert.Contains(report.Rejections, r => r.Contains("addr.yaml:10:3", StringComparison.Ordinal) && r.Contains("not a valid bitcoin mainnet address", StringComparison.Ordinal));
        Assert.Contains(report.Rejections, r => r.Contains("addr.yaml:13:3", StringComparison.Ordinal) && r.Contains("EIP-55", StringComparison.Ordinal));
        var addresses = _store.Tags.List(new TagQuery()).Select(t => t.Address).ToList();
        Assert.Contains("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", addresses); // bech32 stored lower-case
        Assert.Contains("0xfa8e3920daf271dab92be9b87d9998ddd94fef08", addresses); // EVM lower-case
    }

    [Fact]
    public void Duplicates_are_counted_and_skipped()
    {
        var path = Write("dup.yaml", Header + """
            - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
            - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
            - address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN
              label: Another label
            """);
        var first = _store.Import(path);
        Assert.Equal(2, first.TagsImported);
        Assert.Equal(1, first.Duplicates);
        var again = _store.Import(path);
        Assert.Equal(0, again.TagsImported);
        Assert.Equal(3, again.Duplicates);
        Assert.Equal(2, _store.Tags.Counts().Tags);
    }

    [Fact]
    public void Missing_required_field_rejects_the_tag()
    {
        var path = Write("missing.yaml", "title: t\ncreator: c\ntags:\n- address: 1Archive1n2C579dMsAu3iC6tWzuQJz8dN\n  currency: BTC\n  source: s\n");
        var report = _store.Import(path);
        Assert.Equal(0, report.TagsImported);
        Assert.Contains("missing.yaml:4:3: tag 1Archive1n2C579dMsAu3iC6tWzuQJz8dN has no 'label'", Assert.Single(report.Rejections), StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_imports_with_located_rejections()
    {
        var path = Write("tags.csv", """
            address,currency,label,category,actor,source,confidence
            1Archive1n2C579dMsAu3iC6tWzuQJz8dN,BTC,"Internet Archive, donations",organization,internet_archive,https://archive.org,service_data
            0xnothex,ETH,Bad,exchange,,https://example.org,forensic
            0xFA8E3920daF271daB92Be9B87d9998DDd94FEF08,eth,Archive ETH,organization,internet_archive,https://archive.org,nonsense
            """);
        var report = _store.Import(path);
        Assert.Equal(3, report.TagsRead);
        Assert.Equal(2, report.TagsImported);
        Assert.Contains("tags.csv:3:", Assert.Single(report.Rejections), StringComparison.Ordinal);
        Assert.Contains(report.Warnings, w => w.Contains("unknown confidence 'nonsense'", StringComparison.Ordinal));
        var first = _store.Tags.Search("1Archive1n2C579dMsAu3iC6tWzuQJz8dN", 10).Single();
        Assert.Equal("Internet Archive, donations", first.Label);
        Assert.Equal(80, first.ConfidenceLevel);
        Assert.Equal("ETH", _store.Tags.Search("archive eth", 10).Single().Currency);
    }

    [Fact]
    public void Csv_without_a_required_column_is_a_user_error()
    {
        var path = Write("nolabel.csv", "address,currency,source\n1Archive1n2C579dMsAu3iC6tWzuQJz8dN,BTC,x\n");
        var e = Assert.Throws<UserErrorException>(() => _store.Import(path));
        Assert.Contains("nolabel.csv:1: CSV header lacks column 'label'", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

public sealed class MalformedYamlTests
{
    [Theory]
    [InlineData("title: x\ncreator: y\ntags:\n- address: a\n  currency: 'unterminated\n", 5)]
    [InlineData("title: x\ncreator: y\ntags:\n- address: a\n currency: BTC\n", 5)]
    public void Syntax_errors_are_located(string text, int line)
    {
        var e = Assert.Throws<Ashiato.Core.UserErrorException>(() => YamlTree.Load(new StringReader(text), "p.yaml"));
        Assert.Matches($@"^p\.yaml:{line}:\d+: malformed YAML", e.Message);
    }
}
