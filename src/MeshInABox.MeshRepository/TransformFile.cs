using MeshInABox.Domain.Documents;
using MeshInABox.Lineage;

namespace MeshInABox.MeshRepository;

/// <summary>
/// An output's transform SQL as validate and register read it: only from inside the product's folder (a team
/// reaches only its own files), and never more than the lineage analyzer accepts.
/// </summary>
public static class TransformFile
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The text, or why it is not read (Missing: the file is not there). At most one character past the limit is read, so a huge file costs nothing.</summary>
    public static (string? Text, string? Refusal, bool Missing) Read(string productDirectory, string relative)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(productDirectory)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(folder, relative));
        if (!path.StartsWith(folder, PathComparison))
        {
            return (null, $"transform file '{relative}' lies outside the product's folder; only files inside it are read.", false);
        }

        if (!File.Exists(path))
        {
            return (null, $"transform file '{relative}' does not exist.", true);
        }

        // A link inside the folder must not lead out of it.
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        var realFolder = Path.TrimEndingDirectorySeparator(new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? folder) + Path.DirectorySeparatorChar;
        if (target is not null && !target.StartsWith(folder, PathComparison) && !target.StartsWith(realFolder, PathComparison))
        {
            return (null, $"transform file '{relative}' is a link to a file outside the product's folder; it is not read.", false);
        }

        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[LineageAnalyzer.MaxSqlLength + 1];
            var length = reader.ReadBlock(buffer, 0, buffer.Length);
            return (new string(buffer, 0, length), null, false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (null, $"transform file '{relative}' cannot be read ({error.Message}).", false);
        }
    }

    /// <summary>Where a 0-based position in code points (as DuckDB counts) falls in the text: 1-based line and column, in code points.</summary>
    public static SourceLocation LocationOf(string file, string text, int codePoint)
    {
        var (line, column) = SqlPosition.LineAndColumn(text, codePoint);
        return new SourceLocation(file, line, column);
    }

    /// <summary>Where a table's name is first written in the SQL (as qualified, then shorter), else the file's start.</summary>
    public static SourceLocation LocationOfName(string file, string text, string qualifiedTable)
    {
        var parts = qualifiedTable.Split('.');
        for (var skip = 0; skip < parts.Length; skip++)
        {
            var name = string.Join('.', parts.Skip(skip));
            var at = IndexOfWord(text, name);
            if (at >= 0)
            {
                return LocationOf(file, text, SqlPosition.CodePoints(text, at));
            }
        }

        return SourceLocation.StartOf(file);
    }

    private static int IndexOfWord(string text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var before = at == 0 ? ' ' : text[at - 1];
            var after = at + word.Length >= text.Length ? ' ' : text[at + word.Length];
            if (!IsNamePart(before) && !IsNamePart(after))
            {
                return at;
            }
        }

        return -1;
    }

    private static bool IsNamePart(char c) => char.IsLetterOrDigit(c) || c is '_' or '.';
}
