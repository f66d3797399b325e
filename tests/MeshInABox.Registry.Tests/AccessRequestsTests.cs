using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Testing;
using Npgsql;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// The access runbook through the API: a request with a purpose, the policy (open at once, restricted by the owning
/// domain), never self-approved, applied to the lakehouse's grant list, revoked, and audited append-only.
/// </summary>
public sealed class AccessRequestsTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Purpose = "Churn model for the spring campaign";
    private RegistryHost _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync(server, GetType());

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task OpenProduct_IsGrantedOnRequest_AndAskingAgainReturnsTheSameRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _registry.As("carol", "content");
        using var alice = _registry.As("alice");
        var id = await Samples.RegisterAsync(owner, ct);

        using var first = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        using var again = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);

        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync(ct));
        var request = await first.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("granted", request.GetProperty("status").GetString());
        Assert.Equal("open", request.GetProperty("level").GetString());
        Assert.Equal("policy:open", request.GetProperty("decidedBy").GetString());
        var step = Assert.Single(request.GetProperty("steps").EnumerateArray());
        Assert.Equal(("grant-list", "changed"), (step.GetProperty("where").GetString(), step.GetProperty("outcome").GetString()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(request.GetProperty("id").GetInt64(), (await again.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64());
        Assert.Equal(["requested", "approved", "granted"], await ActionsAsync(alice, request.GetProperty("id").GetInt64(), ct));
    }

    [Fact]
    public async Task RestrictedProduct_WaitsForTheOwningDomain_NeverSelfApproved_ThenGrantedAndRevoked()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carol = _registry.As("carol", "content");
        using var alice = _registry.As("alice", "content"); // a member of the owning domain asking for herself
        using var bob = _registry.As("bob", "subscriptions");
        var id = await Samples.RegisterAsync(carol, ct, classification: "restricted");

        using var asked = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        var request = await asked.Content.ReadFromJsonAsync<JsonElement>(ct);
        var requestId = request.GetProperty("id").GetInt64();
        using var beforeApproval = await _registry.Anonymous().GetAsync($"/data-products/{id}/grants/alice", ct);
        using var selfApproved = await alice.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { note = "me" }, ct);
        using var byStranger = await bob.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);
        using var strangerReads = await bob.GetAsync($"/access-requests/{requestId}", ct);
        using var approvals = await carol.GetAsync("/access-requests/approvals", ct);
        using var approved = await carol.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { note = "For the churn model only." }, ct);
        using var afterApproval = await _registry.Anonymous().GetAsync($"/data-products/{id}/grants/alice", ct);
        using var approvedTwice = await carol.PostAsJsonAsync($"/access-requests/{requestId}/deny", new { }, ct);
        using var revokedByStranger = await bob.PostAsync($"/access-requests/{requestId}/revoke", null, ct);
        using var revoked = await carol.PostAsync($"/access-requests/{requestId}/revoke", null, ct);
        using var afterRevoke = await _registry.Anonymous().GetAsync($"/data-products/{id}/grants/alice", ct);
        using var mine = await alice.GetAsync("/access-requests/mine", ct);

        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        Assert.Equal(("pending", "restricted"), (request.GetProperty("status").GetString(), request.GetProperty("level").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, beforeApproval.StatusCode);
        await RefusedAsync(selfApproved, HttpStatusCode.Forbidden, "Self-approval refused");
        await RefusedAsync(byStranger, HttpStatusCode.Forbidden, "Not an approver");
        Assert.Equal(HttpStatusCode.NotFound, strangerReads.StatusCode);
        Assert.Contains((await approvals.Content.ReadFromJsonAsync<JsonElement>(ct)).EnumerateArray(), r => r.GetProperty("id").GetInt64() == requestId);
        var granted = await approved.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(("granted", "carol", "For the churn model only."),
            (granted.GetProperty("status").GetString(), granted.GetProperty("decidedBy").GetString(), granted.GetProperty("decisionNote").GetString()));
        Assert.Equal(HttpStatusCode.OK, afterApproval.StatusCode);
        await RefusedAsync(approvedTwice, HttpStatusCode.Conflict, "Already decided");
        Assert.Equal(HttpStatusCode.Forbidden, revokedByStranger.StatusCode);
        Assert.Equal("revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, afterRevoke.StatusCode);
        Assert.Equal("revoked", Assert.Single((await mine.Content.ReadFromJsonAsync<JsonElement>(ct)).EnumerateArray(), r => r.GetProperty("productId").GetString() == id).GetProperty("status").GetString());
        Assert.Equal(["requested", "approved", "granted", "revoked"], await ActionsAsync(carol, requestId, ct));
    }

    [Fact]
    public async Task ContractApprovers_FirstThenSecondLevel_AreHonoured()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carol = _registry.As("carol", "content");
        using var alice = _registry.As("alice");
        using var dana = _registry.As("dana");
        using var erin = _registry.As("erin");
        var id = await Samples.RegisterAsync(carol, ct, classification: "restricted");
        var contract = Samples.Contract("1.0.0") + """

            roles:
              - role: titles_reader
                access: read
                firstLevelApprovers: dana, frank
                secondLevelApprovers: erin
              - role: titles_writer
                access: write
                firstLevelApprovers: mallory
            """;
        using var published = await Samples.PublishAsync(carol, id, Samples.Version("1.0.0", contract), "v1", ct);
        Assert.Equal("active", (await _registry.WaitForDecisionAsync(carol, id, "1.0.0", ct)).GetProperty("status").GetString());

        using var asked = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        using var secondFirst = await erin.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);
        using var first = await dana.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);
        using var firstTwice = await dana.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);
        using var second = await erin.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);

        await RefusedAsync(secondFirst, HttpStatusCode.Forbidden, "Not an approver");
        Assert.Equal("pending", (await first.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        await RefusedAsync(firstTwice, HttpStatusCode.Forbidden, "Not an approver");
        Assert.True(second.StatusCode == HttpStatusCode.OK, await second.Content.ReadAsStringAsync(ct));
        Assert.Equal("granted", (await second.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        Assert.Equal(["requested", "approved-first-level", "approved", "granted"], await ActionsAsync(alice, requestId, ct));
    }

    [Fact]
    public async Task BadRequests_GetSpecificAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carol = _registry.As("carol", "content");
        using var alice = _registry.As("alice");
        var id = await Samples.RegisterAsync(carol, ct, classification: "restricted");

        using var anonymous = await _registry.Anonymous().PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        using var noPurpose = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { }, ct);
        using var shortPurpose = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = "data" }, ct);
        using var longPurpose = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = new string('x', 1001) }, ct);
        using var unknownProduct = await alice.PostAsJsonAsync("/data-products/content.nothing/access-requests", new { purpose = Purpose }, ct);
        using var unknownRequest = await carol.PostAsJsonAsync("/access-requests/999999999/approve", new { }, ct);
        using var notANumber = await carol.PostAsJsonAsync("/access-requests/abc/approve", new { }, ct);
        using var asked = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        using var longNote = await carol.PostAsJsonAsync($"/access-requests/{requestId}/deny", new { note = new string('n', 1001) }, ct);
        using var revokePending = await carol.PostAsync($"/access-requests/{requestId}/revoke", null, ct);
        using var denied = await carol.PostAsJsonAsync($"/access-requests/{requestId}/deny", new { note = "Not for this purpose." }, ct);
        using var approveDenied = await carol.PostAsJsonAsync($"/access-requests/{requestId}/approve", new { }, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await InvalidAsync(noPurpose, "purpose");
        await InvalidAsync(shortPurpose, "purpose");
        await InvalidAsync(longPurpose, "purpose");
        Assert.Equal(HttpStatusCode.NotFound, unknownProduct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRequest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
        await InvalidAsync(longNote, "note");
        await RefusedAsync(revokePending, HttpStatusCode.Conflict, "Nothing granted");
        Assert.Equal("denied", (await denied.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        await RefusedAsync(approveDenied, HttpStatusCode.Conflict, "Already decided");
    }

    [Fact]
    public async Task DeprecatedProduct_TakesNoNewRequests_AndRetirementRevokesEveryGrant()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carol = _registry.As("carol", "content");
        using var alice = _registry.As("alice");
        using var bob = _registry.As("bob");
        var id = await Samples.RegisterAsync(carol, ct);
        using var granted = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);

        using var deprecated = await carol.PostAsJsonAsync($"/data-products/{id}/deprecation", new { sunsetAt = _registry.Time.GetUtcNow().AddDays(30), message = "Use content.catalogue-v2 instead." }, ct);
        using var late = await bob.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        using var stillGranted = await _registry.Anonymous().GetAsync($"/data-products/{id}/grants/alice", ct);
        _registry.Time.Advance(TimeSpan.FromDays(31));
        using var retired = await carol.PostAsync($"/data-products/{id}/retirement", null, ct);
        using var afterRetirement = await _registry.Anonymous().GetAsync($"/data-products/{id}/grants/alice", ct);
        using var mine = await alice.GetAsync("/access-requests/mine", ct);

        Assert.Equal(HttpStatusCode.OK, deprecated.StatusCode);
        await RefusedAsync(late, HttpStatusCode.Conflict, "No new grants");
        Assert.Equal(HttpStatusCode.OK, stillGranted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterRetirement.StatusCode);
        Assert.Equal("revoked", Assert.Single((await mine.Content.ReadFromJsonAsync<JsonElement>(ct)).EnumerateArray(), r => r.GetProperty("productId").GetString() == id).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Audit_IsAppendOnly_EvenForTheDatabaseOwner()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carol = _registry.As("carol", "content");
        using var alice = _registry.As("alice");
        var id = await Samples.RegisterAsync(carol, ct);
        using var asked = await alice.PostAsJsonAsync($"/data-products/{id}/access-requests", new { purpose = Purpose }, ct);
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);

        await using var connection = new NpgsqlConnection(await server.DatabaseForAsync(GetType()));
        await connection.OpenAsync(ct);
        foreach (var statement in new[] { "UPDATE registry.access_audit SET actor = 'nobody'", "DELETE FROM registry.access_audit", "TRUNCATE registry.access_audit CASCADE" })
        {
            await using var command = new NpgsqlCommand(statement, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    private static async Task RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string title) =>
        Assert.Equal(title, (await ProblemAssert.IsProblemAsync(response, status, TestContext.Current.CancellationToken)).GetProperty("title").GetString());

    private static async Task InvalidAsync(HttpResponseMessage response, string field) =>
        Assert.True((await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, TestContext.Current.CancellationToken)).GetProperty("errors").TryGetProperty(field, out _));

    private static async Task<string[]> ActionsAsync(HttpClient client, long requestId, CancellationToken ct) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/access-requests/{requestId}/audit", ct)).EnumerateArray().Select(a => a.GetProperty("action").GetString()!)];
}
