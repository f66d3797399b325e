using Confluent.Kafka;
#if MESH_KAFKA
using Microsoft.Extensions.Diagnostics.HealthChecks;
#endif

namespace MeshInABox.Registry.Kafka;

/// <summary>
/// The Kafka producer the outbox relay publishes with, from <c>ConnectionStrings:kafka</c>
/// (bootstrap servers, as Aspire injects it): Aspire.Confluent.Kafka's, with its health check,
/// logging and metrics, where the build carries it (MeshKafka); otherwise a plain Confluent producer.
/// </summary>
public static partial class RegistryEventsProducer
{
    /// <summary>The name Aspire.Confluent.Kafka gives the producer's health check in /health.</summary>
    public const string HealthCheck = "Aspire.Confluent.Kafka.Producer";

    public static void AddRegistryEventsProducer(this IHostApplicationBuilder builder, string connectionName)
    {
#if MESH_KAFKA
        builder.AddKafkaProducer<string, string>(connectionName, settings => Configure(settings.Config));

        // The registry serves without the broker (events wait in the outbox): a broker that is away degrades, it does not fail,
        // and the check, which produces a probe message, gets the same deadline as the database's.
        builder.Services.Configure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Name == HealthCheck))
            {
                check.FailureStatus = HealthStatus.Degraded;
                check.Timeout = TimeSpan.FromSeconds(5);
            }
        });
#else
        var config = new ProducerConfig { BootstrapServers = builder.Configuration.GetConnectionString(connectionName) };
        Configure(config);
        builder.Services.AddSingleton<IProducer<string, string>>(services =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Confluent.Kafka");
            return new ProducerBuilder<string, string>(config)
                .SetLogHandler((_, message) => LogKafka(logger, message.Level.ToString(), message.Message))
                .SetErrorHandler((_, error) => LogKafka(logger, error.Code.ToString(), error.Reason))
                .Build();
        });
#endif
    }

    // What the relay's ordering and at-least-once guarantee rest on: no duplicates on retry, every in-sync replica acknowledged.
    private static void Configure(ProducerConfig config)
    {
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.ClientId ??= "meshinabox-registry";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka {Level}: {Message}")]
    private static partial void LogKafka(ILogger logger, string level, string message);
}
