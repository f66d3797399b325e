using System.Text.Json;

namespace MeshInABox.Registry.Model;

/// <summary>
/// Body of <c>POST /data-products/{productId}/versions</c>. <c>contract</c> is the
/// ODCS document, as YAML text or as a JSON object; <c>outputs</c>, when left out, are taken
/// from the contract's schema objects (<see cref="Apis.VersionOutputs"/>);
/// <c>streamContract</c> is the AsyncAPI 3.0 document that kafka outputs need.
/// </summary>
public sealed record PublishVersionRequest(
    string? Version, JsonElement? Contract, IReadOnlyList<ProductOutputDto>? Outputs = null, JsonElement? StreamContract = null);
