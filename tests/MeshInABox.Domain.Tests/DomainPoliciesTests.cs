using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Governance;

namespace MeshInABox.Domain.Tests;

public sealed class DomainPoliciesTests
{
    private static IProductPolicy Policy(string require, string severity = "error")
    {
        var result = DomainPolicies.Read($"""
            policies:
              - id: content.rule
                severity: {severity}
                summary: A rule of the content domain.
                fix: Do what it says.
                require:
                  {require}
            """, "content/policies.yaml");
        Assert.Empty(result.Errors);
        return Assert.Single(result.Policies);
    }

    [Theory]
    [InlineData("tags: [content]", "tags: [catalogue]", "lacks the tag 'catalogue'")]
    [InlineData("slaProperties: [latency]", "slaProperties: [retention]", "declares no 'retention' SLA property")]
    [InlineData("classification: open", "classification: restricted", "must be classified restricted")]
    [InlineData("outputKinds: [csv]", "outputKinds: [lakehouse]", "is csv; this domain allows lakehouse")]
    [InlineData("contractStatus: [active]", "contractStatus: [retired]", "has status 'active'")]
    public void EachRequirement_PassesWhenMet_AndFailsWhenNot(string met, string unmet, string message)
    {
        var review = Fixtures.Review();

        Assert.Empty(Policy(met).Evaluate(review));
        var violation = Assert.Single(Policy(unmet).Evaluate(review));
        Assert.Equal("content.rule", violation.PolicyId);
        Assert.Contains(message, violation.Message);
    }

    [Fact]
    public void PropertyDescriptions_NamesEachUndescribedProperty()
    {
        var review = Fixtures.Review(contract: Fixtures.Contract.Replace("        description: Main genre.\n", ""));

        var violation = Assert.Single(Policy("propertyDescriptions: true", "warning").Evaluate(review));

        Assert.Equal(Severity.Warning, violation.Severity);
        Assert.Contains("'titles.genre' has no description", violation.Message);
    }

    [Fact]
    public void Read_MalformedPolicies_ArePositioned()
    {
        var result = DomainPolicies.Read("""
            policies:
              - id: content.rule
                severity: fatal
                summary: s
                fix: f
                require:
                  colour: [blue]
              - id: content.other
                summary: s
                fix: f
            """, "content/policies.yaml");

        Assert.Contains(result.Errors, e => e.Location.Line == 3 && e.Message.Contains("'fatal' is not a severity"));
        Assert.Contains(result.Errors, e => e.Location.Line == 7 && e.Message.Contains("Unknown requirement 'colour'"));
        Assert.Contains(result.Errors, e => e.Location.Line == 8 && e.Message.Contains("'require' is required"));
        Assert.Throws<DocumentParseException>(() => DomainPolicies.Read("policies: [", "p.yaml"));
    }
}
