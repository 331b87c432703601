namespace VoiceAgent.Cli;

/// <summary>Who calls whom on which server, and what the caller says. <see cref="QuietWindow"/> is how long the agent
/// must stay silent (all its audio played) before its turn counts as finished; it must stay well below the flow's
/// listen timeout (6 s by default).</summary>
public sealed record CallSimulatorSettings(Uri BaseUrl, string To, string From, string AuthToken, string CallSid, IReadOnlyList<CallerUtterance> Utterances)
{
    public const string DefaultFrom = "+4915100000000";

    public string AccountSid { get; init; } = "AC" + new string('0', 32);

    public TimeSpan QuietWindow { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Longest wait for the agent's first audio after the caller finished speaking (STT, flow, TTS).</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static string NewCallSid() => "CA" + Guid.NewGuid().ToString("N");
}

/// <summary>One thing the caller says: a <c>--say</c> text (rendered to audio when a media stream needs it) or a piece
/// of <c>--audio</c> (μ-law, 8 kHz) that has no text.</summary>
public sealed record CallerUtterance(string Label, string? Text = null, byte[]? MuLaw = null)
{
    public static CallerUtterance Say(string text) => new(text, Text: text);
}
