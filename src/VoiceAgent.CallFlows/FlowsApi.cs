using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Diff;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.CallFlows;

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

    /// <summary>A spoken answer in the test console: what speech recognition heard and the turn that text took (the same
    /// fields as <see cref="SimulationService.TurnResult"/>). When nothing intelligible was heard, <paramref name="Heard"/>
    /// is empty, <paramref name="Hint"/> says so and no turn is taken (the session's state, no lines).</summary>
    public sealed record SpeechTurnResult(string Heard, string? Hint, Guid SessionId, int Version, string Status, IReadOnlyList<string> Lines,
        IReadOnlyList<string> Visited, string? CurrentNodeId, string? WaitingFor, JsonObject Variables, IReadOnlyList<Incident> Incidents,
        IReadOnlyList<string> Transfers)
    {
        public static SpeechTurnResult From(string heard, string? hint, SimulationService.TurnResult turn) =>
            new(heard, hint, turn.SessionId, turn.Version, turn.Status, turn.Lines, turn.Visited, turn.CurrentNodeId, turn.WaitingFor,
                turn.Variables, turn.Incidents, turn.Transfers);
    }

    /// <summary>What a recording may be declared as (browsers and tools differ); the body must still parse as WAV.</summary>
    private static readonly string[] WavMediaTypes = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"];

    public static void MapFlowsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/activities", ListActivities)
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
        group.MapPost("/{id:guid}/simulations/{sessionId:guid}/speech", Speech).WithName("SimulationSpeech");
    }

    internal static Ok<IReadOnlyList<ActivityDescriptor>> ListActivities([AsParameters] FlowsApiServices services) =>
        TypedResults.Ok(services.Registry.Descriptors);

    internal static async Task<Ok<List<FlowSummary>>> List([AsParameters] FlowsApiServices services, CancellationToken ct) =>
        TypedResults.Ok(await SummariesAsync(services.Db, ct));

    /// <summary>The tenant's flows by name (also the flows page's rows).</summary>
    public static async Task<List<FlowSummary>> SummariesAsync(VoiceAgentDb db, CancellationToken ct)
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

    internal static async Task<Results<Created<FlowSummary>, ProblemHttpResult, ValidationProblem>> Create(CreateFlowRequest body,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Flows.CreateAsync(user.TenantId()!.Value, body.Name, DefinitionText(body.Definition), user.Actor(), ct);
        return outcome.ToResults(NewFlowCreated);
    }

    internal static async Task<Results<Ok<FlowDetail>, ProblemHttpResult>> Get(Guid id, [AsParameters] FlowsApiServices services,
        CancellationToken ct)
    {
        var detail = await FlowVersions.DetailAsync(services.Db, id, ct);
        return detail is null ? Problems.NotFound() : TypedResults.Ok(detail);
    }

    internal static async Task<Results<Ok<VersionDetail>, ProblemHttpResult>> GetVersion(Guid id, int version,
        [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var v = await services.Db.FlowVersions.AsNoTracking().SingleOrDefaultAsync(x => x.FlowId == id && x.Version == version, ct);
        return v is null
            ? Problems.NotFound()
            : TypedResults.Ok(new VersionDetail(v.Version, Status(v.Status), JsonNode.Parse(v.Definition),
                FlowValidator.Validate(FlowJson.Parse(v.Definition), services.Registry), v.Revision));
    }

    internal static async Task<Results<Ok<SavedDraft>, ProblemHttpResult, ValidationProblem>> SaveDraft(Guid id, SaveDraftRequest body,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
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
        return DraftResult(await services.Flows.SaveDraftAsync(id, text, basedOn, user.Actor(), ct));
    }

    internal static async Task<Results<Ok<SavedDraft>, ProblemHttpResult, ValidationProblem>> Import(Guid id, ImportRequest body,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        if (!TryReadRevision(body.Revision, out var revision))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["revision"] = [Texts.Get("Flows.InvalidRevision")] });
        }

        return DraftResult(await services.Flows.ImportAsync(id, text, revision, user.Actor(), ct));
    }

    internal static async Task<Results<Ok<FlowSummary>, ProblemHttpResult, ValidationProblem>> Rename(Guid id, NameRequest body,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Flows.RenameAsync(id, body.Name, user.Actor(), ct);
        return await outcome.ToResultsAsync(async flow => TypedResults.Ok(await SummaryAsync(services.Db, flow, ct)));
    }

    internal static async Task<Results<Created<FlowSummary>, ProblemHttpResult, ValidationProblem>> Duplicate(Guid id, NameRequest? body,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Flows.DuplicateAsync(id, body?.Name, user.Actor(), ct);
        return outcome.ToResults(NewFlowCreated);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> Delete(Guid id, ClaimsPrincipal user,
        [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Flows.DeleteAsync(id, user.Actor(), ct);
        return outcome.ToResults(_ => TypedResults.NoContent());
    }

    /// <summary>The version's definition in the engine format as a download named after the flow.</summary>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> Export(Guid id, int version, HttpResponse response,
        [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        if (await FlowVersions.ExportAsync(services.Db, id, version, ct) is not { } file)
        {
            return Problems.NotFound();
        }

        response.Headers.ContentDisposition = $"attachment; filename=\"{file.FileName}\"";
        return TypedResults.Text(file.Text, "application/json", Encoding.UTF8);
    }

    internal static async Task<Results<Ok<FlowDiffResult>, ProblemHttpResult, ValidationProblem>> Diff(Guid id, int? from, int? to,
        [AsParameters] FlowsApiServices services, CancellationToken ct)
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

        var diff = await FlowVersions.DiffAsync(services.Db, id, from.Value, to.Value, ct);
        return diff is null ? Problems.NotFound() : TypedResults.Ok(diff);
    }

    /// <summary>The pickers' choices, and whether the test console may offer the microphone (a speech-to-text engine is
    /// configured, as for realtime calls).</summary>
    internal static async Task<Ok<DesignerOptionsResult>> GetDesignerOptions(ClaimsPrincipal user, [AsParameters] FlowsApiServices services,
        CancellationToken ct)
    {
        var result = await services.DesignerOptions.GetAsync(user.TenantId()!.Value, ct);
        return TypedResults.Ok(result with { SpeechToText = (await services.Speech.GetAsync(ct)).Stt is not null });
    }

    internal static Results<Ok<ValidationResult>, ValidationProblem> Validate(DefinitionRequest body, [AsParameters] FlowsApiServices services)
    {
        if (DefinitionText(body.Definition) is not { } text)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Validation.Required")] });
        }

        try
        {
            var errors = FlowValidator.Validate(FlowJson.Parse(text), services.Registry);
            return TypedResults.Ok(new ValidationResult(errors.Count == 0, errors));
        }
        catch (JsonException)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["definition"] = [Texts.Get("Flows.InvalidJson")] });
        }
    }

    internal static async Task<Results<Ok<VersionSummary>, ProblemHttpResult, ValidationProblem>> Stage(Guid id, int version,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct) =>
        (await services.Flows.StageAsync(id, version, user.Actor(), ct)).ToResults(v => TypedResults.Ok(Summary(v)));

    internal static async Task<Results<Ok<VersionSummary>, ProblemHttpResult, ValidationProblem>> Publish(Guid id, int version,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct) =>
        (await services.Flows.PublishAsync(id, version, user.Actor(), ct)).ToResults(v => TypedResults.Ok(Summary(v)));

    internal static async Task<Results<Ok<VersionSummary>, ProblemHttpResult, ValidationProblem>> Rollback(Guid id, int version,
        ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct) =>
        (await services.Flows.RollbackAsync(id, version, user.Actor(), ct)).ToResults(v => TypedResults.Ok(Summary(v)));

    internal static async Task<Results<Created<SimulationService.TurnResult>, ProblemHttpResult, ValidationProblem>> StartSimulation(Guid id,
        StartSimulationRequest? body, ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Simulator.StartAsync(user.TenantId()!.Value, id, body?.Version, body?.CallerNumber, ct);
        return outcome.ToResults(turn => TypedResults.Created($"/api/flows/{id}/simulations/{turn.SessionId}", turn));
    }

    internal static async Task<Results<Ok<SimulationService.TurnResult>, ProblemHttpResult, ValidationProblem>> Turn(Guid id, Guid sessionId,
        TurnRequest body, ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Simulator.TurnAsync(user.TenantId()!.Value, id, sessionId, body.Text, body.Dial, ct);
        return outcome.ToResults(turn => TypedResults.Ok(turn));
    }

    /// <summary>
    /// A spoken answer: a WAV recording (16-bit PCM, mono or stereo, any rate from 8 kHz; at most
    /// <see cref="RequestLimits.MaxSpeechSeconds"/> s and <see cref="RequestLimits.MaxSpeechBody"/> bytes) is resampled to
    /// 8 kHz, transcribed by the configured speech-to-text engine and then taken as the typed text would be.
    /// 409 without an engine (or when the conversation has ended), 413 too long, 415 not declared as WAV, 400 not WAV,
    /// 503 when recognition fails; nothing intelligible → 200 with an empty <c>heard</c>, a hint and no turn.
    /// </summary>
    internal static async Task<Results<Ok<SpeechTurnResult>, ProblemHttpResult, ValidationProblem>> Speech(Guid id, Guid sessionId,
        HttpRequest request, ClaimsPrincipal user, [AsParameters] FlowsApiServices services, CancellationToken ct)
    {
        var stt = await services.SimulatorSpeech.RecognitionAsync(user.TenantId()!.Value, ct);
        if (stt is null)
        {
            return Problems.Conflict(Texts.Get("Simulation.NoSpeechToText"));
        }

        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !WavMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, Texts.Get("Simulation.SpeechMediaType"));
        }

        if (await ReadCappedAsync(request, RequestLimits.MaxSpeechBody, ct) is not { } body)
        {
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, RequestLimits.SpeechTooLargeMessage());
        }

        var spoken = await services.SimulatorSpeech.TakeAsync(stt, user.TenantId()!.Value, id, sessionId, body, ct);
        return spoken.Refusal switch
        {
            SpeechRefusal.NoSpeechToText => Problems.Conflict(spoken.Message!),
            SpeechRefusal.TooLarge => Problems.Status(StatusCodes.Status413PayloadTooLarge, spoken.Message!),
            SpeechRefusal.InvalidAudio => Problems.Status(StatusCodes.Status400BadRequest, spoken.Message!),
            SpeechRefusal.RecognitionFailed => Problems.Status(StatusCodes.Status503ServiceUnavailable, spoken.Message!),
            _ => spoken.Turn!.ToResults(turn => TypedResults.Ok(turn)),
        };
    }

    /// <returns>The body, or null when it is longer than <paramref name="cap"/> (a declared length is checked first; a
    /// chunked body is read until the cap, or until Kestrel's own limit stops it).</returns>
    private static async Task<byte[]?> ReadCappedAsync(HttpRequest request, long cap, CancellationToken ct)
    {
        if (request.ContentLength > cap)
        {
            return null;
        }

        using var copy = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (copy.Length + read > cap)
                {
                    return null;
                }

                copy.Write(buffer, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return copy.ToArray();
    }

    private static Created<FlowSummary> NewFlowCreated(Flow flow) =>
        TypedResults.Created($"/api/flows/{flow.Id}", new FlowSummary(flow.Id, flow.Name, null, 1, flow.UpdatedAt, []));

    private static VersionSummary Summary(FlowVersion v) => FlowVersions.Summary(v);

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
    private static Results<Ok<SavedDraft>, ProblemHttpResult, ValidationProblem> DraftResult(Outcome<FlowService.SavedVersion> outcome)
    {
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

        return outcome.ToResults(saved =>
            TypedResults.Ok(new SavedDraft(saved.Version.Version, Status(saved.Version.Status), saved.Errors, saved.Version.Revision)));
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

    private static string Status(FlowVersionStatus status) => FlowVersions.StatusName(status);

    // The definition may be sent as a JSON object or as a string containing JSON.
    private static string? DefinitionText(JsonElement? definition) => definition switch
    {
        { ValueKind: JsonValueKind.Object } d => d.GetRawText(),
        { ValueKind: JsonValueKind.String } d => d.GetString(),
        _ => null,
    };
}

/// <summary>The services the flow endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record FlowsApiServices(VoiceAgentDb Db, FlowService Flows, SimulationService Simulator, SimulationSpeech SimulatorSpeech,
    ActivityRegistry Registry, DesignerOptions DesignerOptions, ISpeechEngines Speech);
