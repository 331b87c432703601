using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Identity;

/// <summary>What the enrolment page shows: the key (in groups of four) and the otpauth URI for the QR code, or the active state.</summary>
public sealed record AuthenticatorSetup(bool Enabled, int RecoveryCodesLeft, string? SharedKey, string? AuthenticatorUri);

/// <summary>
/// A user's own sign-in security (password, authenticator, recovery codes) and the super-admin's interventions (unlock,
/// 2FA reset), for the portal, the API and the CLI alike. Every change that must end the user's other sessions changes
/// the security stamp (Identity does so for password, 2FA on/off and key reset); each is audited.
/// All work runs in the platform scope: the user may be a super-admin who has not finished enrolment (no role yet).
/// </summary>
public sealed class AccountSecurity(UserManager<AppUser> users, VoiceAgentDb db, TimeProvider time, SignInThrottles throttles)
{
    public const int RecoveryCodeCount = 10;
    public const string Issuer = "VoiceAgent";

    // Identity's user store keeps the authenticator key and the recovery codes as tokens of this provider.
    private const string StoreProvider = "[AspNetUserStore]";

    public Task<AuthenticatorSetup?> SetupAsync(Guid userId, CancellationToken ct = default) =>
        InPlatform(userId, async user =>
        {
            if (user.TwoFactorEnabled)
            {
                return new AuthenticatorSetup(true, await users.CountRecoveryCodesAsync(user), null, null);
            }

            var key = await users.GetAuthenticatorKeyAsync(user);
            if (string.IsNullOrEmpty(key))
            {
                // Not ResetAuthenticatorKeyAsync: it changes the security stamp, and looking at the page must not end sessions.
                key = users.GenerateNewAuthenticatorKey();
                Check(await users.SetAuthenticationTokenAsync(user, StoreProvider, "AuthenticatorKey", key));
            }

            return new AuthenticatorSetup(false, 0, FormatKey(key!), AuthenticatorUri(user.Email ?? "", key!));
        }, ct);

    /// <summary>Turns 2FA on after the user proved the app has the key; returns the recovery codes (shown once).</summary>
    public Task<Outcome<IReadOnlyList<string>>> EnableAsync(Guid userId, string? code, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            if (user.TwoFactorEnabled)
            {
                return Outcome<IReadOnlyList<string>>.Conflict(Texts.Get("TwoFactor.AlreadyEnabled"));
            }

            var digits = (code ?? "").Replace(" ", "").Replace("-", "");
            if (digits.Length != 6 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, digits))
            {
                return Outcome<IReadOnlyList<string>>.Invalid("code", Texts.Get("TwoFactor.CodeInvalid"));
            }

            Check(await users.SetTwoFactorEnabledAsync(user, true));
            var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
            await AuditAsync(user, Self(user), AuditActions.TwoFactorEnabled, null, ct);
            return Outcome<IReadOnlyList<string>>.Ok(codes);
        }, ct);

    public Task<Outcome<IReadOnlyList<string>>> RenewRecoveryCodesAsync(Guid userId, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            if (!user.TwoFactorEnabled)
            {
                return Outcome<IReadOnlyList<string>>.Conflict(Texts.Get("TwoFactor.NotEnabled"));
            }

            var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
            await AuditAsync(user, Self(user), AuditActions.RecoveryCodesRenewed, null, ct);
            return Outcome<IReadOnlyList<string>>.Ok(codes);
        }, ct);

    /// <summary>The user turns 2FA off (a super-admin is then sent to enrolment again); all sessions end.</summary>
    public Task<Outcome<bool>> DisableAsync(Guid userId, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            await ClearTwoFactorAsync(user);
            await AuditAsync(user, Self(user), AuditActions.TwoFactorDisabled, null, ct);
            return Outcome<bool>.Ok(true);
        }, ct);

    /// <summary>The super-admin (or the operator's CLI) resets a user's 2FA: off, new key, no recovery codes; all sessions end.</summary>
    public Task<Outcome<bool>> ResetTwoFactorAsync(Guid userId, Actor actor, string? reason, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            await ClearTwoFactorAsync(user);
            await AuditAsync(user, actor, AuditActions.TwoFactorReset, reason, ct);
            return Outcome<bool>.Ok(true);
        }, ct);

    public Task<Outcome<bool>> ChangePasswordAsync(Guid userId, string? current, string? next, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            if (string.IsNullOrEmpty(current))
            {
                return Outcome<bool>.Invalid("currentPassword", Texts.Get("Validation.Required"));
            }

            if (string.IsNullOrEmpty(next) || next.Length < RegistrationValidator.MinPasswordLength || next.Length > 128
                || !next.Any(char.IsLetter) || !next.Any(char.IsDigit))
            {
                return Outcome<bool>.Invalid("newPassword", Texts.Format("Validation.Password", RegistrationValidator.MinPasswordLength));
            }

            var result = await users.ChangePasswordAsync(user, current, next);
            if (!result.Succeeded)
            {
                return result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch))
                    ? Outcome<bool>.Invalid("currentPassword", Texts.Get("Account.CurrentPasswordWrong"))
                    : Outcome<bool>.Invalid("newPassword", string.Join(" ", result.Errors.Select(e => e.Description)));
            }

            await AuditAsync(user, Self(user), AuditActions.PasswordChanged, null, ct);
            return Outcome<bool>.Ok(true);
        }, ct);

    /// <summary>Lifts every lock of the account: the per-address locks and Identity's own (second-factor) lockout.</summary>
    public Task<Outcome<int>> UnlockAsync(Guid userId, Actor actor, CancellationToken ct = default) =>
        InPlatformOutcome(userId, async user =>
        {
            var addresses = await throttles.UnlockAsync(user.NormalizedEmail ?? "", ct);
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
            await AuditAsync(user, actor, AuditActions.UserUnlocked, null, ct, $"addresses={addresses}");
            return Outcome<int>.Ok(addresses);
        }, ct);

    public Task<Guid?> FindIdByEmailAsync(string email, CancellationToken ct = default) =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var normalized = users.NormalizeEmail(email.Trim());
            return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct);
        }, ct);

    public static string FormatKey(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }

        return sb.ToString().ToLowerInvariant();
    }

    public static string AuthenticatorUri(string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";

    private async Task ClearTwoFactorAsync(AppUser user)
    {
        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.RemoveAuthenticationTokenAsync(user, StoreProvider, "RecoveryCodes"));
        // A fresh key: the old one (on a lost or stolen phone) never works again. Changes the security stamp as well.
        Check(await users.ResetAuthenticatorKeyAsync(user));
    }

    private static Actor Self(AppUser user) => new(user.Id, user.Email);

    private async Task AuditAsync(AppUser user, Actor actor, string action, string? reason, CancellationToken ct, string? extra = null)
    {
        db.Record(time, actor, action, user.TenantId, extra is null ? $"user={user.Email}" : $"user={user.Email}; {extra}", reason);
        await db.SaveChangesAsync(ct);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Code)));
        }
    }

    private Task<T?> InPlatform<T>(Guid userId, Func<AppUser, Task<T>> work, CancellationToken ct) where T : class =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
            await users.FindByIdAsync(userId.ToString()) is { } user ? await work(user) : null, ct);

    private Task<Outcome<T>> InPlatformOutcome<T>(Guid userId, Func<AppUser, Task<Outcome<T>>> work, CancellationToken ct) =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
            await users.FindByIdAsync(userId.ToString()) is { } user ? await work(user) : Outcome<T>.NotFound(), ct);
}
