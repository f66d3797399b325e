using MeshInABox.Iceberg.Writing;
using MeshInABox.Testing;

namespace MeshInABox.Iceberg.Tests;

/// <summary>The commit point of every table write: of many writers racing for one metadata version, exactly one wins.</summary>
public sealed class ExclusiveFileTests : IDisposable
{
    private readonly string _root = TemporaryDirectory.Create("mesh-exclusive-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task RacingWriters_ExactlyOneTakesTheName_AndItsContentStays()
    {
        // File.Move(overwrite: false) let two of four writers "win" in about 2% of such rounds.
        for (var round = 0; round < 500; round++)
        {
            var destination = Path.Combine(_root, $"v{round}.metadata.json");
            var sources = Enumerable.Range(0, 4).Select(writer =>
            {
                var source = Path.Combine(_root, $"v{round}.{writer}.tmp");
                File.WriteAllText(source, writer.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return source;
            }).ToList();

            using var start = new ManualResetEventSlim();
            var racers = sources.Select((source, writer) => Task.Run(() =>
            {
                start.Wait(TestContext.Current.CancellationToken);
                return ExclusiveFile.TryPublish(source, destination) ? writer : -1;
            })).ToArray();
            start.Set();
            var winners = (await Task.WhenAll(racers)).Where(w => w >= 0).ToList();
            Assert.Single(winners);
            Assert.Equal(winners[0].ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(destination));
            Assert.All(sources, source => Assert.False(File.Exists(source), $"{source} was left behind"));
        }
    }

    [Fact]
    public void TryCreate_NameTaken_KeepsTheFirstFileAndLeavesNoTemporaryFile()
    {
        var destination = Path.Combine(_root, "header.csv");

        Assert.True(ExclusiveFile.TryCreate(destination, "id,name\n"u8));
        Assert.False(ExclusiveFile.TryCreate(destination, "other\n"u8));

        Assert.Equal("id,name\n", File.ReadAllText(destination));
        Assert.Equal([destination], Directory.GetFiles(_root));
    }

    [Fact]
    public void MissingSourceDirectory_IsAnErrorNotALostRace()
    {
        var error = Assert.Throws<IOException>(() => ExclusiveFile.TryPublish(Path.Combine(_root, "absent.tmp"), Path.Combine(_root, "no-such-dir", "v1.metadata.json")));
        Assert.Contains("v1.metadata.json", error.Message, StringComparison.Ordinal);
    }
}
