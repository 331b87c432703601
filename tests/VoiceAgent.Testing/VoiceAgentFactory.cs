using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Calendars;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Testing;

/// <summary>The real web host against a test PostgreSQL; mails land in a private folder the test can read.</summary>
public sealed class VoiceAgentFactory(PostgresServer database, string environment = "Development") : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Admin-Passwort-123";

    /// <summary>
    /// The test super-admin's authenticator key (base32), enrolled by <see cref="CreateSuperAdminAsync"/>: super-admins must
    /// use two-factor authentication, so sign-in helpers compute the current code from it (<see cref="Totp"/>).
    /// </summary>
    public const string AdminAuthenticatorKey = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    // Keys of the accounts this factory enrolled, so LoginAsync can answer the second step.
    private readonly Dictionary<string, string> authenticatorKeys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The database's mail folder, shared by every host on it: any instance's Hangfire server may send any mail of the
    /// outbox, as in production where all instances use one SMTP transport. Emptied by <see cref="PostgresServer.ResetAsync"/>.
    /// </summary>
    public string MailDirectory => database.MailDirectory;

    public string? AppConnectionString { get; init; }

    /// <summary>The host's clock instead of the system's (e.g. a FakeTimeProvider), so what a page shows does not depend on the date.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Receives every log line the host writes (at the configured levels), when set.</summary>
    public LogCapture? Logs { get; init; }

    /// <summary>Extra configuration for this host (e.g. provider base URLs pointing at fakes).</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Test-only service changes (e.g. the app's loopback HTTP client trusting a test proxy's certificate).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Database:AppConnectionString", AppConnectionString ?? database.AppConnectionString);
        builder.UseSetting("Mail:PickupDirectory", MailDirectory);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Hangfire kept cheap: two workers; due scheduled and recurring jobs are looked for every second.
        builder.UseSetting("Jobs:WorkerCount", "2");
        builder.UseSetting("Jobs:PollInterval", "00:00:01");
        // The key ring is encrypted as in production, with this process's test certificate, unless the test sets its own.
        if (!Settings.ContainsKey("DataProtection:Certificate:Path"))
        {
            builder.UseSetting("DataProtection:Certificate:Path", TestKeyRing.CertificatePath);
            builder.UseSetting("DataProtection:Certificate:Password", TestKeyRing.Password);
        }

        builder.UseSetting("Privacy:PseudonymKey", TestKeyRing.PseudonymKey);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddTransient<IStartupFilter, TestClientAddress>());
        if (Time is { } time)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }

        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }

        if (Logs is { } logs)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }

    /// <summary>
    /// Creates the platform super-admin through the same code path as the CLI and, unless <paramref name="twoFactor"/> is
    /// false, enrols an authenticator with <paramref name="authenticatorKey"/> (as the enrolment page would).
    /// </summary>
    public async Task CreateSuperAdminAsync(string email = AdminEmail, string password = AdminPassword, bool devSeeded = false,
        bool twoFactor = true, string authenticatorKey = AdminAuthenticatorKey)
    {
        await using var scope = Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<DevSeeder>().CreateSuperAdminAsync(email, password, devSeeded);
        if (outcome.Kind != OutcomeKind.Ok)
        {
            throw new InvalidOperationException(JsonSerializer.Serialize(outcome.Errors));
        }

        if (twoFactor)
        {
            await EnrolAuthenticatorAsync(email, authenticatorKey);
        }
    }

    /// <summary>Gives the account an authenticator with a key the test knows and turns two-factor authentication on.</summary>
    public async Task EnrolAuthenticatorAsync(string email, string authenticatorKey)
    {
        await EnrolAuthenticatorAsync(Services, email, authenticatorKey);
        authenticatorKeys[email] = authenticatorKey;
    }

    /// <inheritdoc cref="EnrolAuthenticatorAsync(string, string)"/>
    public static async Task EnrolAuthenticatorAsync(IServiceProvider services, string email, string authenticatorKey)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        await db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
            // Identity's store keeps the key as this token (UserStoreBase: "[AspNetUserStore]" / "AuthenticatorKey").
            Check(await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", authenticatorKey));
            Check(await users.SetTwoFactorEnabledAsync(user, true));
            return true;
        });

        static void Check(IdentityResult result)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Code)));
            }
        }
    }

    /// <summary>The current authenticator code of an account this factory enrolled, or null.</summary>
    /// <remarks>The test super-admin always has <see cref="AdminAuthenticatorKey"/>, also when another factory on the same database
    /// created it.</remarks>
    public string? CurrentCode(string email) =>
        authenticatorKeys.TryGetValue(email, out var key) ? Totp.Code(key)
        : string.Equals(email, AdminEmail, StringComparison.OrdinalIgnoreCase) ? Totp.Code(AdminAuthenticatorKey) : null;

    /// <summary>Signs in through the API (bearer token), with the authenticator code when this factory enrolled the account.</summary>
    public async Task<HttpClient> LoginAsync(string email, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = CurrentCode(email) });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }

    public Task<HttpClient> LoginAsAdminAsync() => LoginAsync(AdminEmail, AdminPassword);

    /// <summary>Registers a tenant through the public API and returns its id.</summary>
    public async Task<Guid> RegisterAsync(object registration)
    {
        var response = await CreateClient().PostAsJsonAsync("/api/auth/register", registration);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Registration failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("tenantId").GetGuid();
    }

    /// <summary>Registers and approves a tenant; returns its id and a bearer client of its admin.</summary>
    /// <summary>
    /// Registers and approves a tenant and signs its admin in. Approval opens the setup wizard, which the dashboard sends
    /// the admin to; <paramref name="skipSetup"/> (the default) skips it as an admin would, for tests about other pages.
    /// </summary>
    public async Task<(Guid TenantId, HttpClient Admin)> ApprovedTenantAsync(string email, string company = "Salon Schnitt GmbH",
        bool skipSetup = true)
    {
        var id = await RegisterAsync(TestData.Registration(email, company));
        var admin = await LoginAsAdminAsync();
        (await admin.PostAsync($"/api/admin/tenants/{id}/approve", null)).EnsureSuccessStatusCode();
        var tenant = await LoginAsync(email, TestData.Password);
        if (skipSetup)
        {
            (await tenant.PostAsync("/api/tenant/setup/skip", null)).EnsureSuccessStatusCode();
        }

        return (id, tenant);
    }

    /// <summary>Gives a tenant the demo set-up: the live "Terminannahme" flow and a Mon–Fri 9–17 sandbox calendar, which the
    /// tenant has confirmed as its calendar (as the demo tenant has) unless <paramref name="confirmSandbox"/> is false.</summary>
    public async Task<Guid> SeedSampleFlowAsync(Guid tenantId, bool confirmSandbox = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var flow = await scope.ServiceProvider.GetRequiredService<SampleFlowSeed>().SeedSampleFlowAsync(tenantId);
        if (confirmSandbox)
        {
            await scope.ServiceProvider.GetRequiredService<CalendarDevSeed>().SeedAsync(tenantId, CancellationToken.None);
        }

        return flow.Id;
    }

    public IReadOnlyList<string> Mails() =>
        Directory.GetFiles(MailDirectory, "*.eml").Select(File.ReadAllText).ToList();

    /// <summary>
    /// Mails are sent by a Hangfire job after the commit: waits (bounded) until at least <paramref name="count"/> are there.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForMailsAsync(int count, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.UntilAsync(() => Directory.GetFiles(MailDirectory, "*.eml").Length >= count, $"{count} mails", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; found {Directory.GetFiles(MailDirectory, "*.eml").Length}; outbox: {await OutboxStatesAsync()}", ex);
        }

        return Mails();
    }

    /// <summary>What the mail outbox holds (for failure messages): state, attempts and last error per mail.</summary>
    public async Task<string> OutboxStatesAsync()
    {
        await using var cmd = Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            "SELECT coalesce(string_agg(state || '/' || attempts || '/' || coalesce(last_error, '-'), '; ' ORDER BY created_at), '(empty)') FROM mail_outbox");
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

}
