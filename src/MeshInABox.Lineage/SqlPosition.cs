namespace MeshInABox.Lineage;

/// <summary>
/// Positions in SQL text as DuckDB gives them (0-based, counted in Unicode code points) and as people read them
/// (1-based line and column, also in code points, so a character outside the BMP is one column). Lines end at '\n'.
/// </summary>
public static class SqlPosition
{
    /// <summary>The 1-based line and column of the 0-based code-point offset <paramref name="codePoint"/>; past the end, where the text ends.</summary>
    public static (int Line, int Column) LineAndColumn(string text, int codePoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        int line = 1, column = 1, seen = 0;
        for (var i = 0; i < text.Length && seen < codePoint; i++, seen++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }

            (line, column) = text[i] == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return (line, column);
    }

    /// <summary>The code-point offset of the UTF-16 index <paramref name="index"/> (a surrogate pair before it counts once).</summary>
    public static int CodePoints(string text, int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        for (var i = 0; i < index && i < text.Length; i++)
        {
            count += i > 0 && char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]) ? 0 : 1;
        }

        return count;
    }
}
