using Ashiato.Core;
using Ashiato.Storage;

namespace Ashiato.Intel.Incidents;

/// <summary>
/// Imports IncidentPacks (files, or directories searched recursively for *.yaml and *.yml) into an
/// <see cref="IncidentStore"/>, one SQLite transaction per file: an incident id imported again replaces the stored one.
/// Malformed YAML stops the import with a located error (files before it stay imported). When a <see cref="StoreDirectory"/>
/// is given, each theft transaction on a chain the store holds is looked up; one the store does not have is a warning
/// naming the incident, the transaction and where it is written (the incident is kept).
/// </summary>
public sealed class IncidentImporter(IncidentStore incidents, StoreDirectory? chains = null)
{
    public IncidentImportReport Import(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new UserErrorException($"{p}: no such file or directory");
            }
        }

        var report = new IncidentImportReport();
        using var lookup = chains is null ? null : new TheftTxLookup(chains);
        foreach (var file in files)
        {
            ImportFile(file, report, lookup);
        }

        return report;
    }

    private void ImportFile(string file, IncidentImportReport report, TheftTxLookup? lookup)
    {
        report.Files++;
        YNode? root;
        using (var reader = new StreamReader(file))
        {
            root = YamlTree.Load(reader, file);
        }

        if (root is not YMapping map)
        {
            throw new UserErrorException($"{file}:1:1: expected an IncidentPack (a YAML mapping with 'title' and 'incidents')");
        }

        var read = IncidentPackReader.Read(map, file, report);
        foreach (var r in read)
        {
            foreach (var (chain, tx, where) in r.TxLocations)
            {
                if (lookup is null)
                {
                    report.TransactionsNotChecked++;
                    continue;
                }

                var incidentChain = r.Incident.Chains.First(c => c.Chain == chain);
                var check = lookup.Check(incidentChain, tx);
                switch (check.Presence)
                {
                    case TxPresence.Found:
                        report.TransactionsFound++;
                        break;
                    case TxPresence.Missing:
                        report.TransactionsMissing++;
                        report.Warn($"{where}: incident '{r.Incident.Id}': theft transaction {tx.TxId}{Output(tx)} is {check.Detail} (incident kept)");
                        break;
                    default:
                        report.TransactionsNotChecked++;
                        break;
                }
            }
        }

        report.Replaced += incidents.Replace(read.Select(r => r.Incident).ToList());
        report.Imported += read.Count;
    }

    private static string Output(TheftTransaction tx) =>
        tx.OutputIndex is { } o ? $" output {o}" : tx.LogIndex is { } l ? $" log {l}" : "";
}
