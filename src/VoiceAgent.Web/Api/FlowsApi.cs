using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.CallFlows;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Infrastructure;

namespace VoiceAgent.Web.Api;

public static class FlowsApi
{
    public sealed record FlowSummary(Guid Id, string Name, int? LiveVersion, int? DraftVersion, DateTimeOffset UpdatedAt);

    public sealed record VersionSummary(int Version, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? CreatedBy,
        DateTimeOffset? PublishedAt, string? PublishedBy);

    public sealed record FlowDetail(Guid Id, string Name, IReadOnlyList<VersionSummary> Versions);

    public sealed record VersionDetail(int Version, string Status, JsonNode? Definition, IReadOnlyList<ValidationError> Errors);

    public sealed record CreateFlowRequest(string? Name, JsonElement? Definition);

    public sealed record DefinitionRequest(JsonElement? Definition);

    public sealed record ValidationResult(bool Valid, IReadOnlyList<ValidationError> Errors);

    public sealed record StartSimulationRequest(int? Version, string? CallerNumber);

    public sealed record TurnRequest(string? Text, string? Dial);

    public static void MapFlowsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/activities", (ActivityRegistry registry) => TypedResults.Ok(registry.Descriptors))
            .WithName("ListActivities").WithTags("Flows").RequireAuthorization().WithMetadata(new NoTenantScopeAttribute());

