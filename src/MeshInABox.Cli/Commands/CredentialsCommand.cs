using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using MeshInABox.Cli.Registry;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Naming;

namespace MeshInABox.Cli.Commands;

/// <summary>
/// <c>mesh credentials rotate &lt;product&gt;</c>: a new password for a PostgreSQL product's owner login. The registry
/// never answers with the password: the team reads it from the owner-only pgpass file this prints the path of.
/// </summary>
public static class CredentialsCommand
{
    public static Command Create()
    {
        var product = new Argument<string>("product") { Description = "The product's id (domain.name)." };
        var dataDirectory = CommonOptions.DataDirectory();
        var registryUrl = CommonOptions.ServiceUrl("--registry", "A registry's URL, instead of the mesh in --data-dir.");
        var token = new Option<string?>("--token") { Description = "Bearer token for --registry (or set MESH_TOKEN), with the write scope for the product's domain." };
        var format = CommonOptions.Format();
        var rotate = new Command("rotate", "Set a new password on the product's owner login: the old one opens no new session.")
        {
            product, dataDirectory, registryUrl, token, format,
        };
        rotate.SetAction(async (result, ct) =>
        {
            var id = result.GetValue(product)!;
            if (MeshNames.ProductId(id) is { } rule)
            {
                ErrorOutput.Write($"product: {rule}");
                return 2;
            }

            var (url, bearer, error) = await RegistryTarget.ResolveAsync(result.GetValue(registryUrl), result.GetValue(token), result.GetValue(dataDirectory)!, "mesh-credentials", ct);
            if (error is not null)
            {
                ErrorOutput.Write(error);
                return 2;
            }

            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            try
            {
                using var response = await http.PostAsync(new Uri($"data-products/{Uri.EscapeDataString(id)}/credentials/rotation", UriKind.Relative), null, ct);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (!response.IsSuccessStatusCode)
                {
                    ErrorOutput.Write($"{id}: {(body.TryGetProperty("detail", out var detail) ? detail.GetString() : response.ReasonPhrase)}");
                    return 1;
                }

                if (result.GetValue(format) == OutputFormat.Json)
                {
                    CliJson.Write(body);
                }
                else
                {
                    Console.WriteLine($"{id}: new password set on {body.GetProperty("role").GetString()} at {body.GetProperty("rotatedAt").GetDateTimeOffset():u}.");
                    Console.WriteLine(body.TryGetProperty("passFile", out var file) && file.ValueKind == JsonValueKind.String
                        ? $"It is in {file.GetString()} (readable by you only): PGPASSFILE={file.GetString()} psql -h <host> -U {body.GetProperty("role").GetString()} ..."
                        : "This registry writes no pgpass file: ask the platform team how owner passwords reach you.");
                }

                return 0;
            }
            catch (Exception failure) when (failure is HttpRequestException or JsonException or TaskCanceledException)
            {
                ErrorOutput.Write($"The registry at {url} did not answer as expected: {failure.Message}");
                return 2;
            }
        });
        return new Command("credentials", "The owner logins of a product's provisioned storage.") { rotate };
    }
}
