using System.Text.RegularExpressions;

namespace MeshInABox.Domain.Naming;

/// <summary>
/// The one rule set for every name a domain team or a token hands the platform.
/// Each name is checked at the edge against these rules (characters and length),
/// so everything behind the edge can treat it as a plain identifier: never a
/// path, never a URL segment that normalises away, never a LIKE pattern.
/// </summary>
public static partial class MeshNames
{
    public const int MaxDomainLength = 30;
    public const int MaxProductSlugLength = 30;
    public const int MaxProductIdLength = MaxDomainLength + 1 + MaxProductSlugLength;
    public const int MaxOutputLength = 63;
    public const int MaxSubjectLength = 255;
    public const int MaxTagLength = 50;
    public const int MaxTags = 20;
    public const int MaxDisplayNameLength = 200;
    public const int MaxOwnerLength = 63;
    public const int MaxDescriptionLength = 4000;
    public const int MaxVersionLength = 64;

    /// <summary>A rule's verdict: null when the value passes, else what the rule is (for a 400 or a file:line error).</summary>
    public static string? Domain(string? value) =>
        Check(value, MaxDomainLength, KebabPattern(), "a domain: lower-case kebab case (a-z, 0-9, single hyphens), starting with a letter");

    public static string? ProductSlug(string? value) =>
        Check(value, MaxProductSlugLength, KebabPattern(), "a product name part: lower-case kebab case (a-z, 0-9, single hyphens), starting with a letter");

    /// <summary><c>&lt;domain&gt;.&lt;name&gt;</c>, e.g. <c>content.catalogue</c>.</summary>
    public static string? ProductId(string? value)
    {
        if (value is null || value.IndexOf('.') is var dot && dot < 0)
        {
            return Describe(value, $"is not a product id: <domain>.<name> in lower-case kebab case, e.g. content.catalogue (at most {MaxProductIdLength} characters)");
        }

        return Domain(value[..dot]) is null && ProductSlug(value[(dot + 1)..]) is null
            ? null
            : Describe(value, $"is not a product id: <domain>.<name> in lower-case kebab case, e.g. content.catalogue (domain at most {MaxDomainLength}, name at most {MaxProductSlugLength} characters)");
    }

    /// <summary>An output's name: also a table name in SQL and a folder in the lake, so no separators, dots or quotes.</summary>
    public static string? Output(string? value) =>
        Check(value, MaxOutputLength, OutputPattern(), "an output name: lower case a-z, 0-9, '_' or '-', starting with a letter");

    /// <summary>
    /// A caller's identity (a token's <c>sub</c>, a grant's subject). Starts with a letter or digit, so it is never
    /// <c>.</c> or <c>..</c>, and holds no '/', '\', '?', '#', '%' or spaces.
    /// </summary>
    public static string? Subject(string? value) =>
        Check(value, MaxSubjectLength, SubjectPattern(), "a subject: letters, digits and . _ @ + | : = -, starting with a letter or digit");

    public static string? Tag(string? value) =>
        Check(value, MaxTagLength, TagPattern(), "a tag: lower case a-z, 0-9 and '-', starting with a letter or digit");

    /// <summary>A team that owns products, e.g. <c>team-yellow</c>.</summary>
    public static string? Owner(string? value) =>
        Check(value, MaxOwnerLength, OwnerPattern(), "an owner: lower case a-z, 0-9, '.', '_', '@' or '-', starting with a letter or digit");

    /// <summary>Free text shown to people (display names, descriptions, messages): any text but control characters.</summary>
    public static string? Text(string? value, int maxLength, string what)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            return $"{what} is {value.Length} characters long; at most {maxLength} are allowed.";
        }

        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            return $"{what} holds a control character (U+{(int)value.First(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')):X4}); only printable text, tabs and line breaks are allowed.";
        }

        return IsWellFormed(value) ? null : $"{what} is not valid Unicode (it holds a lone surrogate).";
    }

    /// <summary>True when every UTF-16 surrogate is half of a pair, so the text has a UTF-8 form (PostgreSQL, JSON) at all.</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The product id a product's domain and name part make.</summary>
    public static string ProductIdOf(string domain, string slug) => $"{domain}.{slug}";

    /// <summary>
    /// A product's own PostgreSQL schema: domain and name joined by a double underscore, hyphens as underscores
    /// (<c>content.title-ratings</c> -> <c>content__title_ratings</c>). Kebab parts never hold two hyphens in a row,
    /// so no two products share a schema, and the longest id still fits PostgreSQL's 63-byte identifiers.
    /// </summary>
    public static string ProductSchema(string productId)
    {
        var dot = productId.IndexOf('.');
        return $"{productId[..dot].Replace('-', '_')}__{productId[(dot + 1)..].Replace('-', '_')}";
    }

    private static string? Check(string? value, int maxLength, Regex pattern, string rule)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"A value is required: {rule}, at most {maxLength} characters.";
        }

        if (value.Length > maxLength)
        {
            return Describe(value, $"is {value.Length} characters long; {rule} has at most {maxLength} characters");
        }

        return pattern.IsMatch(value) ? null : Describe(value, $"is not {rule}");
    }

    /// <summary>Quotes a refused value for a message, shortened and with control characters and surrogates shown as escapes.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "(nothing)";
        }

        var shown = value.Length > 60 ? value[..60] + "..." : value;
        return "'" + string.Concat(shown.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "'";
    }

    private static string Describe(string? value, string rule) => $"{Quote(value)} {rule}.";

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex OutputPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@+|:=-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SubjectPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._@-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnerPattern();
}
