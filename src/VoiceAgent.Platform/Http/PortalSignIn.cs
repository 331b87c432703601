using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>The (account, address) pair is locked: the password was not even checked.</summary>
public sealed class ThrottledSignInResult : SignInResult
{
    public ThrottledSignInResult(DateTimeOffset until)
    {
        IsLockedOut = true;
        Until = until;
    }

    public DateTimeOffset Until { get; }
}

/// <summary>
/// Password and second-factor sign-in for the portal (cookie) and the API (bearer token).
/// Wrong passwords are counted per account and client address (<see cref="SignInThrottles"/>), never on the account alone:
/// Identity's own lockout counts only wrong second-factor codes, which only someone who knows the password can send.
/// Unknown e-mail addresses are counted and answered exactly like known ones.
/// </summary>
public sealed class PortalSignIn(SignInManager<AppUser> signIn, VoiceAgentDb db, SignInThrottles throttles, TimeProvider time,
    ILogger<PortalSignIn> logger)
{
    private static readonly Actor Anonymous = new(null, "anonymous");

    public SignInManager<AppUser> Manager => signIn;

    /// <summary>The user the last successful second step signed in (the two-factor cookie is gone by then).</summary>
    public Guid? SignedInUserId { get; private set; }

    // The account is unknown until the password is checked, so everything runs in an explicit platform scope.
    public Task<SignInResult> PasswordAsync(string email, string password, IPAddress? client, CancellationToken ct)
    {
        var normalized = signIn.UserManager.NormalizeEmail(email.Trim()) ?? "";
        if (normalized.Length > 256)
        {
            normalized = normalized[..256];
        }

        var clientKey = RateLimits.ClientKey(client);
        return db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            if (await throttles.LockedUntilAsync(normalized, clientKey, ct) is { } until)
            {
                logger.LogWarning("Sign-in refused: account and client {Client} are locked until {Until}", clientKey, until);
                return new ThrottledSignInResult(until);
            }

            var result = await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: false);
            if (result.Succeeded || result.RequiresTwoFactor)
            {
                await throttles.ClearAsync(normalized, clientKey, ct);
                return result;
            }

            if (result.IsLockedOut || result.IsNotAllowed)
            {
                return result;
            }

            var failure = await throttles.RecordFailureAsync(normalized, clientKey, ct);
            var tenantId = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.TenantId).FirstOrDefaultAsync(ct);
            var details = $"user={normalized.ToLowerInvariant()}; client={clientKey}";
            db.Record(time, Anonymous, AuditActions.SignInFailed, tenantId, details);
            if (failure.LockedUntil is { } locked)
            {
                db.Record(time, Anonymous, AuditActions.SignInLocked, tenantId, $"{details}; until={locked:O}");
                logger.LogWarning("Sign-in locked for client {Client} until {Until}", clientKey, locked);
            }

            await db.SaveChangesAsync(ct);
            return failure.LockedUntil is { } lockedUntil ? new ThrottledSignInResult(lockedUntil) : result;
        }, ct);
    }

    /// <summary>
    /// The second step: a six-digit code from the authenticator app, or else a recovery code (each works once). The user
    /// comes from the password step of this request (API) or from the two-factor cookie it left (portal).
    /// </summary>
    public Task<SignInResult> SecondFactorAsync(string? code, bool rememberDevice, CancellationToken ct)
    {
        var input = (code ?? "").Trim().ToUpperInvariant();
        var digits = input.Replace(" ", "").Replace("-", "");
        return db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var user = await signIn.GetTwoFactorAuthenticationUserAsync();
            if (user is null || input.Length == 0)
            {
                return SignInResult.Failed;
            }

            // Six digits are the app's code; anything else is tried as a recovery code (XXXXX-XXXXX, as Identity makes them).
            var isTotp = digits.Length == 6 && digits.All(char.IsAsciiDigit);
            var result = isTotp
                ? await signIn.TwoFactorAuthenticatorSignInAsync(digits, isPersistent: false, rememberClient: rememberDevice)
                : await signIn.TwoFactorRecoveryCodeSignInAsync(input);
            if (result.Succeeded)
            {
                SignedInUserId = user.Id;
            }

            if (result.Succeeded && !isTotp)
            {
                db.Record(time, new Actor(user.Id, user.Email), AuditActions.RecoveryCodeUsed, user.TenantId,
                    $"user={user.Email}; left={await signIn.UserManager.CountRecoveryCodesAsync(user)}");
            }
            else if (!result.Succeeded)
            {
                db.Record(time, Anonymous, AuditActions.SecondFactorFailed, user.TenantId, $"user={user.Email}");
            }

            await db.SaveChangesAsync(ct);
            return result;
        }, ct);
    }

    /// <summary>Whether a second-step sign-in is under way in this browser (the two-factor cookie names a user).</summary>
    public Task<bool> HasPendingSecondFactorAsync(CancellationToken ct) =>
        db.InScopeAsync(s => s.UsePlatform(), async () => await signIn.GetTwoFactorAuthenticationUserAsync() is not null, ct);

    public static string FailureMessage(SignInResult result) =>
        result is ThrottledSignInResult ? Texts.Get("Login.Throttled")
        : result.IsLockedOut ? Texts.Get("Login.LockedOut")
        : result.IsNotAllowed ? Texts.Get("Login.NotAllowed")
        : result.RequiresTwoFactor ? Texts.Get("Login.CodeRequired")
        : Texts.Get("Login.Failed");
}
