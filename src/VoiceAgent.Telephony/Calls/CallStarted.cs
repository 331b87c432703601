using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Observability;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Telephony.Calls;

/// <param name="AccountTenantId">Set when the provider account that sent the call belongs to one tenant (a tenant's own
/// Twilio account): the call is then only taken when the dialled number belongs to that tenant.</param>
/// <param name="NumberMustBeBoundToProvider">Only take the call when the number's active binding names this provider
/// (a provider only drives its own numbers; sipgate).</param>
public sealed record InboundCall(string Provider, string ProviderCallId, string? From, string? To, string Mode, Guid? AccountTenantId = null,
    bool NumberMustBeBoundToProvider = false);

/// <summary>The first answer to a new call, and the call when one was taken (or already existed).</summary>
public sealed record CallStart(CallTurn Turn, TenantCall? Call);

/// <summary>
/// A new inbound call: routes by the normalized dialled number (never by anything the caller controls), refuses unknown
/// numbers, tenants that are not approved and numbers of another account's tenant, creates the call and its flow session
/// and runs the live flow to its first wait — or, for realtime, only creates them (the flow starts when the media
/// stream connects). A repeated webhook (provider retry) is answered with the call's current state and changes nothing.
/// Runs inside the caller's transaction; a refusal stores nothing.
/// </summary>
public sealed class CallStarted(VoiceAgentDb db, CallFlow flow, IFlowTurns sessions, MailOutbox mails, ISpeechEngines speech, TimeProvider time,
    UsageLimits limits, CallTelemetry telemetry, ILogger<CallStarted> logger)
{
    public async Task<CallStart> HandleAsync(InboundCall inbound, bool realtime, CancellationToken ct)
    {
        var to = PhoneNumbers.FromProvider(inbound.To);
        if (!to.IsValid)
        {
            return new CallStart(CallTurn.Refused, null);
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A call starts inside the request's transaction.");
        }

        // The one routing lookup, which also enters the tenant's row-level-security scope (see RouteAsync).
        var approved = TenantStatus.Approved.ToApi();
        var route = await RouteAsync(db, to.E164!, inbound.AccountTenantId, ct);
        if (route is null || route.TenantStatus != approved || (inbound.AccountTenantId is { } account && account != route.TenantId))
        {
            return new CallStart(CallTurn.Refused, null);
        }

        db.Scope.UseTenant(route.TenantId);
        using var logScope = logger.BeginCallScope(route.TenantId, inbound.ProviderCallId);

        // Everything else the set-up needs in one round trip: the tenant, the number's provider, a call already taken
        // for this provider id, and the live version.
        var setup = await db.Tenants.Where(t => t.Id == route.TenantId).Select(t => new
        {
            t.CompanyName,
            t.Email,
            NumberProvider = db.PhoneNumbers.Where(n => n.Id == route.PhoneNumberId).Select(n => n.Provider).FirstOrDefault(),
            Existing = db.Calls.FirstOrDefault(c => c.Provider == inbound.Provider && c.ProviderCallId == inbound.ProviderCallId),
            Live = db.FlowVersions.FirstOrDefault(v => v.FlowId == route.FlowId && v.Status == FlowVersionStatus.Live),
        }).SingleAsync(ct);
        if (inbound.NumberMustBeBoundToProvider && setup.NumberProvider != inbound.Provider)
        {
            // Bound for another provider: refused like an unknown number.
            return new CallStart(CallTurn.Refused, null);
        }

        if (setup.Existing is { } existing)
        {
            var state = await flow.InstanceAsync(existing, ct);
            return new CallStart(CallFlow.CurrentStep(existing, state), new TenantCall(route.TenantId, existing));
        }

        if (setup.Live is not { } version || sessions.Compile(version) is not { } plan)
        {
            return new CallStart(CallTurn.Refused, null);
        }

        // A realtime call needs recognition, and the tenant chooses its speech engines: without recognition (offline) the
        // call is taken in gather mode.
        if (realtime && (await speech.GetAsync(route.TenantId, ct)).Stt is null)
        {
            realtime = false;
            inbound = inbound with { Mode = "gather" };
        }

        var from = PhoneNumbers.FromProvider(inbound.From);
        if (await RefusedByLimitsAsync(inbound.Provider, route.TenantId, from.E164, ct) is { } refusal)
        {
            return new CallStart(refusal, null);
        }

        var now = time.GetUtcNow();
        var call = new Call
        {
            Id = Guid.CreateVersion7(now),
            TenantId = route.TenantId,
            Provider = inbound.Provider,
            ProviderCallId = inbound.ProviderCallId,
            PhoneNumberId = route.PhoneNumberId,
            FlowId = route.FlowId,
            FromNumber = from.E164 ?? "anonymous",
            ToNumber = to.E164!,
            Mode = inbound.Mode,
            Status = "in-progress",
            StartedAt = now,
        };
        var instance = FlowRunner.NewInstance(plan, new JsonObject
        {
            ["caller"] = new JsonObject { ["number"] = from.E164 },
            ["tenant"] = new JsonObject { ["name"] = setup.CompanyName },
            ["call"] = new JsonObject { ["id"] = call.Id.ToString(), ["to"] = to.E164 },
        });
        instance.Id = call.Id.ToString("n");
        var session = new FlowSession
        {
            Id = call.Id,
            TenantId = route.TenantId,
            FlowId = route.FlowId,
            VersionId = version.Id,
            Kind = "call",
            Status = "running",
            CallerNumber = from.E164,
            State = "{}",
            CreatedAt = now,
        };
        call.SessionId = session.Id;
        db.FlowSessions.Add(session);
        db.Calls.Add(call);
        var tenantCall = new TenantCall(route.TenantId, call);
        telemetry.Started(call);
        logger.LogInformation("New {Provider} call taken in {Mode} mode", inbound.Provider, inbound.Mode);
        if (realtime)
        {
            session.State = instance.ToJson();
            await db.SaveChangesAsync(ct);
            return new CallStart(new CallTurn(CallStep.Stream, [], CallId: call.Id, TenantId: route.TenantId), tenantCall);
        }

        // The session and the call are inserted with the turn's first save.
        var turn = await flow.RunAsync(call, session, plan, instance, null, new EmailMessageBox(mails, setup.Email), ct);
        return new CallStart(turn, tenantCall);
    }

    /// <summary>A dialled number's active binding: its tenant (and the tenant's status), the number and the flow it runs.</summary>
    /// <param name="Scope">The tenant id the statement entered as <c>app.tenant_id</c>, empty when it may not take the call.</param>
    public sealed record RouteRow(Guid TenantId, string TenantStatus, Guid PhoneNumberId, Guid FlowId, string Scope);

    /// <summary>
    /// The one routing lookup of a new call (benchmark B6 times it as is): the definer function <c>route_number</c> finds
    /// the number's tenant, and the same statement enters that tenant's row-level-security scope — only for an approved
    /// tenant that may take the call (with <paramref name="accountTenantId"/>, only that tenant). Null for an unknown number.
    /// </summary>
    public static Task<RouteRow?> RouteAsync(VoiceAgentDb db, string e164, Guid? accountTenantId, CancellationToken ct)
    {
        var approved = TenantStatus.Approved.ToApi();
        var owner = accountTenantId?.ToString() ?? "";
        return db.Database.SqlQuery<RouteRow>($"""
            SELECT tenant_id AS "TenantId", tenant_status AS "TenantStatus", phone_number_id AS "PhoneNumberId", flow_id AS "FlowId",
                   set_config('app.tenant_id', CASE WHEN tenant_status = {approved} AND ({owner} = '' OR tenant_id::text = {owner})
                                                    THEN tenant_id::text ELSE '' END, true) AS "Scope"
            FROM route_number({e164})
            """).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Floods (issue #16): more set-ups per minute than the tenant's plan allows get the busy announcement; more new calls
    /// from one number per hour a polite refusal. The first refusal of a window is audited and logged, with the number
    /// shortened; nothing else is stored.
    /// </summary>
    private async Task<CallTurn?> RefusedByLimitsAsync(string provider, Guid tenantId, string? caller, CancellationToken ct)
    {
        var setups = await limits.HitTenantAsync(tenantId, UsageLimitKind.TenantCallSetups, ct);
        var decision = setups.Allowed ? await limits.HitCallerAsync(tenantId, caller, ct) : setups;
        if (decision.Allowed)
        {
            return null;
        }

        var masked = UsageLimits.MaskNumber(caller);
        if (decision.IsFirstRefusal)
        {
            logger.LogWarning("New {Provider} call from {Caller} refused: {Kind} limit of {Limit} reached", provider, masked, decision.Kind, decision.Limit);
            db.Record(time, Actor.System, decision.Kind == UsageLimitKind.CallerCalls ? "call.refused.caller_limit" : "call.refused.tenant_limit",
                tenantId, $"{provider}: {masked}", $"Limit {decision.Limit}");
            await db.SaveChangesAsync(ct);
        }

        return new CallTurn(CallStep.Refuse, [Texts.Get(decision.Kind == UsageLimitKind.CallerCalls ? "Telephony.CallerLimited" : "Telephony.Busy")]);
    }
}
