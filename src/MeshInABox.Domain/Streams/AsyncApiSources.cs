using System.Globalization;
using MeshInABox.Domain.Documents;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Streams;

/// <summary>One file of a document: its tree, and a reader whose errors point into it.</summary>
internal sealed class SourceFile(string fullPath, string display, YamlMappingNode root, int depth)
{
    public string FullPath { get; } = fullPath;

    public string Display { get; } = display;

    public YamlMappingNode Root { get; } = root;

    /// <summary>File hops from the root document.</summary>
    public int Depth { get; } = depth;

    public NodeReader Reader { get; } = new(display);
}

/// <summary>A node and the file it was written in, which its errors and relative references start from.</summary>
internal readonly record struct Located(YamlNode Node, SourceFile File)
{
    public SourceLocation At => File.Reader.At(Node);

    public void Error(string path, string message) => File.Reader.Error(Node, path, message);
}

/// <summary>
/// The files of one AsyncAPI document and the <c>$ref</c>s between them: within a file
/// (<c>#/json/pointer</c>), to another file by relative path (<c>common.yaml</c>,
/// <c>../common/messages.yaml#/pointer</c>) inside the document's folder, never over the network.
/// </summary>
internal sealed class AsyncApiSources
{
    private readonly DocumentFolder? _folder;
    private readonly Func<string, string> _display;
    private readonly Dictionary<string, SourceFile?> _files = new(StringComparer.Ordinal);
    private readonly List<SourceFile> _order = [];
    private readonly List<DocumentError> _fileErrors = [];
    private long _characters;

    private AsyncApiSources(SourceFile root, long characters, DocumentFolder? folder, Func<string, string> display)
    {
        Root = root;
        _folder = folder;
        _display = display;
        _files[root.FullPath] = root;
        _order.Add(root);
        _characters = characters;
    }

    public SourceFile Root { get; }

    /// <summary>A document given as text: only references inside it resolve.</summary>
    public static AsyncApiSources FromText(string text, string file) =>
        new(new SourceFile(file, file, StructuredText.ParseMapping(text, file), 0), text.Length, null, _ => file);

    /// <summary>A document read from its file, reaching the files under <paramref name="folder"/>.</summary>
    /// <exception cref="DocumentParseException">The root file cannot be read, or is not well-formed JSON or YAML.</exception>
    public static AsyncApiSources FromFile(string fullPath, DocumentFolder folder, Func<string, string> display)
    {
        var (text, refusal) = folder.Read(fullPath);
        if (text is null)
        {
            throw new DocumentParseException(new DocumentError(SourceLocation.StartOf(display(fullPath)),
                $"The AsyncAPI document cannot be read: {refusal}. Check the path."));
        }

        return new(new SourceFile(fullPath, display(fullPath), StructuredText.ParseMapping(text, display(fullPath)), 0), text.Length, folder, display);
    }

    /// <summary>Every error, grouped by the file it points into, the root's first.</summary>
    public IReadOnlyList<DocumentError> Errors => [.. _order.SelectMany(f => f.Reader.Errors), .. _fileErrors];

    /// <summary>The node itself, or what its chain of <c>$ref</c>s leads to; null (reported) when a reference does not resolve.</summary>
    public Located? Resolve(Located node, string path) => Resolve(node, path, out _);

    /// <param name="chain">The references followed, as <c>file#pointer</c> keys, in order.</param>
    public Located? Resolve(Located node, string path, out IReadOnlyList<string> chain)
    {
        var followed = new List<string>();
        chain = followed;
        while (Reference(node.Node) is { } reference)
        {
            if (followed.Count == AsyncApiLimits.MaxReferenceChain)
            {
                node.Error(path, $"More than {AsyncApiLimits.MaxReferenceChain} $refs in a row lead here (limit: reference chain {AsyncApiLimits.MaxReferenceChain}). Point the $ref straight at the definition.");
                return null;
            }

            if (Target(node, reference, path) is not var (file, pointer))
            {
                return null;
            }

            var key = $"{file.FullPath}#{pointer}";
            if (followed.Contains(key))
            {
                followed.Add(key);
                node.Error(path, $"The $ref '{reference}' is part of a cycle: {string.Join(" → ", followed.SkipWhile(k => k != key).Select(Describe))}. Make one of them a definition instead of a $ref.");
                return null;
            }

            followed.Add(key);
            if (Pointer(file.Root, pointer, out var missing) is not { } target)
            {
                node.Error(path, $"Cannot resolve $ref '{reference}': {(file == node.File ? "the document" : $"'{file.Display}'")} has {missing}. Point the $ref at an existing definition.");
                return null;
            }

            node = new Located(target, file);
        }

        return node;
    }

    /// <summary>The text of a <c>$ref</c> when the node is a Reference Object.</summary>
    public static string? Reference(YamlNode node) =>
        node is YamlMappingNode map && NodeReader.Child(map, "$ref") is YamlScalarNode { Value: { } reference } ? reference : null;

