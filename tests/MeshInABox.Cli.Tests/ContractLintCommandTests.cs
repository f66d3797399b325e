using System.Text.Json;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

public sealed class ContractLintCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-lint-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Titles => Path.Combine(RepositoryLayout.SampleMesh, "content", "catalogue", "contracts", "titles.odcs.yaml");

    private static string SubscriptionEvents => Directory.EnumerateFiles(
        Path.Combine(RepositoryLayout.SampleMesh, "subscriptions", "subscription-events"), "*asyncapi*", SearchOption.AllDirectories).First();

    private const string Broken = """
        apiVersion: v3.1.0
        kind: DataContract
        id: orders
        version: 1.0.0
        status: active
        servers:
          - server: db
            type: postgres
            host: localhost
            port: "5432"
            database: shop
            schema: public
        x-owner: sales
        """;

    [Fact]
    public async Task Lint_ValidContractAndAsyncApiDocument_ExitsZero()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "contract", "lint", Titles, SubscriptionEvents);

        Assert.Equal(0, exitCode);
        Assert.Contains($"{Titles}: valid ODCS v3.1.0.", output);
        Assert.Contains($"{SubscriptionEvents}: valid AsyncAPI", output);
    }

    [Fact]
    public async Task Lint_AsyncApiDocumentOverTwoFiles_FollowsItsFolder_AndRefusesAnEscape()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateDirectory(Path.Combine(_root, "events")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "schemas.yaml"), """
            Changed:
              type: object
              required: [id]
              properties:
                id: { type: string }
            """, ct);
        var document = """
            asyncapi: 3.0.0
            info: { title: Changes, version: 1.0.0 }
            channels:
              changed:
                address: changes.v1
                messages:
                  changed:
                    payload:
                      $ref: 'schemas.yaml#/Changed'
            """;
        var split = await WriteAsync(Path.Combine("events", "changes.asyncapi.yaml"), document, ct);
        var escaping = await WriteAsync(Path.Combine("events", "escaping.asyncapi.yaml"), document.Replace("'schemas.yaml#/Changed'", "'../../../etc/passwd'"), ct);

        var followed = await MeshProcess.RunAsync(_root, ct, "contract", "lint", split);
        var refused = await MeshProcess.RunAsync(_root, ct, "contract", "lint", escaping);

        Assert.Equal(0, followed.ExitCode);
        Assert.Contains($"{split}: valid AsyncAPI", followed.Output);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("../../../etc/passwd", refused.Output + refused.Error);
    }

    [Fact]
    public async Task Lint_Violations_ExitOneWithFileLineColumnAndRule()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = await WriteAsync("orders.odcs.yaml", Broken, ct);

        var text = await MeshProcess.RunAsync(_root, ct, "contract", "lint", file);
        var json = await MeshProcess.RunAsync(_root, ct, "contract", "lint", file, "--format", "json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"{file}:10:11: error odcs-v3.1.0: servers[0].port: 'port' must be a whole number", text.Output);
        Assert.Contains($"{file}:13:1: error odcs-v3.1.0: x-owner: 'x-owner' is not a field of the contract", text.Output);
        Assert.Equal(1, json.ExitCode);
        var report = JsonDocument.Parse(json.Output).RootElement;
        Assert.False(report.GetProperty("valid").GetBoolean());
        var findings = report.GetProperty("files")[0].GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(2, findings.Count);
        Assert.Equal(10, findings[0].GetProperty("line").GetInt32());
        Assert.Equal("odcs-v3.1.0", findings[0].GetProperty("rule").GetString());
    }

    [Theory]
    [InlineData("not-yaml.odcs.yaml", "apiVersion: v3.1.0\nkind: [DataContract\n")]
    [InlineData("not-a-contract.yaml", "name: a shopping list\nitems: [milk]\n")]
    public async Task Lint_UnreadableFile_ExitsTwo(string name, string content)
    {
        var ct = TestContext.Current.CancellationToken;
        var file = await WriteAsync(name, content, ct);

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "contract", "lint", Titles, file);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{file}:", error);
        Assert.Contains("error unreadable:", error);
    }

    [Fact]
    public async Task Export_ValidContract_RoundTripsAsYamlAndJson()
    {
        var ct = TestContext.Current.CancellationToken;
        var original = await WriteAsync("commented.odcs.yaml", "# Orders of the shop.\n" + Broken.Replace("    port: \"5432\"", "    port: 5432 # the default").Replace("x-owner: sales", "").TrimEnd() + "\n", ct);

        var yaml = await MeshProcess.RunAsync(_root, ct, "contract", "export", original);
        var json = await MeshProcess.RunAsync(_root, ct, "contract", "export", original, "--format", "json");

        Assert.Equal(0, yaml.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(original, ct), yaml.Output);
        Assert.Equal(0, json.ExitCode);
        var data = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(5432, data.GetProperty("servers")[0].GetProperty("port").GetInt32());
        var exported = await WriteAsync("exported.json", json.Output, ct);
        var reread = await MeshProcess.RunAsync(_root, ct, "contract", "export", exported);
        Assert.Equal(0, reread.ExitCode);
        Assert.Equal(yaml.Output.Replace("# Orders of the shop.\n", "").Replace(" # the default", ""), reread.Output.Replace("\"", ""));
    }

    private async Task<string> WriteAsync(string name, string content, CancellationToken ct)
    {
        var path = Path.Combine(_root, name);
        await File.WriteAllTextAsync(path, content, ct);
        return path;
    }
}
