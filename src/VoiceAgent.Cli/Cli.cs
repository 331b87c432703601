using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Billing;
using VoiceAgent.Calendars;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform;
using VoiceAgent.Telephony;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Cli;

/// <summary>
/// The operator CLI. Configuration comes from environment variables (Database__AppConnectionString,
/// Database__OwnerConnectionString, ASPNETCORE_ENVIRONMENT), the same names the web host reads.
/// Exit codes: 0 ok, 1 the operation was refused or failed, 2 usage error.
/// </summary>
public static class Cli
{
    private const string Usage = """
        voiceagent — VoiceAgent operator commands

          db migrate                                  apply pending database migrations (owner connection)
          admin create-superadmin --email E [--password P]
                                                      create a super-admin (password also from VOICEAGENT_ADMIN_PASSWORD)
          tenants list [--status pending|approved|rejected|suspended|all]
          users reset-2fa --email E [--reason "…"]    turn a user's two-factor authentication off (new key, no recovery
                                                      codes) and end all the user's sessions; a super-admin enrols again
          users unlock --email E                      lift every sign-in lock of a user (all addresses, second factor)
          dev seed                                    development only: super-admin and approved demo tenant
          flows validate FILE                         check a flow definition; prints { "valid", "errors" }
          flows simulate FILE --say "…" [--say "…"] [--now 2026-11-21T09:00:00] [--tz Europe/Berlin] [--caller +49…]
                                                      run a flow against an in-memory calendar (Mon–Fri 09–17)
          nlu parse "TEXT" [--now 2026-11-21T09:00:00] [--tz Europe/Berlin]
          numbers normalize "INPUT" [--region DE|AT|CH]  prints the E.164 number, or exits 1 with the reason
          twilio signature --auth-token T --url URL [--param k=v …]
                                                      the X-Twilio-Signature Twilio would send (debugging aid)
          call simulate --base-url URL --to NUMBER [--auth-token T] [--say "…"]… [--audio F.wav]  call a running server as Twilio would
          billing preview CASE.json --period YYYY-MM  one tenant's invoice from a case file (no database); see docs/billing.md
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (words, options, says, parameters) = Parse(args);
        var command = string.Join(' ', words);
        if (command is "" or "help" || options.ContainsKey("help"))
        {
            await stdout.WriteLineAsync(Usage);
            return command is "" ? 2 : 0;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .AddVoiceAgentPlatform(configuration)
            .AddCallFlows(configuration)
            .AddCalendars(configuration)
            .AddTelephony(configuration)
            .AddBilling(configuration);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var sp = scope.ServiceProvider;

        try
        {
            return command switch
            {
                "db migrate" => await MigrateAsync(sp, configuration, stdout, stderr),
                "admin create-superadmin" => await CreateSuperAdminAsync(sp, options, stdout, stderr),
                "tenants list" => await ListTenantsAsync(sp, options, stdout, stderr),
                "users reset-2fa" => await UserCommands.ResetTwoFactorAsync(sp, options, stdout, stderr),
                "users unlock" => await UserCommands.UnlockAsync(sp, options, stdout, stderr),
                "dev seed" => await SeedAsync(sp, configuration, stdout, stderr),
                _ when words is ["flows", "validate", ..] => await FlowCommands.ValidateAsync(words.ElementAtOrDefault(2),
                    sp.GetRequiredService<ActivityRegistry>(), stdout, stderr),
                _ when words is ["flows", "simulate", ..] => await FlowCommands.SimulateAsync(words.ElementAtOrDefault(2), says,
                    options, sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<IWebhookClient>(), stdout, stderr),
                _ when words is ["numbers", "normalize", ..] => await TelephonyCommands.NormalizeAsync(words.ElementAtOrDefault(2), options, stdout, stderr),
                "twilio signature" => await TelephonyCommands.SignatureAsync(options, parameters, stdout, stderr),
                _ when words is ["nlu", "parse", ..] => await FlowCommands.ParseAsync(words.ElementAtOrDefault(2), options, stdout, stderr),
                _ when words is ["call", "simulate", ..] => await CallSimulatorCommand.RunAsync(options, says, stdout, stderr),
                _ when words is ["billing", "preview", ..] => await BillingCommands.PreviewAsync(words.ElementAtOrDefault(2), options, stdout, stderr),
                _ => await UnknownAsync(command, stderr),
            };
        }
        catch (OptionsValidationException ex)
        {
            await stderr.WriteLineAsync("Konfiguration fehlt: " + string.Join("; ", ex.Failures));
            return 1;
        }
        catch (NpgsqlException ex)
        {
            await stderr.WriteLineAsync("Datenbank nicht erreichbar: " + ex.Message);
            return 1;
        }
    }

    private static async Task<int> MigrateAsync(IServiceProvider sp, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        var owner = configuration["Database:OwnerConnectionString"];
        var app = configuration["Database:AppConnectionString"];
        if (string.IsNullOrEmpty(owner) || string.IsNullOrEmpty(app))
        {
            await stderr.WriteLineAsync("Database__OwnerConnectionString und Database__AppConnectionString müssen gesetzt sein.");
            return 1;
        }

        var appRole = new NpgsqlConnectionStringBuilder(app).Username ?? "";
        var applied = await sp.GetRequiredService<DatabaseMigrator>().MigrateAsync(owner, appRole);
        await stdout.WriteLineAsync(applied.Count == 0
            ? "Datenbank ist aktuell."
            : $"Migrationen angewendet: {string.Join(", ", applied)}");
        return 0;
    }

    private static async Task<int> CreateSuperAdminAsync(IServiceProvider sp, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr)
    {
        if (!options.TryGetValue("email", out var email))
        {
            await stderr.WriteLineAsync("--email fehlt.");
            return 2;
        }

        var password = options.GetValueOrDefault("password") ?? Environment.GetEnvironmentVariable("VOICEAGENT_ADMIN_PASSWORD");
        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("Passwort fehlt: --password oder VOICEAGENT_ADMIN_PASSWORD.");
            return 2;
        }

        var outcome = await sp.GetRequiredService<DevSeeder>().CreateSuperAdminAsync(email, password, devSeeded: false);
        if (outcome.Kind != OutcomeKind.Ok)
        {
            await stderr.WriteLineAsync(string.Join(Environment.NewLine, outcome.Errors!.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));
            return 1;
        }

        await stdout.WriteLineAsync($"Super-Admin {outcome.Value!.Email} angelegt.");
        return 0;
    }

    private static async Task<int> ListTenantsAsync(IServiceProvider sp, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr)
    {
        TenantStatus? filter = null;
        if (options.TryGetValue("status", out var status) && status != "all")
        {
            if (!TenantStatusNames.TryParseApi(status, out var parsed))
            {
                await stderr.WriteLineAsync($"Unbekannter Status '{status}'.");
                return 2;
            }

            filter = parsed;
        }

        var db = sp.GetRequiredService<VoiceAgentDb>();
        var tenants = await db.InScopeAsync(s => s.UsePlatform(), () => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Tenants.Where(t => filter == null || t.Status == filter).OrderByDescending(t => t.CreatedAt)));
        await stdout.WriteLineAsync($"{"ID",-36}  {"STATUS",-10}  {"LAND",-4}  FIRMA");
        foreach (var t in tenants)
        {
            await stdout.WriteLineAsync($"{t.Id,-36}  {t.Status.ToApi(),-10}  {t.Country,-4}  {t.CompanyName}");
        }

        await stdout.WriteLineAsync($"{tenants.Count} Mandant(en)");
        return 0;
    }

    private static async Task<int> SeedAsync(IServiceProvider sp, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        var environment = configuration["ASPNETCORE_ENVIRONMENT"] ?? configuration["DOTNET_ENVIRONMENT"] ?? "Production";
        if (environment.Equals("Production", StringComparison.OrdinalIgnoreCase))
        {
            await stderr.WriteLineAsync("dev seed ist in Production nicht erlaubt. Verwenden Sie 'voiceagent admin create-superadmin'.");
            return 1;
        }

        var adminEmail = configuration["VOICEAGENT_ADMIN_EMAIL"] ?? "admin@voiceagent.local";
        var seeded = await sp.GetRequiredService<DevSeeder>().SeedDevelopmentAsync(
            adminEmail, configuration["VOICEAGENT_ADMIN_PASSWORD"], configuration["VOICEAGENT_DEMO_PASSWORD"]);
        if (seeded.Count == 0)
        {
            await stdout.WriteLineAsync("Entwicklungsdaten sind bereits angelegt (Passwörter wurden beim ersten Start ausgegeben).");
            return 0;
        }

        await stdout.WriteLineAsync("Angelegt (Passwörter werden nur dieses eine Mal angezeigt):");
        foreach (var account in seeded)
        {
            await stdout.WriteLineAsync($"  {account.Email}  /  {account.Password}");
        }

        if (seeded.Any(a => a.Email == adminEmail))
        {
            await stdout.WriteLineAsync($"  {adminEmail} richtet bei der ersten Anmeldung die Zwei-Faktor-Anmeldung ein (Authenticator-App; für Super-Admins Pflicht).");
        }

        return 0;
    }

    private static async Task<int> UnknownAsync(string command, TextWriter stderr)
    {
        await stderr.WriteLineAsync($"Unbekannter Befehl '{command}'.");
        await stderr.WriteLineAsync(Usage);
        return 2;
    }

    // Words, --name value options, and the repeatable --say and --param.
    private static (List<string> Words, Dictionary<string, string> Options, List<string> Says, List<string> Parameters) Parse(string[] args)
    {
        var words = new List<string>();
        var says = new List<string>();
        var parameters = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var name = args[i][2..];
                var eq = name.IndexOf('=');
                if (eq > 0)
                {
                    options[name[..eq]] = name[(eq + 1)..];
                }
                else if (name == "say")
                {
                    says.Add(i + 1 < args.Length ? args[++i] : "");
                }
                else if (name == "param")
                {
                    parameters.Add(i + 1 < args.Length ? args[++i] : "");
                }
                else
                {
                    options[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
                }
            }
            else
            {
                words.Add(args[i]);
            }
        }

        return (words, options, says, parameters);
    }
}
