using System.CommandLine;
using System.Globalization;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine;
using MeshInABox.Lakehouse.Engine.Ingest;
using MeshInABox.Lakehouse.Engine.Tables;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh lake</c>: producers' commands for lakehouse (Iceberg) tables.</summary>
public static class LakeCommand
{
    public static Command Create() => new("lake", "Load, inspect, roll back and expire lakehouse tables (Apache Iceberg).")
    {
        Ingest(), Snapshots(), Rollback(), Expire(),
    };

    private static Option<string?> LakeOption() => new("--lake") { Description = "The lake root (default: <data-dir>/lake).", HelpName = "DIR" };

    private static string LakeRoot(ParseResult result, Option<string?> lake, Option<string> dataDirectory) =>
        result.GetValue(lake) ?? Path.Combine(result.GetValue(dataDirectory)!, "lake");

    private static Command Ingest()
    {
        var file = new Argument<string>("file") { Description = "CSV file to load." };
        var table = new Option<string>("--table") { Description = "domain.product.table", Required = true };
        var contract = new Option<string>("--contract") { Description = "The ODCS contract the data must meet.", Required = true };
        var mode = new Option<string>("--mode") { Description = "append, overwrite (whole table) or overwrite-partitions.", DefaultValueFactory = _ => "append" };
        mode.AcceptOnlyFromAmong("append", "overwrite", "overwrite-partitions");
        var template = new Option<string?>("--template") { Description = $"Storage template for a new table: {string.Join(", ", StorageTemplates.All)}." };
        var lake = LakeOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("ingest", "Load a CSV into a table, enforcing the contract; prints the new snapshot id. Exit 1 with the violations, committing nothing.")
        {
            file, table, contract, mode, template, lake, dataDirectory,
        };
        command.SetAction(result => Guard(() =>
        {
            var name = LakeTableName.Parse(result.GetValue(table)!);
            var read = ContractReader.Read(File.ReadAllText(result.GetValue(contract)!), result.GetValue(contract)!);
            if (!read.IsValid)
            {
                foreach (var error in read.Errors)
                {
                    ErrorOutput.Write(error.ToString());
                }

                return 2;
            }

            var writeMode = result.GetValue(mode) switch
            {
                "overwrite" => TableWriter.Mode.Overwrite,
                "overwrite-partitions" => TableWriter.Mode.OverwritePartitions,
                _ => TableWriter.Mode.Append,
            };
            var outcome = AnsiConsole.Status().Start($"Loading {result.GetValue(file)} into {name}...", _ =>
                LakeIngest.Run(result.GetValue(file)!, name, read.Contract, writeMode, LakeRoot(result, lake, dataDirectory), result.GetValue(template)));
            if (!outcome.Committed)
            {
                foreach (var violation in outcome.Violations)
                {
                    ErrorOutput.Write($"{result.GetValue(file)}:{violation.Line}: {violation.Message}");
                }

                ErrorOutput.Write($"{outcome.Violations.Count} violation(s) of the contract: nothing was committed.");
                return 1;
            }

            foreach (var change in outcome.SchemaChanges)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]{change}[/]");
            }

            AnsiConsole.MarkupLineInterpolated($"[green]✓[/] {outcome.Rows:N0} rows committed to {name} as snapshot");
            Console.WriteLine(outcome.Snapshot!.SnapshotId.ToString(CultureInfo.InvariantCulture));
            return 0;
        }));
        return command;
    }

    private static Command Snapshots()
    {
        var table = new Argument<string>("table") { Description = "domain.product.table" };
        var lake = LakeOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var format = CommonOptions.Format();
        var command = new Command("snapshots", "List a table's snapshots, newest first.") { table, lake, dataDirectory, format };
        command.SetAction(result => Guard(() =>
        {
            var opened = IcebergTable.Open(LakeTableName.Parse(result.GetValue(table)!).DirectoryIn(LakeRoot(result, lake, dataDirectory)));
            var snapshots = opened.Metadata.Snapshots.OrderByDescending(s => s.SequenceNumber).Select(s => new
            {
                snapshotId = s.SnapshotId,
                parentId = s.ParentSnapshotId,
                timestamp = s.Timestamp,
                operation = s.Operation,
                totalRecords = s.Summary.GetValueOrDefault("total-records"),
                current = s.SnapshotId == opened.Metadata.CurrentSnapshotId,
            }).ToList();
            if (result.GetValue(format) == OutputFormat.Json)
            {
                CliJson.Write(snapshots);
                return 0;
            }

            var view = new Table().AddColumns("snapshot", "time (UTC)", "operation", "rows", "");
            foreach (var s in snapshots)
            {
                view.AddRow(s.snapshotId.ToString(CultureInfo.InvariantCulture), s.timestamp.ToString("u", CultureInfo.InvariantCulture), s.operation, s.totalRecords ?? "", s.current ? "current" : "");
            }

            AnsiConsole.Write(view);
            return 0;
        }));
        return command;
    }

    private static Command Rollback()
    {
        var table = new Argument<string>("table") { Description = "domain.product.table" };
        var to = new Option<long>("--to") { Description = "The snapshot to make current again.", Required = true };
        var lake = LakeOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("rollback", "Make an earlier snapshot current again (history is kept).") { table, to, lake, dataDirectory };
        command.SetAction(result => Guard(() =>
        {
            var name = LakeTableName.Parse(result.GetValue(table)!);
            TableWriter.Rollback(name.DirectoryIn(LakeRoot(result, lake, dataDirectory)), result.GetValue(to));
            AnsiConsole.MarkupLineInterpolated($"[green]✓[/] {name} is at snapshot {result.GetValue(to)}");
            return 0;
        }));
        return command;
    }

    private static Command Expire()
    {
        var table = new Argument<string>("table") { Description = "domain.product.table" };
        var keep = new Option<int?>("--keep") { Description = "How many of the newest snapshots to keep." };
        keep.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--keep must be at least 1.");
            }
        });
        var window = new Option<TimeSpan?>("--keep-within") { Description = "Also keep every snapshot newer than this (e.g. 7.00:00:00 for 7 days)." };
        var lake = LakeOption();
        var dataDirectory = CommonOptions.DataDirectory();
        var command = new Command("expire", "Drop old snapshots (keeping the newest --keep and those within --keep-within) and the files only they used; also removes files failed commits left over an hour ago.")
        {
            table, keep, window, lake, dataDirectory,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(keep) is null && r.GetValue(window) is null)
            {
                r.AddError("Say what to keep: --keep N and/or --keep-within DURATION.");
            }
        });
        command.SetAction(result => Guard(() =>
        {
            var directory = LakeTableName.Parse(result.GetValue(table)!).DirectoryIn(LakeRoot(result, lake, dataDirectory));
            var expired = TableMaintenance.Expire(directory, result.GetValue(keep),
                result.GetValue(window) is { } within ? DateTimeOffset.UtcNow - within : null);
            var orphans = TableMaintenance.RemoveOrphans(directory, DateTimeOffset.UtcNow.AddHours(-1));
            AnsiConsole.MarkupLineInterpolated($"[green]✓[/] expired {expired.ExpiredSnapshots.Count} snapshot(s), deleted {expired.DeletedFiles} file(s) and {orphans.Count} orphan file(s)");
            return 0;
        }));
        return command;
    }

    /// <summary>Known failures become one clear message and exit code 2; nothing else is caught.</summary>
    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception error) when (error is LakehouseException or IcebergFormatException or IcebergCommitException or DocumentParseException or IOException)
        {
            ErrorOutput.Write(error.Message);
            return 2;
        }
    }
}
