namespace MeshInABox.Registry.Publishing;

/// <summary>
/// What submitting a version came to. Each case carries what its answer needs, and nothing else: a refusal
/// has no version to show, a conflict has the version it conflicts with.
/// </summary>
public abstract record SubmitOutcome
{
    // Closed: the cases below are all there are.
    private SubmitOutcome()
    {
    }

    /// <summary>Stored, to be validated.</summary>
    public sealed record Accepted(PublishedVersion Version) : SubmitOutcome;

    /// <summary>The same request again (same key and body), or the same content under another key: the version it made.</summary>
    public sealed record Repeated(PublishedVersion Version) : SubmitOutcome;

    public sealed record ProductNotFound : SubmitOutcome;

    /// <summary>A retired product takes no new versions.</summary>
    public sealed record ProductRetired : SubmitOutcome;

    /// <summary>The idempotency key was used before, for another request.</summary>
    public sealed record KeyReusedWithOtherBody(PublishedVersion Earlier) : SubmitOutcome;

    /// <summary>The version number is live already, with other content.</summary>
    public sealed record VersionTaken(PublishedVersion Existing) : SubmitOutcome;
}
