using MeshInABox.Domain.Naming;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// An output's <c>source</c> (a CSV file in the product's folder) loaded into its provisioned table, as the owner
/// login would load it: only into an empty table, in one transaction, so a rerun or a crash never doubles a row.
/// Columns come from the file's header and must be the table's.
/// </summary>
public sealed class PostgresSeed(NpgsqlDataSource admin, PostgresRoles roles)
{
    public const string StepName = "seed";

    public async Task<StepResult> LoadAsync(string productId, string table, string csvFile, CancellationToken ct)
    {
        if (!File.Exists(csvFile))
        {
            return new StepResult(StepName, StepOutcome.Unchanged, $"no data to load: {Path.GetFileName(csvFile)} does not exist");
        }

        var qualified = Sql.Qualified(MeshNames.ProductSchema(productId), table);
        await using var connection = await admin.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // The owner's rights only: the seed writes what the team itself could.
        await Sql.ExecuteAsync(connection, $"SET LOCAL ROLE {Sql.Ident(roles.Owner(productId))}", ct);
        if (await Sql.ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT 1 FROM {qualified})", ct))
        {
            return new StepResult(StepName, StepOutcome.Unchanged, $"{table} holds rows already: nothing loaded");
        }

        string? header;
        using (var peek = new StreamReader(csvFile))
        {
            header = await peek.ReadLineAsync(ct);
        }

        var columns = (header ?? "").Split(',').Select(c => c.Trim().Trim('"')).ToList();
        if (columns.Count == 0 || columns.Any(c => c.Length == 0 || Sql.NameProblem(c) is not null))
        {
            return new StepResult(StepName, StepOutcome.Failed, $"{Path.GetFileName(csvFile)} has no usable header row (column names, comma-separated)");
        }

        try
        {
            long rows;
            await using (var source = File.OpenRead(csvFile))
            await using (var writer = await connection.BeginTextImportAsync(
                $"COPY {qualified} ({string.Join(", ", columns.Select(Sql.Ident))}) FROM STDIN (FORMAT csv, HEADER true)", ct))
            {
                using var reader = new StreamReader(source);
                var buffer = new char[64 * 1024];
                int read;
                while ((read = await reader.ReadAsync(buffer, ct)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            rows = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {qualified}", ct);
            await transaction.CommitAsync(ct);
            return new StepResult(StepName, StepOutcome.Changed, $"{rows} rows loaded into {table} from {Path.GetFileName(csvFile)}");
        }
        catch (PostgresException error) when (error.SqlState is not (PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow))
        {
            // A row the contract's table refuses: nothing is loaded, and the version says which.
            return new StepResult(StepName, StepOutcome.Failed, $"{Path.GetFileName(csvFile)} does not load into {table}: {error.MessageText}{(error.Where is { } where ? $" ({where})" : "")}");
        }
    }
}
