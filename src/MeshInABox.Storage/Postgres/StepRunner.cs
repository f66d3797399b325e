using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>One step: a stable name and what it does on a connection inside its transaction.</summary>
/// <param name="Locked">Whether the step waits for the mesh's other steps (the archive's dump, which reads a frozen schema in its own snapshot, does not).</param>
internal sealed record Step(string Name, Func<NpgsqlConnection, Task<StepResult>> Run, bool Locked = true);

/// <summary>
/// Runs steps the way every part of the PostgreSQL storage plane does: each in a transaction of its own (committed
/// unless it failed), one after another, stopping at the first failure, with PostgreSQL's refusals as results.
/// </summary>
internal static class StepRunner
{
    /// <param name="stopAfter">Tests only: true after a step ends the run there, as a crash would.</param>
    public static async Task<IReadOnlyList<StepResult>> RunAsync(
        NpgsqlDataSource admin, string prefix, IEnumerable<Step> steps, CancellationToken ct, Func<string, bool>? stopAfter = null)
    {
        var results = new List<StepResult>();
        foreach (var step in steps)
        {
            var result = await RunAsync(admin, prefix, step, ct);
            results.Add(result);
            if (result.Outcome == StepOutcome.Failed || stopAfter?.Invoke(step.Name) == true)
            {
                break;
            }
        }

        return results;
    }

    public static async Task<StepResult> RunAsync(NpgsqlDataSource admin, string prefix, Step step, CancellationToken ct)
    {
        try
        {
            await using var connection = await admin.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (step.Locked)
            {
                await Sql.LockAsync(connection, prefix, ct);
            }

            var result = await step.Run(connection);
            if (result.Outcome == StepOutcome.Failed)
            {
                await transaction.RollbackAsync(ct);
            }
            else
            {
                await transaction.CommitAsync(ct);
            }

            return result;
        }
        catch (PostgresException error)
        {
            return new StepResult(step.Name, StepOutcome.Failed, $"PostgreSQL refused ({error.SqlState}): {error.MessageText}");
        }
        catch (NpgsqlException error)
        {
            return new StepResult(step.Name, StepOutcome.Failed, $"PostgreSQL could not be reached: {error.Message}");
        }
        catch (ArgumentException error)
        {
            // A name or description PostgreSQL cannot hold (a NUL character).
            return new StepResult(step.Name, StepOutcome.Failed, error.Message);
        }
        catch (IOException error)
        {
            return new StepResult(step.Name, StepOutcome.Failed, $"files could not be written or read: {error.Message}");
        }
    }

    /// <summary>A step's result from what it did: Changed with the actions, or Unchanged ("as declared") when it did nothing.</summary>
    public static StepResult Result(string step, IEnumerable<string?> actions)
    {
        var done = actions.OfType<string>().ToList();
        return done.Count == 0
            ? new StepResult(step, StepOutcome.Unchanged, "as declared")
            : new StepResult(step, StepOutcome.Changed, string.Join("; ", done));
    }
}
