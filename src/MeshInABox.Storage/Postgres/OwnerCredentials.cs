using System.Collections.Concurrent;

namespace MeshInABox.Storage.Postgres;

/// <summary>
/// Where the owner roles' passwords are kept (the registry keeps them encrypted). A password is saved here
/// before it is set on its role, so a role never has a password nobody knows.
/// </summary>
public interface IOwnerCredentials
{
    /// <summary>Whether a password is stored for the role.</summary>
    Task<bool> HasAsync(string role, CancellationToken ct);

    /// <summary>Stores the role's password, replacing any earlier one.</summary>
    Task SaveAsync(string role, string password, CancellationToken ct);
}

/// <summary>Passwords kept in memory: for tests and throwaway local meshes.</summary>
public sealed class InMemoryOwnerCredentials : IOwnerCredentials
{
    private readonly ConcurrentDictionary<string, string> _passwords = new(StringComparer.Ordinal);

    public Task<bool> HasAsync(string role, CancellationToken ct) => Task.FromResult(_passwords.ContainsKey(role));

    public Task SaveAsync(string role, string password, CancellationToken ct)
    {
        _passwords[role] = password;
        return Task.CompletedTask;
    }

    /// <summary>The stored password, or null.</summary>
    public string? Get(string role) => _passwords.GetValueOrDefault(role);

    public void Forget(string role) => _passwords.TryRemove(role, out _);
}
