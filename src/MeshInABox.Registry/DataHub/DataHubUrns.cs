using System.Text;
using MeshInABox.Domain.Products;

namespace MeshInABox.Registry.DataHub;

/// <summary>
/// URNs as DataHub spells them. Parts are escaped as DataHub's UrnEncoder does (',', '(', ')' percent-encoded, and '%'
/// itself), so a name holding a comma or parenthesis cannot break a tuple URN.
/// </summary>
public static class DataHubUrns
{
    public static string DataProduct(string productId) => $"urn:li:dataProduct:{Escape(productId)}";

    public static string Domain(string domain) => $"urn:li:domain:{Escape(domain)}";

    public static string Group(string owner) => $"urn:li:corpGroup:{Escape(owner)}";

    public static string Tag(string tag) => $"urn:li:tag:{Escape(tag)}";

    public static string Platform(string platform) => $"urn:li:dataPlatform:{Escape(platform)}";

    public static string Dataset(string platform, string name) => $"urn:li:dataset:({Platform(platform)},{Escape(name)},PROD)";

    public static string SchemaField(string datasetUrn, string fieldPath) => $"urn:li:schemaField:({datasetUrn},{Escape(fieldPath)})";

    /// <summary>The platform of an output: where its data lives.</summary>
    public static string PlatformOf(OutputKind kind) => kind switch
    {
        OutputKind.Csv => "file",
        OutputKind.Postgres => "postgres",
        OutputKind.Lakehouse => "iceberg",
        OutputKind.Kafka => "kafka",
        _ => "file",
    };

    /// <summary>An output's name as the lakehouse's SQL names it: <c>&lt;domain&gt;.&lt;product_underscored&gt;.&lt;output&gt;</c>.</summary>
    public static string DatasetName(string productId, string domain, string output)
    {
        var product = productId.StartsWith(domain + ".", StringComparison.Ordinal) ? productId[(domain.Length + 1)..] : productId;
        return $"{domain}.{product.Replace('-', '_')}.{output}";
    }

    public static string OutputDataset(string productId, string domain, OutputKind kind, string output) =>
        Dataset(PlatformOf(kind), DatasetName(productId, domain, output));

    private static string Escape(string part)
    {
        var escaped = new StringBuilder(part.Length);
        foreach (var c in part)
        {
            escaped.Append(c switch
            {
                '%' => "%25",
                ',' => "%2C",
                '(' => "%28",
                ')' => "%29",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
