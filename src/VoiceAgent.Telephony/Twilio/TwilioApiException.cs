namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// A Twilio REST error (<c>{"code","message","more_info","status"}</c>). <see cref="Code"/> is Twilio's error code
/// (e.g. 20404), null when the body was not Twilio's error JSON (a proxy's 502 page, say).
/// </summary>
public sealed class TwilioApiException(int status, int? code, string message, string? moreInfo = null)
    : Exception($"Twilio API error {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} (HTTP {status}): {message}")
{
    public int Status { get; } = status;

    public int? Code { get; } = code;

    public string TwilioMessage { get; } = message;

    public string? MoreInfo { get; } = moreInfo;
}
