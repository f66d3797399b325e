using MeshInABox.Domain.Contracts;
using MeshInABox.Domain.Naming;
using MeshInABox.Domain.Products;
using MeshInABox.Registry.Locations;
using MeshInABox.Registry.Model;
using MeshInABox.Registry.Products;

namespace MeshInABox.Registry.Apis;

/// <summary>
/// The one place that decides which outputs a version publishes, when it is submitted (the worker validates
/// what was stored); a check of the request, so it lives with the other request checks. Given outputs must
/// agree with the contract; left out, they are derived from the contract's schema objects: the product's
/// registered output of the same name, else the kind the contract's servers tell. docs/registry.md states the rules.
/// </summary>
public static class VersionOutputs
{
    private const int MaxListed = 10;

    /// <summary>ODCS server types that tell which kind of output the contract's objects are.</summary>
    private static readonly Dictionary<string, OutputKind> ServerKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kafka"] = OutputKind.Kafka,
        ["postgres"] = OutputKind.Postgres,
        ["postgresql"] = OutputKind.Postgres,
    };

    /// <param name="given">The request's outputs; null when left out.</param>
    /// <param name="contract">The submitted contract, or null when it could not be read (that is reported already).</param>
    /// <returns>The version's outputs; complete only when no check failed.</returns>
    public static IReadOnlyList<RegisteredOutput> Decide(
        IReadOnlyList<ProductOutputDto>? given, DataContract? contract, RegisteredProduct product, RequestChecks checks, LocationRules locations)
    {
        if (given is null)
        {
            return contract is null ? [] : Derive(contract, product, checks);
        }

        if (given.Count == 0)
        {
            checks.Add("outputs", "'outputs' is empty: list the version's outputs, or leave 'outputs' out to take them from the contract's schema.");
            return [];
        }

        var outputs = checks.Outputs(given, product.Id, locations);
        if (contract is not null && given.Count <= RequestChecks.MaxOutputs)
        {
            Agree(given, contract, checks);
        }

        return outputs;
    }

    private static void Agree(IReadOnlyList<ProductOutputDto> given, DataContract contract, RequestChecks checks)
    {
        var served = ServedKind(contract);
        for (var i = 0; i < given.Count; i++)
        {
            if (given[i] is not { Name: { } name } output)
            {
                continue;
            }

            // The pairing the policies check against: the object named like the output, or the contract's only one.
            if (contract.ObjectFor(name) is null)
            {
                checks.Add($"outputs[{i}].name",
                    $"Output {MeshNames.Quote(name)} is not in the contract: {SchemaObjects(contract)}. " +
                    "Name each output like the schema object it publishes, or leave 'outputs' out to take them from the contract.");
            }

            if (served is { } server && EnumNames.Parse<OutputKind>(output.Kind, ignoreCase: true) is { } kind && kind != server.Kind)
            {
                checks.Add($"outputs[{i}].kind",
                    $"Output {MeshNames.Quote(name)} is {EnumNames.Of(kind)}, but the contract's servers ({server.Servers}) serve {EnumNames.Of(server.Kind)}: " +
                    $"make the output's kind {EnumNames.Of(server.Kind)}, or change the contract's servers.");
            }
        }
    }

    private static List<RegisteredOutput> Derive(DataContract contract, RegisteredProduct product, RequestChecks checks)
    {
        // Duplicate object names are the contract's error, reported by the worker; one output each here.
        var objects = contract.Schema.DistinctBy(o => o.Name, StringComparer.OrdinalIgnoreCase).ToList();
        if (objects.Count == 0)
        {
            checks.Add("outputs",
                "'outputs' is left out and the contract's schema has no objects to take them from: " +
                "add the schema objects to the contract (each one is an output of the same name), or give 'outputs'.");
            return [];
        }

        if (objects.Count > RequestChecks.MaxOutputs)
        {
            checks.Add("outputs", $"The contract's schema has {objects.Count} objects; a version publishes at most {RequestChecks.MaxOutputs} outputs.");
            return [];
        }

        var served = ServedKind(contract);
        var outputs = new List<RegisteredOutput>();
        foreach (var item in objects)
        {
            var name = MeshNames.Quote(item.Name);
            if (product.Outputs.FirstOrDefault(o => string.Equals(o.Name, item.Name, StringComparison.OrdinalIgnoreCase)) is { } registered)
            {
                if (served is { } server && registered.Kind != server.Kind)
                {
                    checks.Add("outputs",
                        $"Output {name} is registered as {EnumNames.Of(registered.Kind)}, but the contract's servers ({server.Servers}) serve {EnumNames.Of(server.Kind)}: " +
                        "give 'outputs' with the kind the servers serve, or change the contract's servers.");
                }

                outputs.Add(registered);
            }
            else if (served is { } server)
            {
                if (MeshNames.Output(item.Name) is { } nameError)
                {
                    checks.Add("outputs", $"Schema object {name} cannot name an output: {nameError} Rename the schema object, or give 'outputs'.");
                    continue;
                }

                // On a kafka server an object's physicalName is its topic; without one the stream contract's channel says it.
                var topic = server.Kind == OutputKind.Kafka ? item.PhysicalName : null;
                if (topic is not null && LocationRules.Topic(topic, product.Id) is { } topicError)
                {
                    checks.Add("outputs", $"Schema object {name}: its physicalName is its topic, and {topicError}");
                    continue;
                }

                outputs.Add(new RegisteredOutput(item.Name, server.Kind, topic));
            }
            else
            {
                checks.Add("outputs", Underivable(item.Name, contract, product));
            }
        }

        return outputs;
    }

    private static string Underivable(string objectName, DataContract contract, RegisteredProduct product)
    {
        var name = MeshNames.Quote(objectName);
        var registered = product.Outputs.Count == 0
            ? "the product registered no outputs"
            : $"the product registered no output of that name (it has {List(product.Outputs.Select(o => MeshNames.Quote(o.Name)))})";
        var servers = contract.Servers.Count == 0
            ? "the contract has no servers"
            : $"the contract's servers ({Servers(contract)}) do not tell one kind";
        return $"Schema object {name} has no output: {registered} and {servers}. " +
            $"Add it to 'outputs' ({{\"name\": {name}, \"kind\": \"csv\", \"location\": \"<the file in the product's folder>\"}}), " +
            "or add a server of type kafka or postgresql to the contract.";
    }

    /// <summary>The kind of output the contract's servers serve, when every one of them tells the same kind.</summary>
    private static (OutputKind Kind, string Servers)? ServedKind(DataContract contract)
    {
        var kinds = contract.Servers.Select(s => s.Type is not null && ServerKinds.TryGetValue(s.Type, out var kind) ? kind : (OutputKind?)null).Distinct().ToList();
        return kinds is [{ } only] ? (only, Servers(contract)) : null;
    }

    private static string SchemaObjects(DataContract contract) =>
        contract.Schema.Count == 0 ? "its schema has no objects" : $"its schema objects are {List(contract.Schema.Select(o => MeshNames.Quote(o.Name)))}";

    private static string Servers(DataContract contract) =>
        List(contract.Servers.Select(s => $"{MeshNames.Quote(s.Server)} of type {MeshNames.Quote(s.Type)}"));

    private static string List(IEnumerable<string> items)
    {
        var all = items.ToList();
        var shown = string.Join(", ", all.Take(MaxListed));
        return all.Count > MaxListed ? $"{shown} and {all.Count - MaxListed} more" : shown;
    }
}
