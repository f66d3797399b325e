using System.Globalization;
using System.Text;
using MeshInABox.Registry.Products;
using MeshInABox.Registry.ProductLineage;

namespace MeshInABox.Registry.Portal;

/// <summary>The impact list as CSV (RFC 4180), for the owners to be told of a breaking change.</summary>
public static class ImpactCsv
{
    public const string Header = "product_id,name,domain,owner,status,distance,reads_columns";

    public static string Write(IReadOnlyList<ImpactedProduct> impacted)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var product in impacted.OrderBy(p => p.Distance).ThenBy(p => p.ProductId, StringComparer.Ordinal))
        {
            csv.AppendJoin(',',
                Field(product.ProductId), Field(product.Name), Field(product.Domain), Field(product.Owner), Field(EnumNames.Of(product.Status)),
                product.Distance.ToString(CultureInfo.InvariantCulture), Field(string.Join(' ', product.ReadsColumns))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>Quoted when it must be; a leading = + - @ is defused, so a spreadsheet never runs a name as a formula.</summary>
    internal static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
