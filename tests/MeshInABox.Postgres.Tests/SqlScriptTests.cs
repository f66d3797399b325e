using MeshInABox.Postgres.Migrations;

namespace MeshInABox.Postgres.Tests;

public sealed class SqlScriptTests
{
    [Fact]
    public void Split_SemicolonsInsideQuotesCommentsAndDollarBodies_DoNotEndAStatement()
    {
        const string script = """
            -- header; not a statement
            CREATE TABLE "odd;name" (note text DEFAULT 'a;b''c');
            /* block; comment */
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT 2
            """;

        var statements = SqlScript.Split(script);

        Assert.Equal(3, statements.Count);
        Assert.EndsWith("\nCREATE TABLE \"odd;name\" (note text DEFAULT 'a;b''c')", statements[0].Text);
        Assert.StartsWith("/* block; comment */", statements[1].Text);
        Assert.EndsWith("$body$ LANGUAGE sql", statements[1].Text);
        Assert.Equal("SELECT 2", statements[2].Text);
        Assert.Equal(2, SqlScript.LineAt(script, statements[0].Offset + statements[0].Text.IndexOf("CREATE", StringComparison.Ordinal)));
        Assert.Equal(5, SqlScript.LineAt(script, statements[2].Offset));
    }

    [Fact]
    public void Split_OnlyCommentsAndBlanks_YieldsNothing()
    {
        Assert.Empty(SqlScript.Split("-- nothing here;\n\n  \n-- still nothing"));
    }
}
