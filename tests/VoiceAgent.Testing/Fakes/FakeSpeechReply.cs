namespace VoiceAgent.Testing.Fakes;

/// <summary>What the fake OpenAI answers to one /v1/audio/speech request; without a script it answers with a
/// <see cref="Tone"/>.</summary>
public abstract record FakeSpeechReply
{
    /// <summary>A 440 Hz tone as raw 24 kHz PCM16 LE, <see cref="FakeOpenAiServer.SpeechSamplesPerCharacter"/> samples per
    /// input character, sent chunked like the real stream.</summary>
    public sealed record Tone : FakeSpeechReply;

    /// <summary>These bytes as the body, as they are (raw PCM16 LE at 24 kHz, unless a test wants it otherwise).</summary>
    public sealed record Audio(byte[] Body) : FakeSpeechReply;

    /// <summary>429 rate_limit_exceeded with the "retry-after-ms" header OpenAI sends.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : FakeSpeechReply;

    /// <summary>An error status (500, 503) with the OpenAI error body.</summary>
    public sealed record Error(int Status) : FakeSpeechReply;

    /// <summary>Holds the request open without answering until the client gives up or the delay ends.</summary>
    public sealed record Hang(TimeSpan Delay) : FakeSpeechReply;

    /// <summary>A 200 that is not audio: by default a proxy's HTML error page.</summary>
    public sealed record Garbage(string Body = "<html><body>502 Bad Gateway</body></html>", string ContentType = "text/html") : FakeSpeechReply;
}
