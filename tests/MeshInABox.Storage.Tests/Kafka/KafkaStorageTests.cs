using MeshInABox.Storage.Kafka;
using MeshInABox.Storage.Provisioning;
using MeshInABox.Storage.Tests.Lakehouse;

namespace MeshInABox.Storage.Tests.Kafka;

/// <summary>Parameters, naming and the absent broker; the broker's side is in <see cref="KafkaBrokerTests"/>.</summary>
public sealed class KafkaStorageTests
{
    private static readonly KafkaStorage WithBroker = new("localhost:9092");

    [Fact]
    public void Check_NoBrokerConfigured_RefusesEveryKafkaOutputWithTheReason()
    {
        var errors = new KafkaStorage(null).Check(Targets.Spec("kafka"));

        Assert.Equal(["kafka: no Kafka broker configured (ConnectionStrings__kafka is not set)."], errors);
    }

    [Fact]
    public async Task Reconcile_NoBrokerConfigured_FailsTheFirstStepBeforeAnythingIsCreated()
    {
        var report = await new KafkaStorage(null).ReconcileAsync(Targets.Impressions("kafka"), TestContext.Current.CancellationToken);

        var step = Assert.Single(report.Steps);
        Assert.Equal(("topic", StepOutcome.Failed, KafkaStorage.NoBroker), (step.Step, step.Outcome, step.Detail));
        Assert.Null(report.Location);
    }

    [Theory]
    [InlineData("partitions", "0", "partitions: '0' is not a partition count; use a whole number from 1 to 1000.")]
    [InlineData("partitions", "1001", "partitions: '1001' is not a partition count; use a whole number from 1 to 1000.")]
    [InlineData("partitions", "three", "partitions: 'three' is not a partition count; use a whole number from 1 to 1000.")]
    [InlineData("retention", "7 days", "retention: '7 days' is not a retention; use minutes, hours or days (30m, 12h, 7d) or forever.")]
    [InlineData("retention", "0d", "retention: '0d' is not a retention; use minutes, hours or days (30m, 12h, 7d) or forever.")]
    [InlineData("retention", "-1", "retention: '-1' is not a retention; use minutes, hours or days (30m, 12h, 7d) or forever.")]
    [InlineData("replicationFactor", "0", "replicationFactor: '0' is not a replication factor; use a whole number from 1 to 32767, or -1 for the broker's default.")]
    [InlineData("replicationFactor", "-2", "replicationFactor: '-2' is not a replication factor; use a whole number from 1 to 32767, or -1 for the broker's default.")]
    [InlineData("cleanupPolicy", "compact", "cleanupPolicy: not a parameter of the kafka template; it takes partitions, retention, replicationFactor.")]
    public void Check_BadParameter_IsRefusedWithWhatIsAllowed(string name, string value, string message)
    {
        Assert.Equal([message], WithBroker.Check(Targets.Spec("kafka", (name, value))));
    }

    [Theory]
    [InlineData("7d", 604_800_000L)]
    [InlineData("12h", 43_200_000L)]
    [InlineData("30m", 1_800_000L)]
    [InlineData("forever", -1L)]
    public void Retention_Text_IsKafkasRetentionMs(string text, long milliseconds)
    {
        Assert.Equal(milliseconds, KafkaParameters.ParseRetention(text));
        Assert.Empty(WithBroker.Check(Targets.Spec("kafka", ("retention", text), ("partitions", "1000"), ("replicationFactor", "3"))));
    }

    [Fact]
    public void TopicOf_Output_IsDomainProductOutputUnderTheDomain()
    {
        var topic = KafkaStorage.TopicOf("advertising.ad-impressions", "impressions");

        Assert.Equal("advertising.ad-impressions.impressions", topic);
        Assert.Null(KafkaStorage.TopicRule(topic));
        Assert.NotNull(KafkaStorage.TopicRule(new string('a', 250)));
    }

    [Fact]
    public async Task Reconcile_BrokerUnreachable_FailsTheFirstStepWithTheClientsReason()
    {
        var storage = new KafkaStorage("127.0.0.1:1", TimeSpan.FromSeconds(2));

        var report = await storage.ReconcileAsync(Targets.Impressions("kafka"), TestContext.Current.CancellationToken);

        var step = Assert.Single(report.Steps);
        Assert.Equal(("topic", StepOutcome.Failed), (step.Step, step.Outcome));
        Assert.StartsWith("Kafka at 127.0.0.1:1: ", step.Detail);
        Assert.Contains("Timed out", step.Detail);
        Assert.Null(report.Location);
    }
}
