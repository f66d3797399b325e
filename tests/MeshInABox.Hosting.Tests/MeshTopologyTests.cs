using MeshInABox.Domain.Profiles;
using MeshInABox.Hosting.Services;
using MeshInABox.Lakehouse;
using MeshInABox.Registry;
using MeshInABox.ServiceDefaults;
using MeshInABox.ServiceDefaults.Locations;
using Microsoft.Extensions.Configuration;

namespace MeshInABox.Hosting.Tests;

/// <summary>The topology both hosts build from: every service has an embedded start-up, and every key it names is one its service reads.</summary>
public sealed class MeshTopologyTests
{
    public static TheoryData<string> ProfileNames() => [.. MeshProfile.All.Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(ProfileNames))]
    public void The_embedded_host_runs_exactly_the_topologys_services_for_each_profile(string name)
    {
        MeshProfile.TryFind(name, out var profile);

        Assert.Equal(MeshTopology.For(profile).Select(s => s.Name), MeshService.For(profile).Select(s => s.Name));
    }

    [Fact]
    public void Profiles_switch_services_on_by_plane_and_in_an_order_that_starts_references_first()
    {
        Assert.Equal(["registry"], MeshTopology.For(MeshProfile.Iteration0).Select(s => s.Name));
        Assert.Equal(["registry"], MeshTopology.For(MeshProfile.Iteration1).Select(s => s.Name));
        Assert.Equal(["registry", "lakehouse"], MeshTopology.For(MeshProfile.Iteration2).Select(s => s.Name));
        Assert.False(MeshTopology.CarriesKafka(MeshProfile.Iteration0));
        Assert.True(MeshTopology.CarriesKafka(MeshProfile.Iteration1));
        for (var i = 0; i < MeshTopology.All.Count; i++)
        {
            Assert.All(MeshTopology.All[i].References, reference =>
                Assert.Contains(reference, MeshTopology.All.Take(i).Select(s => s.Name)));
        }
    }

    [Fact]
    public void The_registrys_keys_bind_to_the_registrys_options()
    {
        var registry = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [MeshTopology.Registry.SigningKeySetting] = "/keys/a",
            [MeshTopology.Registry.LakeRootSetting!] = "/lake",
            [MeshTopology.StorageSetting] = "true",
        }).Build().GetSection(RegistryOptions.SectionName).Get<RegistryOptions>();

        Assert.Equal("/keys/a", registry?.Auth.SigningKeyFile);
        Assert.Equal("/lake", registry?.Storage.LakeRoot);
        Assert.True(registry?.Storage.Enabled);
        Assert.False(MeshTopology.ProvisionsStorage(MeshProfile.Iteration1));
        Assert.True(MeshTopology.ProvisionsStorage(MeshProfile.Iteration2));
    }

    [Fact]
    public void The_lakehouses_keys_bind_to_the_query_services_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [MeshTopology.Lakehouse.SigningKeySetting] = "/keys/b",
            [MeshTopology.Lakehouse.LakeRootSetting!] = "/lake",
        }).Build();

        var lakehouse = configuration.GetSection(LakehouseOptions.SectionName).Get<LakehouseOptions>();

        Assert.Equal("/keys/b", lakehouse?.Auth.SigningKeyFile);
        Assert.Equal("/lake", lakehouse?.LakeRoot);
    }

    [Fact]
    public void Repository_roots_bind_to_the_location_options_and_keys_become_environment_names()
    {
        var locations = Bind($"{MeshTopology.RepositoryRootsSetting}:0", "/mesh").GetSection(LocationOptions.SectionName).Get<LocationOptions>();

        Assert.Equal(["/mesh"], locations?.RepositoryRoots ?? []);
        Assert.Equal("Locations__RepositoryRoots__0", MeshTopology.EnvironmentVariable($"{MeshTopology.RepositoryRootsSetting}:0"));
        Assert.Equal(ServiceDefaultsExtensions.HealthEndpointPath, MeshTopology.HealthPath);
    }

    private static IConfiguration Bind(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
}
