using System.Net;
using System.Net.Sockets;

namespace Ashiato.TestSupport;

/// <summary>Picks a TCP port that is free on 127.0.0.1 right now (the OS chooses it).</summary>
/// <remarks>
/// The port is released before it is returned, so another process can take it before the caller
/// binds it. Callers retry with a fresh port when their server fails to bind.
/// </remarks>
public static class FreeTcpPort
{
    public static int Pick()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
