using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace VoiceAgent.Drills;

/// <summary>Every drill class shares one <see cref="LocalCluster"/> (one OpenAI fake on its fixed port).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<LocalCluster>
{
    public const string Name = "cluster";
}

/// <summary>
/// The cluster deploy/local/cluster.sh runs (instances on 127.0.0.1:5001…, Redis, PostgreSQL), controlled through
/// deploy/local/cluster-ctl.sh. drill.sh exports what the instances got (connection strings, key ring), so the drills
/// can create their own super-admin with an authenticator key they know. It runs the OpenAI fake the instances were
/// started with (drill.sh: OpenAi__Endpoint on VOICEAGENT_DRILL_OPENAI_PORT), for calls over media streams.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    /// <summary>A super-admin of this drill run only (dev-seeded: Production refuses such accounts).</summary>
    public static readonly string AdminEmail = $"drill-{DateTime.UtcNow:yyyyMMddHHmmss}@voiceagent.local";
    public const string AuthenticatorKey = "KRSXG5CTMVRXEZLUKN2XAZLSNVQWY3DF";
    private static readonly string AdminPassword = "Drill-" + Guid.NewGuid().ToString("N")[..16] + "1";

    public static string Root { get; } = Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_ROOT")
        ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    public int Instances { get; } = int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_INSTANCES") ?? "3",
        System.Globalization.CultureInfo.InvariantCulture);

    private static int PortBase => int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_APP_PORT_BASE") ?? "5000",
        System.Globalization.CultureInfo.InvariantCulture);

    public static Uri Instance(int i) => new($"http://127.0.0.1:{PortBase + i}");

    /// <summary>The OpenAI fake (speech, recognition) every instance talks to.</summary>
    public FakeOpenAiServer OpenAi { get; private set; } = null!;

    /// <param name="redirects">False: a redirect is returned as it is (OAuth start), not followed.</param>
    public static HttpClient Client(int i, string? bearer = null, bool redirects = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = redirects }) { BaseAddress = Instance(i), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= Instances; i++)
        {
            using var client = Client(i);
            var health = await client.GetAsync("/api/health");
            Assert.True(health.IsSuccessStatusCode, $"no cluster: instance {i} is not ready (start deploy/local/drill.sh)");
        }

        await Admin.Value;
        var port = int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_OPENAI_PORT") ?? "5099", System.Globalization.CultureInfo.InvariantCulture);
        OpenAi = await FakeOpenAiServer.StartAsync(port);
    }

    private static readonly Lazy<Task> Admin = new(EnsureAdminAsync);

    public async Task DisposeAsync()
    {
        if (OpenAi is not null)
        {
            await OpenAi.DisposeAsync();
        }
    }

    /// <summary>The platform's OpenAI key (any: the fake takes every key), so tenants may choose OpenAI's engines.</summary>
    public static async Task ConfigureOpenAiAsync(string admin)
    {
        using var client = Client(1, admin);
        var stored = await client.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-drill-" + new string('d', 40) });
        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
    }

    /// <summary>Runs deploy/local/cluster-ctl.sh with the arguments; fails the drill when it fails.</summary>
    public static async Task ControlAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(Root, "deploy/local/cluster-ctl.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"cluster-ctl.sh {string.Join(' ', args)}: {await output}{await error}");
    }

    /// <summary>Signs in on instance <paramref name="i"/> through the API; the bearer token.</summary>
    public static async Task<string> LoginAsync(int i, string email, string password, string? code = null)
    {
        using var client = Client(i);
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = code });
        Assert.True(response.IsSuccessStatusCode, $"login of {email} on instance {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public static Task<string> LoginAsAdminAsync(int i) => LoginAsync(i, AdminEmail, AdminPassword, Totp.Code(AuthenticatorKey));

    /// <summary>The drill super-admin (created once per run with a fresh password and a known authenticator key).</summary>
    private static async Task EnsureAdminAsync()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        await using var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddVoiceAgentPlatform(configuration).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<DevSeeder>().CreateSuperAdminAsync(AdminEmail, AdminPassword, devSeeded: true);
            Assert.True(outcome.Kind == OutcomeKind.Ok, $"drill super-admin: {outcome.Kind} {outcome.Message}");
        }

        await VoiceAgentFactory.EnrolAuthenticatorAsync(services, AdminEmail, AuthenticatorKey);
    }
}
