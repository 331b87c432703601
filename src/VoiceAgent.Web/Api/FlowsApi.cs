using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Diff;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.CallFlows;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Infrastructure;

namespace VoiceAgent.Web.Api;

public static class FlowsApi
{
    /// <param name="Numbers">The active numbers bound to the flow (E.164).</param>
    public sealed record FlowSummary(Guid Id, string Name, int? LiveVersion, int? DraftVersion, DateTimeOffset UpdatedAt, IReadOnlyList<string> Numbers);

    public sealed record VersionSummary(int Version, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? CreatedBy,
        DateTimeOffset? PublishedAt, string? PublishedBy, int Revision);

    public sealed record FlowDetail(Guid Id, string Name, IReadOnlyList<VersionSummary> Versions);

    public sealed record VersionDetail(int Version, string Status, JsonNode? Definition, IReadOnlyList<ValidationError> Errors, int Revision);

    public sealed record SavedDraft(int Version, string Status, IReadOnlyList<ValidationError> Errors, int Revision);

    public sealed record CreateFlowRequest(string? Name, JsonElement? Definition);

    public sealed record DefinitionRequest(JsonElement? Definition);

    /// <param name="Revision">The draft revision the editor loaded, or null when it started from a non-draft version. A body
    /// without the property (older clients, CLI) saves without a concurrency check.</param>
    public sealed record SaveDraftRequest(JsonElement? Definition, JsonElement Revision);

    /// <param name="Revision">Required to replace an existing draft (its current revision); missing means null.</param>
    public sealed record ImportRequest(JsonElement? Definition, JsonElement Revision);

    public sealed record NameRequest(string? Name);

    public sealed record ValidationResult(bool Valid, IReadOnlyList<ValidationError> Errors);

    public sealed record StartSimulationRequest(int? Version, string? CallerNumber);

    public sealed record TurnRequest(string? Text, string? Dial);

    public static void MapFlowsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/activities", (ActivityRegistry registry) => TypedResults.Ok(registry.Descriptors))
            .WithName("ListActivities").WithTags("Flows").RequireAuthorization().WithMetadata(new NoTenantScopeAttribute());

