using BenchmarkDotNet.Running;
using MeshInABox.Bench;

// "generate-mesh DIR [PRODUCTS]" writes the synthetic repo, to time the real `mesh validate` command on it.
if (args is ["generate-mesh", var directory, ..])
{
    var products = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1_000;
    SyntheticMesh.Create(directory, products, rowsPerProduct: 50);
    Console.WriteLine($"{products} products in {directory}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ValidateBenchmarks).Assembly).Run(args);
