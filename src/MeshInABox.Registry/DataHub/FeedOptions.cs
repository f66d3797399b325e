using System.ComponentModel.DataAnnotations;

namespace MeshInABox.Registry.DataHub;

/// <summary>How an outbound feed polls and backs off; shared by the DataHub feed and the OpenLineage forwarder.</summary>
public class FeedOptions
{
    /// <summary>Bearer token sent as Authorization, when the receiver needs one.</summary>
    public string? Token { get; set; }

    /// <summary>How often the feed looks for new rows when it is caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a failed delivery; doubled on each failure (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rows read from the source table per round.</summary>
    [Range(1, 1000)]
    public int ReadBatch { get; set; } = 100;
}

/// <summary>Section <c>Registry:DataHub</c>; the GMS address itself is ConnectionStrings:datahub.</summary>
public sealed class DataHubFeedOptions : FeedOptions
{
    /// <summary>Most proposals in one ingestProposalBatch request.</summary>
    [Range(1, 1000)]
    public int MaxProposalsPerRequest { get; set; } = 50;
}

/// <summary>Section <c>Registry:OpenLineage</c>: where lineage_events are forwarded, when <see cref="Url"/> is set.</summary>
public sealed class OpenLineageForwardOptions : FeedOptions
{
    /// <summary>An OpenLineage endpoint: Marquez's /api/v1/lineage, or DataHub's {gms}/openapi/openlineage/api/v1/lineage.</summary>
    public string? Url { get; set; }
}
