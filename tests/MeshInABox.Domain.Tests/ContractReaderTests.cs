using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;

namespace MeshInABox.Domain.Tests;

public sealed class ContractReaderTests
{
    /// <summary>A contract using most of ODCS 3.1, plus fields this model does not interpret.</summary>
    public const string Rich = """
        apiVersion: v3.1.0
        kind: DataContract
        id: 53581432-6c55-4ba2-a65f-72344a91553a
        name: seller_payments_v1
        version: 1.1.0
        status: active
        tenant: ClimateQuantumInc
        domain: seller
        dataProduct: payments
        tags: [finance, "payments"]
        description:
          purpose: Views built on top of the seller tables.
          usage: Predict sales over time
          limitations: Data based on seller perspective, no buyer information
          authoritativeDefinitions:
            - type: businessDefinition
              url: https://example.com/definitions/seller
        servers:
          - server: my-postgres
            type: postgres
            host: localhost
            port: 5432
            database: pypl-edw
            schema: pp_access_views
        schema:
          - name: tbl
            physicalName: tbl_1
            physicalType: table
            description: Provides core payment metrics
            dataGranularityDescription: Aggregation on columns txn_ref_dt, pmt_txn_id
            tags: ['finance']
            properties:
              - name: txn_ref_dt
                logicalType: date
                physicalType: date
                required: false
                partitioned: true
                partitionKeyPosition: 1
                criticalDataElement: false
                classification: public
                transformSourceObjects: [table_name_1, table_name_2]
                examples: ["2022-10-03", "2020-01-28"]
                customProperties:
                  - property: anonymizationStrategy
                    value: none
              - name: rcvr_id
                primaryKey: true
                primaryKeyPosition: 1
                logicalType: string
                logicalTypeOptions:
                  maxLength: 64
                physicalType: varchar(18)
                required: true
                unique: true
                classification: restricted
              - name: rcvr_cntry_code
                logicalType: string
                required: false
                quality:
                  - metric: invalidValues
                    arguments:
                      validValues: ['US', 'CA', 'NL']
                    mustBe: 0
                  - metric: nullValues
                    mustBeLessThan: 10
                    unit: percent
            quality:
              - metric: rowCount
                mustBeGreaterThan: 1000000
                dimension: completeness
              - type: sql
                query: SELECT COUNT(*) FROM ${object} WHERE ${property} IS NOT NULL
                mustBeBetween: [0, 100]
        price:
          priceAmount: 9.95
          priceCurrency: USD
          priceUnit: megabyte
        team:
          name: my-team
          members:
            - username: ceastwood
              role: Data Scientist
        roles:
          - role: microstrategy_user_opr
            access: read
        slaProperties:
          - property: latency
            value: 4
            unit: d
            element: tbl.txn_ref_dt
          - property: retention
            value: 3
            unit: y
        support:
          - channel: '#product-help'
            tool: slack
            url: https://aidaug.slack.com/archives/C05UZRSBKLY
        customProperties:
          - property: refRulesetName
            value: gcsc.ruleset.name
          - property: x-internal-review
            value: { ticket: DATA-1234, approved: true }
        contractCreatedTs: "2022-11-15T02:59:43+00:00"
        """;

