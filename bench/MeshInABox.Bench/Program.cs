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

// "registry-load [CONCURRENCY] [SECONDS]" drives the registry over loopback.
if (args is ["registry-load", ..])
{
    var concurrency = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16;
    var seconds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
    await RegistryLoadDriver.RunAsync(concurrency, TimeSpan.FromSeconds(seconds));
    return;
}

// "lake [ROWS]" ingests generated impressions into an Iceberg table and compares scans.
if (args is ["lake", ..])
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
    LakeBenchmark.Run(Path.Combine("samples", "messflix", "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml"), rows);
    return;
}

// "query [ROWS] [TEMPLATE]": the lakehouse service's time over raw DuckDB's on the same files (template: lakehouse-daily or lakehouse-monthly).
if (args is ["query", ..])
{
    var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
    var template = args.Length > 2 ? args[2] : "lakehouse-daily";
    await QueryEndpointBenchmark.RunAsync(Path.Combine("samples", "messflix", "advertising", "ad-impressions", "contracts", "impressions.odcs.yaml"), rows, template);
    return;
}

// "postgres [ROWS]": what reading a PostgreSQL product through the lakehouse service costs.
if (args is ["postgres", ..])
{
    await PostgresSourceBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

// "stack-start [RUNS]": start to healthy and memory per profile and host, against PostgreSQL alone; from the repository root.
if (args is ["stack-start", ..])
{
    await StackStartBenchmark.RunAsync(Directory.GetCurrentDirectory(), args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}

// "lineage [ROUNDS]": statements analysed per second over the lineage corpus; from the repository root.
if (args is ["lineage", ..])
{
    LineageThroughput.Run(Path.Combine("tests", "MeshInABox.Lineage.Tests", "corpus"), args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

// "lineage-api [PRODUCTS] [REQUESTS]": p50/p95 of the registry's lineage answers on a generated mesh, beside a plain Npgsql read.
if (args is ["lineage-api", ..])
{
    await LineageApiBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 500);
    return;
}

// "catalog-pages [PRODUCTS] [RUNS]": the catalog's product page with its one-hop graph in Chromium, beside the home page.
if (args is ["catalog-pages", ..])
{
    await CatalogPageBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100);
    return;
}

// "access-latency [PRODUCTS] [RUNS]": from an access request (open) or its approval (restricted) to the consumer's first
// answered query on a PostgreSQL product of the iteration-2 mesh, beside the same query already granted; and provisioning.
if (args is ["access-latency", ..])
{
    await AccessLatencyBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ValidateBenchmarks).Assembly).Run(args);
