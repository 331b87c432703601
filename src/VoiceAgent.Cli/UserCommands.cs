using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Cli;

/// <summary>
/// The operator's way back in when no super-admin can sign in (lost phone and recovery codes, or every super-admin locked):
/// the same operations as the admin portal, audited with the actor "cli".
/// </summary>
public static class UserCommands
{
    private static readonly Actor Cli = new(null, "cli");

    public static Task<int> ResetTwoFactorAsync(IServiceProvider sp, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr) =>
        RunAsync(sp, options, stderr, async (security, id) =>
        {
            var outcome = await security.ResetTwoFactorAsync(id, Cli, options.GetValueOrDefault("reason") ?? "voiceagent users reset-2fa");
            await stdout.WriteLineAsync(outcome.Kind == OutcomeKind.Ok
                ? $"Zwei-Faktor-Anmeldung von {options["email"]} zurückgesetzt; alle Sitzungen sind beendet. Bei der nächsten Anmeldung richtet das Konto die App neu ein."
                : "Benutzer nicht gefunden.");
            return outcome.Kind == OutcomeKind.Ok ? 0 : 1;
        });

    public static Task<int> UnlockAsync(IServiceProvider sp, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr) =>
        RunAsync(sp, options, stderr, async (security, id) =>
        {
            var outcome = await security.UnlockAsync(id, Cli);
            await stdout.WriteLineAsync(outcome.Kind == OutcomeKind.Ok
                ? $"Anmeldesperren von {options["email"]} aufgehoben ({outcome.Value} gesperrte Adressen)."
                : "Benutzer nicht gefunden.");
            return outcome.Kind == OutcomeKind.Ok ? 0 : 1;
        });

    private static async Task<int> RunAsync(IServiceProvider sp, Dictionary<string, string> options, TextWriter stderr,
        Func<AccountSecurity, Guid, Task<int>> work)
    {
        if (!options.TryGetValue("email", out var email) || string.IsNullOrWhiteSpace(email))
        {
            await stderr.WriteLineAsync("--email fehlt.");
            return 2;
        }

        var security = sp.GetRequiredService<AccountSecurity>();
        if (await security.FindIdByEmailAsync(email) is not { } id)
        {
            await stderr.WriteLineAsync($"Kein Benutzer mit der E-Mail-Adresse {email}.");
            return 1;
        }

        return await work(security, id);
    }
}
