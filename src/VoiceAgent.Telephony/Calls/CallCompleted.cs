using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The provider says the call is over: the call is closed and its bot seconds metered (total − forwarded legs).
/// Repeats recompute the same numbers.
/// </summary>
public sealed class CallCompleted(VoiceAgentDb db, TenantCalls calls, CallFlow flow, UsageMeter usage, TimeProvider time, CallTelemetry telemetry,
    ILogger<CallCompleted> logger)
{
    /// <summary>A status callback with the call's duration (Twilio; the end of a realtime stream).</summary>
    public async Task HandleAsync(TenantCall? call, string? callStatus, int? durationSeconds, CancellationToken ct)
    {
        if (call is not { Call: var c })
        {
            return;
        }

        var first = c.EndedAt is null;
        if (first)
        {
            c.EndedAt = time.GetUtcNow();
            c.Status = callStatus ?? "completed";
        }

        if (durationSeconds is { } seconds && seconds >= (c.DurationSeconds ?? 0))
        {
            c.DurationSeconds = seconds;
        }

        await usage.RecomputeBotUsageAsync(c, ct);
        await db.SaveChangesAsync(ct);
        if (first)
        {
            Ended(call);
        }
    }

    /// <summary>
    /// A hangup event without a duration (sipgate): the first one ends the call; the call counts from its start to that
    /// end, a forward leg from its answer to the same end, and bot = total − forward. Repeats recompute the same numbers
    /// from the stored end. A transfer still waiting for its result learns it here, once, so the flow's outcome and
    /// follow-ups run as after a Twilio dial.
    /// </summary>
    /// <param name="status">The call's final status ("completed", "busy", …).</param>
    /// <param name="unansweredDial">What a waiting transfer is told when no forward leg was answered.</param>
    public async Task HungUpAsync(TenantCall? call, string status, DialStatus unansweredDial, CancellationToken ct)
    {
        if (call is not { Call: var c })
        {
            return;
        }

        var first = c.EndedAt is null;
        var end = c.EndedAt ?? time.GetUtcNow();
        if (first)
        {
            c.EndedAt = end;
            c.Status = status;
        }

        c.DurationSeconds = UsageMeter.WholeSeconds(c.StartedAt, end);
        var forwarded = await usage.SettleForwardLegAsync(c, end, ct);
        await db.SaveChangesAsync(ct);
        if (first)
        {
            Ended(call);
            // The call's end and its metered seconds are committed before the flow goes on: a turn that fails cannot take them along.
            await calls.CommitAsync(ct);
            // Resumes only a flow waiting for a dial result; any other state is left as it is.
            await calls.InCallAsync(call, c => flow.TurnAsync(c, new DialResult(forwarded ? DialStatus.Connected : unansweredDial), ct), ct);
        }
    }

    private void Ended(TenantCall call)
    {
        telemetry.Ended(call.Call);
        using var scope = logger.BeginCallScope(call.TenantId, call.Call.ProviderCallId);
        logger.LogInformation("{Provider} call ended: {Status}, {DurationSeconds} s", call.Call.Provider, call.Call.Status, call.Call.DurationSeconds);
    }
}