    [Fact]
    public void Read_RichContract_TypesTheFieldsItKnows()
    {
        var result = ContractReader.Read(Rich, "rich.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var contract = result.Contract;
        Assert.Equal("1.1.0", contract.Version!.ToString());
        Assert.Equal("my-team", contract.TeamName);
        var table = Assert.Single(contract.Schema);
        Assert.Equal(3, table.Properties.Count);
        var key = table.Property("rcvr_id")!;
        Assert.True(key.PrimaryKey && key.Unique && key.Required);
        Assert.Equal("64", key.LogicalTypeOptions["maxLength"]);
        Assert.Equal(["US", "CA", "NL"], table.Property("rcvr_cntry_code")!.AllowedValues);
        Assert.Equal(2, table.Quality.Count);
        Assert.Equal("mustBeBetween", table.Quality[1].Operator);
        Assert.Equal([0m, 100m], table.Quality[1].Operands);
        Assert.Equal(["latency", "retention"], contract.Sla.Select(s => s.Property));
        Assert.Equal(new SourceLocation("rich.yaml", 46, 9), key.At);
    }

    [Fact]
    public void WriteThenRead_RichContract_IsLossless()
    {
        var original = ContractReader.Read(Rich, "rich.yaml").Contract;

        var written = original.ToYaml();
        var reread = ContractReader.Read(written, "rewritten.yaml").Contract;

        // Every field survives, including ones the model does not interpret.
        Assert.Equal(Canonical(original.Document), Canonical(reread.Document));
        Assert.Contains("x-internal-review", written);
        Assert.Contains("dataGranularityDescription", written);
        Assert.Contains("anonymizationStrategy", written);
        Assert.Contains("'#product-help'", written);
        Assert.Equal("2022-11-15T02:59:43+00:00", YamlValue(reread, "contractCreatedTs"));
        Assert.Equal(reread.ToYaml(), written);
    }

    [Fact]
    public void Read_V302WithTeamAsMemberList_IsValid()
    {
        var text = """
            apiVersion: v3.0.2
            kind: DataContract
            id: orders
            version: 0.9.0
            status: draft
            team:
              - username: alice
                role: owner
            schema:
              - name: orders
                properties:
                  - name: order_id
                    logicalType: integer
            """;

        var result = ContractReader.Read(text, "v302.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Contract.TeamName);
        Assert.Contains("alice", result.Contract.ToYaml());
    }

    [Theory]
    [InlineData("apiVersion: v2.9.0", "Unknown ODCS apiVersion 'v2.9.0'", 1)]
    [InlineData("kind: Contract", "kind must be 'DataContract', found 'Contract'", 2)]
    [InlineData("version: one", "'one' is not a semantic version", 4)]
    [InlineData("version: 2147483648.0.0", "has a part above 2147483647", 4)]
    [InlineData("version: 1.99999999999999999999.0", "has a part above 2147483647", 4)]
    public void Read_WrongFundamentals_ArePositioned(string replacement, string message, int line)
    {
        var key = replacement.Split(':')[0];
        var text = string.Join('\n', Minimal.Split('\n').Select(l => l.StartsWith(key + ":", StringComparison.Ordinal) ? replacement : l));

        var result = ContractReader.Read(text, "c.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains(message, error.Message);
        Assert.Equal(line, error.Location.Line);
    }

    [Fact]
    public void Read_MissingRequiredFundamentals_NamesEach()
    {
        var result = ContractReader.Read("name: nothing else\n", "c.yaml");

        Assert.Equal(["apiVersion", "kind", "version", "id", "status"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Read_QualityRules_NeedOneOperatorAndAKnownMetric()
    {
        var text = Minimal + """

            schema:
              - name: t
                quality:
                  - metric: rowCount
                  - metric: nullValues
                    mustBe: 0
                    mustBeLessThan: 3
                  - metric: freshness
                    mustBe: 0
                  - type: sql
                    mustBe: 0
            """;

        var errors = ContractReader.Read(text, "c.yaml").Errors.Select(e => (e.Location.Line, e.Message)).ToList();

        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("exactly one operator"));
        Assert.Contains(errors, e => e.Line == 10 && e.Message.Contains("found mustBe and mustBeLessThan"));
        Assert.Contains(errors, e => e.Line == 13 && e.Message.Contains("Unknown metric 'freshness'"));
        Assert.Contains(errors, e => e.Line == 15 && e.Message.Contains("needs a 'query'"));
    }

    [Fact]
    public void Read_UnknownLogicalTypeAndDuplicateProperty_AreReported()
    {
        var text = Minimal + """

            schema:
              - name: t
                properties:
                  - name: a
                    logicalType: varchar
                  - name: a
                    logicalType: string
            """;

        var errors = ContractReader.Read(text, "c.yaml").Errors;

        Assert.Contains(errors, e => e.Message.Contains("Unknown logicalType 'varchar'") && e.Location.Line == 10);
        Assert.Contains(errors, e => e.Message.Contains("Duplicate property 'a'") && e.Location.Line == 11);
    }

    [Theory]
    [InlineData("apiVersion: v3.1.0\nkind: [DataContract\n", 3)]
    [InlineData("apiVersion: v3.1.0\n  kind: DataContract\n", 2)]
    [InlineData("apiVersion: v3.1.0\napiVersion: v3.0.2\n", 2)]
    public void Read_MalformedYaml_ThrowsWithPosition(string text, int line)
    {
        var error = Assert.Throws<DocumentParseException>(() => ContractReader.Read(text, "bad.yaml"));

        Assert.Equal("bad.yaml", error.Error.Location.File);
        Assert.Equal(line, error.Error.Location.Line);
    }

    [Fact]
    public void Read_JsonContract_MalformedJsonIsPositioned()
    {
        var error = Assert.Throws<DocumentParseException>(() => ContractReader.Read("{\n  \"kind\": \"DataContract\",\n  \"id\": \n}", "c.json"));

        Assert.Equal(4, error.Error.Location.Line);
    }

    [Theory]
    [InlineData("v3.0.2", "x-internal: yes", "'x-internal' is not a field of the contract in ODCS v3.0.2; ODCS has no x- extensions", 6)]
    [InlineData("v3.1.0", "description: Orders of the shop.", "Expected the description (purpose, usage, limitations) (a mapping)", 6)]
    [InlineData("v3.0.2", "servers:\n  - server: db\n    host: localhost", "A server needs a 'type'", 7)]
    [InlineData("v3.1.0", "servers:\n  - server: db\n    type: postgres\n    host: h\n    port: '5432'\n    database: d\n    schema: s", "'port' must be a whole number", 10)]
    [InlineData("v3.0.1", "schema:\n  - name: t\n    properties:\n      - name: at\n        logicalType: timestamp", "logicalType 'timestamp' is not in ODCS v3.0.1", 10)]
    [InlineData("v3.1.0", "schema:\n  - name: t\n    quality:\n      - metric: rowCount\n        mustBeGreaterThan: '100'", "'mustBeGreaterThan' must be a number", 10)]
    [InlineData("v3.1.0", "schema:\n  - name: t\n    quality:\n      - rule: nullCheck\n        mustBe: 0", "in v3.1.0 a library rule names its 'metric'", 9)]
    public void Read_StandardViolations_ArePositionedWithTheFix(string apiVersion, string addition, string message, int line)
    {
        var text = Minimal.Replace("v3.1.0", apiVersion) + "\n" + addition;

        var result = ContractReader.Read(text, "c.yaml");

        var error = Assert.Single(result.Errors, e => e.Message.Contains(message));
        Assert.Equal(line, error.Location.Line);
        Assert.Equal($"odcs-{apiVersion}", error.Rule);
    }

    [Fact]
    public void Read_V30xQualityRules_AreFreeTextRulesWithoutOperators()
    {
        var text = Minimal.Replace("v3.1.0", "v3.0.2") + """

            schema:
              - name: t
                quality:
                  - rule: nullCheck
                  - rule: between
                    mustBeBetween: [0, 10]
                  - type: sql
                    query: SELECT 1
            """;

        Assert.Empty(ContractReader.Read(text, "c.yaml").Errors);
    }

    [Fact]
    public void Read_NullAmongValidValues_IsAccepted()
    {
        var text = Minimal + """

            schema:
              - name: t
                properties:
                  - name: status
                    logicalType: string
                    quality:
                      - metric: invalidValues
                        arguments:
                          validValues: [active, null]
                        mustBe: 0
            """;

        var result = ContractReader.Read(text, "c.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(["active"], result.Contract.Schema[0].Property("status")!.AllowedValues);
    }

    [Fact]
    public void Read_V302WithTeamAsObject_SaysToDeclareV310()
    {
        var text = Minimal.Replace("v3.1.0", "v3.0.2") + "\nteam:\n  name: sellers\n";

        var error = Assert.Single(ContractReader.Read(text, "c.yaml").Errors);

        Assert.Equal(7, error.Location.Line);
        Assert.Contains("declare apiVersion: v3.1.0", error.Message);
    }

    internal const string Minimal = "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active";

    private static string Canonical(YamlDotNet.RepresentationModel.YamlNode node) => ContractWriter.Write(node);

    private static string? YamlValue(DataContract contract, string key) =>
        (NodeReader.Child(contract.Document, key) as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value;
}
