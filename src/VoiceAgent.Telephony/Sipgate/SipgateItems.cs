namespace VoiceAgent.Telephony.Sipgate;

/// <summary>sipgate's list envelope: {"items":[…]}.</summary>
internal sealed record SipgateItems<T>(IReadOnlyList<T>? Items);
