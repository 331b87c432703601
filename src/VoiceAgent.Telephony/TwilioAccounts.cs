using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Telephony;

/// <summary>The credentials that sign a webhook: a tenant's own account (with that tenant), or the platform account.</summary>
public sealed record SigningAccount(Guid? TenantId, TwilioCredentials Credentials);

/// <summary>
/// Which Twilio account a request comes from and which credentials a tenant uses. A tenant may connect its own account
/// (verified with an authenticated REST call before it is saved; one account belongs to one tenant); otherwise the
/// platform account from the settings store applies. Webhooks from a tenant's own account may only reach that tenant.
/// </summary>
public sealed partial class TwilioAccounts(VoiceAgentDb db, SettingsStore settings, IDataProtectionProvider protection, TwilioApi rest,
    TwilioAccountDirectory directory, IClusterEvents events, TimeProvider time)
{
    public const string AccountSidSetting = "twilio.account_sid";
    public const string AuthTokenSetting = "twilio.auth_token";

    private readonly IDataProtector protector = protection.CreateProtector("VoiceAgent.TenantTwilioAccounts.v1");

    /// <summary>
    /// The account whose token must have signed a webhook carrying <paramref name="accountSid"/>: the tenant that
    /// connected this account, else the platform account; null when neither is configured. Tenants' own accounts come
    /// from <see cref="TwilioAccountDirectory"/>, so a flood of requests with made-up SIDs causes no query per request.
    /// </summary>
    public async Task<SigningAccount?> ForWebhookAsync(string? accountSid, CancellationToken ct = default)
    {
        var token = await settings.GetAsync(AuthTokenSetting, ct);
        var sid = await settings.GetAsync(AccountSidSetting, ct);
        var platform = string.IsNullOrEmpty(token) ? null : new SigningAccount(null, new TwilioCredentials(sid ?? "", token));
        if (string.IsNullOrEmpty(accountSid) || !AccountSidPattern().IsMatch(accountSid) || accountSid == sid)
        {
            return platform;
        }

        var own = await directory.FindAsync(accountSid, ct);
        return own is null ? platform : new SigningAccount(own.TenantId, new TwilioCredentials(accountSid, protector.Unprotect(own.ProtectedAuthToken)));
    }

    /// <summary>The platform account's credentials for REST calls; null unless both SID and token are configured.</summary>
    public async Task<TwilioCredentials?> PlatformCredentialsAsync(CancellationToken ct = default)
    {
        var sid = await settings.GetAsync(AccountSidSetting, ct);
        var token = await settings.GetAsync(AuthTokenSetting, ct);
        return string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(token) ? null : new TwilioCredentials(sid, token);
    }

    /// <summary>
    /// The credentials of <paramref name="tenantId"/>'s own account; null when it has none. Looked up in the caller's
    /// tenant scope, so another tenant's id finds nothing.
    /// </summary>
    public async Task<TwilioCredentials?> OwnCredentialsAsync(Guid tenantId, CancellationToken ct = default)
    {
        var own = await db.TenantTwilioAccounts.AsNoTracking().Where(a => a.TenantId == tenantId)
            .Select(a => new { a.AccountSid, a.ProtectedAuthToken }).SingleOrDefaultAsync(ct);
        return own is null ? null : new TwilioCredentials(own.AccountSid, protector.Unprotect(own.ProtectedAuthToken));
    }

    /// <summary>The tenant's own account as shown on its page (token hint only); null when it uses the platform account.</summary>
    public Task<TenantTwilioAccount?> GetAsync(CancellationToken ct = default) =>
        db.TenantTwilioAccounts.AsNoTracking().SingleOrDefaultAsync(ct);

    /// <summary>Checks the credentials against Twilio, then stores them for the tenant (replacing earlier ones).</summary>
    public async Task<Outcome<TenantTwilioAccount>> ConnectAsync(Guid tenantId, string? accountSid, string? authToken, Actor actor,
        CancellationToken ct = default)
    {
        accountSid = accountSid?.Trim();
        authToken = authToken?.Trim();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(accountSid) || !AccountSidPattern().IsMatch(accountSid))
        {
            errors["accountSid"] = [Texts.Get("Twilio.AccountSidInvalid")];
        }

        if (string.IsNullOrEmpty(authToken) || authToken.Length is < 16 or > 128)
        {
            errors["authToken"] = [Texts.Get("Twilio.AuthTokenInvalid")];
        }

        if (errors.Count > 0)
        {
            return Outcome<TenantTwilioAccount>.Invalid(errors);
        }

        // The platform account is nobody's own (webhooks carrying its SID are checked with the platform token, no lookup).
        if (accountSid == await settings.GetAsync(AccountSidSetting, ct)
            || await db.Database.SqlQuery<bool>($"SELECT twilio_account_in_use({accountSid}, {tenantId}) AS \"Value\"").SingleAsync(ct))
        {
            db.Record(time, actor, AuditActions.TwilioAccountRefused, tenantId, accountSid);
            await db.SaveChangesAsync(ct);
            return Outcome<TenantTwilioAccount>.Invalid("accountSid", Texts.Get("Twilio.AccountTaken"));
        }

        var credentials = new TwilioCredentials(accountSid!, authToken!);
        bool accepted;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(8));
            accepted = await rest.CheckCredentialsAsync(credentials, timeout.Token);
        }
        catch (Exception ex) when (ex is TwilioApiException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Outcome<TenantTwilioAccount>.Conflict(Texts.Get("Twilio.Unreachable"));
        }

        if (!accepted)
        {
            return Outcome<TenantTwilioAccount>.Invalid("authToken", Texts.Get("Twilio.CredentialsRejected"));
        }

        var now = time.GetUtcNow();
        var row = await db.TenantTwilioAccounts.SingleOrDefaultAsync(a => a.TenantId == tenantId, ct);
        if (row is null)
        {
            row = new TenantTwilioAccount { TenantId = tenantId, AccountSid = "", ProtectedAuthToken = "", TokenHint = "" };
            db.TenantTwilioAccounts.Add(row);
        }

        row.AccountSid = accountSid!;
        row.ProtectedAuthToken = protector.Protect(authToken!);
        row.TokenHint = SecretHint.For(authToken!);
        row.VerifiedAt = now;
        row.UpdatedAt = now;
        row.UpdatedBy = actor.Email;
        db.Record(time, actor, AuditActions.TwilioAccountConnected, tenantId, $"{accountSid}, token {row.TokenHint}");
        await db.SaveChangesAsync(ct);
        await events.PublishAsync(db, TwilioAccountDirectory.Topic, tenantId.ToString(), ct);
        return Outcome<TenantTwilioAccount>.Ok(row);
    }

    /// <summary>Removes the tenant's own account; its numbers then use the platform account again.</summary>
    public async Task<bool> DisconnectAsync(Guid tenantId, Actor actor, CancellationToken ct = default)
    {
        var row = await db.TenantTwilioAccounts.SingleOrDefaultAsync(a => a.TenantId == tenantId, ct);
        if (row is null)
        {
            return false;
        }

        db.TenantTwilioAccounts.Remove(row);
        db.Record(time, actor, AuditActions.TwilioAccountDisconnected, tenantId, row.AccountSid);
        await db.SaveChangesAsync(ct);
        await events.PublishAsync(db, TwilioAccountDirectory.Topic, tenantId.ToString(), ct);
        return true;
    }

    [GeneratedRegex("^AC[0-9a-f]{32}$")]
    private static partial Regex AccountSidPattern();
}
