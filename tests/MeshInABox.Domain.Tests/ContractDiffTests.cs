using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Versioning;

namespace MeshInABox.Domain.Tests;

public sealed class ContractDiffTests
{
    private const string Base = """
        apiVersion: v3.1.0
        kind: DataContract
        id: orders
        name: Orders
        version: 1.2.0
        status: active
        tags: [sales]
        description:
          purpose: Orders placed in the shop.
        schema:
          - name: orders
            description: One row per order.
            properties:
              - name: order_id
                logicalType: integer
                required: true
                unique: true
                primaryKey: true
                primaryKeyPosition: 1
              - name: status
                logicalType: string
                required: true
                description: Where the order is.
                examples: [paid]
                quality:
                  - metric: invalidValues
                    arguments:
                      validValues: [paid, shipped, returned]
                    mustBe: 0
              - name: note
                logicalType: string
                logicalTypeOptions:
                  maxLength: 200
                tags: [free-text]
              - name: coupon
                logicalType: string
            quality:
              - metric: nullValues
                mustBeLessThan: 5
              - metric: rowCount
                mustBeGreaterThan: 100
          - name: order_lines
            properties:
              - name: line_id
                logicalType: integer
        slaProperties:
          - property: latency
            value: 1
            unit: d
          - property: retention
            value: 3
            unit: y
        """;

