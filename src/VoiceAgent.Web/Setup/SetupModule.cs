using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Setup;

/// <summary>The setup wizard (issue #15): its services, and a small API to read, skip and resume it.</summary>
public static class SetupModule
{
    public sealed record SetupDto(int Step, string? Number, bool Open, DateTimeOffset? SkippedAt, DateTimeOffset? CompletedAt,
        IReadOnlyList<string> Done);

    public static IServiceCollection AddSetupWizard(this IServiceCollection services)
    {
        services.AddScoped<SetupWizard>();
        services.AddScoped<SetupPublisher>();
        services.AddScoped<SetupTestCallTargets>();
        // The test call's webhooks go to this app; Twilio would give up on a webhook after about 15 s.
        services.AddHttpClient(nameof(SetupTestCall), c => c.Timeout = TimeSpan.FromSeconds(15));
        return services;
    }

    public static void MapSetupApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant/setup").WithTags("Tenant").RequireAuthorization(PortalSecurity.TenantAdminPolicy)
            .AddEndpointFilter<CookieAntiforgeryFilter>().WithMetadata(new RequiresApprovedTenantAttribute());
        group.MapGet("/", GetAsync).WithName("GetSetupWizard");
        group.MapPost("/skip", SkipAsync).WithName("SkipSetupWizard");
        group.MapPost("/resume", ResumeAsync).WithName("ResumeSetupWizard");
    }

    internal static async Task<Ok<SetupDto>> GetAsync(ClaimsPrincipal user, SetupWizard wizard, CancellationToken ct)
    {
        var tenantId = user.TenantId()!.Value;
        var state = await wizard.GetAsync(tenantId, ct);
        return TypedResults.Ok(new SetupDto(state.Step, state.Number, await wizard.IsOpenAsync(tenantId, ct), state.SkippedAt, state.CompletedAt,
            Enum.GetValues<SetupStep>().Where(s => SetupWizard.IsDone(state, s)).Select(s => s.ToString().ToLowerInvariant()).ToList()));
    }

    internal static async Task<Ok<SetupDto>> SkipAsync(ClaimsPrincipal user, SetupWizard wizard, CancellationToken ct)
    {
        await wizard.SkipAsync(user.TenantId()!.Value, user.Actor(), ct);
        return await GetAsync(user, wizard, ct);
    }

    internal static async Task<Ok<SetupDto>> ResumeAsync(ClaimsPrincipal user, SetupWizard wizard, CancellationToken ct)
    {
        await wizard.ResumeAsync(user.TenantId()!.Value, user.Actor(), ct);
        return await GetAsync(user, wizard, ct);
    }
}
