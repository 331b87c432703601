namespace VoiceAgent.Testing.Fakes;

/// <summary>What the fake OpenAI answers to one /v1/audio/transcriptions request.</summary>
public abstract record FakeTranscriptionReply
{
    /// <summary>A 200 with the text in the requested response_format (json: {"text": …}).</summary>
    public sealed record Transcript(string Text) : FakeTranscriptionReply;

    /// <summary>429 rate_limit_exceeded with the "retry-after-ms" header OpenAI sends.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : FakeTranscriptionReply;

    /// <summary>An error status (500, 503) with the OpenAI error body.</summary>
    public sealed record Error(int Status) : FakeTranscriptionReply;

    /// <summary>Holds the request open without answering until the client gives up or the delay ends.</summary>
    public sealed record Hang(TimeSpan Delay) : FakeTranscriptionReply;

    /// <summary>A 200 whose body is not a transcription (by default not even JSON).</summary>
    public sealed record Garbage(string Body = "<html><body>502 Bad Gateway</body>{\"text\":") : FakeTranscriptionReply;
}
