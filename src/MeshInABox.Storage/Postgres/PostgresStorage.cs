using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using MeshInABox.Storage.Provisioning;
using Npgsql;

namespace MeshInABox.Storage.Postgres;

/// <summary>Where the mesh database is, as consumers reach it (reported in locations; never a secret).</summary>
public sealed record PostgresEndpoint(string Host, int Port, string Database);

/// <summary>
/// The <c>postgres</c> storage template: one schema per product in the mesh database, owned by the product's
/// owner login, a table per contract object, and the product's restricted and open roles that access grants
/// hand to consumers. Each step runs in a transaction of its own and checks before it changes, so a run stopped
/// between any two steps converges on the next, and a run over an up-to-date product changes nothing.
/// </summary>
public sealed class PostgresStorage : IStorageTemplate
{
    public const string SchemaParameter = "schema";
    public const string TablesParameter = "tables";

    private static readonly string[] Parameters = [SchemaParameter, TablesParameter];

    private readonly NpgsqlDataSource _admin;
    private readonly PostgresRoles _roles;
    private readonly PostgresEndpoint _endpoint;
    private readonly OwnerPasswords _passwords;

    /// <param name="admin">Connections to the mesh database as a login that may create roles and schemas.</param>
    public PostgresStorage(NpgsqlDataSource admin, PostgresRoles roles, PostgresEndpoint endpoint, IOwnerCredentials credentials)
    {
        _admin = admin;
        _roles = roles;
        _endpoint = endpoint;
        _passwords = new OwnerPasswords(credentials);
    }

    public string Name => "postgres";

    /// <summary>Tests only: called with each step's name once it is done; returning true ends the run there, as a crash would.</summary>
    internal Func<string, bool>? StopAfter { get; init; }

    public IReadOnlyList<string> Check(StorageSpec spec)
    {
        var problems = new List<string>();
        foreach (var name in spec.Parameters.Keys.Where(k => !Parameters.Contains(k)).Order(StringComparer.Ordinal))
        {
            problems.Add($"{name}: unknown parameter; the postgres template takes {string.Join(" and ", Parameters)}");
        }

        if (spec.Parameter(SchemaParameter) is { } schema && string.IsNullOrWhiteSpace(schema))
        {
            problems.Add($"{SchemaParameter}: empty; leave it out, the platform names the product's schema");
        }

        if (spec.Parameter(TablesParameter) is { } tables && SplitTables(tables).Any(string.IsNullOrEmpty))
        {
            problems.Add($"{TablesParameter}: an empty entry in '{tables}'; list contract object names separated by commas");
        }

        return problems;
    }

    public IReadOnlyList<string> Check(StorageTarget target)
    {
        var problems = Check(target.Spec).ToList();
        var own = MeshNames.ProductSchema(target.ProductId);
        if (target.Spec.Parameter(SchemaParameter) is { } schema && !string.IsNullOrWhiteSpace(schema) && schema != own)
        {
            problems.Add($"{SchemaParameter}: '{schema}' is not this product's schema; one schema per product, named by the platform: '{own}' (or leave the parameter out)");
        }

        if (target.Spec.Parameter(TablesParameter) is { } tables)
        {
            foreach (var name in SplitTables(tables).Where(n => n.Length > 0 && target.Contract.Object(n) is null))
            {
                problems.Add($"{TablesParameter}: '{name}' is not an object of the contract (it has {Objects(target.Contract)})");
            }
        }
        else if (target.Contract.Schema.Count == 0)
        {
            problems.Add($"{TablesParameter}: the contract declares no schema object, so there is no table to create");
        }

        if (problems.Count == 0)
        {
            var selected = SelectedObjects(target);
            if (target.Contract.ObjectFor(target.Output) is { } outputObject && !selected.Contains(outputObject))
            {
                problems.Add($"{TablesParameter}: leaves out '{outputObject.Name}', the contract object of output '{target.Output}'");
            }

            // Two objects on one table would each reconcile it to their own columns.
            foreach (var clash in selected.GroupBy(ContractTables.TableName).Where(g => g.Count() > 1))
            {
                problems.Add($"{TablesParameter}: objects {string.Join(" and ", clash.Select(o => o.Name))} are both table '{clash.Key}'; give one another physicalName");
            }
        }

        return problems;
    }

