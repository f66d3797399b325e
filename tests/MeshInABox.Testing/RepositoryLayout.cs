namespace MeshInABox.Testing;

/// <summary>Where the repository's own files (samples, docs) are, found from the test binaries.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string SampleMesh => Path.Combine(Root, "samples", "messflix");

    /// <summary>How many products the sample mesh holds, counted from its folders.</summary>
    public static int SampleProducts => Directory.GetFiles(SampleMesh, "dataproduct.json", SearchOption.AllDirectories).Length;

    public static string Docs => Path.Combine(Root, "docs");

    /// <summary>Names a fixtures folder other than shared/fixtures beside the checkout.</summary>
    public const string FixturesVariable = "MESH_TEST_FIXTURES";

    /// <summary>Files written by others to test against: <c>$MESH_TEST_FIXTURES</c>, else shared/fixtures beside the checkout.</summary>
    public static string Fixtures =>
        Environment.GetEnvironmentVariable(FixturesVariable) is { Length: > 0 } folder ? folder : Path.Combine(Root, "..", "shared", "fixtures");

    /// <summary>Iceberg tables written by other engines.</summary>
    public static string IcebergFixtures => Path.Combine(Fixtures, "iceberg");

    /// <summary>A private copy of the sample mesh, for tests that break it on purpose.</summary>
    public static string CopySampleMesh(string destination)
    {
        foreach (var file in Directory.EnumerateFiles(SampleMesh, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(SampleMesh, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return destination;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MeshInABox.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"MeshInABox.sln not found above {AppContext.BaseDirectory}.");
    }
}
