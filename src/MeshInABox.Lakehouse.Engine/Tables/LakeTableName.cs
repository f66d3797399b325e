using System.Text.RegularExpressions;

namespace MeshInABox.Lakehouse.Engine.Tables;

/// <summary>A lakehouse table <c>domain.product.table</c>, stored at <c>&lt;lake&gt;/domain/product/table/</c>.</summary>
public sealed partial record LakeTableName(string Domain, string Product, string Table)
{
    public static LakeTableName Parse(string name)
    {
        var parts = name.Split('.');
        if (parts.Length != 3 || parts.Any(p => !Part().IsMatch(p)))
        {
            throw new LakehouseException($"'{name}' is not a table name: use domain.product.table, lower case, e.g. advertising.ad-impressions.impressions.");
        }

        return new LakeTableName(parts[0], parts[1], parts[2]);
    }

    public string DirectoryIn(string lake) => Path.Combine(Path.GetFullPath(lake), Domain, Product, Table);

    public override string ToString() => $"{Domain}.{Product}.{Table}";

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex Part();
}
