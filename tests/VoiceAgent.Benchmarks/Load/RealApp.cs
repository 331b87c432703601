using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Testing;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// The real web app on Kestrel (127.0.0.1, random port) in the Production environment against a private PostgreSQL
/// (<see cref="PostgresServer"/>), seeded like <c>tests/VoiceAgent.Web.Tests/TwilioTests.cs</c>: Twilio auth token, an
/// approved tenant with the sample flow live and <see cref="BoundNumber"/> bound to it. The app's console log is off:
/// under overload it would log a stack trace per failed request, and failures are counted by the driver anyway.
/// </summary>
internal sealed class RealApp : IAsyncDisposable
{
    public const string BoundNumber = "+49301111111";
    public const string UnknownNumber = "+49309999999";
    public const string VoicePath = "/telephony/twilio/voice";

    private readonly PostgresServer database;
    private readonly VoiceAgentFactory factory;

    private RealApp(PostgresServer database, VoiceAgentFactory factory, Uri origin)
    {
        this.database = database;
        this.factory = factory;
        Origin = origin;
        PostgresPid = FindPostmaster(database.Port);
    }

    public Uri Origin { get; }

    /// <summary>The postmaster of the private PostgreSQL, when found: its CPU is reported apart from other processes'.</summary>
    public int? PostgresPid { get; }

    /// <summary>Starts the app on Kestrel at 127.0.0.1 (a free port) and returns its address, e.g. http://127.0.0.1:41234.</summary>
    internal static string StartOnLoopback<TEntryPoint>(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<TEntryPoint> factory)
        where TEntryPoint : class
    {
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        // The factory finds the app's content root through MvcTestingAppManifest.json in the current directory,
        // which is the output directory under a test runner but the repository under `dotnet run`.
        var directory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        try
        {
            factory.StartServer();
        }
        finally
        {
            Directory.SetCurrentDirectory(directory);
        }

        return factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    public static async Task<RealApp> StartAsync(string authToken)
    {
        var database = await PostgresServer.StartAsync();
        VoiceAgentFactory? factory = null;
        try
        {
            // Configuration reads the environment when the host is built; a provider rule beats the factory's category rule.
            Environment.SetEnvironmentVariable("Logging__Console__LogLevel__Default", "None");
            factory = new VoiceAgentFactory(database, "Production");
            var app = new RealApp(database, factory, new Uri(StartOnLoopback(factory)));

            await factory.CreateSuperAdminAsync();
            var admin = await factory.LoginAsAdminAsync();
            (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = authToken })).EnsureSuccessStatusCode();
            var (tenantId, tenantAdmin) = await factory.ApprovedTenantAsync("chef@praxis-alpha.de", "Praxis Alpha");
            var flowId = await factory.SeedSampleFlowAsync(tenantId);
            (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = BoundNumber, region = "DE", flowId })).EnsureSuccessStatusCode();
            return app;
        }
        catch
        {
            if (factory is not null)
            {
                await factory.DisposeAsync();
            }

            database.Stop();
            throw;
        }
    }

    // postmaster.pid: pid, data directory, start time, port, … (PostgresServer keeps it under a voiceagent-pg-* directory).
    private static int? FindPostmaster(int port)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "voiceagent-pg-*"))
        {
            var file = Path.Combine(directory, "data", "postmaster.pid");
            var lines = File.Exists(file) ? File.ReadLines(file).Take(4).ToArray() : [];
            if (lines.Length == 4 && lines[3].Trim() == port.ToString(CultureInfo.InvariantCulture)
                && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        database.Stop();
    }
}
