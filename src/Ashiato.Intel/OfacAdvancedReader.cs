using System.Globalization;
using System.Xml;
using Ashiato.Core;

namespace Ashiato.Intel;

/// <summary>One SDN party with digital currency addresses.</summary>
public sealed record OfacParty(long ProfileId, string Name, IReadOnlyList<string> Aliases, IReadOnlyList<OfacAddress> Addresses, IReadOnlyList<string> Programs);

/// <summary>An address from a "Digital Currency Address - XXX" feature; Currency is the suffix of the feature type name.</summary>
public sealed record OfacAddress(string Currency, string Address);

public sealed record OfacList(string Date, IReadOnlyList<OfacParty> Parties);

/// <summary>
/// Streams the OFAC SDN Advanced XML (XmlReader; the 121 MB file is never held as a DOM). Digital currency feature
/// types are found by name ("Digital Currency Address - …"), not by id; programs are the comments of the sanctions
/// measures whose type is named "Program" (e.g. DPRK3).
/// </summary>
public static class OfacAdvancedReader
{
    public const string FeaturePrefix = "Digital Currency Address - ";

    public static OfacList Read(Stream stream, string display)
    {
        var settings = new XmlReaderSettings { IgnoreWhitespace = true, IgnoreComments = true, DtdProcessing = DtdProcessing.Prohibit };
        using var r = XmlReader.Create(stream, settings);
        try
        {
            return ReadCore(r, display);
        }
        catch (XmlException e)
        {
            throw new UserErrorException($"{display}:{e.LineNumber}:{e.LinePosition}: malformed XML: {e.Message}");
        }
    }

    private static OfacList ReadCore(XmlReader r, string display)
    {
        var featureCurrency = new Dictionary<string, string>(StringComparer.Ordinal);
        var programTypeIds = new HashSet<string>(StringComparer.Ordinal);
        var parties = new Dictionary<long, (string Name, List<string> Aliases, List<OfacAddress> Addresses)>();
        var programs = new Dictionary<long, SortedSet<string>>();
        int? year = null, month = null, day = null;
        var inDate = false;
        long profile = -1;
        string? primaryName = null;
        var aliases = new List<string>();
        var addresses = new List<OfacAddress>();
        List<string>? aliasParts = null;
        var aliasPrimary = false;
        var aliasLowQuality = false;
        var docNames = 0;
        string? featureCurrencyNow = null;
        long entryProfile = -1;
        var measureIsProgram = false;
        var sawRoot = false;

        while (!r.EOF)
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                switch (r.LocalName)
                {
                    case "Sanctions":
                        sawRoot = true;
                        break;
                    case "DateOfIssue":
                        inDate = true;
                        break;
                    case "Year" or "Month" or "Day" when inDate:
                    {
                        var name = r.LocalName;
                        var v = r.ReadElementContentAsInt();
                        if (name == "Year")
                        {
                            year = v;
                        }
                        else if (name == "Month")
                        {
                            month = v;
                        }
                        else
                        {
                            day = v;
                        }

                        continue;
                    }

                    case "FeatureType":
                    {
                        var id = r.GetAttribute("ID") ?? "";
                        var text = r.ReadElementContentAsString().Trim();
                        if (text.StartsWith(FeaturePrefix, StringComparison.Ordinal))
                        {
                            featureCurrency[id] = text[FeaturePrefix.Length..].Trim();
                        }

                        continue;
                    }

                    case "SanctionsType":
                    {
                        var id = r.GetAttribute("ID") ?? "";
                        if (r.ReadElementContentAsString().Trim() == "Program")
                        {
                            programTypeIds.Add(id);
                        }

                        continue;
                    }

                    case "Profile":
                        profile = long.Parse(r.GetAttribute("ID") ?? "-1", CultureInfo.InvariantCulture);
                        primaryName = null;
                        aliases = [];
                        addresses = [];
                        break;
                    case "Alias" when profile >= 0:
                        aliasParts = [];
                        docNames = 0;
                        aliasPrimary = r.GetAttribute("Primary") == "true";
                        aliasLowQuality = r.GetAttribute("LowQuality") == "true";
                        break;
                    case "DocumentedName" when aliasParts is not null:
                        docNames++;
                        break;
                    case "NamePartValue" when aliasParts is not null:
                    {
                        var text = r.ReadElementContentAsString().Trim();
                        if (docNames <= 1)
                        {
                            aliasParts.Add(text);
                        }

                        continue;
                    }

                    case "Feature" when profile >= 0:
                        featureCurrencyNow = featureCurrency.GetValueOrDefault(r.GetAttribute("FeatureTypeID") ?? "");
                        break;
                    case "VersionDetail" when featureCurrencyNow is not null:
                    {
                        var text = r.ReadElementContentAsString().Trim();
                        if (text.Length > 0)
                        {
                            addresses.Add(new OfacAddress(featureCurrencyNow, text));
                        }

                        continue;
                    }

                    case "SanctionsEntry":
                        entryProfile = long.Parse(r.GetAttribute("ProfileID") ?? "-1", CultureInfo.InvariantCulture);
                        break;
                    case "SanctionsMeasure" when entryProfile >= 0:
                        measureIsProgram = programTypeIds.Contains(r.GetAttribute("SanctionsTypeID") ?? "");
                        break;
                    case "Comment" when measureIsProgram:
                    {
                        var text = r.ReadElementContentAsString().Trim();
                        if (text.Length > 0 && parties.ContainsKey(entryProfile))
                        {
                            if (!programs.TryGetValue(entryProfile, out var set))
                            {
                                programs[entryProfile] = set = new SortedSet<string>(StringComparer.Ordinal);
                            }

                            set.Add(text);
                        }

                        continue;
                    }
                }
            }
            else if (r.NodeType == XmlNodeType.EndElement)
            {
                switch (r.LocalName)
                {
                    case "DateOfIssue":
                        inDate = false;
                        break;
                    case "Alias" when aliasParts is not null:
                        var name = string.Join(' ', aliasParts);
                        if (name.Length > 0)
                        {
                            if (aliasPrimary && primaryName is null)
                            {
                                primaryName = name;
                            }
                            else if (!aliasLowQuality)
                            {
                                aliases.Add(name);
                            }
                        }

                        aliasParts = null;
                        break;
                    case "Feature":
                        featureCurrencyNow = null;
                        break;
                    case "Profile":
                        if (addresses.Count > 0)
                        {
                            parties[profile] = (primaryName ?? $"SDN profile {profile}", aliases, addresses);
                        }

                        profile = -1;
                        break;
                    case "SanctionsEntry":
                        entryProfile = -1;
                        break;
                    case "SanctionsMeasure":
                        measureIsProgram = false;
                        break;
                }
            }

