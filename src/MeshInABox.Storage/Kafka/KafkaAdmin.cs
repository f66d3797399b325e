using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace MeshInABox.Storage.Kafka;

/// <summary>
/// The few admin calls the kafka template makes, each with a deadline. librdkafka's own log and error callbacks
/// are captured instead of printed, so an absent broker does not fill the console with reconnect messages; the
/// last one is what a failed step reports.
/// </summary>
internal sealed class KafkaAdmin : IDisposable
{
    private const int MetadataAttempts = 10;
    private static readonly TimeSpan MetadataDelay = TimeSpan.FromMilliseconds(200);

    private readonly IAdminClient _client;
    private readonly TimeSpan _timeout;
    private readonly string _servers;
    private volatile string? _lastError;

    public KafkaAdmin(string bootstrapServers, TimeSpan timeout)
    {
        _servers = bootstrapServers;
        _timeout = timeout;
        var config = new AdminClientConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "meshinabox-storage",
            SocketTimeoutMs = (int)timeout.TotalMilliseconds,
        };
        _client = new AdminClientBuilder(config)
            .SetLogHandler((_, message) =>
            {
                if (message.Level <= SyslogLevel.Warning)
                {
                    _lastError = message.Message;
                }
            })
            .SetErrorHandler((_, error) => _lastError = error.Reason)
            .Build();
    }

    /// <summary>Creates the topic; false when it already exists.</summary>
    public async Task<bool> CreateTopicAsync(string topic, int partitions, short replicationFactor, long? retentionMs)
    {
        var specification = new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = replicationFactor };
        if (retentionMs is { } retention)
        {
            // Set with the topic, so it never exists with the wrong retention.
            specification.Configs = new Dictionary<string, string> { [KafkaStorage.RetentionConfig] = retention.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        try
        {
            await _client.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout });
            return true;
        }
        catch (CreateTopicsException error) when (error.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            return false;
        }
    }

    /// <summary>The topic's partitions; a topic created a moment ago may not be in every broker's metadata yet, so that is waited for.</summary>
    public async Task<TopicDescription> DescribeTopicAsync(string topic)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await _client.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), new DescribeTopicsOptions { RequestTimeout = _timeout });
                return result.TopicDescriptions.Single();
            }
            catch (DescribeTopicsException error) when (attempt < MetadataAttempts
                && error.Results.TopicDescriptions.All(d => d.Error.Code is ErrorCode.NoError or ErrorCode.UnknownTopicOrPart))
            {
                await Task.Delay(MetadataDelay);
            }
        }
    }

    public Task IncreasePartitionsAsync(string topic, int count) =>
        _client.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = count }], new CreatePartitionsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout });

    /// <returns>The topic's value of <paramref name="name"/>, and whether the topic overrides the broker's default.</returns>
    public async Task<(string? Value, bool Overridden)> DescribeConfigAsync(string topic, string name)
    {
        var results = await _client.DescribeConfigsAsync([Resource(topic)], new DescribeConfigsOptions { RequestTimeout = _timeout });
        var entry = results.Single().Entries.GetValueOrDefault(name);
        return (entry?.Value, entry is { Source: ConfigSource.DynamicTopicConfig });
    }

    /// <param name="value">The value to set; null removes the topic's own value (the broker's default applies).</param>
    public Task AlterConfigAsync(string topic, string name, string? value) =>
        _client.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [Resource(topic)] = [new ConfigEntry { Name = name, Value = value ?? "", IncrementalOperation = value is null ? AlterConfigOpType.Delete : AlterConfigOpType.Set }],
            },
            new IncrementalAlterConfigsOptions { RequestTimeout = _timeout });

    /// <summary>A failed call's message, with what librdkafka last said about the connection (often the real cause).</summary>
    public string Explain(KafkaException error)
    {
        var detail = error switch
        {
            CreateTopicsException e => string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}")),
            CreatePartitionsException e => string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}")),
            DescribeTopicsException e => string.Join("; ", e.Results.TopicDescriptions.Where(r => r.Error.IsError).Select(r => $"{r.Name}: {r.Error.Reason}")),
            DescribeConfigsException e => string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.ConfigResource.Name}: {r.Error.Reason}")),
            IncrementalAlterConfigsException e => string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.ConfigResource.Name}: {r.Error.Reason}")),
            _ => error.Error.Reason,
        };
        var last = _lastError is { } said && !detail.Contains(said, StringComparison.Ordinal) ? $" (the client last said: {said})" : "";
        return $"Kafka at {_servers}: {(detail.Length > 0 ? detail : error.Message)}{last}";
    }

    public void Dispose() => _client.Dispose();

    private static ConfigResource Resource(string topic) => new() { Type = ResourceType.Topic, Name = topic };
}
