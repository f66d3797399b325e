using System.Text.Json;
using Dapper;
using MeshInABox.Registry.OpenLineage;
using Npgsql;

namespace MeshInABox.Registry.Infrastructure;

/// <summary>
/// OpenLineage events as received, and the run-time lineage read from run events. A post is one transaction:
/// every event of a batch is stored with its edges, or none is.
/// </summary>
public sealed class LineageStore(NpgsqlDataSource dataSource)
{
    public const string RuntimeOrigin = "runtime";

    public async Task<LineageIntake> StoreAsync(IReadOnlyList<ReceivedLineageEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Concurrent posts may hold the same events in other orders; a re-post waits on the first post's uncommitted
        // row, so without these locks, taken in one order, two such posts would deadlock.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT k FROM unnest(@keys) AS k ORDER BY k) AS sorted",
            new { keys = events.Select(e => BitConverter.ToInt64(e.ContentHash, 0)).ToArray() }, transaction, cancellationToken: ct));
        var stored = new List<(long Position, ReceivedLineageEvent Event)>();
        foreach (var received in events)
        {
            // A re-post (a client's retry, or the same event twice in a batch) finds its hash taken and stores nothing.
            var position = await AppendAsync(transaction, received, now, ct);
            if (position is { } newPosition)
            {
                stored.Add((newPosition, received));
            }
        }

        var runs = stored.Where(s => s.Event.Kind == LineageEventKind.Run).ToList();
        var datasetEdges = await UpsertDatasetEdgesAsync(transaction, runs, now, ct);
        var columnEdges = await UpsertColumnEdgesAsync(transaction, runs, now, ct);
        await transaction.CommitAsync(ct);
        return new LineageIntake(stored.Count, events.Count - stored.Count, datasetEdges, columnEdges);
    }

    /// <summary>Stores one event in the caller's transaction (a publish stores its design-time JobEvents so).</summary>
    /// <returns>Its position, or null when the same event is stored already.</returns>
    public static Task<long?> AppendAsync(NpgsqlTransaction transaction, ReceivedLineageEvent received, DateTimeOffset now, CancellationToken ct) =>
        transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO lineage_events (content_hash, event_kind, domain, event_type, event_time, run_id, job_namespace, job_name, event, received_at)
            VALUES (@hash, @kind, @domain, @eventType, @eventTime, @runId, @jobNamespace, @jobName, @event::jsonb, @now)
            ON CONFLICT (content_hash) DO NOTHING
            RETURNING position
            """,
            new
            {
                hash = received.ContentHash,
                kind = KindName(received.Kind),
                domain = received.Domain,
                eventType = received.EventType,
                eventTime = received.EventTime.ToUniversalTime(), // Npgsql writes timestamptz from UTC offsets only
                runId = received.RunId,
                jobNamespace = received.Job?.Namespace,
                jobName = received.Job?.Name,
                @event = received.Event.GetRawText(),
                now,
            },
            transaction, cancellationToken: ct));

    /// <summary>
    /// Events after <paramref name="after"/> (0: from the start), only of transactions older than every running one.
    /// </summary>
    /// <returns>The events, or null when <paramref name="after"/> is no event's position.</returns>
    public async Task<IReadOnlyList<StoredLineageEvent>?> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (after > 0 && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM lineage_events WHERE position = @after)", new { after }, cancellationToken: ct)))
        {
            return null;
        }

        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT position, event_kind, domain, received_at, event::text AS event
            FROM lineage_events
            WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
              AND (@after = 0 OR (tx_id, position) > (SELECT tx_id, position FROM lineage_events WHERE position = @after))
            ORDER BY tx_id, position
            LIMIT @limit
            """,
            new { after, limit }, cancellationToken: ct));
        return [.. rows.Select(r => new StoredLineageEvent(
            r.Position, ParseKind(r.EventKind), r.Domain, Time.Utc(r.ReceivedAt), JsonDocument.Parse(r.Event).RootElement.Clone()))];
    }

    /// <summary>Run-time dataset edges into a dataset, as stored (for tests and the lineage readers to come).</summary>
    public async Task<IReadOnlyList<RuntimeDatasetEdge>> DatasetEdgesIntoAsync(string @namespace, string name, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<RuntimeDatasetEdge>(new CommandDefinition(
            """
            SELECT source_namespace, source_name, target_namespace, target_name, job_namespace, job_name, domain, last_run_id
            FROM lineage_dataset_edges
            WHERE origin = 'runtime' AND target_namespace = @namespace AND target_name = @name
            ORDER BY source_namespace, source_name, job_namespace, job_name
            """,
            new { @namespace, name }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Run-time column edges into a dataset's columns, as stored.</summary>
    public async Task<IReadOnlyList<RuntimeColumnEdge>> ColumnEdgesIntoAsync(string @namespace, string name, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ColumnEdgeRow>(new CommandDefinition(
            """
            SELECT source_namespace, source_name, source_field, target_field, job_name, transformations::text AS transformations
            FROM lineage_column_edges
            WHERE origin = 'runtime' AND target_namespace = @namespace AND target_name = @name
            ORDER BY target_field, source_namespace, source_name, source_field
            """,
            new { @namespace, name }, cancellationToken: ct));
        return [.. rows.Select(r => new RuntimeColumnEdge(
            r.SourceNamespace, r.SourceName, r.SourceField, r.TargetField, r.JobName, JsonDocument.Parse(r.Transformations).RootElement.Clone()))];
    }

    /// <summary>Every input of a run to every output, the latest event winning; sorted, so concurrent posts lock rows in one order.</summary>
    private static async Task<int> UpsertDatasetEdgesAsync(
        NpgsqlTransaction transaction, IReadOnlyList<(long Position, ReceivedLineageEvent Event)> runs, DateTimeOffset now, CancellationToken ct)
    {
        var edges = runs
            .SelectMany(r => r.Event.Inputs.SelectMany(input => r.Event.Outputs.Select(output => (Input: input, Output: output, r.Position, r.Event))))
            .GroupBy(e => (e.Input, e.Output, e.Event.Job))
            .Select(g => g.MaxBy(e => e.Position))
            .OrderBy(e => e.Input.Namespace, StringComparer.Ordinal).ThenBy(e => e.Input.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Output.Namespace, StringComparer.Ordinal).ThenBy(e => e.Output.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Event.Job!.Namespace, StringComparer.Ordinal).ThenBy(e => e.Event.Job!.Name, StringComparer.Ordinal)
            .ToList();
        if (edges.Count == 0)
        {
            return 0;
        }

        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO lineage_dataset_edges (origin, source_namespace, source_name, target_namespace, target_name, job_namespace, job_name,
                                               domain, first_event, last_event, last_run_id, last_seen_at)
            SELECT 'runtime', e.*, @now
            FROM unnest(@sourceNamespaces, @sourceNames, @targetNamespaces, @targetNames, @jobNamespaces, @jobNames,
                        @domains, @positions, @positions, @runIds) AS e
            ON CONFLICT (origin, source_namespace, source_name, target_namespace, target_name, job_namespace, job_name)
            DO UPDATE SET last_event = excluded.last_event, last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at
            """,
            new
            {
                sourceNamespaces = edges.Select(e => e.Input.Namespace).ToArray(),
                sourceNames = edges.Select(e => e.Input.Name).ToArray(),
                targetNamespaces = edges.Select(e => e.Output.Namespace).ToArray(),
                targetNames = edges.Select(e => e.Output.Name).ToArray(),
                jobNamespaces = edges.Select(e => e.Event.Job!.Namespace).ToArray(),
                jobNames = edges.Select(e => e.Event.Job!.Name).ToArray(),
                domains = edges.Select(e => e.Event.Domain).ToArray(),
                positions = edges.Select(e => e.Position).ToArray(),
                runIds = edges.Select(e => e.Event.RunId!.Value).ToArray(),
                now,
            },
            transaction, cancellationToken: ct));
        return edges.Count;
    }

    private static async Task<int> UpsertColumnEdgesAsync(
        NpgsqlTransaction transaction, IReadOnlyList<(long Position, ReceivedLineageEvent Event)> runs, DateTimeOffset now, CancellationToken ct)
    {
        var edges = runs
            .SelectMany(r => r.Event.ColumnEdges.Select(edge => (Edge: edge, r.Position, r.Event)))
            .GroupBy(e => (e.Edge.Source, e.Edge.SourceField, e.Edge.Target, e.Edge.TargetField, e.Event.Job))
            .Select(g => g.MaxBy(e => e.Position))
            .OrderBy(e => e.Edge.Source.Namespace, StringComparer.Ordinal).ThenBy(e => e.Edge.Source.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Edge.SourceField, StringComparer.Ordinal)
            .ThenBy(e => e.Edge.Target.Namespace, StringComparer.Ordinal).ThenBy(e => e.Edge.Target.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Edge.TargetField, StringComparer.Ordinal)
            .ThenBy(e => e.Event.Job!.Namespace, StringComparer.Ordinal).ThenBy(e => e.Event.Job!.Name, StringComparer.Ordinal)
            .ToList();
        if (edges.Count == 0)
        {
            return 0;
        }

        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO lineage_column_edges (origin, source_namespace, source_name, source_field, target_namespace, target_name, target_field,
                                              job_namespace, job_name, domain, transformations, first_event, last_event, last_seen_at)
            SELECT 'runtime', e.sn, e.sname, e.sf, e.tn, e.tname, e.tf, e.jn, e.jname, e.d, e.t::jsonb, e.p, e.p, @now
            FROM unnest(@sourceNamespaces, @sourceNames, @sourceFields, @targetNamespaces, @targetNames, @targetFields,
                        @jobNamespaces, @jobNames, @domains, @transformations, @positions) AS e (sn, sname, sf, tn, tname, tf, jn, jname, d, t, p)
            ON CONFLICT (origin, source_namespace, source_name, source_field, target_namespace, target_name, target_field, job_namespace, job_name)
            DO UPDATE SET transformations = excluded.transformations, last_event = excluded.last_event, last_seen_at = excluded.last_seen_at
            """,
            new
            {
                sourceNamespaces = edges.Select(e => e.Edge.Source.Namespace).ToArray(),
                sourceNames = edges.Select(e => e.Edge.Source.Name).ToArray(),
                sourceFields = edges.Select(e => e.Edge.SourceField).ToArray(),
                targetNamespaces = edges.Select(e => e.Edge.Target.Namespace).ToArray(),
                targetNames = edges.Select(e => e.Edge.Target.Name).ToArray(),
                targetFields = edges.Select(e => e.Edge.TargetField).ToArray(),
                jobNamespaces = edges.Select(e => e.Event.Job!.Namespace).ToArray(),
                jobNames = edges.Select(e => e.Event.Job!.Name).ToArray(),
                domains = edges.Select(e => e.Event.Domain).ToArray(),
                transformations = edges.Select(e => e.Edge.Transformations.GetRawText()).ToArray(),
                positions = edges.Select(e => e.Position).ToArray(),
                now,
            },
            transaction, cancellationToken: ct));
        return edges.Count;
    }

    private static string KindName(LineageEventKind kind) => kind switch
    {
        LineageEventKind.Run => "run",
        LineageEventKind.Job => "job",
        _ => "dataset",
    };

    private static LineageEventKind ParseKind(string kind) => kind switch
    {
        "run" => LineageEventKind.Run,
        "job" => LineageEventKind.Job,
        _ => LineageEventKind.Dataset,
    };

    /// <summary>A job read <c>Source*</c> and wrote <c>Target*</c>, as its runs reported.</summary>
    public sealed record RuntimeDatasetEdge(
        string SourceNamespace, string SourceName, string TargetNamespace, string TargetName, string JobNamespace, string JobName, string Domain, Guid LastRunId);

    public sealed record RuntimeColumnEdge(string SourceNamespace, string SourceName, string SourceField, string TargetField, string JobName, JsonElement Transformations);

    private sealed record EventRow(long Position, string EventKind, string Domain, DateTime ReceivedAt, string Event);

    private sealed record ColumnEdgeRow(string SourceNamespace, string SourceName, string SourceField, string TargetField, string JobName, string Transformations);
}
