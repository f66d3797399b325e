using MeshInABox.Domain.Governance;

namespace MeshInABox.Domain.Tests;

public sealed class GlobalPoliciesTests
{
    [Fact]
    public void EveryPolicy_PassesOnAProductThatMeetsThem()
    {
        var review = Fixtures.Review();

        var violations = GlobalPolicies.All.SelectMany(p => p.Evaluate(review)).ToList();

        Assert.Empty(violations);
        // Nothing was skipped for want of input: the product has outputs, each with its contract read, and every policy ran.
        Assert.NotEmpty(review.Outputs);
        Assert.All(review.Outputs, output => Assert.NotNull(output.Contract?.Contract));
        Assert.Equal(GlobalPolicies.All.Select(p => p.Info.Id).Distinct().Count(), GlobalPolicies.All.Count);
        Assert.True(GlobalPolicies.All.Count >= 10, $"{GlobalPolicies.All.Count} global policies");
    }

    [Theory]
    [InlineData("\"\"", "has no description")]
    [InlineData("\"TODO\"", "placeholder description")]
    [InlineData("\"Content Catalogue\"", "repeats its name")]
    [InlineData("\"All the titles.\"", "too short")]
    public void DescriptionMeaningful_FailsOnEmptyPlaceholderNameOrShort(string description, string reason)
    {
        var review = Fixtures.Review(Fixtures.WithField(Fixtures.Manifest, "description", description));

        var violation = Assert.Single(Fixtures.Check("description-meaningful", review));

        Assert.Contains(reason, violation.Message);
        Assert.Equal(6, violation.Location.Line);
    }

    [Fact]
    public void OwnerPresent_FailsOnBlankOwner()
    {
        var review = Fixtures.Review(Fixtures.WithField(Fixtures.Manifest, "owner", "\"  \""));

        Assert.Single(Fixtures.Check("owner-present", review));
    }

    [Fact]
    public void BusinessUnitPresent_FailsWithoutOne()
    {
        var review = Fixtures.Review(Fixtures.Manifest.Replace("\"businessUnit\": \"streaming\",", ""));

        Assert.Single(Fixtures.Check("business-unit-present", review));
    }

    [Fact]
    public void ClassificationPresent_FailsWithoutOne()
    {
        var review = Fixtures.Review(Fixtures.Manifest.Replace("\"classification\": \"open\",", ""));

        Assert.Single(Fixtures.Check("classification-present", review));
    }

    [Theory]
    [InlineData("\"Content.Catalogue\"", "lower-case kebab case")]
    [InlineData("\"catalogue\"", "lower-case kebab case")]
    [InlineData("\"sales.catalogue\"", "does not start with its domain 'content.'")]
    public void IdNaming_FailsOnBadIds(string id, string reason)
    {
        var review = Fixtures.Review(Fixtures.WithField(Fixtures.Manifest, "id", id));

        Assert.Contains(reason, Assert.Single(Fixtures.Check("id-naming", review)).Message);
    }

    [Fact]
    public void ContractPresent_FailsWithoutContractOrWithAnInvalidOne()
    {
        var noContract = Fixtures.Review(Fixtures.Manifest.Replace(", \"contract\": \"titles.odcs.yaml\"", ""));
        var invalid = Fixtures.Review(contract: Fixtures.Contract.Replace("kind: DataContract", "kind: Schema"));

        Assert.Contains("has no contract", Assert.Single(Fixtures.Check("contract-present", noContract)).Message);
        var violation = Assert.Single(Fixtures.Check("contract-present", invalid));
        Assert.Contains("kind must be 'DataContract'", violation.Message);
        Assert.Equal(("titles.odcs.yaml", 2), (violation.Location.File, violation.Location.Line));
    }

    [Fact]
    public void ContractSemVer_FailsOnANonSemanticVersion()
    {
        var review = Fixtures.Review(contract: Fixtures.Contract.Replace("version: 1.0.0", "version: v1"));

        var violation = Assert.Single(Fixtures.Check("contract-semver", review));

        Assert.Contains("'v1' is not a semantic version", violation.Message);
        Assert.Equal(4, violation.Location.Line);
    }

    [Theory]
    [InlineData("classification: pii")]
    [InlineData("classification: Sensitive")]
    [InlineData("tags: [pii]")]
    public void PiiRestricted_FailsWhenOpenProductPublishesPersonalData(string marking)
    {
        var contract = Fixtures.Contract.Replace("description: Title identifier.", "description: Title identifier.\n        " + marking);

        var open = Fixtures.Review(contract: contract);
        var restricted = Fixtures.Review(Fixtures.WithField(Fixtures.Manifest, "classification", "\"restricted\""), contract);

        var violation = Assert.Single(Fixtures.Check("pii-restricted", open));
        Assert.Contains("'titles.title_id'", violation.Message);
        Assert.Empty(Fixtures.Check("pii-restricted", restricted));
    }

