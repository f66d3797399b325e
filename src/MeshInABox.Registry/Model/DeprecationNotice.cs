using MeshInABox.Registry.ProductLineage;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Model;

/// <summary>
/// What consumers of a deprecated product are told: when it goes, and what to use instead; <c>downstream</c> names the
/// products built on it and their owners, <c>consumers</c> who read it through the lakehouse in the 30 days before it
/// was deprecated (<c>usageNote</c> says why none are named when usage is not recorded).
/// </summary>
public sealed record DeprecationNotice(
    DateTimeOffset SunsetAt, string Message, IReadOnlyList<ImpactedProduct> Downstream, IReadOnlyList<RecentConsumer> Consumers, string? UsageNote);