            r.Read();
        }

        if (!sawRoot)
        {
            throw new UserErrorException($"{display}: not an OFAC SDN Advanced XML file (no <Sanctions> root)");
        }

        if (year is null || month is null || day is null)
        {
            throw new UserErrorException($"{display}: the SDN list has no DateOfIssue");
        }

        if (featureCurrency.Count == 0)
        {
            throw new UserErrorException($"{display}: no feature type named '{FeaturePrefix}…' in the list");
        }

        var date = new DateOnly(year.Value, month.Value, day.Value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var list = parties.OrderBy(p => p.Key)
            .Select(p => new OfacParty(p.Key, p.Value.Name, p.Value.Aliases, p.Value.Addresses,
                programs.TryGetValue(p.Key, out var s) ? s.ToList() : []))
            .ToList();
        return new OfacList(date, list);
    }
}

/// <summary>
/// The explicit SDN party → actor rule: a party belongs to the actor whose id or label equals, after normalisation (lower
/// case, letters and digits only), the party's primary name or one of its good-quality aliases ("LAZARUS GROUP" and
/// "Lazarus Group" → actor <c>lazarusgroup</c>). Names that normalise to fewer than 4 characters, or to more than one
/// actor, match nothing.
/// </summary>
public sealed class OfacActorMatcher
{
    private readonly Dictionary<string, string?> _byName = new(StringComparer.Ordinal);

    public OfacActorMatcher(IEnumerable<ActorRow> actors)
    {
        foreach (var a in actors.OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            foreach (var key in new[] { Normalize(a.Id), Normalize(a.Label) }.Distinct())
            {
                if (key.Length < 4)
                {
                    continue;
                }

                if (_byName.TryGetValue(key, out var existing) && existing != a.Id)
                {
                    _byName[key] = null; // ambiguous
                }
                else
                {
                    _byName[key] = a.Id;
                }
            }
        }
    }

    public static string Normalize(string name) => new(name.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>The actor id for a party, or null.</summary>
    public string? Match(string primaryName, IEnumerable<string> aliases)
    {
        foreach (var name in aliases.Prepend(primaryName))
        {
            if (_byName.TryGetValue(Normalize(name), out var id) && id is not null)
            {
                return id;
            }
        }

        return null;
    }
}
