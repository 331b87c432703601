using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;
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
    }

    internal static async Task<Results<Ok<List<TenantDto>>, ValidationProblem>> ListTenants(string? status, VoiceAgentDb db, CancellationToken ct)
    {
        var query = db.Tenants.AsNoTracking();
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

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> GetTenant(Guid id, VoiceAgentDb db, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) is { } tenant
            ? TypedResults.Ok(TenantDto.From(tenant))
            : Problems.NotFound();

    internal static Task<IResult> Approve(Guid id, TenantService tenants, ClaimsPrincipal user, CancellationToken ct) =>
        ToResult(tenants.ApproveAsync(id, user.Actor(), ct));

    internal static Task<IResult> Reject(Guid id, ReasonRequest? body, TenantService tenants, ClaimsPrincipal user, CancellationToken ct) =>
        ToResult(tenants.RejectAsync(id, user.Actor(), body?.Reason, ct));

    internal static Task<IResult> Suspend(Guid id, ReasonRequest? body, TenantService tenants, ClaimsPrincipal user, CancellationToken ct) =>
        ToResult(tenants.SuspendAsync(id, user.Actor(), body?.Reason, ct));

    internal static Task<IResult> Reactivate(Guid id, TenantService tenants, ClaimsPrincipal user, CancellationToken ct) =>
        ToResult(tenants.ReactivateAsync(id, user.Actor(), ct));

    internal static async Task<Ok<List<AuditDto>>> ListAudit(Guid? tenantId, int? take, VoiceAgentDb db, CancellationToken ct)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (tenantId is { } t)
        {
            query = query.Where(a => a.TenantId == t);
        }

        var entries = await query.OrderByDescending(a => a.Id).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(ct);
        return TypedResults.Ok(entries.Select(AuditDto.From).ToList());
    }

    internal static async Task<Ok<List<SettingDto>>> ListSettings(SettingsStore settings, CancellationToken ct)
    {
        var hints = await settings.HintsAsync(ct);
        return TypedResults.Ok(ProviderKeys.All
            .Select(d => new SettingDto(d.Key, d.Provider, d.Secret, hints.GetValueOrDefault(d.Key)))
            .ToList());
    }

    internal static async Task<Results<Ok<SettingDto>, ProblemHttpResult, ValidationProblem>> PutSetting(
        string key, SettingValue body, SettingsStore settings, ClaimsPrincipal user, CancellationToken ct)
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

        await settings.SetAsync(key, value, user.Actor(), ct);
        var hints = await settings.HintsAsync(ct);
        return TypedResults.Ok(new SettingDto(key, definition.Provider, definition.Secret, hints[key]));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSetting(string key, SettingsStore settings, ClaimsPrincipal user,
        CancellationToken ct) =>
        ProviderKeys.Find(key) is not null && await settings.ClearAsync(key, user.Actor(), ct)
            ? TypedResults.NoContent()
            : Problems.NotFound();

    private static async Task<IResult> ToResult(Task<Outcome<Tenant>> operation)
    {
        var outcome = await operation;
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(TenantDto.From(outcome.Value!)) : Problems.From(outcome);
    }
}
