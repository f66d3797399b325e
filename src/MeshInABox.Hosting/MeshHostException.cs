namespace MeshInABox.Hosting;

/// <summary>
/// A start-up problem the user can fix; its message says what happened and
/// what to do, and is shown as is (no stack trace).
/// </summary>
public sealed class MeshHostException(string message, Exception? inner = null) : Exception(message, inner);
