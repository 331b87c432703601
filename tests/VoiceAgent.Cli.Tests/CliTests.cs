using VoiceAgent.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace VoiceAgent.Cli.Tests;

/// <summary>Runs the CLI in-process with its configuration in environment variables, as an operator would.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private PostgresServer db = default!;

    public async Task InitializeAsync()
    {
        db = await PostgresServer.Shared;
        await db.ResetAsync();
        Environment.SetEnvironmentVariable("Database__AppConnectionString", db.AppConnectionString);
        Environment.SetEnvironmentVariable("Database__OwnerConnectionString", db.OwnerConnectionString);
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Development");
        Environment.SetEnvironmentVariable("VOICEAGENT_ADMIN_PASSWORD", null);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Db_migrate_is_idempotent()
    {
        var (code, output, _) = await Run("db", "migrate");
        Assert.Equal(0, code);
        Assert.Contains("Datenbank ist aktuell.", output);
    }

    [Fact]
    public async Task Create_superadmin_then_list_tenants_after_dev_seed()
    {
        var created = await Run("admin", "create-superadmin", "--email", "ops@firma.de", "--password", "Ops-Passwort-123");
        Assert.Equal(0, created.Code);

        var seed = await Run("dev", "seed");
        Assert.Equal(0, seed.Code);
        Assert.Contains("demo@voiceagent.local", seed.Out);
        Assert.DoesNotContain("admin@voiceagent.local", seed.Out);

        var again = await Run("dev", "seed");
        Assert.Contains("bereits angelegt", again.Out);

        // The demo tenant books into its sandbox calendar as a confirmed choice (once, however often it is seeded).
        await using (var connection = new Npgsql.NpgsqlConnection(db.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM sandbox_calendar_confirmations c JOIN tenants t ON t.id = c.tenant_id WHERE t.company_name = 'Demo Praxis Dr. Muster'",
                connection);
            Assert.Equal(1L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
        }

        var list = await Run("tenants", "list", "--status", "approved");
        Assert.Equal(0, list.Code);
        Assert.Contains("Demo Praxis Dr. Muster", list.Out);
        Assert.Contains("1 Mandant(en)", list.Out);
    }

    [Fact]
    public async Task Dev_seed_prints_generated_passwords_once()
    {
        var seed = await Run("dev", "seed");

        Assert.Equal(0, seed.Code);
        Assert.Matches(@"admin@voiceagent\.local  /  \S{12,}", seed.Out);
        Assert.Matches(@"demo@voiceagent\.local  /  \S{12,}", seed.Out);
    }

    [Fact]
    public async Task Dev_seed_is_refused_in_production()
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Production");

        var seed = await Run("dev", "seed");

        Assert.Equal(1, seed.Code);
        Assert.Contains("nicht erlaubt", seed.Err);
    }

    [Fact]
    public async Task Weak_superadmin_password_is_refused_with_the_reason()
    {
        var result = await Run("admin", "create-superadmin", "--email", "ops@firma.de", "--password", "kurz");

        Assert.Equal(1, result.Code);
        Assert.Contains("password:", result.Err);
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error()
    {
        var result = await Run("tenants", "explode");
        Assert.Equal(2, result.Code);
        Assert.Contains("Unbekannter Befehl", result.Err);
    }
}
