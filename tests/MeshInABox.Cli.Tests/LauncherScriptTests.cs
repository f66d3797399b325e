using System.Diagnostics;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using MeshInABox.Cli.Commands;
using MeshInABox.Testing;

namespace MeshInABox.Cli.Tests;

/// <summary>
/// The <c>mesh</c> script at the repository root: builds the CLI when needed (output on stderr only), then runs it.
/// Most tests run a copy of it in a checkout of its own whose CLI is a one-file program, so a build takes seconds.
/// </summary>
[UnsupportedOSPlatform("windows")] // a bash script
public sealed class LauncherScriptTests : IDisposable
{
    private const string FakeProgram = """Console.WriteLine($"{Prefix.Text} {string.Join(' ', args)} in {Environment.CurrentDirectory}"); return args.Length;""";

    private readonly string _root = TemporaryDirectory.Create("mesh-launcher-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Mesh_BuildsOnce_PrintsOnlyTheCommandsOutput_AndBuildsAgainWhenASourceChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = CreateCheckout("repo");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        var onPath = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(onPath, "mesh"), Path.Combine(repo, "mesh"));

        var first = await RunAsync(Path.Combine(repo, "mesh"), elsewhere, ct, "one", "two");
        var second = await RunAsync(Path.Combine(onPath, "mesh"), elsewhere, ct, "three");
        await Task.Delay(50, ct); // a modification time clearly after the build's stamp
        await File.WriteAllTextAsync(Path.Combine(repo, "src", "MeshInABox.Cli", "Prefix.cs"), "static class Prefix { public const string Text = \"v2\"; }", ct);
        var changed = await RunAsync(Path.Combine(repo, "mesh"), elsewhere, ct, "four");
        var unchanged = await RunAsync(Path.Combine(repo, "mesh"), elsewhere, ct, "five");
        await Task.Delay(50, ct);
        File.Delete(Path.Combine(repo, "src", "MeshInABox.Cli", "Prefix.cs")); // only the folder's time tells
        var broken = await RunAsync(Path.Combine(repo, "mesh"), elsewhere, ct, "six");

        Assert.Equal(($"v1 one two in {elsewhere}\n", 2), (first.Output, first.ExitCode));
        Assert.Contains("mesh: building the CLI", first.Error);
        Assert.Equal(($"v1 three in {elsewhere}\n", 1, ""), (second.Output, second.ExitCode, second.Error));
        Assert.Equal($"v2 four in {elsewhere}\n", changed.Output);
        Assert.Contains("mesh: building the CLI", changed.Error);
        Assert.Equal(($"v2 five in {elsewhere}\n", ""), (unchanged.Output, unchanged.Error));
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Equal("", broken.Output);
        Assert.Contains("error CS0103", broken.Error); // 'Prefix' does not exist
        Assert.Contains("mesh: the build failed", broken.Error);
    }

    [Fact]
    public async Task Mesh_TwoFirstCallsAtOnce_BuildOnce_AndBothRun()
    {
        var ct = TestContext.Current.CancellationToken;
        var repo = CreateCheckout("repo");

        var calls = await Task.WhenAll(RunAsync(Path.Combine(repo, "mesh"), repo, ct, "a"), RunAsync(Path.Combine(repo, "mesh"), repo, ct, "b"));

        Assert.Equal(new[] { $"v1 a in {repo}\n", $"v1 b in {repo}\n" }, calls.Select(c => c.Output));
        Assert.Single(calls, c => c.Error.Contains("mesh: building the CLI", StringComparison.Ordinal));
        Assert.Single(Directory.GetDirectories(Path.Combine(repo, ".mesh-cli", "builds")));
    }

    [Fact]
    public async Task Mesh_InThisCheckout_PrintsTheVersionAndHelpOnly_AndTheSecondCallDoesNotBuild()
    {
        var ct = TestContext.Current.CancellationToken;
        var mesh = Path.Combine(RepositoryLayout.Root, "mesh");
        var version = typeof(MeshCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var first = await RunAsync(mesh, _root, ct, "--version");
        var second = await RunAsync(mesh, _root, ct, "--version");
        var help = await RunAsync(mesh, _root, ct, "--help");

        Assert.True(File.GetUnixFileMode(mesh).HasFlag(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        Assert.True(first.ExitCode == 0, first.Error);
        // The commit after '+' is the one the build was made at: a commit that changes no source builds nothing.
        Assert.Matches($@"^{Regex.Escape(version.Split('+')[0])}\+[0-9a-f]{{40}}\n$", first.Output);
        Assert.Equal((first.Output, 0, ""), (second.Output, second.ExitCode, second.Error));
        Assert.StartsWith("Description:\n  MeshInABox: a self-serve data mesh on one machine.", help.Output);
        Assert.Equal("", help.Error);
    }

    /// <summary>A checkout holding the script, global.json and a CLI project that prints its arguments and folder.</summary>
    private string CreateCheckout(string name)
    {
        var repo = Path.Combine(_root, name);
        var project = Directory.CreateDirectory(Path.Combine(repo, "src", "MeshInABox.Cli")).FullName;
        File.Copy(Path.Combine(RepositoryLayout.Root, "mesh"), Path.Combine(repo, "mesh"));
        File.SetUnixFileMode(Path.Combine(repo, "mesh"), File.GetUnixFileMode(Path.Combine(RepositoryLayout.Root, "mesh")));
        File.Copy(Path.Combine(RepositoryLayout.Root, "global.json"), Path.Combine(repo, "global.json"));
        File.WriteAllText(Path.Combine(project, "MeshInABox.Cli.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), FakeProgram);
        File.WriteAllText(Path.Combine(project, "Prefix.cs"), "static class Prefix { public const string Text = \"v1\"; }");
        return repo;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string workingDirectory, CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo(script)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // What 'dotnet test' hands its test host would steer the script's own 'dotnet build'.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(15)); // a first build of the real CLI on a busy 2-core machine
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not exit within 15 minutes.");
        }

        return (process.ExitCode, await output, await error);
    }
}