        var group = routes.MapGroup("/api/flows").WithTags("Flows")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute());
        group.MapGet("", List).WithName("ListFlows");
        group.MapPost("", Create).WithName("CreateFlow");
        group.MapGet("/{id:guid}", Get).WithName("GetFlow");
        group.MapGet("/{id:guid}/versions/{version:int}", GetVersion).WithName("GetFlowVersion");
        group.MapPut("/{id:guid}/draft", SaveDraft).WithName("SaveFlowDraft");
        group.MapPost("/validate", Validate).WithName("ValidateFlow");
        group.MapPost("/{id:guid}/versions/{version:int}/stage", Stage).WithName("StageFlowVersion");
        group.MapPost("/{id:guid}/versions/{version:int}/publish", Publish).WithName("PublishFlowVersion")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/{id:guid}/versions/{version:int}/rollback", Rollback).WithName("RollbackFlowVersion")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/{id:guid}/simulations", StartSimulation).WithName("StartSimulation");
        group.MapPost("/{id:guid}/simulations/{sessionId:guid}/turns", Turn).WithName("SimulationTurn");
    }

    internal static async Task<Ok<List<FlowSummary>>> List(VoiceAgentDb db, CancellationToken ct)
    {
        var flows = await db.Flows.AsNoTracking().OrderBy(f => f.Name).ToListAsync(ct);
        var versions = await db.FlowVersions.AsNoTracking()
            .Where(v => v.Status == FlowVersionStatus.Live || v.Status == FlowVersionStatus.Draft)
            .Select(v => new { v.FlowId, v.Version, v.Status }).ToListAsync(ct);
        return TypedResults.Ok(flows.Select(f => new FlowSummary(f.Id, f.Name,
            versions.FirstOrDefault(v => v.FlowId == f.Id && v.Status == FlowVersionStatus.Live)?.Version,
            versions.FirstOrDefault(v => v.FlowId == f.Id && v.Status == FlowVersionStatus.Draft)?.Version, f.UpdatedAt)).ToList());
    }

    internal static async Task<IResult> Create(CreateFlowRequest body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        var outcome = await flows.CreateAsync(user.TenantId()!.Value, body.Name, DefinitionText(body.Definition), user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Created($"/api/flows/{outcome.Value!.Id}", new FlowSummary(outcome.Value.Id, outcome.Value.Name, null, 1, outcome.Value.UpdatedAt))
            : Problems.From(outcome);
    }

    internal static async Task<Results<Ok<FlowDetail>, ProblemHttpResult>> Get(Guid id, VoiceAgentDb db, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
        if (flow is null)
        {
            return Problems.NotFound();
        }

        var versions = await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == id).OrderByDescending(v => v.Version).ToListAsync(ct);
        return TypedResults.Ok(new FlowDetail(flow.Id, flow.Name, versions.Select(v => new VersionSummary(v.Version, Status(v.Status),
            v.CreatedAt, v.UpdatedAt, v.CreatedBy, v.PublishedAt, v.PublishedBy)).ToList()));
    }

    internal static async Task<Results<Ok<VersionDetail>, ProblemHttpResult>> GetVersion(Guid id, int version, VoiceAgentDb db,
        ActivityRegistry registry, CancellationToken ct)
    {
        var v = await db.FlowVersions.AsNoTracking().SingleOrDefaultAsync(x => x.FlowId == id && x.Version == version, ct);
        return v is null
            ? Problems.NotFound()
            : TypedResults.Ok(new VersionDetail(v.Version, Status(v.Status), JsonNode.Parse(v.Definition),
                FlowValidator.Validate(FlowJson.Parse(v.Definition), registry)));
    }

    internal static async Task<IResult> SaveDraft(Guid id, DefinitionRequest body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        var outcome = await flows.SaveDraftAsync(id, text, user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Ok(new VersionDetail(outcome.Value!.Version.Version, Status(outcome.Value.Version.Status), null, outcome.Value.Errors))
            : Problems.From(outcome);
    }

    internal static IResult Validate(DefinitionRequest body, ActivityRegistry registry)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        try
        {
            var errors = FlowValidator.Validate(FlowJson.Parse(text), registry);
            return TypedResults.Ok(new ValidationResult(errors.Count == 0, errors));
        }
        catch (JsonException)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Flows.InvalidJson")] });
        }
    }

    internal static Task<IResult> Stage(Guid id, int version, ClaimsPrincipal user, FlowService flows, CancellationToken ct) =>
        VersionResult(flows.StageAsync(id, version, user.Actor(), ct));

    internal static Task<IResult> Publish(Guid id, int version, ClaimsPrincipal user, FlowService flows, CancellationToken ct) =>
        VersionResult(flows.PublishAsync(id, version, user.Actor(), ct));

    internal static Task<IResult> Rollback(Guid id, int version, ClaimsPrincipal user, FlowService flows, CancellationToken ct) =>
        VersionResult(flows.RollbackAsync(id, version, user.Actor(), ct));

    internal static async Task<IResult> StartSimulation(Guid id, StartSimulationRequest? body, ClaimsPrincipal user, SimulationService simulator,
        CancellationToken ct)
    {
        var outcome = await simulator.StartAsync(user.TenantId()!.Value, id, body?.Version, body?.CallerNumber, ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Created($"/api/flows/{id}/simulations/{outcome.Value!.SessionId}", outcome.Value)
            : Problems.From(outcome);
    }

    internal static async Task<IResult> Turn(Guid id, Guid sessionId, TurnRequest body, ClaimsPrincipal user, SimulationService simulator,
        CancellationToken ct)
    {
        var outcome = await simulator.TurnAsync(user.TenantId()!.Value, id, sessionId, body.Text, body.Dial, ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(outcome.Value) : Problems.From(outcome);
    }

    private static async Task<IResult> VersionResult(Task<Outcome<FlowVersion>> operation)
    {
        var outcome = await operation;
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Ok(new VersionSummary(outcome.Value!.Version, Status(outcome.Value.Status), outcome.Value.CreatedAt,
                outcome.Value.UpdatedAt, outcome.Value.CreatedBy, outcome.Value.PublishedAt, outcome.Value.PublishedBy))
            : Problems.From(outcome);
    }

    private static string Status(FlowVersionStatus status) => status.ToString().ToLowerInvariant();

    // The definition may be sent as a JSON object or as a string containing JSON.
    private static string? DefinitionText(JsonElement? definition) => definition switch
    {
        { ValueKind: JsonValueKind.Object } d => d.GetRawText(),
        { ValueKind: JsonValueKind.String } d => d.GetString(),
        _ => null,
    };
}
