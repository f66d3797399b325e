namespace MeshInABox.Domain.Contracts.Standard;

/// <summary>
/// The server types of each ODCS version and the fields each takes (ODCS <c>ServerSource</c>), as the
/// official schema lists them: a compact table, one line per type, because the 30-odd types differ only in
/// which connection fields they name and require.
/// </summary>
public static class OdcsServerTypes
{
    public enum FieldKind
    {
        Text,
        Integer,
        Choice,
    }

    public sealed record ServerType(
        string Name,
        IReadOnlyDictionary<string, FieldKind> Fields,
        IReadOnlyList<string> Required,
        IReadOnlyDictionary<string, IReadOnlyList<string>> Choices);

    // name: fields (":int" for integers) | required fields. Order as in the schema's type list.
    private static readonly string[] V310 =
    [
        "api: location | location",
        "athena: catalog regionName schema stagingDir | stagingDir schema",
        "azure: delimiter format location | location format",
        "bigquery: dataset project | project dataset",
        "clickhouse: database host port:int | host port database",
        "databricks: catalog host schema | catalog schema",
        "denodo: database host port:int | host port",
        "dremio: host port:int schema | host port",
        "duckdb: database schema | database",
        "glue: account database format location | account database",
        "cloudsql: database host port:int schema | host port database schema",
        "db2: database host port:int schema | host port database",
        "hive: database host port:int | host database",
        "impala: database host port:int | host database",
        "informix: database host port:int | host database",
        "kafka: format host | host",
        "kinesis: format region |",
        "local: format path | path format",
        "mysql: database host port:int | host port database",
        "oracle: host port:int serviceName | host port serviceName",
        "postgresql: database host port:int schema | host port database schema",
        "postgres: database host port:int schema | host port database schema",
        "presto: catalog host schema | host",
        "pubsub: project | project",
        "redshift: account database host region schema | database schema",
        "s3: delimiter endpointUrl format location | location",
        "sftp: delimiter format location | location",
        "snowflake: account database host port:int schema warehouse | account database schema",
        "sqlserver: database host port:int schema | host database schema",
        "synapse: database host port:int | host port database",
        "trino: catalog host port:int schema | host port catalog schema",
        "vertica: database host port:int schema | host port database schema",
        "zen: database host port:int | host database",
        "custom: account catalog database dataset delimiter endpointUrl format host location path port:int project region regionName schema serviceName stagingDir stream warehouse |",
    ];

    private static readonly Dictionary<string, IReadOnlyDictionary<string, ServerType>> ByVersion = new()
    {
        [OdcsVersion.V300.Name] = Build(OdcsVersion.V300),
        [OdcsVersion.V301.Name] = Build(OdcsVersion.V301),
        [OdcsVersion.V302.Name] = Build(OdcsVersion.V302),
        [OdcsVersion.V310.Name] = Build(OdcsVersion.V310),
    };

    public static IReadOnlyDictionary<string, ServerType> For(OdcsVersion version) => ByVersion[version.Name];

    private static IReadOnlyDictionary<string, ServerType> Build(OdcsVersion version)
    {
        var types = new Dictionary<string, ServerType>(StringComparer.Ordinal);
        foreach (var line in V310)
        {
            var name = line[..line.IndexOf(':')];
            var parts = line[(name.Length + 1)..].Split('|');
            var fields = new Dictionary<string, FieldKind>(StringComparer.Ordinal);
            foreach (var field in parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                fields[field.Split(':')[0]] = field.EndsWith(":int", StringComparison.Ordinal) ? FieldKind.Integer : FieldKind.Text;
            }

            var required = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var choices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (!version.IsV31)
            {
                // v3.0.x: no hive, impala, zen, nor custom's stream; duckdb's schema was an integer;
                // file stores took a fixed list of formats and delimiters (v3.1.0 made them examples).
                if (name is "hive" or "impala" or "zen")
                {
                    continue;
                }

                fields.Remove("stream");
                if (name == "duckdb")
                {
                    fields["schema"] = FieldKind.Integer;
                }

                if (name is "azure" or "s3" or "sftp")
                {
                    fields["format"] = FieldKind.Choice;
                    fields["delimiter"] = FieldKind.Choice;
                    choices["format"] = ["parquet", "delta", "json", "csv"];
                    choices["delimiter"] = ["new_line", "array"];
                }

                // v3.0.0 and v3.0.1 require 'staging_dir' while naming the field stagingDir; v3.0.2 fixed it.
                if (name == "athena" && !version.HasPropertyPhysicalName)
                {
                    required[required.IndexOf("stagingDir")] = "staging_dir";
                }
            }

            types[name] = new ServerType(name, fields, required, choices);
        }

        return types;
    }
}
