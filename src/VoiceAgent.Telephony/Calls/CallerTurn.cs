using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Telephony.Calls;

/// <summary>The caller said something (speech, keypad digits) or stayed silent (empty text) in answer to a Listen: resume the flow.</summary>
public sealed class CallerTurn(CallFlow flow)
{
    /// <param name="live">On a realtime call: speaks the answer while the flow still runs.</param>
    public Task<CallTurn> HandleAsync(TenantCall? call, string? text, CancellationToken ct, VoiceAgent.Platform.Ports.ILiveSpeech? live = null) =>
        flow.TurnAsync(call, string.IsNullOrWhiteSpace(text) ? new NoCallerInput() : new CallerInput(text.Trim()), ct, live);
}
