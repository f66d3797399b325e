using MeshInABox.Domain.Contracts;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Testing;

namespace MeshInABox.Storage.Tests.Lakehouse;

/// <summary>The sample mesh's ad impressions output as a storage target, with its contract editable per test.</summary>
internal static class Targets
{
    public const string ProductId = "advertising.ad-impressions";
    public const string Output = "impressions";

    public static DataContract Contract(Func<string, string>? edit = null)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryLayout.SampleMesh, "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml"));
        var read = ContractReader.Read((edit ?? (t => t))(text), "impressions.odcs.yaml");
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        return read.Contract;
    }

    public static StorageTarget Impressions(string template, IReadOnlyDictionary<string, string>? parameters = null, DataContract? contract = null) =>
        new(ProductId, "team-gray", Output, new StorageSpec(template, parameters ?? new Dictionary<string, string>()), contract ?? Contract());

    public static StorageSpec Spec(string template, params (string Name, string Value)[] parameters) =>
        new(template, parameters.ToDictionary(p => p.Name, p => p.Value));
}
