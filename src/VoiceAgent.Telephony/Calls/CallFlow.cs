using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The turn mechanics the call handlers share: runs the call's flow session from the state stored in PostgreSQL up to its
/// next wait (so consecutive webhooks may reach different app instances) and turns the result into a <see cref="CallStep"/>.
/// With Redis, the state itself comes from the session's hot copy when that is current (<see cref="FlowSessionCache"/>).
/// </summary>
public sealed class CallFlow(VoiceAgentDb db, IFlowTurns sessions, MailOutbox mails, CallTelemetry telemetry, FlowSessionCache hot)
{
    /// <summary>
    /// Continues the call's flow: from the start (<paramref name="stimulus"/> null, a media stream's first turn) or with a
    /// stimulus the flow waits for. A stimulus it does not wait for (duplicate or out-of-order callback) changes nothing;
    /// the answer is then the current state.
    /// </summary>
    /// <param name="live">On a realtime call: speaks the lines while the flow runs (see <see cref="ILiveSpeech"/>).</param>
    public async Task<CallTurn> TurnAsync(TenantCall? tenantCall, Stimulus? stimulus, CancellationToken ct, ILiveSpeech? live = null)
    {
        if (tenantCall is not { Call: var call })
        {
            return CallTurn.Refused;
        }

        var (session, version, tenantEmail) = await LockSessionAsync(call.SessionId!.Value, tenantCall.TenantId, ct);
        var instance = FlowInstance.FromJson(session.State);
        if (stimulus is not null && (instance.Status != FlowStatus.Suspended || instance.Bookmark?.Kind != stimulus.Kind))
        {
            return CurrentStep(call, instance);
        }

        if (version is null || tenantEmail is null || sessions.Compile(version) is not { } plan)
        {
            return new CallTurn(CallStep.Hangup, [], CallId: call.Id);
        }

        return await RunAsync(call, session, plan, instance, stimulus, new EmailMessageBox(mails, tenantEmail), ct, live);
    }

    /// <summary>
    /// The session (locked for the turn), its flow version and the tenant's mail address in one round trip. With a current
    /// hot copy in Redis the state is not read from PostgreSQL (the row's version decides, in the same statement).
    /// </summary>
    private async Task<(FlowSession Session, FlowVersion? Version, string? TenantEmail)> LockSessionAsync(Guid sessionId, Guid tenantId,
        CancellationToken ct)
    {
        var locked = db.FlowSessions.FromSqlInterpolated($"SELECT *, xmin FROM flow_sessions WHERE id = {sessionId} FOR UPDATE");
        if (!hot.Configured || db.FlowSessions.Local.Any(s => s.Id == sessionId))
        {
            var run = await locked.Select(s => new
                {
                    Session = s,
                    Version = db.FlowVersions.FirstOrDefault(v => v.Id == s.VersionId),
                    TenantEmail = db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Email).FirstOrDefault(),
                })
                .SingleAsync(ct);
            return (run.Session, run.Version, run.TenantEmail);
        }