        var group = routes.MapGroup("/api/flows").WithTags("Flows")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute())
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        group.MapGet("", List).WithName("ListFlows");
        group.MapPost("", Create).WithName("CreateFlow");
        group.MapGet("/{id:guid}", Get).WithName("GetFlow");
        group.MapGet("/{id:guid}/versions/{version:int}", GetVersion).WithName("GetFlowVersion");
        group.MapPatch("/{id:guid}", Rename).WithName("RenameFlow");
        group.MapDelete("/{id:guid}", Delete).WithName("DeleteFlow").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/{id:guid}/duplicate", Duplicate).WithName("DuplicateFlow");
        group.MapPut("/{id:guid}/draft", SaveDraft).WithName("SaveFlowDraft");
        group.MapPost("/{id:guid}/import", Import).WithName("ImportFlow");
        group.MapGet("/{id:guid}/versions/{version:int}/export", Export).WithName("ExportFlowVersion");
        group.MapGet("/{id:guid}/diff", Diff).WithName("DiffFlowVersions");
        group.MapGet("/designer-options", GetDesignerOptions).WithName("GetDesignerOptions");
        group.MapPost("/validate", Validate).WithName("ValidateFlow");
        group.MapPost("/{id:guid}/versions/{version:int}/stage", Stage).WithName("StageFlowVersion");
        group.MapPost("/{id:guid}/versions/{version:int}/publish", Publish).WithName("PublishFlowVersion")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/{id:guid}/versions/{version:int}/rollback", Rollback).WithName("RollbackFlowVersion")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/{id:guid}/simulations", StartSimulation).WithName("StartSimulation");
        group.MapPost("/{id:guid}/simulations/{sessionId:guid}/turns", Turn).WithName("SimulationTurn");
    }

    internal static async Task<Ok<List<FlowSummary>>> List(VoiceAgentDb db, CancellationToken ct) => TypedResults.Ok(await SummariesAsync(db, ct));

    /// <summary>The tenant's flows by name (also the flows page's rows).</summary>
    internal static async Task<List<FlowSummary>> SummariesAsync(VoiceAgentDb db, CancellationToken ct)
    {
        var flows = await db.Flows.AsNoTracking().OrderBy(f => f.Name).ToListAsync(ct);
        var versions = await db.FlowVersions.AsNoTracking()
            .Where(v => v.Status == FlowVersionStatus.Live || v.Status == FlowVersionStatus.Draft)
            .Select(v => new { v.FlowId, v.Version, v.Status }).ToListAsync(ct);
        var numbers = await BoundNumbersAsync(db, null, ct);
        return flows.Select(f => new FlowSummary(f.Id, f.Name,
            versions.FirstOrDefault(v => v.FlowId == f.Id && v.Status == FlowVersionStatus.Live)?.Version,
            versions.FirstOrDefault(v => v.FlowId == f.Id && v.Status == FlowVersionStatus.Draft)?.Version, f.UpdatedAt,
            numbers.GetValueOrDefault(f.Id) ?? [])).ToList();
    }

    /// <summary>Active number bindings (E.164, sorted) by flow; all of the tenant's flows, or one.</summary>
    internal static async Task<Dictionary<Guid, List<string>>> BoundNumbersAsync(VoiceAgentDb db, Guid? flowId, CancellationToken ct)
    {
        var rows = await db.PhoneNumbers.AsNoTracking().Where(n => n.ReleasedAt == null && (flowId == null || n.FlowId == flowId))
            .OrderBy(n => n.Number).Select(n => new { n.FlowId, n.Number }).ToListAsync(ct);
        return rows.Where(n => n.FlowId != null).GroupBy(n => n.FlowId!.Value).ToDictionary(g => g.Key, g => g.Select(n => n.Number).ToList());
    }

    internal static async Task<IResult> Create(CreateFlowRequest body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        var outcome = await flows.CreateAsync(user.TenantId()!.Value, body.Name, DefinitionText(body.Definition), user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Created($"/api/flows/{outcome.Value!.Id}", new FlowSummary(outcome.Value.Id, outcome.Value.Name, null, 1, outcome.Value.UpdatedAt, []))
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
        return TypedResults.Ok(new FlowDetail(flow.Id, flow.Name, versions.Select(Summary).ToList()));
    }

    internal static async Task<Results<Ok<VersionDetail>, ProblemHttpResult>> GetVersion(Guid id, int version, VoiceAgentDb db,
        ActivityRegistry registry, CancellationToken ct)
    {
        var v = await db.FlowVersions.AsNoTracking().SingleOrDefaultAsync(x => x.FlowId == id && x.Version == version, ct);
        return v is null
            ? Problems.NotFound()
            : TypedResults.Ok(new VersionDetail(v.Version, Status(v.Status), JsonNode.Parse(v.Definition),
                FlowValidator.Validate(FlowJson.Parse(v.Definition), registry), v.Revision));
    }

    internal static async Task<IResult> SaveDraft(Guid id, SaveDraftRequest body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        if (!TryReadRevision(body.Revision, out var revision))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["revision"] = [Texts.Get("Flows.InvalidRevision")] });
        }

        var basedOn = body.Revision.ValueKind == JsonValueKind.Undefined ? DraftBase.Unchecked : DraftBase.From(revision);
        return DraftResult(await flows.SaveDraftAsync(id, text, basedOn, user.Actor(), ct));
    }

    internal static async Task<IResult> Import(Guid id, ImportRequest body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        if (!TryReadRevision(body.Revision, out var revision))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["revision"] = [Texts.Get("Flows.InvalidRevision")] });
        }

        return DraftResult(await flows.ImportAsync(id, text, revision, user.Actor(), ct));
    }

    internal static async Task<IResult> Rename(Guid id, NameRequest body, ClaimsPrincipal user, FlowService flows, VoiceAgentDb db, CancellationToken ct)
    {
        var outcome = await flows.RenameAsync(id, body.Name, user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(await SummaryAsync(db, outcome.Value!, ct)) : Problems.From(outcome);
    }

    internal static async Task<IResult> Duplicate(Guid id, NameRequest? body, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        var outcome = await flows.DuplicateAsync(id, body?.Name, user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Created($"/api/flows/{outcome.Value!.Id}", new FlowSummary(outcome.Value.Id, outcome.Value.Name, null, 1, outcome.Value.UpdatedAt, []))
            : Problems.From(outcome);
    }

    internal static async Task<IResult> Delete(Guid id, ClaimsPrincipal user, FlowService flows, CancellationToken ct)
    {
        var outcome = await flows.DeleteAsync(id, user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.NoContent() : Problems.From(outcome);
    }

    /// <summary>The version's definition in the engine format as a download named after the flow.</summary>
    internal static async Task<IResult> Export(Guid id, int version, VoiceAgentDb db, HttpContext context, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
        var stored = flow is null ? null
            : await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == id && v.Version == version).Select(v => v.Definition).SingleOrDefaultAsync(ct);
        if (flow is null || stored is null)
        {
            return Problems.NotFound();
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{ExportFileName(flow.Name, version)}\"";
        return TypedResults.Text(FlowJson.Write(FlowJson.Parse(stored)), "application/json", Encoding.UTF8);
    }

    internal static async Task<IResult> Diff(Guid id, int? from, int? to, VoiceAgentDb db, CancellationToken ct)
    {
        if (from is null || to is null)
        {
            string[] required = [Texts.Get("Validation.Required")];
            var errors = new Dictionary<string, string[]>();
            if (from is null)
            {
                errors["from"] = required;
            }

            if (to is null)
            {
                errors["to"] = required;
            }

            return Problems.Validation(errors);
        }

        var definitions = await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == id && (v.Version == from || v.Version == to))
            .ToDictionaryAsync(v => v.Version, v => v.Definition, ct);
        if (!definitions.TryGetValue(from.Value, out var before) || !definitions.TryGetValue(to.Value, out var after))
        {
            return Problems.NotFound();
        }

        return TypedResults.Ok(FlowDiff.Compare(FlowJson.Parse(before), FlowJson.Parse(after)));
    }

    internal static async Task<Ok<DesignerOptionsResult>> GetDesignerOptions(ClaimsPrincipal user, DesignerOptions options, CancellationToken ct) =>
        TypedResults.Ok(await options.GetAsync(user.TenantId()!.Value, ct));

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
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(Summary(outcome.Value!)) : Problems.From(outcome);
    }

    private static VersionSummary Summary(FlowVersion v) =>
        new(v.Version, Status(v.Status), v.CreatedAt, v.UpdatedAt, v.CreatedBy, v.PublishedAt, v.PublishedBy, v.Revision);

    private static async Task<FlowSummary> SummaryAsync(VoiceAgentDb db, Flow flow, CancellationToken ct)
    {
        var versions = await db.FlowVersions.AsNoTracking()
            .Where(v => v.FlowId == flow.Id && (v.Status == FlowVersionStatus.Live || v.Status == FlowVersionStatus.Draft))
            .Select(v => new { v.Version, v.Status }).ToListAsync(ct);
        var numbers = await BoundNumbersAsync(db, flow.Id, ct);
        return new FlowSummary(flow.Id, flow.Name, versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Live)?.Version,
            versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Draft)?.Version, flow.UpdatedAt, numbers.GetValueOrDefault(flow.Id) ?? []);
    }

    /// <summary>Saved → <see cref="SavedDraft"/>; a draft conflict → 409 whose extensions say which revision is current.</summary>
    private static IResult DraftResult(Outcome<FlowService.SavedVersion> outcome)
    {
        if (outcome.Kind == OutcomeKind.Ok)
        {
            var v = outcome.Value!.Version;
            return TypedResults.Ok(new SavedDraft(v.Version, Status(v.Status), outcome.Value.Errors, v.Revision));
        }

        if (outcome is { Kind: OutcomeKind.Conflict, Value: { } current })
        {
            return TypedResults.Problem(title: Texts.Get("Flows.DraftConflictTitle"), detail: outcome.Message,
                statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?>
                {
                    ["currentRevision"] = current.Version.Revision,
                    ["version"] = current.Version.Version,
                    ["updatedBy"] = current.Version.UpdatedBy,
                    ["updatedAt"] = current.Version.UpdatedAt,
                });
        }

        return Problems.From(outcome);
    }

    // Missing (Undefined) and null both read as null; the caller decides what a missing property means.
    private static bool TryReadRevision(JsonElement revision, out int? value)
    {
        value = null;
        switch (revision.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return true;
            case JsonValueKind.Number when revision.TryGetInt32(out var number) && number >= 1:
                value = number;
                return true;
            default:
                return false;
        }
    }

    /// <summary>"Terminannahme Müller & Söhne", 3 → "Terminannahme-Mueller-Soehne-v3.json": ASCII letters, digits, '-', '_' and '.'.</summary>
    internal static string ExportFileName(string flowName, int version)
    {
        var text = flowName.Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue").Replace("Ä", "Ae").Replace("Ö", "Oe")
            .Replace("Ü", "Ue").Replace("ß", "ss").Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                builder.Append(c);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var stem = builder.ToString().Trim('-', '.');
        stem = stem.Length > 80 ? stem[..80].TrimEnd('-', '.') : stem;
        return $"{(stem.Length == 0 ? "ablauf" : stem)}-v{version}.json";
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
