using System.Text.Json;
using Confluent.Kafka;
using MeshInABox.Postgres.Migrations;
using MeshInABox.Registry.Infrastructure;

namespace MeshInABox.Registry.Kafka;

/// <summary>
/// Publishes the outbox to a Kafka topic, in order, keyed by product. The
/// producer is idempotent and the cursor moves only after the broker has
/// acknowledged, so a restart re-sends at most the unacknowledged tail.
/// </summary>
public sealed partial class OutboxKafkaRelay(
    Outbox outbox,
    IProducer<string, string> producer,
    MigrationState migrations,
    KafkaRelayOptions options,
    TimeProvider time,
    ILogger<OutboxKafkaRelay> logger) : BackgroundService
{
    public const string Consumer = "kafka-relay";

    private long _eventsSent;

    /// <summary>Events handed to the producer so far, acknowledged or not: shows the relay has tried.</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Before the outbox table exists every read fails: a normal start would log warnings.
        await migrations.WhenAppliedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RelayBatchAsync(stoppingToken) == 0)
                {
                    await Task.Delay(options.PollInterval, time, stoppingToken);
                }
            }
            catch (Exception error) when (error is KafkaException or Npgsql.NpgsqlException && !stoppingToken.IsCancellationRequested)
            {
                LogRelayFailed(logger, error.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }

    /// <returns>How many events were relayed.</returns>
    public async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        var cursor = await outbox.CursorAsync(Consumer, ct);
        var events = await outbox.ReadAsync(cursor, 100, ct) ?? [];
        foreach (var item in events)
        {
            Interlocked.Increment(ref _eventsSent);
            await producer.ProduceAsync(options.Topic, new Message<string, string>
            {
                Key = item.ProductId,
                Value = JsonSerializer.Serialize(item, JsonSerializerOptions.Web),
                Headers = new Headers { { "event-type", System.Text.Encoding.UTF8.GetBytes(item.Type) } },
            }, ct);
        }

        if (events.Count > 0)
        {
            await outbox.SaveCursorAsync(Consumer, events[^1].Position, time.GetUtcNow(), ct);
        }

        return events.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying the outbox to Kafka failed, retrying: {Reason}")]
    private static partial void LogRelayFailed(ILogger logger, string reason);
}

/// <summary>Where the relay publishes (the broker is the producer's, see <see cref="RegistryEventsProducer"/>).</summary>
public sealed record KafkaRelayOptions(string Topic = KafkaRelayOptions.DefaultTopic)
{
    public const string DefaultTopic = "meshinabox.registry.events";

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
