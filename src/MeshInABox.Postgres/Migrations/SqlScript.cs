namespace MeshInABox.Postgres.Migrations;

/// <summary>
/// Splits a migration script into its statements, keeping where each starts,
/// so an error can name the script's line. Knows PostgreSQL's quoting: '...',
/// "...", $tag$...$tag$, -- and /* */ comments.
/// </summary>
public static class SqlScript
{
    public readonly record struct Statement(string Text, int Offset);

    public static IReadOnlyList<Statement> Split(string script)
    {
        var statements = new List<Statement>();
        var start = 0;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == '\'' || c == '"')
            {
                i = SkipQuoted(script, i, c);
            }
            else if (c == '-' && Next(script, i) == '-')
            {
                i = IndexOrEnd(script, "\n", i);
            }
            else if (c == '/' && Next(script, i) == '*')
            {
                i = IndexOrEnd(script, "*/", i + 2) + 2;
            }
            else if (c == '$' && DollarTag(script, i) is { } tag)
            {
                i = IndexOrEnd(script, tag, i + tag.Length) + tag.Length;
            }
            else if (c == ';')
            {
                Add(statements, script, start, i);
                start = ++i;
            }
            else
            {
                i++;
            }
        }

        Add(statements, script, start, script.Length);
        return statements;
    }

    public static int LineAt(string script, int offset) =>
        script.AsSpan(0, Math.Clamp(offset, 0, script.Length)).Count('\n') + 1;

    private static void Add(List<Statement> statements, string script, int start, int end)
    {
        var text = script[start..Math.Min(end, script.Length)];
        var trimmed = text.TrimStart();
        if (!IsOnlyComments(trimmed))
        {
            statements.Add(new Statement(trimmed.TrimEnd(), start + (text.Length - trimmed.Length)));
        }
    }

    private static bool IsOnlyComments(string text) =>
        text.Split('\n').All(line => line.Trim().Length == 0 || line.TrimStart().StartsWith("--", StringComparison.Ordinal));

    private static char Next(string s, int i) => i + 1 < s.Length ? s[i + 1] : '\0';

    private static int IndexOrEnd(string s, string value, int from)
    {
        var index = s.IndexOf(value, Math.Min(from, s.Length), StringComparison.Ordinal);
        return index < 0 ? s.Length : index;
    }

    private static int SkipQuoted(string s, int i, char quote)
    {
        i++;
        while (i < s.Length)
        {
            if (s[i] == quote)
            {
                // A doubled quote is an escaped quote inside the literal.
                if (Next(s, i) != quote)
                {
                    return i + 1;
                }

                i++;
            }

            i++;
        }

        return s.Length;
    }

    private static string? DollarTag(string s, int i)
    {
        var end = i + 1;
        while (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] == '_'))
        {
            end++;
        }

        return end < s.Length && s[end] == '$' ? s[i..(end + 1)] : null;
    }
}
