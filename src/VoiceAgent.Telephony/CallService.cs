using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Telephony;

/// <summary>What the provider should do next with the call.</summary>
public enum CallStep
{
    /// <summary>Say the lines, then listen for the caller (gather).</summary>
    Listen,

    /// <summary>Say the lines, then dial the transfer target.</summary>
    Dial,

    /// <summary>Say the lines, then hang up.</summary>
    Hangup,

    /// <summary>The call is not taken (unknown number, tenant not active): a polite announcement, no usage.</summary>
    Refuse,

    /// <summary>Connect a realtime media stream; the flow runs over the audio.</summary>
    Stream,
}

public sealed record CallTurn(CallStep Step, IReadOnlyList<string> Lines, string? DialTarget = null, int? ListenSeconds = null, Guid? CallId = null,
    Guid? TenantId = null);

/// <param name="AccountTenantId">Set when the provider account that sent the call belongs to one tenant (a tenant's own
/// Twilio account): the call is then only taken when the dialled number belongs to that tenant.</param>
public sealed record InboundCall(string Provider, string ProviderCallId, string? From, string? To, string Mode, Guid? AccountTenantId = null);

/// <summary>
/// Provider-neutral call handling: routes by the normalized dialled number (never by anything the caller controls),
/// runs the tenant's live flow turn by turn from the session stored in PostgreSQL (so consecutive webhooks may reach
/// different app instances), and meters usage. Provider callbacks are idempotent by provider ids.
/// </summary>
public sealed class CallService(VoiceAgentDb db, IFlowTurns sessions, MailOutbox mails, TimeProvider time)
{
    /// <param name="realtime">Only create the call; the flow starts when its media stream connects.</param>
    public async Task<CallTurn> StartAsync(InboundCall inbound, CancellationToken ct = default, bool realtime = false)
    {
        var to = PhoneNumbers.FromProvider(inbound.To);
        if (!to.IsValid)
        {
            return Refused();
        }

        var route = await db.Database
            .SqlQuery<RouteRow>($"SELECT tenant_id AS \"TenantId\", tenant_status AS \"TenantStatus\", phone_number_id AS \"PhoneNumberId\", flow_id AS \"FlowId\" FROM route_number({to.E164})")
            .SingleOrDefaultAsync(ct);
        if (route is null || route.TenantStatus != TenantStatus.Approved.ToApi()
            || (inbound.AccountTenantId is { } owner && owner != route.TenantId))
        {
            return Refused();
        }

        return await db.InScopeAsync(s => s.UseTenant(route.TenantId), async () =>
        {
            var existing = await db.Calls.SingleOrDefaultAsync(c => c.Provider == inbound.Provider && c.ProviderCallId == inbound.ProviderCallId, ct);
            if (existing is not null)
            {
                // A repeated webhook (provider retry): answer with the call's current state, change nothing.
                return await CurrentStepAsync(existing, ct);
            }

            var version = await db.FlowVersions.AsNoTracking()
                .SingleOrDefaultAsync(v => v.FlowId == route.FlowId && v.Status == FlowVersionStatus.Live, ct);
            if (version is null || sessions.Compile(version) is not { } plan)
            {
                return Refused();
            }

            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == route.TenantId, ct);
            var from = PhoneNumbers.FromProvider(inbound.From);
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
                ["tenant"] = new JsonObject { ["name"] = tenant.CompanyName },
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
            if (realtime)
            {
                session.State = instance.ToJson();
                await db.SaveChangesAsync(ct);
                return new CallTurn(CallStep.Stream, [], CallId: call.Id, TenantId: route.TenantId);
            }

            return await RunTurnAsync(call, session, plan, instance, null, new EmailMessageBox(mails, tenant.Email), ct);
        }, ct);
    }

    /// <summary>Claims the call's media stream (a stream token works once) and runs the flow to its first wait.</summary>
    /// <returns>Null when the stream was already started or the call is unknown.</returns>
    public Task<(CallTurn Turn, string ProviderCallId)?> StartStreamAsync(Guid tenantId, Guid callId, CancellationToken ct = default) =>
        db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var claimed = await db.Calls.Where(c => c.Id == callId && c.StreamStartedAt == null)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.StreamStartedAt, time.GetUtcNow()), ct);
            if (claimed != 1)
            {
                return ((CallTurn, string)?)null;
            }

            var call = await db.Calls.SingleAsync(c => c.Id == callId, ct);
            var session = await db.FlowSessions.FromSqlInterpolated($"SELECT * FROM flow_sessions WHERE id = {call.SessionId} FOR UPDATE").SingleAsync(ct);
            var version = await db.FlowVersions.AsNoTracking().SingleAsync(v => v.Id == session.VersionId, ct);
            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct);
            if (sessions.Compile(version) is not { } plan)
            {
                return (new CallTurn(CallStep.Hangup, [], CallId: call.Id), call.ProviderCallId);
            }

            var turn = await RunTurnAsync(call, session, plan, FlowInstance.FromJson(session.State), null, new EmailMessageBox(mails, tenant.Email), ct);
            return (turn, call.ProviderCallId);
        }, ct);

    /// <summary>After the media stream closed: dial the pending transfer target, or hang up.</summary>
    public async Task<CallTurn> AfterStreamAsync(string provider, string providerCallId, CancellationToken ct = default)
    {
        if (await TenantOfAsync(provider, providerCallId, ct) is not { } tenantId)
        {
            return Refused();
        }

        return await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.AsNoTracking().SingleAsync(c => c.Provider == provider && c.ProviderCallId == providerCallId, ct);
            var session = await db.FlowSessions.AsNoTracking().SingleAsync(x => x.Id == call.SessionId, ct);
            var instance = FlowInstance.FromJson(session.State);
            return instance.Bookmark?.Kind == BookmarkKinds.DialResult && call.DialTarget is { } target
                ? new CallTurn(CallStep.Dial, [], target, CallId: call.Id)
                : new CallTurn(CallStep.Hangup, [], CallId: call.Id);
        }, ct);
    }

    /// <summary>Realtime metrics: end of caller speech → first agent audio frame, and caller speech → clear (barge-in).</summary>
    public Task RecordRealtimeMetricsAsync(Guid tenantId, Guid callId, IReadOnlyList<int> turnLatenciesMs, IReadOnlyList<int> bargeInLatenciesMs,
        CancellationToken ct = default) =>
        db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.SingleAsync(c => c.Id == callId, ct);
            call.TurnLatenciesMs = [.. call.TurnLatenciesMs, .. turnLatenciesMs];
            call.BargeInLatenciesMs = [.. call.BargeInLatenciesMs, .. bargeInLatenciesMs];
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);

    /// <summary>The caller spoke (or stayed silent: empty text) in answer to a Listen.</summary>
    public Task<CallTurn> CallerSaidAsync(string provider, string providerCallId, string? text, CancellationToken ct = default) =>
        ResumeAsync(provider, providerCallId, string.IsNullOrWhiteSpace(text) ? new NoCallerInput() : new CallerInput(text.Trim()), ct);

    /// <summary>A transfer leg ended: meters its forward seconds (once per dial leg), then continues the flow.</summary>
    public async Task<CallTurn> DialEndedAsync(string provider, string providerCallId, string? dialCallId, string? dialStatus, int? dialSeconds,
        CancellationToken ct = default)
    {
        var status = dialStatus switch
        {
            "completed" or "answered" => DialStatus.Connected,
            "busy" => DialStatus.Busy,
            "no-answer" or "canceled" => DialStatus.NoAnswer,
            _ => DialStatus.Failed,
        };
        if (await TenantOfAsync(provider, providerCallId, ct) is { } tenantId && !string.IsNullOrEmpty(dialCallId) && dialSeconds > 0)
        {
            await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
            {
                var call = await db.Calls.SingleAsync(c => c.Provider == provider && c.ProviderCallId == providerCallId, ct);
                var end = time.GetUtcNow();
                await AddUsageOnceAsync(call, UsageKinds.Forward, dialCallId, end.AddSeconds(-dialSeconds.Value), end, dialSeconds.Value, ct);
                await RecomputeBotUsageAsync(call, ct);
                return true;
            }, ct);
        }

        return await ResumeAsync(provider, providerCallId, new DialResult(status), ct);
    }

    /// <summary>The provider says the call is over: closes it and meters bot seconds (total minus forwarded legs).</summary>
    public async Task CompletedAsync(string provider, string providerCallId, string? callStatus, int? durationSeconds, CancellationToken ct = default)
    {
        if (await TenantOfAsync(provider, providerCallId, ct) is not { } tenantId)
        {
            return;
        }

        await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.FromSqlInterpolated(
                    $"SELECT * FROM calls WHERE provider = {provider} AND provider_call_id = {providerCallId} FOR UPDATE")
                .SingleAsync(ct);
            if (call.EndedAt is null)
            {
                call.EndedAt = time.GetUtcNow();
                call.Status = callStatus ?? "completed";
            }

            if (durationSeconds is { } seconds && seconds >= (call.DurationSeconds ?? 0))
            {
                call.DurationSeconds = seconds;
            }

            await RecomputeBotUsageAsync(call, ct);
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
    }

    /// <summary>The provider the active binding of the dialled number names (a provider only drives its own numbers), or
    /// null when the number is not bound.</summary>
    public async Task<string?> BoundProviderAsync(string? dialled, CancellationToken ct = default)
    {
        var to = PhoneNumbers.FromProvider(dialled);
        if (!to.IsValid)
        {
            return null;
        }

        var route = await db.Database
            .SqlQuery<RouteRow>($"SELECT tenant_id AS \"TenantId\", tenant_status AS \"TenantStatus\", phone_number_id AS \"PhoneNumberId\", flow_id AS \"FlowId\" FROM route_number({to.E164})")
            .SingleOrDefaultAsync(ct);
        if (route is null)
        {
            return null;
        }

        return await db.InScopeAsync(s => s.UseTenant(route.TenantId),
            () => db.PhoneNumbers.AsNoTracking().Where(n => n.Id == route.PhoneNumberId).Select(n => n.Provider).SingleOrDefaultAsync(ct), ct);
    }

    /// <summary>
    /// An answer event for a provider that reports no dial-leg durations (sipgate): when the answering number is the
    /// transfer target the flow is waiting on, the forward leg starts now. Its record (0 seconds until
    /// <see cref="HungUpAsync"/> settles it) is the remembered answer time, so any app instance can settle it; a repeated
    /// answer keeps the first time.
    /// </summary>
    /// <returns>Whether the answer started a forward leg.</returns>
    public async Task<bool> ForwardAnsweredAsync(string provider, string providerCallId, string? answeringNumber, CancellationToken ct = default)
    {
        var answering = PhoneNumbers.FromProvider(answeringNumber);
        if (!answering.IsValid || await TenantOfAsync(provider, providerCallId, ct) is not { } tenantId)
        {
            return false;
        }

        return await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.AsNoTracking().SingleAsync(c => c.Provider == provider && c.ProviderCallId == providerCallId, ct);
            if (call.EndedAt is not null || PhoneNumbers.Normalize(call.DialTarget).E164 != answering.E164)
            {
                return false;
            }

            var now = time.GetUtcNow();
            await AddUsageOnceAsync(call, UsageKinds.Forward, ForwardRef(providerCallId), now, now, 0, ct);
            return true;
        }, ct);
    }

    /// <summary>
    /// A hangup event without a duration (sipgate): the first one ends the call; the call counts from its start to that
    /// end, a forward leg from its answer (<see cref="ForwardAnsweredAsync"/>) to the same end, and bot = total − forward.
    /// Repeats recompute the same numbers from the stored end. A transfer still waiting for its result learns it here,
    /// once, so the flow's outcome and follow-ups run as after a Twilio dial.
    /// </summary>
    /// <param name="status">The call's final status ("completed", "busy", …).</param>
    /// <param name="unansweredDial">What a waiting transfer is told when no forward leg was answered.</param>
    public async Task HungUpAsync(string provider, string providerCallId, string status, DialStatus unansweredDial, CancellationToken ct = default)
    {
        if (await TenantOfAsync(provider, providerCallId, ct) is not { } tenantId)
        {
            return;
        }

        var (first, forwarded) = await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.FromSqlInterpolated(
                    $"SELECT * FROM calls WHERE provider = {provider} AND provider_call_id = {providerCallId} FOR UPDATE")
                .SingleAsync(ct);
            var first = call.EndedAt is null;
            var end = call.EndedAt ?? time.GetUtcNow();
            if (first)
            {
                call.EndedAt = end;
                call.Status = status;
            }

            call.DurationSeconds = WholeSeconds(call.StartedAt, end);
            var forwardRef = ForwardRef(providerCallId);
            var forward = await db.UsageRecords.SingleOrDefaultAsync(
                u => u.Provider == provider && u.Kind == UsageKinds.Forward && u.ProviderRef == forwardRef, ct);
            if (forward is not null)
            {
                forward.EndedAt = end > forward.StartedAt ? end : forward.StartedAt;
                forward.Seconds = WholeSeconds(forward.StartedAt, end);
            }

            await db.SaveChangesAsync(ct);
            await RecomputeBotUsageAsync(call, ct);
            await db.SaveChangesAsync(ct);
            return (first, forward is not null);
        }, ct);

        if (first)
        {
            // Resumes only a flow waiting for a dial result; any other state is left as it is.
            await ResumeAsync(provider, providerCallId, new DialResult(forwarded ? DialStatus.Connected : unansweredDial), ct);
        }
    }

    // Rounded up: the forward leg (which starts later) can never come out longer than the whole call.
    private static int WholeSeconds(DateTimeOffset start, DateTimeOffset end) => Math.Max(0, (int)Math.Ceiling((end - start).TotalSeconds));

    private static string ForwardRef(string providerCallId) => providerCallId + ":forward";

    private async Task<CallTurn> ResumeAsync(string provider, string providerCallId, Stimulus stimulus, CancellationToken ct)
    {
        if (await TenantOfAsync(provider, providerCallId, ct) is not { } tenantId)
        {
            return Refused();
        }

        return await db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var call = await db.Calls.SingleAsync(c => c.Provider == provider && c.ProviderCallId == providerCallId, ct);
            var session = await db.FlowSessions.FromSqlInterpolated($"SELECT * FROM flow_sessions WHERE id = {call.SessionId} FOR UPDATE")
                .SingleAsync(ct);
            var instance = FlowInstance.FromJson(session.State);
            if (instance.Status != FlowStatus.Suspended || instance.Bookmark?.Kind != stimulus.Kind)
            {
                // Duplicate or out-of-order callback: nothing to resume, answer with the current state.
                return await CurrentStepAsync(call, ct);
            }

            var version = await db.FlowVersions.AsNoTracking().SingleAsync(v => v.Id == session.VersionId, ct);
            if (sessions.Compile(version) is not { } plan)
            {
                return new CallTurn(CallStep.Hangup, [], CallId: call.Id);
            }

            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct);
            return await RunTurnAsync(call, session, plan, instance, stimulus, new EmailMessageBox(mails, tenant.Email), ct);
        }, ct);
    }

    private async Task<CallTurn> RunTurnAsync(Call call, FlowSession session, Flows.Runtime.FlowPlan plan, FlowInstance instance, Stimulus? stimulus,
        Activities.Ports.IMessageBox messages, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var channel = new TextChannel();
        var turn = await sessions.RunAsync(session, plan, instance, stimulus, channel, messages, answerDial: null, ct);
        if (call.Mode != "realtime")
        {
            // Gather mode: the webhook's processing time is what the caller waits for. Realtime records speech → audio.
            call.TurnLatenciesMs = [.. call.TurnLatenciesMs, (int)watch.ElapsedMilliseconds];
        }

        call.DialTarget = turn.Result.Bookmark?.Kind == BookmarkKinds.DialResult ? channel.Transfers.LastOrDefault() : null;
        call.Outcome = instance.Status == FlowStatus.Suspended ? call.Outcome : instance.CurrentNodeId;
        await db.SaveChangesAsync(ct);
        return StepOf(turn.Result, channel.Lines, channel.Transfers.LastOrDefault(), call.Id);
    }

    private async Task<CallTurn> CurrentStepAsync(Call call, CancellationToken ct)
    {
        var session = await db.FlowSessions.AsNoTracking().SingleAsync(s => s.Id == call.SessionId, ct);
        var instance = FlowInstance.FromJson(session.State);
        return instance.Bookmark?.Kind == BookmarkKinds.CallerInput
            ? new CallTurn(CallStep.Listen, [], ListenSeconds: instance.Bookmark.TimeoutSeconds, CallId: call.Id)
            : new CallTurn(CallStep.Hangup, [], CallId: call.Id);
    }

    private static CallTurn StepOf(RunResult result, IReadOnlyList<string> lines, string? transfer, Guid callId) => result.Bookmark switch
    {
        { Kind: BookmarkKinds.CallerInput } b => new CallTurn(CallStep.Listen, lines, ListenSeconds: b.TimeoutSeconds, CallId: callId),
        { Kind: BookmarkKinds.DialResult } when transfer is not null => new CallTurn(CallStep.Dial, lines, transfer, CallId: callId),
        _ => new CallTurn(CallStep.Hangup, lines, CallId: callId),
    };

    private async Task RecomputeBotUsageAsync(Call call, CancellationToken ct)
    {
        if (call.DurationSeconds is not { } total)
        {
            return;
        }

        var forwarded = await db.UsageRecords.Where(u => u.CallId == call.Id && u.Kind == UsageKinds.Forward).SumAsync(u => u.Seconds, ct);
        var seconds = Math.Max(0, total - forwarded);
        var bot = await db.UsageRecords.SingleOrDefaultAsync(u => u.CallId == call.Id && u.Kind == UsageKinds.Bot, ct);
        var end = call.StartedAt.AddSeconds(total);
        if (bot is null)
        {
            await AddUsageOnceAsync(call, UsageKinds.Bot, call.ProviderCallId, call.StartedAt, end, seconds, ct);
        }
        else
        {
            bot.Seconds = seconds;
            bot.EndedAt = end;
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task AddUsageOnceAsync(Call call, string kind, string providerRef, DateTimeOffset start, DateTimeOffset end, int seconds, CancellationToken ct)
    {
        // ON CONFLICT DO NOTHING: the same provider id (duplicate callback) never counts twice.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds)
            VALUES ({call.TenantId}, {call.Id}, {call.Provider}, {kind}, {providerRef}, {call.ToNumber}, {start}, {end}, {seconds})
            ON CONFLICT (provider, kind, provider_ref) DO NOTHING
            """, ct);
    }

    /// <summary>The tenant a provider call belongs to; null for a call we never took.</summary>
    public async Task<Guid?> TenantOfAsync(string provider, string providerCallId, CancellationToken ct = default) =>
        await db.Database.SqlQuery<Guid?>($"SELECT call_tenant({provider}, {providerCallId}) AS \"Value\"").SingleAsync(ct);

    private static CallTurn Refused() => new(CallStep.Refuse, []);

    private sealed record RouteRow(Guid TenantId, string TenantStatus, Guid PhoneNumberId, Guid FlowId);
}
