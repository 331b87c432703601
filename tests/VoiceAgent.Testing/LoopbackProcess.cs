using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VoiceAgent.Testing;

/// <summary>What the fixtures that start a local server (Radicale, redis-server) share: a free port, waiting until it listens.</summary>
public static class LoopbackProcess
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Returns once <paramref name="port"/> accepts connections; throws when the process ended or 20 s passed.</summary>
    public static async Task WaitUntilListeningAsync(Process process, int port, string name)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited at start ({process.ExitCode}).");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }
}
