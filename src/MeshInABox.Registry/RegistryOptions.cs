using System.ComponentModel.DataAnnotations;

using MeshInABox.ServiceDefaults;

namespace MeshInABox.Registry;

/// <summary>Settings of the registry, section <c>Registry</c>.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Largest request body accepted (contracts included).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 200;

    /// <summary>How long a worker holds a version it validates before another may take it over.</summary>
    public TimeSpan ValidationLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Claims of one version before it is rejected: validation that throws, or kills the worker, is tried
    /// again (a passing fault) but not for ever (a poisoned version).
    /// </summary>
    [Range(1, 100)]
    public int MaxValidationAttempts { get; set; } = 3;

    /// <summary>How often the worker looks for accepted versions when nothing woke it.</summary>
    public TimeSpan WorkerPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Kafka topic the outbox relay publishes to (when ConnectionStrings:kafka is set).</summary>
    public string EventsTopic { get; set; } = Kafka.KafkaRelayOptions.DefaultTopic;

    public RegistryAuthOptions Auth { get; set; } = new();

    /// <summary>The DataHub feed (on when ConnectionStrings:datahub, the GMS base URL, is set).</summary>
    public DataHub.DataHubFeedOptions DataHub { get; set; } = new();

    /// <summary>The storage plane (on from iteration-2).</summary>
    public Storage.StorageOptions Storage { get; set; } = new();

    /// <summary>OpenLineage forwarding of lineage_events (on when Url is set).</summary>
    public DataHub.OpenLineageForwardOptions OpenLineage { get; set; } = new();
}

/// <summary>Token validation (see <see cref="MeshAuthOptions"/>), plus whether reads need a token.</summary>
public sealed class RegistryAuthOptions : MeshAuthOptions
{
    /// <summary>When true, reads need the dpr.read scope too; the embedded host leaves reads open.</summary>
    public bool RequireReadScope { get; set; }
}
