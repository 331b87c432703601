using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Data;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Auditing;

namespace VoiceAgent.Telephony;

/// <summary>The tenant's phone numbers and call history.</summary>
public static class TelephonyApi
{
    public sealed record NumberDto(Guid Id, string Number, string Display, string Provider, Guid? FlowId, DateTimeOffset BoundAt, string? BoundBy,
        DateTimeOffset? ReleasedAt, string? ReleasedBy)
    {
        public static NumberDto From(PhoneNumber n) =>
            new(n.Id, n.Number, Platform.Numbers.PhoneNumbers.Display(n.Number), n.Provider, n.FlowId, n.BoundAt, n.BoundBy, n.ReleasedAt, n.ReleasedBy);
    }

    public sealed record BindRequest(string? Number, string? Region, string? Provider, Guid? FlowId);

    public sealed record RepointRequest(Guid? FlowId);

    public sealed record CallDto(Guid Id, string Provider, string? From, string To, string Mode, string Status, string? Outcome, DateTimeOffset StartedAt,
        DateTimeOffset? EndedAt, int? DurationSeconds, int BotSeconds, int ForwardSeconds, IReadOnlyList<int> TurnLatenciesMs);

    /// <summary>The tenant's own Twilio account; the auth token is never returned, only its hint.</summary>
    public sealed record TwilioAccountDto(bool Connected, string? AccountSid, string? TokenHint, DateTimeOffset? VerifiedAt, string? UpdatedBy);

    public sealed record TwilioAccountRequest(string? AccountSid, string? AuthToken);

    public sealed record CallDetailDto(CallDto Call, IReadOnlyList<TranscriptEntry> Transcript);

