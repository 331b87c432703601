namespace VoiceAgent.Telephony;

public sealed class TelephonyOptions
{
    public const string Section = "Telephony";

    /// <summary>
    /// The public origin Twilio calls (e.g. https://voice.example.com). Behind a reverse proxy the request's own scheme and
    /// host differ from what Twilio signed, so signatures are checked against this origin plus the raw request target.
    /// Empty: the request's own origin. A path prefix added by the proxy is not supported (mount the app at /).
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>"gather" (Twilio's speech recognition, no keys needed) or "realtime" (media stream with our STT/TTS;
    /// falls back to gather when no speech-to-text is configured).</summary>
    public string Mode { get; set; } = "gather";

    /// <summary>Largest WebSocket message accepted on the media stream (a 20 ms frame is ~300 bytes of JSON).</summary>
    public int MaxStreamMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Send agent audio at real time (plus a small lead) so a barge-in can stop the rest of the utterance.</summary>
    public bool PaceAudio { get; set; } = true;

    /// <summary>
    /// New calls set up at the same time on this instance (route lookup, call row, flow session, first turn). More
    /// arrivals wait up to <see cref="CallSetupWait"/>; after that the caller hears a polite "all lines busy" and the
    /// provider gets a normal answer instead of an error. Keep it below the database pool size.
    /// </summary>
    public int MaxConcurrentCallSetups { get; set; } = 24;

    /// <summary>How long a new call may wait for a setup slot before it is turned away politely.</summary>
    public TimeSpan CallSetupWait { get; set; } = TimeSpan.FromSeconds(2);
}
