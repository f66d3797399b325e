using System.CommandLine;
using MeshInABox.Cli.Rendering;
using MeshInABox.Cli.Scaffolding;
using MeshInABox.Domain.Products;
using Spectre.Console;

namespace MeshInABox.Cli.Commands;

/// <summary>
/// <c>mesh new product &lt;domain&gt;/&lt;name&gt; --template postgres|lakehouse|csv|kafka</c>: the golden path, a new
/// product's folder in a mesh repository with a manifest, a contract skeleton and what the template needs.
/// </summary>
public static class NewCommand
{
    public static Command Create()
    {
        var product = new Argument<string>("product") { Description = "The new product as <domain>/<name>, e.g. content/title-ratings (lower-case kebab case)." };
        var template = new Option<string>("--template")
        {
            Description = $"The output's storage template: {string.Join(", ", OutputStorage.Templates)}.",
            Required = true,
            HelpName = "TEMPLATE",
        };
        var repository = new Option<string>("--repo")
        {
            Description = "The mesh repository's root (a folder of <domain>/<product>/ folders). Default: the current directory.",
            DefaultValueFactory = _ => ".",
            HelpName = "DIR",
        };
        var owner = new Option<string?>("--owner") { Description = "The owning team. Default: team-<domain>.", HelpName = "TEAM" };
        var description = new Option<string?>("--description") { Description = "What the data is and what it is for (5 words or more). Default: a sentence to replace.", HelpName = "TEXT" };
        var classification = new Option<string>("--classification")
        {
            Description = "Who may read it: open, or restricted (a grant is needed; required for personal data).",
            DefaultValueFactory = _ => "open",
            HelpName = "open|restricted",
        };
        var newProduct = new Command("product", "Create a product's folder from a storage template: dataproduct.json, an ODCS contract skeleton, and what the template needs (an AsyncAPI document for kafka, a header-only file for csv). Exit 0 created, 2 refused (nothing written).")
        {
            product, template, repository, owner, description, classification,
        };
        newProduct.SetAction(result => Run(new NewProductRequest(
            result.GetValue(product)!, result.GetValue(template)!, result.GetValue(repository)!, result.GetValue(owner), result.GetValue(description), result.GetValue(classification)!)));
        return new Command("new", "Start something new in a mesh repository.") { newProduct };
    }

    private static int Run(NewProductRequest request)
    {
        NewProduct created;
        try
        {
            created = ProductScaffold.Create(request);
        }
        catch (ScaffoldRefusedException refused)
        {
            ErrorOutput.Write(refused.Message);
            return 2;
        }

        var folder = Path.GetRelativePath(Environment.CurrentDirectory, created.Directory);
        var repository = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetDirectoryName(Path.GetDirectoryName(created.Directory)!)!);
        AnsiConsole.MarkupLineInterpolated($"[green]Created {created.Id}[/] in {folder}{Path.DirectorySeparatorChar}:");
        foreach (var file in created.Files)
        {
            AnsiConsole.MarkupLineInterpolated($"  {file}");
        }

        AnsiConsole.MarkupLineInterpolated($"Next: edit the contract's example properties and the description (see {Path.Combine(folder, "README.md")}), then:");
        AnsiConsole.MarkupLineInterpolated($"  mesh validate {repository}");
        AnsiConsole.MarkupLineInterpolated($"  mesh register {repository}   # with the mesh up");
        return 0;
    }
}
