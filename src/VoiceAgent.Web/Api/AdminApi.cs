using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Identity;
using System.Security.Claims;

namespace VoiceAgent.Web.Api;

public static class AdminApi
{
    public sealed record SettingDto(string Key, string Provider, bool Secret, string? Hint);

    public sealed record SettingValue(string? Value);

    public static void MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(PortalSecurity.SuperAdminPolicy)
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        group.MapGet("/tenants", ListTenants).WithName("ListTenants");
        group.MapGet("/tenants/{id:guid}", GetTenant).WithName("GetTenantById");
        group.MapPost("/tenants/{id:guid}/approve", Approve).WithName("ApproveTenant");
        group.MapPost("/tenants/{id:guid}/reject", Reject).WithName("RejectTenant");
        group.MapPost("/tenants/{id:guid}/suspend", Suspend).WithName("SuspendTenant");
        group.MapPost("/tenants/{id:guid}/reactivate", Reactivate).WithName("ReactivateTenant");
        group.MapGet("/audit", ListAudit).WithName("ListAudit");
        group.MapGet("/settings", ListSettings).WithName("ListSettings");
        group.MapPut("/settings/{key}", PutSetting).WithName("PutSetting");
        group.MapDelete("/settings/{key}", DeleteSetting).WithName("DeleteSetting");
        group.MapPost("/users/{id:guid}/unlock", UnlockUser).WithName("UnlockUser");
        group.MapPost("/users/{id:guid}/reset-2fa", ResetTwoFactor).WithName("ResetUserTwoFactor");
        routes.MapAuditExport();
    }

    internal static async Task<Results<Ok<List<TenantDto>>, ValidationProblem>> ListTenants(string? status,
        [AsParameters] AdminApiServices services, CancellationToken ct)
    {
        var query = services.Db.Tenants.AsNoTracking();
        if (!string.IsNullOrEmpty(status) && status != "all")
        {
            if (!TenantStatusNames.TryParseApi(status, out var parsed))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["status"] = [Texts.Get("Validation.Status")] });
            }

            query = query.Where(t => t.Status == parsed);
        }

        var tenants = await query.OrderByDescending(t => t.CreatedAt).Take(500).ToListAsync(ct);
        return TypedResults.Ok(tenants.Select(TenantDto.From).ToList());
    }

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> GetTenant(Guid id, [AsParameters] AdminApiServices services,
        CancellationToken ct) =>
        await services.Db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) is { } tenant
            ? TypedResults.Ok(TenantDto.From(tenant))
            : Problems.NotFound();

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult, ValidationProblem>> Approve(Guid id, ClaimsPrincipal user,
        [AsParameters] AdminApiServices services, CancellationToken ct) =>
        TenantResult(await services.Tenants.ApproveAsync(id, user.Actor(), ct));

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult, ValidationProblem>> Reject(Guid id, ReasonRequest? body,
        ClaimsPrincipal user, [AsParameters] AdminApiServices services, CancellationToken ct) =>
        TenantResult(await services.Tenants.RejectAsync(id, user.Actor(), body?.Reason, ct));

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult, ValidationProblem>> Suspend(Guid id, ReasonRequest? body,
        ClaimsPrincipal user, [AsParameters] AdminApiServices services, CancellationToken ct) =>
        TenantResult(await services.Tenants.SuspendAsync(id, user.Actor(), body?.Reason, ct));

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult, ValidationProblem>> Reactivate(Guid id, ClaimsPrincipal user,
        [AsParameters] AdminApiServices services, CancellationToken ct) =>
        TenantResult(await services.Tenants.ReactivateAsync(id, user.Actor(), ct));

    internal static async Task<Ok<List<AuditDto>>> ListAudit(Guid? tenantId, int? take, [AsParameters] AdminApiServices services,
        CancellationToken ct)
    {
        var query = services.Db.AuditEntries.AsNoTracking();
        if (tenantId is { } t)
        {
            query = query.Where(a => a.TenantId == t);
        }

        var entries = await query.OrderByDescending(a => a.Id).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(ct);
        return TypedResults.Ok(entries.Select(AuditDto.From).ToList());
    }

    internal static async Task<Ok<List<SettingDto>>> ListSettings([AsParameters] AdminApiServices services, CancellationToken ct)
    {
        var hints = await services.Settings.HintsAsync(ct);
        return TypedResults.Ok(ProviderKeys.All
            .Select(d => new SettingDto(d.Key, d.Provider, d.Secret, hints.GetValueOrDefault(d.Key)))
            .ToList());
    }

    internal static async Task<Results<Ok<SettingDto>, ProblemHttpResult, ValidationProblem>> PutSetting(
        string key, SettingValue body, ClaimsPrincipal user, [AsParameters] AdminApiServices services, CancellationToken ct)
    {
        if (ProviderKeys.Find(key) is not { } definition)
        {
            return Problems.NotFound();
        }

        var value = body.Value?.Trim();
        if (string.IsNullOrEmpty(value) || value.Length > 4000)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["value"] = [Texts.Get("Validation.Required")] });
        }

        if (Billing.Stripe.StripeKeys.Problem(key, value) is { } keyProblem)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["value"] = [keyProblem] });
        }

        await services.Settings.SetAsync(key, value, user.Actor(), ct);
        var hints = await services.Settings.HintsAsync(ct);
        return TypedResults.Ok(new SettingDto(key, definition.Provider, definition.Secret, hints[key]));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSetting(string key, ClaimsPrincipal user,
        [AsParameters] AdminApiServices services, CancellationToken ct) =>
        ProviderKeys.Find(key) is not null && await services.Settings.ClearAsync(key, user.Actor(), ct)
            ? TypedResults.NoContent()
            : Problems.NotFound();

    /// <summary>Lifts the user's sign-in locks (every address, and Identity's second-factor lockout); audited.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> UnlockUser(Guid id, ClaimsPrincipal user,
        AccountSecurity security, CancellationToken ct) =>
        (await security.UnlockAsync(id, user.Actor(), ct)).ToResults(_ => TypedResults.NoContent());

    /// <summary>Turns the user's 2FA off with a new key and no recovery codes, ending all the user's sessions; audited with the reason.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ResetTwoFactor(Guid id, ReasonRequest? body,
        ClaimsPrincipal user, AccountSecurity security, CancellationToken ct) =>
        (await security.ResetTwoFactorAsync(id, user.Actor(), body?.Reason, ct)).ToResults(_ => TypedResults.NoContent());

    private static Results<Ok<TenantDto>, ProblemHttpResult, ValidationProblem> TenantResult(Outcome<Tenant> outcome) =>
        outcome.ToResults(tenant => TypedResults.Ok(TenantDto.From(tenant)));
}

/// <summary>The services the platform-admin endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record AdminApiServices(VoiceAgentDb Db, TenantService Tenants, SettingsStore Settings);
