namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// A number of a Twilio account (an IncomingPhoneNumber, API-CONTRACTS.md §1.5) with what decides where its calls go.
/// Empty strings from Twilio become null. A voice application or SIP trunk, when set, takes precedence over the voice URL.
/// </summary>
public sealed record TwilioIncomingNumber(
    string Sid,
    string PhoneNumber,
    string? VoiceUrl,
    string? VoiceMethod,
    string? StatusCallback,
    string? StatusCallbackMethod,
    string? VoiceApplicationSid,
    string? TrunkSid);
