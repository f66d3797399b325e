using System.Net;
using System.Net.Sockets;

namespace MeshInABox.Postgres.LocalCluster;

/// <summary>Loopback port helpers: everything the embedded host serves binds 127.0.0.1.</summary>
public static class Ports
{
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsInUse(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return true;
        }
    }

    public static string InUse(int port, string service) =>
        $"Port {port} on 127.0.0.1 is already in use, so the {service} cannot listen there. " +
        $"Stop whatever holds it (ss -ltnp 'sport = :{port}' shows it) or choose another base port with --port.";
}
