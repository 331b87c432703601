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

    /// <summary>The <c>start</c> message must arrive this soon after the WebSocket opened, else the stream is closed
    /// (policy violation). Twilio sends it right after <c>connected</c>.</summary>
    public TimeSpan StreamStartTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After <c>start</c>, a stream without any media message for this long is closed (policy violation). Twilio
    /// sends a frame every 20 ms, silence included, so a gap this long means the peer is gone or misbehaving.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Caller turns (utterances, DTMF digits) queued for the processing loop per stream. When full, further
    /// turns are dropped and counted (a DTMF flood cannot grow memory); after <see cref="StreamMaxDroppedTurns"/> drops the
    /// stream is closed (policy violation).</summary>
    public int StreamMaxQueuedTurns { get; set; } = 32;

    /// <summary>Dropped turns after which a flooding stream is closed.</summary>
    public int StreamMaxDroppedTurns { get; set; } = 1000;

    /// <summary>
    /// How a realtime turn runs. "streaming" (default): adaptive end of turn, the agent's words spoken while the flow and
    /// the model still run, synthesis streamed. "sequential": the pipeline before streaming — a fixed 700 ms end-of-turn
    /// window, the whole turn, then the whole synthesis of each line; kept as the latency benchmark's baseline and as a
    /// fallback should a provider's streaming misbehave.
    /// </summary>
    public RealtimePipeline Pipeline { get; set; } = RealtimePipeline.Streaming;

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

public enum RealtimePipeline
{
    Streaming,
    Sequential,
}
