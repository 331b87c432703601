using Microsoft.AspNetCore.Http.HttpResults;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Call replay as JSON: a stored run's steps with the version that ran (see <see cref="FlowReplay"/>). A phone call by its id
/// (next to <c>GET /api/tenant/calls/{id}</c>), a test-console session by its flow and session id. Another tenant's id is 404.
/// </summary>
public static class ReplayApi
{
    public static void MapReplayApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/tenant/calls/{callId:guid}/replay", ForCall).WithName("GetCallReplay").WithTags("Flows")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute())
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        routes.MapGet("/api/flows/{flowId:guid}/sessions/{sessionId:guid}/replay", ForSession).WithName("GetSessionReplay").WithTags("Flows")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute())
            .AddEndpointFilter<CookieAntiforgeryFilter>();
    }

    internal static async Task<Results<Ok<FlowReplay>, ProblemHttpResult>> ForCall(Guid callId, ReplayQuery replays, CancellationToken ct) =>
        await replays.ForCallAsync(callId, ct) is { } replay ? TypedResults.Ok(replay) : Problems.NotFound();

    internal static async Task<Results<Ok<FlowReplay>, ProblemHttpResult>> ForSession(Guid flowId, Guid sessionId, ReplayQuery replays,
        CancellationToken ct) =>
        await replays.ForSessionAsync(flowId, sessionId, ct) is { } replay ? TypedResults.Ok(replay) : Problems.NotFound();
}