    /// <summary>A <c>file#pointer</c> key as a reader would write it.</summary>
    public string Describe(string key)
    {
        var cut = key.LastIndexOf('#');
        return $"{(_files.TryGetValue(key[..cut], out var file) && file is not null ? file.Display : key[..cut])}#{key[(cut + 1)..]}";
    }

    private (SourceFile File, string Pointer)? Target(Located from, string reference, string path)
    {
        var hash = reference.IndexOf('#');
        var address = hash < 0 ? reference : reference[..hash];
        var pointer = hash < 0 ? "" : Unescape(reference[(hash + 1)..]);
        if (address.Length == 0)
        {
            return (from.File, pointer);
        }

        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            var remote = uri.Scheme is "http" or "https";
            from.Error(path, remote
                ? $"The $ref '{reference}' is remote: the platform reads only files beside the document and fetches nothing over the network. Save '{Path.GetFileName(uri.AbsolutePath)}' next to the document and refer to it by a relative path."
                : $"The $ref '{reference}' uses the scheme '{uri.Scheme}:'; the platform reads only files beside the document. Refer to a file by a relative path.");
            return null;
        }

        if (_folder is null)
        {
            from.Error(path, $"The $ref '{reference}' refers to another file, but this document was given as text, with no folder to read it from: only references within the document ('#/...') resolve here. Read the document from its file, or copy the referenced part into it.");
            return null;
        }

        var relative = uri is { IsFile: true } && address.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? uri.LocalPath : Unescape(address);
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(from.File.FullPath)!, relative));
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            from.Error(path, $"The $ref '{reference}' is not a usable file path ({error.Message}). Write it as a relative path such as 'common.yaml#/components/schemas/Name'.");
            return null;
        }

        if (!_folder.Contains(full))
        {
            from.Error(path, $"The $ref '{reference}' leads {_folder.Outside}; a document may refer only to files in its own folder tree. Copy the file into that folder and refer to it by a relative path.");
            return null;
        }

        return Load(from, full, reference, path) is { } file ? (file, pointer) : null;
    }

    private SourceFile? Load(Located from, string full, string reference, string path)
    {
        if (_files.TryGetValue(full, out var known))
        {
            if (known is null)
            {
                from.Error(path, $"The $ref '{reference}' leads to '{_display(full)}', which could not be read (see the error there).");
            }

            return known;
        }

        if (from.File.Depth + 1 > AsyncApiLimits.MaxFileDepth)
        {
            from.Error(path, $"The $ref '{reference}' reaches a file through more than {AsyncApiLimits.MaxFileDepth} others (limit: file depth {AsyncApiLimits.MaxFileDepth}). Refer to the file from one nearer the root document.");
            return null;
        }

        if (_order.Count == AsyncApiLimits.MaxFiles)
        {
            from.Error(path, $"The $ref '{reference}' would make the document span more than {AsyncApiLimits.MaxFiles} files (limit: files {AsyncApiLimits.MaxFiles}). Merge some of its files.");
            return null;
        }

        var (text, refusal) = _folder!.Read(full);
        if (text is null)
        {
            from.Error(path, $"The $ref '{reference}' cannot be followed: {refusal}. Fix the path (it is relative to '{from.File.Display}').");
            _files[full] = null;
            return null;
        }

        _characters += text.Length;
        if (_characters > AsyncApiLimits.MaxCharacters)
        {
            from.Error(path, $"With '{_display(full)}' the document's files hold more than {AsyncApiLimits.MaxCharacters} characters (limit: size {AsyncApiLimits.MaxCharacters}). Shrink or merge them.");
            _files[full] = null;
            return null;
        }

        try
        {
            var file = new SourceFile(full, _display(full), StructuredText.ParseMapping(text, _display(full)), from.File.Depth + 1);
            _files[full] = file;
            _order.Add(file);
            return file;
        }
        catch (DocumentParseException error)
        {
            _fileErrors.Add(error.Error with
            {
                Message = $"{error.Error.Message} (read for the $ref '{reference}' at {from.At}; fix this file)",
                Path = path,
            });
            _files[full] = null;
            return null;
        }
    }

    /// <summary>Follows a JSON pointer (RFC 6901); <paramref name="missing"/> says what was not there.</summary>
    private static YamlNode? Pointer(YamlMappingNode root, string pointer, out string missing)
    {
        missing = "";
        if (pointer.Length == 0)
        {
            return root;
        }

        if (pointer[0] != '/')
        {
            missing = $"no '{pointer}': a fragment must be a JSON pointer starting with '/', such as '#/components/schemas/Name'";
            return null;
        }

        YamlNode current = root;
        var walked = "";
        foreach (var raw in pointer[1..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            YamlNode? next = current switch
            {
                YamlMappingNode map => NodeReader.Child(map, segment),
                YamlSequenceNode list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Children.Count => list.Children[i],
                _ => null,
            };
            if (next is null)
            {
                missing = walked.Length == 0 ? $"no '{segment}' at the top" : $"no '{segment}' under '{walked}'";
                return null;
            }

            walked += "/" + raw;
            current = next;
        }

        return current;
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
