using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Numbers;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// A transfer leg ended: its forward seconds are metered once per dial leg, then the flow goes on with the dial result.
/// Providers that report no leg durations (sipgate) start the leg at the answer event (<see cref="ForwardAnsweredAsync"/>)
/// and settle it at the hangup (<see cref="CallCompleted.HungUpAsync"/>).
/// </summary>
public sealed class DialLegEnded(VoiceAgentDb db, TenantCalls calls, CallFlow flow, UsageMeter usage, TimeProvider time)
{
    public async Task<CallTurn> HandleAsync(TenantCall? call, string? dialCallId, string? dialStatus, int? dialSeconds, CancellationToken ct)
    {
        var status = dialStatus switch
        {
            "completed" or "answered" => DialStatus.Connected,
            "busy" => DialStatus.Busy,
            "no-answer" or "canceled" => DialStatus.NoAnswer,
            _ => DialStatus.Failed,
        };
        if (call is not null && !string.IsNullOrEmpty(dialCallId) && dialSeconds is > 0 and var seconds)
        {
            await usage.AddForwardLegAsync(call.Call, dialCallId, time.GetUtcNow(), seconds, ct);
            await usage.RecomputeBotUsageAsync(call.Call, ct);
            await db.SaveChangesAsync(ct);
            // Metered seconds are billing data: committed before the flow goes on, so a turn that fails cannot take them along.
            await calls.CommitAsync(ct);
            return await calls.InCallAsync(call, c => flow.TurnAsync(c, new DialResult(status), ct), ct);
        }

        return await flow.TurnAsync(call, new DialResult(status), ct);
    }

    /// <summary>
    /// An answer event (sipgate): when the answering number is the transfer target the flow is waiting on, the forward
    /// leg starts now.
    /// </summary>
    /// <returns>Whether the answer started a forward leg.</returns>
    public async Task<bool> ForwardAnsweredAsync(TenantCall? call, string? answeringNumber, CancellationToken ct)
    {
        var answering = PhoneNumbers.FromProvider(answeringNumber);
        if (!answering.IsValid || call is not { Call: var c } || c.EndedAt is not null || PhoneNumbers.Normalize(c.DialTarget).E164 != answering.E164)
        {
            return false;
        }

        await usage.StartForwardLegAsync(c, time.GetUtcNow(), ct);
        return true;
    }
}
