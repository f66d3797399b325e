using MeshInABox.Domain.Access;
using MeshInABox.Hosting.State;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Cli.Registry;

/// <summary>Which registry a command talks to, and with which token: the one given, or the running mesh's own.</summary>
public static class RegistryTarget
{
    /// <param name="subject">Who a token minted with the running mesh's key speaks for (its sub).</param>
    /// <returns>The registry and a token, or why there is none.</returns>
    public static async Task<(Uri? Url, string? Token, string? Error)> ResolveAsync(Uri? url, string? token, string dataDirectory, string subject, CancellationToken ct)
    {
        if (url is not null)
        {
            token ??= Environment.GetEnvironmentVariable("MESH_TOKEN");
            return token is null ? (null, null, "--registry needs --token (or MESH_TOKEN).") : (url, token, null);
        }

        var directory = Path.GetFullPath(dataDirectory);
        var state = await MeshState.ReadAsync(directory, ct);
        if (state is null || !state.IsRunning || !state.Services.TryGetValue("registry", out var registry))
        {
            return (null, null, $"No mesh is running from {directory}: start one with 'mesh up', or pass --registry and --token.");
        }

        // The running mesh's own key: a short-lived token for every domain.
        var minted = LocalTokens.Issue(MeshState.SigningKeyPath(directory), subject, ["*"], [MeshAccess.ReadScope, MeshAccess.WriteScope], TimeSpan.FromMinutes(30));
        return (registry, minted, null);
    }
}
