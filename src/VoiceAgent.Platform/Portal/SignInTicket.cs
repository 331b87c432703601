using Microsoft.AspNetCore.DataProtection;

namespace VoiceAgent.Platform.Portal;

/// <summary>
/// An interactive page cannot set the sign-in cookie (it talks over a WebSocket). After it has checked the credentials it
/// hands the browser a ticket: protected, naming the user and the account's security stamp, valid for one minute; a
/// static endpoint turns it into the cookie. A stamp that changed (password, lockout) makes the ticket worthless.
/// </summary>
public sealed class SignInTicket(IDataProtectionProvider protection)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ITimeLimitedDataProtector protector =
        protection.CreateProtector("VoiceAgent.Portal.SignInTicket").ToTimeLimitedDataProtector();

    public string Issue(Guid userId, string? securityStamp) =>
        protector.Protect($"{userId:N}|{securityStamp}", Lifetime);

    /// <summary>The user and stamp the ticket names, or null when it is expired, tampered or malformed.</summary>
    public (Guid UserId, string SecurityStamp)? Read(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket))
        {
            return null;
        }

        try
        {
            // The protector checks the expiry itself (on the system clock, as it stamped it).
            var payload = protector.Unprotect(ticket, out _);
            var parts = payload.Split('|', 2);
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var id) ? (id, parts[1]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

}
