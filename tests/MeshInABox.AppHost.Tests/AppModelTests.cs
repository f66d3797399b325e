using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MeshInABox.Domain.Profiles;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshInABox.AppHost.Tests;

/// <summary>
/// Each profile's resources, references and waits, read from the AppHost's model without starting it
/// (no container engine, no DCP).
/// </summary>
public sealed class AppModelTests
{
#if MESH_KAFKA
    private const bool KafkaBuiltIn = true;
#else
    private const bool KafkaBuiltIn = false;
#endif

    public static TheoryData<string, string[]> Profiles() => new()
    {
        { "iteration-0", ["postgres", "meshdb", "registry"] },
        { "iteration-1", KafkaBuiltIn ? ["postgres", "meshdb", "registry", "kafka"] : ["postgres", "meshdb", "registry"] },
        { "iteration-2", KafkaBuiltIn ? ["postgres", "meshdb", "registry", "kafka", "lakehouse"] : ["postgres", "meshdb", "registry", "lakehouse"] },
        { "iteration-3", KafkaBuiltIn ? ["postgres", "meshdb", "registry", "kafka", "lakehouse"] : ["postgres", "meshdb", "registry", "lakehouse"] },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task Each_profile_has_exactly_its_resources(string profile, string[] expected)
    {
        await using var app = await CreateAsync("--profile", profile);

        // Aspire 13.6 gives every project resource a '<name>-rebuilder' companion (started on demand only).
        var projects = expected.Where(name => name is "registry" or "lakehouse").Select(name => $"{name}-rebuilder");
        Assert.Equal(expected.Concat(projects).Order(), app.Resources.Select(r => r.Name).Order());
    }

    [Theory]
    [InlineData("iteration-0")]
    [InlineData("iteration-1")]
    [InlineData("iteration-2")]
    [InlineData("iteration-3")]
    public async Task Its_projects_are_the_topologys_services_for_the_profile_as_under_the_embedded_host(string profile)
    {
        await using var app = await CreateAsync("--profile", profile);
        MeshProfile.TryFind(profile, out var mesh);

        var projects = app.Resources.OfType<ProjectResource>().Select(p => p.Name).Where(n => !n.EndsWith("-rebuilder", StringComparison.Ordinal));

        Assert.Equal(MeshTopology.For(mesh).Select(s => s.Name).Order(), projects.Order());
    }

    [Theory]
    [InlineData("iteration-0")]
    [InlineData("iteration-1")]
    [InlineData("iteration-2")]
    [InlineData("iteration-3")]
    public async Task Registry_gets_the_database_signing_key_and_sample_mesh_and_waits_for_the_database(string profile)
    {
        await using var app = await CreateAsync("--profile", profile);
        var registry = Project(app, "registry");

        var env = await EnvironmentAsync(registry);

        Assert.Equal("{meshdb.connectionString}", env["ConnectionStrings__meshdb"]);
        Assert.EndsWith(Path.Combine(".mesh", "keys", "registry-signing.key"), env["Registry__Auth__SigningKeyFile"]);
        Assert.EndsWith(Path.Combine("samples", "messflix"), env["Locations__RepositoryRoots__0"]);
        Assert.Equal(profile, env[MeshTopology.EnvironmentVariable(MeshTopology.ProfileSetting)]);
        Assert.Contains("meshdb", WaitsFor(registry));
        Assert.Contains(registry.Annotations.OfType<HealthCheckAnnotation>(), _ => true);
        Assert.Contains(registry.Annotations.OfType<EndpointAnnotation>(), e => e.UriScheme == "http");

        // From iteration-2 the registry provisions storage, creating lakehouse tables where the lakehouse reads them.
        Assert.Equal(profile is "iteration-2" or "iteration-3" ? "true" : "false", env["Registry__Storage__Enabled"]);
        Assert.EndsWith(Path.Combine(".mesh", "lake"), env["Registry__Storage__LakeRoot"]);
        Assert.EndsWith(Path.Combine(".mesh", "credentials"), env["Registry__Storage__CredentialsDirectory"]);
        Assert.EndsWith(Path.Combine(".mesh", "keys", "data-protection"), env["Registry__Storage__KeysDirectory"]);

        var kafka = profile != "iteration-0" && KafkaBuiltIn;
        Assert.Equal(kafka, env.ContainsKey("ConnectionStrings__kafka"));
        Assert.Equal(kafka, WaitsFor(registry).Contains("kafka"));
    }

    [Theory]
    [InlineData("iteration-2")]
    [InlineData("iteration-3")]
    public async Task Lakehouse_has_an_http_endpoint_finds_the_registry_and_waits_for_it_and_the_database(string profile)
    {
        await using var app = await CreateAsync("--profile", profile);
        var lakehouse = Project(app, "lakehouse");

        var env = await EnvironmentAsync(lakehouse);

        Assert.Equal("{meshdb.connectionString}", env["ConnectionStrings__meshdb"]);
        Assert.Equal("{registry.bindings.http.url}", env["services__registry__http__0"]);
        Assert.EndsWith(Path.Combine(".mesh", "keys", "registry-signing.key"), env["Lakehouse__Auth__SigningKeyFile"]);
        Assert.EndsWith(Path.Combine(".mesh", "lake"), env["Lakehouse__LakeRoot"]);
        Assert.EndsWith(Path.Combine("samples", "messflix"), env["Locations__RepositoryRoots__0"]);
        // Waiting for a database also waits for its server.
        Assert.Equal(["meshdb", "postgres", "registry"], WaitsFor(lakehouse).Order());
        Assert.Contains(lakehouse.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http" && e.UriScheme == "http");
        Assert.Contains(lakehouse.Annotations.OfType<HealthCheckAnnotation>(), _ => true);
    }

    [Fact]
    public async Task Both_services_share_one_signing_key()
    {
        await using var app = await CreateAsync("--profile", "iteration-2");

        var registry = await EnvironmentAsync(Project(app, "registry"));
        var lakehouse = await EnvironmentAsync(Project(app, "lakehouse"));

        Assert.Equal(registry["Registry__Auth__SigningKeyFile"], lakehouse["Lakehouse__Auth__SigningKeyFile"]);
        Assert.True(File.Exists(registry["Registry__Auth__SigningKeyFile"]));
        if (!OperatingSystem.IsWindows())
        {
            // Whoever reads it can mint tokens for every domain.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(registry["Registry__Auth__SigningKeyFile"]));
        }
    }

    [Fact]
    public async Task Kafka_can_be_switched_off()
    {
        await using var app = await CreateAsync("--profile", "iteration-2", "--Mesh:Kafka", "false");
        var registry = Project(app, "registry");

        var env = await EnvironmentAsync(registry);

        Assert.DoesNotContain(app.Resources, r => r.Name.StartsWith("kafka", StringComparison.Ordinal));
        Assert.False(env.ContainsKey("ConnectionStrings__kafka"));
        Assert.DoesNotContain("kafka", WaitsFor(registry));
    }

    [Fact]
    public async Task Admin_uis_are_off_unless_asked_for()
    {
        await using var off = await CreateAsync("--profile", "iteration-3");
        Assert.DoesNotContain(off.Resources, r => r.Name.Contains("pgweb", StringComparison.Ordinal)
            || r.Name.Contains("kafka-ui", StringComparison.Ordinal));

        await using var on = await CreateAsync("--profile", "iteration-3", "--Mesh:PgWeb", "true", "--Mesh:KafkaUI", "true");
        var names = on.Resources.Select(r => r.Name).ToList();
        Assert.Contains(names, n => n.Contains("pgweb", StringComparison.Ordinal));
        Assert.Equal(KafkaBuiltIn, names.Any(n => n.Contains("kafka-ui", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unknown_profile_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateAsync("--profile", "iteration-9"));

        Assert.Contains("iteration-9", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_switch_must_be_a_boolean()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateAsync("--profile", "iteration-1", "--Mesh:Kafka", "maybe"));

        Assert.Contains("Mesh:Kafka", Flatten(error), StringComparison.Ordinal);
    }

    private static readonly string[] DataHubResources = ["opensearch", "datahub-system-update", "datahub-gms", "datahub-db", "datahub"];

    [Theory]
    [InlineData("iteration-1")]
    [InlineData("iteration-3")]
    public async Task DataHub_is_off_by_default(string profile)
    {
        await using var app = await CreateAsync("--profile", profile);

        Assert.DoesNotContain(app.Resources, r => DataHubResources.Contains(r.Name) || r.Name.StartsWith("datahub", StringComparison.Ordinal));
        Assert.False((await EnvironmentAsync(Project(app, "registry"))).ContainsKey("ConnectionStrings__datahub"));
    }

    [Fact]
    public async Task DataHub_switch_adds_nothing_at_iteration_0_which_has_no_catalog()
    {
        await using var app = await CreateAsync("--profile", "iteration-0", "--Mesh:DataHub", "true");

        Assert.DoesNotContain(app.Resources, r => r.Name.StartsWith("datahub", StringComparison.Ordinal) || r.Name == "opensearch");
    }

    [Fact]
    public async Task DataHub_without_kafka_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateAsync("--profile", "iteration-1", "--Mesh:DataHub", "true", "--Mesh:Kafka", "false"));

        Assert.Contains("Mesh:DataHub needs Kafka", Flatten(error), StringComparison.Ordinal);
    }

#if MESH_KAFKA
    [Fact]
    public async Task DataHub_switch_at_iteration_1_adds_gms_its_dependencies_and_the_registrys_reference()
    {
        await using var app = await CreateAsync("--profile", "iteration-1", "--Mesh:DataHub", "true");
        var names = app.Resources.Select(r => r.Name).ToList();
        Assert.All(DataHubResources, name => Assert.Contains(name, names));
        Assert.DoesNotContain("datahub-frontend", names);

        var database = Assert.IsType<PostgresDatabaseResource>(Assert.Single(app.Resources, r => r.Name == "datahub-db"));
        Assert.Equal("datahub", database.DatabaseName);

        var update = Assert.IsType<ContainerResource>(Assert.Single(app.Resources, r => r.Name == "datahub-system-update"));
        Assert.Equal("acryldata/datahub-upgrade", update.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        Assert.Contains("datahub-db", WaitsFor(update));
        Assert.Contains("opensearch", WaitsFor(update));
        Assert.Contains("kafka", WaitsFor(update));
        Assert.Equal(["-u", "SystemUpdate"], await ArgsAsync(update));

        var gms = Assert.IsType<ContainerResource>(Assert.Single(app.Resources, r => r.Name == "datahub-gms"));
        Assert.Equal("acryldata/datahub-gms", gms.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        Assert.Contains(gms.Annotations.OfType<EndpointAnnotation>(), e => e.TargetPort == 8080);
        Assert.Contains(gms.Annotations.OfType<HealthCheckAnnotation>(), _ => true);
        Assert.Contains(gms.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "datahub-system-update" && w.WaitType == WaitType.WaitForCompletion);
        Assert.Contains("datahub-db", WaitsFor(gms));
        Assert.Contains("opensearch", WaitsFor(gms));
        Assert.Contains("kafka", WaitsFor(gms));

        var env = await EnvironmentAsync(gms);
        Assert.Equal("jdbc:postgresql://postgres:5432/datahub", env["EBEAN_DATASOURCE_URL"]);
        Assert.Equal("org.postgresql.Driver", env["EBEAN_DATASOURCE_DRIVER"]);
        Assert.Equal("postgres", env["EBEAN_DATASOURCE_USERNAME"]);
        Assert.Equal("{postgres-password.value}", env["EBEAN_DATASOURCE_PASSWORD"]);
        Assert.Equal("opensearch", env["ELASTICSEARCH_HOST"]);
        Assert.Equal("9200", env["ELASTICSEARCH_PORT"]);
        Assert.Equal("false", env["ELASTICSEARCH_USE_SSL"]);
        Assert.Equal("opensearch", env["ELASTICSEARCH_IMPLEMENTATION"]);
        Assert.Equal("elasticsearch", env["GRAPH_SERVICE_IMPL"]);
        Assert.Equal("kafka:9093", env["KAFKA_BOOTSTRAP_SERVER"]);
        Assert.Equal("INTERNAL", env["SCHEMA_REGISTRY_TYPE"]);
        Assert.Equal("http://datahub-gms:8080/schema-registry/api/", env["KAFKA_SCHEMAREGISTRY_URL"]);
        Assert.Equal("true", env["MAE_CONSUMER_ENABLED"]);
        Assert.Equal("true", env["MCE_CONSUMER_ENABLED"]);
        Assert.Equal("true", env["PE_CONSUMER_ENABLED"]);
        Assert.Equal("false", env["METADATA_SERVICE_AUTH_ENABLED"]);

        var registry = Project(app, "registry");
        var registryEnv = await EnvironmentAsync(registry);
        Assert.Equal("{datahub.connectionString}", registryEnv["ConnectionStrings__datahub"]);
        Assert.Contains("datahub-gms", WaitsFor(registry));
    }

    [Fact]
    public async Task DataHub_frontend_is_a_switch_of_its_own()
    {
        await using var app = await CreateAsync("--profile", "iteration-1", "--Mesh:DataHub", "true", "--Mesh:DataHubUI", "true");

        var frontend = Assert.IsType<ContainerResource>(Assert.Single(app.Resources, r => r.Name == "datahub-frontend"));
        Assert.Contains("datahub-gms", WaitsFor(frontend));
    }

#endif
#if !MESH_KAFKA
    [Fact]
    public async Task Asking_for_kafka_in_a_build_without_it_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateAsync("--profile", "iteration-1", "--Mesh:Kafka", "true"));

        Assert.Contains("-p:MeshKafka=true", Flatten(error), StringComparison.Ordinal);
    }

#endif
    private static Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.MeshInABox_AppHost>(args, TestContext.Current.CancellationToken);

    /// <summary>A resource's environment as the manifest would write it: references stay expressions.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(
                new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish),
                NullLogger.Instance,
                TestContext.Current.CancellationToken);
        return result.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);
    }

    private static async Task<string[]> ArgsAsync(IResource resource)
    {
        var result = await ExecutionConfigurationBuilder.Create(resource)
            .WithArgumentsConfig()
            .BuildAsync(
                new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish),
                NullLogger.Instance,
                TestContext.Current.CancellationToken);
        return [.. result.Arguments.Select(a => a.Value)];
    }

    private static ProjectResource Project(IDistributedApplicationTestingBuilder app, string name) =>
        Assert.IsType<ProjectResource>(Assert.Single(app.Resources, r => r.Name == name));

    private static List<string> WaitsFor(IResource resource) =>
        [.. resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name)];

    private static string Flatten(Exception error) =>
        error is AggregateException aggregate
            ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(Flatten))
            : error.InnerException is null ? error.Message : $"{error.Message} | {Flatten(error.InnerException)}";
}
