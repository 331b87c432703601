using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Jobs;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Privacy;

/// <summary>The tenant's transcript retention (7–3650 days), edited by its admin; changes are audited.</summary>
public sealed class PrivacySettings(VoiceAgentDb db, TimeProvider time)
{
    public const string RetentionChangedAction = "privacy.retention_changed";

    public Task<int> RetentionDaysAsync(Guid tenantId, CancellationToken ct) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.TranscriptRetentionDays).SingleAsync(ct);

    public async Task<Outcome<int>> SetRetentionDaysAsync(Guid tenantId, int? days, Actor actor, CancellationToken ct)
    {
        if (days is not { } value || value < PrivacyOptions.MinRetentionDays || value > PrivacyOptions.MaxRetentionDays)
        {
            return Outcome<int>.Invalid("days", PrivacyTexts.Format("Validation.RetentionRange", PrivacyOptions.MinRetentionDays,
                PrivacyOptions.MaxRetentionDays));
        }

        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Outcome<int>.NotFound();
        }

        if (tenant.TranscriptRetentionDays != value)
        {
            db.Record(time, actor, RetentionChangedAction, tenantId, $"{tenant.TranscriptRetentionDays} → {value} days");
            tenant.TranscriptRetentionDays = value;
            await db.SaveChangesAsync(ct);
        }

        return Outcome<int>.Ok(value);
    }
}

/// <summary>Data protection (issue #16, item 8): GDPR requests per caller number and per tenant, contract end, retention.</summary>
public static class PrivacyModule
{
    public sealed record RetentionDto(int TranscriptRetentionDays, int MinDays, int MaxDays);

    public sealed record RetentionRequest(int? Days);

    public sealed record CallerRequest(string? Number, string? Reason);

    public sealed record ReasonRequest(string? Reason);

    public sealed record ContractDto(Guid TenantId, string Status, DateTimeOffset? ContractEndedAt, DateTimeOffset? DeletionDueAt);

    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidator>();
        services.AddSingleton<Pseudonyms>();
        services.AddScoped<CallerPrivacy>();
        services.AddScoped<TenantPrivacy>();
        services.AddScoped<PrivacySettings>();
        services.AddScoped<PrivacyJobs>();
        services.AddSingleton<IRecurringJobs, PrivacyRecurringJobs>();
        return services;
    }

    public static void MapPrivacyApi(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/tenant/privacy").WithTags("Tenant").RequireAuthorization(PortalSecurity.TenantAdminPolicy)
            .AddEndpointFilter<CookieAntiforgeryFilter>().WithMetadata(new RequiresApprovedTenantAttribute());
        tenant.MapGet("/", GetRetentionAsync).WithName("GetPrivacySettings");
        tenant.MapPut("/retention", SetRetentionAsync).WithName("SetTranscriptRetention");
        tenant.MapPost("/callers/export", ExportCallerAsync).WithName("ExportCallerData");
        tenant.MapPost("/callers/erase", EraseCallerAsync).WithName("EraseCallerData");

        var admin = routes.MapGroup("/api/admin/tenants/{id:guid}").WithTags("Admin").RequireAuthorization(PortalSecurity.SuperAdminPolicy)
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        admin.MapPost("/export", ExportTenantAsync).WithName("ExportTenantData");
        admin.MapPost("/contract-end", EndContractAsync).WithName("EndTenantContract");
        admin.MapPost("/contract-end/revoke", RevokeContractEndAsync).WithName("RevokeTenantContractEnd");
    }

    internal static async Task<Ok<RetentionDto>> GetRetentionAsync(ClaimsPrincipal user, PrivacySettings settings, CancellationToken ct) =>
        TypedResults.Ok(new RetentionDto(await settings.RetentionDaysAsync(user.TenantId()!.Value, ct), PrivacyOptions.MinRetentionDays,
            PrivacyOptions.MaxRetentionDays));

    internal static async Task<Results<Ok<RetentionDto>, ProblemHttpResult, ValidationProblem>> SetRetentionAsync(RetentionRequest body,
        ClaimsPrincipal user, PrivacySettings settings, CancellationToken ct) =>
        (await settings.SetRetentionDaysAsync(user.TenantId()!.Value, body.Days, user.Actor(), ct))
        .ToResults(days => TypedResults.Ok(new RetentionDto(days, PrivacyOptions.MinRetentionDays, PrivacyOptions.MaxRetentionDays)));

    internal static async Task<Results<Ok<CallerExport>, ProblemHttpResult, ValidationProblem>> ExportCallerAsync(CallerRequest body,
        ClaimsPrincipal user, CallerPrivacy privacy, CancellationToken ct) =>
        (await privacy.ExportAsync(user.TenantId()!.Value, body.Number, body.Reason, user.Actor(), ct)).ToResults(TypedResults.Ok);

    internal static async Task<Results<Ok<CallerErasure>, ProblemHttpResult, ValidationProblem>> EraseCallerAsync(CallerRequest body,
        ClaimsPrincipal user, CallerPrivacy privacy, CancellationToken ct) =>
        (await privacy.EraseAsync(user.TenantId()!.Value, body.Number, body.Reason, user.Actor(), ct)).ToResults(TypedResults.Ok);

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> ExportTenantAsync(Guid id, ReasonRequest body,
        ClaimsPrincipal user, TenantPrivacy privacy, TimeProvider time, CancellationToken ct) =>
        (await privacy.ExportAsync(id, body.Reason, user.Actor(), ct))
        .ToResults(zip => TypedResults.File(zip, "application/zip", $"mandant-{id:n}-{time.GetUtcNow():yyyyMMdd}.zip"));

    internal static async Task<Results<Ok<ContractDto>, ProblemHttpResult, ValidationProblem>> EndContractAsync(Guid id, ReasonRequest body,
        ClaimsPrincipal user, TenantPrivacy privacy, IOptions<PrivacyOptions> options, CancellationToken ct) =>
        (await privacy.EndContractAsync(id, body.Reason, user.Actor(), ct)).ToResults(t => TypedResults.Ok(Contract(t, options.Value)));

    internal static async Task<Results<Ok<ContractDto>, ProblemHttpResult, ValidationProblem>> RevokeContractEndAsync(Guid id, ReasonRequest body,
        ClaimsPrincipal user, TenantPrivacy privacy, IOptions<PrivacyOptions> options, CancellationToken ct) =>
        (await privacy.RevokeContractEndAsync(id, body.Reason, user.Actor(), ct)).ToResults(t => TypedResults.Ok(Contract(t, options.Value)));

    private static ContractDto Contract(Tenant tenant, PrivacyOptions options) =>
        new(tenant.Id, tenant.Status.ToApi(), tenant.ContractEndedAt, tenant.ContractEndedAt?.AddDays(options.DeleteAfterDays));
}
