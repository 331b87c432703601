using System.Diagnostics;

namespace VoiceAgent.Testing;

/// <summary>
/// A real Redis for tests: Debian's redis-server on a free port of 127.0.0.1, no persistence, its working folder a
/// voiceagent-* fixture folder; started per test and stopped with it (or by <see cref="StopAsync"/> to test an outage).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/redis-server";

    private readonly Process process;
    private readonly string directory;

    private RedisServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>For <c>Redis:Configuration</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("redis-server is not installed: apt-get install redis-server (deploy/local/test.sh does it).");
        }

        var directory = FixtureDirectory.Create("redis");
        var port = LoopbackProcess.FreePort();
        var info = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory };
        foreach (var argument in new[]
                 {
                     "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", directory,
                     "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        // Run by the fixture's watchdog or the next test run if this process ends without disposing the server.
        FixtureDirectory.SetCleanup(directory, $"kill -9 {process.Id} 2>/dev/null; exit 0");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new RedisServer(process, directory, port);
        try
        {
            await LoopbackProcess.WaitUntilListeningAsync(process, port, "redis-server");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Stops the server (an outage); the folder stays until disposal.</summary>
    public async Task StopAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
        FixtureDirectory.Remove(directory);
    }
}