    /// <summary>Each rule of the classifier: an edit of the base contract, its class, and the path it names.</summary>
    public static TheoryData<string, string, string, ChangeClass, string> Rules => new()
    {
        { "object removed", "  - name: order_lines\n    properties:\n      - name: line_id\n        logicalType: integer\n", "", ChangeClass.Major, "schema.order_lines" },
        { "object added", "slaProperties:", "  - name: refunds\n    properties:\n      - name: refund_id\n        logicalType: integer\nslaProperties:", ChangeClass.Minor, "schema.refunds" },
        { "property removed", "      - name: coupon\n        logicalType: string\n", "", ChangeClass.Major, "schema.orders.coupon" },
        { "optional property added", "      - name: coupon\n", "      - name: channel\n        logicalType: string\n      - name: coupon\n", ChangeClass.Minor, "schema.orders.channel" },
        { "required property added", "      - name: coupon\n", "      - name: channel\n        logicalType: string\n        required: true\n      - name: coupon\n", ChangeClass.Major, "schema.orders.channel" },
        { "type changed", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: integer", ChangeClass.Major, "schema.orders.coupon.logicalType" },
        { "physical type changed", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: string\n        physicalType: varchar(10)", ChangeClass.Major, "schema.orders.coupon.physicalType" },
        { "type narrowed", "maxLength: 200", "maxLength: 100", ChangeClass.Major, "schema.orders.note.logicalTypeOptions.maxLength" },
        { "type widened", "maxLength: 200", "maxLength: 400", ChangeClass.Minor, "schema.orders.note.logicalTypeOptions.maxLength" },
        { "constraint added", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: string\n        logicalTypeOptions:\n          pattern: '^[A-Z]+$'", ChangeClass.Major, "schema.orders.coupon.logicalTypeOptions.pattern" },
        { "optional made required", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: string\n        required: true", ChangeClass.Major, "schema.orders.coupon.required" },
        { "required made optional", "        logicalType: string\n        required: true\n        description: Where", "        logicalType: string\n        required: false\n        description: Where", ChangeClass.Minor, "schema.orders.status.required" },
        { "unique added", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: string\n        unique: true", ChangeClass.Major, "schema.orders.coupon.unique" },
        { "primary key added", "      - name: coupon\n        logicalType: string", "      - name: coupon\n        logicalType: string\n        primaryKey: true", ChangeClass.Major, "schema.orders.coupon.primaryKey" },
        { "enum value removed", "[paid, shipped, returned]", "[paid, shipped]", ChangeClass.Major, "schema.orders.status.validValues" },
        { "enum value added", "[paid, shipped, returned]", "[paid, shipped, returned, lost]", ChangeClass.Minor, "schema.orders.status.validValues" },
        { "quality rule added", "      - metric: rowCount", "      - metric: duplicateValues\n        mustBe: 0\n      - metric: rowCount", ChangeClass.Major, "schema.orders.quality[duplicateValues]" },
        { "quality tightened", "mustBeLessThan: 5", "mustBeLessThan: 1", ChangeClass.Major, "schema.orders.quality[nullValues]" },
        { "quality relaxed", "mustBeLessThan: 5", "mustBeLessThan: 10", ChangeClass.Minor, "schema.orders.quality[nullValues]" },
        { "row count floor raised", "mustBeGreaterThan: 100", "mustBeGreaterThan: 1000", ChangeClass.Major, "schema.orders.quality[rowCount]" },
        { "quality rule removed", "      - metric: rowCount\n        mustBeGreaterThan: 100\n", "", ChangeClass.Minor, "schema.orders.quality[rowCount]" },
        { "freshness tightened", "    value: 1\n    unit: d", "    value: 12\n    unit: h", ChangeClass.Major, "slaProperties[latency]" },
        { "freshness relaxed", "    value: 1\n    unit: d", "    value: 2\n    unit: d", ChangeClass.Minor, "slaProperties[latency]" },
        { "retention lengthened", "    value: 3\n    unit: y", "    value: 5\n    unit: y", ChangeClass.Major, "slaProperties[retention]" },
        { "SLA added", "slaProperties:\n", "slaProperties:\n  - property: availability\n    value: 99.9\n    unit: '%'\n", ChangeClass.Major, "slaProperties[availability]" },
        { "SLA removed", "  - property: retention\n    value: 3\n    unit: y", "", ChangeClass.Minor, "slaProperties[retention]" },
        { "description changed", "description: Where the order is.", "description: The order's current state.", ChangeClass.Patch, "schema.orders.status.description" },
        { "tags changed", "tags: [free-text]", "tags: [free-text, pii-free]", ChangeClass.Patch, "schema.orders.note.tags" },
        { "examples changed", "examples: [paid]", "examples: [paid, shipped]", ChangeClass.Patch, "schema.orders.status.examples" },
        { "contract tags changed", "tags: [sales]", "tags: [sales, orders]", ChangeClass.Patch, "tags" },
        { "purpose changed", "purpose: Orders placed in the shop.", "purpose: Every order placed in the web shop.", ChangeClass.Patch, "description.purpose" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Compare_ClassifiesEachRule(string rule, string find, string replace, ChangeClass expected, string path)
    {
        Assert.Contains(find, Base);
        var before = Read(Base);
        var after = Read(Base.Replace(find, replace, StringComparison.Ordinal));

        var changes = ContractDiff.Compare(before, after);

        var change = Assert.Single(changes);
        Assert.True(expected == change.Class, $"{rule}: expected {expected}, got {change}");
        Assert.Equal(path, change.Path);
    }

    [Fact]
    public void Compare_SameContract_HasNoChanges()
    {
        Assert.Empty(ContractDiff.Compare(Read(Base), Read(Base)));
    }

    [Fact]
    public void Compare_UninterpretedFieldChanged_IsAtLeastPatch()
    {
        var after = Read(Base + "\ncustomProperties:\n  - property: costCentre\n    value: cc-17\n");

        var change = Assert.Single(ContractDiff.Compare(Read(Base), after));

        Assert.Equal(ChangeClass.Patch, change.Class);
        Assert.Equal("customProperties", change.Path);
    }

    [Theory]
    [InlineData("1.3.0", false, "need a MAJOR release (e.g. 2.0.0)")]
    [InlineData("1.2.1", false, "need a MAJOR release")]
    [InlineData("2.0.0", true, "is a MAJOR release")]
    public void Check_RemovedColumn_NeedsAMajorBump(string released, bool allowed, string verdict)
    {
        var before = Read(Base);
        var after = Read(Base.Replace("      - name: coupon\n        logicalType: string\n", "").Replace("version: 1.2.0", $"version: {released}"));

        var check = VersionCheck.Of(before, after);

        Assert.Equal(ChangeClass.Major, check.Required);
        Assert.Equal(allowed, check.Allowed);
        Assert.Contains(verdict, check.Verdict);
    }

    [Theory]
    [InlineData("1.2.1", false)]
    [InlineData("1.3.0", true)]
    public void Check_AddedOptionalColumn_NeedsAMinorBump(string released, bool allowed)
    {
        var after = Read(Base.Replace("      - name: coupon\n", "      - name: channel\n        logicalType: string\n      - name: coupon\n").Replace("version: 1.2.0", $"version: {released}"));

        Assert.Equal(allowed, VersionCheck.Of(Read(Base), after).Allowed);
    }

    [Fact]
    public void Check_VersionNotIncreased_IsRefused()
    {
        var after = Read(Base.Replace("version: 1.2.0", "version: 1.1.9"));

        var check = VersionCheck.Of(Read(Base), after);

        Assert.False(check.Allowed);
        Assert.Contains("does not come after 1.2.0", check.Verdict);
    }

    [Fact]
    public void Check_BeforeOnePointZero_BreakingChangeNeedsAMinorBump()
    {
        var before = Read(Base.Replace("version: 1.2.0", "version: 0.4.0"));
        var patch = Read(Base.Replace("version: 1.2.0", "version: 0.4.1").Replace("      - name: coupon\n        logicalType: string\n", ""));
        var minor = Read(Base.Replace("version: 1.2.0", "version: 0.5.0").Replace("      - name: coupon\n        logicalType: string\n", ""));

        Assert.False(VersionCheck.Of(before, patch).Allowed);
        Assert.True(VersionCheck.Of(before, minor).Allowed);
    }

    private static DataContract Read(string text)
    {
        var result = ContractReader.Read(text, "c.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Contract;
    }
}
