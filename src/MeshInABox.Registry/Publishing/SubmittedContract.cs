using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using MeshInABox.Domain.Naming;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Registry.Publishing;

/// <summary>
/// A contract (ODCS, or AsyncAPI for streams) as a client sent it, YAML text or
/// a JSON object, normalised to YAML so the same contract always hashes and stores the same way.
/// </summary>
public static class SubmittedContract
{
    /// <returns>The YAML, or the reason the contract cannot be read at all.</returns>
    public static (string? Yaml, string? Error) Normalise(JsonElement contract)
    {
        var (text, file) = contract.ValueKind switch
        {
            JsonValueKind.String => (contract.GetString() ?? "", "contract.yaml"),
            JsonValueKind.Object => (contract.GetRawText(), "contract.json"),
            _ => ((string?)null, ""),
        };
        if (text is null)
        {
            return (null, "The contract must be YAML text or a JSON object.");
        }

        try
        {
            var root = StructuredText.ParseMapping(text, file);
            return Unstorable(root) is { } at
                ? (null, $"line {at.Start.Line}, column {at.Start.Column}: text holds a NUL character (U+0000) or a lone surrogate, which a contract may not hold.")
                : (ContractWriter.Write(root), null);
        }
        catch (DocumentParseException error)
        {
            return (null, $"line {error.Error.Location.Line}, column {error.Error.Location.Column}: {error.Error.Message}");
        }
    }

    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));

    /// <summary>The contract's own version field, to check it matches the published version.</summary>
    public static string? DeclaredVersion(string yaml) =>
        NodeReader.Child(StructuredText.ParseMapping(yaml, "contract.yaml"), "version") is YamlScalarNode { Value: var v } ? v : null;

    /// <summary>
    /// The first node whose text holds U+0000 or a lone surrogate: PostgreSQL can store neither in text or
    /// jsonb (reasons quote values), and UTF-8 has no form for a lone surrogate.
    /// </summary>
    private static YamlNode? Unstorable(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { } value } scalar => value.Contains('\0', StringComparison.Ordinal) || !MeshNames.IsWellFormed(value) ? scalar : null,
        YamlSequenceNode list => list.Children.Select(Unstorable).FirstOrDefault(n => n is not null),
        YamlMappingNode map => map.Children.Select(c => Unstorable(c.Key) ?? Unstorable(c.Value)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
