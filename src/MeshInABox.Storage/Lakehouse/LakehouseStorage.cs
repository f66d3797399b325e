using System.Globalization;
using MeshInABox.Domain.Contracts;
using MeshInABox.Iceberg;
using MeshInABox.Iceberg.Metadata;
using MeshInABox.Iceberg.Writing;
using MeshInABox.Lakehouse.Engine;
using MeshInABox.Lakehouse.Engine.Tables;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Lakehouse;

/// <summary>
/// The <c>lakehouse</c> template: an output's Iceberg table at <c>&lt;lake&gt;/&lt;domain&gt;/&lt;product&gt;/&lt;output&gt;/</c>,
/// where the query service looks for it. Steps: the product's namespace folder, the table from the contract (created
/// atomically; later contracts may add optional columns), and the table properties the template manages.
/// </summary>
/// <param name="lakeRoot">The lake's root directory (the query service's LakeRoot).</param>
public sealed class LakehouseStorage(string lakeRoot, TimeProvider? time = null) : IStorageTemplate
{
    /// <summary>Table property: how long snapshots are kept, in milliseconds (Iceberg's own name, read by snapshot expiry).</summary>
    public const string MaxSnapshotAgeProperty = "history.expire.max-snapshot-age-ms";
    public const string ContractProperty = "meshinabox.contract";
    public const string ContractVersionProperty = "meshinabox.contract-version";
    public const string OwnerProperty = "meshinabox.owner";

    private readonly string _lakeRoot = Path.GetFullPath(lakeRoot);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => StorageTemplates.Lakehouse;

    public string LakeRoot => _lakeRoot;

    /// <summary>Test hook: stop after this many steps, as a run that died between two steps would.</summary>
    internal int? StopAfter { get; set; }

    /// <summary>The locator's entry for an output's table: <c>{"table": "&lt;domain&gt;/&lt;product&gt;/&lt;output&gt;"}</c>, the form its rules check.</summary>
    public static IReadOnlyDictionary<string, object?> LocationOf(LakeTableName table) =>
        new Dictionary<string, object?> { ["table"] = $"{table.Domain}/{table.Product}/{table.Table}" };

    public static LakeTableName TableOf(StorageTarget target) => LakeTableName.Parse($"{target.ProductId}.{target.Output}");

    public IReadOnlyList<string> Check(StorageSpec spec)
    {
        var errors = new List<string>();
        LakehouseParameters.Parse(spec, errors);
        return errors;
    }

    public Task<ProvisioningReport> ReconcileAsync(StorageTarget target, CancellationToken ct)
    {
        var results = new List<StepResult>();
        var errors = new List<string>();
        var parameters = LakehouseParameters.Parse(target.Spec, errors);
        LakeTableName? table = null;
        try
        {
            table = TableOf(target);
        }
        catch (LakehouseException error)
        {
            errors.Add(error.Message);
        }

        if (parameters is null || table is null)
        {
            results.Add(new StepResult("parameters", StepOutcome.Failed, string.Join(" ", errors)));
            return Task.FromResult(new ProvisioningReport(target.Output, Name, results, null));
        }

        (string Name, Func<StepResult> Run)[] steps =
        [
            ("namespace", () => Namespace(table)),
            ("table", () => Table(table, target, parameters)),
            ("properties", () => Properties(table, target, parameters)),
        ];
        foreach (var (name, step) in steps)
        {
            ct.ThrowIfCancellationRequested();
            if (results.Count == StopAfter)
            {
                break;
            }

            results.Add(Run(name, step));
            if (results[^1].Outcome == StepOutcome.Failed)
            {
                break;
            }
        }

        var complete = results.Count == steps.Length && results.All(r => r.Outcome != StepOutcome.Failed);
        return Task.FromResult(new ProvisioningReport(target.Output, Name, results, complete ? LocationOf(table) : null));
    }

    /// <inheritdoc cref="LakeArchive.ArchiveAsync"/>
    public Task<LakeArchive.Manifest> ArchiveAsync(LakeTableName table, string archiveDirectory, CancellationToken ct) =>
        LakeArchive.ArchiveAsync(table.DirectoryIn(_lakeRoot), table, archiveDirectory, _time, ct);

    /// <summary>A step's failure is its report, not an exception: later steps do not run.</summary>
    private static StepResult Run(string name, Func<StepResult> step)
    {
        try
        {
            return step();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or IcebergFormatException or IcebergCommitException or LakehouseException)
        {
            return new StepResult(name, StepOutcome.Failed, error.Message);
        }
    }

