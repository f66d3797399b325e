namespace MeshInABox.Lineage.Tests;

/// <summary>DuckDB's positions (0-based, in code points) as the line and column people are shown.</summary>
public sealed class SqlPositionTests
{
    [Theory]
    [InlineData("SELECT 1", 0, 1, 1)]
    [InlineData("SELECT 1", 7, 1, 8)]
    [InlineData("SELECT 1", 8, 1, 9)]
    [InlineData("SELECT 1", 50, 1, 9)]
    [InlineData("SELECT 1\nFROM t", 9, 2, 1)]
    [InlineData("SELECT 1\nFROM t", 14, 2, 6)]
    [InlineData("SELECT 1\r\nFROM t", 10, 2, 1)]
    [InlineData("\n\n\nx", 3, 4, 1)]
    public void LineAndColumn_CountsFromOne_AndLinesEndAtNewline(string text, int codePoint, int line, int column) =>
        Assert.Equal((line, column), SqlPosition.LineAndColumn(text, codePoint));

    [Fact]
    public void LineAndColumn_CountsACharacterOutsideTheBmpOnce()
    {
        // '😀' is two UTF-16 chars and one code point, as DuckDB counts it.
        const string sql = "SELECT '😀' AS e,\n  x FROM t";

        Assert.Equal((1, 11), SqlPosition.LineAndColumn(sql, 10));
        Assert.Equal((2, 3), SqlPosition.LineAndColumn(sql, 19));
    }

    [Fact]
    public void CodePoints_CountsASurrogatePairOnce_AndALoneSurrogateAsOne()
    {
        const string sql = "'😀' x";

        Assert.Equal(0, SqlPosition.CodePoints(sql, 0));
        Assert.Equal(3, SqlPosition.CodePoints(sql, 4));
        Assert.Equal(5, SqlPosition.CodePoints(sql, sql.Length));
        Assert.Equal(2, SqlPosition.CodePoints("\uDC00a", 2));
    }

    [Fact]
    public void A_nul_is_refused_at_its_position_in_code_points()
    {
        using var analyzer = new LineageAnalyzer(TestCatalog.Create());

        var result = analyzer.Analyze("SELECT '😀'\0 FROM orders.lines");

        Assert.Equal(LineageErrorKind.Refused, result.Error?.Kind);
        Assert.Equal(10, result.Error!.Position);
        Assert.Contains("at character 11", result.Error.Message);
    }
}
