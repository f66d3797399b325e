using MeshInABox.Domain.Access;
using MeshInABox.Hosting.State;
using MeshInABox.ServiceDefaults;
using MeshInABox.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace MeshInABox.Cli.Tests;

public sealed class TokenCommandTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-token-");

    public TokenCommandTests() => LocalSigningKey.EnsureExists(MeshState.SigningKeyPath(_root));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Token_WithSubjectAndNoDomain_SpeaksForThatSubject_AndWritesNothing()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "token", "--subject", "alice", "--scope", MeshAccess.ReadScope, "--data-dir", _root);

        Assert.True(exitCode == 0, error);
        var token = new JsonWebToken(output.Trim());
        Assert.Equal("alice", token.Subject);
        Assert.Equal(MeshAccess.ReadScope, token.GetClaim(MeshAccess.ScopeClaim).Value);
        Assert.DoesNotContain(token.Claims, c => c.Type == MeshAccess.DomainClaim);
    }

    [Fact]
    public async Task Token_WithoutSubject_SpeaksForTheUser()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "token", "--domain", "content", "--data-dir", _root);

        Assert.True(exitCode == 0, error);
        var token = new JsonWebToken(output.Trim());
        Assert.Equal(Environment.UserName, token.Subject);
        Assert.Equal("content", token.GetClaim(MeshAccess.DomainClaim).Value);
    }

    [Theory]
    [InlineData("../alice", "is not a subject")]
    [InlineData("alice smith", "is not a subject")]
    [InlineData("-alice", "is not a subject")]
    [InlineData("", "A value is required")]
    public async Task Token_SubjectBreakingTheNamingRule_ExitsTwoAndSaysTheRule(string subject, string message)
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, output, error) = await MeshProcess.RunAsync(_root, ct, "token", "--subject", subject, "--data-dir", _root);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("--subject:", error);
        Assert.Contains(message, error);
        Assert.Contains("letters, digits and . _ @ + | : = -", error);
    }

    [Fact]
    public async Task Token_SubjectOverTheLengthLimit_ExitsTwo()
    {
        var ct = TestContext.Current.CancellationToken;

        var (exitCode, _, error) = await MeshProcess.RunAsync(_root, ct, "token", "--subject", new string('a', 256), "--data-dir", _root);

        Assert.Equal(2, exitCode);
        Assert.Contains("is 256 characters long", error);
    }
}
