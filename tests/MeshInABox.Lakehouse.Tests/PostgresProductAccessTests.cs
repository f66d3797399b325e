using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Domain.Access;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Lakehouse.Tests;

/// <summary>
/// The storage plane end to end, on the running iteration-2 mesh: a restricted product provisioned on PostgreSQL, its
/// team writing through the owner login the mesh created for it, a consumer refused by PostgreSQL itself until their
/// access request is approved, reading at once after, refused again after revocation; and a rotated password.
/// </summary>
public sealed class PostgresProductAccessTests(PostgresServerFixture postgres) : IAsyncLifetime
{
    private RunningMesh _mesh = null!;

    public async ValueTask InitializeAsync() => _mesh = await RunningMesh.StartAsync(postgres, nameof(PostgresProductAccessTests));

    public ValueTask DisposeAsync() => _mesh.DisposeAsync();

    [Fact]
    public async Task RestrictedPostgresProduct_IsRefusedByPostgres_UntilApproved_ThenRead_ThenRefusedAfterRevocation()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = "advertising.ratings-" + Guid.NewGuid().ToString("N")[..6];
        using var owner = _mesh.Client("registry", _mesh.Token("carol", ["advertising"]));
        using var aliceAtRegistry = _mesh.Client("registry", _mesh.Token("alice", [], [MeshAccess.ReadScope]));
        using var aliceAtLakehouse = _mesh.Client("lakehouse", _mesh.Token("alice", [], [MeshAccess.ReadScope]));
        var version = await PublishAsync(owner, id, ct);
        var provisioning = Assert.Single(version.GetProperty("provisioning").EnumerateArray());
        Assert.Equal("postgres", provisioning.GetProperty("template").GetString());

        // The team writes its data as the owner login, with the password from its pgpass file.
        var owned = await OwnerConnectionAsync(owner, id, ct);
        await ExecuteAsync(owned, $"INSERT INTO {Schema(id)}.ratings (rating_id, stars) VALUES ('r-1', 4), ('r-2', 5)", ct);

