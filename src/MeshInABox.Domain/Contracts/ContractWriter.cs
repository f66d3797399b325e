using YamlDotNet.RepresentationModel;

namespace MeshInABox.Domain.Contracts;

/// <summary>Writes a contract's document tree back as YAML, keeping every field and scalar style.</summary>
public static class ContractWriter
{
    public static string Write(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet closes the document with an explicit "..." marker; contracts are single documents.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }
}
