using System.Text;

namespace MeshInABox.Testing;

/// <summary>Seeded random and hostile SQL strings for property tests: random tokens, quotes, NULs, deep nesting, huge names, paths, unicode.</summary>
public static class HostileSql
{
    private static readonly string[] Tokens =
    [
        "SELECT", "FROM", "WHERE", "WITH", "RECURSIVE", "AS", "UNION", "ALL", "JOIN", "ON", "USING", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET",
        "AT (VERSION => 1)", "AT (TIMESTAMP => now())", "(", ")", "((", "))", ",", ".", "..", "/", "*", ";", "'", "\"", "''", "\"\"", "--", "/*", "*/",
        "\0", "$1", "?", "$name", "1", "-1", "2000000000", "9223372036854775807", "1e308", "NULL", "TRUE", "x", "t", "titles",
        "content.catalogue.titles", "advertising.ad_impressions.impressions", "content.\"viewing-sessions\".sessions", "content.catalogue.\"../../x\"",
        "\"/etc/passwd\"", "'/etc/passwd'", "read_csv('/etc/passwd')", "current_setting('allowed_directories')", "getenv('HOME')",
        "repeat('x', 2000000000)", "lpad('x', 999999999, 'y')", "range(1000000000)", "printf('%999999999d', 1)", "format('{:>999999999}', 1)",
        "(SHOW ALL TABLES)", "DESCRIBE", "SUMMARIZE", "PRAGMA", "ATTACH", "COPY", "INSTALL", "LOAD", "SET", "CREATE", "DROP",
        "é", "𝄞", "\u202e", "\uFEFF", "\u00a0", "\\", "\n", "\t", "\r\n", "%", "#", "@", "|", "&", "::", "[", "]", "{", "}", "=>", "->", "||",
    ];

    private static readonly string[] Templates =
    [
        "SELECT {0} FROM content.catalogue.titles",
        "SELECT count(*) FROM {0}",
        "SELECT * FROM content.catalogue.{0}",
        "SELECT * FROM {0}.{0}.{0}",
        "WITH {0} AS (SELECT 1) SELECT * FROM {0}",
        "SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a), {0}",
        "SELECT {0}({0})",
        "SELECT * FROM content.catalogue.titles WHERE title_id = '{0}'",
        "SELECT \"{0}\" FROM content.catalogue.titles",
        "SELECT * FROM content.catalogue.titles AT (VERSION => {0}) LIMIT 1",
    ];

    public static IEnumerable<string> Generate(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return (i % 6) switch
            {
                0 => RandomTokens(random),
                1 => string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[random.Next(Templates.Length)], Fragment(random)),
                2 => Nested(random),
                3 => HugeName(random),
                4 => Mutate(random, string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[random.Next(Templates.Length)], Tokens[random.Next(Tokens.Length)])),
                _ => RandomText(random),
            };
        }
    }

    private static string RandomTokens(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(1, 30)).Select(_ => Tokens[random.Next(Tokens.Length)]));

    private static string Fragment(Random random) => random.Next(3) == 0 ? RandomText(random) : Tokens[random.Next(Tokens.Length)];

    private static string Nested(Random random)
    {
        var depth = random.Next(5, 120);
        var open = random.Next(3) switch { 0 => "(SELECT ", 1 => "(", _ => "abs(" };
        return "SELECT " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + new string(')', depth);
    }

    private static string HugeName(Random random)
    {
        var name = new string((char)('a' + random.Next(26)), random.Next(100, 20_000));
        return random.Next(3) switch
        {
            0 => $"SELECT * FROM {name}.{name}.{name}",
            1 => $"SELECT 1 AS \"{name}\"",
            _ => $"SELECT * FROM content.catalogue.\"{name}\"",
        };
    }

    private static string Mutate(Random random, string sql)
    {
        var text = new StringBuilder(sql);
        for (var i = random.Next(1, 6); i > 0 && text.Length > 0; i--)
        {
            var at = random.Next(text.Length);
            switch (random.Next(3))
            {
                case 0: text.Remove(at, 1); break;
                case 1: text.Insert(at, Tokens[random.Next(Tokens.Length)]); break;
                default: text[at] = (char)random.Next(0, 0x3000); break;
            }
        }

        return text.ToString();
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(1, 200)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0, 0xD7FF) : (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }
}
