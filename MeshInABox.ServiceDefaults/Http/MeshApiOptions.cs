namespace MeshInABox.ServiceDefaults.Http;

/// <summary>
/// Limits every service applies to a request before its endpoints see it;
/// each service sets <see cref="MaxRequestBytes"/> from its own options.
/// </summary>
public sealed class MeshApiOptions
{
    /// <summary>Longest request target (path and query string, as sent): longer is a 414 problem.</summary>
    public const int DefaultMaxUrlBytes = 8 * 1024;

    /// <summary>Largest total of header names and values: more is a 431 problem.</summary>
    public const int DefaultMaxHeaderBytes = 32 * 1024;

    /// <summary>
    /// What Kestrel itself accepts, above the limits here, so that a request
    /// between the two gets a problem body instead of Kestrel's empty 414 or 431.
    /// </summary>
    public const int ServerRequestLineBytes = 64 * 1024;

    public const int ServerHeaderBytes = 64 * 1024;

    public const long DefaultMaxRequestBytes = 1024 * 1024;

    public long MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    public int MaxUrlBytes { get; set; } = DefaultMaxUrlBytes;

    public int MaxHeaderBytes { get; set; } = DefaultMaxHeaderBytes;
}
