using System.CommandLine;
using MeshInABox.Cli.Rendering;
using MeshInABox.Domain.Access;
using MeshInABox.Domain.Naming;
using MeshInABox.Hosting.State;
using MeshInABox.ServiceDefaults;

namespace MeshInABox.Cli.Commands;

/// <summary><c>mesh token</c>: a bearer token signed with the mesh's local key, for scripts and curl.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var dataDirectory = CommonOptions.DataDirectory();
        var domains = new Option<string[]>("--domain")
        {
            Description = "A domain the token may write (repeat for several; * for all). None: it writes nothing (a consumer's token).",
            AllowMultipleArgumentsPerToken = true,
        };
        var scopes = new Option<string[]>("--scope")
        {
            Description = $"Scopes: {MeshAccess.ReadScope}, {MeshAccess.WriteScope}.",
            DefaultValueFactory = _ => [MeshAccess.ReadScope, MeshAccess.WriteScope],
            AllowMultipleArgumentsPerToken = true,
        };
        scopes.AcceptOnlyFromAmong(MeshAccess.ReadScope, MeshAccess.WriteScope);
        var hours = new Option<int>("--hours") { Description = "How long the token is valid.", DefaultValueFactory = _ => 8 };
        hours.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 24 * 30)
            {
                r.AddError("--hours must be between 1 and 720.");
            }
        });
        var subject = new Option<string>("--subject")
        {
            Description = "Who the token speaks for (its sub): the NAME a grant names (.../grants/NAME) and usage records show; your user name by default.",
            DefaultValueFactory = _ => Environment.UserName,
            HelpName = "NAME",
        };

        var command = new Command("token", "Print a bearer token for the mesh in a data directory (signed with its local key).")
        {
            domains, scopes, hours, subject, dataDirectory,
        };
        command.SetAction(result =>
        {
            // The services refuse a token whose sub breaks the rule (401), so refuse to print one.
            if (MeshNames.Subject(result.GetValue(subject)) is { } rule)
            {
                ErrorOutput.Write($"--subject: {rule}");
                return 2;
            }

            var keyFile = MeshState.SigningKeyPath(Path.GetFullPath(result.GetValue(dataDirectory)!));
            if (!File.Exists(keyFile))
            {
                ErrorOutput.Write($"No signing key at {keyFile}: start the mesh once with 'mesh up --data-dir {result.GetValue(dataDirectory)}'.");
                return 1;
            }

            Console.WriteLine(LocalTokens.Issue(keyFile, result.GetValue(subject)!, result.GetValue(domains) ?? [], result.GetValue(scopes)!, TimeSpan.FromHours(result.GetValue(hours))));
            return 0;
        });
        return command;
    }
}
