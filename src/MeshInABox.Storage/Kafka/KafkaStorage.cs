using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Kafka;

/// <summary>
/// The <c>kafka</c> template: an output's topic, named <c>&lt;domain&gt;.&lt;product&gt;.&lt;output&gt;</c> (see README.md),
/// through Kafka's admin API. Steps: the topic exists; it has the declared partitions (only ever increased: Kafka
/// cannot take partitions away); its retention.ms is the declared one (or the broker's default when none is declared).
/// </summary>
/// <param name="bootstrapServers">ConnectionStrings:kafka; null when it is not set, and then every output asking for a topic is refused.</param>
/// <param name="timeout">How long each admin request may take before the step fails (default 15 s).</param>
public sealed partial class KafkaStorage(string? bootstrapServers, TimeSpan? timeout = null) : IStorageTemplate
{
    /// <summary>Why nothing can be provisioned without a broker, as the version's status shows it.</summary>
    public const string NoBroker = "no Kafka broker configured (ConnectionStrings__kafka is not set)";

    public const string RetentionConfig = "retention.ms";

    /// <summary>Kafka's own limit on a topic name.</summary>
    public const int MaxTopicLength = 249;

    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(15);

    public string Name => "kafka";

    /// <summary>Test hook: stop after this many steps, as a run that died between two steps would.</summary>
    internal int? StopAfter { get; set; }

    /// <summary>The topic of an output: <c>&lt;domain&gt;.&lt;product&gt;.&lt;output&gt;</c>, under the domain as the locator requires.</summary>
    public static string TopicOf(string productId, string output) => $"{productId}.{output}";

    /// <summary>Null when <paramref name="topic"/> is a name Kafka takes, else why not.</summary>
    public static string? TopicRule(string topic) => topic.Length <= MaxTopicLength && TopicPattern().IsMatch(topic)
        ? null
        : $"'{topic}' is not a topic name: a-z, A-Z, 0-9, '.', '_' or '-', at most {MaxTopicLength} characters.";

    public IReadOnlyList<string> Check(StorageSpec spec)
    {
        var errors = new List<string>();
        KafkaParameters.Parse(spec, errors);
        if (string.IsNullOrWhiteSpace(bootstrapServers))
        {
            errors.Add($"kafka: {NoBroker}.");
        }

        return errors;
    }

    public async Task<ProvisioningReport> ReconcileAsync(StorageTarget target, CancellationToken ct)
    {
        var results = new List<StepResult>();
        var errors = new List<string>();
        var parameters = KafkaParameters.Parse(target.Spec, errors);
        var topic = TopicOf(target.ProductId, target.Output);
        if (TopicRule(topic) is { } rule)
        {
            errors.Add($"topic: {rule}");
        }

        if (parameters is null || errors.Count > 0)
        {
            results.Add(new StepResult("parameters", StepOutcome.Failed, string.Join(" ", errors)));
            return new ProvisioningReport(target.Output, Name, results, null);
        }

        if (string.IsNullOrWhiteSpace(bootstrapServers))
        {
            // Refused before anything exists: the version is rejected, never half-provisioned.
            results.Add(new StepResult("topic", StepOutcome.Failed, NoBroker));
            return new ProvisioningReport(target.Output, Name, results, null);
        }

        using var admin = new KafkaAdmin(bootstrapServers, _timeout);
        (string Name, Func<Task<StepResult>> Run)[] steps =
        [
            ("topic", () => Topic(admin, topic, parameters)),
            ("partitions", () => Partitions(admin, topic, parameters)),
            ("retention", () => Retention(admin, topic, parameters)),
        ];
        foreach (var (name, step) in steps)
        {
            ct.ThrowIfCancellationRequested();
            if (results.Count == StopAfter)
            {
                break;
            }

            try
            {
                results.Add(await step());
            }
            catch (KafkaException error)
            {
                results.Add(new StepResult(name, StepOutcome.Failed, admin.Explain(error)));
            }

            if (results[^1].Outcome == StepOutcome.Failed)
            {
                break;
            }
        }

        var complete = results.Count == steps.Length && results.All(r => r.Outcome != StepOutcome.Failed);
        return new ProvisioningReport(target.Output, Name, results, complete ? new Dictionary<string, object?> { ["topic"] = topic } : null);
    }

    private static async Task<StepResult> Topic(KafkaAdmin admin, string topic, KafkaParameters parameters)
    {
        if (await admin.CreateTopicAsync(topic, parameters.Partitions, parameters.ReplicationFactor, parameters.RetentionMs))
        {
            return new StepResult("topic", StepOutcome.Changed, $"created {topic} with {parameters.Partitions} partitions.");
        }

        // The replication factor is chosen at creation; changing it later is a reassignment of every partition.
        var replicas = (await admin.DescribeTopicAsync(topic)).Partitions.Min(p => p.Replicas.Count);
        return parameters.ReplicationFactor != -1 && replicas != parameters.ReplicationFactor
            ? new StepResult("topic", StepOutcome.Failed,
                $"{topic} exists with replication factor {replicas}, but the output declares {parameters.ReplicationFactor}; " +
                "changing it needs a partition reassignment by the platform's operators. Nothing was changed.")
            : new StepResult("topic", StepOutcome.Unchanged, $"{topic} exists.");
    }

    private static async Task<StepResult> Partitions(KafkaAdmin admin, string topic, KafkaParameters parameters)
    {
        var count = (await admin.DescribeTopicAsync(topic)).Partitions.Count;
        if (count == parameters.Partitions)
        {
            return new StepResult("partitions", StepOutcome.Unchanged, $"{topic} has {count} partitions.");
        }

        if (count > parameters.Partitions)
        {
            return new StepResult("partitions", StepOutcome.Failed,
                $"{topic} has {count} partitions, but the output declares {parameters.Partitions}: Kafka cannot remove partitions " +
                $"(declare {count} or more, or publish a new output). Nothing was changed.");
        }

        await admin.IncreasePartitionsAsync(topic, parameters.Partitions);
        return new StepResult("partitions", StepOutcome.Changed, $"increased {topic} from {count} to {parameters.Partitions} partitions.");
    }

    private static async Task<StepResult> Retention(KafkaAdmin admin, string topic, KafkaParameters parameters)
    {
        var (value, overridden) = await admin.DescribeConfigAsync(topic, RetentionConfig);
        var wanted = parameters.RetentionMs?.ToString(CultureInfo.InvariantCulture);
        if (wanted is null)
        {
            if (!overridden)
            {
                return new StepResult("retention", StepOutcome.Unchanged, $"{topic} keeps the broker's default retention ({RetentionConfig}={value}).");
            }

            await admin.AlterConfigAsync(topic, RetentionConfig, null);
            return new StepResult("retention", StepOutcome.Changed, $"removed {topic}'s {RetentionConfig}={value}: the broker's default applies.");
        }

        if (value == wanted)
        {
            return new StepResult("retention", StepOutcome.Unchanged, $"{topic} has {RetentionConfig}={value}.");
        }

        await admin.AlterConfigAsync(topic, RetentionConfig, wanted);
        return new StepResult("retention", StepOutcome.Changed, $"set {topic}'s {RetentionConfig} from {value} to {wanted}.");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicPattern();
}
