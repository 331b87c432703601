using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Telephony.Calls;

/// <summary>A call's realtime media stream: its start (once per call), its metrics and what follows when it closes.</summary>
public sealed class CallStream(VoiceAgentDb db, CallFlow flow, TimeProvider time, CallTelemetry telemetry, ILogger<CallStream> logger)
{
    /// <summary>Claims the call's media stream (a stream token works once) and runs the flow to its first wait.</summary>
    /// <returns>Null when the stream was already started or the call is unknown.</returns>
    public async Task<(CallTurn Turn, string ProviderCallId)?> StartAsync(TenantCall? call, CancellationToken ct)
    {
        // The call row is locked for the transaction: of two starts, the second sees the first one's claim.
        if (call is not { Call: { StreamStartedAt: null } c })
        {
            return null;
        }

        c.StreamStartedAt = time.GetUtcNow();
        var turn = await flow.TurnAsync(call, null, ct);
        await db.SaveChangesAsync(ct); // the claim, when the turn did not save it with its own changes
        return (turn, c.ProviderCallId);
    }

    /// <summary>
    /// After the media stream closed (or an announcement ended, sipgate): dial the pending transfer target, or hang up —
    /// with an apology when the stream ended while the conversation was still going (the instance serving it died, the
    /// connection broke): the caller is still on the line and must not be cut off in silence. Usage comes from the status
    /// callback (once).
    /// </summary>
    public async Task<CallTurn> AfterAsync(TenantCall? call, CancellationToken ct)
    {
        if (call is not { Call: var c })
        {
            return CallTurn.Refused;
        }

        var instance = await flow.InstanceAsync(c, ct);
        // A Realtime-mode call chose its (allow-listed) transfer target by a function call, not by a flow node.
        var transfer = instance.Bookmark?.Kind == BookmarkKinds.DialResult || c.Outcome == Realtime.OpenAiRealtimeCall.TransferOutcome;
        if (transfer && c.DialTarget is { } target)
        {
            return new CallTurn(CallStep.Dial, [], target, CallId: c.Id);
        }

        var planned = instance.Status is FlowStatus.Completed or FlowStatus.Faulted || c.Outcome is Realtime.OpenAiRealtimeCall.EndOutcome
            or Realtime.OpenAiRealtimeCall.TransferOutcome;
        if (!planned)
        {
            logger.LogWarning("Media stream of call {CallId} ended mid-conversation (instance lost or connection broken); the caller hears the apology",
                c.Id);
        }

        return new CallTurn(CallStep.Hangup, planned ? [] : [Texts.Get("Telephony.Interrupted")], CallId: c.Id);
    }

    /// <summary>Realtime metrics: end of caller speech → first agent audio frame, and caller speech → clear (barge-in).</summary>
    public async Task<bool> RecordMetricsAsync(TenantCall? call, IReadOnlyList<int> turnLatenciesMs, IReadOnlyList<int> bargeInLatenciesMs,
        CancellationToken ct)
    {
        if (call is not { Call: var c })
        {
            return false;
        }

        c.TurnLatenciesMs = [.. c.TurnLatenciesMs, .. turnLatenciesMs];
        c.BargeInLatenciesMs = [.. c.BargeInLatenciesMs, .. bargeInLatenciesMs];
        await db.SaveChangesAsync(ct);
        telemetry.TurnLatencies(c, turnLatenciesMs);
        return true;
    }
}