        var copy = await hot.GetAsync(sessionId);
        uint? current = copy?.RowVersion;
        var row = await locked.AsNoTracking().Select(s => new
            {
                s.Id, s.TenantId, s.FlowId, s.VersionId, s.Kind, s.Status, s.CallerNumber, s.CreatedAt, s.UpdatedAt, s.RowVersion,
                State = s.RowVersion == current ? null : s.State,
                Version = db.FlowVersions.FirstOrDefault(v => v.Id == s.VersionId),
                TenantEmail = db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Email).FirstOrDefault(),
            })
            .SingleAsync(ct);
        var session = new FlowSession
        {
            Id = row.Id, TenantId = row.TenantId, FlowId = row.FlowId, VersionId = row.VersionId, Kind = row.Kind, Status = row.Status,
            CallerNumber = row.CallerNumber, CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt, RowVersion = row.RowVersion,
            State = row.State ?? copy!.Value.State,
        };
        telemetry.SessionRead(row.State is null);
        db.FlowSessions.Attach(session);
        return (session, row.Version, row.TenantEmail);
    }

    /// <summary>
    /// Runs one turn and stores it with the call's latency, pending transfer target and outcome. The runner stores the
    /// session when the run is over; the call's turn data is set just before that save and goes out in the same batch
    /// (one round trip). Set again after the run, it is saved here only if the runner did not save.
    /// </summary>
    public async Task<CallTurn> RunAsync(Call call, FlowSession session, FlowPlan plan, FlowInstance instance, Stimulus? stimulus, IMessageBox messages,
        CancellationToken ct, ILiveSpeech? live = null)
    {
        using var activity = CallTelemetry.StartTurn(call);
        var watch = Stopwatch.StartNew();
        var channel = new TextChannel(live);
        var latenciesBefore = call.TurnLatenciesMs;
        var outcomeBefore = call.Outcome;
        int? latency = null;
        void StoreTurn(int milliseconds)
        {
            if (call.Mode != "realtime")
            {
                // Gather mode: the webhook's processing time is what the caller waits for. Realtime records speech → audio.
                call.TurnLatenciesMs = [.. latenciesBefore, milliseconds];
            }

            call.DialTarget = instance.Bookmark?.Kind == BookmarkKinds.DialResult ? channel.Transfers.LastOrDefault() : null;
            call.Outcome = instance.Status == FlowStatus.Suspended ? outcomeBefore : instance.CurrentNodeId;
        }

        void OnSaving(object? sender, SavingChangesEventArgs e) => StoreTurn((latency = (int)watch.ElapsedMilliseconds).Value);
        FlowTurn turn;
        db.SavingChanges += OnSaving;
        try
        {
            turn = await sessions.RunAsync(session, plan, instance, stimulus, channel, messages, answerDial: null, ct);
        }
        finally
        {
            db.SavingChanges -= OnSaving;
        }

        StoreTurn(latency ??= (int)watch.ElapsedMilliseconds);
        await db.SaveChangesAsync(ct); // nothing left to send when the runner's save took the turn data along
        if (hot.Configured)
        {
            // The row version as the save read it back: the next turn, on any instance, finds this copy current.
            await hot.SetAsync(session.Id, session.RowVersion, session.State);
        }

        telemetry.Turn(call);
        if (call.Mode != "realtime")
        {
            telemetry.TurnLatencies(call, [latency.Value]);
        }

        return StepOf(turn.Result, channel.Lines, channel.Transfers.LastOrDefault(), call.Id);
    }

    /// <summary>The flow state as stored (read only).</summary>
    public async Task<FlowInstance> InstanceAsync(Call call, CancellationToken ct)
    {
        var state = await db.FlowSessions.AsNoTracking().Where(s => s.Id == call.SessionId).Select(s => s.State).SingleAsync(ct);
        return FlowInstance.FromJson(state);
    }

    /// <summary>What a repeated callback is told: listen again while the flow waits for the caller, else hang up.</summary>
    public static CallTurn CurrentStep(Call call, FlowInstance instance) =>
        instance.Bookmark?.Kind == BookmarkKinds.CallerInput
            ? new CallTurn(CallStep.Listen, [], ListenSeconds: instance.Bookmark.TimeoutSeconds, CallId: call.Id)
            : new CallTurn(CallStep.Hangup, [], CallId: call.Id);

    private static CallTurn StepOf(RunResult result, IReadOnlyList<string> lines, string? transfer, Guid callId) => result.Bookmark switch
    {
        { Kind: BookmarkKinds.CallerInput } b => new CallTurn(CallStep.Listen, lines, ListenSeconds: b.TimeoutSeconds, CallId: callId),
        { Kind: BookmarkKinds.DialResult } when transfer is not null => new CallTurn(CallStep.Dial, lines, transfer, CallId: callId),
        _ => new CallTurn(CallStep.Hangup, lines, CallId: callId),
    };
}