    public async Task<ProvisioningReport> ReconcileAsync(StorageTarget target, CancellationToken ct)
    {
        var problems = Check(target);
        if (problems.Count > 0)
        {
            return new ProvisioningReport(target.Output, Name, [new StepResult("parameters", StepOutcome.Failed, string.Join("; ", problems))], null);
        }

        var schema = MeshNames.ProductSchema(target.ProductId);
        var owner = _roles.Owner(target.ProductId);
        var objects = SelectedObjects(target);
        Step[] steps =
        [
            new("role:metadata", c => MetadataRoleAsync(c, ct)),
            new("role:owner", c => OwnerRoleAsync(c, owner, ct)),
            new("schema", c => SchemaAsync(c, schema, owner, ct)),
            .. objects.Select(o => new Step("table:" + o.Name, c => TableStep.RunAsync(c, schema, owner, o, ct))),
            new("role:restricted", c => ProductGrants.RestrictedAsync(c, schema, owner, _roles.Restricted(target.ProductId), ct)),
            new("role:open", c => ProductGrants.OpenAsync(c, schema, _roles.Open(target.ProductId), objects, ct)),
            new("grant:metadata", c => ProductGrants.MetadataAsync(c, schema, _roles.Metadata, ct)),
        ];
        var results = await StepRunner.RunAsync(_admin, _roles.Prefix, steps, ct, StopAfter);
        // Stopped early (a failure, or a test's crash): no location until every step is done.
        return results.Count < steps.Length || results[^1].Outcome == StepOutcome.Failed
            ? new ProvisioningReport(target.Output, Name, results, null)
            : new ProvisioningReport(target.Output, Name, results, Location(target, schema));
    }

    /// <summary>
    /// A new password for the product's owner login: saved first, then set. Sessions already open keep running;
    /// the old password no longer opens new ones.
    /// </summary>
    public Task<StepResult> RotateAsync(string productId, CancellationToken ct) =>
        StepRunner.RunAsync(_admin, _roles.Prefix, new Step("credential:owner", async connection =>
        {
            var owner = _roles.Owner(productId);
            if (!await RoleAttributes.ExistsAsync(connection, owner, ct))
            {
                return new StepResult("credential:owner", StepOutcome.Failed, $"role {owner} does not exist: provision the product first");
            }

            await _passwords.RotateAsync(connection, owner, ct);
            return new StepResult("credential:owner", StepOutcome.Changed, $"new password of {owner} stored and set");
        }), ct);

    private async Task<StepResult> MetadataRoleAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var role = _roles.Metadata;
        var done = await RoleAttributes.EnsureAsync(connection, role, login: false, ct);
        // Metadata is read by SET ROLE on the admin's connections.
        var member = await RoleAttributes.EnsureAdminMemberAsync(connection, role, ct);
        return StepRunner.Result("role:metadata", [done, member ? "admin login made a member" : null]);
    }

    private async Task<StepResult> OwnerRoleAsync(NpgsqlConnection connection, string owner, CancellationToken ct)
    {
        var actions = new List<string?>();
        if (!await RoleAttributes.ExistsAsync(connection, owner, ct))
        {
            await _passwords.CreateRoleAsync(connection, owner, ct);
            actions.Add("created LOGIN with a new stored password");
        }
        else
        {
            actions.Add(await RoleAttributes.EnsureAsync(connection, owner, login: true, ct));
            if (!await _passwords.HasAsync(owner, ct))
            {
                await _passwords.RotateAsync(connection, owner, ct);
                actions.Add("no stored password: a new one stored and set");
            }
        }

        // Tables are created as the owner (SET ROLE), so that default privileges FOR ROLE owner apply to them.
        actions.Add(await RoleAttributes.EnsureAdminMemberAsync(connection, owner, ct) ? "admin login made a member" : null);
        return StepRunner.Result("role:owner", actions);
    }

    private static async Task<StepResult> SchemaAsync(NpgsqlConnection connection, string schema, string owner, CancellationToken ct)
    {
        var actions = new List<string?>();
        var current = await Sql.ScalarAsync<string>(connection, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", ct, schema);
        if (current is null)
        {
            await Sql.ExecuteAsync(connection, $"CREATE SCHEMA {Sql.Ident(schema)} AUTHORIZATION {Sql.Ident(owner)}", ct);
            actions.Add($"created, owned by {owner}");
        }
        else if (current != owner)
        {
            await Sql.ExecuteAsync(connection, $"ALTER SCHEMA {Sql.Ident(schema)} OWNER TO {Sql.Ident(owner)}", ct);
            actions.Add($"owner set to {owner} (was {current})");
        }

        if (await Acl.PublicOnSchemaAsync(connection, schema, ct))
        {
            await Sql.ExecuteAsync(connection, $"REVOKE ALL ON SCHEMA {Sql.Ident(schema)} FROM PUBLIC", ct);
            actions.Add("PUBLIC's rights revoked");
        }

        return StepRunner.Result("schema", actions);
    }

    private Dictionary<string, object?> Location(StorageTarget target, string schema) => new()
    {
        ["host"] = _endpoint.Host,
        ["port"] = _endpoint.Port,
        ["database"] = _endpoint.Database,
        ["schema"] = schema,
        ["table"] = target.Contract.ObjectFor(target.Output) is { } o ? ContractTables.TableName(o) : null,
    };

    private static IReadOnlyList<SchemaObject> SelectedObjects(StorageTarget target) =>
        target.Spec.Parameter(TablesParameter) is { } tables
            ? [.. SplitTables(tables).Select(n => target.Contract.Object(n)!).Distinct()]
            : target.Contract.Schema;

    private static IEnumerable<string> SplitTables(string tables) => tables.Split(',').Select(t => t.Trim());

    private static string Objects(DataContract contract) =>
        contract.Schema.Count == 0 ? "no objects" : "objects " + string.Join(", ", contract.Schema.Select(o => o.Name));
}