    private StepResult Namespace(LakeTableName table)
    {
        var folder = Path.GetDirectoryName(table.DirectoryIn(_lakeRoot))!;
        if (Directory.Exists(folder))
        {
            return new StepResult("namespace", StepOutcome.Unchanged, $"{folder} exists.");
        }

        Directory.CreateDirectory(folder);
        return new StepResult("namespace", StepOutcome.Changed, $"created {folder}.");
    }

    private StepResult Table(LakeTableName table, StorageTarget target, LakehouseParameters parameters)
    {
        const string step = "table";
        var directory = table.DirectoryIn(_lakeRoot);
        if (target.Contract.ObjectFor(target.Output) is not { } contract)
        {
            return new StepResult(step, StepOutcome.Failed,
                $"The contract has no object for output '{target.Output}' (it has {string.Join(", ", target.Contract.Schema.Select(o => o.Name))}).");
        }

        if (!Exists(directory))
        {
            var schema = ContractTableSchema.From(contract);
            var spec = Partitioning(parameters, contract, schema);
            try
            {
                // The exclusive creation of v1.metadata.json is the commit: a half-made table is never visible.
                TableWriter.Create(directory, schema, spec, time: _time);
                return new StepResult(step, StepOutcome.Changed, $"created {table} ({Describe(spec, schema)}).");
            }
            catch (IcebergCommitException)
            {
                // Another run created it first: check it like any existing table.
            }
        }

        var current = IcebergTable.Open(directory).Metadata;
        var contractSchema = ContractTableSchema.From(contract, current.CurrentSchema);
        var wanted = Describe(Partitioning(parameters, contract, contractSchema), contractSchema);
        var actual = Describe(current.SpecById(current.DefaultSpecId), current.CurrentSchema);
        if (wanted != actual)
        {
            return new StepResult(step, StepOutcome.Failed,
                $"{table} is {actual}, but the output declares {wanted}; changing the partitioning of an existing table is not supported. Nothing was changed.");
        }

        var plan = SchemaPlan.For(current.CurrentSchema, contract);
        if (plan.Refusal is { } refusal)
        {
            return new StepResult(step, StepOutcome.Failed, refusal);
        }

        if (plan.Unchanged)
        {
            return new StepResult(step, StepOutcome.Unchanged, $"{table} has the contract's schema.");
        }

        TableWriter.AddColumns(directory, plan.AddColumns, _time);
        return new StepResult(step, StepOutcome.Changed, $"added optional columns {string.Join(", ", plan.AddColumns.Select(c => c.Name))} to {table}.");
    }

    private StepResult Properties(LakeTableName table, StorageTarget target, LakehouseParameters parameters)
    {
        var wanted = new Dictionary<string, string?>
        {
            [ContractProperty] = target.Contract.Id,
            [ContractVersionProperty] = target.Contract.VersionText,
            [OwnerProperty] = target.OwnerTeam,
            // Left out: no override, Iceberg's default applies.
            [MaxSnapshotAgeProperty] = parameters.RetentionMs?.ToString(CultureInfo.InvariantCulture),
        };
        var changed = TableWriter.SetProperties(table.DirectoryIn(_lakeRoot), wanted, _time);
        return changed.Count == 0
            ? new StepResult("properties", StepOutcome.Unchanged, "the table properties are as declared.")
            : new StepResult("properties", StepOutcome.Changed, $"set {string.Join(", ", changed.Select(k => wanted[k] is { } v ? $"{k}={v}" : $"{k} (removed)"))}.");
    }

    /// <summary>
    /// A table exists once its v1 metadata does. Its version hint is written just after; a run that died in between
    /// left a table without one, which readers cannot open, so the hint is put back here.
    /// </summary>
    private static bool Exists(string directory)
    {
        var hint = Path.Combine(directory, "metadata", "version-hint.text");
        if (File.Exists(hint))
        {
            return true;
        }

        if (!File.Exists(IcebergTable.MetadataFile(directory, 1)))
        {
            return false;
        }

        File.WriteAllText(hint, "1");
        return true;
    }

    private static PartitionSpec Partitioning(LakehouseParameters parameters, SchemaObject contract, IcebergSchema schema) => parameters.PartitionBy switch
    {
        "none" => new PartitionSpec(0, []),
        "day" => StorageTemplates.SpecFor(StorageTemplates.Daily, contract, schema),
        "month" => StorageTemplates.SpecFor(StorageTemplates.Monthly, contract, schema),
        _ => StorageTemplates.SpecFor(null, contract, schema),
    };

    /// <summary>Partitionings compare by source column and transform (field ids are the table's own business).</summary>
    private static string Describe(PartitionSpec spec, IcebergSchema schema) => spec.IsUnpartitioned
        ? "unpartitioned"
        : "partitioned by " + string.Join(", ", spec.Fields.Select(f => $"{f.Transform}({schema.Field(f.SourceId).Name})"));
}
