namespace VoiceAgent.Web.Telephony;

public sealed class TelephonyOptions
{
    public const string Section = "Telephony";

    /// <summary>
    /// The public origin Twilio calls (e.g. https://voice.example.com). Behind a reverse proxy the request's own scheme and
    /// host differ from what Twilio signed, so signatures are checked against this origin plus the raw request target.
    /// Empty: the request's own origin. A path prefix added by the proxy is not supported (mount the app at /).
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}