        var sql = $"SELECT count(*) AS n FROM {id.Replace('-', '_')}.ratings";
        var beforeRequest = await QueryAsync(aliceAtLakehouse, sql, ct);
        using var asked = await aliceAtRegistry.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = "Campaign ratings for the quarterly review" }, ct);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        var whilePending = await QueryAsync(aliceAtLakehouse, sql, ct);
        using var approved = await owner.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { note = "Quarterly review only." }, ct);
        var afterApproval = await QueryAsync(aliceAtLakehouse, sql, ct);
        using var revoked = await owner.PostAsync($"/access-requests/{requestId}/revoke", null, ct);
        var afterRevocation = await QueryAsync(aliceAtLakehouse, sql, ct);

        Assert.Equal(HttpStatusCode.Forbidden, beforeRequest.Status);
        Assert.Equal(HttpStatusCode.Forbidden, whilePending.Status);
        var grant = await approved.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("granted", grant.GetProperty("status").GetString());
        Assert.Contains(grant.GetProperty("steps").EnumerateArray(), s => s.GetProperty("where").GetString() == "postgres" && s.GetProperty("step").GetString() == "grant:consumer");
        Assert.Equal(HttpStatusCode.OK, afterApproval.Status);
        Assert.Equal(2, JsonDocument.Parse(afterApproval.Body.Split('\n')[0]).RootElement.GetProperty("n").GetInt32());
        Assert.Equal("revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, afterRevocation.Status);

        // Not the query service's check alone: PostgreSQL refuses the consumer's role in its next session.
        await using var admin = new NpgsqlConnection(_mesh.ConnectionString);
        await admin.OpenAsync(ct);
        await ExecuteAsync(admin, $"SET ROLE \"{_mesh.Roles.Consumer("alice")}\"", ct);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(admin, $"SELECT * FROM {Schema(id)}.ratings", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task OpenPostgresProduct_IsReadByEveryone_WithoutARequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = "advertising.ratings-" + Guid.NewGuid().ToString("N")[..6];
        using var owner = _mesh.Client("registry", _mesh.Token("carol", ["advertising"]));
        using var bob = _mesh.Client("lakehouse", _mesh.Token("bob", [], [MeshAccess.ReadScope]));
        await PublishAsync(owner, id, ct, classification: "open");
        var owned = await OwnerConnectionAsync(owner, id, ct);
        await ExecuteAsync(owned, $"INSERT INTO {Schema(id)}.ratings (rating_id, stars, viewer_email) VALUES ('r-1', 4, 'ann@example.com')", ct);
        await owned.DisposeAsync();
        var table = $"{id.Replace('-', '_')}.ratings";

        var anonymous = await QueryAsync(_mesh.Lakehouse, $"SELECT count(*) AS n, max(stars) AS best FROM {table}", ct);
        var asBob = await QueryAsync(bob, $"SELECT * FROM {table}", ct);

        Assert.True(anonymous.Status == HttpStatusCode.OK, anonymous.Body);
        Assert.Equal(4, JsonDocument.Parse(anonymous.Body.Split('\n')[0]).RootElement.GetProperty("best").GetInt32());
        Assert.True(asBob.Status == HttpStatusCode.OK, asBob.Body);
        var row = JsonDocument.Parse(asBob.Body.Split('\n')[0]).RootElement;
        Assert.Equal(["rating_id", "stars", "viewer_email"], row.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Rotation_TheOldPasswordOpensNoSession_TheNewOneDoes_AndNoAnswerHoldsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = "advertising.ratings-" + Guid.NewGuid().ToString("N")[..6];
        using var owner = _mesh.Client("registry", _mesh.Token("carol", ["advertising"]));
        using var stranger = _mesh.Client("registry", _mesh.Token("mallory", ["content"]));
        await PublishAsync(owner, id, ct);
        var before = await PassFileConnectionStringAsync(owner, id, ct);

        using var byStranger = await stranger.PostAsync($"/data-products/{id}/credentials/rotation", null, ct);
        using var rotated = await owner.PostAsync($"/data-products/{id}/credentials/rotation", null, ct);
        var after = await PassFileConnectionStringAsync(owner, id, ct);
        var body = await rotated.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.Forbidden, byStranger.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(after).Password!, body);
        await using (var stale = new NpgsqlConnection(before))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => stale.OpenAsync(ct));
            Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        }

        await using var fresh = new NpgsqlConnection(after);
        await fresh.OpenAsync(ct);
    }

    [Fact]
    public async Task Retirement_RevokesGrants_ArchivesTheTable_RemovesItsSchemaAndEndpoints_AndTheArchiveRestores()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = "advertising.ratings-" + Guid.NewGuid().ToString("N")[..6];
        using var owner = _mesh.Client("registry", _mesh.Token("carol", ["advertising"]));
        using var alice = _mesh.Client("registry", _mesh.Token("alice", [], [MeshAccess.ReadScope]));
        await PublishAsync(owner, id, ct);
        var owned = await OwnerConnectionAsync(owner, id, ct);
        await ExecuteAsync(owned, $"INSERT INTO {Schema(id)}.ratings (rating_id, stars) VALUES ('r-1', 4), ('r-2', 5), ('r-3', NULL)", ct);
        await owned.DisposeAsync();
        using var asked = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = "Campaign ratings for the quarterly review" }, ct);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        using var approved = await owner.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        using var deprecated = await owner.PostAsJsonAsync($"/data-products/{id}/deprecation",
            new { sunsetAt = DateTimeOffset.UtcNow.AddSeconds(2), message = "Ratings move to advertising.campaign-feedback." }, ct);
        Assert.Equal(HttpStatusCode.OK, deprecated.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
        using var retired = await owner.PostAsync($"/data-products/{id}/retirement", null, ct);
        var endpoints = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/endpoints", ct);
        var request = await alice.GetFromJsonAsync<JsonElement>($"/access-requests/{requestId}", ct);

        Assert.True(retired.StatusCode == HttpStatusCode.OK, await retired.Content.ReadAsStringAsync(ct));
        Assert.Equal("revoked", request.GetProperty("status").GetString());
        Assert.Empty(endpoints.EnumerateArray());
        await using var admin = new NpgsqlConnection(_mesh.ConnectionString);
        await admin.OpenAsync(ct);
        Assert.False(await ScalarAsync<bool>(admin, $"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{Domain.Naming.MeshNames.ProductSchema(id)}')", ct));
        var archive = Path.Combine(_mesh.DataDirectory, "archive", id, "ratings");
        Assert.True(Directory.Exists(archive), archive);

        // The archive gives the rows back.
        await using var dataSource = NpgsqlDataSource.Create(_mesh.ConnectionString);
        var restored = await new MeshInABox.Storage.Postgres.PostgresArchive(dataSource, _mesh.Roles).RestoreAsync(archive, id, ct);
        Assert.DoesNotContain(restored, s => s.Outcome == MeshInABox.Storage.Provisioning.StepOutcome.Failed);
        Assert.Equal(3L, await ScalarAsync<long>(admin, $"SELECT count(*) FROM {Schema(id)}.ratings", ct));
        Assert.Equal(1L, await ScalarAsync<long>(admin, $"SELECT count(*) FROM {Schema(id)}.ratings WHERE stars IS NULL", ct));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    private static string Schema(string id) => "\"" + Domain.Naming.MeshNames.ProductSchema(id) + "\"";

    private async Task<JsonElement> PublishAsync(HttpClient owner, string id, CancellationToken ct, string classification = "restricted")
    {
        using var created = await owner.PostAsJsonAsync("/data-products", new
        {
            id, name = "Campaign ratings", domain = "advertising", owner = "team-gray", businessUnit = "advertising", tags = new[] { "advertising" },
            description = "How viewers rated each campaign they saw, one row per rating.", classification,
            outputs = new[] { new { name = "ratings", kind = "postgres", storage = new { template = "postgres" } } },
        }, ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(ct));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/data-products/{id}/versions")
        {
            Content = JsonContent.Create(new
            {
                version = "1.0.0",
                contract = $$"""
                    apiVersion: v3.1.0
                    kind: DataContract
                    id: ratings
                    version: 1.0.0
                    status: active
                    schema:
                      - name: ratings
                        description: One viewer's rating of a campaign.
                        properties:
                          - name: rating_id
                            logicalType: string
                            required: true
                            primaryKey: true
                            description: The rating's id.
                          - name: stars
                            logicalType: integer
                            description: One to five stars.
                          - name: viewer_email
                            logicalType: string
                            classification: {{(classification == "open" ? "internal" : "restricted")}}
                            description: Who rated, for follow-up surveys.
                    """,
            }),
        };
        request.Headers.Add("Idempotency-Key", id);
        using var published = await owner.SendAsync(request, ct);
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync(ct));
        for (var i = 0; i < 600; i++)
        {
            var version = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/versions/1.0.0", ct);
            if (version.GetProperty("status").GetString() is "active" or "rejected")
            {
                Assert.True(version.GetProperty("status").GetString() == "active", version.ToString());
                return version;
            }

            await Task.Delay(50, ct);
        }

        throw new TimeoutException($"{id} 1.0.0 was not decided.");
    }

    /// <summary>The owner login as its pgpass file gives it (host:port:database:role:password).</summary>
    private static async Task<string> PassFileConnectionStringAsync(HttpClient owner, string id, CancellationToken ct)
    {
        var credentials = await owner.GetFromJsonAsync<JsonElement>($"/data-products/{id}/credentials", ct);
        Assert.False(credentials.TryGetProperty("password", out _));
        var line = (await File.ReadAllTextAsync(credentials.GetProperty("passFile").GetString()!, ct)).TrimEnd('\n');
        var parts = line.Split(':');
        Assert.Equal(5, parts.Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials.GetProperty("passFile").GetString()!));
        }
        return new NpgsqlConnectionStringBuilder { Host = parts[0], Port = int.Parse(parts[1]), Database = parts[2], Username = parts[3], Password = parts[4], Pooling = false }.ConnectionString;
    }

    private static async Task<NpgsqlConnection> OwnerConnectionAsync(HttpClient owner, string id, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(await PassFileConnectionStringAsync(owner, id, ct));
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <returns>The status, and the body: rows as JSON lines, or a problem.</returns>
    private static async Task<(HttpStatusCode Status, string Body)> QueryAsync(HttpClient lakehouse, string sql, CancellationToken ct)
    {
        using var response = await lakehouse.PostAsJsonAsync("query", new { sql }, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }
}
