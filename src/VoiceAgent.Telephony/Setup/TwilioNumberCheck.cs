namespace VoiceAgent.Telephony.Setup;

/// <summary>
/// A number as found in a Twilio account: where its voice webhook and call status callback point today (null: not set),
/// where they must point, and whether they do (both URLs, both POST, and no voice application or SIP trunk overriding them).
/// </summary>
public sealed record TwilioNumberCheck(
    string Number,
    string Sid,
    string? VoiceUrl,
    string? StatusCallback,
    bool PointsHere,
    string ExpectedVoiceUrl,
    string ExpectedStatusCallback);
