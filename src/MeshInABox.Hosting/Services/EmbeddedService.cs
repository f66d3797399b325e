using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MeshInABox.Postgres.LocalCluster;

namespace MeshInABox.Hosting.Services;

/// <summary>One service running in this process on a loopback port.</summary>
public sealed class EmbeddedService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedService(string name, Uri url, WebApplication app)
    {
        Name = name;
        Url = url;
        _app = app;
    }

    /// <summary>The OpenTelemetry service name setting, as Aspire injects it.</summary>
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";

    public string Name { get; }

    /// <summary>The service's configuration and environment, as its composition saw them.</summary>
    public IConfiguration Configuration => _app.Configuration;

    public IHostEnvironment Environment => _app.Environment;

    public Uri Url { get; }

    /// <param name="settings">Configuration as Aspire would inject it (ConnectionStrings__*, services__*).</param>
    public static async Task<EmbeddedService> StartAsync(
        MeshService service, int port, IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // The service's name, not this host's: its telemetry source, OpenAPI document and logs say which service speaks.
            ApplicationName = service.Assembly.GetName().Name,
            // Not the caller's working directory: a stray appsettings.json there must not configure the mesh.
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        // As Aspire names each resource's telemetry: the exported service is "registry" or "lakehouse", not the process.
        builder.Configuration[ServiceNameSetting] = service.Name;
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        // The embedded host owns signals and shutdown, not each service.
        builder.Services.AddSingleton<IHostLifetime, HostOwnedLifetime>();
        service.Configure(builder);

        var app = builder.Build();
        service.Map(app);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException error) when (error.InnerException is AddressInUseException or SocketException)
        {
            await app.DisposeAsync();
            throw new MeshHostException(Ports.InUse(port, service.Name));
        }

        return new EmbeddedService(service.Name, new Uri($"http://127.0.0.1:{port}"), app);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private sealed class HostOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
