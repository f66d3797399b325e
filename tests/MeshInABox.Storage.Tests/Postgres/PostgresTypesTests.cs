using MeshInABox.Storage.Postgres;

namespace MeshInABox.Storage.Tests.Postgres;

/// <summary>Contract types to PostgreSQL types, in format_type()'s spelling so the catalog compares as text.</summary>
public sealed class PostgresTypesTests
{
    [Theory]
    [InlineData("int", "integer")]
    [InlineData("INT8", "bigint")]
    [InlineData("varchar(20)", "character varying(20)")]
    [InlineData("VARCHAR (20)", "character varying(20)")]
    [InlineData("character  varying(5)", "character varying(5)")]
    [InlineData("char", "character(1)")]
    [InlineData("decimal(10, 2)", "numeric(10,2)")]
    [InlineData("timestamptz", "timestamp with time zone")]
    [InlineData("timestamp", "timestamp without time zone")]
    [InlineData("text[]", "text[]")]
    [InlineData("jsonb", "jsonb")]
    public void Normalize_KnownTypes_AreSpelledAsTheCatalogSpellsThem(string written, string expected) =>
        Assert.Equal(expected, PostgresTypes.Normalize(written));

    [Theory]
    [InlineData("integer; DROP TABLE y")]
    [InlineData("text) ; --")]
    [InlineData("STRING")]
    [InlineData("int(4)")]
    [InlineData("varchar(1,2)")]
    [InlineData("geometry")]
    [InlineData("")]
    public void Normalize_AnythingElse_IsNotAType(string written) => Assert.Null(PostgresTypes.Normalize(written));

    [Theory]
    [InlineData("integer", null, null, "bigint")]
    [InlineData("integer", "format", "i16", "smallint")]
    [InlineData("integer", "format", "i32", "integer")]
    [InlineData("integer", "format", "u64", "numeric")]
    [InlineData("number", null, null, "numeric")]
    [InlineData("number", "format", "f64", "double precision")]
    [InlineData("timestamp", null, null, "timestamp with time zone")]
    [InlineData("timestamp", "timezone", "false", "timestamp without time zone")]
    [InlineData("time", "timezone", "true", "time with time zone")]
    [InlineData("object", null, null, "jsonb")]
    [InlineData("string", null, null, "text")]
    public void LogicalTypes_AndTheirOptions_Map(string logicalType, string? option, string? value, string expected)
    {
        var options = option is null ? "" : $"\n        logicalTypeOptions:\n          {option}: {value}";
        var contract = PostgresBed.Contract($"""
            apiVersion: v3.1.0
            kind: DataContract
            id: t
            version: 1.0.0
            status: active
            schema:
              - name: t
                properties:
                  - name: c
                    logicalType: {logicalType}{options}
            """);

        Assert.Equal((expected, null), PostgresTypes.For(contract.Schema[0].Properties[0]));
    }
}
