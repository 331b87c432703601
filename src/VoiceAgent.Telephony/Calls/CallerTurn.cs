using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Telephony.Calls;

/// <summary>The caller said something (speech, keypad digits) or stayed silent (empty text) in answer to a Listen: resume the flow.</summary>
public sealed class CallerTurn(CallFlow flow)
{
    public Task<CallTurn> HandleAsync(TenantCall? call, string? text, CancellationToken ct) =>
        flow.TurnAsync(call, string.IsNullOrWhiteSpace(text) ? new NoCallerInput() : new CallerInput(text.Trim()), ct);
}
