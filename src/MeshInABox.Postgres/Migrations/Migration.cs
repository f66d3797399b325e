using System.Security.Cryptography;
using System.Text;

namespace MeshInABox.Postgres.Migrations;

/// <summary>One versioned schema script, <c>NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>Detects a script edited after it was applied somewhere.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    public override string ToString() => $"{Version:D4}_{Name}";
}
