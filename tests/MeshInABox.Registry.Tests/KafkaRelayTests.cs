using System.Text;
#if MESH_KAFKA
using System.Net.Http.Json;
#endif
using System.Text.Json;
using Confluent.Kafka;
using MeshInABox.Registry.Infrastructure;
using MeshInABox.Registry.Kafka;
using MeshInABox.Testing;
using Microsoft.Extensions.Hosting;

namespace MeshInABox.Registry.Tests;

/// <summary>The outbox relay against a real broker: runs when MESH_TEST_KAFKA names one (host:port).</summary>
public sealed class KafkaRelayTests(PostgresServerFixture server)
{
    public const string BrokerVariable = "MESH_TEST_KAFKA";

    [Fact]
    public async Task Relay_PublishesEventsInOrderKeyedByProduct_AndMovesItsCursorAfterTheAck()
    {
        var broker = Environment.GetEnvironmentVariable(BrokerVariable);
        if (string.IsNullOrWhiteSpace(broker))
        {
            Assert.Skip($"{BrokerVariable} is not set: no Kafka broker on this machine. Set it to host:port to run the relay against a real broker.");
        }

        var ct = TestContext.Current.CancellationToken;
        var topic = "meshinabox-test-" + Guid.NewGuid().ToString("N")[..8];
        await using var registry = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string>
        {
            ["ConnectionStrings:kafka"] = broker,
            ["Registry:EventsTopic"] = topic,
        });
        using var writer = registry.Writer("content");
        var id = await Samples.RegisterAsync(writer, ct);
        (await Samples.PublishAsync(writer, id, Samples.Version("1.0.0"), "kafka", ct)).Dispose();
        await registry.WaitForDecisionAsync(writer, id, "1.0.0", ct);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = broker,
            GroupId = topic,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var seen = new List<(string Type, long Position)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (seen.Count < 3 && DateTime.UtcNow < deadline)
        {
            registry.Time.Advance(TimeSpan.FromSeconds(1)); // the relay polls on the host's (fake) clock
            var message = consumer.Consume(TimeSpan.FromSeconds(1));
            if (message?.Message.Key == id)
            {
                var body = JsonDocument.Parse(message.Message.Value).RootElement;
                seen.Add((Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("event-type")), body.GetProperty("position").GetInt64()));
            }
        }

        Assert.Equal(["product.registered", "version.accepted", "version.published"], seen.Select(s => s.Type));
        Assert.True(seen.Select(s => s.Position).SequenceEqual(seen.Select(s => s.Position).Order()));
        Assert.True(await registry.Service<Outbox>().CursorAsync(OutboxKafkaRelay.Consumer, ct) >= seen[^1].Position);
    }

    [Fact]
    public async Task Relay_BrokerUnreachable_RegistryStaysHealthyAndTheCursorDoesNotMove()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = MeshInABox.Postgres.LocalCluster.Ports.FindFree();
        await using var registry = await RegistryHost.StartAsync(server, GetType(), new Dictionary<string, string>
        {
            ["ConnectionStrings:kafka"] = $"127.0.0.1:{port}",
            ["Registry:EventsTopic"] = "unreachable",
        });
        using var writer = registry.Writer("content");

        await Samples.RegisterAsync(writer, ct);
        // Not a pause: wait until the relay has handed the event to the producer, so "nothing moved" means it tried.
        var relay = registry.Service<IEnumerable<IHostedService>>().OfType<OutboxKafkaRelay>().Single();
        for (var waited = 0; relay.EventsSent == 0; waited++)
        {
            Assert.True(waited < 600, "The relay did not try to send the registration event within 30 s.");
            registry.Time.Advance(TimeSpan.FromSeconds(1)); // the relay polls on the host's (fake) clock
            await Task.Delay(50, ct);
        }

        using var health = await registry.Anonymous().GetAsync("/health", ct);

        Assert.True(health.IsSuccessStatusCode);
#if MESH_KAFKA
        // Aspire's producer check names the broker as away, without failing the registry.
        var report = await health.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty(RegistryEventsProducer.HealthCheck).GetProperty("status").GetString());
#endif
        Assert.Equal(0, await registry.Service<Outbox>().CursorAsync(OutboxKafkaRelay.Consumer, ct));
    }
}
