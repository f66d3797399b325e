using System.Globalization;

namespace MeshInABox.Registry.Portal;

/// <summary>Every portal URL, built in one place with each value escaped (ids, outputs and columns come from domain teams).</summary>
public static class CatalogLinks
{
    public const string Home = "/catalog";
    public const string Search = "/catalog/search";
    public const string Assets = "/catalog/assets";
    public const string Account = "/catalog/account";
    public const string SignIn = "/catalog/sign-in";
    public const string SignOut = "/catalog/sign-out";
    public const string MyAccess = "/catalog/access";
    public const string Approvals = "/catalog/approvals";

    public static string Decision(long requestId) => $"{Approvals}/{requestId.ToString(CultureInfo.InvariantCulture)}";

    public static string AccessRequests(string id) => $"{Product(id)}/access-requests";

    public static string Domain(string domain) => $"/catalog/domains/{E(domain)}";

    public static string Product(string id) => $"/catalog/products/{E(id)}";

    public static string Graph(string id, int depth, IEnumerable<string>? expanded = null) =>
        $"{Product(id)}/graph?depth={depth.ToString(CultureInfo.InvariantCulture)}" + string.Concat((expanded ?? []).Select(e => "&expand=" + E(e)));

    public static string ColumnPath(string id, string output, string column) => $"{Product(id)}/column-path?output={E(output)}&column={E(column)}";

    public static string ImpactCsv(string id) => $"{Product(id)}/impact.csv";

    public static string Contract(string id, string version) => $"{Product(id)}/contract?version={E(version)}";

    private static string E(string value) => Uri.EscapeDataString(value);
}
