using System.Text.Json;
using MeshInABox.Testing;
using MeshInABox.MeshRepository;

namespace MeshInABox.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-validate-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Validate_SampleMesh_ExitsZero()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "validate", RepositoryLayout.SampleMesh);

        Assert.Equal(0, exitCode);
        var expected = MeshRepositoryValidator.Validate(RepositoryLayout.SampleMesh);
        Assert.True(expected.RulesEvaluated > expected.Products, $"{expected.RulesEvaluated} rules for {expected.Products} products");
        Assert.Contains($"{expected.Products} product(s) checked against {expected.RulesEvaluated} rule(s): 0 error(s), 0 warning(s).", output);
    }

    [Fact]
    public async Task Validate_PolicyViolation_ExitsOneWithFileLineAndFix()
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = RepositoryLayout.CopySampleMesh(Path.Combine(_root, "mesh"));
        var manifest = Path.Combine(mesh, "content", "catalogue", "dataproduct.json");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, ct)).Replace("\"owner\": \"team-yellow\"", "\"owner\": \" \""), ct);

        var text = await MeshProcess.RunAsync(_root, ct, "validate", mesh);
        var json = await MeshProcess.RunAsync(_root, ct, "validate", mesh, "--format", "json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("content/catalogue/dataproduct.json:6:12: error owner-present: Product 'content.catalogue' has no owner.", text.Output);
        Assert.Contains("fix: Set 'owner'", text.Output);
        Assert.Equal(1, json.ExitCode);
        Assert.True(JsonDocument.Parse(json.Output).RootElement.GetProperty("rulesEvaluated").GetInt32() > 0);
        var finding = Assert.Single(JsonDocument.Parse(json.Output).RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("owner-present", finding.GetProperty("policy").GetString());
        Assert.Equal(6, finding.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Validate_MalformedFile_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;
        var product = Directory.CreateDirectory(Path.Combine(_root, "mesh", "sales", "orders")).FullName;
        await File.WriteAllTextAsync(Path.Combine(product, "dataproduct.yaml"), "id: sales.orders\nname: [Orders\n", ct);

        var (exitCode, output, _) = await MeshProcess.RunAsync(_root, ct, "validate", Path.Combine(_root, "mesh"));

        Assert.Equal(2, exitCode);
        Assert.Contains("sales/orders/dataproduct.yaml:3:1: error unreadable:", output);
    }
}
