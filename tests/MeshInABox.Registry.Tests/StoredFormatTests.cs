using System.Text.Json;
using MeshInABox.Domain.Products;
using MeshInABox.Domain.Versioning;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.Publishing;

namespace MeshInABox.Registry.Tests;

/// <summary>
/// The registry's records write the JSON its API types always wrote: stored rows and events read the same,
/// and a version's content hash (taken over its outputs' JSON) stays what it was for versions already stored.
/// </summary>
public sealed class StoredFormatTests
{
    [Fact]
    public void Outputs_SerialiseAsTheApiOutputsDo_SoContentHashesAreUnchanged()
    {
        RegisteredOutput[] outputs = [new("titles", OutputKind.Csv, "/repo/content/titles/data/titles.csv"), new("events", OutputKind.Kafka, StorageTemplate: "events", Source: "s.csv")];
        ProductOutputDto[] api = [new("titles", "csv", "/repo/content/titles/data/titles.csv"), new("events", "kafka", StorageTemplate: "events", Source: "s.csv")];

        Assert.Equal(JsonSerializer.Serialize(api, JsonSerializerOptions.Web), StoreJson.Serialize(outputs));
        Assert.Equal(outputs, StoreJson.List<RegisteredOutput>(JsonSerializer.Serialize(api, JsonSerializerOptions.Web)));
    }

    [Fact]
    public void ReasonsAndChanges_SerialiseAsTheApiShowsThem()
    {
        RejectionReason[] reasons = [new("policy", "owner-set", "No owner.", "Set one.", 3, 1)];
        ContractChange[] changes = [new(ChangeClass.Major, "schema.titles", "Removed.")];

        Assert.Equal(
            JsonSerializer.Serialize(new[] { new VersionReason("policy", "owner-set", "No owner.", "Set one.", 3, 1) }, JsonSerializerOptions.Web),
            StoreJson.Serialize(reasons));
        Assert.Equal(
            JsonSerializer.Serialize(new[] { new ContractChangeDto("major", "schema.titles", "Removed.") }, JsonSerializerOptions.Web),
            StoreJson.Serialize(changes));
    }

    [Fact]
    public void RegisteredEventPayload_NamesEnumsInLowerCase()
    {
        var product = new ProductStore.NewProduct(
            "content.titles", "Titles", "content", "team-yellow", "d", null, ["a"], Classification.Restricted,
            [new RegisteredOutput("titles", OutputKind.Postgres)], [new RegisteredInput("content.films")]);

        var payload = JsonDocument.Parse(StoreJson.Serialize<object>(product)).RootElement;

        Assert.Equal("restricted", payload.GetProperty("classification").GetString());
        Assert.Equal("postgres", payload.GetProperty("outputs")[0].GetProperty("kind").GetString());
        Assert.Equal("content.films", payload.GetProperty("inputs")[0].GetProperty("product").GetString());
    }

    [Theory]
    [InlineData("active", false, ProductStatus.Active)]
    [InlineData("Active", true, ProductStatus.Active)]
    [InlineData("Active", false, null)]
    [InlineData("1", true, null)]
    [InlineData("active,retired", true, null)]
    [InlineData(" active", true, null)]
    public void EnumNames_TakeAMembersNameOnly(string text, bool ignoreCase, ProductStatus? expected) =>
        Assert.Equal(expected, EnumNames.Parse<ProductStatus>(text, ignoreCase));
}
