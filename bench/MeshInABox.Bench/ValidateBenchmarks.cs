using BenchmarkDotNet.Attributes;
using MeshInABox.MeshRepository;

namespace MeshInABox.Bench;

/// <summary>
/// <c>mesh validate</c> over a generated repo of 1,000 products, against the
/// floor of merely reading every file of that repo once (the baseline).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ValidateBenchmarks
{
    private string _root = "";

    [Params(1_000)]
    public int Products { get; set; }

    [Params(50)]
    public int RowsPerProduct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = SyntheticMesh.Create(Directory.CreateTempSubdirectory("mesh-bench-").FullName, Products, RowsPerProduct);
        var report = MeshRepositoryValidator.Validate(_root);
        if (report.Findings.Count > 0 || report.Products != Products)
        {
            throw new InvalidOperationException($"The generated repo is not clean: {report.Findings.Count} findings, {report.Products} products.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, Description = "read every file")]
    public long ReadEveryFile()
    {
        var bytes = 0L;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            bytes += File.ReadAllText(file).Length;
        }

        return bytes;
    }

    [Benchmark(Description = "validate repo")]
    public int Validate() => MeshRepositoryValidator.Validate(_root).Products;
}
