using System.ComponentModel.DataAnnotations;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Lakehouse;

/// <summary>Settings of the lakehouse service, section <c>Lakehouse</c>.</summary>
public sealed class LakehouseOptions
{
    public const string SectionName = "Lakehouse";

    /// <summary>Root of the lakehouse tables (<c>&lt;lake&gt;/domain/product/table</c>).</summary>
    [Required]
    public string LakeRoot { get; set; } = "";

    /// <summary>Largest request body accepted (a query and its parameters).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    [Range(1, 100_000_000)]
    public long MaxRows { get; set; } = 1_000_000;

    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    [Required]
    public string MemoryLimit { get; set; } = "1GB";

    /// <summary>Queries one caller (a token's sub, or an anonymous client's address) may run at once; more get 429.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentQueriesPerCaller { get; set; } = 4;

    /// <summary>How callers' tokens are validated (the identity that grants on restricted products name).</summary>
    public MeshAuthOptions Auth { get; set; } = new();
}
