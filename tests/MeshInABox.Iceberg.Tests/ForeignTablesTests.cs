using MeshInABox.Iceberg.Scanning;
using MeshInABox.Testing;

namespace MeshInABox.Iceberg.Tests;

/// <summary>
/// Tables written by Spark, the Iceberg Java API and pyspark (shared/fixtures/iceberg),
/// read by this project: every expected figure of the fixtures' README, deletes applied.
/// </summary>
public sealed class ForeignTablesTests : IDisposable
{
    private readonly DuckDb _duck = new();

    public void Dispose() => _duck.Dispose();

    private void View(string fixture, long? snapshotId = null)
    {
        // The tables come from outside the repository; a clone without them skips these tests and says where they belong.
        var folder = Path.GetFullPath(RepositoryLayout.IcebergFixtures);
        Assert.SkipUnless(Directory.Exists(Path.Combine(folder, fixture)),
            $"Needs the Iceberg tables written by other engines in {folder} (shared/fixtures/iceberg beside the checkout, or {RepositoryLayout.FixturesVariable}=DIR naming another fixtures folder), which is not there.");
        var table = IcebergTable.Open(Path.Combine(RepositoryLayout.IcebergFixtures, fixture));
        var snapshot = snapshotId is { } id ? table.Metadata.SnapshotById(id) : table.Metadata.CurrentSnapshot;
        _duck.Execute($"CREATE OR REPLACE VIEW t AS {DuckDbScan.Sql(ScanPlanner.Plan(table, snapshot))}");
    }

    // DuckDB sums integers as HUGEINT (BigInteger).
    private decimal Number(string sql) => _duck.Scalar(sql) switch
    {
        System.Numerics.BigInteger big => (decimal)big,
        var value => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public void SparkBunnies_StalePositionDeleteDeletesNothing_AndTheAddedColumnIsRead()
    {
        View("spark-bunnies");

        Assert.Equal(20, Number("SELECT count(*) FROM t"));
        Assert.Equal(51.4m, Math.Round(Number("SELECT sum(\"Average Weight\") FROM t"), 6));
        Assert.Equal(154, Number("SELECT sum(\"Lifespan\") FROM t"));
        Assert.Equal(230, Number("SELECT sum(\"Popularity Rank\") FROM t"));
        Assert.Equal(205, Number("SELECT sum(breed_name_length) FROM t"));
        Assert.Equal(8, Number("SELECT count(DISTINCT \"Origin Country\") FROM t"));
        Assert.Equal(1, Number("SELECT count(*) FROM t WHERE \"Breed Name\" = 'Netherland Dwarf'"));
    }

    [Theory]
    [InlineData(7505300640432048841L, 21, 231)]
    [InlineData(469881615898633426L, 20, 230)]
    public void SparkBunnies_TimeTravel_ReadsEachSnapshot(long snapshot, int rows, int rankSum)
    {
        View("spark-bunnies", snapshot);

        Assert.Equal(rows, Number("SELECT count(*) FROM t"));
        Assert.Equal(rankSum, Number("SELECT sum(\"Popularity Rank\") FROM t"));
    }

    [Fact]
    public void SparkRenameColumn_ReadsTheRenamedColumnByFieldId()
    {
        View("spark-rename-column");

        Assert.Equal(4, Number("SELECT count(*) FROM t"));
        Assert.Equal(100000004.98m, Number("SELECT sum(price) FROM t"));
        Assert.Equal(10, Number("SELECT sum(id) FROM t"));
        Assert.Equal("2022-01-01 2022-01-02", _duck.Scalar("SELECT strftime(min(event_date), '%Y-%m-%d') || ' ' || strftime(max(event_date), '%Y-%m-%d') FROM t"));
        Assert.Equal(1, Number("SELECT count(*) FROM t WHERE event_date IS NULL"));
        Assert.Equal(1, Number("SELECT count(*) FROM t WHERE name = 'Flopsy 🐇'"));
    }

    [Fact]
    public void JavaBunnies_PositionAndEqualityDeletes_AreApplied()
    {
        View("java-bunnies");

        Assert.Equal(15, Number("SELECT count(*) FROM t"));
        Assert.Equal(35.6m, Math.Round(Number("SELECT sum(\"Average Weight\") FROM t"), 6));
        Assert.Equal(114, Number("SELECT sum(\"Lifespan\") FROM t"));
        Assert.Equal(173, Number("SELECT sum(\"Popularity Rank\") FROM t"));
        Assert.Equal(0, Number("SELECT \"Popularity Rank\" FROM t WHERE \"Breed Name\" = 'New Zealand'"));
        Assert.Equal(14, Number("SELECT count(*) FROM t WHERE __happy__ IS NULL"));
    }

    [Fact]
    public void JavaBunnies_TimeTravelToThePositionDeleteSnapshot()
    {
        View("java-bunnies", 6458828015811002920L);

        Assert.Equal(15, Number("SELECT count(*) FROM t"));
        Assert.Equal(194, Number("SELECT sum(\"Popularity Rank\") FROM t"));
    }

    [Theory]
    [InlineData(6447922032991303611L, 4)]
    [InlineData(4416477559988274704L, 3)]
    [InlineData(6022113614852838397L, 2)]
    [InlineData(883882341917253211L, 4)]
    [InlineData(3138177759849079112L, 3)]
    public void EqualityDeletesPartitioned_EverySnapshotHasTheExpectedRows(long snapshot, int rows)
    {
        View("eqdel-partitioned", snapshot);

        Assert.Equal(rows, Number("SELECT count(*) FROM t"));
    }

    [Fact]
    public void EqualityDeletesPartitioned_CurrentRows()
    {
        View("eqdel-partitioned");

        var rows = _duck.Rows("SELECT id, name FROM t ORDER BY id").Select(r => (Convert.ToInt32(r[0], System.Globalization.CultureInfo.InvariantCulture), (string)r[1]!)).ToList();

        Assert.Equal([(1, "a"), (4, "d"), (5, "e")], rows);
        Assert.Equal(10, Number("SELECT sum(id) FROM t"));
    }

    [Fact]
    public void Lineitem_RelativePathsAndCopyOnWriteDelete()
    {
        View("lineitem");

        Assert.Equal(51793, Number("SELECT count(*) FROM t"));
        Assert.Equal(1500900.00m, Number("SELECT sum(l_quantity) FROM t"));
        Assert.Equal(2107244482.54m, Number("SELECT sum(l_extendedprice) FROM t"));
        Assert.Equal(10000.56m, Number("SELECT min(l_extendedprice) FROM t"));
        Assert.Equal(1077536.9101m, Number("""
            SELECT sum(l_extendedprice * l_discount) FROM t
            WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
              AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24
            """));
    }

    [Fact]
    public void Lineitem_TimeTravelBeforeTheDelete()
    {
        View("lineitem", 7817332053627255703L);

        Assert.Equal(60175, Number("SELECT count(*) FROM t"));
        Assert.Equal(1536127.00m, Number("SELECT sum(l_quantity) FROM t"));
    }
}
