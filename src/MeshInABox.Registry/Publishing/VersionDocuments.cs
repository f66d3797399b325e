using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Streams;

namespace MeshInABox.Registry.Publishing;

/// <summary>A stored version's documents, each read once for all the checks of its validation.</summary>
/// <param name="Previous">The latest active version's contract, when both it and this one have a version number to compare.</param>
public sealed record VersionDocuments(ContractReader.Result Contract, AsyncApiDocument.Result? Stream, DataContract? Previous)
{
    /// <exception cref="Domain.Documents.DocumentParseException">A stored document is not well-formed (it was when submitted).</exception>
    public static VersionDocuments Read(PublishedVersion version, PublishedVersion? previous)
    {
        var contract = ContractReader.Read(version.Contract, "contract.yaml");
        var stream = version.StreamContract is null ? null : AsyncApiDocument.Read(version.StreamContract, "stream-contract.yaml");
        var previousContract = previous is not null && contract.Contract.Version is not null
            ? ContractReader.Read(previous.Contract, "previous.yaml").Contract
            : null;
        return new VersionDocuments(contract, stream, previousContract);
    }
}
