using System.Diagnostics.CodeAnalysis;
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
    /// <summary>Reads the contract once: its YAML to store and hash, and the tree every check of the request reads.</summary>
    /// <param name="error">Why the contract cannot be read at all.</param>
    public static bool TryNormalise(JsonElement contract, [NotNullWhen(true)] out NormalisedContract? normalised, [NotNullWhen(false)] out string? error)
    {
        normalised = null;
        var (text, file) = contract.ValueKind switch
        {
            JsonValueKind.String => (contract.GetString() ?? "", "contract.yaml"),
            JsonValueKind.Object => (contract.GetRawText(), "contract.json"),
            _ => ((string?)null, ""),
        };
        if (text is null)
        {
            error = "The contract must be YAML text or a JSON object.";
            return false;
        }

        try
        {
            var root = StructuredText.ParseMapping(text, file);
            if (Unstorable(root) is { } at)
            {
                error = $"line {at.Start.Line}, column {at.Start.Column}: text holds a NUL character (U+0000) or a lone surrogate, which a contract may not hold.";
                return false;
            }

            normalised = new NormalisedContract(ContractWriter.Write(root), root);
            error = null;
            return true;
        }
        catch (DocumentParseException parseError)
        {
            error = $"line {parseError.Error.Location.Line}, column {parseError.Error.Location.Column}: {parseError.Error.Message}";
            return false;
        }
    }

    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));

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

/// <summary>A submitted contract, read once: the YAML that is stored and hashed, and the tree it was read from.</summary>
public sealed record NormalisedContract(string Yaml, YamlMappingNode Root)
{
    /// <summary>The contract's own version field, to check it matches the published version.</summary>
    public string? DeclaredVersion => NodeReader.Child(Root, "version") is YamlScalarNode { Value: var v } ? v : null;

    /// <summary>The tree as an ODCS contract; its errors are the worker's to report, on the stored YAML.</summary>
    public DataContract ReadContract() => ContractReader.Read(Root, "contract.yaml").Contract;
}
