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
/// </summary>
public sealed class CallFlow(VoiceAgentDb db, IFlowTurns sessions, MailOutbox mails, CallTelemetry telemetry)
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

        // The session (locked), its version and the tenant's mail address in one round trip.
        var run = await db.FlowSessions.FromSqlInterpolated($"SELECT * FROM flow_sessions WHERE id = {call.SessionId} FOR UPDATE")
            .Select(s => new
            {
                Session = s,
                Version = db.FlowVersions.FirstOrDefault(v => v.Id == s.VersionId),
                TenantEmail = db.Tenants.Where(t => t.Id == tenantCall.TenantId).Select(t => t.Email).FirstOrDefault(),
            })
            .SingleAsync(ct);
        var session = run.Session;
        var instance = FlowInstance.FromJson(session.State);
        if (stimulus is not null && (instance.Status != FlowStatus.Suspended || instance.Bookmark?.Kind != stimulus.Kind))
        {
            return CurrentStep(call, instance);
        }

        if (run.Version is null || run.TenantEmail is null || sessions.Compile(run.Version) is not { } plan)
        {
            return new CallTurn(CallStep.Hangup, [], CallId: call.Id);
        }

        return await RunAsync(call, session, plan, instance, stimulus, new EmailMessageBox(mails, run.TenantEmail), ct, live);
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
