namespace VoiceAgent.Testing.Fakes;

/// <summary>What the fake OpenAI answers to one chat-completions request.</summary>
public abstract record FakeChatReply
{
    /// <summary>A 200 chat.completion: the text as assistant content (null allowed) and, when given, a set_intent call.</summary>
    public sealed record Completion(string? Text, string? Intent, string ToolName = "set_intent") : FakeChatReply;

    /// <summary>429 rate_limit_exceeded with the "retry-after-ms" header OpenAI sends.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : FakeChatReply;

    /// <summary>An error status (500, 503) with the OpenAI error body.</summary>
    public sealed record Error(int Status) : FakeChatReply;

    /// <summary>Holds the request open without answering until the client gives up or the delay ends.</summary>
    public sealed record Hang(TimeSpan Delay) : FakeChatReply;

    /// <summary>A 200 whose body is not a chat.completion (by default not even JSON).</summary>
    public sealed record Garbage(string Body = "<html><body>502 Bad Gateway</body>{\"choices\":") : FakeChatReply;
}
