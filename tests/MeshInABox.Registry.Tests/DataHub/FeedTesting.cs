using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace MeshInABox.Registry.Tests.DataHub;

/// <summary>Helpers shared by the feed tests: settings, waiting on conditions, reading proposals back.</summary>
public static class FeedTesting
{
    /// <summary>Short polls and backoffs: the feeds wait on the host's fake clock, which <see cref="UntilAsync"/> moves.</summary>
    public static Dictionary<string, string> Settings(string section) => new()
    {
        [$"Registry:{section}:PollInterval"] = "00:00:00.100",
        [$"Registry:{section}:MinBackoff"] = "00:00:00.100",
        [$"Registry:{section}:MaxBackoff"] = "00:00:01",
        [$"Registry:{section}:RequestTimeout"] = "00:00:10",
    };

    /// <summary>Waits for a condition, moving the fake clock so the feed's polls and backoffs elapse; fails after a generous limit.</summary>
    public static async Task UntilAsync(FakeTimeProvider time, Func<bool> condition, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited 90 s for: {what}");
            }

            time.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(20, ct);
        }
    }

    /// <summary>A proposal as GMS received it, its aspect value parsed from the JSON string it travels as.</summary>
    public sealed record ReceivedProposal(string EntityType, string EntityUrn, string AspectName, JsonElement Aspect);

    public static IReadOnlyList<ReceivedProposal> Proposals(IEnumerable<ReceivedRequest> requests) =>
        [.. requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("proposals").EnumerateArray().Select(p =>
        {
            Assert.Equal("UPSERT", p.GetProperty("changeType").GetString());
            Assert.Equal("application/json", p.GetProperty("aspect").GetProperty("contentType").GetString());
            var value = p.GetProperty("aspect").GetProperty("value");
            Assert.Equal(JsonValueKind.String, value.ValueKind);
            return new ReceivedProposal(
                p.GetProperty("entityType").GetString()!, p.GetProperty("entityUrn").GetString()!, p.GetProperty("aspectName").GetString()!,
                JsonDocument.Parse(value.GetString()!).RootElement.Clone());
        }))];

    public static string ProductUrn(string productId) => $"urn:li:dataProduct:{productId}";

    /// <summary>The dataset of the sample product's CSV output "titles": platform file, name domain.product_underscored.output.</summary>
    public static string TitlesUrn(string productId) =>
        $"urn:li:dataset:(urn:li:dataPlatform:file,content.{productId["content.".Length..].Replace('-', '_')}.titles,PROD)";
}