    public static void MapTelephonyApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant").WithTags("Telephony").AddEndpointFilter<CookieAntiforgeryFilter>()
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute());
        group.MapGet("/numbers", ListNumbers).WithName("ListNumbers");
        group.MapPost("/numbers", Bind).WithName("BindNumber").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPut("/numbers/{id:guid}", Repoint).WithName("RepointNumber").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapDelete("/numbers/{id:guid}", Release).WithName("ReleaseNumber").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapGet("/twilio-account", GetTwilioAccount).WithName("GetTwilioAccount");
        group.MapPut("/twilio-account", ConnectTwilioAccount).WithName("ConnectTwilioAccount").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapDelete("/twilio-account", DisconnectTwilioAccount).WithName("DisconnectTwilioAccount")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapGet("/calls", ListCalls).WithName("ListCalls");
        group.MapGet("/calls/{id:guid}", GetCall).WithName("GetCall");
    }

    internal static async Task<Ok<List<NumberDto>>> ListNumbers(bool? history, [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        var query = services.Db.PhoneNumbers.AsNoTracking();
        if (history != true)
        {
            query = query.Where(n => n.ReleasedAt == null);
        }

        var numbers = await query.OrderBy(n => n.Number).ThenByDescending(n => n.BoundAt).ToListAsync(ct);
        return TypedResults.Ok(numbers.Select(NumberDto.From).ToList());
    }

    internal static async Task<Results<Created<NumberDto>, ProblemHttpResult, ValidationProblem>> Bind(BindRequest body, ClaimsPrincipal user,
        [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        if (body.FlowId is not { } flowId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["flowId"] = [Platform.Resources.Texts.Get("Validation.Required")] });
        }

        var outcome = await services.Numbers.ConnectAsync(user.TenantId()!.Value, body.Number, body.Region, body.Provider, flowId, user.Actor(), ct);
        return outcome.ToResults(number => TypedResults.Created($"/api/tenant/numbers/{number.Id}", NumberDto.From(number)));
    }

    internal static async Task<Results<Ok<NumberDto>, ProblemHttpResult, ValidationProblem>> Repoint(Guid id, RepointRequest body,
        ClaimsPrincipal user, [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        if (body.FlowId is not { } flowId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["flowId"] = [Platform.Resources.Texts.Get("Validation.Required")] });
        }

        var outcome = await services.Numbers.RepointAsync(user.TenantId()!.Value, id, flowId, user.Actor(), ct);
        return outcome.ToResults(number => TypedResults.Ok(NumberDto.From(number)));
    }

    internal static async Task<Results<Ok<NumberDto>, ProblemHttpResult, ValidationProblem>> Release(Guid id, ClaimsPrincipal user,
        [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        var outcome = await services.Numbers.ReleaseAsync(user.TenantId()!.Value, id, user.Actor(), ct);
        return outcome.ToResults(number => TypedResults.Ok(NumberDto.From(number)));
    }

    internal static async Task<Ok<TwilioAccountDto>> GetTwilioAccount([AsParameters] TelephonyApiServices services, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await services.TwilioAccounts.GetAsync(ct)));

    internal static async Task<Results<Ok<TwilioAccountDto>, ProblemHttpResult, ValidationProblem>> ConnectTwilioAccount(TwilioAccountRequest body,
        ClaimsPrincipal user, [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        var outcome = await services.TwilioAccounts.ConnectAsync(user.TenantId()!.Value, body.AccountSid, body.AuthToken, user.Actor(), ct);
        return outcome.ToResults(account => TypedResults.Ok(ToDto(account)));
    }

    internal static async Task<NoContent> DisconnectTwilioAccount(ClaimsPrincipal user, [AsParameters] TelephonyApiServices services,
        CancellationToken ct)
    {
        await services.TwilioAccounts.DisconnectAsync(user.TenantId()!.Value, user.Actor(), ct);
        return TypedResults.NoContent();
    }

    private static TwilioAccountDto ToDto(TenantTwilioAccount? a) =>
        a is null ? new(false, null, null, null, null) : new(true, a.AccountSid, a.TokenHint, a.VerifiedAt, a.UpdatedBy);

    internal static async Task<Ok<List<CallDto>>> ListCalls(int? take, [AsParameters] TelephonyApiServices services, CancellationToken ct)
    {
        var db = services.Db;
        var calls = await db.Calls.AsNoTracking().OrderByDescending(c => c.StartedAt).Take(Math.Clamp(take ?? 50, 1, 500)).ToListAsync(ct);
        var ids = calls.Select(c => c.Id).ToList();
        var usage = await db.UsageRecords.AsNoTracking().Where(u => ids.Contains(u.CallId))
            .GroupBy(u => new { u.CallId, u.Kind }).Select(g => new { g.Key.CallId, g.Key.Kind, Seconds = g.Sum(u => u.Seconds) }).ToListAsync(ct);
        return TypedResults.Ok(calls.Select(c => ToDto(c,
            usage.Where(u => u.CallId == c.Id && u.Kind == UsageKinds.Bot).Sum(u => u.Seconds),
            usage.Where(u => u.CallId == c.Id && u.Kind == UsageKinds.Forward).Sum(u => u.Seconds))).ToList());
    }

    internal static async Task<Results<Ok<CallDetailDto>, ProblemHttpResult>> GetCall(Guid id, [AsParameters] TelephonyApiServices services,
        CancellationToken ct)
    {
        var db = services.Db;
        var call = await db.Calls.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (call is null)
        {
            return Problems.NotFound();
        }

        var usage = await db.UsageRecords.AsNoTracking().Where(u => u.CallId == id).ToListAsync(ct);
        var session = await db.FlowSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == call.SessionId, ct);
        var transcript = session is null ? [] : FlowInstance.FromJson(session.State).Transcript;
        return TypedResults.Ok(new CallDetailDto(ToDto(call, usage.Where(u => u.Kind == UsageKinds.Bot).Sum(u => u.Seconds),
            usage.Where(u => u.Kind == UsageKinds.Forward).Sum(u => u.Seconds)), transcript));
    }

    private static CallDto ToDto(Call c, int bot, int forward) => new(c.Id, c.Provider, c.FromNumber, c.ToNumber, c.Mode, c.Status, c.Outcome,
        c.StartedAt, c.EndedAt, c.DurationSeconds, bot, forward, c.TurnLatenciesMs);
}

/// <summary>Who calls may be transferred to (allow-list) and who takes a handoff, in E.164.</summary>
public static class CallSettingsApi
{
    public const string CallSettingsChangedAction = "call_settings.changed";

    public sealed record CallSettingsDto(IReadOnlyList<string> TransferTargets, string? HandoffTarget);