    [Fact]
    public void CsvPresent_FailsWhenTheFileIsMissing()
    {
        var review = Fixtures.Review();
        var missing = review with { Outputs = [review.Outputs[0] with { Data = null, DataProblem = "CSV file 'data/titles.csv' does not exist." }] };

        Assert.Contains("does not exist", Assert.Single(Fixtures.Check("csv-present", missing)).Message);
    }

    [Fact]
    public void CsvHeader_FailsOnMissingExtraAndDuplicateColumns()
    {
        var review = Fixtures.Review(csv: "title_id,genre,year,genre,added_on\ntt1,drama,1999,drama,2024-01-01\n");

        var messages = Fixtures.Check("csv-header", review).Select(v => (v.Message, v.Location.Column)).ToList();

        Assert.Contains(messages, m => m.Message.Contains("no column 'release_year'"));
        Assert.Contains(messages, m => m.Message.Contains("has column 'year'") && m.Column == 16);
        Assert.Contains(messages, m => m.Message.Contains("names column 'genre' more than once"));
    }

    [Fact]
    public void CsvValues_BadValueOnLine5000_IsPositioned()
    {
        var rows = Enumerable.Range(1, 5001).Select(i => $"tt{i},drama,{(i == 4999 ? "19x9" : "1999")},2024-01-01");
        var review = Fixtures.Review(csv: "title_id,genre,release_year,added_on\n" + string.Join('\n', rows) + "\n");

        var violation = Assert.Single(Fixtures.Check("csv-values", review));

        Assert.Equal((5000, 14), (violation.Location.Line, violation.Location.Column));
        Assert.Contains("Line 5000, column 'release_year': '19x9' is not an integer", violation.Message);
    }

    [Theory]
    [InlineData(",drama,1999,2024-01-01", "column 'title_id': a value is required")]
    [InlineData("tt9,horror,1999,2024-01-01", "'horror' is not an allowed value")]
    [InlineData("tt9,drama,1999,01/02/2024", "is not a date (yyyy-MM-dd)")]
    [InlineData("tt9,drama,1999", "Line 2 has 3 fields, the header has 4")]
    public void CsvValues_FailsOnEachKindOfBadValue(string row, string message)
    {
        var review = Fixtures.Review(csv: "title_id,genre,release_year,added_on\n" + row + "\n");

        Assert.Contains(message, Assert.Single(Fixtures.Check("csv-values", review)).Message);
    }

    [Fact]
    public void CsvValues_ManyBadValues_ListsTenThenCounts()
    {
        var rows = Enumerable.Range(1, 25).Select(i => $"tt{i},drama,bad,2024-01-01");
        var review = Fixtures.Review(csv: "title_id,genre,release_year,added_on\n" + string.Join('\n', rows) + "\n");

        var violations = Fixtures.Check("csv-values", review);

        Assert.Equal(CsvCheck.MaxReportedValues + 1, violations.Count);
        Assert.Contains("15 more bad value(s)", violations[^1].Message);
    }

    [Fact]
    public void StreamContract_FailsWithoutAsyncApiOrWhenMessagesDoNotRequireContractFields()
    {
        var manifest = Fixtures.Manifest.Replace(
            "{ \"name\": \"titles\", \"kind\": \"csv\", \"location\": \"data/titles.csv\", \"contract\": \"titles.odcs.yaml\" }",
            "{ \"name\": \"titles\", \"kind\": \"kafka\", \"contract\": \"titles.odcs.yaml\", \"streamContract\": \"events.asyncapi.yaml\" }");
        var withoutRequired = AsyncApiDocumentTests.Document.Replace("required: [title_id, genre]", "required: [genre]");

        var missing = Fixtures.Review(manifest.Replace(", \"streamContract\": \"events.asyncapi.yaml\"", ""));
        var good = Fixtures.Review(manifest, asyncApi: AsyncApiDocumentTests.Document);
        var loose = Fixtures.Review(manifest, asyncApi: withoutRequired);

        Assert.Contains("has no AsyncAPI document", Assert.Single(Fixtures.Check("stream-contract", missing)).Message);
        Assert.Empty(Fixtures.Check("stream-contract", good));
        Assert.Contains("does not require 'title_id'", Assert.Single(Fixtures.Check("stream-contract", loose)).Message);
    }
}
