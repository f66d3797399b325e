using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Documents;
using YamlDotNet.RepresentationModel;

namespace MeshInABox.Registry.Access;

/// <summary>
/// Who a contract's ODCS <c>roles[]</c> name as approvers of read access: <c>firstLevelApprovers</c> may approve
/// beside the owning domain's members; when a role names <c>secondLevelApprovers</c>, one of them must approve
/// after the first level. Approvers are matched against tokens' <c>sub</c> exactly; several are separated by commas;
/// "na", "n/a", "none" and "-" name nobody.
/// </summary>
public sealed record ContractApprovers(IReadOnlySet<string> FirstLevel, IReadOnlySet<string> SecondLevel)
{
    public static ContractApprovers None { get; } = new(new HashSet<string>(), new HashSet<string>());

    public bool NeedsSecondLevel => SecondLevel.Count > 0;

    public static ContractApprovers Of(DataContract? contract)
    {
        if (contract is null || NodeReader.Child(contract.Document, "roles") is not YamlSequenceNode roles)
        {
            return None;
        }

        var first = new HashSet<string>(StringComparer.Ordinal);
        var second = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles.Children.OfType<YamlMappingNode>())
        {
            // Roles granting writes are not what a read request asks for.
            if (Scalar(role, "access") is { } access && !access.Equals("read", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            first.UnionWith(Names(Scalar(role, "firstLevelApprovers")));
            second.UnionWith(Names(Scalar(role, "secondLevelApprovers")));
        }

        return new ContractApprovers(first, second);
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        NodeReader.Child(map, key) is YamlScalarNode { Value: { } value } ? value : null;

    private static IEnumerable<string> Names(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(n => n.ToLowerInvariant() is not ("na" or "n/a" or "none" or "-"));
}
