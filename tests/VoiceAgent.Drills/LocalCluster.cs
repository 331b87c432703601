using System.Diagnostics;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Cluster;
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
/// can create their own super-admin with an authenticator key they know (<see cref="ClusterApi"/>, shared with the soak). It runs the OpenAI fake the instances were
/// started with (drill.sh: OpenAi__Endpoint on VOICEAGENT_DRILL_OPENAI_PORT), for calls over media streams.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    /// <summary>A super-admin of this drill run only (dev-seeded: Production refuses such accounts).</summary>
    public static readonly string AdminEmail = $"drill-{DateTime.UtcNow:yyyyMMddHHmmss}@voiceagent.local";
    public const string AuthenticatorKey = "KRSXG5CTMVRXEZLUKN2XAZLSNVQWY3DF";
    private static readonly string AdminPassword = "Drill-" + Guid.NewGuid().ToString("N")[..16] + "1";

    public int Instances { get; } = int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_INSTANCES") ?? "3",
        System.Globalization.CultureInfo.InvariantCulture);

    private static string Root => RepositoryFiles.Root;

    /// <summary>The OpenAI fake (speech, recognition) every instance talks to.</summary>
    public FakeOpenAiServer OpenAi { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= Instances; i++)
        {
            using var client = ClusterApi.Client(i);
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

    public static Task<string> LoginAsAdminAsync(int i) => ClusterApi.LoginAsync(i, AdminEmail, AdminPassword, Totp.Code(AuthenticatorKey));

    /// <summary>The drill super-admin (created once per run with a fresh password and a known authenticator key).</summary>
    private static Task EnsureAdminAsync() => ClusterApi.CreateSuperAdminAsync(AdminEmail, AdminPassword, AuthenticatorKey);
}
