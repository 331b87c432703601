namespace VoiceAgent.Testing.Fakes;

/// <summary>What the fake OpenAI answers to one chat-completions request.</summary>
public abstract record FakeChatReply
{
    /// <summary>A 200 chat.completion: the text as assistant content (null allowed) and, when given, a set_intent call.</summary>
    public sealed record Completion(string? Text, string? Intent, string ToolName = "set_intent") : FakeChatReply;

    /// <summary>
    /// A streamed answer (the request asked for <c>"stream": true</c>): the text in these pieces as content deltas, then the
    /// set_intent call in two argument deltas, then <c>[DONE]</c>. With <paramref name="Hold"/> the stream stops after
    /// <paramref name="HoldAfter"/> pieces until the task completes (a model that is still writing); a cancelled task
    /// ends the response there without <c>[DONE]</c> (a stream that breaks off).
    /// A <see cref="Completion"/> asked for as a stream is sent word by word the same way.
    /// </summary>
    public sealed record Streamed(IReadOnlyList<string> Pieces, string? Intent, Task? Hold = null, int HoldAfter = 1) : FakeChatReply;

    /// <summary>429 rate_limit_exceeded with the "retry-after-ms" header OpenAI sends.</summary>
    public sealed record RateLimited(TimeSpan RetryAfter) : FakeChatReply;

    /// <summary>An error status (500, 503) with the OpenAI error body.</summary>
    public sealed record Error(int Status) : FakeChatReply;

    /// <summary>Holds the request open without answering until the client gives up or the delay ends.</summary>
    public sealed record Hang(TimeSpan Delay) : FakeChatReply;

    /// <summary>A 200 whose body is not a chat.completion (by default not even JSON).</summary>
    public sealed record Garbage(string Body = "<html><body>502 Bad Gateway</body>{\"choices\":") : FakeChatReply;
}
