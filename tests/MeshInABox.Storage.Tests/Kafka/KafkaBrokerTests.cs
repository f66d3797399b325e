using Confluent.Kafka;
using Confluent.Kafka.Admin;
using MeshInABox.Storage.Kafka;
using MeshInABox.Storage.Provisioning;

namespace MeshInABox.Storage.Tests.Kafka;

/// <summary>Against a real broker, named by MESH_TEST_KAFKA (bootstrap servers); skipped without one. Each test uses topics of its own.</summary>
public sealed class KafkaBrokerTests : IDisposable
{
    public const string BrokerVariable = "MESH_TEST_KAFKA";

    private readonly string _product = $"storage-test.run-{Guid.NewGuid():N}"[..40];
    private readonly List<string> _topics = [];

    private static string Broker
    {
        get
        {
            var servers = Environment.GetEnvironmentVariable(BrokerVariable);
            if (string.IsNullOrWhiteSpace(servers))
            {
                Assert.Skip($"No Kafka broker to test against: set {BrokerVariable} to its bootstrap servers (e.g. localhost:9092).");
            }

            return servers;
        }
    }

    public void Dispose()
    {
        if (_topics.Count > 0 && Environment.GetEnvironmentVariable(BrokerVariable) is { Length: > 0 } servers)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers }).Build();
            admin.DeleteTopicsAsync(_topics).Wait(TimeSpan.FromSeconds(10));
        }
    }

    private StorageTarget Target(string output, params (string Name, string Value)[] parameters)
    {
        _topics.Add(KafkaStorage.TopicOf(_product, output));
        return new StorageTarget(_product, "team-gray", output, new StorageSpec("kafka", parameters.ToDictionary(p => p.Name, p => p.Value)),
            Lakehouse.Targets.Contract());
    }

    private static Task<ProvisioningReport> Run(StorageTarget target, int? stopAfter = null) =>
        new KafkaStorage(Broker) { StopAfter = stopAfter }.ReconcileAsync(target, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Reconcile_NewOutput_CreatesTheTopicThenChangesNothing()
    {
        var target = Target("events", ("partitions", "2"), ("retention", "12h"));

        var first = await Run(target);
        var second = await Run(target);

        Assert.Equal([("topic", StepOutcome.Changed), ("partitions", StepOutcome.Unchanged), ("retention", StepOutcome.Unchanged)],
            first.Steps.Select(s => (s.Step, s.Outcome)));
        Assert.Equal(0, second.Changes);
        Assert.Equal(KafkaStorage.TopicOf(_product, "events"), second.Location!["topic"]);
        Assert.Equal((2, "43200000"), await Describe(KafkaStorage.TopicOf(_product, "events")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Reconcile_StoppedAfterAStep_TheNextRunEndsWhereAnUninterruptedOneDoes(int stopAfter)
    {
        var whole = Target("whole", ("partitions", "4"), ("retention", "7d"));
        var stopped = Target("stopped", ("partitions", "4"), ("retention", "7d"));
        await Run(whole);

        var first = await Run(stopped, stopAfter);
        var resumed = await Run(stopped);

        Assert.Equal(stopAfter, first.Steps.Count);
        Assert.False(resumed.Failed);
        Assert.Equal(await Describe(KafkaStorage.TopicOf(_product, "whole")), await Describe(KafkaStorage.TopicOf(_product, "stopped")));
    }

    [Fact]
    public async Task Reconcile_MorePartitionsAndNewRetention_AreApplied_FewerPartitionsFail()
    {
        await Run(Target("grow", ("partitions", "1")));

        var grown = await Run(Target("grow", ("partitions", "3"), ("retention", "forever")));
        var shrunk = await Run(Target("grow", ("partitions", "2"), ("retention", "forever")));

        Assert.Equal([StepOutcome.Unchanged, StepOutcome.Changed, StepOutcome.Changed], grown.Steps.Select(s => s.Outcome));
        Assert.Equal((3, "-1"), await Describe(KafkaStorage.TopicOf(_product, "grow")));
        var failed = shrunk.Steps.Single(s => s.Step == "partitions");
        Assert.Equal(StepOutcome.Failed, failed.Outcome);
        Assert.Contains("has 3 partitions, but the output declares 2: Kafka cannot remove partitions", failed.Detail);
        Assert.Null(shrunk.Location);
    }

    private static async Task<(int Partitions, string? RetentionMs)> Describe(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Broker }).Build();
        var description = (await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions.Single();
        var config = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Single();
        return (description.Partitions.Count, config.Entries[KafkaStorage.RetentionConfig].Value);
    }
}
