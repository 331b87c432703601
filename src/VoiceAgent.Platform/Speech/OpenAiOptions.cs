using System.ComponentModel.DataAnnotations;
using System.Text;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Platform.Speech;

public sealed record OpenAiOptions
{
    public const string Section = "OpenAi";

    /// <summary>Without a key the composition root uses <see cref="RuleBasedConversationModel"/> alone.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Includes the version segment; the SDK appends "chat/completions".</summary>
    [Required]
    public Uri Endpoint { get; init; } = new("https://api.openai.com/v1");

    [Required]
    public string ChatModel { get; init; } = "gpt-4o-mini";

    /// <summary>The budget for one turn including the single 429 retry; after it the caller hears the fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    // The generated record ToString would print the key wherever the options get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"ApiKey = {(ApiKey is null ? "null" : SecretHint.For(ApiKey))}, Endpoint = {Endpoint}, ChatModel = {ChatModel}, Timeout = {Timeout}");
        return true;
    }
}
