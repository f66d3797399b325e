namespace MeshInABox.Registry.Infrastructure;

/// <summary>PostgreSQL hands timestamptz back as UTC DateTime; the API speaks DateTimeOffset.</summary>
internal static class Time
{
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Utc(DateTime? value) => value is null ? null : Utc(value.Value);
}