    public static void MapCallSettingsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant/call-settings").WithTags("Telephony").AddEndpointFilter<CookieAntiforgeryFilter>()
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute());
        group.MapGet("", Get).WithName("GetCallSettings");
        group.MapPut("", Put).WithName("PutCallSettings").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
    }

    internal static async Task<Ok<CallSettingsDto>> Get(ClaimsPrincipal user, [AsParameters] CallSettingsApiServices services, CancellationToken ct)
    {
        var settings = await services.Db.CallSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == user.TenantId(), ct);
        return TypedResults.Ok(new CallSettingsDto(settings?.TransferTargets ?? [], settings?.HandoffTarget));
    }

    internal static async Task<Results<Ok<CallSettingsDto>, ValidationProblem>> Put(CallSettingsDto body, ClaimsPrincipal user,
        [AsParameters] CallSettingsApiServices services, CancellationToken ct)
    {
        var db = services.Db;
        var errors = new Dictionary<string, string[]>();
        var targets = new List<string>();
        var tenantId = user.TenantId()!.Value;
        var country = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Country).SingleAsync(ct);
        Platform.Numbers.NumberRegion? region = Platform.Numbers.PhoneNumbers.TryParseRegion(country, out var r) ? r : null;
        foreach (var (raw, index) in (body.TransferTargets ?? []).Select((t, i) => (t, i)))
        {
            var n = Platform.Numbers.PhoneNumbers.Normalize(raw, region);
            if (n.IsValid)
            {
                targets.Add(n.E164!);
            }
            else
            {
                errors[$"transferTargets[{index}]"] = [n.Error!];
            }
        }

        string? handoff = null;
        if (!string.IsNullOrWhiteSpace(body.HandoffTarget))
        {
            var n = Platform.Numbers.PhoneNumbers.Normalize(body.HandoffTarget, region);
            if (n.IsValid)
            {
                handoff = n.E164;
            }
            else
            {
                errors["handoffTarget"] = [n.Error!];
            }
        }

        if (targets.Count > 20)
        {
            errors["transferTargets"] = [Platform.Resources.Texts.Format("Validation.MaxLength", 20)];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var settings = await db.CallSettings.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new CallSettings { TenantId = tenantId };
            db.CallSettings.Add(settings);
        }

        settings.TransferTargets = targets.Distinct().ToArray();
        settings.HandoffTarget = handoff;
        settings.UpdatedAt = services.Time.GetUtcNow();
        db.Record(services.Time, user.Actor(), CallSettingsChangedAction, tenantId,
            $"transfer: {string.Join(", ", settings.TransferTargets)}; handoff: {settings.HandoffTarget ?? "-"}");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new CallSettingsDto(settings.TransferTargets, settings.HandoffTarget));
    }
}

/// <summary>The services the number, Twilio-account and call endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record TelephonyApiServices(VoiceAgentDb Db, NumberService Numbers, TwilioAccounts TwilioAccounts);

/// <summary>The services the call-settings endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record CallSettingsApiServices(VoiceAgentDb Db, TimeProvider Time);

/// <summary>Wizard step 2: the tenant's speech engines and voice, and a sample of a voice for the browser.</summary>
public static class TenantSpeechApi
{
    /// <param name="Provider">"Offline", "OpenAi" or "Google" (case-insensitive).</param>
    public sealed record SpeechRequest(string? Provider, string? Voice);

    public sealed record SpeechDto(string Provider, string Voice, IReadOnlyList<SpeechProviderOption> Options);

    public static void MapTenantSpeechApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant/speech").WithTags("Telephony").AddEndpointFilter<CookieAntiforgeryFilter>()
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute());
        group.MapGet("", Get).WithName("GetTenantSpeech");
        group.MapPut("", Put).WithName("PutTenantSpeech").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapGet("/sample", Sample).WithName("GetSpeechSample").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
    }

    internal static async Task<Ok<SpeechDto>> Get(ClaimsPrincipal user, TenantSpeechSettings speech, CancellationToken ct)
    {
        var choice = await speech.GetAsync(user.TenantId()!.Value, ct);
        return TypedResults.Ok(new SpeechDto(choice.Provider.ToString(), choice.Voice, await speech.OptionsAsync(ct)));
    }

    internal static async Task<Results<Ok<SpeechDto>, ProblemHttpResult, ValidationProblem>> Put(SpeechRequest body, ClaimsPrincipal user,
        TenantSpeechSettings speech, CancellationToken ct)
    {
        var outcome = await speech.SaveAsync(user.TenantId()!.Value, ParseProvider(body.Provider), body.Voice, user.Actor(), ct);
        return await outcome.ToResultsAsync(async choice =>
            TypedResults.Ok(new SpeechDto(choice.Provider.ToString(), choice.Voice, await speech.OptionsAsync(ct))));
    }

    /// <summary>The fixed German sample sentence in that engine and voice, as audio/wav for an &lt;audio&gt; element.</summary>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Sample(string? provider, string? voice,
        HttpResponse response, TenantSpeechSettings speech, CancellationToken ct)
    {
        var outcome = await speech.SampleWavAsync(ParseProvider(provider), voice, TelephonyTexts.Get("Speech.SampleSentence"), ct);
        response.Headers.CacheControl = "no-store";
        return outcome.ToResults(wav => TypedResults.File(wav, "audio/wav"));
    }

    /// <summary>Null for anything that is not one of the names (the service answers with its German field error).</summary>
    internal static SpeechProvider? ParseProvider(string? provider) =>
        Enum.TryParse<SpeechProvider>(provider?.Trim(), ignoreCase: true, out var p) && Enum.IsDefined(p) && !int.TryParse(provider, out _) ? p : null;
}
